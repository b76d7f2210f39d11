// The ODT adapter through the public API: small packages from make_odt, compiled with Template::from_bytes and
// rendered; every output part must parse, and paragraph texts are compared with what the data says. The same tag
// language, errors and structure-aware blocks as for DOCX (docx_compile_test.cpp), on OpenDocument's model: text is
// character data in text:p / text:span, runs of spaces are text:s, rows can sit in table:table-header-rows, notes are
// inline.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "vanban/vanban.hpp"
#include "zip/zip.hpp"

namespace {

using nlohmann::json;
using vanban::Diagnostic;
using vanban::DiagnosticKind;
using vanban::test::make_odt;
using vanban::test::odt_note_texts;
using vanban::test::odt_paragraph_texts;
using vanban::test::read_zip;
using Texts = std::vector<std::string>;

std::string P(const std::string& inner) { return "<text:p text:style-name=\"P\">" + inner + "</text:p>"; }
std::string Cell(const std::string& content) {
    return "<table:table-cell office:value-type=\"string\">" + content + "</table:table-cell>";
}
std::string Row(const std::string& cells) { return "<table:table-row>" + cells + "</table:table-row>"; }
std::string Table(const std::string& rows) {
    return "<table:table table:name=\"T\"><table:table-column table:number-columns-repeated=\"2\"/>" + rows +
           "</table:table>";
}

struct DocFree {
    void operator()(xmlDoc* d) const noexcept { xmlFreeDoc(d); }
};

bool parses(const std::string& xml) {
    std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "part.xml", nullptr,
                                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    return doc != nullptr;
}

int count(const std::string& haystack, const std::string& needle) {
    int n = 0;
    for (std::size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
    return n;
}

struct Rendered {
    std::string bytes;
    std::map<std::string, std::string> parts;
    const std::string& content() const { return parts.at("content.xml"); }
    Texts texts(const std::string& part = "content.xml") const { return odt_paragraph_texts(parts.at(part)); }
};

vanban::Template compile(const std::string& body, const std::string& master = {}, const std::string& automatic = {}) {
    return vanban::Template::from_bytes(make_odt(body, master, automatic), "test.odt");
}

Rendered render(const vanban::Template& t, const json& data) {
    Rendered r;
    r.bytes = t.render(data);
    r.parts = read_zip(r.bytes);
    for (const auto& [name, content] : r.parts) {
        if (name.ends_with(".xml")) {
            EXPECT_TRUE(parses(content)) << name << " does not parse:\n" << content;
        }
    }
    return r;
}

Rendered render(const std::string& body, const json& data, const std::string& master = {}) {
    return render(compile(body, master), data);
}

std::vector<Diagnostic> compile_errors(const std::string& body, const std::string& master = {}) {
    try {
        compile(body, master);
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

// ----- text ---------------------------------------------------------------------------------------------------------

TEST(OdtCompile, TemplateIsRecognisedAsOdt) { EXPECT_EQ(compile(P("{{ a }}")).format(), vanban::Format::odt); }

TEST(OdtCompile, TagSplitOverSpans) {
    const std::string body =
        P("Kính gửi {{ agen<text:span text:style-name=\"Strong\">cy.na</text:span><text:span>me }}</text:span>!");
    Rendered r = render(body, json{{"agency", {{"name", "UBND"}}}});
    EXPECT_EQ(r.texts(), Texts{"Kính gửi UBND!"});
}

TEST(OdtCompile, SpacesElementInsideATag) {
    // LibreOffice writes a typed double space as " <text:s/>"; inside a tag it is just white space.
    const std::string body = P("{{<text:s/>name <text:s text:c=\"3\"/>| upper }} và {{ name }}");
    Rendered r = render(body, json{{"name", "an"}});
    EXPECT_EQ(r.texts(), Texts{"AN và an"});
}

TEST(OdtCompile, JinjaBlocksGiveTheirTextAndTabsInTagsAreWhiteSpace) {
    // A macro's body across spans and with a spaces element, a filter block, a recursive loop, a tab in a tag.
    const std::string body =
        P("{% macro m(x) %}<text:span text:style-name=\"Strong\">[{{ x }}</text:span> <text:s text:c=\"2\"/>]{% endmacro %}"
          "{{ m(a) }}|{% filter upper %}b &amp; {{ a }}{% endfilter %}|{% for i in t recursive %}{{ i.n }}({{ loop(i.c) }}){% endfor %}") +
        P("{{<text:tab/>a }}");
    Rendered r = render(body, json::parse(R"({"a": "x", "t": [{"n": 1, "c": [{"n": 2, "c": []}]}]})"));
    EXPECT_EQ(r.texts(), (Texts{"[x   ]|B & X|1(2())", "x"}));
    EXPECT_EQ(count(r.content(), "<text:tab/>"), 0) << r.content();
}

TEST(OdtCompile, SeveralTagsInOneParagraphAndSpanKeepsItsStyle) {
    const std::string body = P("<text:span text:style-name=\"Strong\">{{ a }}</text:span>-{{ b }}");
    Rendered r = render(body, json{{"a", "x"}, {"b", "y"}});
    EXPECT_EQ(r.texts(), Texts{"x-y"});
    EXPECT_EQ(count(r.content(), "<text:span text:style-name=\"Strong\">x</text:span>"), 1) << r.content();
}

TEST(OdtCompile, ValuesAreEscaped) {
    Rendered r = render(P("{{ v }}"), json{{"v", "a < b && c > \"d\""}});
    EXPECT_EQ(r.texts(), Texts{"a < b && c > \"d\""});
}

TEST(OdtCompile, MultipleSpacesNewlinesAndTabsInValues) {
    Rendered r = render(P("[{{ v }}]") + P("{{ lead }}"), json{{"v", "a  b   c\nd\te"}, {"lead", "  hai"}});
    EXPECT_EQ(r.texts(), (Texts{"[a  b   c\nd\te]", "  hai"}));
    const std::string& c = r.content();
    EXPECT_EQ(count(c, "a <text:s/>b <text:s text:c=\"2\"/>c<text:line-break/>d<text:tab/>e"), 1) << c;
    // at the start of a paragraph spaces are only kept as text:s
    EXPECT_EQ(count(c, "<text:s text:c=\"2\"/>hai"), 1) << c;
}

TEST(OdtCompile, SpaceAtTheStartOfAValueSurvives) {
    Rendered r = render(P("a{{ v }}"), json{{"v", " b"}});
    EXPECT_EQ(r.texts(), Texts{"a b"});
    EXPECT_EQ(count(r.content(), "a<text:s/>b"), 1) << r.content();
}

// ----- blocks -------------------------------------------------------------------------------------------------------

TEST(OdtCompile, ParagraphLoopRemovesTheTagParagraphs) {
    const std::string body = P("Trước") + P("{% for x in xs %}") + P("- {{ x }};") + P("{% endfor %}") + P("Sau");
    Rendered r = render(body, json{{"xs", {"một", "hai"}}});
    EXPECT_EQ(r.texts(), (Texts{"Trước", "- một;", "- hai;", "Sau"}));
}

TEST(OdtCompile, HeadingsAndListItemsAreParagraphs) {
    const std::string body = "<text:h text:outline-level=\"1\">{{ title }}</text:h><text:list><text:list-item>" +
                             P("{% for x in xs %}") + P("{{ x }}") + P("{% endfor %}") +
                             "</text:list-item></text:list>";
    Rendered r = render(body, json{{"title", "Tiêu đề"}, {"xs", {"a", "b"}}});
    EXPECT_EQ(r.texts(), (Texts{"Tiêu đề", "a", "b"}));
}

TEST(OdtCompile, IfElseAtParagraphLevel) {
    const std::string body = P("{% if ok %}") + P("có") + P("{% else %}") + P("không") + P("{% endif %}");
    EXPECT_EQ(render(body, json{{"ok", true}}).texts(), Texts{"có"});
    EXPECT_EQ(render(body, json{{"ok", false}}).texts(), Texts{"không"});
}

TEST(OdtCompile, RowLoopInHeaderRowsTable) {
    const std::string body =
        Table("<table:table-header-rows>" + Row(Cell(P("STT")) + Cell(P("Nội dung"))) + "</table:table-header-rows>" +
              Row(Cell(P("{% for t in tasks %}")) + Cell(P(""))) +
              Row(Cell(P("{{ loop.index }}")) + Cell(P("{{ t }}"))) + Row(Cell(P("{% endfor %}")) + Cell(P(""))));
    Rendered r = render(body, json{{"tasks", {"A", "B", "C"}}});
    EXPECT_EQ(r.texts(), (Texts{"STT", "Nội dung", "1", "A", "2", "B", "3", "C"}));
    EXPECT_EQ(count(r.content(), "<table:table-row>"), 4);
}

TEST(OdtCompile, RowLoopWithTagsInFirstAndLastCell) {
    const std::string body =
        Table(Row(Cell(P("{% for t in tasks %}{{ loop.index }}")) + Cell(P("{{ t }}{% endfor %}"))));
    Rendered r = render(body, json{{"tasks", {"A", "B"}}});
    EXPECT_EQ(r.texts(), (Texts{"1", "A", "2", "B"}));
    EXPECT_EQ(count(r.content(), "<table:table-row>"), 2);
}

TEST(OdtCompile, EmptyLoopInsideACellLeavesAParagraph) {
    const std::string body = Table(Row(Cell(P("{% for x in xs %}") + P("{{ x }}") + P("{% endfor %}")) + Cell(P("b"))));
    Rendered r = render(body, json{{"xs", json::array()}});
    EXPECT_EQ(count(r.content(), "<table:table-cell office:value-type=\"string\"><text:p/></table:table-cell>"), 1)
        << r.content();
}

TEST(OdtCompile, CoveredCellsAreCells) {
    const std::string body = Table(Row("<table:table-cell table:number-columns-spanned=\"2\">" +
                                       P("{% for x in xs %}") + "</table:table-cell><table:covered-table-cell/>") +
                                   Row(Cell(P("{{ x }}")) + Cell(P("."))) +
                                   Row("<table:table-cell table:number-columns-spanned=\"2\">" + P("{% endfor %}") +
                                       "</table:table-cell><table:covered-table-cell/>"));
    Rendered r = render(body, json{{"xs", {"a", "b"}}});
    EXPECT_EQ(r.texts(), (Texts{"a", ".", "b", "."}));
}

// An inline {% if %} inside a styled span and its {% endif %} outside: the span is cut so that the block slices
// balanced XML, and both halves keep the span's style.
TEST(OdtCompile, InlineIfInsideASpanSplitsTheSpan) {
    const std::string body = P("a<text:span text:style-name=\"Strong\">b{% if show %}c</text:span>d{% endif %}e");
    auto t = compile(body);
    Rendered yes = render(t, json{{"show", true}});
    EXPECT_EQ(yes.texts(), Texts{"abcde"});
    EXPECT_EQ(count(yes.content(), "<text:span text:style-name=\"Strong\">b</text:span>"), 1) << yes.content();
    EXPECT_EQ(count(yes.content(), "<text:span text:style-name=\"Strong\">c</text:span>"), 1) << yes.content();
    Rendered no = render(t, json{{"show", false}});
    EXPECT_EQ(no.texts(), Texts{"abe"});
}

TEST(OdtCompile, SplitSpanWithAnAttributeTagKeepsItInBothHalves) {
    const std::string body = P("<text:span text:style-name=\"{{ st }}\">b{% if show %}c</text:span>d{% endif %}");
    Rendered r = render(body, json{{"st", "Strong"}, {"show", true}});
    EXPECT_EQ(r.texts(), Texts{"bcd"});
    EXPECT_EQ(count(r.content(), "<text:span text:style-name=\"Strong\">"), 2) << r.content();
}

TEST(OdtCompile, InlineIfInNestedSpansWithOutputTagsAround) {
    const std::string body =
        P("<text:span text:style-name=\"Strong\"><text:span>{{ a }}{% if show %}{{ b }}</text:span>x</text:span>"
          "{% else %}-{% endif %}{{ c }}");
    auto t = compile(body);
    EXPECT_EQ(render(t, json{{"show", true}, {"a", "1"}, {"b", "2"}, {"c", "3"}}).texts(), Texts{"12x3"});
    EXPECT_EQ(render(t, json{{"show", false}, {"a", "1"}, {"b", "2"}, {"c", "3"}}).texts(), Texts{"1-3"});
}

TEST(OdtCompile, InlineLoopInsideOneSpan) {
    Rendered r = render(P("<text:span text:style-name=\"Strong\">{% for x in xs %}{{ x }};{% endfor %}</text:span>"),
                        json{{"xs", {"a", "b"}}});
    EXPECT_EQ(r.texts(), Texts{"a;b;"});
}

TEST(OdtCompile, InlineIfInsideAHyperlinkClosesOutsideIt) {
    const std::string body = P(
        "Xem <text:a xlink:type=\"simple\" xlink:href=\"https://example.org/\">trang {% if x %}chi</text:a> tiết{% endif %}.");
    auto t = compile(body);
    Rendered yes = render(t, json{{"x", true}});
    EXPECT_EQ(yes.texts(), Texts{"Xem trang chi tiết."});
    EXPECT_EQ(count(yes.content(), "xlink:href=\"https://example.org/\""), 2) << yes.content();
    EXPECT_EQ(render(t, json{{"x", false}}).texts(), Texts{"Xem trang ."});
}

// The same docxtpl semantics as in DOCX (docx_compile_test.cpp): blocks across paragraphs, whitespace control.
TEST(OdtCompile, LoopOpeningMidParagraphRepeatsTheParagraphBreaksBetween) {
    const std::string body = P("Items: {% for x in xs %}{{ x }}") + P("text") + P("{% endfor %}") + P("End");
    EXPECT_EQ(render(body, json{{"xs", {"a", "b"}}}).texts(), (Texts{"Items: a", "text", "b", "text", "", "End"}));
}

TEST(OdtCompile, WhitespaceControlJoinsParagraphs) {
    const std::string body = P("Intro ") + P("{%- if x %}") +
                             P("<text:span text:style-name=\"Strong\">Body</text:span>") + P("{%- endif %}") +
                             P("A {% if x -%}") + P("B{% endif %}");
    auto t = compile(body);
    EXPECT_EQ(render(t, json{{"x", true}}).texts(), (Texts{"Intro ", "Body", "A B"}));
    EXPECT_EQ(render(t, json{{"x", false}}).texts(), (Texts{"Intro ", "A "}));
}

TEST(OdtCompile, ColumnLoopKeepsTheColumnCount) {
    const std::string body =
        "<table:table table:name=\"T\"><table:table-column table:style-name=\"A\"/>"
        "<table:table-column table:style-name=\"B\" table:number-columns-repeated=\"3\"/>" +
        Row(Cell(P("Tên")) + Cell(P("{%tc for c in cols %}")) + Cell(P("{{ c }}")) + Cell(P("{%tc endfor %}"))) +
        "</table:table>";
    Rendered five = render(body, json{{"cols", {"1", "2", "3", "4", "5"}}});
    EXPECT_EQ(five.texts(), (Texts{"Tên", "1", "2", "3", "4", "5"}));
    EXPECT_EQ(count(five.content(), "<table:table-column table:style-name=\"B\" table:number-columns-repeated=\"5\"/>"),
              1)
        << five.content();
    Rendered none = render(body, json{{"cols", json::array()}});
    EXPECT_EQ(count(none.content(), "table:style-name=\"B\""), 0) << none.content();
    EXPECT_EQ(count(none.content(), "<table:table-column table:style-name=\"A\"/>"), 1) << none.content();
}

TEST(OdtCompile, DocxTableHelpersAreAClearError) {
    auto errors = compile_errors(Table(Row(Cell(P("{% cellbg 'FF0000' %}đỏ")) + Cell(P("x")))));
    ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
    EXPECT_EQ(errors[0].message,
              "{% cellbg %} is a table helper for Word documents; OpenDocument templates cannot use it");
    EXPECT_EQ(errors[0].tag, "{% cellbg 'FF0000' %}");
    EXPECT_EQ(errors[0].paragraph, 1);
}

// ----- rich text, notes, attributes, headers --------------------------------------------------------------------------

// A form's own mark is the citation's label: LibreOffice prints it at the reference and in the note.
TEST(OdtCompile, FootnoteWithItsOwnMark) {
    Rendered r = render(P("Đề nghị{{ [{'footnote': 'Ghi rõ hình thức.', 'mark': '(1)'}] | rich }}"), json::object());
    EXPECT_EQ(count(r.content(), "<text:note-citation text:label=\"(1)\">(1)</text:note-citation>"), 1) << r.content();
    EXPECT_EQ(odt_note_texts(r.content()), Texts{"Ghi rõ hình thức."});
}

TEST(OdtCompile, RichTextSpansAndAFootnote) {
    Rendered r = render(P("<text:span text:style-name=\"Strong\">Căn cứ {{ note | rich }} hết</text:span>"),
                        json{{"note", "Luật **Thi đua** *khen thưởng*^[Luật số *06/2022/QH15*.]"}});
    EXPECT_EQ(r.texts(), Texts{"Căn cứ Luật Thi đua khen thưởng hết"});
    EXPECT_EQ(odt_note_texts(r.content()), Texts{"Luật số 06/2022/QH15."});
    const std::string& c = r.content();
    EXPECT_EQ(count(c, "<text:span text:style-name=\"vanban_b\">Thi đua</text:span>"), 1) << c;
    EXPECT_EQ(count(c, "<text:span text:style-name=\"vanban_i\">khen thưởng</text:span>"), 1) << c;
    EXPECT_EQ(count(c, "<text:note text:id=\"vanban_ftn1\" text:note-class=\"footnote\"><text:note-citation>1"), 1)
        << c;
    EXPECT_EQ(count(c, "<text:p text:style-name=\"Footnote\">Luật số <text:span text:style-name=\"vanban_i\">"), 1)
        << c;
    // the automatic styles exist, in office:automatic-styles between the font declarations and the body
    const auto fonts = c.find("</office:font-face-decls>"), autos = c.find("<office:automatic-styles>"),
               body = c.find("<office:body>");
    ASSERT_NE(autos, std::string::npos) << c;
    EXPECT_LT(fonts, autos);
    EXPECT_LT(autos, body);
    EXPECT_EQ(count(c, "style:name=\"vanban_b\" style:family=\"text\""), 1);
    EXPECT_EQ(count(c, "style:name=\"vanban_biu\" style:family=\"text\""), 1);
}

TEST(OdtCompile, RichStylesJoinExistingAutomaticStyles) {
    auto t = compile(P("{{ v | rich }}"), {},
                     "<style:style style:name=\"P1\" style:family=\"paragraph\" style:parent-style-name=\"P\"/>");
    Rendered r = render(t, json{{"v", "**a**"}});
    EXPECT_EQ(count(r.content(), "<office:automatic-styles>"), 1);
    EXPECT_EQ(count(r.content(), "style:name=\"P1\""), 1);
    EXPECT_EQ(count(r.content(), "style:name=\"vanban_b\""), 1);
}

TEST(OdtCompile, FootnotesInALoopAreNumberedInOrder) {
    Rendered r = render(P("{% for n in notes %}") + P("{{ n | rich }}") + P("{% endfor %}"),
                        json{{"notes", {"a^[một]", "b^[hai]"}}});
    EXPECT_EQ(r.texts(), (Texts{"a", "b"}));
    EXPECT_EQ(odt_note_texts(r.content()), (Texts{"một", "hai"}));
    EXPECT_EQ(count(r.content(), "text:id=\"vanban_ftn1\""), 1);
    EXPECT_EQ(count(r.content(), "text:id=\"vanban_ftn2\""), 1);
}

TEST(OdtCompile, TagsInAttributes) {
    const std::string body = "<text:p text:style-name=\"{{ style }}\">x</text:p>";
    Rendered r = render(body, json{{"style", "KH\"Body"}});
    EXPECT_EQ(count(r.content(), "<text:p text:style-name=\"KH&quot;Body\">x</text:p>"), 1) << r.content();
}

TEST(OdtCompile, HeaderInAMasterPageOfStylesXml) {
    const std::string master = "<style:header>" + P("{{ agency | upper }}") + P("{% if page_numbers %}") +
                               P("<text:page-number text:select-page=\"current\">1</text:page-number>") +
                               P("{% endif %}") + "</style:header>";
    auto t = compile(P("{{ body }}"), master);
    Rendered r = render(t, json{{"agency", "sở tư pháp"}, {"body", "nội dung"}, {"page_numbers", false}});
    EXPECT_EQ(r.texts(), Texts{"nội dung"});
    EXPECT_EQ(r.texts("styles.xml"), Texts{"SỞ TƯ PHÁP"});
    Rendered with = render(t, json{{"agency", "x"}, {"body", "y"}, {"page_numbers", true}});
    EXPECT_EQ(with.texts("styles.xml"), (Texts{"X", "1"}));
}

TEST(OdtCompile, NoNotesInHeaders) {
    Rendered r =
        render(P("a"), json{{"v", "x^[chú thích]"}}, "<style:header>" + P("{{ v | rich }}") + "</style:header>");
    EXPECT_EQ(r.texts("styles.xml"), Texts{"x"});
    EXPECT_EQ(count(r.parts.at("styles.xml"), "text:note"), 0);
}

TEST(OdtCompile, FieldsAreNotText) {
    // the cached page number of a field cannot complete a tag
    auto errors = compile_errors(P("{{ a <text:page-number>1</text:page-number>}}"));
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0].part, "content.xml");
}

TEST(OdtCompile, BookmarksAndSoftPageBreaksAreIgnored) {
    Rendered r =
        render(P("{{ a<text:bookmark text:name=\"b\"/>.b<text:soft-page-break/> }}"), json{{"a", {{"b", "ok"}}}});
    EXPECT_EQ(r.texts(), Texts{"ok"});
}

// ----- errors and package -------------------------------------------------------------------------------------------

TEST(OdtCompile, TemplateErrorsAreLocated) {
    const std::string body = P("Kính gửi {{ agency.name | uper }}") + P("ok") +
                             P("<text:span text:style-name=\"Strong\">{% frobnicate %}</text:span>");
    auto errors = compile_errors(body);
    ASSERT_EQ(errors.size(), 2u) << all_messages(errors);
    EXPECT_EQ(errors[0].kind, DiagnosticKind::template_syntax);
    EXPECT_EQ(errors[0].part, "content.xml");
    EXPECT_EQ(errors[0].paragraph, 1);
    EXPECT_EQ(errors[0].tag, "{{ agency.name | uper }}");
    EXPECT_EQ(errors[0].message, "unknown filter 'uper'");
    EXPECT_NE(errors[0].context.find("Kính gửi"), std::string::npos);
    EXPECT_EQ(errors[1].part, "content.xml");
    EXPECT_EQ(errors[1].paragraph, 3);
    EXPECT_EQ(errors[1].tag, "{% frobnicate %}");
}

TEST(OdtCompile, ErrorsInStylesXmlNameThatPart) {
    auto errors = compile_errors(P("a"), "<style:header>" + P("{% for x in xs %}") + "</style:header>");
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0].part, "styles.xml");
    EXPECT_EQ(errors[0].paragraph, 1);
}

