// File helpers with vanban's guarantees: outputs are written atomically (temp file in the same directory,
// fsync, rename), so a failed or interrupted write never leaves a half-written file and never clobbers an
// earlier good output.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vanban::io {

// Reads a whole file (or standard input for "-"). Throws vanban::Error (DiagnosticKind::io) naming the path.
std::string read_file(const std::string& path, std::uint64_t max_size = 1ull << 31);

// Writes `data` to `path` atomically. "-" writes to standard output. Throws vanban::Error naming the path
// (missing directory, read-only directory, disk full, path is a directory, ...); on error the target is untouched
// and no temporary file is left behind.
void write_file_atomic(const std::string& path, std::string_view data);

}  // namespace vanban::io
