// The DOCX adapter through the public API: small packages from make_docx, compiled with Template::from_bytes and
// rendered; every output part must parse, and paragraph texts are compared with what the data says.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "vanban/vanban.hpp"

namespace {

using nlohmann::json;
using vanban::Diagnostic;
using vanban::DiagnosticKind;
using vanban::test::make_docx;
using vanban::test::paragraph_texts;
using vanban::test::read_zip;
using Texts = std::vector<std::string>;

constexpr const char* kWNs = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr const char* kNs = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

// A paragraph with one run holding `text`.
std::string P(const std::string& text) {
    return "<w:p><w:r><w:t xml:space=\"preserve\">" + vanban::test::xml_escape(text) + "</w:t></w:r></w:p>";
}
// A table cell holding the given paragraphs' XML.
std::string Tc(const std::string& content) {
    return "<w:tc><w:tcPr><w:tcW w:w=\"2000\" w:type=\"dxa\"/></w:tcPr>" + content + "</w:tc>";
}
std::string Tr(const std::string& cells) { return "<w:tr>" + cells + "</w:tr>"; }
std::string Tbl(const std::string& rows) {
    return "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"2000\"/>"
           "<w:gridCol w:w=\"2000\"/></w:tblGrid>" +
           rows + "</w:tbl>";
}

struct DocFree {
    void operator()(xmlDoc* d) const noexcept { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

Doc parse(const std::string& xml) {
    return Doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "part.xml", nullptr,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

bool is_w(const xmlNode* n, const char* local) {
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           std::string(reinterpret_cast<const char*>(n->ns->href)) == kWNs &&
           std::string(reinterpret_cast<const char*>(n->name)) == local;
}

void find_all(xmlNode* n, const char* local, std::vector<xmlNode*>& out) {
    for (; n; n = n->next) {
        if (is_w(n, local)) out.push_back(n);
        find_all(n->children, local, out);
    }
}

std::string w_attr(xmlNode* n, const char* name) {
    xmlChar* v = xmlGetNsProp(n, reinterpret_cast<const xmlChar*>(name), reinterpret_cast<const xmlChar*>(kWNs));
    if (!v) return "<none>";
    std::string s(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return s;
}

std::string run_text(xmlNode* run) {
    std::string s;
    for (xmlNode* c = run->children; c; c = c->next)
        if (is_w(c, "t"))
            for (xmlNode* t = c->children; t; t = t->next)
                if (t->content) s += reinterpret_cast<const char*>(t->content);
    return s;
}

// The run properties of the run whose text contains `needle`, as "b i sz=26" (element names with their w:val).
std::string props_of_run_with(const std::string& xml, const std::string& needle) {
    Doc doc = parse(xml);
    if (!doc) return "<unparsable>";
    std::vector<xmlNode*> runs;
    find_all(xmlDocGetRootElement(doc.get()), "r", runs);
    for (xmlNode* r : runs) {
        if (run_text(r).find(needle) == std::string::npos) continue;
        std::string props;
        for (xmlNode* c = r->children; c; c = c->next) {
            if (!is_w(c, "rPr")) continue;
            for (xmlNode* p = c->children; p; p = p->next) {
                if (p->type != XML_ELEMENT_NODE) continue;
                if (!props.empty()) props += ' ';
                props += reinterpret_cast<const char*>(p->name);
                std::string v = w_attr(p, "val");
                if (v != "<none>") props += "=" + v;
            }
        }
        return props;
    }
    return "<no run with '" + needle + "'>";
}

int count(const std::string& haystack, const std::string& needle) {
    int n = 0;
    for (std::size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
    return n;
}

struct Rendered {
    std::map<std::string, std::string> parts;
    const std::string& doc() const { return parts.at("word/document.xml"); }
    Texts texts(const std::string& part = "word/document.xml") const { return paragraph_texts(parts.at(part)); }
};

vanban::Template compile(const std::string& body, const std::map<std::string, std::string>& extra = {}) {
    return vanban::Template::from_bytes(make_docx(body, extra), "test.docx");
}

// Renders and checks that every XML part of the result parses.
Rendered render(const vanban::Template& t, const json& data, bool lenient = false) {
    vanban::RenderOptions options;
    options.lenient = lenient;
    Rendered r;
    r.parts = read_zip(t.render(data, options));
    for (const auto& [name, content] : r.parts) {
        if (!name.ends_with(".xml") && !name.ends_with(".rels")) continue;
        EXPECT_TRUE(parse(content) != nullptr) << name << " does not parse:\n" << content;
    }
    return r;
}

Rendered render(const std::string& body, const json& data, const std::map<std::string, std::string>& extra = {}) {
    return render(compile(body, extra), data);
}

std::vector<Diagnostic> compile_errors(const std::string& body, const std::map<std::string, std::string>& extra = {}) {
    try {
        compile(body, extra);
    } catch (const vanban::Error& e) {
        return e.diagnostics();
    }
    return {};
}

std::vector<Diagnostic> render_errors(const std::string& body, const json& data) {
    auto t = compile(body);
    try {
        t.render(data);
    } catch (const vanban::Error& e) {
        return e.diagnostics();
    }
    return {};
}

std::string all_messages(const std::vector<Diagnostic>& ds) {
    std::string s;
    for (const auto& d : ds) s += d.to_string() + "\n";
    return s;
}

// ----- runs ---------------------------------------------------------------------------------------------------------

TEST(DocxCompile, TagSplitOverThreeRunsKeepsTheFirstRunsFormatting) {
    // Word split {{ agency.name }} into three runs with spell-check marks, a bookmark and different rsids.
    const std::string body =
        "<w:p w:rsidR=\"00A10000\">"
        "<w:r w:rsidR=\"00A10000\"><w:rPr><w:b/><w:sz w:val=\"26\"/></w:rPr><w:t xml:space=\"preserve\">Kính gửi {{ agen</w:t></w:r>"
        "<w:proofErr w:type=\"spellStart\"/>"
        "<w:r w:rsidR=\"00B20000\"><w:rPr><w:i/></w:rPr><w:t>cy.na</w:t></w:r>"
        "<w:proofErr w:type=\"spellEnd\"/><w:bookmarkStart w:id=\"0\" w:name=\"noi_nhan\"/><w:bookmarkEnd w:id=\"0\"/>"
        "<w:r w:rsidR=\"00C30000\"><w:rPr><w:u w:val=\"single\"/></w:rPr><w:t xml:space=\"preserve\">me }}: xin</w:t></w:r>"
        "</w:p>";
    Rendered r = render(body, json{{"agency", {{"name", "Sở Y tế"}}}});
    EXPECT_EQ(r.texts(), Texts{"Kính gửi Sở Y tế: xin"});
    EXPECT_EQ(props_of_run_with(r.doc(), "Sở Y tế"), "b sz=26");
    // the text after the tag stays in its own run with its own formatting
    EXPECT_EQ(props_of_run_with(r.doc(), ": xin"), "u=single");
    EXPECT_EQ(count(r.doc(), "{{"), 0);
    EXPECT_EQ(count(r.doc(), "cy.na"), 0);
}

TEST(DocxCompile, SeveralTagsInOneParagraph) {
    Rendered r = render(P("Số: {{ so }}/{{ ky_hieu }}  ") + P("{{ a }}{{ b }}"),
                        json{{"so", 5}, {"ky_hieu", "KH-UBND"}, {"a", "x"}, {"b", 2.0}});
    EXPECT_EQ(r.texts(), (Texts{"Số: 5/KH-UBND  ", "x2.0"}));
}

// ----- paragraph-level blocks ---------------------------------------------------------------------------------------

TEST(DocxCompile, ParagraphLoopRemovesTheTagParagraphs) {
    const std::string body =
        P("Trước") + P("{% for s in sections %}") + P("{{ loop.index }}. {{ s }}") + P("{% endfor %}") + P("Sau");
    auto t = compile(body);
    EXPECT_EQ(render(t, json{{"sections", {"Mục đích", "Yêu cầu"}}}).texts(),
              (Texts{"Trước", "1. Mục đích", "2. Yêu cầu", "Sau"}));
    EXPECT_EQ(render(t, json{{"sections", json::array()}}).texts(), (Texts{"Trước", "Sau"}));
}

TEST(DocxCompile, IfElifElseAtParagraphLevel) {
    const std::string body = P("{% if n > 1 %}") + P("nhiều") + P("{% elif n == 1 %}") + P("một") + P("{% else %}") +
                             P("không") + P("{% endif %}") + P("cuối");
    auto t = compile(body);
    EXPECT_EQ(render(t, json{{"n", 3}}).texts(), (Texts{"nhiều", "cuối"}));
    EXPECT_EQ(render(t, json{{"n", 1}}).texts(), (Texts{"một", "cuối"}));
    EXPECT_EQ(render(t, json{{"n", 0}}).texts(), (Texts{"không", "cuối"}));
}

TEST(DocxCompile, InlineIfAndLoop) {
    const std::string body =
        P("Gửi {% if urgent %}KHẨN: {% else %}thường: {% endif %}{{ to }}") +
        P("Nơi nhận: {% for x in recipients %}{{ x }}{% if not loop.last %}, {% endif %}{% endfor %}.");
    auto t = compile(body);
    EXPECT_EQ(render(t, json{{"urgent", true}, {"to", "UBND"}, {"recipients", {"A", "B", "C"}}}).texts(),
              (Texts{"Gửi KHẨN: UBND", "Nơi nhận: A, B, C."}));
    EXPECT_EQ(render(t, json{{"urgent", false}, {"to", "UBND"}, {"recipients", {"A"}}}).texts(),
              (Texts{"Gửi thường: UBND", "Nơi nhận: A."}));
}

TEST(DocxCompile, InlineBlockAcrossRunsKeepsRunsBalanced) {
    // {% if %} in a bold run, {% endif %} in a plain run: what is between is kept or removed as whole runs
    const std::string body =
        "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">A{% if x %}B</w:t></w:r>"
        "<w:r><w:t xml:space=\"preserve\">C{% endif %}D</w:t></w:r></w:p>";
    auto t = compile(body);
    EXPECT_EQ(render(t, json{{"x", true}}).texts(), Texts{"ABCD"});
    EXPECT_EQ(render(t, json{{"x", false}}).texts(), Texts{"AD"});
}

TEST(DocxCompile, DocxtplParagraphPrefix) {
    // {%p if %} replaces its whole paragraph even with other text in it
    const std::string body = P("bỏ {%p if show %} đi") + P("giữa") + P("{%p endif %}") + P("cuối");
    auto t = compile(body);
    EXPECT_EQ(render(t, json{{"show", true}}).texts(), (Texts{"giữa", "cuối"}));
    EXPECT_EQ(render(t, json{{"show", false}}).texts(), Texts{"cuối"});
}

TEST(DocxCompile, DocxtplRunPrefixCutsItsRun) {
    // As docxtpl does, the run is cut at a {%r %} tag: text sharing the tag's run stays, runs between the tags go
    const std::string body =
        "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">Gửi {%r if urgent %}khẩn </w:t></w:r>"
        "<w:r><w:t xml:space=\"preserve\">gấp {%r endif %}{{ to }}</w:t></w:r></w:p>" +
        P("{%r if urgent %}{%r endif %}") + P("sau");  // the paragraph stays
    auto t = compile(body);
    Rendered yes = render(t, json{{"urgent", true}, {"to", "UBND"}});
    EXPECT_EQ(yes.texts(), (Texts{"Gửi khẩn gấp UBND", "", "sau"}));
    EXPECT_EQ(props_of_run_with(yes.doc(), "khẩn"), "b");
    EXPECT_EQ(render(t, json{{"urgent", false}, {"to", "UBND"}}).texts(), (Texts{"Gửi UBND", "", "sau"}));
}

TEST(DocxCompile, CommentsAreRemoved) {
    const std::string body =
        P("Nội dung {# ghi chú #}tiếp") + P("Văn bản {#phải sửa lại#}còn") + P("{#p bỏ đoạn #} này") + P("cuối");
    Rendered r = render(body, json::object());
    EXPECT_EQ(r.texts(), (Texts{"Nội dung tiếp", "Văn bản còn", "cuối"}));
}

TEST(DocxCompile, DocxtplLiteralEscapesPrintBraces) {
    const std::string body = P("Cú pháp {_{ x }_} và {_% if %_} với {{ v }}");
    Rendered r = render(body, json{{"v", 1}});
    EXPECT_EQ(r.texts(), (Texts{"Cú pháp {{ x }} và {% if %} với 1"}));
}

// ----- blocks across paragraphs, as Jinja sees docxtpl's text -------------------------------------------------------
// Expected texts below are what python3-docxtpl 0.16 renders for the same templates (checked by hand; the differential
// e2e test, tests/e2e/docxtpl_test.cpp, runs docxtpl itself on Word-like variants of these).

TEST(DocxCompile, LoopOpeningMidParagraphRepeatsTheParagraphBreaksBetween) {
    const std::string body = P("Items: {% for x in xs %}{{ x }}") + P("text") + P("{% endfor %}") + P("End");
    EXPECT_EQ(render(body, json{{"xs", {"a", "b"}}}).texts(), (Texts{"Items: a", "text", "b", "text", "", "End"}));
    EXPECT_EQ(render(body, json{{"xs", json::array()}}).texts(), (Texts{"Items: ", "End"}));
}

TEST(DocxCompile, IfOpeningMidParagraphSkipsWholeParagraphs) {
    const std::string body = P("a {% if x %}b") + P("c") + P("d {% endif %}e");
    auto t = compile(body);
    EXPECT_EQ(render(t, json{{"x", true}}).texts(), (Texts{"a b", "c", "d e"}));
    EXPECT_EQ(render(t, json{{"x", false}}).texts(), Texts{"a e"});
}

TEST(DocxCompile, InlineBlockInAHyperlinkClosesInAPlainRun) {
    // The tag in the link cuts the link in two: both halves keep its relationship, the block stays balanced.
    const std::string body =
        "<w:p><w:hyperlink w:history=\"1\"><w:r><w:rPr><w:u w:val=\"single\"/></w:rPr><w:t xml:space=\"preserve\">Xem {% if x %}"
        "trang</w:t></w:r></w:hyperlink><w:r><w:t xml:space=\"preserve\"> này{% endif %}.</w:t></w:r></w:p>";
    auto t = compile(body);
    Rendered yes = render(t, json{{"x", true}});
    EXPECT_EQ(yes.texts(), Texts{"Xem trang này."});
    EXPECT_EQ(count(yes.doc(), "<w:hyperlink"), 2);
    EXPECT_EQ(props_of_run_with(yes.doc(), "trang"), "u=single");
    EXPECT_EQ(render(t, json{{"x", false}}).texts(), Texts{"Xem ."});
}

TEST(DocxCompile, BlockTagSplitOverRunsInsideATextRun) {
    // {% for %} typed over three runs with a proofing mark: the loop body is the rest of the third run onwards
    const std::string body =
        "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">Tên: {% fo</w:t></w:r><w:proofErr w:type=\"spellStart\"/>"
        "<w:r><w:t>r p in peo</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t xml:space=\"preserve\">ple %}{{ p }}; {% endfor %}hết</w:t></w:r></w:p>";
    Rendered r = render(body, json{{"people", {"Lan", "Minh"}}});
    EXPECT_EQ(r.texts(), Texts{"Tên: Lan; Minh; hết"});
    EXPECT_EQ(props_of_run_with(r.doc(), "Tên: "), "b");
    EXPECT_EQ(props_of_run_with(r.doc(), "Lan"), "i");
}

// ----- whitespace control {%- -%} ----------------------------------------------------------------------------------

TEST(DocxCompile, DashBeforeJoinsTheParagraphToThePreviousOne) {
    // docxtpl: "Intro  " keeps its spaces (the cut replaces the trim), the tag paragraphs disappear into their neighbours
    const std::string body = P("Intro  ") + P("{%- if x %}") + P("Body") + P("{%- endif %}") + P("End");
    auto t = compile(body);
    EXPECT_EQ(render(t, json{{"x", true}}).texts(), (Texts{"Intro  ", "Body", "End"}));
    EXPECT_EQ(render(t, json{{"x", false}}).texts(), (Texts{"Intro  ", "End"}));
}

TEST(DocxCompile, DashAfterJoinsTheNextParagraph) {
    const std::string body = P("A {% if x -%}") + P("  B") + P("{%- endif %} C");
    auto t = compile(body);
    EXPECT_EQ(render(t, json{{"x", true}}).texts(), Texts{"A   B C"});
    EXPECT_EQ(render(t, json{{"x", false}}).texts(), Texts{"A  C"});
    // white space after the tag goes with the paragraph break; empty paragraphs between are joined too
    EXPECT_EQ(render(P("a {% if x -%}  ") + P("b {% endif %}"), json{{"x", 1}}).texts(), Texts{"a b "});
    EXPECT_EQ(render(P("a {% if x %}") + "<w:p/>" + P("{%- endif %}"), json{{"x", 1}}).texts(), Texts{"a "});
}

TEST(DocxCompile, DashWithNothingToJoinTrimsLikeJinja) {
    // the first paragraph has no previous text: Jinja trims; output tags trim inside their paragraph
    EXPECT_EQ(render(P("  {%- if x %}yes{% endif %}") + P("b"), json{{"x", 1}}).texts(), (Texts{"yes", "b"}));
    EXPECT_EQ(render(P("a  {{- x }} b") + P("c {{ x -}}  d"), json{{"x", 1}}).texts(), (Texts{"a1 b", "c 1d"}));
    // in the middle of a paragraph docxtpl only joins runs: the text stays (vanban keeps it even in the tag's run)
    EXPECT_EQ(render(P("Intro") + P("Hello {%- if x %}yes{% endif %}"), json{{"x", 1}}).texts(),
              (Texts{"Intro", "Hello yes"}));
}

TEST(DocxCompile, DashAcrossTableCellsIsAnError) {
    auto errors = compile_errors(Tbl(Tr(Tc(P("ô một")) + Tc(P("{%- if x %}có{% endif %}")))));
    ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
    EXPECT_EQ(errors[0].paragraph, 2);
    EXPECT_EQ(errors[0].tag, "{%- if x %}");
    EXPECT_NE(errors[0].message.find("joins its paragraph to the previous text (¶1)"), std::string::npos)
        << errors[0].message;
}

TEST(DocxCompile, DashIntoAParagraphThatAnotherTagRemovesIsAnError) {
    // the {%p %} of the block removes the paragraphs that the '-' would join
    auto errors = compile_errors(P("Trước") + P("{%p if x %}") + P("{%- endif %}"));
    ASSERT_FALSE(errors.empty());
    bool found = false;
    for (const auto& d : errors)
        found = found || (d.tag == "{%- endif %}" && d.paragraph == 3 &&
                          d.message.find("removes the paragraph") != std::string::npos);
    EXPECT_TRUE(found) << all_messages(errors);
    // a paragraph removed by its own tag ({% set %} alone) is not joined: the '-' of the next tag says so
    auto removed = compile_errors(P("Trước") + P("{%p set a = 1 %}") + P("{%- if b %}x{% endif %}"));
    ASSERT_EQ(removed.size(), 1u) << all_messages(removed);
    EXPECT_EQ(removed[0].paragraph, 3);
    EXPECT_NE(
        removed[0].message.find("joins its paragraph to the previous one (¶2), but another tag removes that paragraph"),
        std::string::npos)
        << removed[0].message;
}

// ----- docxtpl's table helpers ---------------------------------------------------------------------------------------

struct CellInfo {
    std::string text, span, vmerge, fill;
};
struct TableInfo {
    std::size_t grid_columns = 0;
    std::vector<std::vector<CellInfo>> rows;
};

std::string cell_property(xmlNode* cell, const char* element, const char* attribute) {
    std::vector<xmlNode*> props, found;
    find_all(cell->children, "tcPr", props);
    if (props.empty() || props[0]->parent != cell) return "";
    find_all(props[0]->children, element, found);
    return found.empty() ? "" : w_attr(found[0], attribute);
}

std::vector<TableInfo> tables(const std::string& xml) {
    Doc doc = parse(xml);
    std::vector<TableInfo> out;
    std::vector<xmlNode*> tbls;
    find_all(xmlDocGetRootElement(doc.get()), "tbl", tbls);
    for (xmlNode* tbl : tbls) {
        TableInfo info;
        std::vector<xmlNode*> cols;
        find_all(tbl->children, "gridCol", cols);
        info.grid_columns = cols.size();
        for (xmlNode* row = tbl->children; row; row = row->next) {
            if (!is_w(row, "tr")) continue;
            info.rows.emplace_back();
            for (xmlNode* cell = row->children; cell; cell = cell->next) {
                if (!is_w(cell, "tc")) continue;
                std::vector<xmlNode*> runs;
                find_all(cell->children, "r", runs);
                std::string text;
                for (xmlNode* r : runs) text += run_text(r);
                info.rows.back().push_back({text, cell_property(cell, "gridSpan", "val"),
                                            cell_property(cell, "vMerge", "val"), cell_property(cell, "shd", "fill")});
            }
        }
        out.push_back(std::move(info));
    }
    return out;
}

std::size_t widest_row(const TableInfo& t) {
    std::size_t widest = 0;
    for (const auto& row : t.rows) {
        std::size_t n = 0;
        for (const auto& c : row) n += c.span.empty() || c.span == "<none>" ? 1 : std::stoul(c.span);
        widest = std::max(widest, n);
    }
    return widest;
}

const json kGroups =
    json::parse(R"({"rows": [{"g": "Phòng A", "n": "Lan"}, {"g": "Phòng A", "n": "Minh"}, {"g": "Phòng B", "n": "Đào"}],
                                     "cols": ["Q1", "Q2", "Q3"], "n": 2, "color": "FFCC00"})");

TEST(DocxCompile, VerticalMergeOverTheRowsOfALoop) {
    const std::string body = Tbl(Tr(Tc(P("{%tr for r in rows %}"))) +
                                 Tr(Tc(P("{% vm %}{{ r.g }}")) + Tc(P("{{ r.n }}"))) + Tr(Tc(P("{%tr endfor %}"))));
    Rendered r = render(body, kGroups);
    auto t = tables(r.doc());
    ASSERT_EQ(t.size(), 1u);
    ASSERT_EQ(t[0].rows.size(), 3u);
    EXPECT_EQ(t[0].rows[0][0].vmerge, "restart");
    EXPECT_EQ(t[0].rows[0][0].text, "Phòng A");
    for (std::size_t i = 1; i < 3; ++i) {
        EXPECT_EQ(t[0].rows[i][0].vmerge, "continue");
        EXPECT_EQ(t[0].rows[i][0].text, "");  // the merged cell shows its text once
    }
    EXPECT_EQ(t[0].rows[2][1].text, "Đào");
    EXPECT_EQ(r.texts(), (Texts{"Phòng A", "Lan", "", "Minh", "", "Đào"}));
}

TEST(DocxCompile, HorizontalMergeOverAColumnLoopAndTheGridFollows) {
    const std::string body =
        "<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w=\"3000\"/><w:gridCol w:w=\"1000\"/><w:gridCol w:w=\"2000\"/>"
        "<w:gridCol w:w=\"1000\"/></w:tblGrid>" +
        Tr(Tc(P("Tên")) + Tc(P("{%tc for c in cols %}")) + Tc(P("{% hm %}Quý")) + Tc(P("{%tc endfor %}"))) +
        Tr(Tc(P("Lan")) + Tc(P("{%tc for c in cols %}")) + Tc(P("{{ c }}")) + Tc(P("{%tc endfor %}"))) + "</w:tbl>";
    Rendered r = render(body, kGroups);
    auto t = tables(r.doc());
    ASSERT_EQ(t.size(), 1u);
    ASSERT_EQ(t[0].rows.size(), 2u);
    ASSERT_EQ(t[0].rows[0].size(), 2u);
    EXPECT_EQ(t[0].rows[0][1].span, "3");
    EXPECT_EQ(t[0].rows[0][1].text, "Quý");
    ASSERT_EQ(t[0].rows[1].size(), 4u);
    EXPECT_EQ(t[0].rows[1][3].text, "Q3");
    EXPECT_EQ(t[0].grid_columns, 4u);
    // two columns: the grid loses the columns the loop no longer fills, their width goes to the others
    Rendered two = render(body, json{{"cols", {"Q1", "Q2"}}});
    auto t2 = tables(two.doc());
    EXPECT_EQ(t2[0].grid_columns, 3u);
    EXPECT_EQ(widest_row(t2[0]), 3u);
    EXPECT_NE(two.doc().find("<w:gridCol w:w=\"3333\"/><w:gridCol w:w=\"1333\"/><w:gridCol w:w=\"2333\"/>"),
              std::string::npos);
}

TEST(DocxCompile, ColumnLoopAddsGridColumnsKeepingTheTableWidth) {
    const std::string body = Tbl(Tr(Tc(P("{%tc for c in cols %}")) + Tc(P("{{ c }}")) + Tc(P("{%tc endfor %}"))));
    Rendered r = render(body, json{{"cols", {"a", "b", "c", "d", "e"}}});
    auto t = tables(r.doc());
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].rows[0].size(), 5u);
    EXPECT_EQ(t[0].grid_columns, 5u);
    // 2 × 2000 twips shared by five columns
    EXPECT_EQ(count(r.doc(), "<w:gridCol w:w=\"800\"/>"), 5);
}

// A fixed-layout table is drawn from its grid: when a column loop changes the number of columns, the grid takes the
// widths the cells of the widest row were given ({% cellwidth %}), not docxtpl's even share.
TEST(DocxCompile, FixedLayoutGridTakesTheCellWidths) {
    const std::string body =
        "<w:tbl><w:tblPr><w:tblW w:w=\"8787\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>"
        "<w:gridCol w:w=\"2800\"/><w:gridCol w:w=\"5987\"/></w:tblGrid>" +
        Tr("<w:tc><w:tcPr><w:tcW w:w=\"2800\" w:type=\"dxa\"/></w:tcPr>" + P("Chỉ tiêu") + "</w:tc>" +
           Tc(P("{%tc for c in cols %}")) + Tc(P("{% cellwidth 100 %}{{ c }}")) + Tc(P("{%tc endfor %}"))) +
        "</w:tbl>";
    Rendered r = render(body, json{{"cols", {"2022", "2023", "2024"}}});
    EXPECT_EQ(count(r.doc(),
                    "<w:tblGrid><w:gridCol w:w=\"2800\"/><w:gridCol w:w=\"2000\"/><w:gridCol w:w=\"2000\"/>"
                    "<w:gridCol w:w=\"2000\"/></w:tblGrid>"),
              1)
        << r.doc();
    // The same table with an autofit layout keeps docxtpl's widths (ColumnLoopAddsGridColumnsKeepingTheTableWidth).
    std::string autofit = body;
    autofit.replace(autofit.find("fixed"), 5, "autofit");
    EXPECT_EQ(count(render(autofit, json{{"cols", {"2022", "2023", "2024"}}}).doc(), "<w:gridCol w:w=\"2000\"/>"), 0);
}

TEST(DocxCompile, ColspanAndCellbg) {
    const std::string body =
        Tbl(Tr(Tc(P("{% colspan n %}rộng")) + Tc(P("màu {% cellbg color %}nền"))) + Tr(Tc(P("a")) + Tc(P("b"))));
    Rendered r = render(body, kGroups);
    auto t = tables(r.doc());
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].rows[0][0].span, "2");
    EXPECT_EQ(t[0].rows[0][0].text, "rộng");
    EXPECT_EQ(t[0].rows[0][1].fill, "FFCC00");
    EXPECT_EQ(t[0].rows[0][1].text, "màu nền");
    EXPECT_EQ(t[0].grid_columns, widest_row(t[0]));
    // w:tcPr keeps the schema's order: tcW, gridSpan, …, shd
    EXPECT_NE(r.doc().find("<w:tcW w:w=\"2000\" w:type=\"dxa\"/><w:gridSpan w:val=\"2\"/>"), std::string::npos);
    EXPECT_NE(r.doc().find("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"FFCC00\"/>"), std::string::npos);
}

TEST(DocxCompile, TableHelperErrorsAreLocated) {
    auto errors = compile_errors(P("{% vm %}ngoài bảng") + Tbl(Tr(Tc(P("{% hm %}không lặp")))));
    ASSERT_EQ(errors.size(), 2u) << all_messages(errors);
    EXPECT_EQ(errors[0].paragraph, 1);
    EXPECT_EQ(errors[0].message, "{% vm %} stands outside a table cell");
    EXPECT_EQ(errors[1].paragraph, 2);
    EXPECT_EQ(errors[1].message, "{% hm %} is not inside a {% for %} loop");
    EXPECT_NE(errors[1].hint.find("{%tc for %}"), std::string::npos);
}

TEST(DocxCompile, GroupbyGroupsUnpackInALoop) {
    const std::string body =
        P("{% for unit, members in rows | groupby('g') %}{{ unit }}: {{ members | length }}; {% endfor %}");
    EXPECT_EQ(render(body, kGroups).texts(), Texts{"Phòng A: 2; Phòng B: 1; "});
}

// ----- tables ---------------------------------------------------------------------------------------------------------

const json kPeople = json::parse(R"({"people": [
  {"name": "Lan", "unit": "Phòng B", "skills": ["Word", "Excel"]},
  {"name": "Minh", "unit": "Phòng A", "skills": []}
]})");