TEST(OdtCompile, BlockAcrossDifferentPlacesIsAnError) {
    const std::string body = Table(Row(Cell(P("{% if a %}")) + Cell(P("x")))) + P("{% endif %}");
    auto errors = compile_errors(body);
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0].part, "content.xml");
    EXPECT_NE(errors[0].message.find("different kinds of places"), std::string::npos) << all_messages(errors);
}

TEST(OdtCompile, MimetypeFirstAndStored) {
    Rendered r = render(P("{{ a }}"), json{{"a", 1}});
    const std::string& z = r.bytes;
    ASSERT_GT(z.size(), 38u + 39u);
    EXPECT_EQ(z.substr(0, 4), std::string("PK\x03\x04", 4));
    EXPECT_EQ(z[8], 0);  // compression method: stored
    EXPECT_EQ(z[9], 0);
    EXPECT_EQ(z.substr(26, 2), std::string("\x08\x00", 2));  // name length 8
    EXPECT_EQ(z.substr(28, 2), std::string("\x00\x00", 2));  // no extra field
    EXPECT_EQ(z.substr(30, 8), "mimetype");
    EXPECT_EQ(z.substr(38, 39), "application/vnd.oasis.opendocument.text");
    EXPECT_EQ(r.parts.count("META-INF/manifest.xml"), 1u);
    EXPECT_EQ(r.texts(), Texts{"1"});
}

