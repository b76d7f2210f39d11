// Every bundled example, rendered, is opened by a real office suite: vanban's PDF output runs LibreOffice, and the
// PDF's text holds the document's text. validate-office checks structure; this proves that an office program reads
// the result (a footnote reference without its footnote, for instance, passes the first and fails the second).
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/vn.hpp"
#include "test_support.hpp"

#ifndef VANBAN_CLI
#error "VANBAN_CLI must be defined (path of the vanban executable)"
#endif

namespace {

namespace fs = std::filesystem;
namespace t = vanban::test;
using nlohmann::json;

using vanban::test::quote;

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

// Text with every space and hyphen removed, NFC-normalised: LibreOffice breaks lines where it likes ("967/" |
// "KH-UBND"), and PDF text may come out decomposed. What is left must still match character for character.
std::string flat(const std::string& raw) {
    const std::string text = vanban::vn::nfc(raw);
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '-') continue;
        if (text.compare(i, 2, "\xC2\xA0") == 0 || text.compare(i, 2, "\xC2\xAD") == 0) {  // NBSP, soft hyphen
            ++i;
            continue;
        }
        out += c;
    }
    return out;
}

// The PDF's text in page order (pdftotext -layout keeps each page's lines top to bottom), without the page-number
// lines of the headers.
std::string pdf_text(const std::string& pdf) {
    std::string text;
    EXPECT_EQ(t::run_command("pdftotext -layout -enc UTF-8 " + quote(pdf) + " -", &text, false), 0);
    std::string kept;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        std::string digits = flat(line);
        bool page_number = !digits.empty() && digits.find_first_not_of("0123456789\f") == std::string::npos;
        if (!page_number) kept += line + "\n";
        start = end + 1;
    }
    return kept;
}

// Every body paragraph of the document, in order, appears in the PDF text; "" or the first one that does not.
std::string missing_in_order(const std::vector<std::string>& paragraphs, std::string pdf_flat,
                             const std::vector<std::string>& footnotes) {
    for (const auto& f : footnotes) {  // footnotes sit at the foot of a page, possibly inside a paragraph's text
        std::string ff = flat(f);
        if (auto p = pdf_flat.find(ff); !ff.empty() && p != std::string::npos) pdf_flat.erase(p, ff.size());
    }
    std::size_t pos = 0;
    for (const auto& para : paragraphs) {
        std::string want = flat(para);
        if (want.empty()) continue;
        std::size_t at = pdf_flat.find(want, pos);
        if (at == std::string::npos) return para;
        pos = at + want.size();
    }
    return {};
}

// The body text of a DOCX, outside tables (side-by-side table cells come out interleaved in a PDF's text).
std::vector<std::string> body_paragraphs(const std::string& docx) {
    std::string xml = t::read_zip(t::read_file(docx)).at("word/document.xml");
    // drop tables: their cells are checked by the header/signature assertions below
    for (std::size_t a = xml.find("<w:tbl>"); a != std::string::npos; a = xml.find("<w:tbl>")) {
        std::size_t depth = 0, p = a;
        do {
            std::size_t open = xml.find("<w:tbl>", p + 1), close = xml.find("</w:tbl>", p + 1);
            if (open != std::string::npos && open < close) {
                ++depth;
                p = open;
            } else {
                if (depth == 0) {
                    xml.erase(a, close + 8 - a);
                    break;
                }
                --depth;
                p = close;
            }
        } while (true);
    }
    // A footnote reference shows in the PDF as its number (1, 2, … in document order): put it in the expected text.
    int note = 0;
    for (std::size_t a = xml.find("<w:footnoteReference "); a != std::string::npos;
         a = xml.find("<w:footnoteReference ", a)) {
        std::size_t end = xml.find("/>", a) + 2;
        xml.replace(a, end - a, "<w:t>" + std::to_string(++note) + "</w:t>");
    }
    return t::paragraph_texts(xml);
}

// Every bundled KẾ HOẠCH example renders to PDF through vanban's own LibreOffice path (`-o x.pdf`), and the PDF holds
// the document's text in order; --pdf-a marks the file as PDF/A.
TEST(OfficeOpens, EveryKeHoachExampleRendersToPdfWithItsText) {
    const std::string dir = t::temp_dir();
    for (const auto& ex : examples()) {
        SCOPED_TRACE(ex.name);
        const std::string docx = dir + "/" + ex.name + ".docx", pdf = dir + "/" + ex.name + ".pdf";
        std::string output;
        ASSERT_EQ(
            t::run_command(quote(VANBAN_CLI) + " render ke-hoach " + quote(ex.data) + " -o " + quote(docx), &output), 0)
            << output;
        ASSERT_EQ(
            t::run_command(quote(VANBAN_CLI) + " render ke-hoach " + quote(ex.data) + " -o " + quote(pdf), &output), 0)
            << output;
        ASSERT_EQ(t::read_file(pdf).compare(0, 5, "%PDF-"), 0);
        const std::string text = pdf_text(pdf);
        const std::string squeezed = squeeze(text);
        json data = json::parse(t::read_file(ex.data));
        EXPECT_NE(squeezed.find("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), std::string::npos);
        EXPECT_NE(squeezed.find("KẾ HOẠCH"), std::string::npos);
        EXPECT_NE(squeezed.find(squeeze(data.at("signer").at("name").get<std::string>())), std::string::npos);
        auto parts = t::read_zip(t::read_file(docx));
        std::vector<std::string> footnotes;
        if (parts.count("word/footnotes.xml")) footnotes = t::paragraph_texts(parts["word/footnotes.xml"]);
        EXPECT_EQ(missing_in_order(body_paragraphs(docx), flat(text), footnotes), "");
        std::string fonts;
        ASSERT_EQ(t::run_command("pdffonts " + quote(pdf), &fonts, false), 0);
        EXPECT_EQ(fonts.find(" no "), std::string::npos) << "every font embedded:\n" << fonts;
    }
    const std::string pdfa = dir + "/pdfa.pdf";
    std::string output;
    ASSERT_EQ(t::run_command(quote(VANBAN_CLI) + " render ke-hoach " + quote(examples().front().data) + " -o " +
                                 quote(pdfa) + " --pdf-a",
                             &output),
              0)
        << output;
    EXPECT_NE(t::read_file(pdfa).find("pdfaid:part"), std::string::npos) << "PDF/A identification in the XMP metadata";
}

}  // namespace