TEST(DocxCompile, RowLoopWithTagsInFirstAndLastCell) {
    const std::string body = Tbl(Tr(Tc(P("Tên")) + Tc(P("Đơn vị"))) +
                                 Tr(Tc(P("{% for p in people %}{{ p.name }}")) + Tc(P("{{ p.unit }}{% endfor %}"))));
    Rendered r = render(body, kPeople);
    EXPECT_EQ(r.texts(), (Texts{"Tên", "Đơn vị", "Lan", "Phòng B", "Minh", "Phòng A"}));
    EXPECT_EQ(count(r.doc(), "<w:tr>") + count(r.doc(), "<w:tr "), 3);
}

TEST(DocxCompile, RowLoopWithTagsAloneInTheirCells) {
    // the tags are the only text of their cells' paragraphs: the cells keep an empty paragraph
    const std::string body = Tbl(Tr(Tc(P("{% for p in people %}")) + Tc(P("{{ p.name }}")) + Tc(P("{% endfor %}"))));
    Rendered r = render(body, kPeople);
    EXPECT_EQ(r.texts(), (Texts{"", "Lan", "", "", "Minh", ""}));
}

TEST(DocxCompile, RowsOfTheirOwnLoop) {
    const std::string body = Tbl(Tr(Tc(P("STT")) + Tc(P("Tên"))) + Tr(Tc(P("{% for p in people %}"))) +
                                 Tr(Tc(P("{{ loop.index }}")) + Tc(P("{{ p.name }}"))) + Tr(Tc(P("{% endfor %}"))) +
                                 Tr(Tc(P("Cộng")) + Tc(P("{{ people | length }}"))));
    Rendered r = render(body, kPeople);
    EXPECT_EQ(r.texts(), (Texts{"STT", "Tên", "1", "Lan", "2", "Minh", "Cộng", "2"}));
    EXPECT_EQ(count(r.doc(), "<w:tr>") + count(r.doc(), "<w:tr "), 4);
}

