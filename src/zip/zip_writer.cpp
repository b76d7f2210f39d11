// A small ZIP writer following PKWARE's APPNOTE (no data descriptors, no extra fields but ZIP64's): entries prepared
// once and copied, an archive built in memory (Writer, no ZIP64), and the central directory and end records that
// Writer and the streaming StreamWriter (zip_stream.cpp) both write. Outputs are reproducible: fixed DOS timestamp,
// no host-specific attributes.
#include "zip/zip.hpp"
#include "zip/zip_internal.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

namespace vanban::zip {

namespace {

struct CompressorDeleter {
    void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
};

}  // namespace

// A libdeflate compressor (created on first use: writers that only copy prepared entries never need one) and a
// scratch buffer for its output.
class Compressor {
public:
    explicit Compressor(int level = kDefaultLevel) : level_(level) {}

    // Deflates `data`; returns the compressed bytes, or an empty view when deflate would not make it smaller.
    std::string_view deflate(std::string_view data) {
        // Only worth keeping when strictly smaller, so the output buffer needs data.size() - 1 bytes at most.
        if (data.size() < 2) return {};
        if (!compressor_) {
            compressor_.reset(libdeflate_alloc_compressor(level_));
            if (!compressor_) throw std::bad_alloc();
        }
        const std::size_t limit = data.size() - 1;
        if (scratch_size_ < limit) {
            scratch_ = std::make_unique_for_overwrite<char[]>(limit);
            scratch_size_ = limit;
        }
        const std::size_t n =
            libdeflate_deflate_compress(compressor_.get(), data.data(), data.size(), scratch_.get(), limit);
        return n == 0 ? std::string_view{} : std::string_view(scratch_.get(), n);
    }

private:
    int level_;
    std::unique_ptr<libdeflate_compressor, CompressorDeleter> compressor_;
    std::unique_ptr<char[]> scratch_;
    std::size_t scratch_size_ = 0;
};

struct CompressorPool::Impl {
    int level = kDefaultLevel;
    std::mutex m;
    std::vector<std::unique_ptr<Compressor>> idle;
};

CompressorPool::CompressorPool(int level) : impl_(std::make_unique<Impl>()) {
    if (level < 1 || level > 12)
        detail::fail(DiagnosticKind::usage, "compression level " + std::to_string(level) + " is not between 1 and 12");
    impl_->level = level;
}
CompressorPool::~CompressorPool() = default;

std::unique_ptr<Compressor> CompressorPool::take() {
    {
        std::lock_guard lock(impl_->m);
        if (!impl_->idle.empty()) {
            auto kept = std::move(impl_->idle.back());
            impl_->idle.pop_back();
            return kept;
        }
    }
    return std::make_unique<Compressor>(impl_->level);
}

void CompressorPool::give_back(std::unique_ptr<Compressor> compressor) {
    std::lock_guard lock(impl_->m);
    impl_->idle.push_back(std::move(compressor));
}

namespace {

using detail::fail;

constexpr std::uint32_t kLocalSignature = 0x04034b50;
constexpr std::uint32_t kCentralSignature = 0x02014b50;
constexpr std::uint32_t kEndSignature = 0x06054b50;
constexpr std::uint32_t kZip64EndSignature = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kEndRecordSize = 22;
constexpr std::uint16_t kVersionNeeded = 20;  // 2.0: deflate, folders
constexpr std::uint16_t kVersionMadeBy = 20;  // host 0 (MS-DOS attributes), spec 2.0
constexpr std::uint16_t kVersionZip64 = 45;   // 4.5: ZIP64 (made by and needed, host 0)
constexpr std::uint16_t kFlagUtf8 = 1u << 11;
constexpr std::uint16_t kDosTime = 0;                           // 00:00:00
constexpr std::uint16_t kDosDate = (0u << 9) | (1u << 5) | 1u;  // 1980-01-01, so outputs are reproducible
constexpr std::uint32_t kDosDirectory = 0x10;
// 0xFFFFFFFF and 0xFFFF are the ZIP64 markers, so the largest plain values are one less.
constexpr std::uint64_t kMax32 = 0xFFFFFFFEull;
constexpr std::size_t kMaxEntries = 0xFFFE;

template <std::size_t N>
struct Bytes {
    std::array<char, N> data{};
    std::size_t pos = 0;
    void u16(std::uint32_t v) noexcept {
        data[pos++] = static_cast<char>(v & 0xFF);
        data[pos++] = static_cast<char>((v >> 8) & 0xFF);
    }
    void u32(std::uint32_t v) noexcept {
        u16(v & 0xFFFF);
        u16(v >> 16);
    }
};

struct EntryInfo {
    Method method = Method::stored;
    std::uint16_t flags = 0;
    std::uint32_t crc32 = 0;
    std::uint32_t compressed_size = 0;
    std::uint32_t uncompressed_size = 0;
};

void check_name(std::string_view name) {
    if (auto problem = detail::name_problem(name))
        fail(DiagnosticKind::usage, "cannot write zip entry '" + std::string(name) + "': " + *problem);
    if (name.size() > 0xFFFF) fail(DiagnosticKind::limit, "zip entry name too long: '" + std::string(name) + "'");
}

void check_size(std::string_view name, std::uint64_t size) {
    if (size > kMax32)
        fail(DiagnosticKind::limit, "zip entry '" + std::string(name) + "' is too large (" + std::to_string(size) +
                                        " bytes; ZIP64 is not supported, the limit is 4 GiB - 2)");
}

void append_local_header(std::string& out, std::string_view name, const EntryInfo& info) {
    Bytes<kLocalHeaderSize> h;
    h.u32(kLocalSignature);
    h.u16(kVersionNeeded);
    h.u16(info.flags);
    h.u16(static_cast<std::uint16_t>(info.method));
    h.u16(kDosTime);
    h.u16(kDosDate);
    h.u32(info.crc32);
    h.u32(info.compressed_size);
    h.u32(info.uncompressed_size);
    h.u16(static_cast<std::uint32_t>(name.size()));
    h.u16(0);  // no extra field (ODF requires none on mimetype)
    out.append(h.data.data(), h.data.size());
    out.append(name);
}

void put16(std::string& s, std::uint32_t v) {
    s += static_cast<char>(v & 0xFF);
    s += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& s, std::uint32_t v) {
    put16(s, v & 0xFFFF);
    put16(s, v >> 16);
}
void put64(std::string& s, std::uint64_t v) {
    put32(s, static_cast<std::uint32_t>(v & 0xFFFFFFFFu));
    put32(s, static_cast<std::uint32_t>(v >> 32));
}

using detail::name_flags;

// Appends local header + name + data for uncompressed `data`. A deflated entry that deflate cannot shrink is
// stored instead (smaller and faster to read); `method` stored is always honoured exactly.
EntryInfo append_entry(std::string& out, std::string_view name, std::string_view data, Method method,
                       Compressor& compressor) {
    check_name(name);
    check_size(name, data.size());
    if (method != Method::stored && method != Method::deflated)
        fail(DiagnosticKind::usage, "zip entry '" + std::string(name) + "': unsupported compression method");
    EntryInfo info;
    info.flags = name_flags(name);
    info.uncompressed_size = static_cast<std::uint32_t>(data.size());
    info.crc32 = libdeflate_crc32(0, data.data(), data.size());
    std::string_view payload = data;
    if (method == Method::deflated) {
        if (const std::string_view compressed = compressor.deflate(data); !compressed.empty()) {
            payload = compressed;
            info.method = Method::deflated;
        }
    }
    info.compressed_size = static_cast<std::uint32_t>(payload.size());
    out.reserve(out.size() + kLocalHeaderSize + name.size() + payload.size());
    append_local_header(out, name, info);
    out.append(payload);
    return info;
}

}  // namespace

std::uint16_t detail::name_flags(std::string_view name) noexcept { return detail::is_ascii(name) ? 0 : kFlagUtf8; }

void detail::append_central_header(std::string& out, const CentralEntry& e) {
    const bool far = e.offset >= 0xFFFFFFFFull;  // the offset goes in a ZIP64 extra field
    put32(out, kCentralSignature);
    put16(out, far ? kVersionZip64 : kVersionMadeBy);
    put16(out, far ? kVersionZip64 : kVersionNeeded);
    put16(out, name_flags(e.name));
    put16(out, static_cast<std::uint16_t>(e.method));
    put16(out, kDosTime);
    put16(out, kDosDate);
    put32(out, e.crc32);
    put32(out, static_cast<std::uint32_t>(e.compressed_size));
    put32(out, static_cast<std::uint32_t>(e.uncompressed_size));
    put16(out, static_cast<std::uint32_t>(e.name.size()));
    put16(out, far ? 12 : 0);  // extra field length
    put16(out, 0);             // comment length
    put16(out, 0);             // disk number start
    put16(out, 0);             // internal attributes
    put32(out, !e.name.empty() && e.name.back() == '/' ? kDosDirectory : 0);
    put32(out, far ? 0xFFFFFFFFu : static_cast<std::uint32_t>(e.offset));
    out.append(e.name);
    if (far) {
        put16(out, 0x0001);  // ZIP64 extended information: the offset alone
        put16(out, 8);
        put64(out, e.offset);
    }
}

void detail::append_end_records(std::string& out, std::uint64_t entries, std::uint64_t directory_size,
                                std::uint64_t directory_offset) {
    const bool zip64 = entries >= 0xFFFF || directory_offset >= 0xFFFFFFFFull || directory_size >= 0xFFFFFFFFull;
    if (zip64) {
        const std::uint64_t record_offset = directory_offset + directory_size;
        put32(out, kZip64EndSignature);
        put64(out, 44);  // size of the rest of the record
        put16(out, kVersionZip64);
        put16(out, kVersionZip64);
        put32(out, 0);  // this disk
        put32(out, 0);  // disk with the directory
        put64(out, entries);
        put64(out, entries);
        put64(out, directory_size);
        put64(out, directory_offset);
        put32(out, kZip64LocatorSignature);
        put32(out, 0);
        put64(out, record_offset);
        put32(out, 1);  // disks
    }
    put32(out, kEndSignature);
    put16(out, 0);  // this disk
    put16(out, 0);  // disk with the central directory
    put16(out, zip64 ? 0xFFFF : static_cast<std::uint32_t>(entries));
    put16(out, zip64 ? 0xFFFF : static_cast<std::uint32_t>(entries));
    put32(out, zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(directory_size));
    put32(out, zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(directory_offset));
    put16(out, 0);  // comment length
}

PreparedEntry prepare(const RawEntry& entry) {
    check_name(entry.name);
    check_size(entry.name, entry.uncompressed_size);
    check_size(entry.name, entry.raw.size());
    const bool directory = entry.name.back() == '/';
    if (entry.method == Method::stored) {
        if (entry.raw.size() != entry.uncompressed_size)
            fail(DiagnosticKind::usage, "zip entry '" + entry.name + "': stored size " +
                                            std::to_string(entry.raw.size()) + " differs from uncompressed size " +
                                            std::to_string(entry.uncompressed_size));
    } else if (entry.method != Method::deflated) {
        fail(DiagnosticKind::usage, "zip entry '" + entry.name + "': unsupported compression method");
    }
    if (directory && !entry.raw.empty()) fail(DiagnosticKind::usage, "directory entry '" + entry.name + "' has data");

    PreparedEntry p;
    p.name = entry.name;
    p.method = entry.method;
    p.crc32 = entry.crc32;
    p.compressed_size = entry.raw.size();
    p.uncompressed_size = entry.uncompressed_size;
    EntryInfo info;
    info.method = entry.method;
    info.flags = name_flags(entry.name);
    info.crc32 = entry.crc32;
    info.compressed_size = static_cast<std::uint32_t>(entry.raw.size());
    info.uncompressed_size = static_cast<std::uint32_t>(entry.uncompressed_size);
    p.local_record.reserve(kLocalHeaderSize + entry.name.size() + entry.raw.size());
    append_local_header(p.local_record, entry.name, info);
    p.local_record.append(entry.raw);
    return p;
}

PreparedEntry prepare(std::string name, std::string_view data, Method method) {
    Compressor compressor;
    PreparedEntry p;
    const EntryInfo info = append_entry(p.local_record, name, data, method, compressor);
    p.name = std::move(name);
    p.method = info.method;
    p.crc32 = info.crc32;
    p.compressed_size = info.compressed_size;
    p.uncompressed_size = info.uncompressed_size;
    return p;
}

struct Writer::Impl {
    // What the central directory needs; the name is read back from the local header in `out`.
    struct Central {
        EntryInfo info;
        std::uint32_t offset = 0;
        std::uint16_t name_size = 0;
    };

