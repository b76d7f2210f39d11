// Embedding vanban as a real consumer would: `cmake --install` this build into a temporary prefix, then build and run
// examples/embed against that prefix only — render.c with gcc and pkg-config, render.py with python3 and the installed `vanban` package, the
// consumer-cmake project with find_package(vanban), the same C++ program with pkg-config — and the installed CLI.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "vanban/version.h"

#ifndef VANBAN_CMAKE
#error "VANBAN_CMAKE, VANBAN_C_COMPILER, VANBAN_CXX_COMPILER and VANBAN_SANITIZE_FLAGS come from tests/CMakeLists.txt"
#endif

namespace {

namespace fs = std::filesystem;
using namespace vanban::test;

using vanban::test::quote;

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

class Embed : public ::testing::Test {
protected:
    // One installation per test process (ctest runs each test in its own process, in parallel).
    static void SetUpTestSuite() {
        prefix_ = temp_dir() + "/prefix";
        install_rc_ =
            run_command(std::string(VANBAN_CMAKE) + " --install " + quote(binary_dir()) + " --prefix " + quote(prefix_),
                        &install_log_);
        // GNUInstallDirs may choose lib, lib64 or lib/<multiarch>: find where vanban.pc went.
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(prefix_, ec); it != fs::recursive_directory_iterator(); ++it)
            if (it->path().filename() == "vanban.pc") libdir_ = it->path().parent_path().parent_path().string();
    }
    void SetUp() override {
        ASSERT_EQ(install_rc_, 0) << install_log_;
        ASSERT_FALSE(libdir_.empty()) << "no vanban.pc installed under " << prefix_ << "\n" << install_log_;
        work_ = temp_dir();
    }

    static std::string prefix() { return prefix_; }
    static std::string libdir() { return libdir_; }
    static std::string mini() { return source_dir() + "/tests/data/embed/ke-hoach-mini"; }
    static std::string examples() { return source_dir() + "/examples/embed"; }
    // Environment for programs that use the installed library (and, in sanitizer builds, its runtime).
    static std::string run_env() { return "LD_LIBRARY_PATH=" + quote(libdir()) + " "; }
    static std::string pkg_config(const std::string& args) {
        return "PKG_CONFIG_PATH=" + quote(libdir() + "/pkgconfig") + " pkg-config " + args;
    }

    // Checks the text of a document rendered from mini/data.json.
    static void expect_mini_document(const std::string& path) {
        ASSERT_TRUE(fs::exists(path)) << path;
        auto parts = read_zip(read_file(path));
        ASSERT_TRUE(parts.count("word/document.xml"));
        const std::vector<std::string> expected = {"ỦY BAN NHÂN DÂN XÃ TÂN LẬP",
                                                   "KẾ HOẠCH",
                                                   "Triển khai chuyển đổi số năm 2025",
                                                   "1. Rà soát thủ tục hành chính: Văn phòng",
                                                   "2. Tập huấn cán bộ: Công chức Tư pháp",
                                                   "Tân Lập, ngày 10 tháng 3 năm 2025",
                                                   "Nguyễn Văn An"};
        EXPECT_EQ(paragraph_texts(parts.at("word/document.xml")), expected);
    }

    // The structured records render.c and render.py print for mini/bad.json: both problems, each with template part,
    // paragraph and tag, and JSON pointer with line:column in the data file.
    static void expect_mini_errors(const std::string& out) {
        const std::string bad = mini() + "/bad.json";
        EXPECT_TRUE(contains(out, "data (2 problems)")) << out;
        EXPECT_TRUE(contains(out, "error 1/2 [data]: 'tasks' is string, not a list")) << out;
        EXPECT_TRUE(contains(out, "part: word/document.xml paragraph: 4")) << out;
        EXPECT_TRUE(contains(out, "tag: {% for task in tasks %}")) << out;
        EXPECT_TRUE(contains(out, "data: /tasks at " + bad + " line 4 column 12")) << out;
        EXPECT_TRUE(contains(out, "error 2/2 [data]: 'signer.name' is missing from the data")) << out;
        EXPECT_TRUE(contains(out, "part: word/document.xml paragraph: 8")) << out;
        EXPECT_TRUE(contains(out, "tag: {{ signer.name }}")) << out;
        EXPECT_TRUE(contains(out, "data: /signer/name at " + bad + " line 7 column 13")) << out;
        EXPECT_TRUE(contains(out, "hint: add it to the data")) << out;
    }