TEST(DocxCompile, TableInsideAParagraphLoop) {
    const std::string body = P("{% for p in people %}") + P("{{ p.name }}:") +
                             Tbl(Tr(Tc(P("{% for s in p.skills %}{{ loop.index }}")) + Tc(P("{{ s }}{% endfor %}")))) +
                             P("{% endfor %}");
    Rendered r = render(body, kPeople);
    EXPECT_EQ(r.texts(), (Texts{"Lan:", "1", "Word", "2", "Excel", "Minh:"}));
    // Minh has no skills: his table has no rows left — still two tables, the second one empty of rows
    EXPECT_EQ(count(r.doc(), "<w:tbl>"), 2);
}

TEST(DocxCompile, LoopInsideACell) {
    const std::string body =
        Tbl(Tr(Tc(P("Kỹ năng")) + Tc(P("{% for s in skills %}") + P("- {{ s }}") + P("{% endfor %}"))));
    Rendered r = render(body, json{{"skills", {"Word", "Excel"}}});
    EXPECT_EQ(r.texts(), (Texts{"Kỹ năng", "- Word", "- Excel"}));
}

TEST(DocxCompile, EmptyLoopInsideACellLeavesAParagraph) {
    const std::string body = Tbl(Tr(Tc(P("a")) + Tc(P("{% for s in skills %}") + P("{{ s }}") + P("{% endfor %}"))));
    Rendered r = render(body, json{{"skills", json::array()}});
    Doc doc = parse(r.doc());
    ASSERT_TRUE(doc);
    std::vector<xmlNode*> cells;
    find_all(xmlDocGetRootElement(doc.get()), "tc", cells);
    ASSERT_EQ(cells.size(), 2u);
    for (xmlNode* cell : cells) {
        std::vector<xmlNode*> paras;
        find_all(cell->children, "p", paras);
        EXPECT_GE(paras.size(), 1u) << "a table cell without a paragraph";
    }
    EXPECT_EQ(r.texts(), (Texts{"a", ""}));
}

