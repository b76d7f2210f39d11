// End-to-end tests of the ODT variant of the KẾ HOẠCH template (templates/ke-hoach/odt): the four seed examples and
// the starting example (phụ lục, task tables, footnotes) are rendered with the real CLI to DOCX and to ODT; both are
// validated (the ODT against the ODF 1.3 RelaxNG schema with jing), and the ODT's visible text must equal the DOCX's
// paragraph by paragraph (the DOCX text is compared with the seeds in kehoach_test.cpp, so the ODT matches the seeds
// too), footnotes included; once through LibreOffice. The decree typography is read back from styles.xml.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "vanban/vanban.hpp"

#ifndef VANBAN_CLI
#error "VANBAN_CLI must be defined (path of the vanban executable)"
#endif

namespace {

namespace t = vanban::test;
using Texts = std::vector<std::string>;

constexpr const char* kOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
constexpr const char* kStyle = "urn:oasis:names:tc:opendocument:xmlns:style:1.0";
constexpr const char* kText = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
constexpr const char* kTable = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
constexpr const char* kFo = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0";
constexpr const char* kW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

const xmlChar* xc(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

using vanban::test::quote;
const std::vector<std::string>& examples() {
    static const std::vector<std::string> ids{"000", "002", "003", "004", "example"};
    return ids;
}

std::string data_path(const std::string& id) {
    return id == "example" ? t::source_dir() + "/templates/ke-hoach/example.json"
                           : t::source_dir() + "/examples/ke-hoach/" + id + ".json";
}

// Renders example `id` with the ODT or DOCX template into a shared temporary directory, once per format.
std::string rendered(const std::string& id, const std::string& format) {
    static const std::string dir = t::temp_dir();
    static std::map<std::string, std::string> done;
    const std::string key = id + "." + format;
    if (auto it = done.find(key); it != done.end()) return it->second;
    const std::string out = dir + "/" + key;
    std::string output;
    const int rc =
        t::run_command(quote(VANBAN_CLI) + " render " + quote(t::source_dir() + "/templates/ke-hoach/" + format) + " " +
                           quote(data_path(id)) + " -o " + quote(out),
                       &output);
    EXPECT_EQ(rc, 0) << "vanban render " << key << " failed:\n" << output;
    done[key] = out;
    return out;
}

struct XmlDoc {
    std::unique_ptr<xmlDoc, void (*)(xmlDoc*)> doc{nullptr, xmlFreeDoc};
    std::unique_ptr<xmlXPathContext, void (*)(xmlXPathContext*)> ctx{nullptr, xmlXPathFreeContext};

    explicit XmlDoc(const std::string& xml) {
        doc.reset(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "part.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
        if (!doc) throw std::runtime_error("not well-formed XML");
        ctx.reset(xmlXPathNewContext(doc.get()));
        for (auto [prefix, href] : {std::pair{"office", kOffice},
                                    {"style", kStyle},
                                    {"text", kText},
                                    {"table", kTable},
                                    {"fo", kFo},
                                    {"w", kW}})
            xmlXPathRegisterNs(ctx.get(), xc(prefix), xc(href));
    }
    std::vector<xmlNode*> nodes(const std::string& xpath, xmlNode* from = nullptr) const {
        ctx->node = from ? from : xmlDocGetRootElement(doc.get());
        std::unique_ptr<xmlXPathObject, void (*)(xmlXPathObject*)> result(
            xmlXPathEvalExpression(xc(xpath.c_str()), ctx.get()), xmlXPathFreeObject);
        std::vector<xmlNode*> out;
        if (result && result->nodesetval)
            for (int k = 0; k < result->nodesetval->nodeNr; ++k) out.push_back(result->nodesetval->nodeTab[k]);
        return out;
    }
    xmlNode* node(const std::string& xpath, xmlNode* from = nullptr) const {
        auto all = nodes(xpath, from);
        return all.empty() ? nullptr : all.front();
    }
};

std::optional<std::string> attr(xmlNode* n, const char* name, const char* ns) {
    if (!n) return std::nullopt;
    xmlChar* v = xmlGetNsProp(n, xc(name), xc(ns));
    if (!v) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return s;
}

// A length in pt ("14pt", "28.35pt", "10mm").
double points(const std::string& length) {
    const double v = std::stod(length);
    if (length.ends_with("mm")) return v * 72.0 / 25.4;
    if (length.ends_with("cm")) return v * 72.0 / 2.54;
    if (length.ends_with("in")) return v * 72.0;
    return v;
}

// The effective value of a style property: the named style, its parents, then the default style of its family.
struct Styles {
    XmlDoc styles;
    XmlDoc content;
    Styles(const std::string& styles_xml, const std::string& content_xml) : styles(styles_xml), content(content_xml) {}

    xmlNode* find(const std::string& name) const {
        for (const XmlDoc* d : {&content, &styles})
            for (xmlNode* s : d->nodes("//style:style"))
                if (attr(s, "name", kStyle) == name) return s;
        return nullptr;
    }
    std::optional<std::string> get(const std::string& style, const char* props, const char* name,
                                   const char* ns) const {
        std::string current = style;
        for (int guard = 0; guard < 20 && !current.empty(); ++guard) {
            xmlNode* s = find(current);
            if (!s) break;
            const XmlDoc& d = s->doc == content.doc.get() ? content : styles;
            if (auto v = attr(d.node(std::string("style:") + props, s), name, ns)) return v;
            current = attr(s, "parent-style-name", kStyle).value_or("");
        }
        xmlNode* def = styles.node("//style:default-style[@style:family='paragraph']");
        return attr(styles.node(std::string("style:") + props, def), name, ns);
    }
    double size(const std::string& style) const {
        return points(get(style, "text-properties", "font-size", kFo).value());
    }
    bool bold(const std::string& style) const { return get(style, "text-properties", "font-weight", kFo) == "bold"; }
    bool italic(const std::string& style) const { return get(style, "text-properties", "font-style", kFo) == "italic"; }
    std::string align(const std::string& style) const {
        return get(style, "paragraph-properties", "text-align", kFo).value_or("start");
    }
};

class OdtKeHoach : public ::testing::TestWithParam<std::string> {};

// validate-office: mimetype first and stored, manifest complete, content/styles/meta valid against ODF 1.3 RelaxNG
// (strict conformance: the template uses no foreign markup); the DOCX of the same data passes its package checks.
TEST_P(OdtKeHoach, ValidOpenDocument) {
    const std::string odt = rendered(GetParam(), "odt");
    std::string output;
    EXPECT_EQ(t::run_command(quote(t::tools_dir() + "/validate-office") + " --strict " + quote(odt), &output), 0)
        << output;
    EXPECT_NE(output.find("OK"), std::string::npos) << output;
    const std::string docx = rendered(GetParam(), "docx");
    EXPECT_EQ(t::validate_office(docx, "--no-schema"), "");
}

// The same visible text as the DOCX rendering of the same data, paragraph by paragraph (empty paragraphs — rules and
// the DOCX's section-break paragraphs — left out), and the same footnotes.
TEST_P(OdtKeHoach, SameTextAsDocx) {
    const auto odt = t::read_zip(t::read_file(rendered(GetParam(), "odt")));
    const auto docx = t::read_zip(t::read_file(rendered(GetParam(), "docx")));
    const Texts odt_text = t::non_empty(t::odt_paragraph_texts(odt.at("content.xml")));
    const Texts docx_text = t::non_empty(t::paragraph_texts(docx.at("word/document.xml")));
    EXPECT_GT(odt_text.size(), 20u);
    EXPECT_EQ(odt_text, docx_text) << t::first_difference(odt_text, docx_text);
    EXPECT_EQ(t::odt_note_texts(odt.at("content.xml")), t::docx_footnote_texts(docx));
}

INSTANTIATE_TEST_SUITE_P(Examples, OdtKeHoach, ::testing::ValuesIn(examples()),
                         [](const auto& param_info) { return "ex_" + param_info.param; });

// The rules under the agency name, the Tiêu ngữ, the trích yếu (and each phụ lục title) have the lengths the DOCX
// computes: the DOCX KHRule paragraph indents (twips) equal the ODT automatic styles' margins (pt × 20).
TEST(OdtKeHoachLayout, RulesHaveTheDocxLengths) {
    for (const std::string id : {"003", "example"}) {
        const auto odt = t::read_zip(t::read_file(rendered(id, "odt")));
        const auto docx = t::read_zip(t::read_file(rendered(id, "docx")));
        XmlDoc doc(docx.at("word/document.xml"));
        std::vector<double> docx_indents;
        for (xmlNode* p : doc.nodes("//w:p[w:pPr/w:pStyle[@w:val='KHRule' or @w:val='KHTrichYeuRule']]")) {
            xmlNode* ind = doc.node("w:pPr/w:ind", p);
            docx_indents.push_back(std::stod(attr(ind, "left", kW).value()));
            EXPECT_EQ(attr(ind, "left", kW), attr(ind, "right", kW));
        }
        const Styles styles(odt.at("styles.xml"), odt.at("content.xml"));
        std::vector<double> odt_margins;
        // Rule paragraphs: a KHRule… style, or one made their own by {% indent %} (its parent a rule style).
        for (
            xmlNode* p : styles.content.nodes(
                "//office:body//text:p[starts-with(@text:style-name, 'KHRule') or @text:style-name = "
                "//style:style[@style:parent-style-name='KHRule' or @style:parent-style-name='KHTrichYeuRule']/@style:name]")) {
            const std::string name = attr(p, "style-name", kText).value();
            const double left = points(styles.get(name, "paragraph-properties", "margin-left", kFo).value());
            EXPECT_EQ(styles.get(name, "paragraph-properties", "margin-left", kFo),
                      styles.get(name, "paragraph-properties", "margin-right", kFo));
            EXPECT_TRUE(styles.get(name, "paragraph-properties", "border-bottom", kFo).has_value()) << name;
            odt_margins.push_back(left * 20.0);
        }
        ASSERT_EQ(odt_margins.size(), docx_indents.size()) << id;
        for (std::size_t i = 0; i < odt_margins.size(); ++i)
            EXPECT_NEAR(odt_margins[i], docx_indents[i], 0.01) << id << " rule " << i;
    }
}

// Decree typography (shared/specs/nd30-layout.md) read back from the rendered ODT.
TEST(OdtKeHoachLayout, DecreeTypography) {
    const auto odt = t::read_zip(t::read_file(rendered("003", "odt")));
    const Styles s(odt.at("styles.xml"), odt.at("content.xml"));
    // Times New Roman everywhere, body 14 pt justified, first line 1 cm, 6 pt before.
    xmlNode* def = s.styles.node("//style:default-style[@style:family='paragraph']/style:text-properties");
    EXPECT_EQ(attr(def, "font-name", kStyle), "Times New Roman");
    EXPECT_NE(s.styles.node("//style:font-face[@style:name='Times New Roman']"), nullptr);
    EXPECT_DOUBLE_EQ(s.size("KHBody"), 14.0);
    EXPECT_EQ(s.align("KHBody"), "justify");
    EXPECT_NEAR(points(s.get("KHBody", "paragraph-properties", "text-indent", kFo).value()), 28.35, 0.01);
    EXPECT_NEAR(points(s.get("KHBody", "paragraph-properties", "margin-top", kFo).value()), 6.0, 0.01);
    for (const char* level : {"KHMuc", "KHKhoan", "KHDecimal", "KHDiem", "KHCanCu"}) {
        EXPECT_EQ(s.align(level), "justify") << level;
        EXPECT_NEAR(points(s.get(level, "paragraph-properties", "text-indent", kFo).value()), 28.35, 0.01) << level;
    }
    EXPECT_TRUE(s.italic("KHCanCu"));
    // Header block: Quốc hiệu 13 bold, Tiêu ngữ 14 bold, agency 13 (issuing agency bold), Số 13, date 14 italic.
    EXPECT_DOUBLE_EQ(s.size("KHQuocHieu"), 13.0);
    EXPECT_TRUE(s.bold("KHQuocHieu"));
    EXPECT_DOUBLE_EQ(s.size("KHTieuNgu"), 14.0);
    EXPECT_TRUE(s.bold("KHTieuNgu"));
    EXPECT_DOUBLE_EQ(s.size("KHCoQuanChuQuan"), 13.0);
    EXPECT_FALSE(s.bold("KHCoQuanChuQuan"));
    EXPECT_TRUE(s.bold("KHCoQuan"));
    EXPECT_DOUBLE_EQ(s.size("KHSo"), 13.0);
    EXPECT_DOUBLE_EQ(s.size("KHDiaDanh"), 14.0);
    EXPECT_TRUE(s.italic("KHDiaDanh"));
    // KẾ HOẠCH and trích yếu 14 bold centred; Nơi nhận 12 bold italic, items 11; signer 14 bold.
    for (const char* st : {"KHTenLoai", "KHTrichYeu", "KHQuyenHan", "KHNguoiKy", "KHPhuLucSo"}) {
        EXPECT_DOUBLE_EQ(s.size(st), 14.0) << st;
        EXPECT_TRUE(s.bold(st)) << st;
        EXPECT_EQ(s.align(st), "center") << st;
    }
    EXPECT_DOUBLE_EQ(s.size("KHNoiNhanLabel"), 12.0);
    EXPECT_TRUE(s.bold("KHNoiNhanLabel"));
    EXPECT_TRUE(s.italic("KHNoiNhanLabel"));
    EXPECT_DOUBLE_EQ(s.size("KHNoiNhan"), 11.0);
    // Numbered headings use the named styles of the outline filter; "I. …" and "1. …" heads are bold.
    EXPECT_FALSE(s.content.nodes("//text:p[@text:style-name='KHMuc']/text:span[@text:style-name='KHMucHead']").empty());
    EXPECT_FALSE(
        s.content.nodes("//text:p[@text:style-name='KHKhoan']/text:span[@text:style-name='KHKhoanHead']").empty());
    EXPECT_TRUE(s.bold("KHMucHead"));
    EXPECT_TRUE(s.bold("KHKhoanHead"));
    // A4, margins 25/20/35/20 mm on the first page; later pages put the header 10 mm from the top and the text 25 mm.
    xmlNode* first = s.styles.node("//style:page-layout[@style:name='KHPageFirst']/style:page-layout-properties");
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(attr(first, "page-width", kFo), "210mm");
    EXPECT_EQ(attr(first, "page-height", kFo), "297mm");
    EXPECT_EQ(attr(first, "margin-top", kFo), "25mm");
    EXPECT_EQ(attr(first, "margin-bottom", kFo), "20mm");
    EXPECT_EQ(attr(first, "margin-left", kFo), "35mm");
    EXPECT_EQ(attr(first, "margin-right", kFo), "20mm");
    xmlNode* page = s.styles.node("//style:page-layout[@style:name='KHPage']");
    xmlNode* hf = s.styles.node("style:header-style/style:header-footer-properties", page);
    // The header's height includes its spacing to the text (LibreOffice lays it out so: a 10 mm header with 5 mm
    // spacing put the text at 20 mm, 5 mm above the DOCX's; tests/layout/pdf_layout_check.py measures the PDFs).
    const double top = points(attr(s.styles.node("style:page-layout-properties", page), "margin-top", kFo).value()) +
                       points(attr(hf, "min-height", kFo).value());
    EXPECT_NEAR(top, 25.0 * 72.0 / 25.4, 0.01);
    EXPECT_LT(points(attr(hf, "margin-bottom", kFo).value()), points(attr(hf, "min-height", kFo).value()));
}

// Page numbers: none on the first page (master page KHFirst, no header) and from page 2 on a centred page-number field
// (KHFirst → Standard); each phụ lục starts on a KHFirst page again with numbering restarting at 1.
TEST(OdtKeHoachLayout, PageNumbersFromPageTwoAndPerAppendix) {
    const auto odt = t::read_zip(t::read_file(rendered("example", "odt")));
    const Styles s(odt.at("styles.xml"), odt.at("content.xml"));
    xmlNode* first = s.styles.node("//style:master-page[@style:name='KHFirst']");
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(attr(first, "next-style-name", kStyle), "Standard");
    EXPECT_EQ(s.styles.node("style:header", first), nullptr);
    xmlNode* standard = s.styles.node("//style:master-page[@style:name='Standard']");
    xmlNode* number = s.styles.node("style:header/text:p/text:page-number", standard);
    ASSERT_NE(number, nullptr);
    EXPECT_EQ(s.align(attr(number->parent, "style-name", kText).value()), "center");
    // the body starts with the header table, on the first-page master
    xmlNode* body_first = s.content.node("//office:text/*[1]");
    ASSERT_TRUE(body_first && std::string(reinterpret_cast<const char*>(body_first->name)) == "table");
    const std::string table_style = attr(body_first, "style-name", kTable).value();
    EXPECT_EQ(attr(s.find(table_style), "master-page-name", kStyle), "KHFirst");
    // two phụ lục, each on a new KHFirst page numbered from 1
    const auto starts = s.content.nodes("//office:text/text:p[starts-with(., 'Phụ lục')]");
    ASSERT_EQ(starts.size(), 2u);
    for (xmlNode* p : starts) {
        const std::string st = attr(p, "style-name", kText).value();
        EXPECT_EQ(attr(s.find(st), "master-page-name", kStyle), "KHFirst");
        EXPECT_EQ(s.get(st, "paragraph-properties", "page-number", kStyle), "1");
    }
    // one task table per phụ lục (a table repeated by a loop keeps its name: LibreOffice renames the second one when
    // it opens the document; a tag in table:name would not survive LibreOffice saving the template)
    const auto tables = s.content.nodes("//table:table[starts-with(@table:name, 'KHPhuLuc')]");
    ASSERT_EQ(tables.size(), 2u);
    EXPECT_EQ(s.content.nodes("//table:table-header-rows").size(), 2u);
}

// Through LibreOffice: the ODT opens and its text is the DOCX's text (non-empty lines).
TEST(OdtKeHoachLibreOffice, SameTextAsDocx) {
    std::string odt_text, docx_text;
    ASSERT_EQ(
        t::run_command(quote(t::tools_dir() + "/office-text") + " " + quote(rendered("000", "odt")), &odt_text, false),
        0);
    ASSERT_EQ(t::run_command(quote(t::tools_dir() + "/office-text") + " " + quote(rendered("000", "docx")), &docx_text,
                             false),
              0);
    auto lines = [](const std::string& text) {
        Texts out;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);)
            if (line.find_first_not_of(" \t") != std::string::npos) out.push_back(line);
        return out;
    };
    const Texts a = lines(odt_text), b = lines(docx_text);
    EXPECT_GT(a.size(), 20u);
    EXPECT_EQ(a, b) << t::first_difference(a, b);
}

// docxtpl's RichText properties, hyperlinks, \a and \f in an ODT template: every look is an automatic text style of
// the part that shows it (one per distinct look, named by the render), links are text:a, \a starts a paragraph of the
// same style and \f one whose style breaks the page. The output is valid ODF 1.3 (jing) and every style resolves.
TEST(OdtRichText, EveryPropertyLinkAndBreakIsWritten) {
    const std::string body =
        "<text:p text:style-name=\"P\">A {{r x }} Z</text:p>"
        "<text:p text:style-name=\"P1\">{{ y }}</text:p>"
        "<text:p text:style-name=\"P\"><text:span text:style-name=\"Strong\">B {{ z }} C</text:span></text:p>"
        "<text:p text:style-name=\"P\"><text:span text:style-name=\"vanban_rt1\">xanh</text:span></text:p>";
    const std::string automatic =
        "<style:style style:name=\"P1\" style:family=\"paragraph\" style:parent-style-name=\"P\">"
        "<style:paragraph-properties fo:text-align=\"center\"/></style:style>"
        "<style:style style:name=\"vanban_rt1\" style:family=\"text\"><style:text-properties fo:color=\"#00ff00\"/></style:style>";
    const std::string header = "<style:header><text:p text:style-name=\"Header\">{{r h }}</text:p></style:header>";
    const nlohmann::json data = nlohmann::json::parse(R"({
      "x": {"rich": [
        {"text": "đỏ", "color": "#FF0000"}, "|", {"text": "cỡ14", "size": 14}, "|", {"text": "Arial", "font": "Arial"}, "|",
        {"text": "Mincho", "font": "eastAsia:MS Mincho"}, "|", {"text": "vàng", "highlight": "yellow"}, "|",
        {"text": "gạchđôi", "underline": "double"}, "|", {"text": "sóng", "underline": "wave"}, "|",
        {"text": "xoá", "strike": true}, "|", {"text": "dưới", "subscript": true}, "|", {"text": "trên", "superscript": true}, "|",
        {"text": "kiểu", "style": "Strong"}, "|",
        {"text": "tấtcả", "color": "0000ff", "size": 10.5, "bold": true, "underline": "dotted", "highlight": "darkBlue"}, "|",
        {"text": "lạiđỏ", "color": "#FF0000"}, "|", {"text": "Cổng", "url": "https://chinhphu.vn/?a=1&b=2", "color": "#FF0000"},
        {"text": "sau\u0007đoạn mới"}]},
      "y": "một\u0007hai\fba",
      "z": "x\u0007y",
      "h": [{"text": "đầu", "color": "00FF00", "url": "mailto:vanthu@example.gov.vn"}]})");
    const std::string out = vanban::Template::from_bytes(t::make_odt(body, header, automatic), "t.odt").render(data);
    const std::string dir = t::temp_dir();
    t::write_file(dir + "/rich.odt", out);
    std::string output;
    EXPECT_EQ(
        t::run_command(quote(t::tools_dir() + "/validate-office") + " --strict " + quote(dir + "/rich.odt"), &output),
        0)
        << output;
    const auto parts = t::read_zip(out);
    const std::string& content = parts.at("content.xml");
    const Styles styles(parts.at("styles.xml"), content);

