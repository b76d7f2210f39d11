// {% pstyle %}, {% indent %}, {% spacebefore %}, {% cellwidth %}: properties of a paragraph or cell written from a
// tag in its text (docs/template-language.md), so that no tag has to stand in an XML attribute, which Word and
// LibreOffice rewrite. DOCX writes them into w:pPr / w:tcPr, in twips; ODT gives the paragraph (or the cell's column)
// an automatic style of its own.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>

#include "test_support.hpp"
#include "vanban/vanban.hpp"

namespace {

using nlohmann::json;
namespace t = vanban::test;

std::string render(const std::string& package, const json& data, const std::string& part) {
    const auto tpl = vanban::Template::from_bytes(package, "t");
    return t::read_zip(tpl.render(data)).at(part);
}

std::vector<vanban::Diagnostic> compile_errors(const std::string& package) {
    try {
        (void)vanban::Template::from_bytes(package, "t");
    } catch (const vanban::Error& e) {
        return e.diagnostics();
    }
    return {};
}

std::string docx_p(const std::string& ppr, const std::string& text) {
    return "<w:p><w:pPr>" + ppr + "</w:pPr><w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r></w:p>";
}

TEST(ParagraphHelpers, DocxIndentsInTwipsBothSides) {
    const std::string xml = render(t::make_docx(docx_p("<w:pStyle w:val=\"Rule\"/>", "{% indent (3659 - w) / 40 %}")),
                                   {{"w", 1000}}, "word/document.xml");
    EXPECT_NE(xml.find("<w:ind w:left=\"1330\" w:right=\"1330\"/>"), std::string::npos) << xml;  // 66.475 pt
    EXPECT_EQ(xml.find("indent"), std::string::npos) << "the tag's text is gone: " << xml;
    // w:ind comes after w:pStyle (schema order)
    EXPECT_LT(xml.find("w:pStyle"), xml.find("w:ind"));
}

TEST(ParagraphHelpers, DocxStyleSpaceBeforeAndCellWidth) {
    const std::string body =
        docx_p("<w:pStyle w:val=\"Body\"/>", "{% pstyle s %}{% spacebefore n * 14.95 %}{{ name }}") +
        "<w:tbl><w:tblGrid><w:gridCol w:w=\"1000\"/></w:tblGrid><w:tr><w:tc>" + docx_p("", "{% cellwidth 140 %}x") +
        "</w:tc></w:tr></w:tbl>";
    const std::string xml =
        render(t::make_docx(body), {{"s", "Heading1"}, {"n", 2}, {"name", "Hà"}}, "word/document.xml");
    EXPECT_NE(xml.find("<w:pStyle w:val=\"Heading1\"/>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<w:spacing w:before=\"598\"/>"), std::string::npos) << xml;
    EXPECT_TRUE(std::regex_search(xml, std::regex(R"(<w:tcW (w:w="2800" w:type="dxa"|w:type="dxa" w:w="2800")/>)")))
        << xml;
    EXPECT_EQ(t::paragraph_texts(xml).front(), "Hà");
}

TEST(ParagraphHelpers, OdtIndentGivesTheParagraphAStyleOfItsOwn) {
    const std::string body =
        "<text:p text:style-name=\"P\">{% indent (5500 - w) / 40 %}</text:p>"
        "<text:p text:style-name=\"P\">{% pstyle s %}{{ s }}</text:p>";
    const std::string xml = render(t::make_odt(body), {{"w", 1500}, {"s", "Strong"}}, "content.xml");
    EXPECT_NE(xml.find("style:parent-style-name=\"P\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("fo:margin-left=\"100.0pt\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("fo:margin-right=\"100.0pt\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("<text:p text:style-name=\"Strong\">Strong</text:p>"), std::string::npos) << xml;
}

TEST(ParagraphHelpers, OdtIndentInsideALoopIsATemplateError) {
    const std::string body =
        "<text:p>{% for x in xs %}</text:p><text:p text:style-name=\"P\">{% indent x %}</text:p>"
        "<text:p>{% endfor %}</text:p>";
    const auto errors = compile_errors(t::make_odt(body));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, "template.paragraph_helper_in_loop");
    EXPECT_FALSE(errors[0].message_vi.empty());
    EXPECT_GT(errors[0].paragraph, 0);
}

TEST(ParagraphHelpers, OdtStyleAndIndentInOneParagraphIsATemplateError) {
    const auto errors =
        compile_errors(t::make_odt("<text:p text:style-name=\"P\">{% pstyle s %}{% indent 3 %}x</text:p>"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, "template.paragraph_helper");
}

// Word and LibreOffice move a section break onto a paragraph that only holds a block tag: the break stays.
TEST(ParagraphHelpers, ASectionBreakOnABlockTagParagraphIsKeptInsideTheBlock) {
    const std::string sect = "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgNumType w:start=\"1\"/></w:sectPr>";
    const std::string body =
        docx_p(sect, "{% for a in items %}") + t::docx_paragraph("{{ a }}") + t::docx_paragraph("{% endfor %}");
    const std::string xml = render(t::make_docx(body), {{"items", {"một", "hai"}}}, "word/document.xml");
    std::size_t breaks = 0;
    for (std::size_t at = xml.find("<w:pgNumType"); at != std::string::npos; at = xml.find("<w:pgNumType", at + 1))
        ++breaks;
    EXPECT_EQ(breaks, 2u) << xml;  // one per round, as when the break stood on its own paragraph inside the loop
    EXPECT_EQ(t::non_empty(t::paragraph_texts(xml)), (std::vector<std::string>{"một", "hai"}));
}

}  // namespace