TEST(DocxCompile, IfInACellClosedInTheBodyIsAnErrorNamingBothTags) {
    const std::string body = Tbl(Tr(Tc(P("{% if x %}")) + Tc(P("ô hai")))) + P("giữa") + P("{% endif %}");
    auto errors = compile_errors(body);
    ASSERT_FALSE(errors.empty());
    bool named_both = false;
    for (const auto& d : errors) {
        EXPECT_EQ(d.kind, DiagnosticKind::template_syntax);
        EXPECT_EQ(d.part, "word/document.xml");
        if (d.tag == "{% endif %}" && d.message.find("{% if x %}") != std::string::npos && d.paragraph == 4 &&
            d.message.find("¶1") != std::string::npos)
            named_both = true;
    }
    EXPECT_TRUE(named_both) << all_messages(errors);
}

// ----- values -------------------------------------------------------------------------------------------------------

TEST(DocxCompile, ValuesAreEscapedText) {
    Rendered r = render(P("[{{ v }}]"), json{{"v", "A & B <c> \"d\" 'e' </w:t>"}});
    EXPECT_EQ(r.texts(), Texts{"[A & B <c> \"d\" 'e' </w:t>]"});
    EXPECT_NE(r.doc().find("A &amp; B &lt;c&gt;"), std::string::npos);
}

