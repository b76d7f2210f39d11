// docxtpl's Python objects — Listing, RichText (R), RichTextParagraph (RP) — in their JSON forms, and the characters
// docxtpl gives a meaning inside values (\n line break, \t tab, \a new paragraph, \f page break), against
// python3-docxtpl: templates built here, rendered by vanban and, in one Python process, by docxtpl with the same
// data (tests/e2e/docxtpl_render.py turns {"listing": …} and {"rich": […]} into Listing and RichText). Per
// paragraph, the visible text, the paragraph style and alignment, page breaks and every run's properties (colour,
// size, fonts, highlight, underline, strike, vertAlign, bold, italic, character style) must be equal; every vanban
// output passes validate-office. CTRL+ENTER templates ({%- if -%} between line breaks of one paragraph) are here too.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "vanban/vanban.hpp"

namespace {

namespace fs = std::filesystem;
namespace t = vanban::test;
using nlohmann::json;
using t::quote;

constexpr const char* kW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

// A paragraph whose runs hold `texts` (plain runs: docxtpl's RichText replaces the tag's run, vanban's keeps its
// properties, so the hosts have none), centred so that new paragraphs show whether they kept the properties.
std::string paragraph(const std::vector<std::string>& runs,
                      const std::string& props = "<w:pPr><w:jc w:val=\"center\"/></w:pPr>") {
    std::string out = "<w:p>" + props;
    for (const std::string& r : runs) {
        if (r == "<br>") out += "<w:r><w:br/></w:r>";
        else out += "<w:r><w:t xml:space=\"preserve\">" + t::xml_escape(r) + "</w:t></w:r>";
    }
    return out + "</w:p>";
}

bool is_w(const xmlNode* n, const char* local) {
    return n && n->type == XML_ELEMENT_NODE && n->ns && std::string(reinterpret_cast<const char*>(n->ns->href)) == kW &&
           std::string(reinterpret_cast<const char*>(n->name)) == local;
}

std::string w_attr(const xmlNode* n, const char* name) {
    xmlChar* v = xmlGetNsProp(n, reinterpret_cast<const xmlChar*>(name), reinterpret_cast<const xmlChar*>(kW));
    if (!v) return {};
    std::string s(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return s;
}

// The run properties that rich text sets, as "name=value" words in a fixed order.
std::string run_look(const xmlNode* rpr) {
    std::map<std::string, std::string> seen;
    for (const xmlNode* c = rpr ? rpr->children : nullptr; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        const std::string name(reinterpret_cast<const char*>(c->name));
        if (name == "rFonts") {
            for (const char* a : {"ascii", "hAnsi", "cs", "eastAsia"})
                if (!w_attr(c, a).empty()) seen[std::string("font.") + a] = w_attr(c, a);
        } else if (name == "b" || name == "i" || name == "strike" || name == "u" || name == "color" || name == "sz" ||
                   name == "szCs" || name == "highlight" || name == "vertAlign" || name == "rStyle") {
            seen[name] = w_attr(c, "val");
        }
    }
    std::string out;
    for (const auto& [k, v] : seen) out += k + "=" + v + " ";
    return out;
}

// One paragraph: its style and alignment, then its runs as [look]content, adjacent runs with the same look merged
// and empty ones left out (\n a line break, \t a tab, \f a page break).
std::string describe_paragraph(const xmlNode* p) {
    std::string out;
    for (const xmlNode* c = p->children; c; c = c->next)
        if (is_w(c, "pPr"))
            for (const xmlNode* q = c->children; q; q = q->next)
                if (is_w(q, "pStyle") || is_w(q, "jc"))
                    out += std::string(reinterpret_cast<const char*>(q->name)) + "=" + w_attr(q, "val") + " ";
    std::vector<std::pair<std::string, std::string>> runs;
    const auto add_run = [&](const xmlNode* r) {
        const xmlNode* rpr = nullptr;
        std::string content;
        for (const xmlNode* c = r->children; c; c = c->next) {
            if (is_w(c, "rPr")) rpr = c;
            if (is_w(c, "t")) {
                xmlChar* text = xmlNodeGetContent(c);
                content += reinterpret_cast<const char*>(text);
                xmlFree(text);
            }
            if (is_w(c, "br")) content += w_attr(c, "type") == "page" ? "\f" : "\n";
            if (is_w(c, "tab")) content += "\t";
        }
        if (content.empty()) return;
        const std::string look = run_look(rpr);
        if (!runs.empty() && runs.back().first == look) runs.back().second += content;
        else runs.emplace_back(look, content);
    };
    for (const xmlNode* c = p->children; c; c = c->next) {
        if (is_w(c, "r")) add_run(c);
        if (is_w(c, "hyperlink"))
            for (const xmlNode* r = c->children; r; r = r->next)
                if (is_w(r, "r")) add_run(r);
    }
    for (const auto& [look, content] : runs) out += "[" + look + "]" + content;
    return out;
}

std::vector<std::string> describe_body(const std::string& document_xml) {
    std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
        xmlReadMemory(document_xml.data(), static_cast<int>(document_xml.size()), "d.xml", nullptr, XML_PARSE_NONET),
        xmlFreeDoc);
    std::vector<std::string> out;
    if (!doc) return {"(does not parse)"};
    const xmlNode* body = nullptr;
    for (const xmlNode* c = xmlDocGetRootElement(doc.get())->children; c; c = c->next)
        if (is_w(c, "body")) body = c;
    for (const xmlNode* c = body ? body->children : nullptr; c; c = c->next)
        if (is_w(c, "p")) out.push_back(describe_paragraph(c));
    return out;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += "  ¶ " + l + "\n";
    return out;
}

// Each w:hyperlink of word/document.xml (or `part`) as "text -> target (mode)", the target found through the part's
// relationships.
std::vector<std::string> links_of(const std::map<std::string, std::string>& parts,
                                  const std::string& part = "word/document.xml") {
    const std::size_t slash = part.rfind('/');
    const std::string rels_name = part.substr(0, slash + 1) + "_rels/" + part.substr(slash + 1) + ".rels";
    std::map<std::string, std::string> target_of;
    if (parts.count(rels_name)) {
        const std::string& rels = parts.at(rels_name);
        std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
            xmlReadMemory(rels.data(), static_cast<int>(rels.size()), "r.xml", nullptr, XML_PARSE_NONET), xmlFreeDoc);
        for (const xmlNode* r = doc ? xmlDocGetRootElement(doc.get())->children : nullptr; r; r = r->next) {
            if (r->type != XML_ELEMENT_NODE) continue;
            const auto attribute = [&](const char* name) {
                xmlChar* v = xmlGetProp(r, reinterpret_cast<const xmlChar*>(name));
                std::string out = v ? reinterpret_cast<const char*>(v) : "";
                xmlFree(v);
                return out;
            };
            if (attribute("Type").ends_with("/hyperlink"))
                target_of[attribute("Id")] = attribute("Target") + " (" + attribute("TargetMode") + ")";
        }
    }
    const std::string& xml = parts.at(part);
    std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "d.xml", nullptr, XML_PARSE_NONET), xmlFreeDoc);
    std::vector<std::string> out;
    const auto visit = [&](auto&& self, const xmlNode* n) -> void {
        for (; n; n = n->next) {
            if (is_w(n, "hyperlink")) {
                xmlChar* id = xmlGetNsProp(n, reinterpret_cast<const xmlChar*>("id"),
                                           reinterpret_cast<const xmlChar*>(
                                               "http://schemas.openxmlformats.org/officeDocument/2006/relationships"));
                xmlChar* text = xmlNodeGetContent(n);
                const std::string rid = id ? reinterpret_cast<const char*>(id) : "";
                out.push_back(std::string(reinterpret_cast<const char*>(text)) + " -> " +
                              (target_of.count(rid) ? target_of[rid] : "(no relationship " + rid + ")"));
                xmlFree(id);
                xmlFree(text);
                continue;
            }
            if (n->type == XML_ELEMENT_NODE) self(self, n->children);
        }
    };
    visit(visit, doc ? xmlDocGetRootElement(doc.get()) : nullptr);
    return out;
}

