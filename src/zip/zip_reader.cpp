// Reading archives through libzip, defensively: every name and declared size is checked when the archive is
// opened, and every entry is re-checked while it is inflated (declared sizes can lie).
#include "io/fail.hpp"
#include "io/files.hpp"
#include "zip/zip.hpp"
#include "zip/zip_internal.hpp"

#include <fcntl.h>
#include <libdeflate.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <cerrno>

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

namespace vanban::zip {

namespace {

using detail::fail;

// Entries smaller than this cannot be a bomb whatever their ratio, and a few KiB of blank XML can legitimately
// compress better than 1000:1.
constexpr std::uint64_t kRatioFloor = 64u << 10;

struct ArchiveCloser {
    void operator()(zip_t* z) const noexcept { zip_discard(z); }
};
struct FileCloser {
    void operator()(zip_file_t* f) const noexcept { zip_fclose(f); }
};

struct EntryMeta {
    zip_uint64_t index = 0;
    std::uint64_t size = 0;
    std::uint64_t compressed_size = 0;
    std::uint32_t crc32 = 0;
    std::uint16_t method = 0;
    bool directory = false;
};

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string libzip_message(zip_error_t* error) {
    const char* text = zip_error_strerror(error);
    return text ? text : "unknown libzip error";
}

Diagnostic diagnostic(DiagnosticKind kind, std::string message) {
    Diagnostic d;
    d.kind = kind;
    d.message = std::move(message);
    return d;
}

// Opens `bytes` (which must outlive the archive), or the file `path` when it is not empty; on failure returns null
// with libzip's code and message.
zip_t* open_archive(const std::string& bytes, const std::string& path, int flags, int& code, std::string& message) {
    zip_error_t error;
    zip_error_init(&error);
    zip_t* archive = nullptr;
    zip_source_t* source = path.empty() ? zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error)
                                        : zip_source_file_create(path.c_str(), 0, -1, &error);
    if (source) {
        archive = zip_open_from_source(source, flags, &error);
        if (!archive) zip_source_free(source);  // on failure the source still belongs to us
    }
    if (!archive) {
        code = zip_error_code_zip(&error);
        message = libzip_message(&error);
    }
    zip_error_fini(&error);
    return archive;
}

}  // namespace

struct Reader::Impl {
    std::string bytes;  // declared before `archive`: libzip reads from it until the archive is discarded
    std::string path;   // from_file: libzip reads the file itself, as needed
    std::unique_ptr<zip_t, ArchiveCloser> archive;
    std::vector<EntryMeta> entries;  // parallel to Reader::names_
    std::map<std::string, std::size_t, std::less<>> by_name;
    std::string archive_name;
    mutable std::mutex mutex;  // a zip_t is not thread-safe; reads of one Reader are serialised

    std::string where(std::string_view entry) const { return archive_name + ": entry " + quote(entry); }

    const EntryMeta& find(std::string_view name) const {
        const auto it = by_name.find(name);
        if (it == by_name.end()) fail(DiagnosticKind::package, archive_name + ": no entry " + quote(name));
        return entries[it->second];
    }

    [[noreturn]] void read_failed(std::string_view name, zip_error_t* error) const {
        fail(DiagnosticKind::package, where(name) + ": cannot read (" + libzip_message(error) + ")");
    }

    // Reads exactly `expected` bytes (uncompressed, or as stored when `flags` has ZIP_FL_COMPRESSED) and
    // fails when the entry yields fewer or more. Caller holds `mutex`.
    std::string read_exact(std::string_view name, const EntryMeta& meta, std::uint64_t expected,
                           zip_flags_t flags) const {
        std::unique_ptr<zip_file_t, FileCloser> file(zip_fopen_index(archive.get(), meta.index, flags));
        if (!file) read_failed(name, zip_get_error(archive.get()));
        std::string out(expected, '\0');
        std::uint64_t got = 0;
        while (got < expected) {
            const zip_int64_t n = zip_fread(file.get(), out.data() + got, expected - got);
            if (n < 0) read_failed(name, zip_file_get_error(file.get()));
            if (n == 0)
                fail(DiagnosticKind::package, where(name) + ": truncated (" + std::to_string(got) + " of " +
                                                  std::to_string(expected) + " bytes)");
            got += static_cast<std::uint64_t>(n);
        }
        // One more read must hit the end: this stops a bomb whose declared size lies, and lets libzip run its
        // end-of-entry checks.
        char probe = 0;
        const zip_int64_t extra = zip_fread(file.get(), &probe, 1);
        if (extra < 0) read_failed(name, zip_file_get_error(file.get()));
        if (extra > 0)
            fail(DiagnosticKind::package,
                 where(name) + ": holds more data than its declared size of " + std::to_string(expected) + " bytes");
        return out;
    }

    std::string read_content(std::string_view name, const EntryMeta& meta) const {
        if (meta.directory) return {};
        std::string out;
        {
            const std::lock_guard lock(mutex);
            out = read_exact(name, meta, meta.size, 0);
        }
        // Our own check, independent of what libzip verifies.
        if (libdeflate_crc32(0, out.data(), out.size()) != meta.crc32)
            fail(DiagnosticKind::package, where(name) + ": CRC-32 mismatch, the archive is corrupt");
        return out;
    }
};