TEST(DocxCompile, NewlineTabAndControlCharacters) {
    Rendered r = render(P("{{ v }}"), json{{"v", "dòng 1\ndòng 2\tcột\x01\x07\x1f\r!"}});
    // \x07 (docxtpl's \a) starts a new paragraph, as in docxtpl (issue 21: it was dropped, gluing the words).
    EXPECT_EQ(r.texts(), (Texts{"dòng 1\ndòng 2\tcột", "!"}));
    EXPECT_EQ(count(r.doc(), "<w:br/>"), 1);
    EXPECT_EQ(count(r.doc(), "<w:tab/>"), 1);
    EXPECT_EQ(r.doc().find('\x01'), std::string::npos);
    EXPECT_EQ(r.doc().find('\x07'), std::string::npos);
}

TEST(DocxCompile, DecomposedInputRendersPrecomposed) {
    // "Việt Nam" typed with combining marks (e + U+0323 + U+0302)
    Rendered r = render(P("{{ v }}"), json{{"v", "Vie\xCC\xA3\xCC\x82t Nam"}});
    EXPECT_EQ(r.texts(), Texts{"Việt Nam"});
    EXPECT_EQ(r.texts()[0], "Vi\xE1\xBB\x87t Nam");
}

TEST(DocxCompile, NumbersNoneAndListsPrintLikePython) {
    Rendered r = render(P("{{ a }}|{{ b }}|{{ c }}|{{ d }}|{{ e }}"),
                        json{{"a", 2.0}, {"b", nullptr}, {"c", {"x", "y"}}, {"d", true}, {"e", 2000000.0}});
    EXPECT_EQ(r.texts(), Texts{"2.0||['x', 'y']|True|2000000.0"});
}