    static void expect_schema_errors(const std::string& out) {
        EXPECT_TRUE(contains(out, "schema (2 problems)")) << out;
        EXPECT_TRUE(contains(out, "[schema]: \"Nhiệm vụ\" (/tasks): expected array")) << out;
        EXPECT_TRUE(contains(out, "data: /tasks at " + mini() + "/bad.json line 4 column 12")) << out;
        EXPECT_TRUE(contains(out, "/signer/name")) << out;
    }

    std::string build_render_c() {
        const std::string exe = work_ + "/render";
        std::string out;
        const std::string cmd = std::string(VANBAN_C_COMPILER) + " -std=c99 -Wall -Wextra -Werror -pedantic " +
                                VANBAN_SANITIZE_FLAGS + " " + quote(examples() + "/render.c") + " -o " + quote(exe) +
                                " $(" + pkg_config("--cflags --libs vanban") + ")";
        EXPECT_EQ(run_command(cmd, &out), 0) << cmd << "\n" << out;
        return exe;
    }

    std::string python() {
        // A sanitizer-built library needs its runtime loaded first; Python itself is not leak-clean.
        // The package from the prefix only (it finds the library beside it, so no VANBAN_* variable).
        std::string env = run_env() + "PYTHONPATH=" + quote(prefix() + "/lib/python3/dist-packages") + " ";
        if (std::string(VANBAN_SANITIZE_FLAGS).size())
            env += "ASAN_OPTIONS=detect_leaks=0 LD_PRELOAD=\"$(" + std::string(VANBAN_C_COMPILER) +
                   " -print-file-name=libasan.so) $(" + VANBAN_C_COMPILER + " -print-file-name=libubsan.so)\" ";
        return env + "python3 " + quote(examples() + "/render.py");
    }

    std::string work_;

private:
    static inline std::string prefix_, libdir_, install_log_;
    static inline int install_rc_ = -1;
};

