// Helpers shared by the zip reader and writer (not part of the public interface).
#pragma once

#include "core/ascii.hpp"
#include "vanban/diagnostic.hpp"
#include "zip/zip.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vanban::zip::detail {

// Why `name` is not a safe entry name (path traversal, absolute, backslash, drive letter, empty, bad UTF-8), or
// nullopt when it is fine. Directory entries end with '/'.
std::optional<std::string> name_problem(std::string_view name);

// Package part names are compared case-insensitively (OPC), and every real clash is ASCII.
using core::ascii_lower;
using core::is_ascii;

[[noreturn]] void fail(DiagnosticKind kind, std::string message);

// The general-purpose flags of an entry: bit 11 when its name is not ASCII (the name is UTF-8).
std::uint16_t name_flags(std::string_view name) noexcept;

// What the central directory says of one entry.
struct CentralEntry {
    std::string_view name;
    Method method = Method::stored;
    std::uint32_t crc32 = 0;
    std::uint64_t compressed_size = 0;
    std::uint64_t uncompressed_size = 0;
    std::uint64_t offset = 0;  // of its local header
};
// The one writer of the archive's directory, for Writer (in memory) and StreamWriter (to a file): appends the
// central-directory record of an entry (with a ZIP64 extra field for an offset past 4 GiB; the sizes of an entry
// always fit 32 bits here), and the end records (with the ZIP64 ones when the entries, the directory's size or its
// offset do not fit the classic record).
void append_central_header(std::string& out, const CentralEntry& entry);
void append_end_records(std::string& out, std::uint64_t entries, std::uint64_t directory_size,
                        std::uint64_t directory_offset);

}  // namespace vanban::zip::detail