    // Paragraphs: \a keeps the paragraph's style (and the span the tag stood in), \f breaks the page.
    EXPECT_EQ(t::odt_paragraph_texts(content),
              (Texts{"A đỏ|cỡ14|Arial|Mincho|vàng|gạchđôi|sóng|xoá|dưới|trên|kiểu|tấtcả|lạiđỏ|Cổngsau", "đoạn mới Z",
                     "một", "hai", "ba", "B x", "y C", "xanh"}));
    const auto paragraphs = styles.content.nodes("//office:text/text:p");
    ASSERT_EQ(paragraphs.size(), 8u);
    const auto style_of = [&](xmlNode* n) { return attr(n, "style-name", kText).value_or(""); };
    EXPECT_EQ(style_of(paragraphs[1]), "P");
    EXPECT_EQ(style_of(paragraphs[3]), "P1");
    EXPECT_EQ(styles.get(style_of(paragraphs[4]), "paragraph-properties", "break-before", kFo), "page");
    EXPECT_EQ(styles.align(style_of(paragraphs[4])), "center");  // a copy of P1
    EXPECT_FALSE(styles.get(style_of(paragraphs[3]), "paragraph-properties", "break-before", kFo).has_value());
    EXPECT_EQ(style_of(styles.content.node("text:span", paragraphs[6])), "Strong");