TEST_F(Embed, InstallsSharedLibraryHeadersPackageFilesTemplatesAndCli) {
    EXPECT_TRUE(fs::exists(libdir() + "/libvanban.so.0"));
    EXPECT_TRUE(fs::is_symlink(libdir() + "/libvanban.so"));
    std::string out;
    ASSERT_EQ(run_command("readelf -d " + quote(libdir() + "/libvanban.so.0"), &out), 0) << out;
    EXPECT_TRUE(contains(out, "Library soname: [libvanban.so.0]")) << out;
    // Hidden visibility: the C API and the C++ API are exported, internals are not.
    ASSERT_EQ(run_command("nm -D -C --defined-only " + quote(libdir() + "/libvanban.so.0"), &out), 0);
    EXPECT_TRUE(contains(out, " T vanban_render\n")) << "C API not exported";
    EXPECT_TRUE(contains(out, "vanban::Template::from_file(")) << "C++ API not exported";
    EXPECT_TRUE(contains(out, "typeinfo for vanban::Error")) << "exceptions must be catchable by consumers";
    EXPECT_FALSE(contains(out, "vanban::core::")) << "internal symbols exported";
    EXPECT_FALSE(contains(out, "vanban::zip::")) << "internal symbols exported";
    // The version script (cmake/vanban.map) keeps std:: and nlohmann:: instantiations local.
    std::istringstream symbols(out);
    std::vector<std::string> foreign;
    for (std::string line; std::getline(symbols, line);)
        if (!contains(line, " vanban_") && !contains(line, "vanban::")) foreign.push_back(line);
    EXPECT_LE(foreign.size(), 20u) << (foreign.empty() ? "" : foreign.front());
    // Every header of what the library exports: the API, `vanban check-template`, `vanban batch` and `vanban sheet`.
    for (const char* header : {"vanban.h", "vanban.hpp", "data.hpp", "diagnostic.hpp", "export.h", "version.h",
                               "convert.hpp", "catalog.hpp", "import.hpp", "check.hpp", "batch.hpp", "sheet.hpp"})
        EXPECT_TRUE(fs::exists(prefix() + "/include/vanban/" + header)) << header;
    EXPECT_TRUE(fs::exists(libdir() + "/cmake/vanban/vanbanConfig.cmake"));
    EXPECT_TRUE(fs::exists(libdir() + "/cmake/vanban/vanbanConfigVersion.cmake"));
    ASSERT_EQ(run_command(pkg_config("--modversion vanban"), &out), 0) << out;
    EXPECT_TRUE(contains(out, VANBAN_VERSION_STRING)) << out;
    // A C program needs nothing of C++: vanban.pc requires no package, vanban-cpp.pc adds nlohmann_json.
    ASSERT_EQ(run_command(pkg_config("--print-requires vanban"), &out), 0) << out;
    EXPECT_EQ(out, "");
    ASSERT_EQ(run_command(pkg_config("--print-requires vanban-cpp"), &out), 0) << out;
    EXPECT_TRUE(contains(out, "nlohmann_json")) << out;
    ASSERT_EQ(run_command(pkg_config("--libs vanban"), &out), 0) << out;
    EXPECT_TRUE(contains(out, "-Wl,-rpath,")) << out;  // (the programs below run without LD_LIBRARY_PATH)
    EXPECT_TRUE(fs::exists(prefix() + "/share/vanban/templates/ke-hoach/template.json") ||
                !fs::exists(source_dir() + "/templates/ke-hoach/template.json"));

    // The installed CLI finds its library through its RUNPATH and its templates under share/vanban.
    ASSERT_EQ(run_command(quote(prefix() + "/bin/vanban") + " render " + quote(mini() + "/docx") + " " +
                              quote(mini() + "/data.json") + " -o " + quote(work_ + "/cli.docx"),
                          &out),
              0)
        << out;
    expect_mini_document(work_ + "/cli.docx");
    if (fs::exists(source_dir() + "/templates/ke-hoach/template.json")) {
        ASSERT_EQ(run_command(quote(prefix() + "/bin/vanban") + " templates", &out), 0) << out;
        EXPECT_TRUE(contains(out, "ke-hoach")) << out;
    }
}

TEST_F(Embed, CProgramBuiltWithPkgConfigRendersToMemoryAndFileAndPrintsStructuredErrors) {
    const std::string exe = build_render_c();
    std::string out;
    const std::string doc = work_ + "/c.docx";
    ASSERT_EQ(run_command(quote(exe) + " " + quote(mini() + "/docx") + " " + quote(mini() + "/data.json") + " " +
                              quote(doc) + " " + quote(mini() + "/schema.json"),
                          &out),
              0)
        << out;
    EXPECT_TRUE(contains(out, "valid: ")) << out;
    const auto size = fs::file_size(doc);
    EXPECT_TRUE(contains(out, "rendered " + std::to_string(size) + " bytes in memory")) << out;  // same bytes
    expect_mini_document(doc);

    // Bad data: render errors with template and data locations; nothing written.
    const std::string bad_doc = work_ + "/bad.docx";
    EXPECT_EQ(run_command(
                  quote(exe) + " " + quote(mini() + "/docx") + " " + quote(mini() + "/bad.json") + " " + quote(bad_doc),
                  &out),
              1)
        << out;
    expect_mini_errors(out);
    EXPECT_FALSE(fs::exists(bad_doc));
    // With the schema: every violation, with pointer and line:column.
    EXPECT_EQ(run_command(quote(exe) + " " + quote(mini() + "/docx") + " " + quote(mini() + "/bad.json") + " " +
                              quote(bad_doc) + " " + quote(mini() + "/schema.json"),
                          &out),
              1)
        << out;
    expect_schema_errors(out);
    // A template that does not exist: an I/O error record.
    EXPECT_EQ(
        run_command(quote(exe) + " /nonexistent.docx " + quote(mini() + "/data.json") + " " + quote(bad_doc), &out), 2)
        << out;
    EXPECT_TRUE(contains(out, "[io]")) << out;
}

