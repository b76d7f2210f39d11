#include "io/files.hpp"

#include "io/fail.hpp"
#include "vanban/diagnostic.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <utility>

namespace vanban::io {

namespace {

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
    void reset(int fd) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

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

void write_stdout(std::string_view data) {
    if (const int error = write_all(STDOUT_FILENO, data)) fail_errno("cannot write to standard output", error);
}

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// Eight letters and digits from the kernel's random source (the clock when it has none to give).
std::string random_suffix() {
    std::uint64_t bits = 0;
    if (::getrandom(&bits, sizeof bits, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof bits))
        bits = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
               (static_cast<std::uint64_t>(::getpid()) << 40);
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s;
    for (int i = 0; i < 8; ++i, bits /= 36) s += kAlphabet[bits % 36];
    return s;
}

// `<dir>/.<name>.vanban-` for `target`: the temporary names next to it start so.
std::string temp_prefix(const std::string& target) {
    const auto slash = target.rfind('/');
    return (slash == std::string::npos ? std::string() : target.substr(0, slash + 1)) + "." +
           (slash == std::string::npos ? target : target.substr(slash + 1)) + ".vanban-";
}

// Creates `<dir>/.<name>.vanban-XXXXXXXX` next to `target`. Opening with O_EXCL and mode 0644 lets the kernel apply
// the umask (reading the umask would mean setting it, a race with other threads); an explicit `mode` is set after.
int create_temp(const std::string& target, std::string& temp, int mode) {
    const std::string prefix = temp_prefix(target);
    for (int attempt = 0; attempt < 100; ++attempt) {
        temp = prefix + random_suffix();
        const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode >= 0 ? 0600 : 0644);
        if (fd >= 0) {
            if (mode >= 0 && ::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
                const int error = errno;
                ::close(fd);
                ::unlink(temp.c_str());
                fail_errno("cannot write '" + target + "'", error);
            }
            return fd;
        }
        if (errno != EEXIST)
            fail_errno("cannot write '" + target + "' (creating a temporary file in '" + directory_of(target) + "')",
                       errno);
    }
    fail(DiagnosticKind::io,
         "cannot write '" + target + "': no free temporary file name in '" + directory_of(target) + "'");
}

// An unnamed file in `target`'s directory (Linux O_TMPFILE), or -1 where the file system has none (then a named
// temporary is used). It gets a name only when it is complete (link_unnamed), so a process killed while writing
// leaves nothing behind. The name is given through /proc/self/fd, which must be there.
int create_unnamed(const std::string& target, int mode) {
#ifdef O_TMPFILE
    static const bool can_link = ::access("/proc/self/fd", X_OK) == 0;  // asked once: it does not change
    if (!can_link) return -1;
    const int fd = ::open(directory_of(target).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode >= 0 ? 0600 : 0644);
    if (fd < 0) return -1;  // unsupported here, or a real problem that create_temp() will report with its reason
    if (mode >= 0 && ::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
#else
    static_cast<void>(target);
    static_cast<void>(mode);
    return -1;
#endif
}

// Gives the unnamed file `fd` a temporary name next to `target` (then renamed over it). Returns that name.
std::string link_unnamed(int fd, const std::string& target) {
    const std::string prefix = temp_prefix(target);
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string temp = prefix + random_suffix();
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) == 0) return temp;
        if (errno != EEXIST) fail_errno("cannot write '" + target + "'", errno);
    }
    fail(DiagnosticKind::io,
         "cannot write '" + target + "': no free temporary file name in '" + directory_of(target) + "'");
}

constexpr std::size_t kBufferSize = 64 * 1024;

}  // namespace