    std::string out;
    std::vector<Central> entries;
    CompressorPool* pool = nullptr;
    std::unique_ptr<Compressor>
        compressor;  // from `pool` (or made) at the first entry to deflate; given back at the end

    ~Impl() {
        if (pool && compressor) pool->give_back(std::move(compressor));
    }
    Compressor& deflater() {
        if (!compressor) compressor = pool ? pool->take() : std::make_unique<Compressor>();
        return *compressor;
    }

    void begin_entry() const {
        if (entries.size() >= kMaxEntries)
            fail(DiagnosticKind::limit,
                 "too many zip entries (more than " + std::to_string(kMaxEntries) + "; ZIP64 is not supported)");
        if (out.size() > kMax32)
            fail(DiagnosticKind::limit, "zip archive too large (over 4 GiB; ZIP64 is not supported)");
    }

    // Entry names must be unique, also ignoring ASCII case (OPC part names are case-insensitive).
    void check_duplicates() const {
        std::vector<std::pair<std::string, std::size_t>> names;
        names.reserve(entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const Central& c = entries[i];
            names.emplace_back(
                detail::ascii_lower(std::string_view(out).substr(c.offset + kLocalHeaderSize, c.name_size)), i);
        }
        std::sort(names.begin(), names.end());
        for (std::size_t i = 1; i < names.size(); ++i)
            if (names[i].first == names[i - 1].first) {
                const Central& c = entries[names[i].second];
                fail(DiagnosticKind::usage,
                     "duplicate zip entry '" + out.substr(c.offset + kLocalHeaderSize, c.name_size) + "'");
            }
    }
};

Writer::Writer(std::size_t expected_size, CompressorPool* pool) : impl_(std::make_unique<Impl>()) {
    impl_->out.reserve(expected_size);
    impl_->pool = pool;
}
Writer::Writer(Writer&&) noexcept = default;
Writer& Writer::operator=(Writer&&) noexcept = default;
Writer::~Writer() = default;

void Writer::add(const PreparedEntry& entry) {
    if (!impl_) impl_ = std::make_unique<Impl>();  // a moved-from Writer is usable again
    impl_->begin_entry();
    // Cheap consistency check: a default-constructed or hand-edited PreparedEntry must not corrupt the archive.
    if (entry.name.empty() || entry.name.size() > 0xFFFF || entry.compressed_size > kMax32 ||
        entry.uncompressed_size > kMax32 ||
        entry.local_record.size() != kLocalHeaderSize + entry.name.size() + entry.compressed_size)
        fail(DiagnosticKind::usage, "zip entry '" + entry.name + "' is not a prepared entry");
    Impl::Central c;
    c.info.method = entry.method;
    c.info.flags = name_flags(entry.name);
    c.info.crc32 = entry.crc32;
    c.info.compressed_size = static_cast<std::uint32_t>(entry.compressed_size);
    c.info.uncompressed_size = static_cast<std::uint32_t>(entry.uncompressed_size);
    c.offset = static_cast<std::uint32_t>(impl_->out.size());
    c.name_size = static_cast<std::uint16_t>(entry.name.size());
    impl_->entries.push_back(c);
    impl_->out.append(entry.local_record);
}

void Writer::add(std::string_view name, std::string_view data, Method method) {
    if (!impl_) impl_ = std::make_unique<Impl>();
    impl_->begin_entry();
    Impl::Central c;
    c.offset = static_cast<std::uint32_t>(impl_->out.size());
    c.info = append_entry(impl_->out, name, data, method, impl_->deflater());
    c.name_size = static_cast<std::uint16_t>(name.size());
    impl_->entries.push_back(c);
}

std::string Writer::finish() {
    if (!impl_) impl_ = std::make_unique<Impl>();
    Impl& w = *impl_;
    w.check_duplicates();
    const std::uint64_t directory_offset = w.out.size();
    std::uint64_t directory_size = 0;
    for (const auto& c : w.entries) directory_size += kCentralHeaderSize + c.name_size;
    if (directory_offset > kMax32 || directory_size > kMax32)
        fail(DiagnosticKind::limit, "zip archive too large (over 4 GiB; ZIP64 is not supported)");
    w.out.reserve(w.out.size() + directory_size + kEndRecordSize);
    for (const auto& c : w.entries) {
        // The name is read from the buffer itself: the capacity was reserved above, so appending never reallocates.
        detail::CentralEntry e;
        e.name = std::string_view(w.out).substr(c.offset + kLocalHeaderSize, c.name_size);
        e.method = c.info.method;
        e.crc32 = c.info.crc32;
        e.compressed_size = c.info.compressed_size;
        e.uncompressed_size = c.info.uncompressed_size;
        e.offset = c.offset;
        detail::append_central_header(w.out, e);
    }
    detail::append_end_records(w.out, w.entries.size(), directory_size, directory_offset);

    std::string result = std::move(w.out);
    w.out = std::string();
    w.entries.clear();
    return result;
}

}  // namespace vanban::zip