TEST_F(Embed, PythonCtypesScriptRendersAndPrintsStructuredErrors) {
    std::string out;
    const std::string doc = work_ + "/py.docx";
    ASSERT_EQ(run_command(python() + " " + quote(mini() + "/docx") + " " + quote(mini() + "/data.json") + " " +
                              quote(doc) + " " + quote(mini() + "/schema.json"),
                          &out),
              0)
        << out;
    EXPECT_TRUE(contains(out, "rendered " + std::to_string(fs::file_size(doc)) + " bytes in memory")) << out;
    expect_mini_document(doc);
    EXPECT_EQ(run_command(python() + " " + quote(mini() + "/docx") + " " + quote(mini() + "/bad.json") + " " +
                              quote(work_ + "/bad.docx"),
                          &out),
              1)
        << out;
    expect_mini_errors(out);
    EXPECT_EQ(run_command(python() + " " + quote(mini() + "/docx") + " " + quote(mini() + "/bad.json") + " " +
                              quote(work_ + "/bad.docx") + " " + quote(mini() + "/schema.json"),
                          &out),
              1)
        << out;
    expect_schema_errors(out);
}

TEST_F(Embed, CMakeConsumerFindsThePackage) {
    std::string out;
    const std::string build = work_ + "/consumer";
    std::string flags = VANBAN_SANITIZE_FLAGS;
    std::string configure = std::string(VANBAN_CMAKE) + " -S " + quote(examples() + "/consumer-cmake") + " -B " +
                            quote(build) + " -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=" + quote(prefix()) +
                            " -DCMAKE_CXX_COMPILER=" + quote(VANBAN_CXX_COMPILER);
    if (!flags.empty()) configure += " -DCMAKE_CXX_FLAGS=" + quote(flags) + " -DCMAKE_EXE_LINKER_FLAGS=" + quote(flags);
    ASSERT_EQ(run_command(configure, &out), 0) << configure << "\n" << out;
    ASSERT_EQ(run_command(std::string(VANBAN_CMAKE) + " --build " + quote(build), &out), 0) << out;
    const std::string exe = build + "/consumer";
    const std::string doc = work_ + "/cmake.docx";
    // No LD_LIBRARY_PATH: the imported target gives the build tree an RPATH into the prefix.
    ASSERT_EQ(
        run_command(quote(exe) + " " + quote(mini() + "/docx") + " " + quote(mini() + "/data.json") + " " + quote(doc),
                    &out),
        0)
        << out;
    EXPECT_TRUE(contains(out, "vanban " VANBAN_VERSION_STRING ": wrote")) << out;
    expect_mini_document(doc);
    // vanban::Error thrown inside libvanban is caught by the consumer, with every diagnostic located.
    EXPECT_EQ(
        run_command(quote(exe) + " " + quote(mini() + "/docx") + " " + quote(mini() + "/bad.json") + " " + quote(doc),
                    &out),
        1)
        << out;
    EXPECT_TRUE(contains(out, "data: word/document.xml ¶4: 'tasks' is string, not a list")) << out;
    EXPECT_TRUE(contains(out, "(data /signer/name line 7:13)")) << out;
    EXPECT_TRUE(contains(out, "\"json_pointer\":\"/tasks\"")) << out;
}

TEST_F(Embed, CxxConsumerBuiltWithPkgConfig) {
    std::string out;
    const std::string exe = work_ + "/consumer-pc";
    const std::string cmd = std::string(VANBAN_CXX_COMPILER) + " -std=c++20 -Wall -Wextra -Werror " +
                            VANBAN_SANITIZE_FLAGS + " " + quote(examples() + "/consumer-cmake/main.cpp") + " -o " +
                            quote(exe) + " $(" + pkg_config("--cflags --libs vanban-cpp") + ")";
    ASSERT_EQ(run_command(cmd, &out), 0) << cmd << "\n" << out;
    const std::string doc = work_ + "/pc.docx";
    // No LD_LIBRARY_PATH: the .pc file gives the program a run path into the prefix.
    ASSERT_EQ(
        run_command(quote(exe) + " " + quote(mini() + "/docx") + " " + quote(mini() + "/data.json") + " " + quote(doc),
                    &out),
        0)
        << out;
    expect_mini_document(doc);
}

