#include "vanban/convert.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace vanban {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(std::string message, std::string hint = {}) {
    Diagnostic d;
    d.kind = DiagnosticKind::io;
    d.message = std::move(message);
    d.hint = std::move(hint);
    throw Error(std::move(d));
}

bool executable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p); }

// A private directory removed when the conversion ends, whatever happens.
struct ScratchDir {
    fs::path path;
    explicit ScratchDir(const char* prefix = "vanban-pdf-") {
        std::string tmpl = (fs::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (!::mkdtemp(buf.data())) fail("cannot create a temporary directory for the PDF conversion");
        path = buf.data();
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
};

// Runs `args` in its own process group with stdin/stdout/stderr on /dev/null and HOME in `home`, and waits at most
// `timeout_seconds`; on timeout the whole group is killed and an error naming `what`/`task` is thrown. Returns the
// wait status.
int run_isolated(std::vector<std::string> args, const fs::path& home, int timeout_seconds, const std::string& what,
                 const std::string& task, const std::string& timeout_hint = {}) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The environment is built before fork: between fork and exec a threaded program may only call
    // async-signal-safe functions (setenv could wait forever on a malloc lock another thread held).
    std::vector<std::string> env_strings = {"HOME=" + home.string()};
    for (char** e = environ; *e != nullptr; ++e)
        if (std::strncmp(*e, "HOME=", 5) != 0) env_strings.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) fail("cannot start " + what + ": fork failed");
    if (pid == 0) {
        ::setpgid(0, 0);  // its own process group, so a timeout kills every helper process it started
        int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            ::dup2(devnull, STDIN_FILENO);
            ::dup2(devnull, STDOUT_FILENO);
            ::dup2(devnull, STDERR_FILENO);
        }
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    int status = 0;
    while (true) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) fail("lost track of the " + what + " process");
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            fail(what + " did not finish " + task + " within " + std::to_string(timeout_seconds) + " s", timeout_hint);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(-pid, SIGKILL);  // stray helper processes of the group, if any
    return status;
}

std::string exit_text(int status) { return std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1); }

std::string read_whole(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void write_whole(const fs::path& path, const std::string& bytes, const std::string& what) {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) fail("cannot write the temporary " + what);
}

// The first executable called `name` in $PATH, or "".
std::string find_in_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
        if (executable(candidate)) return candidate.string();
    }
    return {};
}

}  // namespace

std::string find_soffice(const std::string& preferred) {
    if (!preferred.empty()) return executable(preferred) ? preferred : std::string();
    if (const char* env = std::getenv("VANBAN_SOFFICE"); env && *env)
        return executable(env) ? std::string(env) : std::string();
    for (const char* name : {"soffice", "libreoffice"})
        if (std::string found = find_in_path(name); !found.empty()) return found;
    return {};
}

struct PdfConverter::Impl {
    PdfOptions options;
    std::string soffice;
    ScratchDir scratch;  // HOME and LibreOffice's profile (kept across runs: creating it costs a second or more)
    unsigned runs = 0;

    // One LibreOffice run over `documents`: the PDFs in order, "" for a document that gave none. Throws vanban::Error
    // when the run itself fails (exit status, timeout).
    std::vector<std::string> run(const std::vector<std::string_view>& documents, const std::string& ext) {
        const fs::path dir = scratch.path / ("run-" + std::to_string(++runs));
        struct Remove {
            fs::path path;
            ~Remove() {
                std::error_code ec;
                fs::remove_all(path, ec);
            }
        } remove{dir};
        std::error_code ec;
        fs::create_directories(dir / "in", ec);
        // PDF/A-2b via the export filter's JSON options (LibreOffice 7.4+); fonts are embedded by default.
        const std::string filter =
            options.pdf_a ? R"(pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}})" : "pdf";
        // Import filters are forced by type so a broken file is never opened as plain text.
        std::vector<std::string> args = {soffice,
                                         "--headless",
                                         "--norestore",
                                         "--nologo",
                                         "--nodefault",
                                         "--nolockcheck",
                                         "-env:UserInstallation=file://" + (scratch.path / "profile").string(),
                                         ext == "odt" ? "--infilter=writer8" : "--infilter=MS Word 2007 XML",
                                         "--convert-to",
                                         filter,
                                         "--outdir",
                                         (dir / "out").string()};
        for (std::size_t i = 0; i < documents.size(); ++i) {
            const fs::path input = dir / "in" / (std::to_string(i + 1) + "." + ext);
            write_whole(input, std::string(documents[i]), "document for the PDF conversion");
            args.push_back(input.string());
        }
        const int timeout = options.timeout_seconds + 10 * static_cast<int>(documents.size() - 1);
        const int status = run_isolated(args, scratch.path, timeout, "LibreOffice", "the PDF conversion",
                                        "a larger document may need a longer timeout");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail("LibreOffice could not convert the document to PDF (exit status " + exit_text(status) + ")");
        std::vector<std::string> pdfs;
        for (std::size_t i = 0; i < documents.size(); ++i) {
            std::string pdf = read_whole(dir / "out" / (std::to_string(i + 1) + ".pdf"));
            pdfs.push_back(pdf.compare(0, 5, "%PDF-") == 0 ? std::move(pdf) : std::string());
        }
        return pdfs;
    }
};

