// docx_to_html (vanban/convert.hpp), the page's instant preview: what a rendered DOCX says — text, emphasis from
// direct and style properties, alignment, tables with spans, footnotes, page breaks — comes out as HTML, and every
// visible paragraph of the bundled KẾ HOẠCH example is in its preview.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "test_support.hpp"
#include "vanban/catalog.hpp"
#include "vanban/convert.hpp"
#include "vanban/vanban.hpp"
#include "zip/zip.hpp"

namespace {

namespace t = vanban::test;

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

TEST(DocxHtml, RunsKeepTheirEmphasisAndTextIsEscaped) {
    const std::string docx = t::make_docx(
        R"(<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>KẾ HOẠCH</w:t></w:r></w:p>)"
        R"(<w:p><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">a &lt; b &amp; "c" </w:t></w:r>)"
        R"(<w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>thường</w:t></w:r></w:p>)");
    const std::string html = vanban::docx_to_html(docx);
    EXPECT_NE(html.find("text-align:center"), std::string::npos) << html;
    EXPECT_NE(html.find("font-weight:bold;font-size:14.0pt;\">KẾ HOẠCH</span>"), std::string::npos) << html;
    EXPECT_NE(html.find("font-style:italic;font-size:14.0pt;\">a &lt; b &amp; &quot;c&quot; </span>"),
              std::string::npos)
        << html;
    EXPECT_NE(html.find(">thường<"), std::string::npos) << html;
    EXPECT_EQ(html.find("font-weight:bold;font-size:14.0pt;\">thường"), std::string::npos)
        << "w:val=0 switches bold off";
    EXPECT_EQ(count(html, "<div class=\"sheet\">"), 1u);
}

TEST(DocxHtml, TablesKeepColumnAndRowSpans) {
    const std::string cell = R"(<w:p><w:r><w:t>ô</w:t></w:r></w:p>)";
    const std::string docx = t::make_docx(
        R"(<w:tbl><w:tblPr><w:tblBorders><w:top w:val="single"/><w:insideH w:val="single"/></w:tblBorders></w:tblPr>)"
        R"(<w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="3000"/><w:gridCol w:w="1000"/></w:tblGrid>)"
        "<w:tr><w:tc><w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr>" +
        cell + "</w:tc><w:tc><w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr>" + cell +
        "</w:tc></w:tr>"
        "<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc>" +
        cell + "</w:tc><w:tc>" + cell +
        "</w:tc></w:tr>"
        "</w:tbl>");
    const std::string html = vanban::docx_to_html(docx);
    EXPECT_NE(html.find("<table class=\"ruled\">"), std::string::npos) << html;
    EXPECT_NE(html.find("<col style=\"width:100.0pt\"><col style=\"width:150.0pt\"><col style=\"width:50.0pt\">"),
              std::string::npos)
        << html;
    EXPECT_NE(html.find("<td rowspan=\"2\">"), std::string::npos) << html;
    EXPECT_NE(html.find("<td colspan=\"2\">"), std::string::npos) << html;
    EXPECT_EQ(count(html, "<td"), 4u) << "the continued merged cell is not drawn again: " << html;
}

TEST(DocxHtml, PageBreaksStartANewSheetAndFootnotesGoUnderTheirSheet) {
    const std::string notes =
        R"(<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">)"
        R"(<w:footnote w:id="1"><w:p><w:r><w:t>Chú thích một.</w:t></w:r></w:p></w:footnote></w:footnotes>)";
    const std::string docx =
        t::make_docx(R"(<w:p><w:r><w:t>Trang một</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p>)"
                     R"(<w:p><w:r><w:br w:type="page"/></w:r><w:r><w:t>Trang hai</w:t></w:r></w:p>)"
                     R"(<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:r><w:t>Trang ba</w:t></w:r></w:p>)",
                     {{"word/footnotes.xml", notes}});
    const std::string html = vanban::docx_to_html(docx);
    EXPECT_EQ(count(html, "<div class=\"sheet\">"), 3u) << html;
    const auto note = html.find("Chú thích một.");
    const auto second = html.find("Trang hai");
    ASSERT_NE(note, std::string::npos) << html;
    EXPECT_LT(note, second) << "the note is under the first sheet";
    EXPECT_NE(html.find("<sup class=\"note-ref\">1</sup>"), std::string::npos);
}

