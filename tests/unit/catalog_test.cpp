// The catalog of bundled templates (vanban/catalog.hpp): what `vanban templates`, `new`, `render`, `batch` and
// `vanban serve` all find by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "test_support.hpp"
#include "vanban/catalog.hpp"
#include "vanban/vanban.hpp"

namespace {

namespace fs = std::filesystem;

vanban::DiagnosticKind error_kind(const std::function<void()>& f) {
    try {
        f();
    } catch (const vanban::Error& e) {
        return e.diagnostics().front().kind;
    }
    ADD_FAILURE() << "no vanban::Error thrown";
    return vanban::DiagnosticKind::io;
}

TEST(Catalog, ListsEveryBundledTemplateWithManifestSchemaAndExample) {
    const auto all = vanban::bundled_templates();
    std::vector<std::string> names;
    for (const auto& t : all) names.push_back(t.name);
    // One entry per templates/<name>/template.json in the source tree, sorted.
    std::vector<std::string> expected;
    for (const auto& e : fs::directory_iterator(vanban::test::source_dir() + "/templates"))
        if (fs::is_regular_file(e.path() / "template.json")) expected.push_back(e.path().filename().string());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(names, expected);

    for (const auto& t : all) {
        SCOPED_TRACE(t.name);
        EXPECT_FALSE(t.title.empty());
        EXPECT_FALSE(t.description.empty());
        ASSERT_FALSE(t.formats.empty());
        EXPECT_EQ(t.formats.front(), "docx");
        ASSERT_FALSE(t.schema_path.empty());
        const auto schema = t.schema();
        ASSERT_TRUE(schema.has_value());
        EXPECT_TRUE(schema->contains("properties"));
        // The example is valid for the schema (what `vanban new` promises).
        const vanban::Data example = vanban::Data::parse(t.example(), t.example_path);
        EXPECT_TRUE(vanban::Schema(*schema, t.schema_path).validate(example).empty());
        EXPECT_TRUE(fs::is_directory(t.variant_path("docx")));
    }
}

TEST(Catalog, KeHoachHasBothVariantsAndAVietnameseTitle) {
    const auto t = vanban::find_bundled_template("ke-hoach");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->title, "Kế hoạch");
    EXPECT_EQ(t->formats, (std::vector<std::string>{"docx", "odt"}));
    EXPECT_EQ(fs::path(t->variant_path("odt")).filename(), "odt");
    EXPECT_EQ(fs::path(t->variant_path("pdf")).filename(), "docx");  // PDF is converted from the DOCX variant
}

TEST(Catalog, ResolvesNamesToVariantsAndSchemas) {
    const auto odt = vanban::resolve_template("ke-hoach", "odt");
    ASSERT_TRUE(odt.bundled.has_value());
    EXPECT_EQ(vanban::Template::from_file(odt.path).format(), vanban::Format::odt);
    ASSERT_TRUE(odt.schema.has_value());
    EXPECT_EQ((*odt.schema)["title"], "Kế hoạch");

    // Every award form has both variants; a format no template has is refused, not quietly taken as DOCX.
    const auto award = vanban::resolve_template("bao-cao-thanh-tich-ca-nhan", "odt");
    EXPECT_EQ(vanban::Template::from_file(award.path).format(), vanban::Format::odt);
    EXPECT_EQ(error_kind([] { vanban::resolve_template("ke-hoach", "rtf"); }), vanban::DiagnosticKind::usage);
    // A template whose manifest has no ODT variant says so.
    vanban::BundledTemplate docx_only = *vanban::find_bundled_template("ke-hoach");
    docx_only.manifest.erase("odt");
    EXPECT_EQ(error_kind([&] { (void)docx_only.variant_path("odt"); }), vanban::DiagnosticKind::usage);
    EXPECT_EQ(fs::path(docx_only.variant_path("pdf")).filename(), "docx");
    // A path is taken as a path.
    const std::string dir = vanban::test::source_dir() + "/templates/ke-hoach/docx";
    const auto by_path = vanban::resolve_template(dir);
    EXPECT_EQ(by_path.path, dir);
    EXPECT_FALSE(by_path.schema.has_value());
    EXPECT_FALSE(by_path.bundled.has_value());
    EXPECT_EQ(error_kind([] { vanban::resolve_template("no-such-template"); }), vanban::DiagnosticKind::usage);
}

TEST(Catalog, NamesAreOneSegmentNeverAPath) {
    for (const char* bad : {"", ".", "..", "../templates/ke-hoach", "ke-hoach/", "/ke-hoach", "ke-hoach\\x"})
        EXPECT_FALSE(vanban::find_bundled_template(bad).has_value()) << bad;
}

TEST(Catalog, SearchPathHoldsTheSourceTreeTemplates) {
    const auto roots = vanban::template_search_path();
    const auto source = fs::weakly_canonical(vanban::test::source_dir() + "/templates");
    EXPECT_NE(std::find(roots.begin(), roots.end(), source.string()), roots.end());
}

}  // namespace
