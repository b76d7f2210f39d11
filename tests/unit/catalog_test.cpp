// The catalog of bundled templates (vanban/catalog.hpp): what `vanban templates`, `new`, `render`, `batch` and
// `vanban serve` all find by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
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
    // PDF is converted from the ODT variant (LibreOffice 7.4 prints a DOCX footnote's own mark twice)
    EXPECT_EQ(fs::path(t->variant_path("pdf")).filename(), "odt");
    EXPECT_EQ(t->pdf_variant(), "odt");
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

// ----- an agency's own templates on the search path

// A folder holding template folders: one that extends ke-hoach with its own DOCX (a copy of the bundled tree), one
// that shadows the bundled name, one whose parent does not exist.
std::string agency_root() {
    const std::string root = vanban::test::temp_dir();
    const std::string src = vanban::test::source_dir() + "/templates/ke-hoach/docx";
    fs::create_directories(root + "/ke-hoach-so-y-te");
    fs::copy(src, root + "/ke-hoach-so-y-te/docx", fs::copy_options::recursive);
    vanban::test::write_file(root + "/ke-hoach-so-y-te/template.json",
                             R"({"title": "KH Sở Y tế", "extends": "ke-hoach"})");
    fs::create_directories(root + "/ke-hoach");
    vanban::test::write_file(root + "/ke-hoach/template.json",
                             R"({"description": "bản của cơ quan", "extends": "ke-hoach"})");
    fs::create_directories(root + "/mo-coi");
    vanban::test::write_file(root + "/mo-coi/template.json", R"({"extends": "khong-co"})");
    return root;
}

TEST(CatalogSearchPath, AFolderThatExtendsInheritsSchemaExampleAndTheFormatsItLacks) {
    const std::string root = agency_root();
    const auto t = vanban::find_bundled_template("ke-hoach-so-y-te", {root});
    ASSERT_TRUE(t.has_value());
    const auto bundled = vanban::find_bundled_template("ke-hoach");
    EXPECT_EQ(t->source, fs::weakly_canonical(root + "/ke-hoach-so-y-te").string());
    EXPECT_EQ(t->extends, "ke-hoach");
    EXPECT_EQ(t->title, "KH Sở Y tế");
    EXPECT_EQ(t->schema_path, bundled->schema_path);
    EXPECT_EQ(t->example(), bundled->example());
    EXPECT_EQ(t->formats, (std::vector<std::string>{"docx", "odt"}));
    EXPECT_EQ(fs::path(t->variant_path("docx")), fs::weakly_canonical(root + "/ke-hoach-so-y-te") / "docx");
    EXPECT_EQ(t->variant_path("odt"), bundled->variant_path("odt"));
    // resolve_template brings the inherited schema, by name and by folder.
    EXPECT_TRUE(vanban::resolve_template("ke-hoach-so-y-te", "docx", {root}).schema.has_value());
    EXPECT_TRUE(vanban::resolve_template(root + "/ke-hoach-so-y-te").schema.has_value());
}

TEST(CatalogSearchPath, FoundThroughTheEnvironmentAndShadowingTheBundledName) {
    const std::string root = agency_root();
    EXPECT_FALSE(vanban::find_bundled_template("ke-hoach-so-y-te").has_value());
    ::setenv("VANBAN_TEMPLATES", ("/no/such/dir:" + root).c_str(), 1);
    const auto all = vanban::bundled_templates();
    const auto shadow = vanban::find_bundled_template("ke-hoach");
    ::unsetenv("VANBAN_TEMPLATES");
    const auto named = [&](const std::string& n) {
        return std::count_if(all.begin(), all.end(), [&](const vanban::BundledTemplate& t) { return t.name == n; });
    };
    EXPECT_EQ(named("ke-hoach-so-y-te"), 1);
    EXPECT_EQ(named("ke-hoach"), 1);  // the agency's, in place of the bundled one
    EXPECT_EQ(named("mo-coi"), 0);    // its parent is missing: left out of the list
    ASSERT_TRUE(shadow.has_value());
    EXPECT_EQ(shadow->description, "bản của cơ quan");
    EXPECT_EQ(shadow->formats, (std::vector<std::string>{"docx", "odt"}));  // all from the bundled ke-hoach it extends
    EXPECT_NE(shadow->source, "bundled");
    // Naming the orphan says why.
    EXPECT_EQ(error_kind([&] { (void)vanban::find_bundled_template("mo-coi", {root}); }),
              vanban::DiagnosticKind::usage);
}

}  // namespace
