// Also document properties (docProps/core.xml, custom.xml; ODT meta.xml), rendered like parts.
//
// docxtpl's Subdoc against vanban's {"subdoc": …}: a sub-document with a style of its own, a numbered list, a table
// and a picture is placed at a {{p }} tag of a template that has a list of its own, by python3-docxtpl
// (tpl.new_subdoc(path), through tests/e2e/docxtpl_render.py) and by vanban from the same JSON. The visible text must be
// equal; vanban's output must carry the sub-document's style, its own numbering (its list counts from 1 beside the
// template's), the table and the picture, pass validate-office, and LibreOffice must open it (PDF text checked).
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_images.hpp"
#include "test_support.hpp"
#include "vanban/vanban.hpp"
#include "zip/zip.hpp"

namespace {

namespace fs = std::filesystem;
namespace t = vanban::test;
using nlohmann::json;
using vanban::test::quote;

constexpr const char* kPart = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>";
constexpr const char* kNs = " xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

std::string para(const std::string& text, const std::string& props = {}) {
    return "<w:p>" + (props.empty() ? "" : "<w:pPr>" + props + "</w:pPr>") + "<w:r><w:t xml:space=\"preserve\">" +
           t::xml_escape(text) + "</w:t></w:r></w:p>";
}
std::string list_item(const std::string& text) {
    return para(text, "<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr>");
}

// One decimal list (numId 1 → abstractNum 0): the template and the sub-document both have it, with the same ids.
std::string numbering(const std::string& suffix) {
    return std::string(kPart) + "<w:numbering" + kNs +
           "><w:abstractNum w:abstractNumId=\"0\"><w:nsid w:val=\"1A2B3C4D\"/>"
           "<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1" +
           suffix +
           "\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"720\" w:hanging=\"360\"/></w:pPr></w:lvl></w:abstractNum>"
           "<w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num></w:numbering>";
}

std::string subdoc_styles() {
    return std::string(kPart) + "<w:styles" + kNs +
           ">"
           "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
           "<w:rPr><w:sz w:val=\"40\"/></w:rPr></w:style>"
           "<w:style w:type=\"paragraph\" w:styleId=\"PhuLucTieuDe\"><w:name w:val=\"Phu luc tieu de\"/><w:basedOn w:val=\"Normal\"/>"
           "<w:pPr><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:b/><w:color w:val=\"C00000\"/></w:rPr></w:style></w:styles>";
}

std::string picture_paragraph() {
    return "<w:p><w:r><w:t xml:space=\"preserve\">Ảnh: </w:t></w:r><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">"
           "<wp:extent cx=\"1080000\" cy=\"360000\"/><wp:docPr id=\"1\" name=\"Picture 1\"/>"
           "<a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic><pic:nvPicPr>"
           "<pic:cNvPr id=\"0\" name=\"image1.png\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"rId2\"/>"
           "<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/>"
           "<a:ext cx=\"1080000\" cy=\"360000\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>"
           "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>";
}

std::string subdoc_table() {
    const auto cell = [](const std::string& text) {
        return "<w:tc><w:tcPr><w:tcW w:w=\"3000\" w:type=\"dxa\"/></w:tcPr>" + para(text) + "</w:tc>";
    };
    return "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"3000\"/><w:gridCol w:w=\"3000\"/>"
           "</w:tblGrid><w:tr>" +
           cell("Họ và tên") + cell("Đơn vị") + "</w:tr><w:tr>" + cell("Nguyễn Văn An") + cell("Phòng Tổ chức") +
           "</w:tr></w:tbl>";
}

// The sub-document: a styled title, a numbered list, a table, a picture.
std::string make_subdoc(const std::string& png) {
    return t::make_docx(
        para("PHỤ LỤC KÈM THEO", "<w:pStyle w:val=\"PhuLucTieuDe\"/>") + list_item("Mục thứ nhất") +
            list_item("Mục thứ hai") + subdoc_table() + picture_paragraph() + para("Hết phụ lục"),
        {{"word/styles.xml", subdoc_styles()}, {"word/numbering.xml", numbering(")")}, {"word/media/image1.png", png}});
}

std::string make_template(const std::string& placement) {
    return t::make_docx(
        para("Kế hoạch {{ title }}") + list_item("Việc của mẫu") + placement + para("Nơi nhận: {{ place }}"),
        {{"word/numbering.xml", numbering(".")}});
}

std::vector<std::string> visible(const std::string& document_xml) {
    return t::non_empty(t::paragraph_texts(document_xml));
}

std::string attribute_of(const std::string& xml, const std::string& element_start, const std::string& attribute) {
    const std::size_t at = xml.find(element_start);
    if (at == std::string::npos) return {};
    const std::size_t v = xml.find(attribute + "=\"", at);
    if (v == std::string::npos || v > xml.find('>', at)) return {};
    const std::size_t from = v + attribute.size() + 2;
    return xml.substr(from, xml.find('"', from) - from);
}

int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

struct Rendered {
    std::map<std::string, std::string> vanban, docxtpl;
    std::string vanban_path;
};

class SubdocTest : public ::testing::Test {
protected:
    std::string dir = t::temp_dir();
    std::string png = t::signature_png(300, 100, 150);

