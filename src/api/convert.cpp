#include "vanban/convert.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
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
    ScratchDir() {
        std::string tmpl = (fs::temp_directory_path() / "vanban-pdf-XXXXXX").string();
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

}  // namespace

std::string find_soffice(const std::string& preferred) {
    if (!preferred.empty()) return executable(preferred) ? preferred : std::string();
    if (const char* env = std::getenv("VANBAN_SOFFICE"); env && *env) return executable(env) ? std::string(env) : std::string();
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        for (const char* name : {"soffice", "libreoffice"}) {
            fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
            if (executable(candidate)) return candidate.string();
        }
    }
    return {};
}

std::string convert_to_pdf(const std::string& document, const std::string& format_hint, const PdfOptions& options) {
    std::string soffice = find_soffice(options.soffice);
    if (soffice.empty())
        fail("LibreOffice (soffice) was not found, so no PDF can be made",
             "install it (Debian: apt-get install libreoffice-writer-nogui), or set VANBAN_SOFFICE to its path");
    ScratchDir scratch;
    std::string ext = format_hint == "odt" ? "odt" : "docx";
    fs::path input = scratch.path / ("document." + ext);
    {
        std::ofstream f(input, std::ios::binary);
        f.write(document.data(), static_cast<std::streamsize>(document.size()));
        if (!f) fail("cannot write the temporary document for the PDF conversion");
    }
    // PDF/A-2b via the export filter's JSON options (LibreOffice 7.4+); fonts are embedded by default.
    std::string filter = options.pdf_a ? R"(pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}})" : "pdf";
    std::string profile = "-env:UserInstallation=file://" + (scratch.path / "profile").string();
    // Import filters are forced by type so a broken file is never opened as plain text.
    std::string infilter = ext == "odt" ? "--infilter=writer8" : "--infilter=MS Word 2007 XML";
    std::vector<std::string> args = {soffice, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                                     profile, infilter, "--convert-to", filter, "--outdir", scratch.path.string(), input.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid < 0) fail("cannot start LibreOffice: fork failed");
    if (pid == 0) {
        ::setpgid(0, 0);  // its own process group, so a timeout kills every helper process it started
        int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            ::dup2(devnull, STDIN_FILENO);
            ::dup2(devnull, STDOUT_FILENO);
            ::dup2(devnull, STDERR_FILENO);
        }
        ::setenv("HOME", scratch.path.c_str(), 1);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
    int status = 0;
    while (true) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) fail("lost track of the LibreOffice process");
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            fail("LibreOffice did not finish the PDF conversion within " + std::to_string(options.timeout_seconds) + " s",
                 "a larger document may need a longer timeout");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(-pid, SIGKILL);  // stray helper processes of the group, if any
    fs::path output = scratch.path / "document.pdf";
    std::error_code ec;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::exists(output, ec) || fs::file_size(output, ec) == 0)
        fail("LibreOffice could not convert the document to PDF (exit status " +
             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
    std::ifstream f(output, std::ios::binary);
    std::string pdf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (pdf.compare(0, 5, "%PDF-") != 0) fail("LibreOffice produced something that is not a PDF");
    return pdf;
}

}  // namespace vanban
