// File helpers with vanban's guarantees: outputs are written atomically (temporary file in the same directory, then
// rename), so a failed or interrupted write never leaves a half-written file and never clobbers an earlier good
// output. Durability (fsync) is the caller's choice: one document syncs itself; a batch of thousands writes
// without syncing each file and flushes the whole output once at the end (sync_filesystem).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vanban::io {

// Reads a whole file (or standard input for "-"). Throws vanban::Error (DiagnosticKind::io) naming the path.
std::string read_file(const std::string& path, std::uint64_t max_size = 1ull << 31);

// Whether a write waits until the data is on disk before it returns.
enum class Sync {
    none,  // the rename is atomic, but after a power cut the file may be empty: the caller syncs later (or never)
    file,  // fsync the file before the rename, and the directory after it
};

// Writes `data` to `path` atomically. "-" writes to standard output. Throws vanban::Error naming the path
// (missing directory, read-only directory, disk full, path is a directory, ...); on error the target is untouched
// and no temporary file is left behind. A symbolic link is written through (its target is replaced); a device or
// FIFO is written directly.
void write_file_atomic(const std::string& path, std::string_view data, Sync sync = Sync::file);

// A new file built piece by piece: written to an unnamed file in `path`'s directory (O_TMPFILE; where the file system
// has none, to `.NAME.vanban-XXXXXXXX` next to `path`), which commit() names `.NAME.vanban-XXXXXXXX` and renames into
// place. Destroyed without commit() (an error, an exception, an interrupted batch), the temporary file is removed and
// `path` is untouched; a process killed while writing leaves nothing (or, without O_TMPFILE, that hidden temporary).
// The file gets `mode` (permission bits), or by default 0644 less the umask.
class AtomicFile {
public:
    explicit AtomicFile(std::string path, int mode = -1);
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();

    void write(std::string_view bytes);  // buffered; throws vanban::Error (disk full, ...)
    std::uint64_t written() const noexcept { return written_; }
    // Flushes, optionally fsyncs, closes and renames onto the path. Throws vanban::Error; the target is then untouched.
    void commit(Sync sync);

private:
    void flush();
    std::string target_;
    std::string temp_;      // the temporary's name, once it has one
    bool unnamed_ = false;  // written through O_TMPFILE
    int fd_ = -1;
    std::string buffer_;
    std::uint64_t written_ = 0;
};

// A folder kept open for many atomic writes into it (a batch's output folder). Names are resolved against one
// descriptor (openat, linkat, renameat) instead of a path walk per call, and a new file is written unnamed (O_TMPFILE)
// and linked to its name only when complete: one create, one write, one link per file — no temporary name, no rename,
// yet a reader never sees it half-written. An existing file of that name is replaced by a rename (keeping its mode);
// a symbolic link or anything else that is not a regular file is refused, never written through. Where the file
// system has no O_TMPFILE, a hidden `.NAME.vanban-XXXXXXXX` is written and renamed. Safe to use from many threads.
class Directory {
public:
    explicit Directory(const std::string& path);  // throws vanban::Error (io) when it cannot be opened
    Directory(const Directory&) = delete;
    Directory& operator=(const Directory&) = delete;
    ~Directory();

    // `name` is a file name in the folder (no '/'). Throws vanban::Error (io) naming the file; the file is then
    // untouched and nothing is left behind. Sync::file also fsyncs the folder after the link or rename.
    void write_atomic(const std::string& name, std::string_view data, Sync sync) const;
    const std::string& path() const noexcept { return path_; }

private:
    void replace(const std::string& name, int fd, bool unnamed, const std::string& temp) const;
    std::string path_;
    int fd_ = -1;
};

// Flushes everything written to the file system holding `path` (syncfs) — one call that makes a whole batch of
// Sync::none writes durable. Throws vanban::Error when the kernel reports a write-back error.
void sync_filesystem(const std::string& path);

}  // namespace vanban::io