// ----- other parts ----------------------------------------------------------------------------------------------------

TEST(DocxCompile, TagsInHeadersFootersAndFootnotes) {
    const std::map<std::string, std::string> extra = {
        {"word/header1.xml", std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:hdr ") + kNs + ">" +
                                 P("{{ agency | upper }}") + "</w:hdr>"},
        {"word/footer1.xml", std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:ftr ") + kNs + ">" +
                                 P("Trang của {{ agency }}") + "</w:ftr>"},
        {"word/footnotes.xml",
         std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:footnotes ") + kNs + ">" +
             "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
             "<w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
             "<w:footnote w:id=\"1\">" +
             P("Theo {{ basis }}") + "</w:footnote></w:footnotes>"},
    };
    Rendered r = render(P("Thân") + P("{{ agency }}"), json{{"agency", "Sở Y tế"}, {"basis", "Luật Thi đua"}}, extra);
    EXPECT_EQ(r.texts(), (Texts{"Thân", "Sở Y tế"}));
    EXPECT_EQ(r.texts("word/header1.xml"), Texts{"SỞ Y TẾ"});
    EXPECT_EQ(r.texts("word/footer1.xml"), Texts{"Trang của Sở Y tế"});
    EXPECT_EQ(r.texts("word/footnotes.xml"), (Texts{"", "", "Theo Luật Thi đua"}));
}

TEST(DocxCompile, TagsInAttributeValues) {
    const std::string body =
        "<w:p><w:pPr><w:ind w:left=\"{{ n }}\" w:right=\"{{ n * 2 }}\"/></w:pPr><w:r><w:t>thụt lề</w:t></w:r></w:p>"
        "<w:p><w:pPr><w:pStyle w:val=\"{{ style }}\"/></w:pPr><w:r><w:t>x</w:t></w:r></w:p>";
    Rendered r = render(body, json{{"n", 720}, {"style", "a\"b&<c"}});
    Doc doc = parse(r.doc());
    ASSERT_TRUE(doc);
    std::vector<xmlNode*> ind, style;
    find_all(xmlDocGetRootElement(doc.get()), "ind", ind);
    find_all(xmlDocGetRootElement(doc.get()), "pStyle", style);
    ASSERT_EQ(ind.size(), 1u);
    EXPECT_EQ(w_attr(ind[0], "left"), "720");
    EXPECT_EQ(w_attr(ind[0], "right"), "1440");
    ASSERT_EQ(style.size(), 1u);
    EXPECT_EQ(w_attr(style[0], "val"), "a\"b&<c");
    EXPECT_EQ(r.texts(), (Texts{"thụt lề", "x"}));
}

// A value that starts a new paragraph (\a) repeats the host paragraph's and run's properties, their tags evaluated.
TEST(DocxCompile, TagsInTheHostPropertiesFollowANewParagraph) {
    const std::string body =
        "<w:p><w:pPr><w:pStyle w:val=\"{{ style }}\"/></w:pPr><w:r><w:rPr><w:rStyle w:val=\"{{ run_style }}\"/></w:rPr>"
        "<w:t>{{ x }}</w:t></w:r></w:p>";
    Rendered r = render(body, json{{"x", "một\ahai"}, {"style", "P1"}, {"run_style", "R&1"}});
    Doc doc = parse(r.doc());
    ASSERT_TRUE(doc);
    std::vector<xmlNode*> style, run_style;
    find_all(xmlDocGetRootElement(doc.get()), "pStyle", style);
    find_all(xmlDocGetRootElement(doc.get()), "rStyle", run_style);
    ASSERT_EQ(style.size(), 2u) << r.doc();
    ASSERT_EQ(run_style.size(), 2u) << r.doc();
    for (xmlNode* s : style) EXPECT_EQ(w_attr(s, "val"), "P1");
    for (xmlNode* s : run_style) EXPECT_EQ(w_attr(s, "val"), "R&1");
    EXPECT_EQ(r.texts(), (Texts{"một", "hai"}));
}