PdfConverter::PdfConverter(PdfOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->soffice = find_soffice(options.soffice);
    if (impl_->soffice.empty())
        fail("LibreOffice (soffice) was not found, so no PDF can be made",
             "install it (Debian: apt-get install libreoffice-writer-nogui), or set VANBAN_SOFFICE to its path");
    impl_->options = std::move(options);
}

PdfConverter::~PdfConverter() = default;

std::vector<PdfResult> PdfConverter::convert(const std::vector<std::string_view>& documents,
                                             const std::string& format_hint) {
    std::vector<PdfResult> results(documents.size());
    if (documents.empty()) return results;
    const std::string ext = format_hint == "odt" ? "odt" : "docx";
    try {
        std::vector<std::string> pdfs = impl_->run(documents, ext);
        for (std::size_t i = 0; i < pdfs.size(); ++i) {
            if (!pdfs[i].empty()) {
                results[i].pdf = std::move(pdfs[i]);
                continue;
            }
            Diagnostic d;
            d.kind = DiagnosticKind::io;
            d.message = "LibreOffice could not convert the document to PDF";
            results[i].diagnostics.push_back(std::move(d));
        }
    } catch (const Error& e) {
        // The whole run failed: one by one, so that only the document at fault fails.
        if (documents.size() == 1) {
            results[0].diagnostics = e.diagnostics();
            return results;
        }
        for (std::size_t i = 0; i < documents.size(); ++i)
            results[i] = std::move(convert(std::vector<std::string_view>{documents[i]}, format_hint)[0]);
    }
    return results;
}

std::string PdfConverter::convert(const std::string& document, const std::string& format_hint) {
    PdfResult result = std::move(convert(std::vector<std::string_view>{document}, format_hint)[0]);
    if (result.pdf.empty()) throw Error(std::move(result.diagnostics));
    return std::move(result.pdf);
}

std::string convert_to_pdf(const std::string& document, const std::string& format_hint, const PdfOptions& options) {
    return PdfConverter(options).convert(document, format_hint);
}

std::vector<std::string> pdf_to_png(const std::string& pdf, const PngOptions& options) {
    const std::string pdftoppm = options.pdftoppm.empty() ? find_in_path("pdftoppm") : options.pdftoppm;
    if (pdftoppm.empty() || !executable(pdftoppm))
        fail("pdftoppm was not found, so no page pictures can be made",
             "install it (Debian: apt-get install poppler-utils)");
    if (pdf.compare(0, 5, "%PDF-") != 0) fail("not a PDF");
    ScratchDir scratch("vanban-png-");
    write_whole(scratch.path / "document.pdf", pdf, "PDF");
    const int dpi = std::clamp(options.dpi, 10, 300);
    const int last = std::max(1, options.max_pages);
    const int status = run_isolated({pdftoppm, "-png", "-r", std::to_string(dpi), "-l", std::to_string(last),
                                     (scratch.path / "document.pdf").string(), (scratch.path / "page").string()},
                                    scratch.path, options.timeout_seconds, "pdftoppm", "the page pictures");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("pdftoppm could not read the PDF (exit status " + exit_text(status) + ")");
    // pdftoppm names pages page-1.png … or page-01.png … (zero-padded to the page count's width).
    std::vector<std::pair<int, fs::path>> pages;
    for (const auto& entry : fs::directory_iterator(scratch.path)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with("page-") || !name.ends_with(".png")) continue;
        pages.emplace_back(std::atoi(name.c_str() + 5), entry.path());
    }
    std::sort(pages.begin(), pages.end());
    std::vector<std::string> out;
    for (const auto& [number, path] : pages) out.push_back(read_whole(path));
    if (out.empty()) fail("pdftoppm made no page pictures");
    return out;
}

}  // namespace vanban
