// Faults while writing outputs: a read-only or missing directory, a full disk (a small tmpfs, or a file size limit), a
// process killed in the middle of a write. Each must end in a clear error naming the path, with no half-written output
// and every earlier output untouched; in a batch, the records after the fault are still rendered or reported.
//
// Faults that need a process of their own (another user, a mount namespace, a size limit, a kill) run in a forked
// child; a child that cannot set its fault up (not root, no mount namespaces) exits 77 and the test is skipped.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <thread>

#include "batch/batch.hpp"
#include "io/files.hpp"
#include "test_support.hpp"
#include "vanban/vanban.hpp"

namespace {

namespace fs = std::filesystem;
namespace t = vanban::test;
using nlohmann::json;

constexpr int kCannotSetUp = 77;

// Runs `child` in a forked process; returns its exit status (-1 when it did not exit normally).
int in_child(const std::function<int()>& child) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        int rc = 99;
        try {
            rc = child();
        } catch (...) {
            rc = 98;
        }
        ::_exit(rc);  // no atexit handlers, no gtest teardown in the child
    }
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// In a child: give up root for an unprivileged user, whom directory permissions bind.
bool drop_root() {
    if (::geteuid() != 0) return true;
    return ::setgid(65534) == 0 && ::setuid(65534) == 0;
}

// In a child: a private mount namespace with a tmpfs of `bytes` on `dir`; it disappears with the child.
bool small_tmpfs(const std::string& dir, std::size_t bytes) {
    if (::unshare(CLONE_NEWNS) != 0) return false;
    if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
    const std::string options = "size=" + std::to_string(bytes);
    return ::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0;
}

using vanban::test::entries_of;

// The message of the vanban::Error `f` throws ("" when it throws nothing, "<other>" for another exception).
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const vanban::Error& e) {
        return e.diagnostics().size() == 1 && e.diagnostics()[0].kind == vanban::DiagnosticKind::io ? e.what()
                                                                                                    : "<not io>";
    } catch (...) {
        return "<other>";
    }
    return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(Faults, ReadOnlyDirectoryEvenWhenRunAsRoot) {
    const std::string root = t::temp_dir();
    const std::string dir = root + "/ro";
    fs::create_directory(dir);
    t::write_file(dir + "/out.docx", "old");
    ::chmod(root.c_str(), 0755);
    ::chmod(dir.c_str(), 0555);
    const int status = in_child([&] {
        if (!drop_root()) return kCannotSetUp;
        const std::string message = error_of([&] { vanban::write_file_atomic(dir + "/out.docx", "new"); });
        return contains(message, dir + "/out.docx") && contains(message, std::strerror(EACCES)) ? 0 : 1;
    });
    ::chmod(dir.c_str(), 0755);
    if (status == kCannotSetUp) GTEST_SKIP() << "cannot switch to an unprivileged user";
    EXPECT_EQ(status, 0) << "the error names the path and says why";
    EXPECT_EQ(t::read_file(dir + "/out.docx"), "old");
    EXPECT_EQ(entries_of(dir), std::set<std::string>{"out.docx"});
}

TEST(Faults, DiskFullOnASmallTmpfs) {
    const std::string dir = t::temp_dir() + "/small";
    fs::create_directory(dir);
    const int status = in_child([&] {
        if (!small_tmpfs(dir, 256 * 1024)) return kCannotSetUp;
        vanban::write_file_atomic(dir + "/earlier.docx", std::string(100 * 1024, 'e'));
        const std::string message =
            error_of([&] { vanban::write_file_atomic(dir + "/out.docx", std::string(1 << 20, 'n')); });
        if (!contains(message, dir + "/out.docx") || !contains(message, std::strerror(ENOSPC))) return 1;
        if (t::read_file(dir + "/earlier.docx") != std::string(100 * 1024, 'e')) return 2;
        if (entries_of(dir) != std::set<std::string>{"earlier.docx"}) return 3;  // no temporary, no partial output
        // The space comes back: the next write works.
        vanban::write_file_atomic(dir + "/out.docx", "small");
        return t::read_file(dir + "/out.docx") == "small" ? 0 : 4;
    });
    if (status == kCannotSetUp) GTEST_SKIP() << "mounting a tmpfs needs root and mount namespaces";
    EXPECT_EQ(status, 0) << "1 error without path or ENOSPC, 2 earlier output changed, 3 files left, 4 no recovery";
}

// The file `pid` has open for writing in `dir` once more than `bytes` are in it: the target of its /proc/PID/fd link
// ("DIR/.out.docx.vanban-XXXXXXXX", or "DIR/#INODE (deleted)" for an unnamed O_TMPFILE file), or "".
std::string file_being_written(pid_t pid, const std::string& dir, off_t bytes) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        const auto link = fs::read_symlink(e.path(), ec);
        struct stat st {};
        if (ec || !link.string().starts_with(dir + "/") || ::stat(e.path().c_str(), &st) != 0) continue;
        if (S_ISREG(st.st_mode) && st.st_size > bytes) return link.string();
    }
    return {};
}