struct Case {
    std::string name;
    std::string body;
    json data;
};

const json kEveryProperty = json::parse(R"([
  {"text": "đỏ", "color": "#FF0000"},
  {"text": " cỡ 14", "size": 14},
  {"text": " Arial", "font": "Arial"},
  {"text": " Mincho", "font": "eastAsia:MS Mincho"},
  {"text": " vàng", "highlight": "yellow"},
  {"text": " gạch đôi", "underline": "double"},
  {"text": " lượn sóng", "underline": "wave"},
  {"text": " gạch", "underline": true},
  {"text": " xoá", "strike": true},
  {"text": " dưới", "subscript": true},
  {"text": " trên", "superscript": true},
  {"text": " đậm nghiêng", "bold": true, "italic": true},
  {"text": " kiểu", "style": "Strong"},
  {"text": " tất cả", "color": "0000ff", "size": 10.5, "bold": true, "underline": "dotted", "highlight": "darkBlue"}
])");

std::vector<Case> cases() {
    std::vector<Case> all;
    all.push_back({"listing",
                   paragraph({"Trước: {{ x }} :sau"}),
                   {{"x", {{"listing", "dòng 1\ndòng 2\tcột\ađoạn mới & <đủ>\ftrang mới"}}}}});
    all.push_back({"plain-string-with-a-and-f",
                   paragraph({"A {{ x }} Z"}) + paragraph({"tiếp"}, ""),
                   {{"x", "một\ahai\fba\nbốn\tnăm"}}});
    all.push_back(
        {"richtext-every-property", paragraph({"Đầu ", "{{r x }}", " cuối"}), {{"x", {{"rich", kEveryProperty}}}}});
    all.push_back(
        {"richtext-breaks-inside",
         paragraph({"{{r x }}"}),
         {{"x", {{"rich", json::parse(R"([{"text": "a\nb\tc", "color": "00FF00"}, {"text": "d\u0007e", "bold": true},
                                                    {"text": "f\fg", "size": 20}])")}}}}});
    all.push_back(
        {"richtext-from-plain-strings", paragraph({"{{r x }}"}), {{"x", {{"rich", json::array({"một ", "hai"})}}}}});
    for (const bool x : {true, false}) {
        // CTRL+ENTER: the tags stand on lines of their own inside one paragraph.
        all.push_back(
            {std::string("ctrl-enter-") + (x ? "true" : "false"),
             paragraph({"A", "<br>", "{%- if x -%}", "<br>", "B", "<br>", "{%- endif -%}", "<br>", "C"}) +
                 "<w:p><w:r><w:t xml:space=\"preserve\">x</w:t><w:br/><w:t xml:space=\"preserve\">{%- if x -%}</w:t><w:br/>"
                 "<w:t>y</w:t><w:br/><w:t>{%- endif -%}</w:t><w:br/><w:t>z</w:t></w:r></w:p>",
             {{"x", x}}});
    }
    return all;
}

class DocxtplObjects : public ::testing::Test {
protected:
    std::string dir = t::temp_dir();

    // Renders every case with vanban and docxtpl; returns docxtpl's results by name.
    json render_all(const std::vector<Case>& all) {
        json manifest = json::array();
        for (const Case& c : all) {
            const std::string base = dir + "/" + c.name;
            const std::string docx = t::make_docx(c.body);
            t::write_file(base + ".docx", docx);
            t::write_file(base + ".json", c.data.dump());
            t::write_file(base + ".vanban.docx", vanban::Template::from_bytes(docx, c.name).render(c.data));
            manifest.push_back({{"name", c.name},
                                {"template", base + ".docx"},
                                {"data", base + ".json"},
                                {"output", base + ".docxtpl.docx"}});
        }
        t::write_file(dir + "/manifest.json", manifest.dump(1));
        const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        std::string output;
        EXPECT_EQ(t::run_command(python + " " + quote(t::source_dir() + "/tests/e2e/docxtpl_render.py") + " " +
                                     quote(dir + "/manifest.json") + " " + quote(dir + "/results.json"),
                                 &output),
                  0)
            << output;
        return json::parse(t::read_file(dir + "/results.json"));
    }

    std::vector<std::string> body_of(const std::string& path) {
        return describe_body(t::read_zip(t::read_file(path)).at("word/document.xml"));
    }
};

TEST_F(DocxtplObjects, RenderAsDocxtplDoes) {
    const std::vector<Case> all = cases();
    const json results = render_all(all);
    for (const Case& c : all) {
        SCOPED_TRACE(c.name);
        ASSERT_EQ(results.value(c.name, std::string("missing")), "ok") << "docxtpl itself failed";
        const auto ours = body_of(dir + "/" + c.name + ".vanban.docx");
        const auto theirs = body_of(dir + "/" + c.name + ".docxtpl.docx");
        EXPECT_EQ(ours, theirs) << "vanban:\n" << joined(ours) << "docxtpl:\n" << joined(theirs);
        EXPECT_EQ(t::validate_office(dir + "/" + c.name + ".vanban.docx", "-q --no-schema"), "");
    }
}

// What the comparison is about, said directly: \a and \f make paragraphs and page breaks, the properties are Word's.
TEST_F(DocxtplObjects, BreaksAndPropertiesAreWritten) {
    const std::string docx = t::make_docx(paragraph({"{{ x }}"}) + paragraph({"{{r y }}"}));
    const json data = {{"x", "a\ab\fc"},
                       {"y", json::parse(R"([{"text": "đỏ", "color": "red", "size": 13, "highlight": "yellow",
                                                                  "underline": "wave", "strike": true, "superscript": true,
                                                                  "font": "Times New Roman"}])")}};
    const std::string xml = t::read_zip(vanban::Template::from_bytes(docx, "t").render(data)).at("word/document.xml");
    const auto body = describe_body(xml);
    ASSERT_EQ(body.size(), 5u) << joined(body);  // a | b | page break | c | the rich paragraph
    EXPECT_EQ(body[0], "jc=center []a");
    EXPECT_EQ(body[1], "jc=center []b");
    EXPECT_EQ(body[2], "[]\f");
    EXPECT_EQ(body[3], "jc=center []c");
    EXPECT_NE(
        xml.find("<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\"/>"
                 "<w:strike/><w:color w:val=\"FF0000\"/><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/>"
                 "<w:highlight w:val=\"yellow\"/><w:u w:val=\"wave\"/><w:vertAlign w:val=\"superscript\"/></w:rPr>"),
        std::string::npos)
        << xml;
}

// A {{r x }} given a JSON list of spans renders the spans, as {"rich": […]} does, never the list's repr.
TEST_F(DocxtplObjects, AListInARunTagIsRichText) {
    const json spans = json::parse(R"([{"text": "đậm", "bold": true}, " thường"])");
    const std::string docx = t::make_docx(paragraph({"{{r x }}"}));
    const auto template_ = vanban::Template::from_bytes(docx, "t");
    const auto as_list = describe_body(t::read_zip(template_.render(json{{"x", spans}})).at("word/document.xml"));
    const auto as_object =
        describe_body(t::read_zip(template_.render(json{{"x", {{"rich", spans}}}})).at("word/document.xml"));
    EXPECT_EQ(as_list, as_object);
    ASSERT_EQ(as_list.size(), 1u);
    EXPECT_EQ(as_list[0], "jc=center [b= ]đậm[] thường");
}

TEST_F(DocxtplObjects, InvalidPropertiesAreErrorsNamingTheField) {
    const std::string docx = t::make_docx(paragraph({"{{r x }}"}));
    const auto template_ = vanban::Template::from_bytes(docx, "t");
    const std::vector<std::pair<json, std::string>> bad = {
        {{{"text", "a"}, {"color", "blurple"}}, "blurple"},
        {{{"text", "a"}, {"size", -3}}, "size"},
        {{{"text", "a"}, {"highlight", "pink"}}, "highlight"},
        {{{"text", "a"}, {"underline", "zigzag"}}, "underline"},
        {{{"text", "a"}, {"font", "mars:Arial"}}, "font"},
        {{{"text", "a"}, {"colour", "red"}}, "colour"},
        {{{"text", "a"}, {"url", "javascript:alert(1)"}}, "url"},
        {{{"text", "a"}, {"url", "file:///etc/passwd"}}, "url"},
        {{{"text", "a"}, {"url", "trang/khac.html"}}, "url"},
        {{{"text", "a"}, {"url_id", "rId5"}}, "url_id"},
    };
    for (const auto& [span, field] : bad) {
        SCOPED_TRACE(span.dump());
        try {
            template_.render(json{{"x", json::array({span})}});
            ADD_FAILURE() << "rendered";
        } catch (const vanban::Error& e) {
            ASSERT_EQ(e.diagnostics().size(), 1u);
            const vanban::Diagnostic& d = e.diagnostics().front();
            EXPECT_EQ(d.code, "data.rich_text");
            EXPECT_NE(d.message.find(field), std::string::npos) << d.message;
            EXPECT_NE(d.message_vi.find(field), std::string::npos) << d.message_vi;
            EXPECT_EQ(d.json_pointer, "/x");
            EXPECT_EQ(d.paragraph, 1);
        }
    }
}

// docxtpl's RichTextParagraph: the tag's paragraph is replaced by the value's paragraphs, each with its style.
TEST_F(DocxtplObjects, RichTextParagraphReplacesItsParagraph) {
    const std::string docx = t::make_docx(paragraph({"trước"}) + paragraph({"{{p x }}"}) + paragraph({"sau"}));
    const json data = {{"x", {{"paragraphs", json::parse(R"([{"text": "Tiêu đề", "style": "Heading1"},
        {"text": [{"text": "đỏ", "color": "FF0000"}, " thường"]}, "dòng\u0007tiếp"])")}}}};
    const std::string out = vanban::Template::from_bytes(docx, "t").render(data);
    const auto body = describe_body(t::read_zip(out).at("word/document.xml"));
    const std::vector<std::string> expected = {
        "jc=center []trước", "pStyle=Heading1 []Tiêu đề", "[color=FF0000 ]đỏ[] thường", "[]dòng", "[]tiếp",
        "jc=center []sau"};
    EXPECT_EQ(body, expected) << joined(body);
    t::write_file(dir + "/rp.docx", out);
    EXPECT_EQ(t::validate_office(dir + "/rp.docx", "-q --no-schema"), "");
}

// A run inside a hyperlink cannot be cut into paragraphs: \a there is an error naming the tag, not broken XML.
TEST_F(DocxtplObjects, ABreakWhereNoParagraphCanStartIsAnError) {
    const std::string docx =
        t::make_docx("<w:p><w:hyperlink w:anchor=\"x\"><w:r><w:t>{{ x }}</w:t></w:r></w:hyperlink></w:p>");
    try {
        vanban::Template::from_bytes(docx, "t").render(json{{"x", "a\ab"}});
        ADD_FAILURE() << "rendered";
    } catch (const vanban::Error& e) {
        ASSERT_EQ(e.diagnostics().size(), 1u);
        EXPECT_EQ(e.diagnostics()[0].code, "data.paragraph_break");
        EXPECT_EQ(e.diagnostics()[0].tag, "{{ x }}");
        EXPECT_FALSE(e.diagnostics()[0].message_vi.empty());
    }
}

// docxtpl's RichTextParagraph has no OpenDocument writer yet: a clear error, never a dropped paragraph. (\a, \f and
// every run property are written: tests/e2e/odt_test.cpp.)
TEST_F(DocxtplObjects, OdtRefusesWhatItCannotPlace) {
    const std::string odt = t::make_odt("<text:p>{{p x }}</text:p>");
    const auto template_ = vanban::Template::from_bytes(odt, "t.odt");
    try {
        template_.render(json{{"x", {{"paragraphs", json::array({"a", "b"})}}}});
        ADD_FAILURE() << "rendered";
    } catch (const vanban::Error& e) {
        ASSERT_EQ(e.diagnostics().size(), 1u);
        EXPECT_EQ(e.diagnostics()[0].code, "data.odt_rich_text");
        EXPECT_NE(e.diagnostics()[0].message_vi.find("OpenDocument"), std::string::npos);
    }
    // Tabs and line breaks are placed.
    const std::string content = t::read_zip(template_.render(json{{"x", {{"listing", "a\tb\nc"}}}})).at("content.xml");
    EXPECT_NE(content.find("a<text:tab/>b<text:line-break/>c"), std::string::npos) << content;
}

// docxtpl's RichText(…, url_id=tpl.build_url_id(url)) against python3-docxtpl: the same visible text and run
// properties, and each link's target reached through the document's relationships, external.
TEST_F(DocxtplObjects, HyperlinksAsDocxtplWritesThem) {
    const json spans = json::parse(R"([
      {"text": "Cổng thông tin", "url": "https://chinhphu.vn/portal?a=1&b=2", "color": "0000FF", "underline": true},
      {"text": " và "},
      {"text": "hộp thư", "url": "mailto:vanthu@example.gov.vn", "color": "0000FF", "underline": true, "bold": true},
      {"text": " lại ", "bold": true},
      {"text": "cổng", "url": "https://chinhphu.vn/portal?a=1&b=2", "color": "FF0000", "underline": "double"}])");
    const std::vector<Case> all = {{"hyperlinks", paragraph({"Xem ", "{{r x }}", " nhé"}), {{"x", {{"rich", spans}}}}}};
    const json results = render_all(all);
    ASSERT_EQ(results.value("hyperlinks", std::string("missing")), "ok") << "docxtpl itself failed";
    const auto ours = t::read_zip(t::read_file(dir + "/hyperlinks.vanban.docx"));
    const auto theirs = t::read_zip(t::read_file(dir + "/hyperlinks.docxtpl.docx"));
    const auto our_body = describe_body(ours.at("word/document.xml"));
    EXPECT_EQ(our_body, describe_body(theirs.at("word/document.xml"))) << joined(our_body);
    const std::vector<std::string> expected = {"Cổng thông tin -> https://chinhphu.vn/portal?a=1&b=2 (External)",
                                               "hộp thư -> mailto:vanthu@example.gov.vn (External)",
                                               "cổng -> https://chinhphu.vn/portal?a=1&b=2 (External)"};
    EXPECT_EQ(links_of(ours), expected);
    EXPECT_EQ(links_of(theirs), expected);
    EXPECT_EQ(t::validate_office(dir + "/hyperlinks.vanban.docx", "-q --no-schema"), "");
}

// A link looks like a link (Word's Hyperlink style when the template has it, else blue and underlined), is related
// by the part it stands in — body, header, footnote — with ids that are new to that part and the same on every
// render, one relationship per target.
TEST_F(DocxtplObjects, HyperlinksAreRelatedWhereTheyStand) {
    const std::string link = R"([{"text": "Cổng", "url": "https://chinhphu.vn"}, " rồi ",
                                 {"text": "lại cổng", "url": "https://chinhphu.vn"}])";
    const std::string noted = R"(["Xem", {"footnote": [{"text": "Nguồn", "url": "https://vbpl.vn/a?b=1&c=2"}]}])";
    const std::string header = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:hdr xmlns:w=\"" +
                               std::string(kW) + "\">" + paragraph({"{{r x }}"}) + "</w:hdr>";
    const std::string docx =
        t::make_docx(paragraph({"{{r x }}"}) + paragraph({"{{r y }}"}), {{"word/header1.xml", header}});
    const auto template_ = vanban::Template::from_bytes(docx, "t");
    const json data = {{"x", json::parse(link)}, {"y", json::parse(noted)}};
    const std::string out = template_.render(data);
    EXPECT_EQ(out, template_.render(data));  // deterministic
    const auto parts = t::read_zip(out);
    EXPECT_EQ(links_of(parts), (std::vector<std::string>{"Cổng -> https://chinhphu.vn (External)",
                                                         "lại cổng -> https://chinhphu.vn (External)"}));
    EXPECT_EQ(links_of(parts, "word/header1.xml"),
              (std::vector<std::string>{"Cổng -> https://chinhphu.vn (External)",
                                        "lại cổng -> https://chinhphu.vn (External)"}));
    // A footnote's link is related by word/footnotes.xml, where the note is.
    EXPECT_EQ(links_of(parts, "word/footnotes.xml"),
              (std::vector<std::string>{"Nguồn -> https://vbpl.vn/a?b=1&c=2 (External)"}));
    const std::string& rels = parts.at("word/_rels/document.xml.rels");
    EXPECT_EQ(rels.find("Id=\"rIdVanbanLink2\""), std::string::npos) << rels;  // one relationship per target
    // No Hyperlink style in the template: Word's look for links.
    const auto body = describe_body(parts.at("word/document.xml"));
    ASSERT_FALSE(body.empty());
    EXPECT_EQ(body[0], "jc=center [color=0563C1 u=single ]Cổng[] rồi [color=0563C1 u=single ]lại cổng") << joined(body);
    t::write_file(dir + "/links.docx", out);
    EXPECT_EQ(t::validate_office(dir + "/links.docx", "-q --no-schema"), "");

    // A template with Word's Hyperlink style, and a relationship already named like vanban's: the style is used, the
    // new id is past the template's.
    const std::string styles = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"" +
                               std::string(kW) +
                               "\"><w:style w:type=\"character\" w:styleId=\"Hyperlink\"><w:name w:val=\"Hyperlink\"/>"
                               "<w:rPr><w:color w:val=\"0563C1\"/><w:u w:val=\"single\"/></w:rPr></w:style></w:styles>";
    std::map<std::string, std::string> base = t::read_zip(t::make_docx(paragraph({"{{r x }}"})));
    std::string taken = base.at("word/_rels/document.xml.rels");
    taken.insert(
        taken.rfind("</Relationships>"),
        "<Relationship Id=\"rIdVanbanLink1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
        "hyperlink\" Target=\"https://old.example\" TargetMode=\"External\"/>");
    const std::string styled =
        t::make_docx(paragraph({"{{r x }}"}), {{"word/styles.xml", styles}, {"word/_rels/document.xml.rels", taken}});
    const auto styled_parts = t::read_zip(
        vanban::Template::from_bytes(styled, "t")
            .render(json{
                {"x",
                 json::parse(
                     R"([{"text": "Cổng", "url": "https://chinhphu.vn"}, {"text": "đỏ", "url": "https://a.vn", "style": "Strong"}])")}}));
    EXPECT_EQ(links_of(styled_parts),
              (std::vector<std::string>{"Cổng -> https://chinhphu.vn (External)", "đỏ -> https://a.vn (External)"}));
    const std::string& document = styled_parts.at("word/document.xml");
    EXPECT_NE(document.find("<w:hyperlink r:id=\"rIdVanbanLink2\""), std::string::npos) << document;
    EXPECT_NE(document.find("<w:hyperlink r:id=\"rIdVanbanLink3\""), std::string::npos) << document;
    EXPECT_EQ(describe_body(document)[0], "jc=center [rStyle=Hyperlink ]Cổng[rStyle=Strong ]đỏ");
}

// A link cannot stand inside another one: a tag inside a hyperlink given a link is an error naming the tag.
TEST_F(DocxtplObjects, AHyperlinkInsideAHyperlinkIsAnError) {
    const std::string docx =
        t::make_docx("<w:p><w:hyperlink w:anchor=\"x\"><w:r><w:t>{{r x }}</w:t></w:r></w:hyperlink></w:p>");
    try {
        vanban::Template::from_bytes(docx, "t").render(
            json{{"x", json::parse(R"([{"text": "a", "url": "https://a.vn"}])")}});
        ADD_FAILURE() << "rendered";
    } catch (const vanban::Error& e) {
        ASSERT_EQ(e.diagnostics().size(), 1u);
        EXPECT_EQ(e.diagnostics()[0].code, "data.hyperlink_place");
        EXPECT_EQ(e.diagnostics()[0].tag, "{{r x }}");
        EXPECT_FALSE(e.diagnostics()[0].message_vi.empty());
    }
}

}  // namespace