AtomicFile::AtomicFile(std::string path, int mode) : target_(std::move(path)) {
    if (target_.empty()) fail(DiagnosticKind::io, "cannot write: empty output path");
    fd_ = create_unnamed(target_, mode);
    unnamed_ = fd_ >= 0;
    if (!unnamed_) fd_ = create_temp(target_, temp_, mode);
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::flush() {
    if (buffer_.empty()) return;
    const int error = write_all(fd_, buffer_);
    buffer_.clear();
    if (error) fail_errno("cannot write '" + target_ + "'", error);
}

void AtomicFile::write(std::string_view bytes) {
    if (fd_ < 0) fail(DiagnosticKind::io, "cannot write '" + target_ + "': already committed");
    written_ += bytes.size();
    if (buffer_.size() + bytes.size() <= kBufferSize) {
        buffer_.append(bytes);
        return;
    }
    flush();
    if (bytes.size() >= kBufferSize) {
        if (const int error = write_all(fd_, bytes)) fail_errno("cannot write '" + target_ + "'", error);
    } else {
        buffer_.append(bytes);
    }
}

void AtomicFile::commit(Sync sync) {
    const std::string name = "'" + target_ + "'";
    flush();
    if (sync == Sync::file && ::fsync(fd_) != 0) fail_errno("cannot write " + name + " (fsync)", errno);
    if (unnamed_) temp_ = link_unnamed(fd_, target_);  // complete: now it may have a name, for the rename
    // close() can report deferred write errors (NFS), so it is checked, not left to the destructor.
    if (::close(std::exchange(fd_, -1)) != 0) fail_errno("cannot write " + name, errno);
    if (::rename(temp_.c_str(), target_.c_str()) != 0) fail_errno("cannot write " + name, errno);
    temp_.clear();
    if (sync == Sync::file) {
        // Make the rename itself durable; best effort, the data is already safely in place.
        Fd dir(::open(directory_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (dir.get() >= 0) ::fsync(dir.get());
    }
}

Directory::Directory(const std::string& path)
    : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ < 0) fail_errno("cannot open the folder '" + path + "'", errno);
}

Directory::~Directory() { ::close(fd_); }

void Directory::write_atomic(const std::string& name, std::string_view data, Sync sync) const {
    const std::string shown = "'" + path_ + "/" + name + "'";
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
        fail(DiagnosticKind::io, "cannot write " + shown + ": not a file name");
    bool unnamed = false;
    std::string temp;
#ifdef O_TMPFILE
    Fd file(::openat(fd_, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644));
    unnamed = file.get() >= 0;
#else
    Fd file(-1);
#endif
    for (int attempt = 0; !unnamed && file.get() < 0; ++attempt) {
        temp = "." + name + ".vanban-" + random_suffix();
        file.reset(::openat(fd_, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
        if (file.get() < 0 && (errno != EEXIST || attempt == 100))
            fail_errno("cannot write " + shown + " (creating a temporary file)", errno);
    }
    // From here on a failure must not leave the named temporary behind.
    struct Unlink {
        int dir;
        const std::string& temp;
        ~Unlink() {
            if (!temp.empty()) ::unlinkat(dir, temp.c_str(), 0);
        }
    } cleanup{fd_, temp};
    if (const int error = write_all(file.get(), data)) fail_errno("cannot write " + shown, error);
    if (sync == Sync::file && ::fsync(file.get()) != 0) fail_errno("cannot write " + shown + " (fsync)", errno);
    const std::string self = "/proc/self/fd/" + std::to_string(file.get());
    if (unnamed && ::linkat(AT_FDCWD, self.c_str(), fd_, name.c_str(), AT_SYMLINK_FOLLOW) != 0) {
        if (errno != EEXIST) fail_errno("cannot write " + shown, errno);
        replace(name, file.get(), true, temp);
    } else if (!unnamed) {
        replace(name, file.get(), false, temp);
    }
    // close() can report deferred write errors (NFS); the name is in place already, as with AtomicFile's rename.
    if (::close(file.release()) != 0) fail_errno("cannot write " + shown, errno);
    temp.clear();
    if (sync == Sync::file) ::fsync(fd_);  // the link or rename itself; best effort, as AtomicFile::commit
}

// `name` exists (or, for a named temporary, may): the complete file `fd` takes its place by a rename, with the mode
// of the file it replaces; a symbolic link, a folder, a device are refused.
void Directory::replace(const std::string& name, int fd, bool unnamed, const std::string& temp) const {
    const std::string shown = "'" + path_ + "/" + name + "'";
    struct stat st {};
    if (::fstatat(fd_, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) fail(DiagnosticKind::io, shown + " is a symbolic link; refusing to write through it");
        if (!S_ISREG(st.st_mode)) fail(DiagnosticKind::io, "cannot write " + shown + ": not a regular file");
        if (::fchmod(fd, st.st_mode & 07777) != 0) fail_errno("cannot write " + shown, errno);
    }
    std::string from = temp;
    if (unnamed) {
        const std::string self = "/proc/self/fd/" + std::to_string(fd);
        for (int attempt = 0; from.empty(); ++attempt) {
            std::string candidate = "." + name + ".vanban-" + random_suffix();
            if (::linkat(AT_FDCWD, self.c_str(), fd_, candidate.c_str(), AT_SYMLINK_FOLLOW) == 0) from = candidate;
            else if (errno != EEXIST || attempt == 100) fail_errno("cannot write " + shown, errno);
        }
    }
    if (::renameat(fd_, from.c_str(), fd_, name.c_str()) != 0) {
        const int error = errno;
        if (unnamed) ::unlinkat(fd_, from.c_str(), 0);
        fail_errno("cannot write " + shown, error);
    }
}

void sync_filesystem(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) fail_errno("cannot flush '" + path + "' to disk", errno);
    if (::syncfs(fd.get()) != 0) fail_errno("cannot flush '" + path + "' to disk", errno);
}

std::string read_file(const std::string& path, std::uint64_t max_size) {
    const std::string name = display(path);
    // O_NONBLOCK: opening a FIFO must not wait for a writer; its type is refused below.
    Fd fd(path == "-" ? -1 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    const int in = path == "-" ? STDIN_FILENO : fd.get();
    if (in < 0) fail_errno("cannot open " + name, errno);
    struct stat st {};
    if (::fstat(in, &st) != 0) fail_errno("cannot read " + name, errno);
    if (S_ISDIR(st.st_mode)) fail(DiagnosticKind::io, "cannot read " + name + ": is a directory");
    // A named device (/dev/zero, /dev/urandom) or FIFO would be read without end or wait forever: only standard
    // input ("-") may be a pipe.
    if (path != "-" && !S_ISREG(st.st_mode))
        fail(DiagnosticKind::io, "cannot read " + name +
                                     ": not a regular file (a device, pipe or socket); give a file, "
                                     "or - for standard input");
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

void write_file_atomic(const std::string& path, std::string_view data, Sync sync) {
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
    // An existing file keeps its mode; a new one gets 0644 less the umask.
    AtomicFile file(target, exists ? static_cast<int>(st.st_mode & 0777) : -1);
    file.write(data);
    file.commit(sync);
}

}  // namespace vanban::io
