// vanban::zip — reading template packages (libzip) and writing output packages fast.
//
// Reading goes through libzip with safety limits (zip bombs, hostile names). Writing is a small
// purpose-built ZIP writer: entries that a render does not change are prepared once at compile time
// (local header + already-compressed bytes) and copied verbatim into every output; changed parts are
// compressed with libdeflate. This is what lets one compiled template produce thousands of documents a second.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/files.hpp"

namespace vanban::zip {

struct Limits {
    std::uint64_t max_entries = 10'000;
    std::uint64_t max_entry_size = 256ull << 20;   // uncompressed bytes of one entry
    std::uint64_t max_total_size = 1024ull << 20;  // uncompressed bytes of all entries
    double max_compression_ratio = 1000.0;         // uncompressed / compressed, per entry (zip bombs)
};

enum class Method : std::uint16_t { stored = 0, deflated = 8 };

// One entry as found in the source archive. `raw` holds the bytes exactly as stored in the archive
// (compressed for deflated entries) so they can be copied without recompression.
struct RawEntry {
    std::string name;
    Method method = Method::stored;
    std::uint32_t crc32 = 0;
    std::uint64_t uncompressed_size = 0;
    std::string raw;
};

// Reads a whole archive. Throws vanban::Error naming the archive and the entry: DiagnosticKind::package for
// corrupt or hostile archives (bad CRC, '..' or absolute or backslash or drive-letter or empty names, duplicates
// also ignoring case, truncated data, an entry inflating past its declared size), DiagnosticKind::limit for too many
// entries or declared sizes/ratios over the limits. All name and size problems are reported together on opening.
// Const member functions may be called from several threads (reads are serialised internally).
class EntryStream;

class Reader {
public:
    static Reader from_bytes(std::string bytes, std::string archive_name, const Limits& limits = {});
    static Reader from_file(const std::string& path, const Limits& limits = {});

    // Entry names in archive order.
    const std::vector<std::string>& names() const noexcept { return names_; }
    bool contains(std::string_view name) const;
    // Uncompressed content (checked against the limits and the CRC).
    std::string read(std::string_view name) const;
    // The same content piece by piece, for entries too large to hold (an XLSX sheet). The stream must not outlive
    // the Reader.
    EntryStream stream(std::string_view name) const;
    // The entry as stored, for copying verbatim. The content is inflated once and checked (size, CRC) so a
    // corrupt entry is never copied. Directory entries ("word/") have no content.
    RawEntry read_raw(std::string_view name) const;
    const std::string& archive_name() const noexcept { return archive_name_; }

    Reader(Reader&&) noexcept;
    Reader& operator=(Reader&&) noexcept;
    ~Reader();

private:
    friend class EntryStream;
    struct Impl;
    Reader(std::unique_ptr<Impl> impl, std::vector<std::string> names, std::string archive_name);
    static Reader open(std::unique_ptr<Impl> impl, std::string archive_name, const Limits& limits, bool empty);
    std::unique_ptr<Impl> impl_;
    std::vector<std::string> names_;
    std::string archive_name_;
};

// One entry of a Reader, inflated piece by piece. read() makes the checks Reader::read makes (an entry that holds
// more or less than its declared size, or whose CRC-32 does not match, throws vanban::Error, DiagnosticKind::package,
// at the read that finds out). Reads are serialised with the Reader's other reads.
class EntryStream {
public:
    // Up to `size` bytes of the entry into `buffer`; 0 at its end.
    std::size_t read(char* buffer, std::size_t size);

    EntryStream(EntryStream&&) noexcept;
    EntryStream& operator=(EntryStream&&) noexcept;
    ~EntryStream();

private:
    friend class Reader;
    struct Impl;
    explicit EntryStream(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// An entry whose local file header and data are already serialised: appended to any number of outputs
// with one memcpy. Immutable, so a compiled template can share it between threads.
struct PreparedEntry {
    std::string name;
    Method method = Method::stored;
    std::uint32_t crc32 = 0;
    std::uint64_t compressed_size = 0;
    std::uint64_t uncompressed_size = 0;
    std::string local_record;  // local file header + name + data
};

PreparedEntry prepare(const RawEntry& entry);  // no recompression
// Compresses when deflated; data that deflate cannot shrink is stored instead (see PreparedEntry::method).
// Throws vanban::Error: usage for unsafe names, limit for entries of 4 GiB or more (no ZIP64).
PreparedEntry prepare(std::string name, std::string_view data, Method method);

class Compressor;

// Compressors kept for the next archive: making one (libdeflate's tables) costs as much as deflating a small part, and
// a compiled template writes thousands of archives. A Writer given a pool borrows one for its life. Thread-safe.
inline constexpr int kDefaultLevel = 6;  // zlib's and libdeflate's default: what office suites write

class CompressorPool {
public:
    // `level`: 1 (fastest) … 12 (smallest); another is a usage error.
    explicit CompressorPool(int level = kDefaultLevel);
    CompressorPool(const CompressorPool&) = delete;
    CompressorPool& operator=(const CompressorPool&) = delete;
    ~CompressorPool();

    std::unique_ptr<Compressor> take();  // one kept, or a new one
    void give_back(std::unique_ptr<Compressor> compressor);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Builds one archive in memory. Not thread-safe; use one Writer per output. Refuses (vanban::Error) unsafe names,
// duplicate names (also ignoring ASCII case, checked by finish()), and more than 65534 entries or 4 GiB (no ZIP64).
class Writer {
public:
    // `pool` (optional) must outlive the Writer.
    explicit Writer(std::size_t expected_size = 0, CompressorPool* pool = nullptr);
    void add(const PreparedEntry& entry);                                   // copy as prepared
    void add(std::string_view name, std::string_view data, Method method);  // compress now (libdeflate)
    // Writes the central directory and end record; returns the finished archive. The Writer is empty after.
    std::string finish();

    Writer(Writer&&) noexcept;
    Writer& operator=(Writer&&) noexcept;
    ~Writer();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Writes one archive straight to a file as entries come, for batches of any size: ZIP64 when the archive needs it
// (65,535 entries or more, past 4 GiB), the central directory kept in an unlinked temporary file so memory stays
// flat, the archive renamed into place by finish() (io::AtomicFile). Not thread-safe. Throws vanban::Error (io).
class StreamWriter {
public:
    explicit StreamWriter(const std::string& path);
    void add(const PreparedEntry& entry);  // copied as prepared
    void finish(io::Sync sync);            // the directory, the end records, then the file at its path

    StreamWriter(const StreamWriter&) = delete;
    StreamWriter& operator=(const StreamWriter&) = delete;
    ~StreamWriter();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vanban::zip