Reader::Reader(std::unique_ptr<Impl> impl, std::vector<std::string> names, std::string archive_name)
    : impl_(std::move(impl)), names_(std::move(names)), archive_name_(std::move(archive_name)) {}
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

Reader Reader::from_file(const std::string& path, const Limits& limits) {
    // The file is not loaded whole: libzip reads what is asked for (an XLSX sheet may be hundreds of megabytes).
    // Unreadable files are reported as read_file reports them.
    struct stat st {};
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) io::fail_errno("cannot open '" + path + "'", errno);
    const int stat_rc = ::fstat(fd, &st);
    ::close(fd);
    if (stat_rc != 0 || !S_ISREG(st.st_mode)) return from_bytes(io::read_file(path), path, limits);
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    return open(std::move(impl), path, limits, st.st_size == 0);
}

Reader Reader::from_bytes(std::string bytes, std::string archive_name, const Limits& limits) {
    auto impl = std::make_unique<Impl>();
    impl->bytes = std::move(bytes);
    const bool empty = impl->bytes.empty();
    return open(std::move(impl), std::move(archive_name), limits, empty);
}

Reader Reader::open(std::unique_ptr<Impl> impl, std::string archive_name, const Limits& limits, bool empty) {
    impl->archive_name = archive_name;
    // libzip treats an empty buffer as a new, empty archive.
    if (empty) fail(DiagnosticKind::package, archive_name + ": empty file, not a zip archive");

    // ZIP_CHECKCONS refuses duplicate names with a bare "File already exists"; reopen without it so that the
    // duplicates (and every other problem) can be reported by name. That archive is never returned.
    std::string open_error;
    int open_code = ZIP_ER_OK;
    impl->archive.reset(open_archive(impl->bytes, impl->path, ZIP_RDONLY | ZIP_CHECKCONS, open_code, open_error));
    const bool diagnose_only = !impl->archive && open_code == ZIP_ER_EXISTS;
    if (diagnose_only) impl->archive.reset(open_archive(impl->bytes, impl->path, ZIP_RDONLY, open_code, open_error));
    if (!impl->archive) fail(DiagnosticKind::package, archive_name + ": not a valid zip archive (" + open_error + ")");

    const zip_int64_t count = zip_get_num_entries(impl->archive.get(), 0);
    if (count < 0) fail(DiagnosticKind::package, archive_name + ": cannot count the entries");
    if (static_cast<std::uint64_t>(count) > limits.max_entries)
        fail(DiagnosticKind::limit, archive_name + ": too many entries (" + std::to_string(count) + ", limit " +
                                        std::to_string(limits.max_entries) + ")");

    std::vector<Diagnostic> problems;
    std::vector<std::string> names;
    names.reserve(static_cast<std::size_t>(count));
    impl->entries.reserve(static_cast<std::size_t>(count));
    std::map<std::string, std::string> folded;  // lower-cased name -> first name seen
    std::uint64_t total = 0;
    bool total_reported = false;
    for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(impl->archive.get(), i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) || !st.name) {
            problems.push_back(diagnostic(DiagnosticKind::package,
                                          archive_name + ": entry #" + std::to_string(i) + " cannot be read (" +
                                              libzip_message(zip_get_error(impl->archive.get())) + ")"));
            continue;
        }
        std::string name = st.name;
        const std::string at = impl->where(name);
        if (auto problem = detail::name_problem(name))
            problems.push_back(diagnostic(DiagnosticKind::package, at + ": " + *problem));
        if (impl->by_name.contains(name)) {
            problems.push_back(diagnostic(DiagnosticKind::package, at + ": duplicate entry name"));
            continue;
        }
        if (auto [it, inserted] = folded.emplace(detail::ascii_lower(name), name); !inserted)
            problems.push_back(diagnostic(DiagnosticKind::package,
                                          at + ": differs only in letter case from entry " + quote(it->second)));

        EntryMeta meta;
        meta.index = i;
        meta.size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
        meta.compressed_size = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
        meta.crc32 = (st.valid & ZIP_STAT_CRC) ? st.crc : 0;
        meta.method = static_cast<std::uint16_t>(st.comp_method);
        meta.directory = !name.empty() && name.back() == '/';

        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
            problems.push_back(diagnostic(DiagnosticKind::package, at + ": encrypted entries are not supported"));
        if (!zip_compression_method_supported(st.comp_method, 0))
            problems.push_back(diagnostic(DiagnosticKind::package,
                                          at + ": unsupported compression method " + std::to_string(st.comp_method)));
        if (meta.size > limits.max_entry_size)
            problems.push_back(diagnostic(DiagnosticKind::limit, at + ": declared size " + std::to_string(meta.size) +
                                                                     " bytes exceeds the limit of " +
                                                                     std::to_string(limits.max_entry_size)));
        if (meta.size > kRatioFloor &&
            static_cast<double>(meta.size) > limits.max_compression_ratio * static_cast<double>(meta.compressed_size))
            problems.push_back(diagnostic(
                DiagnosticKind::limit, at + ": compression ratio over the limit of " +
                                           std::to_string(static_cast<long long>(limits.max_compression_ratio)) + " (" +
                                           std::to_string(meta.compressed_size) + " bytes inflate to " +
                                           std::to_string(meta.size) + "; zip bomb?)"));
        total += meta.size;
        if (total > limits.max_total_size && !total_reported) {
            total_reported = true;
            problems.push_back(diagnostic(DiagnosticKind::limit, at +
                                                                     ": total uncompressed size exceeds the limit of " +
                                                                     std::to_string(limits.max_total_size) + " bytes"));
        }
        impl->by_name.emplace(name, impl->entries.size());
        impl->entries.push_back(meta);
        names.push_back(std::move(name));
    }
    if (diagnose_only && problems.empty())
        problems.push_back(
            diagnostic(DiagnosticKind::package, archive_name + ": not a valid zip archive (" + open_error + ")"));
    if (!problems.empty()) throw Error(std::move(problems));
    return Reader(std::move(impl), std::move(names), std::move(archive_name));
}

