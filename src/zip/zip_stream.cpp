// zip::StreamWriter: an archive written to its file entry by entry (the batch runner's --zip output). The local
// records go straight to the file; the central directory grows by ~60 bytes an entry, so it is kept in an unlinked
// temporary file (spilled in blocks) and appended at the end. Directory and end records come from the one writer of
// them in zip_writer.cpp.
#include "zip/zip.hpp"
#include "zip/zip_internal.hpp"

#include <cerrno>
#include <cstdio>

#include "io/fail.hpp"

namespace vanban::zip {

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

constexpr std::size_t kSpillBlock = 1u << 20;

}  // namespace

struct StreamWriter::Impl {
    explicit Impl(const std::string& path) : out(path), spill(std::tmpfile()) {
        if (!spill) io::fail_errno("cannot create a temporary file for the archive directory", errno);
    }

    void spill_directory() {
        if (directory.empty()) return;
        if (std::fwrite(directory.data(), 1, directory.size(), spill.get()) != directory.size())
            io::fail_errno("cannot write the archive directory to a temporary file", errno);
        spilled += directory.size();
        directory.clear();
    }

    // Appends the spilled directory to the archive; returns its size.
    std::uint64_t copy_directory() {
        std::rewind(spill.get());
        std::string block(kSpillBlock, '\0');
        std::uint64_t size = 0;
        for (std::size_t n; (n = std::fread(block.data(), 1, block.size(), spill.get())) > 0;) {
            out.write(std::string_view(block).substr(0, n));
            size += n;
        }
        if (std::ferror(spill.get()) || size != spilled)
            io::fail(DiagnosticKind::io, "cannot read back the archive directory from its temporary file");
        return size;
    }

    io::AtomicFile out;
    std::unique_ptr<std::FILE, FileCloser> spill;
    std::string directory;  // not spilled yet
    std::uint64_t spilled = 0;
    std::uint64_t entries = 0;
};

StreamWriter::StreamWriter(const std::string& path) : impl_(std::make_unique<Impl>(path)) {}
StreamWriter::~StreamWriter() = default;

void StreamWriter::add(const PreparedEntry& entry) {
    detail::CentralEntry e;
    e.name = entry.name;
    e.method = entry.method;
    e.crc32 = entry.crc32;
    e.compressed_size = entry.compressed_size;
    e.uncompressed_size = entry.uncompressed_size;
    e.offset = impl_->out.written();
    impl_->out.write(entry.local_record);
    detail::append_central_header(impl_->directory, e);
    ++impl_->entries;
    if (impl_->directory.size() >= kSpillBlock) impl_->spill_directory();
}

void StreamWriter::finish(io::Sync sync) {
    impl_->spill_directory();
    const std::uint64_t directory_offset = impl_->out.written();
    const std::uint64_t directory_size = impl_->copy_directory();
    std::string end;
    detail::append_end_records(end, impl_->entries, directory_size, directory_offset);
    impl_->out.write(end);
    impl_->out.commit(sync);
}

}  // namespace vanban::zip
