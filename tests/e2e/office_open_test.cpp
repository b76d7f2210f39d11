// Every bundled example, rendered, is opened by a real office suite: LibreOffice converts it to PDF, and the PDF's
// text holds what the data says (the title and the signer). validate-office checks structure; this proves that an
// office program reads the result (a footnote reference without its footnote, for instance, passes the first and
// fails the second).
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

#ifndef VANBAN_CLI
#error "VANBAN_CLI must be defined (path of the vanban executable)"
#endif

namespace {

namespace fs = std::filesystem;
namespace t = vanban::test;
using nlohmann::json;

std::string quote(const std::string& s) { return "'" + std::regex_replace(s, std::regex("'"), "'\\''") + "'"; }

// Collapses white space so that line wrapping in the PDF does not matter.
std::string squeeze(const std::string& s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
        if (ws) {
            space = !out.empty();
        } else {
            if (space) out += ' ';
            space = false;
            out += c;
        }
    }
    return out;
}

struct Example {
    std::string name;
    std::string data;
};

std::vector<Example> examples() {
    std::vector<Example> all;
    for (const auto& e : fs::directory_iterator(t::source_dir() + "/examples/ke-hoach"))
        if (e.path().extension() == ".json") all.push_back({"ke-hoach-" + e.path().stem().string(), e.path().string()});
    all.push_back({"ke-hoach-template-example", t::source_dir() + "/templates/ke-hoach/example.json"});
    std::sort(all.begin(), all.end(), [](const Example& a, const Example& b) { return a.name < b.name; });
    return all;
}

TEST(OfficeOpens, EveryKeHoachExampleConvertsToPdfWithItsText) {
    const std::string dir = t::temp_dir();
    const std::string tools = t::shared_dir() + "/tools";
    for (const auto& ex : examples()) {
        SCOPED_TRACE(ex.name);
        const std::string docx = dir + "/" + ex.name + ".docx";
        std::string output;
        ASSERT_EQ(t::run_command(quote(VANBAN_CLI) + " render ke-hoach " + quote(ex.data) + " -o " + quote(docx), &output), 0)
            << output;
        ASSERT_EQ(t::run_command(quote(tools + "/office-to") + " pdf " + quote(docx) + " " + quote(dir), &output), 0) << output;
        const std::string pdf = dir + "/" + ex.name + ".pdf";
        ASSERT_TRUE(fs::exists(pdf)) << output;
        std::string text;
        ASSERT_EQ(t::run_command("pdftotext -enc UTF-8 " + quote(pdf) + " -", &text, false), 0);
        text = squeeze(text);
        json data = json::parse(t::read_file(ex.data));
        EXPECT_NE(text.find("KẾ HOẠCH"), std::string::npos);
        EXPECT_NE(text.find(squeeze(data.at("title").get<std::string>())), std::string::npos) << text.substr(0, 600);
        EXPECT_NE(text.find(squeeze(data.at("signer").at("name").get<std::string>())), std::string::npos);
    }
}

}  // namespace