// The bundled KẾ HOẠCH template, installed under share/vanban, rendered from C with its schema and example.
TEST_F(Embed, CProgramRendersTheInstalledKeHoachExample) {
    const std::string bundle = prefix() + "/share/vanban/templates/ke-hoach";
    if (!fs::exists(bundle + "/template.json") || !fs::exists(bundle + "/example.json"))
        GTEST_SKIP() << "the KẾ HOẠCH template is not bundled yet";
    const std::string exe = build_render_c();
    std::string out;
    const std::string doc = work_ + "/ke-hoach.docx";
    ASSERT_EQ(run_command(quote(exe) + " " + quote(bundle + "/docx") + " " + quote(bundle + "/example.json") + " " +
                              quote(doc) + " " + quote(bundle + "/schema.json"),
                          &out),
              0)
        << out;
    auto parts = read_zip(read_file(doc));
    bool title = false;
    for (const auto& p : paragraph_texts(parts.at("word/document.xml"))) title = title || p == "KẾ HOẠCH";
    EXPECT_TRUE(title);
    // Bad data for it: structured schema errors.
    write_file(work_ + "/bad.json", "{\n  \"agency\": 12\n}\n");
    EXPECT_EQ(run_command(quote(exe) + " " + quote(bundle + "/docx") + " " + quote(work_ + "/bad.json") + " " +
                              quote(work_ + "/bad.docx") + " " + quote(bundle + "/schema.json"),
                          &out),
              1)
        << out;
    EXPECT_TRUE(contains(out, "[schema]")) << out;
    EXPECT_TRUE(contains(out, "data: /agency at " + work_ + "/bad.json line 2 column 13")) << out;
}

}  // namespace

namespace {

// The C++ snippet of README.md's "Embed the library", as written, wrapped in a main() and built against the prefix.
TEST_F(Embed, ReadmeCxxSnippetRunsAgainstThePrefix) {
    const std::string readme = read_file(source_dir() + "/README.md");
    const auto section = readme.find("Embed the library\n");
    ASSERT_NE(section, std::string::npos);
    const auto open = readme.find("```cpp\n", section);
    ASSERT_NE(open, std::string::npos);
    const auto body_start = open + 7;
    const auto close = readme.find("```", body_start);
    ASSERT_NE(close, std::string::npos);
    std::string includes, statements;
    std::istringstream lines(readme.substr(body_start, close - body_start));
    for (std::string line; std::getline(lines, line);)
        (line.rfind("#include", 0) == 0 ? includes : statements) += line + "\n";
    write_file(work_ + "/app.cpp", includes + "int main() {\n" + statements +
                                       "    vanban::write_file_atomic(\"plan.docx\", docx);\n    return 0;\n}\n");
    std::string out;
    const std::string cmd = "cd " + quote(work_) + " && " + VANBAN_CXX_COMPILER + " -std=c++20 -Wall -Wextra -Werror " +
                            VANBAN_SANITIZE_FLAGS + " app.cpp -o app $(" + pkg_config("--cflags --libs vanban-cpp") +
                            ")";
    ASSERT_EQ(run_command(cmd, &out), 0) << cmd << "\n" << out;
    fs::copy_file(prefix() + "/share/vanban/templates/ke-hoach/example.json", work_ + "/plan.json");
    ASSERT_EQ(run_command("cd " + quote(work_) + " && ./app", &out), 0) << out;
    bool title = false;
    for (const auto& p : paragraph_texts(read_zip(read_file(work_ + "/plan.docx")).at("word/document.xml")))
        title = title || p == "KẾ HOẠCH";
    EXPECT_TRUE(title);
}

}  // namespace