TEST(DocxHtml, AFormsOwnFootnoteMarkIsTheMarkOfItsNoteOnce) {
    // The award forms' "(1)": w:customMarkFollows, the mark as the text after the reference and at the note's start.
    const std::string notes =
        R"(<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">)"
        R"(<w:footnote w:id="2"><w:p><w:r><w:t xml:space="preserve">(3)</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>)"
        R"(<w:r><w:t>Ghi chú ba.</w:t></w:r></w:p></w:footnote></w:footnotes>)";
    const std::string docx = t::make_docx(
        R"(<w:p><w:r><w:t>Tiêu đề</w:t></w:r><w:r><w:footnoteReference w:id="2" w:customMarkFollows="1"/>)"
        R"(<w:t xml:space="preserve">(3)</w:t></w:r><w:r><w:t xml:space="preserve"> tiếp</w:t></w:r></w:p>)",
        {{"word/footnotes.xml", notes}});
    const std::string html = vanban::docx_to_html(docx);
    EXPECT_EQ(count(html, "(3)"), 2u) << "once at the reference, once at the note: " << html;
    const auto ref = html.find("<sup class=\"note-ref\">(3)</sup>");
    ASSERT_NE(ref, std::string::npos) << html;
    EXPECT_LT(html.find("Tiêu đề"), ref) << html;
    EXPECT_LT(ref, html.find(" tiếp")) << "the text after the mark follows it: " << html;
    EXPECT_NE(html.find("<p class=\"footnote\"><sup>(3)</sup> Ghi chú ba.</p>"), std::string::npos) << html;
}

TEST(DocxHtml, ThePreviewOfTheBundledPlanHoldsEveryParagraph) {
    const auto plan = vanban::find_bundled_template("ke-hoach");
    ASSERT_TRUE(plan);
    const auto tpl = vanban::Template::from_file(plan->variant_path("docx"));
    const std::string docx = tpl.render(nlohmann::json::parse(plan->example()));
    const std::string html = vanban::docx_to_html(docx);
    const std::string xml = vanban::zip::Reader::from_bytes(docx, "plan.docx").read("word/document.xml");
    const std::regex paragraph(R"(<w:p[ >][\s\S]*?</w:p>)");
    const std::regex text(R"(<w:t(?: [^>]*)?>([^<]*)</w:t>)");
    int checked = 0;
    for (auto p = std::sregex_iterator(xml.begin(), xml.end(), paragraph); p != std::sregex_iterator(); ++p) {
        const std::string body = p->str();
        for (auto r = std::sregex_iterator(body.begin(), body.end(), text); r != std::sregex_iterator(); ++r) {
            const std::string words = (*r)[1].str();  // already XML-escaped, as HTML escapes it (no quotes in the plan)
            if (words.find_first_not_of(' ') == std::string::npos) continue;
            EXPECT_NE(html.find(words), std::string::npos) << words;
            ++checked;
        }
    }
    EXPECT_GT(checked, 50);
    EXPECT_NE(html.find("class=\"footnotes\""), std::string::npos) << "the example has footnotes";
    EXPECT_GE(count(html, "<div class=\"sheet\">"), 2u) << "the appendices start on new pages";
}

TEST(DocxHtml, SomethingThatIsNoDocxIsAPackageError) {
    try {
        vanban::docx_to_html("not a zip at all");
        FAIL() << "no error";
    } catch (const vanban::Error& e) {
        EXPECT_EQ(e.diagnostics().front().kind, vanban::DiagnosticKind::package);
    }
    const std::string odt_like = t::make_odt("<text:p>x</text:p>");
    try {
        vanban::docx_to_html(odt_like);
        FAIL() << "no error";
    } catch (const vanban::Error& e) {
        EXPECT_EQ(e.diagnostics().front().code, "preview.not_docx");
        EXPECT_FALSE(e.diagnostics().front().message_vi.empty());
    }
}

}  // namespace