TEST(DocxCompile, BlockTagInAnAttributeIsAnError) {
    auto errors = compile_errors("<w:p><w:pPr><w:ind w:left=\"{% if x %}1{% endif %}\"/></w:pPr></w:p>");
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0].message, "only {{ … }} output tags can stand in an XML attribute");
}

// ----- rich text ------------------------------------------------------------------------------------------------------

const std::string kFootnotes =
    std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:footnotes ") + kNs + ">" +
    "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
    "<w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
    "<w:footnote w:id=\"1\"><w:p><w:r><w:t>Có sẵn</w:t></w:r></w:p></w:footnote>"
    "</w:footnotes>";

TEST(DocxCompile, RichTextRunsAndARealFootnote) {
    const std::string body =
        "<w:p><w:r><w:rPr><w:sz w:val=\"26\"/></w:rPr><w:t xml:space=\"preserve\">Căn cứ {{ note | rich }} hết</w:t></w:r></w:p>";
    Rendered r = render(body, json{{"note", "Luật **Thi đua** *khen thưởng*^[Luật số 06/2022/QH15.]"}},
                        {{"word/footnotes.xml", kFootnotes}});
    EXPECT_EQ(r.texts(), Texts{"Căn cứ Luật Thi đua khen thưởng hết"});
    EXPECT_EQ(props_of_run_with(r.doc(), "Thi đua"), "b bCs sz=26");
    EXPECT_EQ(props_of_run_with(r.doc(), "khen thưởng"), "i iCs sz=26");
    EXPECT_EQ(props_of_run_with(r.doc(), "Luật "), "sz=26");
    // the existing footnote has id 1, so the new one is 2
    EXPECT_EQ(count(r.doc(), "<w:footnoteReference w:id=\"2\"/>"), 1);
    const std::string& notes = r.parts.at("word/footnotes.xml");
    EXPECT_EQ(count(notes, "<w:footnote w:id=\"2\">"), 1);
    EXPECT_EQ(r.texts("word/footnotes.xml"), (Texts{"", "", "Có sẵn", " Luật số 06/2022/QH15."}));
}

// A form's own mark: w:customMarkFollows and the mark as the reference run's text; the note starts with the same mark.
TEST(DocxCompile, FootnoteWithItsOwnMark) {
    Rendered r = render(P("Đề nghị{{ [{'footnote': 'Ghi rõ hình thức.', 'mark': '(1)'}] | rich }}"), json::object(),
                        {{"word/footnotes.xml", kFootnotes}});
    EXPECT_EQ(count(r.doc(),
                    "<w:footnoteReference w:id=\"2\" w:customMarkFollows=\"1\"/><w:t xml:space=\"preserve\">(1)</w:t>"),
              1)
        << r.doc();
    EXPECT_EQ(r.texts(), Texts{"Đề nghị"});  // the mark is a reference, not text (test_support)
    const std::string& notes = r.parts.at("word/footnotes.xml");
    EXPECT_EQ(count(notes,
                    "<w:rStyle w:val=\"FootnoteReference\"/><w:vertAlign w:val=\"superscript\"/></w:rPr>"
                    "<w:t xml:space=\"preserve\">(1)</w:t></w:r><w:r><w:t xml:space=\"preserve\"> </w:t></w:r>"),
              1)
        << notes;
    EXPECT_EQ(count(notes, "<w:footnoteRef/>"), 0);
}

TEST(DocxCompile, FootnotesInALoopGetDistinctIds) {
    const std::string body = P("{% for n in notes %}") + P("{{ n | rich }}") + P("{% endfor %}");
    Rendered r = render(body, json{{"notes", {"a^[một]", "b^[hai]"}}}, {{"word/footnotes.xml", kFootnotes}});
    EXPECT_EQ(r.texts(), (Texts{"a", "b"}));
    EXPECT_EQ(count(r.doc(), "<w:footnoteReference w:id=\"2\"/>"), 1);
    EXPECT_EQ(count(r.doc(), "<w:footnoteReference w:id=\"3\"/>"), 1);
    EXPECT_EQ(r.texts("word/footnotes.xml"), (Texts{"", "", "Có sẵn", " một", " hai"}));
}

// A template made without any footnote has no footnotes part; rich text with ^[…] must still produce a real footnote:
// the part, its content type and its relationship are added when the template is compiled.
TEST(DocxCompile, FootnoteWithoutAFootnotesPart) {
    auto t = compile(P("{{ n | rich }}"));
    auto parts = read_zip(t.render(json{{"n", "a^[chú thích]"}}));
    ASSERT_EQ(parts.count("word/footnotes.xml"), 1u) << "footnoteReference without a footnotes part";
    EXPECT_NE(parts["word/footnotes.xml"].find("chú thích"), std::string::npos);
    EXPECT_NE(parts["word/footnotes.xml"].find("w:type=\"separator\""), std::string::npos);
    EXPECT_NE(parts["[Content_Types].xml"].find("/word/footnotes.xml"), std::string::npos);
    EXPECT_NE(parts["word/_rels/document.xml.rels"].find("footnotes.xml"), std::string::npos);
    EXPECT_NE(parts["word/document.xml"].find("<w:footnoteReference w:id=\"1\"/>"), std::string::npos);
}

// ----- errors -------------------------------------------------------------------------------------------------------

TEST(DocxCompile, AllTemplateErrorsAtOnce) {
    const std::string body = P("Kính gửi {{ agency.name | uper }}") + P("ok") + P("{% frobnicate %}") + P("{{ x ~ }}");
    auto errors = compile_errors(body);
    ASSERT_EQ(errors.size(), 3u) << all_messages(errors);
    EXPECT_EQ(errors[0].kind, DiagnosticKind::template_syntax);
    EXPECT_EQ(errors[0].part, "word/document.xml");
    EXPECT_EQ(errors[0].paragraph, 1);
    EXPECT_EQ(errors[0].tag, "{{ agency.name | uper }}");
    EXPECT_EQ(errors[0].message, "unknown filter 'uper'");
    EXPECT_NE(errors[0].context.find("Kính gửi"), std::string::npos);
    EXPECT_EQ(errors[1].paragraph, 3);
    EXPECT_EQ(errors[1].tag, "{% frobnicate %}");
    EXPECT_EQ(errors[1].message, "unknown tag 'frobnicate'");
    EXPECT_EQ(errors[2].paragraph, 4);
    EXPECT_EQ(errors[2].tag, "{{ x ~ }}");
    EXPECT_EQ(errors[2].message, "expected an expression");
    for (const auto& d : errors) EXPECT_EQ(d.part, "word/document.xml");
}

