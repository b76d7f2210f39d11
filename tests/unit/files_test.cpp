#include "io/files.hpp"

#include "test_support.hpp"
#include "vanban/diagnostic.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <set>
#include <string>

namespace fs = std::filesystem;
using vanban::DiagnosticKind;
using vanban::io::read_file;
using vanban::io::write_file_atomic;

namespace {

using vanban::test::entries_of;

// Runs `f`, expects a vanban::Error of `kind` whose message contains every string in `parts`.
void expect_error(const std::function<void()>& f, DiagnosticKind kind, std::initializer_list<std::string> parts) {
    try {
        f();
        ADD_FAILURE() << "expected vanban::Error";
    } catch (const vanban::Error& e) {
        ASSERT_EQ(e.diagnostics().size(), 1u);
        EXPECT_EQ(e.diagnostics()[0].kind, kind) << e.what();
        for (const auto& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

mode_t mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
}

// Runs `child` in a forked process; returns its exit status (or -1 when it did not exit normally).
int in_child(const std::function<int()>& child) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(child());  // _exit: no atexit handlers, no gtest teardown in the child
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST(Files, ReadFile) {
    const std::string dir = vanban::test::temp_dir();
    const std::string path = dir + "/in.json";
    const std::string data = std::string("{\"tên\": \"Nguyễn\"}\n") + std::string(200000, 'x') + '\0' + "end";
    vanban::test::write_file(path, data);
    EXPECT_EQ(read_file(path), data);

    expect_error([&] { read_file(path, 1000); }, DiagnosticKind::limit, {path, "limit"});
    expect_error([&] { read_file(dir + "/missing.json"); }, DiagnosticKind::io,
                 {dir + "/missing.json", std::strerror(ENOENT)});
    expect_error([&] { read_file(dir); }, DiagnosticKind::io, {dir, "directory"});
}

TEST(Files, ReadStdinAndWriteStdout) {
    int to_child[2];
    int from_child[2];
    ASSERT_EQ(::pipe(to_child), 0);
    ASSERT_EQ(::pipe(from_child), 0);
    const std::string data = "dữ liệu " + std::string(100000, 'z');
    // The child echoes stdin to stdout through read_file("-") and write_file_atomic("-").
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(to_child[0], STDIN_FILENO);
        ::dup2(from_child[1], STDOUT_FILENO);
        ::close(to_child[0]);
        ::close(to_child[1]);
        ::close(from_child[0]);
        ::close(from_child[1]);
        try {
            write_file_atomic("-", read_file("-"));
        } catch (...) {
            ::_exit(1);
        }
        ::_exit(0);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    ASSERT_EQ(::write(to_child[1], data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(to_child[1]);
    std::string echoed;
    char buffer[8192];
    ssize_t n = 0;
    while ((n = ::read(from_child[0], buffer, sizeof buffer)) > 0) echoed.append(buffer, static_cast<size_t>(n));
    ::close(from_child[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(echoed, data);
}

TEST(Files, WriteAtomicCreatesAndReplaces) {
    const std::string dir = vanban::test::temp_dir();
    const std::string path = dir + "/out.docx";
    const mode_t old_mask = ::umask(027);  // tests run single-threaded
    write_file_atomic(path, "first");
    ::umask(old_mask);
    EXPECT_EQ(vanban::test::read_file(path), "first");
    EXPECT_EQ(mode_of(path), 0640u) << "0644 modulo the umask 027";

    ::chmod(path.c_str(), 0600);
    write_file_atomic(path, std::string(300000, 'y'));
    EXPECT_EQ(vanban::test::read_file(path), std::string(300000, 'y'));
    EXPECT_EQ(mode_of(path), 0600u) << "an existing file keeps its mode";

    // A relative path (no directory part) works too.
    const fs::path cwd = fs::current_path();
    fs::current_path(dir);
    write_file_atomic("relative.odt", "rel");
    fs::current_path(cwd);
    EXPECT_EQ(vanban::test::read_file(dir + "/relative.odt"), "rel");

    // Writing through a symlink updates the file it points to and keeps the link.
    fs::create_symlink(path, dir + "/link.docx");
    write_file_atomic(dir + "/link.docx", "via link");
    EXPECT_TRUE(fs::is_symlink(dir + "/link.docx"));
    EXPECT_EQ(vanban::test::read_file(path), "via link");

    EXPECT_EQ(entries_of(dir), (std::set<std::string>{"out.docx", "relative.odt", "link.docx"}))
        << "no temporary files left";
}

TEST(Files, WriteAtomicFailuresLeaveTargetUntouched) {
    const std::string dir = vanban::test::temp_dir();

    expect_error([&] { write_file_atomic(dir + "/missing/out.docx", "x"); }, DiagnosticKind::io,
                 {dir + "/missing/out.docx", std::strerror(ENOENT)});

    vanban::test::write_file(dir + "/plain", "not a directory");
    expect_error([&] { write_file_atomic(dir + "/plain/out.docx", "x"); }, DiagnosticKind::io,
                 {dir + "/plain/out.docx", std::strerror(ENOTDIR)});
    EXPECT_EQ(vanban::test::read_file(dir + "/plain"), "not a directory");

    fs::create_directory(dir + "/is-a-dir");
    vanban::test::write_file(dir + "/is-a-dir/keep", "kept");
    expect_error([&] { write_file_atomic(dir + "/is-a-dir", "x"); }, DiagnosticKind::io,
                 {dir + "/is-a-dir", "is a directory"});
    EXPECT_TRUE(fs::is_directory(dir + "/is-a-dir"));
    EXPECT_EQ(vanban::test::read_file(dir + "/is-a-dir/keep"), "kept");

    EXPECT_EQ(entries_of(dir), (std::set<std::string>{"plain", "is-a-dir"}));
}

// A read-only directory (also when the tests run as root) and a full tmpfs: faults_test.cpp.

TEST(Files, WriteAtomicDiskFull) {
    const std::string dir = vanban::test::temp_dir();
    const std::string path = dir + "/out.docx";
    vanban::test::write_file(path, "old good output");
    // A file size limit makes write() fail with EFBIG, like a full disk fails with ENOSPC.
    const int status = in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{64 * 1024, 64 * 1024};
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 10;
        try {
            write_file_atomic(path, std::string(1 << 20, 'n'));
        } catch (const vanban::Error& e) {
            const std::string message = e.what();
            if (e.diagnostics()[0].kind != DiagnosticKind::io) return 11;
            if (message.find(path) == std::string::npos) return 12;
            if (message.find(std::strerror(EFBIG)) == std::string::npos) return 13;
            return 0;
        } catch (...) {
            return 14;
        }
        return 15;  // no error at all
    });
    EXPECT_EQ(status, 0) << "10 setrlimit, 11 kind, 12 no path, 13 no reason, 14 other exception, 15 no error";
    EXPECT_EQ(vanban::test::read_file(path), "old good output");
    EXPECT_EQ(entries_of(dir), std::set<std::string>{"out.docx"}) << "temporary file removed";
}

// A file built piece by piece appears only when committed, whole; dropped uncommitted, nothing appears.
TEST(Files, AtomicFileAppearsOnlyWhenCommitted) {
    const std::string dir = vanban::test::temp_dir();
    const std::string path = dir + "/archive.zip";
    std::string expected;
    {
        vanban::io::AtomicFile file(path);
        for (int i = 0; i < 50; ++i) {
            const std::string piece(static_cast<std::size_t>(i) * 3001, static_cast<char>('a' + i % 26));
            file.write(piece);
            expected += piece;
        }
        EXPECT_EQ(file.written(), expected.size());
        EXPECT_FALSE(fs::exists(path)) << "nothing at the target before commit";
        EXPECT_LE(entries_of(dir).size(), 1u) << "no entry (O_TMPFILE), or one hidden temporary file";
        file.commit(vanban::io::Sync::none);
    }
    EXPECT_EQ(vanban::test::read_file(path), expected);
    EXPECT_EQ(entries_of(dir), std::set<std::string>{"archive.zip"});

    vanban::test::write_file(dir + "/report.json", "earlier report");
    {
        vanban::io::AtomicFile dropped(dir + "/report.json");
        dropped.write(std::string(200000, 'x'));
    }
    EXPECT_EQ(vanban::test::read_file(dir + "/report.json"), "earlier report")
        << "an uncommitted file clobbers nothing";
    EXPECT_EQ(entries_of(dir), (std::set<std::string>{"archive.zip", "report.json"})) << "no temporary file left";
}

// Writes without their own fsync (a batch) become durable with one flush of the file system.
TEST(Files, UnsyncedWritesAndOneFileSystemFlush) {
    const std::string dir = vanban::test::temp_dir();
    for (int i = 0; i < 20; ++i)
        write_file_atomic(dir + "/" + std::to_string(i) + ".docx", "doc", vanban::io::Sync::none);
    EXPECT_NO_THROW(vanban::io::sync_filesystem(dir));
    EXPECT_EQ(entries_of(dir).size(), 20u);
    EXPECT_EQ(vanban::test::read_file(dir + "/7.docx"), "doc");
    expect_error([&] { vanban::io::sync_filesystem(dir + "/missing"); }, DiagnosticKind::io,
                 {dir + "/missing", std::strerror(ENOENT)});
}

// A batch's output folder, kept open: new files appear whole under their name, existing ones are replaced keeping
// their mode, symbolic links and folders are refused with the file named, and no temporary is ever left.
TEST(Files, DirectoryWritesNewAndExistingFilesAtomically) {
    const std::string dir = vanban::test::temp_dir();
    const vanban::io::Directory out(dir);
    const mode_t old_mask = ::umask(027);
    out.write_atomic("new.docx", "first", vanban::io::Sync::none);
    ::umask(old_mask);
    EXPECT_EQ(vanban::test::read_file(dir + "/new.docx"), "first");
    EXPECT_EQ(mode_of(dir + "/new.docx"), 0640u) << "0644 modulo the umask 027";

    ::chmod((dir + "/new.docx").c_str(), 0600);
    out.write_atomic("new.docx", std::string(300000, 'z'), vanban::io::Sync::file);
    EXPECT_EQ(vanban::test::read_file(dir + "/new.docx"), std::string(300000, 'z'));
    EXPECT_EQ(mode_of(dir + "/new.docx"), 0600u) << "an existing file keeps its mode";

    vanban::test::write_file(dir + "/precious.txt", "keep me");
    fs::create_symlink(dir + "/precious.txt", dir + "/link.docx");
    expect_error([&] { out.write_atomic("link.docx", "x", vanban::io::Sync::none); }, DiagnosticKind::io,
                 {dir + "/link.docx", "symbolic link"});
    EXPECT_EQ(vanban::test::read_file(dir + "/precious.txt"), "keep me");
    EXPECT_TRUE(fs::is_symlink(dir + "/link.docx"));
    fs::create_directory(dir + "/folder.docx");
    expect_error([&] { out.write_atomic("folder.docx", "x", vanban::io::Sync::none); }, DiagnosticKind::io,
                 {dir + "/folder.docx"});
    expect_error([&] { out.write_atomic("../escape.docx", "x", vanban::io::Sync::none); }, DiagnosticKind::io,
                 {"escape.docx"});
    EXPECT_EQ(entries_of(dir), (std::set<std::string>{"new.docx", "precious.txt", "link.docx", "folder.docx"}))
        << "no temporary files left";
    expect_error([&] { vanban::io::Directory missing(dir + "/missing"); }, DiagnosticKind::io,
                 {dir + "/missing", std::strerror(ENOENT)});
}

// A full disk (here: a file size limit, as in WriteAtomicDiskFull) fails the write with the file named; nothing is
// left, and an earlier file of that name is untouched.
TEST(Files, DirectoryWriteFailureLeavesNothing) {
    const std::string dir = vanban::test::temp_dir();
    vanban::test::write_file(dir + "/old.docx", "old");
    const int status = in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{1024, 1024};
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 77;
        const vanban::io::Directory out(dir);
        for (const char* name : {"old.docx", "new.docx"}) {
            try {
                out.write_atomic(name, std::string(4096, 'x'), vanban::io::Sync::none);
                return 1;
            } catch (const vanban::Error& e) {
                if (std::string(e.what()).find(std::string(dir) + "/" + name) == std::string::npos) return 2;
            }
        }
        return 0;
    });
    ASSERT_NE(status, 77);
    EXPECT_EQ(status, 0);
    EXPECT_EQ(vanban::test::read_file(dir + "/old.docx"), "old");
    EXPECT_EQ(entries_of(dir), (std::set<std::string>{"old.docx"})) << "no partial or temporary file";
}
