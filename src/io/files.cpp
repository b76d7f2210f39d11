#include "io/files.hpp"

#include "vanban/diagnostic.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <utility>

namespace vanban::io {

namespace {

[[noreturn]] void fail(DiagnosticKind kind, std::string message) {
    Diagnostic d;
    d.kind = kind;
    d.message = std::move(message);
    throw Error(std::move(d));
}

[[noreturn]] void fail_errno(const std::string& what, int error) {
    fail(DiagnosticKind::io, what + ": " + std::strerror(error));
}

std::string display(const std::string& path) { return path == "-" ? "standard input" : "'" + path + "'"; }

// Closes on scope exit; release() hands the descriptor back for an explicit, checked close.
class Fd {
public:
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }

private:
    int fd_;
};

// Writes everything, retrying short writes and EINTR. Returns 0 or the errno of the failed write().
int write_all(int fd, std::string_view data) noexcept {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return EIO;  // should not happen for regular files; avoid spinning
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

// The process umask, read without changing it: umask(2) can only be queried by setting it, which races with
// other threads creating files. Linux reports it in /proc/self/status; fall back to the common 022.
mode_t current_umask() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
    }
    return 022;
}

// Removes the temporary file unless dismissed (after a successful rename).
class TempFile {
public:
    explicit TempFile(std::string path) : path_(std::move(path)) {}
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    const std::string& path() const noexcept { return path_; }
    void dismiss() noexcept { path_.clear(); }

private:
    std::string path_;
};

void write_stdout(std::string_view data) {
    if (const int error = write_all(STDOUT_FILENO, data)) fail_errno("cannot write to standard output", error);
}

}  // namespace

std::string read_file(const std::string& path, std::uint64_t max_size) {
    const std::string name = display(path);
    Fd fd(path == "-" ? -1 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    const int in = path == "-" ? STDIN_FILENO : fd.get();
    if (in < 0) fail_errno("cannot open " + name, errno);
    struct stat st {};
    if (::fstat(in, &st) != 0) fail_errno("cannot read " + name, errno);
    if (S_ISDIR(st.st_mode)) fail(DiagnosticKind::io, "cannot read " + name + ": is a directory");
    std::string out;
    if (S_ISREG(st.st_mode)) {
        if (static_cast<std::uint64_t>(st.st_size) > max_size)
            fail(DiagnosticKind::limit, "cannot read " + name + ": " + std::to_string(st.st_size) +
                                            " bytes exceeds the limit of " + std::to_string(max_size));
        out.reserve(static_cast<std::size_t>(st.st_size));
    }
    // Pipes and growing files have no reliable size, so the limit is also enforced while reading.
    char buffer[64 * 1024];
    while (true) {
        const ssize_t n = ::read(in, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno("cannot read " + name, errno);
        }
        if (n == 0) break;
        if (out.size() + static_cast<std::uint64_t>(n) > max_size)
            fail(DiagnosticKind::limit,
                 "cannot read " + name + ": larger than the limit of " + std::to_string(max_size) + " bytes");
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

void write_file_atomic(const std::string& path, std::string_view data) {
    if (path == "-") return write_stdout(data);
    const std::string name = "'" + path + "'";
    if (path.empty()) fail(DiagnosticKind::io, "cannot write: empty output path");

    // Write through a symlink to its target rather than replacing the link.
    std::string target = path;
    struct stat st {};
    bool exists = ::lstat(path.c_str(), &st) == 0;
    if (exists && S_ISLNK(st.st_mode)) {
        const std::unique_ptr<char, decltype([](char* p) { std::free(p); })> resolved(
            ::realpath(path.c_str(), nullptr));
        if (resolved) target = resolved.get();
        exists = ::stat(target.c_str(), &st) == 0;
    }
    if (exists && S_ISDIR(st.st_mode)) fail(DiagnosticKind::io, "cannot write " + name + ": is a directory");
    if (exists && !S_ISREG(st.st_mode)) {
        // Devices and FIFOs (/dev/null, a named pipe): renaming over them would replace the node itself.
        Fd fd(::open(target.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC));
        if (fd.get() < 0) fail_errno("cannot open " + name, errno);
        if (const int error = write_all(fd.get(), data)) fail_errno("cannot write " + name, error);
        if (::close(fd.release()) != 0) fail_errno("cannot write " + name, errno);
        return;
    }

    const auto slash = target.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : target.substr(0, slash);
    const std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
    std::string pattern = (slash == std::string::npos ? std::string() : target.substr(0, slash + 1)) + "." + base +
                          ".vanban-XXXXXX";
    Fd fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (fd.get() < 0) fail_errno("cannot write " + name + " (creating a temporary file in '" + dir + "')", errno);
    TempFile temp(pattern);

    // mkstemp creates 0600; give the file the target's mode, or what a new file would get.
    const mode_t mode = exists ? (st.st_mode & 0777) : (0644 & ~current_umask());
    if (::fchmod(fd.get(), mode) != 0) fail_errno("cannot write " + name, errno);
    if (const int error = write_all(fd.get(), data)) fail_errno("cannot write " + name, error);
    if (::fsync(fd.get()) != 0) fail_errno("cannot write " + name + " (fsync)", errno);
    // close() can report deferred write errors (NFS), so it is checked, not left to the destructor.
    if (::close(fd.release()) != 0) fail_errno("cannot write " + name, errno);
    if (::rename(temp.path().c_str(), target.c_str()) != 0) fail_errno("cannot write " + name, errno);
    temp.dismiss();

    // Make the rename itself durable; best effort, the data is already safely in place.
    Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
}

}  // namespace vanban::io