bool Reader::contains(std::string_view name) const { return impl_->by_name.contains(name); }

std::string Reader::read(std::string_view name) const { return impl_->read_content(name, impl_->find(name)); }

RawEntry Reader::read_raw(std::string_view name) const {
    const EntryMeta& meta = impl_->find(name);
    RawEntry entry;
    entry.name = std::string(name);
    if (meta.directory) return entry;
    if (meta.method != static_cast<std::uint16_t>(Method::stored) &&
        meta.method != static_cast<std::uint16_t>(Method::deflated))
        fail(DiagnosticKind::package, impl_->where(name) + ": compression method " + std::to_string(meta.method) +
                                          " cannot be copied (only stored and deflated)");
    // Inflate once and check size and CRC, so a corrupt entry is never copied verbatim into outputs.
    std::string content = impl_->read_content(name, meta);
    entry.method = static_cast<Method>(meta.method);
    entry.crc32 = meta.crc32;
    entry.uncompressed_size = meta.size;
    if (entry.method == Method::stored) {
        entry.raw = std::move(content);
    } else {
        const std::lock_guard lock(impl_->mutex);
        entry.raw = impl_->read_exact(name, meta, meta.compressed_size, ZIP_FL_COMPRESSED);
    }
    return entry;
}

// ----- streaming one entry

struct EntryStream::Impl {
    const Reader::Impl* reader = nullptr;
    std::string name;
    EntryMeta meta;
    std::unique_ptr<zip_file_t, FileCloser> file;
    std::uint64_t got = 0;
    std::uint32_t crc = 0;
    bool done = false;
};

EntryStream::EntryStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EntryStream::EntryStream(EntryStream&&) noexcept = default;
EntryStream& EntryStream::operator=(EntryStream&&) noexcept = default;
EntryStream::~EntryStream() {
    if (impl_ && impl_->file) {
        const std::lock_guard lock(impl_->reader->mutex);
        impl_->file.reset();
    }
}

EntryStream Reader::stream(std::string_view name) const {
    auto s = std::make_unique<EntryStream::Impl>();
    s->reader = impl_.get();
    s->name = std::string(name);
    s->meta = impl_->find(name);
    if (s->meta.directory) {
        s->done = true;
    } else {
        const std::lock_guard lock(impl_->mutex);
        s->file.reset(zip_fopen_index(impl_->archive.get(), s->meta.index, 0));
        if (!s->file) impl_->read_failed(name, zip_get_error(impl_->archive.get()));
    }
    return EntryStream(std::move(s));
}

std::size_t EntryStream::read(char* buffer, std::size_t size) {
    Impl& s = *impl_;
    if (s.done || size == 0) return 0;
    const Reader::Impl& r = *s.reader;
    const std::lock_guard lock(r.mutex);
    const std::uint64_t left = s.meta.size - s.got;
    if (left == 0) {
        // One more read must hit the end (a declared size can lie), then the content must match its CRC.
        char probe = 0;
        const zip_int64_t extra = zip_fread(s.file.get(), &probe, 1);
        if (extra < 0) r.read_failed(s.name, zip_file_get_error(s.file.get()));
        if (extra > 0)
            fail(DiagnosticKind::package, r.where(s.name) + ": holds more data than its declared size of " +
                                              std::to_string(s.meta.size) + " bytes");
        if (s.crc != s.meta.crc32)
            fail(DiagnosticKind::package, r.where(s.name) + ": CRC-32 mismatch, the archive is corrupt");
        s.done = true;
        s.file.reset();
        return 0;
    }
    const zip_int64_t n = zip_fread(s.file.get(), buffer, std::min<std::uint64_t>(size, left));
    if (n < 0) r.read_failed(s.name, zip_file_get_error(s.file.get()));
    if (n == 0)
        fail(DiagnosticKind::package, r.where(s.name) + ": truncated (" + std::to_string(s.got) + " of " +
                                          std::to_string(s.meta.size) + " bytes)");
    s.crc = libdeflate_crc32(s.crc, buffer, static_cast<std::size_t>(n));
    s.got += static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
}

}  // namespace vanban::zip