    // Every span's style resolves, with the property asked for.
    const auto span = [&](const std::string& text) {
        for (xmlNode* n : styles.content.nodes("//text:span")) {
            xmlChar* v = xmlNodeGetContent(n);
            const bool same = text == reinterpret_cast<const char*>(v);
            xmlFree(v);
            if (same) return attr(n, "style-name", kText).value_or("(none)");
        }
        return std::string("(missing)");
    };
    for (xmlNode* n : styles.content.nodes("//text:span"))
        EXPECT_NE(styles.find(attr(n, "style-name", kText).value_or("")), nullptr)
            << attr(n, "style-name", kText).value_or("");
    const auto text_prop = [&](const std::string& text, const char* name, const char* ns = kFo) {
        return styles.get(span(text), "text-properties", name, ns).value_or("(unset)");
    };
    EXPECT_EQ(text_prop("đỏ", "color"), "#FF0000");
    EXPECT_EQ(text_prop("cỡ14", "font-size"), "14pt");
    EXPECT_EQ(text_prop("Arial", "font-family"), "Arial");
    EXPECT_EQ(text_prop("Mincho", "font-family-asian", kStyle), "'MS Mincho'");
    EXPECT_EQ(text_prop("vàng", "background-color"), "#ffff00");
    EXPECT_EQ(text_prop("gạchđôi", "text-underline-type", kStyle), "double");
    EXPECT_EQ(text_prop("sóng", "text-underline-style", kStyle), "wave");
    EXPECT_EQ(text_prop("xoá", "text-line-through-style", kStyle), "solid");
    EXPECT_EQ(text_prop("dưới", "text-position", kStyle), "sub 58%");
    EXPECT_EQ(text_prop("trên", "text-position", kStyle), "super 58%");
    EXPECT_TRUE(styles.bold(span("kiểu")));  // the character style Strong, as the automatic style's parent
    EXPECT_EQ(text_prop("tấtcả", "color"), "#0000ff");
    EXPECT_EQ(text_prop("tấtcả", "font-size"), "10.5pt");
    EXPECT_EQ(text_prop("tấtcả", "font-weight"), "bold");
    EXPECT_EQ(text_prop("tấtcả", "text-underline-style", kStyle), "dotted");
    EXPECT_EQ(text_prop("tấtcả", "background-color"), "#000080");
    EXPECT_EQ(text_prop("xanh", "color"), "#00ff00");  // the template's own style kept its look under a new name
    // One style per distinct look, shared: "đỏ", "lạiđỏ" and the link.
    EXPECT_EQ(span("đỏ"), span("lạiđỏ"));
    EXPECT_EQ(span("đỏ"), span("Cổng"));
    EXPECT_NE(span("đỏ"), span("cỡ14"));