    // Both engines render `templ` with `data`; docxtpl's side turns {"subdoc": path} into tpl.new_subdoc(path).
    Rendered render_both(const std::string& name, const std::string& templ, const json& data) {
        const std::string base = dir + "/" + name;
        t::write_file(base + ".docx", templ);
        t::write_file(base + ".json", data.dump());
        vanban::RenderOptions options;
        options.image_directory = dir;
        Rendered r;
        r.vanban_path = base + ".vanban.docx";
        t::write_file(r.vanban_path, vanban::Template::from_bytes(templ, name).render(data, options));
        const json manifest = json::array({{{"name", name},
                                            {"template", base + ".docx"},
                                            {"data", base + ".json"},
                                            {"output", base + ".docxtpl.docx"}}});
        t::write_file(base + ".manifest.json", manifest.dump());
        const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        std::string output;
        EXPECT_EQ(t::run_command(python + " " + quote(t::source_dir() + "/tests/e2e/docxtpl_render.py") + " " +
                                     quote(base + ".manifest.json") + " " + quote(base + ".results.json"),
                                 &output),
                  0)
            << output;
        EXPECT_EQ(json::parse(t::read_file(base + ".results.json")).value(name, std::string("missing")), "ok");
        r.vanban = t::read_zip(t::read_file(r.vanban_path));
        r.docxtpl = t::read_zip(t::read_file(base + ".docxtpl.docx"));
        return r;
    }
};

TEST_F(SubdocTest, TheBodyStylesListTableAndPictureComeOverAsWithDocxtpl) {
    t::write_file(dir + "/phu-luc.docx", make_subdoc(png));
    const json data = {{"title", "năm 2025"}, {"place", "Lưu VT"}, {"annex", {{"subdoc", dir + "/phu-luc.docx"}}}};
    const Rendered r = render_both("subdoc", make_template(para("{{p annex }}")), data);
    const std::string& document = r.vanban.at("word/document.xml");

    // The same visible text: the tag's paragraph replaced by the sub-document's body.
    const std::vector<std::string> expected = {
        "Kế hoạch năm 2025", "Việc của mẫu", "PHỤ LỤC KÈM THEO", "Mục thứ nhất",
        "Mục thứ hai",       "Họ và tên",    "Đơn vị",           "Nguyễn Văn An",
        "Phòng Tổ chức",     "Ảnh: ",        "Hết phụ lục",      "Nơi nhận: Lưu VT"};
    EXPECT_EQ(visible(document), expected);
    EXPECT_EQ(visible(document), visible(r.docxtpl.at("word/document.xml")));
    EXPECT_EQ(count(document, "<w:p>") + count(document, "<w:p "),
              count(r.docxtpl.at("word/document.xml"), "<w:p>") + count(r.docxtpl.at("word/document.xml"), "<w:p "))
        << document;
    EXPECT_EQ(count(document, "<w:tbl>") + count(document, "<w:tbl "), 1);

    // The sub-document's own style is added; the template's Normal is kept (same name: docxcompose keeps the target's).
    const std::string& styles = r.vanban.at("word/styles.xml");
    EXPECT_EQ(count(styles, "w:styleId=\"PhuLucTieuDe\""), 1) << styles;
    EXPECT_EQ(count(styles, "w:styleId=\"Normal\""), 1) << styles;
    EXPECT_EQ(styles.find("w:val=\"40\""), std::string::npos)
        << "the sub-document's Normal must not replace the template's";
    EXPECT_NE(document.find("<w:pStyle w:val=\"PhuLucTieuDe\"/>"), std::string::npos);
    EXPECT_NE(r.docxtpl.at("word/styles.xml").find("w:styleId=\"PhuLucTieuDe\""), std::string::npos)
        << "docxtpl copies it too";

    // Its list has its own w:num and w:abstractNum: the template's list stays numId 1.
    const std::string& numbering_xml = r.vanban.at("word/numbering.xml");
    EXPECT_EQ(count(numbering_xml, "<w:num "), 2) << numbering_xml;
    EXPECT_EQ(count(numbering_xml, "<w:abstractNum "), 2) << numbering_xml;
    EXPECT_LT(numbering_xml.rfind("<w:abstractNum "), numbering_xml.find("<w:num "))
        << "abstractNum elements come first";
    const std::regex num_ids("<w:numId w:val=\"(\\d+)\"/>");
    std::vector<std::string> used;
    for (auto it = std::sregex_iterator(document.begin(), document.end(), num_ids); it != std::sregex_iterator(); ++it)
        used.push_back((*it)[1]);
    EXPECT_EQ(used, (std::vector<std::string>{"1", "2", "2"}));
    EXPECT_NE(numbering_xml.find("w:numId=\"2\"><w:abstractNumId w:val=\"1\"/>"), std::string::npos) << numbering_xml;

    // The picture: a new media part with the same bytes, related from the document.
    std::multiset<std::string> ours, theirs;
    for (const auto& [name, bytes] : r.vanban)
        if (name.starts_with("word/media/")) ours.insert(bytes);
    for (const auto& [name, bytes] : r.docxtpl)
        if (name.starts_with("word/media/")) theirs.insert(bytes);
    EXPECT_EQ(ours, std::multiset<std::string>{png});
    EXPECT_EQ(ours, theirs);
    const std::string embed = attribute_of(document, "<a:blip", "r:embed");
    ASSERT_FALSE(embed.empty()) << document;
    const std::string& rels = r.vanban.at("word/_rels/document.xml.rels");
    EXPECT_NE(rels.find("Id=\"" + embed + "\""), std::string::npos) << rels;
    EXPECT_NE(r.vanban.at("[Content_Types].xml").find("Extension=\"png\""), std::string::npos);

    EXPECT_EQ(t::validate_office(r.vanban_path), "");

    // LibreOffice opens it; the sub-document's list counts 1), 2) beside the template's 1.
    std::string out;
    ASSERT_EQ(
        t::run_command(quote(t::tools_dir() + "/office-to") + " pdf " + quote(r.vanban_path) + " " + quote(dir), &out),
        0)
        << out;
    std::string text;
    ASSERT_EQ(t::run_command("pdftotext -layout -enc UTF-8 " + quote(dir + "/subdoc.vanban.pdf") + " -", &text, false),
              0);
    for (const char* shown : {"PHỤ LỤC KÈM THEO", "Nguyễn Văn An", "Hết phụ lục", "Nơi nhận: Lưu VT"})
        EXPECT_NE(text.find(shown), std::string::npos) << shown << " in\n" << text;
    EXPECT_TRUE(std::regex_search(text, std::regex("1\\.\\s+Việc của mẫu"))) << text;
    EXPECT_TRUE(std::regex_search(text, std::regex("1\\)\\s+Mục thứ nhất"))) << text;
    EXPECT_TRUE(std::regex_search(text, std::regex("2\\)\\s+Mục thứ hai"))) << text;
}

TEST_F(SubdocTest, InALoopAndInATableCellLikeDocxtpl) {
    t::write_file(dir + "/phu-luc.docx", make_subdoc(png));
    const std::string cell_table =
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"6000\"/></w:tblGrid><w:tr><w:tc>"
        "<w:tcPr><w:tcW w:w=\"6000\" w:type=\"dxa\"/></w:tcPr>" +
        para("{{p annex }}") + "</w:tc></w:tr></w:tbl>";
    const json data = {
        {"title", "x"}, {"place", "y"}, {"annex", {{"subdoc", dir + "/phu-luc.docx"}}}, {"items", {1, 2}}};
    const Rendered r = render_both(
        "loop",
        make_template(para("{%p for i in items %}") + para("{{p annex }}") + para("{%p endfor %}") + cell_table), data);
    const std::string& document = r.vanban.at("word/document.xml");
    EXPECT_EQ(visible(document), visible(r.docxtpl.at("word/document.xml")));
    EXPECT_EQ(count(document, "<w:tbl>") + count(document, "<w:tbl "), 4)
        << "the sub-document's table three times, inside the template's";
    EXPECT_EQ(count(document, "Hết phụ lục"), 3);
    // A table cell ends with a paragraph after the sub-document's last element.
    EXPECT_EQ(document.find("</w:tbl></w:tc>"), std::string::npos) << document;
    EXPECT_NE(document.find("</w:p></w:tc>"), std::string::npos) << document;
    EXPECT_EQ(t::validate_office(r.vanban_path), "");
}

TEST_F(SubdocTest, WhatIsNotADocxOrCannotComeOverIsAClearError) {
    const auto errors = [&](const json& data, const std::string& templ) {
        vanban::RenderOptions options;
        options.image_directory = dir;
        try {
            static_cast<void>(vanban::Template::from_bytes(templ, "t.docx").render(data, options));
        } catch (const vanban::Error& e) {
            std::string all;
            for (const auto& d : e.diagnostics()) all += d.to_string() + "\n";
            return all;
        }
        return std::string("no error");
    };
    const std::string templ = t::make_docx(para("{{p annex }}"));
    t::write_file(dir + "/not.docx", "this is text");
    EXPECT_NE(errors({{"annex", {{"subdoc", "not.docx"}}}}, templ).find("not a DOCX"), std::string::npos);
    EXPECT_NE(errors({{"annex", {{"subdoc", "missing.docx"}}}}, templ).find("no sub-document file"), std::string::npos);
    t::write_file(dir + "/odt.docx", t::make_odt("<text:p>x</text:p>"));
    EXPECT_NE(errors({{"annex", {{"subdoc", "odt.docx"}}}}, templ).find("_rels/.rels"), std::string::npos);
    const std::string with_note =
        t::make_docx("<w:p><w:r><w:t>a</w:t></w:r><w:r><w:footnoteReference w:id=\"1\"/></w:r></w:p>",
                     {{"word/footnotes.xml", std::string(kPart) + "<w:footnotes" + kNs +
                                                 "><w:footnote w:id=\"1\"><w:p/></w:footnote></w:footnotes>"}});
    t::write_file(dir + "/note.docx", with_note);
    const std::string note_error = errors({{"annex", {{"subdoc", "note.docx"}}}}, templ);
    EXPECT_NE(note_error.find("footnoteReference"), std::string::npos) << note_error;
    EXPECT_NE(note_error.find("/annex/subdoc"), std::string::npos) << "points into the data: " << note_error;
    // Printed as text, or into an ODT: refused, never a dump of the object.
    EXPECT_NE(
        errors({{"annex", {{"subdoc", "x.docx"}}}}, t::make_docx(para("Xem {{ annex ~ '' }}"))).find("sub-document"),
        std::string::npos);
    t::write_file(dir + "/phu-luc.docx", make_subdoc(png));
    try {
        vanban::RenderOptions options;
        options.image_directory = dir;
        static_cast<void>(vanban::Template::from_bytes(t::make_odt("<text:p>{{ annex }}</text:p>"), "t.odt")
                              .render(json{{"annex", {{"subdoc", "phu-luc.docx"}}}}, options));
        ADD_FAILURE() << "a DOCX sub-document in an ODT must be refused";
    } catch (const vanban::Error& e) {
        EXPECT_NE(e.diagnostics().front().message.find("only in a DOCX template"), std::string::npos) << e.what();
    }
}

// Document properties: docxtpl renders the title, subject, author (dc:creator), comments (dc:description), identifier
// and language of docProps/core.xml with Jinja; vanban renders every text of core.xml, app.xml, custom.xml and ODT's
// meta.xml, so that no tag is left in a property (keywords and custom properties too — a deliberate superset).
TEST_F(SubdocTest, DocumentPropertiesAreRenderedLikeParts) {
    auto parts = t::read_zip(t::make_docx(para("{{ title }}")));
    const std::string dc =
        " xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\""
        " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"";
    parts["docProps/core.xml"] =
        std::string(kPart) + "<cp:coreProperties" + dc +
        "><dc:title>Kế hoạch {{ title }}</dc:title>"
        "<dc:subject>{{ subject | upper }}</dc:subject><dc:creator>{{ author }}</dc:creator>"
        "<cp:keywords>{% for k in keywords %}{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}</cp:keywords>"
        "</cp:coreProperties>";
    parts["docProps/custom.xml"] =
        std::string(kPart) +
        "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\" "
        "xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\"><property "
        "fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"2\" name=\"SoHieu\"><vt:lpwstr>{{ so_hieu }}</vt:lpwstr></property></Properties>";
    const auto insert = [](std::string& xml, const std::string& close, const std::string& what) {
        xml.insert(xml.rfind(close), what);
    };
    insert(
        parts["_rels/.rels"], "</Relationships>",
        "<Relationship Id=\"rIdCore\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" "
        "Target=\"docProps/core.xml\"/><Relationship Id=\"rIdCustom\" "
        "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties\" Target=\"docProps/custom.xml\"/>");
    insert(
        parts["[Content_Types].xml"], "</Types>",
        "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
        "<Override PartName=\"/docProps/custom.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.custom-properties+xml\"/>");
    vanban::zip::Writer w;
    w.add("[Content_Types].xml", parts["[Content_Types].xml"], vanban::zip::Method::deflated);
    for (const auto& [name, content] : parts)
        if (name != "[Content_Types].xml") w.add(name, content, vanban::zip::Method::deflated);
    const json data = {{"title", "năm 2025"},
                       {"subject", "phòng cháy"},
                       {"author", "Văn phòng & Tổ chức"},
                       {"keywords", {"PCCC", "kế hoạch"}},
                       {"so_hieu", "12/KH-UBND"}};
    const Rendered r = render_both("properties", w.finish(), data);
    const std::string& core = r.vanban.at("docProps/core.xml");
    const auto text_of = [](const std::string& xml, const std::string& element) {
        const std::size_t open = xml.find(">", xml.find("<" + element)) + 1;
        return xml.substr(open, xml.find("</" + element, open) - open);
    };
    EXPECT_EQ(text_of(core, "dc:title"), "Kế hoạch năm 2025");
    EXPECT_EQ(text_of(core, "dc:subject"), "PHÒNG CHÁY");
    EXPECT_EQ(text_of(core, "dc:creator"), "Văn phòng &amp; Tổ chức");
    for (const char* element : {"dc:title", "dc:subject", "dc:creator"})
        EXPECT_EQ(text_of(core, element), text_of(r.docxtpl.at("docProps/core.xml"), element))
            << element << " as docxtpl renders it";
    EXPECT_EQ(text_of(core, "cp:keywords"), "PCCC, kế hoạch")
        << "docxtpl leaves the keywords' tags; vanban renders them";
    EXPECT_EQ(text_of(r.vanban.at("docProps/custom.xml"), "vt:lpwstr"), "12/KH-UBND");
    EXPECT_EQ(t::validate_office(r.vanban_path), "");

    // A missing value in a property is the same located error as in the body.
    try {
        static_cast<void>(vanban::Template::from_file(dir + "/properties.docx").render(json{{"title", "x"}}));
        ADD_FAILURE() << "strict mode: the subject is missing";
    } catch (const vanban::Error& e) {
        EXPECT_EQ(e.diagnostics().front().part, "docProps/core.xml") << e.what();
    }

    // ODT: meta.xml.
    auto odt = t::read_zip(t::make_odt("<text:p>{{ title }}</text:p>"));
    std::string& meta = odt.at("meta.xml");
    const std::size_t close = meta.find("</office:meta>");
    ASSERT_NE(close, std::string::npos) << meta;
    meta.insert(close, "<dc:title xmlns:dc=\"http://purl.org/dc/elements/1.1/\">Kế hoạch {{ title }}</dc:title>");
    vanban::zip::Writer o;
    o.add("mimetype", odt.at("mimetype"), vanban::zip::Method::stored);
    for (const auto& [name, content] : odt)
        if (name != "mimetype") o.add(name, content, vanban::zip::Method::deflated);
    const auto rendered =
        t::read_zip(vanban::Template::from_bytes(o.finish(), "t.odt").render(json{{"title", "năm 2025"}}));
    EXPECT_NE(rendered.at("meta.xml").find(">Kế hoạch năm 2025</dc:title>"), std::string::npos)
        << rendered.at("meta.xml");
}

}  // namespace
