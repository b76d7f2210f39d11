// End-to-end tests of the bundled award-form templates (templates/bao-cao-thanh-tich*, docs/award-forms.md): each
// form's example validates against the shared record schema and renders with the real CLI into a DOCX that passes
// validate-office and an ODT that passes validate-office --strict (ODF 1.3 RelaxNG); the text of both holds every fixed
// [V] line of shared/specs/award-forms.md for that form (typed in below by hand, verbatim), and the ODT's text equals
// the DOCX's paragraph by paragraph, footnotes included; the award-history tables carry their headers and an empty
// history prints one empty row; the two signature blocks stand side by side in one table row; footnotes are real
// footnotes; the report date picks the decree at the boundaries 2023-12-31 / 2024-01-01 / 2025-06-30 / 2025-07-01;
// LibreOffice opens one form of each format.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
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

using nlohmann::json;
namespace t = vanban::test;
namespace fs = std::filesystem;
using Texts = std::vector<std::string>;

constexpr const char* kW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr const char* kTable = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
constexpr const char* kText = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";

const xmlChar* xc(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
using vanban::test::quote;
std::string cli() { return quote(VANBAN_CLI); }
// The five bundled forms (docs/award-forms.md §1).
const std::vector<std::string>& forms() {
    static const std::vector<std::string> names{"bao-cao-thanh-tich", "bao-cao-thanh-tich-ca-nhan",
                                                "bao-cao-thanh-tich-tap-the", "bao-cao-thanh-tich-chuyen-de-ca-nhan",
                                                "bao-cao-thanh-tich-chuyen-de-tap-the"};
    return names;
}
std::string example_path(const std::string& form) {
    return t::source_dir() + "/examples/award-forms/" + form + ".json";
}
json example(const std::string& form) { return json::parse(t::read_file(example_path(form))); }

struct Rendered {
    int rc = -1;
    std::string output;  // the CLI's messages
    std::string path;    // the .docx
    std::map<std::string, std::string> parts;
    Texts texts;  // paragraphs of word/document.xml
};

// The first paragraph that holds text: the DOCX opens with an empty hairline paragraph (KHDauTrang), which keeps
// LibreOffice from moving the header table down when the first page has a footnote.
std::string first_text(const Texts& texts) {
    for (const auto& text : texts)
        if (!text.empty()) return text;
    return {};
}

// Text with its no-break spaces as plain ones: centred titles are set in balanced lines whose words are glued with
// no-break spaces (filter balance); the wording is what these tests check.
std::string plain_spaces(std::string text) {
    for (std::size_t at = text.find("\xC2\xA0"); at != std::string::npos; at = text.find("\xC2\xA0", at))
        text.replace(at, 2, " ");
    return text;
}

// Renders `data` with the bundled template `form` through the CLI, as a DOCX or (format "odt") an ODT.
Rendered render(const std::string& form, const json& data, const std::string& name,
                const std::string& format = "docx") {
    Rendered r;
    const std::string dir = t::temp_dir();
    const std::string data_path = dir + "/" + name + ".json";
    t::write_file(data_path, data.dump(2));
    r.path = dir + "/" + name + "." + format;
    r.rc =
        t::run_command(cli() + " render " + quote(form) + " " + quote(data_path) + " -o " + quote(r.path), &r.output);
    if (r.rc != 0) return r;
    r.parts = t::read_zip(t::read_file(r.path));
    r.texts = format == "odt" ? t::odt_paragraph_texts(r.parts.at("content.xml"))
                              : t::paragraph_texts(r.parts.at("word/document.xml"));
    for (auto& text : r.texts) text = plain_spaces(text);
    return r;
}

bool has(const Texts& texts, const std::string& line) {
    return std::find(texts.begin(), texts.end(), line) != texts.end();
}
bool has_prefix(const Texts& texts, const std::string& prefix) {
    return std::any_of(texts.begin(), texts.end(), [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
}
std::string dump(const Texts& texts) {
    std::string s;
    for (const auto& x : texts) s += "  | " + x + "\n";
    return s;
}

// XPath over one XML part.
class Xml {
public:
    explicit Xml(const std::string& xml)
        : doc_(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "part.xml", nullptr, XML_PARSE_NONET),
               xmlFreeDoc),
          ctx_(nullptr, xmlXPathFreeContext) {
        if (doc_) {
            ctx_.reset(xmlXPathNewContext(doc_.get()));
            xmlXPathRegisterNs(ctx_.get(), xc("w"), xc(kW));
            xmlXPathRegisterNs(ctx_.get(), xc("table"), xc(kTable));
            xmlXPathRegisterNs(ctx_.get(), xc("text"), xc(kText));
            xmlXPathRegisterNs(ctx_.get(), xc("office"), xc("urn:oasis:names:tc:opendocument:xmlns:office:1.0"));
            xmlXPathRegisterNs(ctx_.get(), xc("style"), xc("urn:oasis:names:tc:opendocument:xmlns:style:1.0"));
            xmlXPathRegisterNs(ctx_.get(), xc("fo"), xc("urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"));
        }
    }
    bool ok() const { return doc_ != nullptr; }
    std::vector<xmlNode*> nodes(const std::string& xpath, xmlNode* from = nullptr) const {
        std::vector<xmlNode*> out;
        ctx_->node = from ? from : xmlDocGetRootElement(doc_.get());
        std::unique_ptr<xmlXPathObject, void (*)(xmlXPathObject*)> result(
            xmlXPathEvalExpression(xc(xpath.c_str()), ctx_.get()), xmlXPathFreeObject);
        if (result && result->nodesetval)
            for (int i = 0; i < result->nodesetval->nodeNr; ++i) out.push_back(result->nodesetval->nodeTab[i]);
        return out;
    }
    // The text of every w:t below `node`, paragraphs joined by '\n'.
    std::string text(xmlNode* node) const {
        std::string s;
        for (xmlNode* p : nodes("descendant-or-self::w:p", node)) {
            if (!s.empty()) s += "\n";
            for (xmlNode* tn : nodes(".//w:t", p)) {
                xmlChar* c = xmlNodeGetContent(tn);
                s += plain_spaces(reinterpret_cast<const char*>(c));
                xmlFree(c);
            }
        }
        return s;
    }
    // The value of an attribute reached by `xpath` ("" when there is none).
    std::string value(const std::string& xpath) const {
        ctx_->node = xmlDocGetRootElement(doc_.get());
        std::unique_ptr<xmlXPathObject, void (*)(xmlXPathObject*)> result(
            xmlXPathEvalExpression(xc(("string(" + xpath + ")").c_str()), ctx_.get()), xmlXPathFreeObject);
        return result && result->stringval ? reinterpret_cast<const char*>(result->stringval) : "";
    }
    // The same for an OpenDocument table cell: its text:p joined by '\n'.
    std::string odt_text(xmlNode* node) const {
        std::string s;
        for (xmlNode* p : nodes(".//text:p", node)) {
            if (!s.empty()) s += "\n";
            xmlChar* c = xmlNodeGetContent(p);
            s += reinterpret_cast<const char*>(c);
            xmlFree(c);
        }
        return s;
    }

private:
    std::unique_ptr<xmlDoc, void (*)(xmlDoc*)> doc_;
    std::unique_ptr<xmlXPathContext, void (*)(xmlXPathContext*)> ctx_;
};

// ----- the fixed lines of the spec, verbatim --------------------------------------------------------------------------

// Header, title (§3 lines 3–5, §4 lines 2–4): [V] for every form.
const Texts kHeaderLines{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO THÀNH TÍCH"};

// §3 individual report: fixed lines that stand alone.
const Texts kIndividualLines{"I. SƠ LƯỢC LÝ LỊCH",
                             "II. THÀNH TÍCH ĐẠT ĐƯỢC",
                             "1. Quyền hạn, nhiệm vụ được giao hoặc đảm nhận:",
                             "2. Thành tích đạt được của cá nhân:",
                             "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG",
                             "1. Danh hiệu thi đua:",
                             "2. Hình thức khen thưởng:",
                             "NGƯỜI BÁO CÁO THÀNH TÍCH",
                             "(Ký, ghi rõ họ và tên)",
                             "(Ký, đóng dấu)"};
// §3 individual report: labelled lines ("label" + value).
const Texts kIndividualLabels{"- Họ tên (Ghi đầy đủ bằng chữ in thường, không viết tắt): ",
                              "- Sinh ngày, tháng, năm: ",
                              "- Quê quán: ",
                              "- Trú quán: ",
                              "- Đơn vị công tác: ",
                              "- Chức vụ (Đảng, chính quyền, đoàn thể): ",
                              "- Trình độ chuyên môn, nghiệp vụ: ",
                              "- Học hàm, học vị, danh hiệu, giải thưởng: "};

// §4 collective report.
const Texts kCollectiveLines{"I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH",
                             "1. Đặc điểm, tình hình:",
                             "II. THÀNH TÍCH ĐẠT ĐƯỢC",
                             "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG",
                             "1. Danh hiệu thi đua:",
                             "2. Hình thức khen thưởng:",
                             "(Ký, đóng dấu)"};
const Texts kCollectiveLabels{
    "- Địa điểm trụ sở chính, điện thoại, fax; địa chỉ trang tin điện tử: ", "- Quá trình thành lập và phát triển: ",
    "- Những đặc điểm chính của đơn vị, địa phương (về điều kiện tự nhiên, xã hội, cơ cấu tổ chức, cơ sở vật chất), các tổ "
    "chức đảng, đoàn thể: ",
    "2. Chức năng, nhiệm vụ: "};

// T1 and T2 column headers (§3).
const Texts kT1{"Năm", "Danh hiệu thi đua",
                "Số, ngày, tháng, năm của quyết định công nhận danh hiệu thi đua; cơ quan ban hành quyết định"};
const Texts kT2{"Năm", "Hình thức khen thưởng",
                "Số, ngày, tháng, năm của quyết định công nhận danh hiệu thi đua; cơ quan ban hành quyết định"};

// §3.1: the campaign form has no verified body line; the title lines and the signature notes are checked.
const Texts kCampaignLines{"I. THÔNG TIN CHUNG", "II. THÀNH TÍCH ĐẠT ĐƯỢC", "(Ký, đóng dấu)"};

std::string subject_of(const std::string& form, const json& data) {
    if (form.find("ca-nhan") != std::string::npos) return "individual";
    if (form.find("tap-the") != std::string::npos) return "collective";
    return data.at("form").at("subject").get<std::string>();
}
std::string kind_of(const std::string& form, const json& data) {
    if (form.find("chuyen-de") != std::string::npos) return "campaign";
    if (form == "bao-cao-thanh-tich") return data.at("form").at("kind").get<std::string>();
    return "merit";
}

// The rows of the top-level tables of a document (word/document.xml, or content.xml of an ODT with `odt`, header rows
// included), each row as its cells' texts.
std::vector<std::vector<Texts>> tables(const std::string& part_xml, bool odt = false) {
    Xml x(part_xml);
    std::vector<std::vector<Texts>> out;
    for (xmlNode* tbl : x.nodes(odt ? "//office:text/table:table" : "//w:body/w:tbl")) {
        std::vector<Texts> rows;
        for (xmlNode* tr : x.nodes(odt ? ".//table:table-row" : "./w:tr", tbl)) {
            Texts cells;
            for (xmlNode* tc : x.nodes(odt ? "./table:table-cell" : "./w:tc", tr))
                cells.push_back(plain_spaces(odt ? x.odt_text(tc) : x.text(tc)));
            rows.push_back(cells);
        }
        out.push_back(rows);
    }
    return out;
}

// The history tables (T1, T2): tables whose first row is one of the known header rows.
std::vector<std::vector<Texts>> history_tables(const std::string& part_xml, bool odt = false) {
    std::vector<std::vector<Texts>> out;
    for (auto& tb : tables(part_xml, odt))
        if (!tb.empty() && (tb[0] == kT1 || tb[0] == kT2)) out.push_back(tb);
    return out;
}

// ----- tests -----------------------------------------------------------------------------------------------------------

class AwardForm : public ::testing::TestWithParam<std::string> {};

// Every fixed line of the spec for this form is in the rendered text (either format).
void expect_verified_lines(const std::string& form, const json& data, const Texts& texts, const std::string& format) {
    SCOPED_TRACE(form + " (" + format + ")");
    const std::string subject = subject_of(form, data), kind = kind_of(form, data);
    for (const auto& line : kHeaderLines)
        EXPECT_TRUE(has(texts, line)) << form << ": missing " << line << "\n" << dump(texts);
    EXPECT_TRUE(has_prefix(texts, data["place"].get<std::string>() + ", ngày ")) << dump(texts);
    EXPECT_TRUE(has_prefix(texts, kind == "campaign" ? "ĐỀ NGHỊ " : "ĐỀ NGHỊ TẶNG ")) << dump(texts);

    if (kind == "merit" && subject == "individual") {
        for (const auto& line : kIndividualLines)
            EXPECT_TRUE(has(texts, line)) << form << ": missing " << line << "\n" << dump(texts);
        for (const auto& label : kIndividualLabels)
            EXPECT_TRUE(has_prefix(texts, label)) << form << ": missing " << label << "\n" << dump(texts);
        EXPECT_TRUE(has(texts, "- Họ tên (Ghi đầy đủ bằng chữ in thường, không viết tắt): " +
                                   data["person"]["full_name"].get<std::string>()));
        // Birth date as dd/mm/yyyy (or a bare year), then a tab, then the gender.
        std::string birth = data["person"]["birth_date"];
        if (birth.size() == 10) birth = birth.substr(8, 2) + "/" + birth.substr(5, 2) + "/" + birth.substr(0, 4);
        EXPECT_TRUE(has(
            texts, "- Sinh ngày, tháng, năm: " + birth + "\tGiới tính: " + data["person"]["gender"].get<std::string>()))
            << dump(texts);
    } else if (kind == "merit") {
        for (const auto& line : kCollectiveLines)
            EXPECT_TRUE(has(texts, line)) << form << ": missing " << line << "\n" << dump(texts);
        for (const auto& label : kCollectiveLabels)
            EXPECT_TRUE(has_prefix(texts, label)) << form << ": missing " << label << "\n" << dump(texts);
        EXPECT_TRUE(has(texts, data["collective"]["name"].get<std::string>())) << "name line\n" << dump(texts);
        EXPECT_TRUE(has(texts, "THỦ TRƯỞNG ĐƠN VỊ")) << dump(texts);
    }
    if (kind == "merit") {
        for (const auto* header : {&kT1, &kT2})
            for (const auto& cell : *header) EXPECT_TRUE(has(texts, cell)) << "history table header " << cell;
    } else {
        for (const auto& line : kCampaignLines)
            EXPECT_TRUE(has(texts, line)) << form << ": missing " << line << "\n" << dump(texts);
        EXPECT_TRUE(has(texts, "THỦ TRƯỞNG ĐƠN VỊ CẤP TRÊN TRỰC TIẾP") || data.contains("confirmer")) << dump(texts);
        EXPECT_TRUE(has(texts, "(Thành tích trong " + data["campaign"]["name"].get<std::string>() + ")"))
            << dump(texts);
        EXPECT_FALSE(has(texts, "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG"));  // no history in the short form
        if (subject == "individual") {
            EXPECT_TRUE(has(texts, "NGƯỜI BÁO CÁO THÀNH TÍCH"));
            EXPECT_TRUE(has(texts, "(Ký, ghi rõ họ và tên)"));
        }
    }
}

TEST_P(AwardForm, ExampleValidatesRendersAndHoldsEveryVerifiedLine) {
    const std::string form = GetParam();
    const json data = example(form);
    std::string output;
    // The schema accepts the example, named on the command line and through the record's own "template" field.
    EXPECT_EQ(t::run_command(cli() + " validate " + quote(form) + " " + quote(example_path(form)), &output), 0)
        << output;
    EXPECT_EQ(data.at("template"), form);
    EXPECT_EQ(t::run_command(cli() + " validate " + quote(example_path(form)), &output), 0) << output;

    Rendered r = render(form, data, form);
    ASSERT_EQ(r.rc, 0) << r.output;
    EXPECT_EQ(t::validate_office(r.path, "--no-schema"), "");
    expect_verified_lines(form, data, r.texts, "docx");
    const std::string subject = subject_of(form, data), kind = kind_of(form, data);

    // History tables: T1 and T2 with their headers in the merit forms, bordered and as wide as the text.
    const auto history = history_tables(r.parts.at("word/document.xml"));
    if (kind == "merit") {
        ASSERT_EQ(history.size(), 2u) << form;
        EXPECT_EQ(history[0][0], kT1);
        EXPECT_EQ(history[1][0], kT2);
    } else {
        EXPECT_TRUE(history.empty());
    }

    // Signatures: the last table is one row of two cells; the left is the confirmation, the right the reporter/head.
    const auto all = tables(r.parts.at("word/document.xml"));
    ASSERT_FALSE(all.empty());
    const auto& sig = all.back();
    ASSERT_EQ(sig.size(), 1u) << "signature table rows";
    ASSERT_EQ(sig[0].size(), 2u) << "signature table cells";
    EXPECT_NE(sig[0][0].find("(Ký, đóng dấu)"), std::string::npos) << sig[0][0];
    if (subject == "individual") {
        EXPECT_NE(sig[0][1].find("NGƯỜI BÁO CÁO THÀNH TÍCH\n(Ký, ghi rõ họ và tên)"), std::string::npos) << sig[0][1];
        EXPECT_NE(sig[0][1].find(data["person"]["full_name"].get<std::string>()), std::string::npos) << sig[0][1];
    } else {
        EXPECT_NE(sig[0][1].find("(Ký, đóng dấu)"), std::string::npos) << sig[0][1];
        EXPECT_NE(sig[0][1].find(data["signer"]["full_name"].get<std::string>()), std::string::npos) << sig[0][1];
    }
    if (data.contains("confirmer") && data["confirmer"].contains("full_name")) {
        EXPECT_NE(sig[0][0].find(data["confirmer"]["full_name"].get<std::string>()), std::string::npos) << sig[0][0];
    }
}

TEST_P(AwardForm, ExampleIsTheOneOfNewAndOfExamplesDirectory) {
    const std::string form = GetParam();
    const std::string bundled = t::read_file(t::source_dir() + "/templates/" + form + "/example.json");
    EXPECT_EQ(bundled, t::read_file(example_path(form)));
    std::string out;
    ASSERT_EQ(t::run_command(cli() + " new " + quote(form), &out, false), 0);
    EXPECT_EQ(out, bundled);
    const json manifest = json::parse(t::read_file(t::source_dir() + "/templates/" + form + "/template.json"));
    EXPECT_EQ(manifest.at("name"), form);
    EXPECT_EQ(manifest.at("schema"), "../award-record.schema.json");
    EXPECT_EQ(manifest.value("unverified_layout", false), form.find("chuyen-de") != std::string::npos);
}

// The ODT variant: valid ODF 1.3 (strict), every [V] line, and the DOCX's text paragraph by paragraph (empty
// paragraphs — rules, spacers — left out), footnotes included.
TEST_P(AwardForm, OdtIsValidAndHasTheDocxText) {
    const std::string form = GetParam();
    const json data = example(form);
    Rendered odt = render(form, data, form + "-odt", "odt");
    ASSERT_EQ(odt.rc, 0) << odt.output;
    EXPECT_EQ(t::validate_office(odt.path, "--strict"), "");
    expect_verified_lines(form, data, odt.texts, "odt");

    Rendered docx = render(form, data, form + "-docx");
    ASSERT_EQ(docx.rc, 0) << docx.output;
    const Texts odt_text = t::non_empty(odt.texts), docx_text = t::non_empty(docx.texts);
    EXPECT_GT(odt_text.size(), 15u);
    EXPECT_EQ(odt_text, docx_text) << t::first_difference(odt_text, docx_text);
    EXPECT_EQ(t::odt_note_texts(odt.parts.at("content.xml")), t::docx_footnote_texts(docx.parts));
    // The signature blocks side by side: the last table is one row of two cells, as in the DOCX.
    const auto odt_all = tables(odt.parts.at("content.xml"), true);
    ASSERT_FALSE(odt_all.empty());
    EXPECT_EQ(odt_all.back(), tables(docx.parts.at("word/document.xml")).back());
    EXPECT_EQ(history_tables(odt.parts.at("content.xml"), true), history_tables(docx.parts.at("word/document.xml")));
}

std::string form_test_name(const ::testing::TestParamInfo<std::string>& param_info) {
    std::string n = param_info.param;
    std::replace(n.begin(), n.end(), '-', '_');
    return n;
}

INSTANTIATE_TEST_SUITE_P(Forms, AwardForm, ::testing::ValuesIn(forms()), form_test_name);

TEST(AwardForms, TemplatesListsEachFormOnOneLine) {
    std::string out;
    ASSERT_EQ(t::run_command(cli() + " templates", &out, false), 0);
    for (const auto& form : forms()) {
        // name, formats, then the description; the forms whose wording is not verified are marked.
        const bool unverified = form.find("chuyen-de") != std::string::npos;
        const std::regex line("(^|\n)" + form + " +docx,odt +" + (unverified ? "\\[unverified layout\\] " : "") +
                              "Báo cáo thành tích[^\n]+");
        EXPECT_TRUE(std::regex_search(out, line)) << form << "\n" << out;
    }
    std::size_t marked = 0;
    for (std::size_t at = 0; (at = out.find("[unverified layout]", at)) != std::string::npos; ++at) ++marked;
    EXPECT_EQ(marked, 2u) << out;
}

TEST(AwardForms, InspectSaysWhenAFormsLayoutIsUnverified) {
    for (const auto& form : forms()) {
        const bool unverified = form.find("chuyen-de") != std::string::npos;
        std::string out;
        ASSERT_EQ(t::run_command(cli() + " inspect " + form, &out), 0) << out;
        EXPECT_EQ(
            out.find("note: the layout and fixed wording of '" + form + "' are not verified") != std::string::npos,
            unverified)
            << form << "\n"
            << out;
        ASSERT_EQ(t::run_command(cli() + " inspect --json " + form, &out, false), 0);
        const auto j = nlohmann::json::parse(out);
        EXPECT_EQ(j.at("unverified_layout"), unverified) << form;
        EXPECT_TRUE(j.at("skeleton").contains("signer")) << form;
    }
}

// The five templates are one document in each format: they differ only in the PIN paragraph (docs/award-forms.md §5).
TEST(AwardForms, TheFiveTemplatesShareOneDocumentAndOneStyleSheet) {
    auto strip_pin = [](const std::string& xml) {
        return std::regex_replace(xml, std::regex(R"(\{% set pinned = [^%]*%\})"), "{% set pinned = PIN %}");
    };
    const std::string base = t::source_dir() + "/templates/";
    const std::string doc = strip_pin(t::read_file(base + forms()[0] + "/docx/word/document.xml"));
    const std::string styles = t::read_file(base + forms()[0] + "/docx/word/styles.xml");
    const std::string content = strip_pin(t::read_file(base + forms()[0] + "/odt/content.xml"));
    for (const auto& form : forms()) {
        EXPECT_EQ(strip_pin(t::read_file(base + form + "/docx/word/document.xml")), doc) << form;
        EXPECT_EQ(t::read_file(base + form + "/docx/word/styles.xml"), styles) << form;
        // The ODT variant likewise: the same content.xml but for the PIN, and the same other parts.
        EXPECT_EQ(strip_pin(t::read_file(base + form + "/odt/content.xml")), content) << form;
        for (const char* part : {"styles.xml", "meta.xml", "mimetype", "META-INF/manifest.xml"})
            EXPECT_EQ(t::read_file(base + form + "/odt/" + part), t::read_file(base + forms()[0] + "/odt/" + part))
                << form << " " << part;
        // Each holds its PIN once, the same in both formats.
        const std::regex pin(R"(\{% set pinned = [^%]*%\})");
        std::smatch in_docx, in_odt;
        const std::string d = t::read_file(base + form + "/docx/word/document.xml"),
                          o = t::read_file(base + form + "/odt/content.xml");
        ASSERT_TRUE(std::regex_search(d, in_docx, pin) && std::regex_search(o, in_odt, pin)) << form;
        EXPECT_EQ(in_docx.str(), in_odt.str()) << form;
    }
}

TEST(AwardForms, EmptyHistoryRendersOneEmptyRowPerTable) {
    json data = example("bao-cao-thanh-tich-ca-nhan");
    data["emulation_titles"] = json::array();
    data.erase("awards");
    Rendered r = render("bao-cao-thanh-tich-ca-nhan", data, "empty-history");
    ASSERT_EQ(r.rc, 0) << r.output;
    const auto history = history_tables(r.parts.at("word/document.xml"));
    ASSERT_EQ(history.size(), 2u);
    for (const auto& tb : history) {
        ASSERT_EQ(tb.size(), 2u) << "header row + one empty row";
        EXPECT_EQ(tb[1], (Texts{"", "", ""}));
    }
    Rendered odt = render("bao-cao-thanh-tich-ca-nhan", data, "empty-history-odt", "odt");
    ASSERT_EQ(odt.rc, 0) << odt.output;
    const auto odt_history = history_tables(odt.parts.at("content.xml"), true);
    ASSERT_EQ(odt_history.size(), 2u);
    for (const auto& tb : odt_history) EXPECT_EQ(tb, (std::vector<Texts>{tb[0], Texts{"", "", ""}}));
    // With rows: one table row per record.
    Rendered full = render("bao-cao-thanh-tich-ca-nhan", example("bao-cao-thanh-tich-ca-nhan"), "history");
    ASSERT_EQ(full.rc, 0) << full.output;
    const auto h2 = history_tables(full.parts.at("word/document.xml"));
    ASSERT_EQ(h2.size(), 2u);
    EXPECT_EQ(h2[0].size(), 1 + example("bao-cao-thanh-tich-ca-nhan")["emulation_titles"].size());
    EXPECT_EQ(h2[0][1][0], "2021");
    EXPECT_EQ(h2[0][1][1], "Chiến sĩ thi đua cơ sở");
}

// What the DOCX computes per paragraph, the ODT's automatic styles hold: the rules under the issuer's name and the Tiêu
// ngữ have the same lengths (DOCX indents in twips = ODT margins in pt × 20), and the room above each signer's name
// (which keeps the two names level) is the same.
TEST(AwardForms, OdtRulesAndSignatureSpacingAreTheDocxOnes) {
    for (const std::string form : {"bao-cao-thanh-tich-tap-the", "bao-cao-thanh-tich-ca-nhan"}) {
        json data = example(form);
        data["issuer"]["name"] = json::array({"SỞ TÀI CHÍNH", "TỈNH NINH BÌNH"});
        data["confirmer"]["caption"] = json::array({"TM. ỦY BAN NHÂN DÂN TỈNH", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"});
        Rendered docx = render(form, data, form + "-layout");
        Rendered odt = render(form, data, form + "-layout", "odt");
        ASSERT_EQ(docx.rc, 0) << docx.output;
        ASSERT_EQ(odt.rc, 0) << odt.output;
        Xml d(docx.parts.at("word/document.xml")), o(odt.parts.at("content.xml")), os(odt.parts.at("styles.xml"));
        // The paragraph's own style: an automatic one (content.xml) or a named one (styles.xml).
        auto odt_length = [&](xmlNode* p, const char* property) {
            xmlChar* name = xmlGetNsProp(p, xc("style-name"), xc(kText));
            const std::string style = reinterpret_cast<const char*>(name);
            xmlFree(name);
            const std::string path =
                "//style:style[@style:name='" + style + "']/style:paragraph-properties/@fo:" + property;
            std::string v = o.value(path);
            if (v.empty()) v = os.value(path);
            return v.empty() ? -1.0 : std::stod(v) * 20.0;
        };
        std::vector<double> docx_rules, odt_rules, docx_names, odt_names;
        for (xmlNode* ind : d.nodes("//w:p[w:pPr/w:pStyle/@w:val='BCRule']/w:pPr/w:ind")) {
            xmlChar* v = xmlGetNsProp(ind, xc("left"), xc(kW));
            docx_rules.push_back(std::stod(reinterpret_cast<const char*>(v)));
            xmlFree(v);
        }
        // Rule paragraphs: style BCRule, made their own by {% indent %} (an automatic style whose parent is BCRule).
        for (xmlNode* p : o.nodes("//office:text//text:p[starts-with(@text:style-name, 'BCRule') or "
                                  "@text:style-name = //style:style[@style:parent-style-name='BCRule']/@style:name]"))
            odt_rules.push_back(odt_length(p, "margin-left"));
        for (xmlNode* sp : d.nodes("//w:p[w:pPr/w:pStyle/@w:val='BCKyTen']/w:pPr/w:spacing")) {
            xmlChar* v = xmlGetNsProp(sp, xc("before"), xc(kW));
            docx_names.push_back(std::stod(reinterpret_cast<const char*>(v)));
            xmlFree(v);
        }
        for (xmlNode* p : o.nodes("//office:text//text:p[starts-with(@text:style-name, 'BCKyTen')]"))
            odt_names.push_back(odt_length(p, "margin-top"));
        ASSERT_EQ(docx_rules.size(), 2u) << form;
        ASSERT_EQ(odt_rules.size(), 2u) << form;
        for (std::size_t i = 0; i < 2; ++i) EXPECT_NEAR(odt_rules[i], docx_rules[i], 0.01) << form << " rule " << i;
        ASSERT_EQ(docx_names.size(), 2u) << form;
        ASSERT_EQ(odt_names.size(), 2u) << form;
        for (std::size_t i = 0; i < 2; ++i) EXPECT_NEAR(odt_names[i], docx_names[i], 0.01) << form << " name " << i;
        EXPECT_NE(docx_names[0], docx_names[1]) << form << ": captions of different heights, names still level";
    }
}

TEST(AwardForms, FootnotesAreRealFootnotes) {
    const json data = example("bao-cao-thanh-tich-ca-nhan");
    Rendered r = render("bao-cao-thanh-tich-ca-nhan", data, "footnotes");
    ASSERT_EQ(r.rc, 0) << r.output;
    Xml doc(r.parts.at("word/document.xml"));
    Xml notes(r.parts.at("word/footnotes.xml"));
    ASSERT_TRUE(doc.ok() && notes.ok());
    // (1) on the subtitle, one inside an achievement (rich ^[…]), (2) on heading III: three references in that order.
    const auto refs = doc.nodes("//w:footnoteReference");
    ASSERT_EQ(refs.size(), 3u);
    const auto bodies = notes.nodes("//w:footnote[not(@w:type)]");
    ASSERT_EQ(bodies.size(), 3u);
    auto note_text = [&](std::size_t i) {
        std::string s = notes.text(bodies[i]);
        return s.substr(s.find_first_not_of(' '));
    };
    // The forms' own marks (1), (2): at the reference (w:customMarkFollows, the mark as the run's text) and at the
    // start of the footnote's text; the footnote of the rich text keeps Word's number.
    EXPECT_EQ(note_text(0), "(1) " + data["footnotes"]["1"].get<std::string>());
    EXPECT_EQ(note_text(2), "(2) " + data["footnotes"]["2"].get<std::string>());
    const auto marked = doc.nodes("//w:footnoteReference[@w:customMarkFollows='1']");
    ASSERT_EQ(marked.size(), 2u);
    EXPECT_EQ(doc.value("(//w:footnoteReference[@w:customMarkFollows='1'])[1]/following-sibling::w:t"), "(1)");
    EXPECT_EQ(doc.value("(//w:footnoteReference[@w:customMarkFollows='1'])[2]/following-sibling::w:t"), "(2)");
    EXPECT_EQ(doc.nodes("//w:footnoteReference[not(@w:customMarkFollows)]").size(), 1u);
    // The ODT: the same marks as the citations' labels, printed at the reference and in the note.
    Rendered odt = render("bao-cao-thanh-tich-ca-nhan", data, "footnotes-odt", "odt");
    ASSERT_EQ(odt.rc, 0) << odt.output;
    Xml content(odt.parts.at("content.xml"));
    EXPECT_EQ(content.value("(//text:note-citation)[1]/@text:label"), "(1)");
    EXPECT_EQ(content.value("(//text:note-citation)[1]"), "(1)");
    EXPECT_EQ(content.value("(//text:note-citation)[3]/@text:label"), "(2)");
    EXPECT_EQ(content.value("(//text:note-citation)[2]/@text:label"), "");
    // The subtitle paragraph holds the first reference.
    xmlNode* p = refs[0];
    while (p && std::string(reinterpret_cast<const char*>(p->name)) != "p") p = p->parent;
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(doc.text(p).rfind("ĐỀ NGHỊ TẶNG ", 0), 0u) << doc.text(p);
    // An empty footnote text omits the marker.
    json none = data;
    none["footnotes"] = {{"1", ""}, {"2", ""}};
    Rendered r2 = render("bao-cao-thanh-tich-ca-nhan", none, "no-footnotes");
    ASSERT_EQ(r2.rc, 0) << r2.output;
    EXPECT_EQ(Xml(r2.parts.at("word/document.xml")).nodes("//w:footnoteReference").size(), 1u);  // the rich one
}

// Table text is 13 pt (the size the spec allows for tables, style KHBang), the same in both formats; the free
// achievement table has the same column widths in the DOCX (fixed layout, its grid = its cells) and the ODT.
TEST(AwardForms, TablesAre13PtAndTheFreeTableHasTheOdtColumnWidths) {
    const std::string form = "bao-cao-thanh-tich-tap-the";
    json data = example(form);
    data["achievement_table"]["columns"] = json::array({"Chỉ tiêu", "2021", "2022", "2023", "2024"});
    for (auto& row : data["achievement_table"]["rows"]) row = json::array({row[0], "1", "2", "3", "4"});
    Rendered docx = render(form, data, "bang-13");
    Rendered odt = render(form, data, "bang-13", "odt");
    ASSERT_EQ(docx.rc, 0) << docx.output;
    ASSERT_EQ(odt.rc, 0) << odt.output;
    Xml styles(docx.parts.at("word/styles.xml")), odt_styles(odt.parts.at("styles.xml"));
    EXPECT_EQ(styles.value("//w:style[@w:styleId='KHBang']/w:rPr/w:sz/@w:val"), "26");
    EXPECT_EQ(odt_styles.value("//style:style[@style:name='KHBang']/style:text-properties/@fo:font-size"), "13pt");
    Xml d(docx.parts.at("word/document.xml")), o(odt.parts.at("content.xml"));
    // No table paragraph sets its own size: every table's text takes the style's 13 pt.
    EXPECT_TRUE(d.nodes("//w:tbl//w:p[starts-with(w:pPr/w:pStyle/@w:val, 'KHBang')]//w:sz").empty());
    EXPECT_GT(d.nodes("//w:tbl//w:p[starts-with(w:pPr/w:pStyle/@w:val, 'KHBang')]").size(), 20u);
    // The free table: the one whose header holds "Chỉ tiêu".
    const auto tables = d.nodes("//w:tbl[w:tr[1]//w:t[.='Chỉ tiêu']]");
    ASSERT_EQ(tables.size(), 1u);
    xmlNode* table = tables[0];
    EXPECT_EQ(d.value("(//w:tbl[w:tr[1]//w:t[.='Chỉ tiêu']])/w:tblPr/w:tblLayout/@w:type"), "fixed");
    std::vector<long> grid, cells;
    for (xmlNode* g : d.nodes("w:tblGrid/w:gridCol", table)) {
        xmlChar* v = xmlGetNsProp(g, xc("w"), xc(kW));
        grid.push_back(std::stol(reinterpret_cast<const char*>(v)));
        xmlFree(v);
    }
    for (xmlNode* w : d.nodes("w:tr[1]/w:tc/w:tcPr/w:tcW", table)) {
        xmlChar* v = xmlGetNsProp(w, xc("w"), xc(kW));
        cells.push_back(std::stol(reinterpret_cast<const char*>(v)));
        xmlFree(v);
    }
    // 2800 twips for the first column, the rest share 5987 (1496 each), as docs/award-forms.md says.
    EXPECT_EQ(grid, (std::vector<long>{2800, 1496, 1496, 1496, 1496}));
    EXPECT_EQ(cells, grid);
    // The ODT's columns, in twips (pt × 20), from the automatic column styles of its table.
    std::vector<long> odt_widths;
    for (xmlNode* c : o.nodes("//table:table[table:table-header-rows//text:p[.='Chỉ tiêu'] or "
                              "table:table-row[1]//text:p[.='Chỉ tiêu']]/table:table-column")) {
        xmlChar* name = xmlGetNsProp(c, xc("style-name"), xc(kTable));
        xmlChar* repeat = xmlGetNsProp(c, xc("number-columns-repeated"), xc(kTable));
        const std::string width =
            o.value("//style:style[@style:name='" + std::string(reinterpret_cast<const char*>(name)) +
                    "']/style:table-column-properties/@style:column-width");
        const int times = repeat ? std::stoi(reinterpret_cast<const char*>(repeat)) : 1;
        xmlFree(name);
        xmlFree(repeat);
        ASSERT_TRUE(width.ends_with("pt")) << width;
        for (int k = 0; k < times; ++k) odt_widths.push_back(std::lround(std::stod(width) * 20.0));
    }
    EXPECT_EQ(odt_widths, grid);
}

// The decree follows the report date (spec §1): before 2024-01-01 91/2017; to 2025-06-30 98/2023; then 152/2025.
TEST(AwardForms, ReportDatePicksTheDecreeAtTheBoundaries) {
    struct Case {
        const char* date;
        const char* label;    // form label line (show_form_no)
        const char* caption;  // left signature caption of the individual report
    };
    const Case cases[] = {
        {"2023-12-31", "Mẫu số 02 - Nghị định số 91/2017/NĐ-CP", "THỦ TRƯỞNG ĐƠN VỊ XÁC NHẬN, ĐỀ NGHỊ"},
        {"2024-01-01", "Mẫu báo cáo thành tích cá nhân - Phụ lục I, Nghị định số 98/2023/NĐ-CP",
         "XÁC NHẬN CỦA CẤP TRÌNH KHEN"},
        {"2025-06-30", "Mẫu báo cáo thành tích cá nhân - Phụ lục I, Nghị định số 98/2023/NĐ-CP",
         "XÁC NHẬN CỦA CẤP TRÌNH KHEN"},
        {"2025-07-01", "Mẫu số 05 - Nghị định số 152/2025/NĐ-CP", "XÁC NHẬN CỦA CẤP TRÌNH KHEN"},
    };
    for (const auto& c : cases) {
        json data = example("bao-cao-thanh-tich-ca-nhan");
        data["report_date"] = c.date;
        data["show_form_no"] = true;
        Rendered r = render("bao-cao-thanh-tich-ca-nhan", data, std::string("decree-") + c.date);
        ASSERT_EQ(r.rc, 0) << r.output;
        EXPECT_EQ(first_text(r.texts), c.label) << c.date;
        EXPECT_TRUE(has(r.texts, c.caption)) << c.date << "\n" << dump(r.texts);
    }
    // Collective and campaign forms follow the same rule.
    json tap_the = example("bao-cao-thanh-tich-tap-the");
    tap_the["report_date"] = "2025-07-01";
    tap_the["show_form_no"] = true;
    Rendered r = render("bao-cao-thanh-tich-tap-the", tap_the, "collective-152");
    ASSERT_EQ(r.rc, 0) << r.output;
    EXPECT_EQ(first_text(r.texts), "Mẫu số 04 - Nghị định số 152/2025/NĐ-CP");
    tap_the["report_date"] = "2023-12-31";
    r = render("bao-cao-thanh-tich-tap-the", tap_the, "collective-91");
    ASSERT_EQ(r.rc, 0) << r.output;
    EXPECT_EQ(first_text(r.texts), "Mẫu số 01 - Nghị định số 91/2017/NĐ-CP");
    EXPECT_TRUE(has(r.texts, "THỦ TRƯỞNG ĐƠN VỊ CẤP TRÊN TRỰC TIẾP")) << dump(r.texts);
    json campaign = example("bao-cao-thanh-tich-chuyen-de-ca-nhan");
    campaign["report_date"] = "2023-12-31";
    campaign["show_form_no"] = true;
    r = render("bao-cao-thanh-tich-chuyen-de-ca-nhan", campaign, "campaign-91");
    ASSERT_EQ(r.rc, 0) << r.output;
    EXPECT_EQ(first_text(r.texts), "Mẫu số 07 - Nghị định số 91/2017/NĐ-CP");
    // The caller overrides the decree.
    json forced = example("bao-cao-thanh-tich-ca-nhan");
    forced["report_date"] = "2025-09-01";
    forced["show_form_no"] = true;
    forced["form"]["decree"] = "91/2017/NĐ-CP";
    r = render("bao-cao-thanh-tich-ca-nhan", forced, "forced-91");
    ASSERT_EQ(r.rc, 0) << r.output;
    EXPECT_EQ(first_text(r.texts), "Mẫu số 02 - Nghị định số 91/2017/NĐ-CP");
    EXPECT_TRUE(has(r.texts, "THỦ TRƯỞNG ĐƠN VỊ XÁC NHẬN, ĐỀ NGHỊ"));
    // Without show_form_no no label is printed: the document starts with the header.
    forced.erase("show_form_no");
    r = render("bao-cao-thanh-tich-ca-nhan", forced, "no-label");
    ASSERT_EQ(r.rc, 0) << r.output;
    EXPECT_EQ(first_text(r.texts), "UBND TỈNH NINH BÌNH");
}

// The generic template takes the form from the record; a named one from the command line.
TEST(AwardForms, FormComesFromTheRecordOrTheTemplateName) {
    json collective = example("bao-cao-thanh-tich-tap-the");
    collective["template"] = "bao-cao-thanh-tich";
    Rendered r = render("bao-cao-thanh-tich", collective, "generic-collective");
    ASSERT_EQ(r.rc, 0) << r.output;
    EXPECT_TRUE(has(r.texts, "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH"));
    // No "form" at all: a collective without a person is a collective report, a campaign.name makes it a campaign one.
    collective.erase("form");
    r = render("bao-cao-thanh-tich", collective, "inferred-collective");
    ASSERT_EQ(r.rc, 0) << r.output;
    EXPECT_TRUE(has(r.texts, "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH"));
    json person = example("bao-cao-thanh-tich-chuyen-de-ca-nhan");
    person.erase("form");
    person["template"] = "bao-cao-thanh-tich";
    r = render("bao-cao-thanh-tich", person, "inferred-campaign");
    ASSERT_EQ(r.rc, 0) << r.output;
    EXPECT_TRUE(has(r.texts, "I. THÔNG TIN CHUNG"));
    // The named template wins over the record's form.
    json merit = example("bao-cao-thanh-tich-ca-nhan");
    merit["form"]["kind"] = "campaign";
    merit["campaign"] = {{"name", "đợt thi đua đặc biệt"}};
    r = render("bao-cao-thanh-tich-ca-nhan", merit, "pinned");
    ASSERT_EQ(r.rc, 0) << r.output;
    EXPECT_TRUE(has(r.texts, "I. SƠ LƯỢC LÝ LỊCH"));
}

TEST(AwardForms, SchemaRejectsARecordWithoutItsSubject) {
    const std::string dir = t::temp_dir();
    std::string output;
    json data = example("bao-cao-thanh-tich-ca-nhan");
    data.erase("person");
    t::write_file(dir + "/no-person.json", data.dump());
    EXPECT_EQ(t::run_command(cli() + " validate " + quote(dir + "/no-person.json"), &output), 1) << output;
    EXPECT_NE(output.find("Cá nhân: chưa điền"), std::string::npos) << output;  // by its label, in Vietnamese
    EXPECT_EQ(t::run_command(cli() + " validate --lang en " + quote(dir + "/no-person.json"), &output), 1) << output;
    EXPECT_NE(output.find("person"), std::string::npos) << output;
    data = example("bao-cao-thanh-tich-ca-nhan");
    data["report_date"] = "20/11/2023";
    t::write_file(dir + "/bad-date.json", data.dump());
    EXPECT_EQ(t::run_command(cli() + " validate " + quote(dir + "/bad-date.json"), &output), 1) << output;
    EXPECT_NE(output.find("Ngày báo cáo: chưa đúng cách ghi"), std::string::npos) << output;
    EXPECT_EQ(t::run_command(cli() + " validate --lang en " + quote(dir + "/bad-date.json"), &output), 1) << output;
    EXPECT_NE(output.find("report_date"), std::string::npos) << output;
}

TEST(AwardForms, NomineesAreValidRecords) {
    const std::string path = t::source_dir() + "/examples/award-forms/nominees.jsonl";
    if (!fs::exists(path)) GTEST_SKIP() << "no nominees.jsonl";
    const std::string text = t::read_file(path);
    std::size_t start = 0, n = 0, people = 0, collectives = 0;
    const std::string dir = t::temp_dir();
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        if (line.empty()) continue;
        const json record = json::parse(line);
        ++n;
        (record.contains("person") ? people : collectives) += 1;
        const std::string file = dir + "/" + std::to_string(n) + ".json";
        t::write_file(file, line);
        std::string output;
        EXPECT_EQ(t::run_command(cli() + " validate " + quote(file), &output), 0) << "line " << n << ": " << output;
    }
    EXPECT_GE(n, 20u);
    EXPECT_GT(people, 0u);
    EXPECT_GT(collectives, 0u);
}

// The nominee list as JSON Lines, as CSV, as the XLSX examples/run.sh makes from the CSV (tools/csv2xlsx.py) and as
// the XLSX LibreOffice Calc saves from the same CSV (another writer: its own shared strings, styles and date cells):
// all four give the same 22 documents byte for byte, and the batch reports lines (JSON Lines, CSV) or rows (XLSX).
// LibreOffice also reads the XLSX of csv2xlsx back to the CSV's cells (dates shown as dd/mm/yyyy).
TEST(AwardForms, NomineeListsInEveryFormatGiveTheSameDocuments) {
    const std::string dir = t::temp_dir();
    const std::string csv = t::source_dir() + "/examples/award-forms/nominees.csv";
    std::string output;
    ASSERT_EQ(t::run_command("python3 " + quote(t::source_dir() + "/tools/csv2xlsx.py") + " " + quote(csv) + " " +
                                 quote(dir + "/nominees.xlsx"),
                             &output),
              0)
        << output;
    ASSERT_EQ(t::run_command("VANBAN_LO_INFILTER='Text - txt - csv (StarCalc):44,34,76,1' " +
                                 quote(t::tools_dir() + "/office-to") + " 'xlsx:Calc MS Excel 2007 XML' " + quote(csv) +
                                 " " + quote(dir + "/calc"),
                             &output),
              0)
        << output;
    ASSERT_EQ(t::run_command("VANBAN_LO_INFILTER=none " + quote(t::tools_dir() + "/office-to") +
                                 " 'csv:Text - txt - csv (StarCalc):44,34,76' " + quote(dir + "/nominees.xlsx") + " " +
                                 quote(dir + "/back"),
                             &output),
              0)
        << output;
    // LibreOffice's reading of our workbook, cell by cell against the CSV it was made from (Python's csv module reads both).
    EXPECT_EQ(t::run_command("python3 - " + quote(csv) + " " + quote(dir + "/back/nominees.csv") + R"py( <<'PY'
import csv, re, sys
source = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
back = list(csv.reader(open(sys.argv[2], encoding="utf-8-sig")))
assert len(back) == len(source), (len(back), len(source))
for r, (a, b) in enumerate(zip(source, back)):
    b += [""] * (len(a) - len(b))
    for c, (x, y) in enumerate(zip(a, b)):
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", x)
        assert y == (f"{m[3]}/{m[2]}/{m[1]}" if m and r else x), (r, c, x, y)
PY)py",
                             &output),
              0)
        << output;

    const std::string base = t::source_dir() + "/examples/award-forms/nominees";
    const std::vector<std::string> lists = {base + ".jsonl", csv, dir + "/nominees.xlsx", dir + "/calc/nominees.xlsx"};
    std::vector<std::map<std::string, std::string>> archives;
    for (std::size_t i = 0; i < lists.size(); ++i) {
        SCOPED_TRACE(lists[i]);
        const std::string zip = dir + "/" + std::to_string(i) + ".zip",
                          report = dir + "/" + std::to_string(i) + ".json";
        ASSERT_EQ(t::run_command(cli() + " batch bao-cao-thanh-tich " + quote(lists[i]) + " --zip " + quote(zip) +
                                     " --report " + quote(report) +
                                     " --quiet --name '{{ person.full_name | default(collective.name) | slug }}'",
                                 &output),
                  0)
            << output;
        archives.push_back(t::read_zip(t::read_file(zip)));
        const json results = json::parse(t::read_file(report)).at("results");
        ASSERT_EQ(results.size(), 22u);
        const bool xlsx = lists[i].ends_with(".xlsx");
        for (std::size_t k = 0; k < results.size(); ++k) {
            EXPECT_EQ(results[k].at("status"), "ok");
            EXPECT_EQ(results[k].value(xlsx ? "row" : "line", 0),
                      static_cast<int>(k) + (xlsx || lists[i] == csv ? 2 : 1));
        }
    }
    ASSERT_EQ(archives[0].size(), 22u);
    for (std::size_t i = 1; i < archives.size(); ++i) {
        SCOPED_TRACE(lists[i]);
        ASSERT_EQ(archives[i].size(), archives[0].size());
        for (const auto& [name, bytes] : archives[0]) {
            ASSERT_TRUE(archives[i].count(name)) << name;
            EXPECT_EQ(t::read_zip(archives[i].at(name)).at("word/document.xml"),
                      t::read_zip(bytes).at("word/document.xml"))
                << name;
        }
    }
}

// LibreOffice opens the ODT of a form and reads every fixed line of the spec in it.
TEST(AwardForms, LibreOfficeReadsTheOdtForm) {
    const std::string form = "bao-cao-thanh-tich-tap-the";
    json data = example(form);
    data.erase("footnotes");  // LibreOffice's text export puts a footnote's number into the line that cites it
    Rendered r = render(form, data, "office-odt", "odt");
    ASSERT_EQ(r.rc, 0) << r.output;
    std::string text;
    ASSERT_EQ(t::run_command(quote(t::tools_dir() + "/office-text") + " " + quote(r.path), &text, false), 0);
    Texts lines;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
        lines.push_back(plain_spaces(text.substr(start, end - start)));
    expect_verified_lines(form, data, lines, "odt through LibreOffice");
}

// One LibreOffice conversion proves an office suite opens a form.
TEST(AwardForms, LibreOfficeOpensAForm) {
    Rendered r = render("bao-cao-thanh-tich-tap-the", example("bao-cao-thanh-tich-tap-the"), "office");
    ASSERT_EQ(r.rc, 0) << r.output;
    const std::string out_dir = t::temp_dir();
    std::string output;
    ASSERT_EQ(
        t::run_command(quote(t::tools_dir() + "/office-to") + " pdf " + quote(r.path) + " " + quote(out_dir), &output),
        0)
        << output;
    EXPECT_TRUE(fs::exists(out_dir + "/office.pdf")) << output;
    EXPECT_GT(fs::file_size(out_dir + "/office.pdf"), 1000u);
}

}  // namespace