    // The link.
    const auto links = styles.content.nodes("//text:a");
    ASSERT_EQ(links.size(), 1u);
    EXPECT_EQ(attr(links[0], "href", "http://www.w3.org/1999/xlink"), "https://chinhphu.vn/?a=1&b=2");
    xmlChar* link_text = xmlNodeGetContent(links[0]);
    EXPECT_STREQ(reinterpret_cast<const char*>(link_text), "Cổng");
    xmlFree(link_text);
    // In a header: its styles and link are in styles.xml.
    const auto header_links = styles.styles.nodes("//text:a");
    ASSERT_EQ(header_links.size(), 1u);
    EXPECT_EQ(attr(header_links[0], "href", "http://www.w3.org/1999/xlink"), "mailto:vanthu@example.gov.vn");
    const std::string header_style = attr(styles.styles.node("//text:a/text:span"), "style-name", kText).value_or("");
    xmlNode* header_definition = nullptr;  // (in styles.xml's own automatic styles: content.xml's are not seen there)
    for (xmlNode* n : styles.styles.nodes("//office:automatic-styles/style:style"))
        if (attr(n, "name", kStyle) == header_style) header_definition = n;
    ASSERT_NE(header_definition, nullptr) << header_style;
    EXPECT_EQ(attr(styles.styles.node("style:text-properties", header_definition), "color", kFo), "#00FF00");
}

// Where the tag's text is inside a link, \a and a link are errors naming the tag, never broken XML.
TEST(OdtRichText, NoBreakOrLinkInsideALink) {
    const std::string odt =
        t::make_odt("<text:p><text:a xlink:type=\"simple\" xlink:href=\"https://a.vn\">{{r x }}</text:a></text:p>");
    const auto template_ = vanban::Template::from_bytes(odt, "t.odt");
    for (const auto& [x, code] : std::vector<std::pair<nlohmann::json, std::string>>{
             {nlohmann::json("a\u0007b"), "data.paragraph_break"},
             {nlohmann::json::parse(R"([{"text": "a", "url": "https://b.vn"}])"), "data.hyperlink_place"}}) {
        try {
            template_.render(nlohmann::json{{"x", x}});
            ADD_FAILURE() << "rendered " << x.dump();
        } catch (const vanban::Error& e) {
            ASSERT_EQ(e.diagnostics().size(), 1u);
            EXPECT_EQ(e.diagnostics()[0].code, code);
            EXPECT_EQ(e.diagnostics()[0].tag, "{{r x }}");
            EXPECT_FALSE(e.diagnostics()[0].message_vi.empty());
        }
    }
}

}  // namespace