TEST(Faults, KilledMidWriteLeavesTheTargetWhole) {
    const std::string dir = t::temp_dir();
    const std::string target = dir + "/out.docx";
    t::write_file(target, "old good output");
    // Large enough that the write (and its fsync) takes a while; the child is killed once 8 MB of it are written.
    for (std::size_t megabytes : {256, 1024}) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            const std::string big(megabytes << 20, 'n');
            vanban::write_file_atomic(target, big);
            ::_exit(0);
        }
        std::string writing;
        for (int i = 0; i < 40000 && writing.empty(); ++i) {
            writing = file_being_written(pid, dir, 8 << 20);
            if (!writing.empty()) ::kill(pid, SIGKILL);
            else std::this_thread::sleep_for(std::chrono::microseconds(250));
        }
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) continue;  // it finished first: try a bigger write
        // Killed in the middle of writing: the target is the old file, whole. Where the file system has O_TMPFILE the
        // data went to an unnamed file, and nothing is left; elsewhere the hidden named temporary may remain (a
        // SIGKILL cannot be cleaned up after), never under the target's name.
        EXPECT_EQ(t::read_file(target), "old good output");
        const bool unnamed = writing.find("/.out.docx.vanban-") == std::string::npos;
        for (const auto& name : entries_of(dir))
            EXPECT_TRUE(name == "out.docx" || (!unnamed && name.starts_with(".out.docx.vanban-")))
                << name << " (" << writing << ")";
        return;
    }
    GTEST_SKIP() << "every write finished before it could be killed";
}

TEST(Faults, WhileWritingTheTemporaryHasNoNameWhereTheFileSystemAllows) {
    // An AtomicFile on a file system with O_TMPFILE (tmpfs: /dev/shm) adds no directory entry until commit().
    const std::string shm = "/dev/shm";
    const int probe = ::open(shm.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (probe < 0 || ::access("/proc/self/fd", X_OK) != 0) GTEST_SKIP() << "no O_TMPFILE in " << shm;
    ::close(probe);
    const std::string dir = shm + "/vanban-unnamed-" + std::to_string(::getpid());
    fs::create_directories(dir);
    {
        vanban::io::AtomicFile file(dir + "/out.docx");
        file.write(std::string(1 << 20, 'x'));
        EXPECT_TRUE(entries_of(dir).empty()) << "a name while still writing";
        file.commit(vanban::io::Sync::file);
    }
    EXPECT_EQ(entries_of(dir), std::set<std::string>{"out.docx"});
    EXPECT_EQ(fs::file_size(dir + "/out.docx"), 1u << 20);
    {
        vanban::io::AtomicFile abandoned(dir + "/other.docx");
        abandoned.write("never committed");
    }
    EXPECT_EQ(entries_of(dir), std::set<std::string>{"out.docx"});
    fs::remove_all(dir);
}

// ----- a batch meeting a fault half-way

struct BatchFixture {
    std::string dir = t::temp_dir();
    std::string tpl = dir + "/form.docx";
    std::string records = dir + "/records.jsonl";
    std::string out = dir + "/out";
    std::string report = dir + "/report.json";

    // Record i holds `sizes[i]` bytes of text, so its document is about that large.
    explicit BatchFixture(const std::vector<std::size_t>& sizes) {
        ::chmod(dir.c_str(), 0755);
        t::write_file(tpl, t::make_docx("<w:p><w:r><w:t>{{ name }}: {{ text }}</w:t></w:r></w:p>"));
        std::string lines;
        // Text that deflate cannot shrink much, so document sizes follow the record sizes.
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            std::string text;
            unsigned x = 12345u + static_cast<unsigned>(i);
            for (std::size_t k = 0; k < sizes[i]; ++k) {
                x = x * 1103515245u + 12345u;
                text += static_cast<char>('a' + (x >> 16) % 26);
            }
            lines += json{{"name", "record " + std::to_string(i)}, {"text", text}}.dump() + "\n";
        }
        t::write_file(records, lines);
    }

    vanban::batch::Options options() const {
        vanban::batch::Options o;
        o.template_path = tpl;
        o.records_path = records;
        o.output_dir = out;
        o.report_path = report;
        o.jobs = 2;
        return o;
    }
};