void expect_mimetype_first_and_stored(const std::string& z) {
    ASSERT_GT(z.size(), 77u);
    EXPECT_EQ(z[8], 0);
    EXPECT_EQ(z.substr(30, 8), "mimetype");
    EXPECT_EQ(z.substr(38, 39), "application/vnd.oasis.opendocument.text");
}

// A template zipped by a tool that put mimetype last (or left it out) still renders a package with mimetype first.
TEST(OdtCompile, MimetypeMovedFirstOrAdded) {
    auto parts = read_zip(make_odt(P("{{ a }}")));
    for (bool keep : {true, false}) {
        vanban::zip::Writer w;
        for (const auto& [name, data] : parts)
            if (name != "mimetype") w.add(name, data, vanban::zip::Method::deflated);
        if (keep) w.add("mimetype", parts.at("mimetype"), vanban::zip::Method::deflated);
        auto t = vanban::Template::from_bytes(w.finish(), "odd.odt");
        Rendered r = render(t, json{{"a", "x"}});
        expect_mimetype_first_and_stored(r.bytes);
        EXPECT_EQ(r.texts(), Texts{"x"});
    }
}

// The bundled template as a directory and packed into one .odt file render the same document.
TEST(OdtCompile, TemplateDirectoryAndPackedFileRenderTheSame) {
    const std::string dir = vanban::test::source_dir() + "/templates/ke-hoach/odt";
    const json data =
        json::parse(vanban::test::read_file(vanban::test::source_dir() + "/templates/ke-hoach/example.json"));
    const std::string packed = vanban::pack_directory(dir);
    expect_mimetype_first_and_stored(packed);
    Rendered from_dir = render(vanban::Template::from_file(dir), data);
    Rendered from_zip = render(vanban::Template::from_bytes(packed, "ke-hoach.odt"), data);
    expect_mimetype_first_and_stored(from_dir.bytes);
    EXPECT_EQ(from_dir.parts, from_zip.parts);
    EXPECT_GT(from_dir.texts().size(), 30u);
}

TEST(OdtCompile, InspectListsTheDataPaths) {
    auto t = compile(P("{% for x in items %}") + P("{{ x.name }}") + P("{% endfor %}") + P("{{ title }}"));
    auto i = t.inspect();
    EXPECT_TRUE(i.skeleton.contains("items"));
    EXPECT_TRUE(i.skeleton.contains("title"));
}

}  // namespace