TEST(DocxCompile, ScanAndStructureErrorsTogether) {
    const std::string body = P("{{ a") + P("{% for x in xs %}") + P("{% endif %}");
    auto errors = compile_errors(body);
    ASSERT_GE(errors.size(), 2u) << all_messages(errors);
    EXPECT_EQ(errors[0].message, "tag is not closed (missing '}}')");
    EXPECT_EQ(errors[0].paragraph, 1);
    bool endif_reported = false;
    for (const auto& d : errors) endif_reported = endif_reported || (d.tag == "{% endif %}" && d.paragraph == 3);
    EXPECT_TRUE(endif_reported) << all_messages(errors);
}

TEST(DocxCompile, UnclosedMacroIsATemplateError) {
    auto errors = compile_errors(P("{% macro m() %}") + P("x"));
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0].message, "{% macro %} is never closed");
    EXPECT_EQ(errors[0].paragraph, 1);
}

TEST(DocxCompile, UnsupportedIncludeIsATemplateError) {
    auto errors = compile_errors(P("{% include 'x.docx' %}") + P("x"));
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0].message, "'{% include %}' is not supported by vanban");
    EXPECT_EQ(errors[0].paragraph, 1);
}

TEST(DocxCompile, MissingValueInStrictModeNamesThePath) {
    auto errors = render_errors(P("a") + P("Ký: {{ signer.name }}"), json{{"signer", json::object()}});
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].kind, DiagnosticKind::data);
    EXPECT_EQ(errors[0].message, "'signer.name' is missing from the data");
    EXPECT_EQ(errors[0].part, "word/document.xml");
    EXPECT_EQ(errors[0].paragraph, 2);
    EXPECT_EQ(errors[0].tag, "{{ signer.name }}");
    EXPECT_EQ(errors[0].json_pointer, "/signer/name");
    EXPECT_NE(errors[0].hint.find("default"), std::string::npos);
}

TEST(DocxCompile, LoopOverAStringIsAnError) {
    auto errors = render_errors(P("{% for s in sections %}") + P("{{ s }}") + P("{% endfor %}"),
                                json{{"sections", "không phải danh sách"}});
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].message, "'sections' is string, not a list: cannot loop over it");
    EXPECT_EQ(errors[0].paragraph, 1);
    EXPECT_EQ(errors[0].json_pointer, "/sections");
}

TEST(DocxCompile, UnknownAttributeIsAnError) {
    auto errors = render_errors(P("{{ person.age }}") + P("{% for x in xs %}{{ loop.size }}{% endfor %}"),
                                json{{"person", "Lan"}, {"xs", {1}}});
    ASSERT_EQ(errors.size(), 2u) << all_messages(errors);
    EXPECT_EQ(errors[0].message, "'person.age' is missing from the data");
    EXPECT_EQ(errors[0].paragraph, 1);
    EXPECT_EQ(errors[1].message, "loop has no attribute 'size'");
    EXPECT_EQ(errors[1].paragraph, 2);
}

TEST(DocxCompile, AllDataErrorsAtOnce) {
    auto errors = render_errors(P("{{ a }}") + P("{{ b.c }}") + P("{{ 1 // 0 }}"), json::object());
    ASSERT_EQ(errors.size(), 3u) << all_messages(errors);
    EXPECT_EQ(errors[0].paragraph, 1);
    EXPECT_EQ(errors[1].paragraph, 2);
    EXPECT_EQ(errors[2].message, "division by zero");
    EXPECT_EQ(errors[2].paragraph, 3);
}

TEST(DocxCompile, LenientRendersMissingValuesEmpty) {
    const std::string body = P("Ký: {{ signer.name }}!") + P("{% for s in sections %}") + P("{{ s }}") +
                             P("{% endfor %}") + P("{% if flag %}có{% else %}không{% endif %}");
    auto t = compile(body);
    Rendered r = render(t, json::object(), true);
    EXPECT_EQ(r.texts(), (Texts{"Ký: !", "không"}));
}

TEST(DocxCompile, PackageWithoutTagsIsCopied) {
    Rendered r = render(P("Chỉ có chữ {không phải thẻ}"), json::object());
    EXPECT_EQ(r.texts(), Texts{"Chỉ có chữ {không phải thẻ}"});
    EXPECT_EQ(r.parts.count("word/styles.xml"), 1u);
}

TEST(DocxCompile, InspectListsTheDataPaths) {
    auto t = compile(P("{{ agency.name }}") + P("{% for s in sections %}") + P("{{ s.title }}") + P("{% endfor %}"));
    auto info = t.inspect();
    EXPECT_EQ(info.skeleton, json::parse(R"({"agency": {"name": ""}, "sections": [{"title": ""}]})"));
    EXPECT_EQ(info.loops, std::vector<std::string>{"s in sections"});
}

// CompileOptions::compression_level is the deflate level of the rendered parts: the same document, smaller at 12 than
// at 1; a level libdeflate does not have is refused when compiling, not ignored.
TEST(DocxCompile, CompressionLevelIsTheRenderedPartsDeflateLevel) {
    std::string body;
    for (int i = 0; i < 200; ++i) body += P("{{ name }} — đoạn " + std::to_string(i) + " của kế hoạch số {{ number }}");
    const std::string package = make_docx(body);
    const json data = {{"name", "Nguyễn Văn An"}, {"number", 42}};
    std::map<int, std::string> outputs;
    for (int level : {1, 6, 12}) {
        vanban::CompileOptions options;
        options.compression_level = level;
        outputs[level] = vanban::Template::from_bytes(package, "t.docx", options).render(data);
        EXPECT_EQ(paragraph_texts(read_zip(outputs[level]).at("word/document.xml")),
                  paragraph_texts(read_zip(outputs[1]).at("word/document.xml")))
            << level;
    }
    EXPECT_LT(outputs[12].size(), outputs[1].size());
    for (int level : {0, 13, -1}) {
        vanban::CompileOptions options;
        options.compression_level = level;
        try {
            (void)vanban::Template::from_bytes(package, "t.docx", options);
            ADD_FAILURE() << "level " << level << " was accepted";
        } catch (const vanban::Error& e) {
            EXPECT_EQ(e.diagnostics().at(0).kind, DiagnosticKind::usage) << level;
        }
    }
}

}  // namespace