TEST(Faults, BatchReportsEveryRecordWhenAFileIsTooLarge) {
    // RLIMIT_FSIZE fails the write of the one large document with EFBIG (as a full disk fails it with ENOSPC); the
    // records before and after it are written, and the report, which stays small, lists all of them.
    BatchFixture f({100, 100, 200'000, 100, 100});
    const int status = in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{64 * 1024, 64 * 1024};
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return kCannotSetUp;
        const auto summary = vanban::batch::run(f.options());
        return summary.ok == 4 && summary.failed == 1 ? 0 : 1;
    });
    ASSERT_NE(status, kCannotSetUp);
    EXPECT_EQ(status, 0) << "four written, one failed";
    const json report = json::parse(t::read_file(f.report));
    ASSERT_EQ(report["results"].size(), 5u);
    for (int i = 0; i < 5; ++i) {
        const json& r = report["results"][static_cast<std::size_t>(i)];
        if (i == 2) {
            EXPECT_EQ(r["status"], "failed");
            ASSERT_EQ(r["errors"].size(), 1u) << r.dump();
            EXPECT_EQ(r["errors"][0]["kind"], "io");
            const std::string message = r["errors"][0]["message"];
            EXPECT_TRUE(contains(message, f.out + "/3.docx")) << message;
            EXPECT_TRUE(contains(message, std::strerror(EFBIG))) << message;
        } else {
            EXPECT_EQ(r["status"], "ok") << r.dump();
            const auto parts = t::read_zip(t::read_file(f.out + "/" + std::to_string(i + 1) + ".docx"));
            EXPECT_TRUE(contains(parts.at("word/document.xml"), "record " + std::to_string(i)));
        }
    }
    EXPECT_EQ(entries_of(f.out), (std::set<std::string>{"1.docx", "2.docx", "4.docx", "5.docx"})) << "nothing partial";
}

TEST(Faults, BatchOnAFullDiskReportsTheRestOfTheRecords) {
    // A tmpfs with room for a few documents: the later ones fail with ENOSPC, each reported with its path; the report
    // (written outside the tmpfs) lists every record, and the documents written before the disk filled are whole.
    BatchFixture f(std::vector<std::size_t>(8, 40'000));
    fs::create_directory(f.out);
    const int status = in_child([&] {
        if (!small_tmpfs(f.out, 160 * 1024)) return kCannotSetUp;
        auto o = f.options();
        o.jobs = 1;  // in record order, so the disk fills at one point
        const auto summary = vanban::batch::run(o);
        if (summary.ok + summary.failed != 8 || summary.ok == 0 || summary.failed == 0) return 1;
        for (std::size_t i = 1; i <= summary.ok; ++i) {
            const auto parts = t::read_zip(t::read_file(f.out + "/" + std::to_string(i) + ".docx"));
            if (!contains(parts.at("word/document.xml"), "record " + std::to_string(i - 1))) return 2;
        }
        for (const auto& name : entries_of(f.out))
            if (name.starts_with(".")) return 3;  // no temporary left
        return 0;
    });
    if (status == kCannotSetUp) GTEST_SKIP() << "mounting a tmpfs needs root and mount namespaces";
    EXPECT_EQ(status, 0) << "1 not every record reported, 2 a written document is damaged, 3 a temporary was left";
    const json report = json::parse(t::read_file(f.report));
    ASSERT_EQ(report["results"].size(), 8u);
    bool failed_seen = false;
    for (const auto& r : report["results"]) {
        if (r["status"] == "failed") {
            failed_seen = true;
            EXPECT_EQ(r["errors"][0]["kind"], "io") << r.dump();
            EXPECT_TRUE(contains(r["errors"][0]["message"], std::strerror(ENOSPC))) << r.dump();
            EXPECT_TRUE(contains(r["errors"][0]["message"], f.out + "/")) << r.dump();
        } else {
            EXPECT_FALSE(failed_seen) << "with one worker, the disk fills once and stays full";
        }
    }
}

TEST(Faults, BatchIntoAReadOnlyDirectoryFailsEveryRecordAndSaysWhere) {
    BatchFixture f({10, 10, 10});
    fs::create_directory(f.out);
    ::chmod(f.out.c_str(), 0555);
    const std::string reports = f.dir + "/reports";  // somewhere the unprivileged user may write
    fs::create_directory(reports);
    ::chmod(reports.c_str(), 0777);
    f.report = reports + "/report.json";
    const int status = in_child([&] {
        if (!drop_root()) return kCannotSetUp;
        const auto summary = vanban::batch::run(f.options());
        return summary.failed == 3 && summary.ok == 0 ? 0 : 1;
    });
    ::chmod(f.out.c_str(), 0755);
    if (status == kCannotSetUp) GTEST_SKIP() << "cannot switch to an unprivileged user";
    EXPECT_EQ(status, 0);
    const json report = json::parse(t::read_file(f.report));
    ASSERT_EQ(report["results"].size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        const json& r = report["results"][i];
        EXPECT_EQ(r["status"], "failed");
        const std::string message = r["errors"][0]["message"];
        EXPECT_TRUE(contains(message, f.out + "/" + std::to_string(i + 1) + ".docx")) << message;
        EXPECT_TRUE(contains(message, std::strerror(EACCES))) << message;
    }
    EXPECT_TRUE(entries_of(f.out).empty());
}

TEST(Faults, BatchOutputThatIsAFileIsAnErrorBeforeAnyRecord) {
    BatchFixture f({10, 10});
    t::write_file(f.out, "a file where the directory should be");
    auto o = f.options();
    o.report_path.clear();
    try {
        static_cast<void>(vanban::batch::run(o));
        ADD_FAILURE() << "expected an error";
    } catch (const vanban::Error& e) {
        EXPECT_TRUE(contains(e.what(), f.out)) << e.what();
    }
    EXPECT_EQ(t::read_file(f.out), "a file where the directory should be");
}

}  // namespace
