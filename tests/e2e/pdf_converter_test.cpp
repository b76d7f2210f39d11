// vanban::PdfConverter with the real LibreOffice: a group of documents in one run, a document LibreOffice cannot read
// failing alone, and a converter reused for a second group (its profile kept).
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <vanban/catalog.hpp>
#include <vanban/convert.hpp>
#include <vanban/vanban.hpp>

#include "test_support.hpp"

namespace {

std::string render_example(const std::string& name) {
    const auto t = vanban::find_bundled_template(name);
    if (!t) throw std::runtime_error("no bundled template " + name);
    return vanban::Template::from_file(t->variant_path("docx")).render(vanban::Data::parse(t->example()));
}

int pdf_pages(const std::string& pdf) {
    const std::string path = vanban::test::temp_dir() + "/page-count.pdf";
    vanban::test::write_file(path, pdf);
    std::string out;
    if (vanban::test::run_command("pdfinfo " + vanban::test::quote(path), &out) != 0) return -1;
    const auto at = out.find("Pages:");
    return at == std::string::npos ? -1 : std::stoi(out.substr(at + 6));
}

TEST(PdfConverter, ConvertsAGroupInOneRunAndABrokenDocumentFailsAlone) {
    if (vanban::find_soffice().empty()) GTEST_SKIP() << "LibreOffice is not installed";
    const std::string plan = render_example("ke-hoach");
    const std::string form = render_example("bao-cao-thanh-tich-ca-nhan");
    const std::string broken = "PK\x03\x04 this is not a word document";
    vanban::PdfConverter converter;
    const auto results = converter.convert({plan, broken, form}, "docx");
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0].pdf.rfind("%PDF-", 0), 0u);
    EXPECT_GE(pdf_pages(results[0].pdf), 2);
    EXPECT_TRUE(results[0].diagnostics.empty());
    EXPECT_TRUE(results[1].pdf.empty());
    ASSERT_FALSE(results[1].diagnostics.empty());
    EXPECT_EQ(results[1].diagnostics[0].kind, vanban::DiagnosticKind::io);
    EXPECT_EQ(results[2].pdf.rfind("%PDF-", 0), 0u);
    EXPECT_GE(pdf_pages(results[2].pdf), 1);

    // The same converter again (its LibreOffice profile is kept): one document, the single-document call.
    const std::string again = converter.convert(form, "docx");
    EXPECT_EQ(pdf_pages(again), pdf_pages(results[2].pdf));
    EXPECT_THROW(converter.convert(broken, "docx"), vanban::Error);
}

}  // namespace
