// What the api layer asks the format adapters (core/package_format.hpp): the width of the text from the page the
// package sets, drawing ids, the parts that list pictures, and the styles `vanban check` reads — all read as XML, so a
// namespace prefix or attribute order other than Word's own changes nothing.
#include "core/package_format.hpp"

#include <gtest/gtest.h>

#include <string>

#include "docx/docx_package.hpp"
#include "odt/odt_package.hpp"

namespace {

using vanban::core::kEmuPerMm;
using vanban::core::PackageFormat;
using vanban::core::StyleFacts;

constexpr const char* kWordOpen =
    "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
    "xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\"><w:body>";

std::int64_t width(const PackageFormat& format, const std::string& part, const std::string& xml) {
    return format.text_width(part, [&] { return xml; });
}

TEST(PackageFormat, DocxTextWidthIsTheLastSectionLessItsMargins) {
    // A first section in landscape, the last (the body's) in portrait: A4 11906 twips less 1701 + 1134.
    const std::string xml = std::string(kWordOpen) +
                            "<w:p><w:pPr><w:sectPr><w:pgSz w:w=\"16838\" w:h=\"11906\"/>"
                            "<w:pgMar w:left=\"1000\" w:right=\"1000\"/></w:sectPr></w:pPr></w:p>"
                            "<w:sectPr><w:pgSz w:h=\"16838\" w:w=\"11906\"/><w:pgMar w:right=\"1134\" w:top=\"1134\" "
                            "w:left=\"1701\"/></w:sectPr></w:body></w:document>";
    const PackageFormat& docx = vanban::docx::package_format();
    EXPECT_EQ(width(docx, "word/document.xml", xml), (11906 - 1701 - 1134) * 635);
    EXPECT_EQ(width(docx, "word/header1.xml", xml), 0) << "only the main document sets the page";
    // Another prefix for the same namespace reads the same.
    std::string renamed = xml;
    for (std::size_t at; (at = renamed.find("w:")) != std::string::npos;) renamed.replace(at, 2, "word:");
    renamed.replace(renamed.find("xmlns:w="), 8, "xmlns:word=");
    EXPECT_EQ(width(docx, "word/document.xml", renamed), (11906 - 1701 - 1134) * 635);
    EXPECT_EQ(width(docx, "word/document.xml", std::string(kWordOpen) + "</w:body></w:document>"), 0)
        << "no page: the default";
    EXPECT_EQ(width(docx, "word/document.xml", "<w:document"), 0)
        << "XML that does not parse is left to the compile step";
}

TEST(PackageFormat, OdtTextWidthIsTheFirstPageLayout) {
    const std::string styles =
        "<office:document-styles xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
        "xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" "
        "xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\"><office:automatic-styles>"
        "<style:page-layout style:name=\"pm1\"><style:page-layout-properties fo:page-width=\"210mm\" "
        "fo:margin-left=\"30mm\" fo:margin-right=\"20mm\"/></style:page-layout>"
        "<style:page-layout style:name=\"pm2\"><style:page-layout-properties fo:page-width=\"297mm\"/></style:page-layout>"
        "</office:automatic-styles></office:document-styles>";
    const PackageFormat& odt = vanban::odt::package_format();
    EXPECT_EQ(width(odt, "styles.xml", styles), 160 * kEmuPerMm);
    EXPECT_EQ(width(odt, "content.xml", styles), 0);
}

TEST(PackageFormat, DocxDrawingIdsAreReadAndRenumbered) {
    const std::string xml =
        std::string(kWordOpen) +
        "<w:p><w:r><w:drawing><wp:inline><wp:docPr id=\"7\" name=\"a\"/></wp:inline></w:drawing></w:r>"
        "<w:r><w:drawing><wp:inline><wp:docPr name=\"b\" id=\"42\"/></wp:inline></w:drawing></w:r></w:p>"
        "</w:body></w:document>";
    const PackageFormat& docx = vanban::docx::package_format();
    EXPECT_EQ(docx.max_drawing_id(xml), 42u);
    EXPECT_EQ(docx.max_drawing_id(std::string(kWordOpen) + "</w:body></w:document>"), 0u);
    std::string rendered = "<wp:docPr id=\"7\" name=\"a\"/><wp:docPr id=\"7\" name=\"a\"/>";
    unsigned long next = 43;
    docx.renumber_drawings(rendered, next);
    EXPECT_EQ(rendered, "<wp:docPr id=\"43\" name=\"a\"/><wp:docPr id=\"44\" name=\"a\"/>");
    EXPECT_EQ(next, 45u);
    EXPECT_EQ(vanban::odt::package_format().max_drawing_id(xml), 0u) << "ODT frames need no ids";
}

TEST(PackageFormat, PartsThatListPictures) {
    const PackageFormat& docx = vanban::docx::package_format();
    const PackageFormat& odt = vanban::odt::package_format();
    EXPECT_TRUE(docx.lists_pictures("[Content_Types].xml"));
    EXPECT_TRUE(docx.lists_pictures("word/_rels/document.xml.rels"));
    EXPECT_FALSE(docx.lists_pictures("_rels/.rels"));
    EXPECT_FALSE(docx.lists_pictures("META-INF/manifest.xml"));
    EXPECT_TRUE(odt.lists_pictures("META-INF/manifest.xml"));
    EXPECT_FALSE(odt.lists_pictures("[Content_Types].xml"));
    EXPECT_EQ(docx.media_folder(), "word/media/");
    EXPECT_EQ(odt.media_folder(), "Pictures/");
}

TEST(PackageFormat, AppendToRootKeepsThePartAndOpensAnEmptyRoot) {
    std::string rels = "<?xml version=\"1.0\"?><Relationships xmlns=\"x\"><Relationship Id=\"a\"/></Relationships>";
    ASSERT_TRUE(vanban::core::append_to_root(rels, "Relationships", "<Relationship Id=\"b\"/>"));
    EXPECT_EQ(
        rels,
        "<?xml version=\"1.0\"?><Relationships xmlns=\"x\"><Relationship Id=\"a\"/><Relationship Id=\"b\"/></Relationships>");
    std::string empty = "<Types xmlns=\"t\"/>";
    ASSERT_TRUE(vanban::core::append_to_root(empty, "Types", "<Default/>"));
    EXPECT_EQ(empty, "<Types xmlns=\"t\"><Default/></Types>");
    std::string other = "<Other/>";
    EXPECT_FALSE(vanban::core::append_to_root(other, "Types", "<Default/>"));
}

}  // namespace
