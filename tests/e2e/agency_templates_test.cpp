// Agency templates (docs/templates.md): the bundled templates survive a word processor, an agency's own variant is
// found on the template search path and keeps the bundled schema, and `vanban check-template` says what is wrong.
//
// The word-processor tests let LibreOffice open and save every bundled template (DOCX → DOCX, ODT → ODT), render
// every bundled example with the saved template and with the original, and compare what a reader sees: the paragraph
// texts, the page count of the PDF, and the geometry read from the XML — every paragraph's effective indents (the
// short rules under the header lines are paragraph borders whose length is set by the indents) and every table's
// column widths.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "test_images.hpp"
#include "test_support.hpp"

#ifndef VANBAN_CLI
#error "VANBAN_CLI must be defined (path of the vanban executable)"
#endif

namespace {

namespace fs = std::filesystem;
namespace t = vanban::test;
using nlohmann::json;
using t::quote;

constexpr const char* kW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const xmlChar* xc(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

int cli(const std::string& args, std::string* output = nullptr, const std::string& env = {}) {
    return t::run_command(env + (env.empty() ? "" : " ") + quote(VANBAN_CLI) + " " + args, output);
}

// LibreOffice, headless, converting `files` in one start (its own profile, so parallel tests do not collide).
void soffice_convert(const std::vector<std::string>& files, const std::string& filter, const std::string& outdir) {
    fs::create_directories(outdir);
    std::string cmd = "timeout 900 soffice -env:UserInstallation=file://" + t::temp_dir() +
                      "/profile --headless --norestore --convert-to " + quote(filter) + " --outdir " + quote(outdir);
    for (const auto& f : files) cmd += " " + quote(f);
    std::string out;
    ASSERT_EQ(t::run_command(cmd, &out), 0) << out;
}

int pdf_pages(const std::string& pdf) {
    std::string out;
    if (t::run_command("pdfinfo " + quote(pdf), &out) != 0) return -1;
    std::smatch m;
    return std::regex_search(out, m, std::regex(R"(Pages:\s+(\d+))")) ? std::stoi(m[1]) : -1;
}

// ----- reading the geometry of a rendered document

struct Xml {
    std::unique_ptr<xmlDoc, void (*)(xmlDoc*)> doc{nullptr, xmlFreeDoc};
    std::unique_ptr<xmlXPathContext, void (*)(xmlXPathContext*)> ctx{nullptr, xmlXPathFreeContext};
    explicit Xml(const std::string& text) {
        doc.reset(xmlReadMemory(text.data(), static_cast<int>(text.size()), "part.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR));
        if (!doc) throw std::runtime_error("not well-formed XML");
        ctx.reset(xmlXPathNewContext(doc.get()));
        const std::pair<const char*, const char*> ns[] = {
            {"w", kW},
            {"style", "urn:oasis:names:tc:opendocument:xmlns:style:1.0"},
            {"text", "urn:oasis:names:tc:opendocument:xmlns:text:1.0"},
            {"table", "urn:oasis:names:tc:opendocument:xmlns:table:1.0"},
            {"fo", "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"},
            {"office", "urn:oasis:names:tc:opendocument:xmlns:office:1.0"}};
        for (auto [prefix, href] : ns) xmlXPathRegisterNs(ctx.get(), xc(prefix), xc(href));
    }
    std::vector<xmlNode*> nodes(const std::string& xpath, xmlNode* from = nullptr) const {
        ctx->node = from ? from : xmlDocGetRootElement(doc.get());
        std::unique_ptr<xmlXPathObject, void (*)(xmlXPathObject*)> r(
            xmlXPathEvalExpression(xc(xpath.c_str()), ctx.get()), xmlXPathFreeObject);
        std::vector<xmlNode*> out;
        if (r && r->nodesetval)
            for (int k = 0; k < r->nodesetval->nodeNr; ++k) out.push_back(r->nodesetval->nodeTab[k]);
        return out;
    }
};

std::string attr(const xmlNode* n, const char* name, const char* ns) {
    if (!n) return {};
    xmlChar* v = xmlGetNsProp(n, xc(name), xc(ns));
    std::string s = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return s;
}

// One measured thing: what it is, and its numbers (twips for DOCX, points for ODT).
struct Measure {
    std::string what;
    std::vector<double> values;
};
using Geometry = std::vector<Measure>;

// Differences beyond `tolerance`, one line each ("" when the two agree).
std::string compare(const Geometry& a, const Geometry& b, double tolerance) {
    if (a.size() != b.size())
        return "different numbers of measures: " + std::to_string(a.size()) + " and " + std::to_string(b.size());
    std::string out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        bool same = a[i].what == b[i].what && a[i].values.size() == b[i].values.size();
        for (std::size_t k = 0; same && k < a[i].values.size(); ++k)
            same = std::fabs(a[i].values[k] - b[i].values[k]) <= tolerance;
        if (same) continue;
        out += "#" + std::to_string(i) + " " + a[i].what + ":";
        for (double v : a[i].values) out += " " + std::to_string(v);
        out += " | " + b[i].what + ":";
        for (double v : b[i].values) out += " " + std::to_string(v);
        out += "\n";
    }
    return out;
}

// DOCX: every paragraph's effective left and right indent and first-line offset (its style chain, then its own
// w:ind), every table's grid and cell widths.
Geometry docx_geometry(const std::map<std::string, std::string>& parts) {
    const Xml styles(parts.at("word/styles.xml"));
    std::map<std::string, xmlNode*> by_id;
    std::string default_style;
    for (xmlNode* s : styles.nodes("//w:style[@w:type='paragraph']")) {
        by_id[attr(s, "styleId", kW)] = s;
        if (attr(s, "default", kW) == "1" || attr(s, "default", kW) == "true") default_style = attr(s, "styleId", kW);
    }
    const auto apply = [](xmlNode* ind, std::map<std::string, double>& v) {
        if (!ind) return;
        for (auto [name, key] : {std::pair{"left", "left"},
                                 {"start", "left"},
                                 {"right", "right"},
                                 {"end", "right"},
                                 {"firstLine", "first"},
                                 {"hanging", "hanging"}}) {
            const std::string s = attr(ind, name, kW);
            if (s.empty()) continue;
            v[key] = std::stod(s);
            if (std::string(key) == "first") v["hanging"] = 0;
            if (std::string(key) == "hanging") v["first"] = 0;
        }
    };
    const Xml doc(parts.at("word/document.xml"));
    Geometry g;
    for (xmlNode* p : doc.nodes("//w:p | //w:tbl")) {
        if (std::string(reinterpret_cast<const char*>(p->name)) == "tbl") {
            // The cells' widths (w:tcW), which Word and LibreOffice lay the table out by; the grid when there are none.
            Measure m{"table", {}};
            for (xmlNode* c : doc.nodes("w:tr/w:tc/w:tcPr/w:tcW", p)) m.values.push_back(std::stod(attr(c, "w", kW)));
            if (m.values.empty())
                for (xmlNode* c : doc.nodes("w:tblGrid/w:gridCol", p)) m.values.push_back(std::stod(attr(c, "w", kW)));
            g.push_back(std::move(m));
            continue;
        }
        std::vector<xmlNode*> chain;
        auto style = doc.nodes("w:pPr/w:pStyle", p);
        std::string id = style.empty() ? default_style : attr(style.front(), "val", kW);
        for (int depth = 0; depth < 20 && by_id.count(id); ++depth) {
            chain.insert(chain.begin(), by_id[id]);
            auto based = styles.nodes("w:basedOn", by_id[id]);
            id = based.empty() ? "" : attr(based.front(), "val", kW);
        }
        std::map<std::string, double> v{{"left", 0}, {"right", 0}, {"first", 0}, {"hanging", 0}};
        for (xmlNode* s : chain) {
            auto ind = styles.nodes("w:pPr/w:ind", s);
            apply(ind.empty() ? nullptr : ind.front(), v);
        }
        auto ind = doc.nodes("w:pPr/w:ind", p);
        apply(ind.empty() ? nullptr : ind.front(), v);
        g.push_back({"paragraph", {v["left"], v["right"], v["first"] - v["hanging"]}});
    }
    return g;
}

double points(const std::string& length) {
    if (length.empty()) return 0;
    std::size_t used = 0;
    const double v = std::stod(length, &used);
    const std::string unit = length.substr(used);
    if (unit == "in") return v * 72;
    if (unit == "cm") return v * 72 / 2.54;
    if (unit == "mm") return v * 72 / 25.4;
    return v;  // pt
}

// ODT: every paragraph's effective left and right margins and text indent (automatic style, its parents, the
// default paragraph style), every table's column widths (repeats expanded).
Geometry odt_geometry(const std::map<std::string, std::string>& parts) {
    const Xml content(parts.at("content.xml"));
    const Xml styles(parts.at("styles.xml"));
    std::map<std::string, std::pair<const Xml*, xmlNode*>> by_name;
    for (const Xml* x : {&styles, &content})
        for (xmlNode* s : x->nodes("//style:style"))
            by_name[attr(s, "name", "urn:oasis:names:tc:opendocument:xmlns:style:1.0")] = {x, s};
    const char* kStyleNs = "urn:oasis:names:tc:opendocument:xmlns:style:1.0";
    const char* kFo = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0";
    const auto property = [&](std::string name, const char* props, const char* key, const char* ns) {
        for (int depth = 0; depth < 20 && by_name.count(name); ++depth) {
            auto [x, s] = by_name[name];
            for (xmlNode* p : x->nodes(std::string("style:") + props, s))
                if (std::string v = attr(p, key, ns); !v.empty()) return v;
            name = attr(s, "parent-style-name", kStyleNs);
        }
        return std::string();
    };
    Geometry g;
    for (xmlNode* n : content.nodes("//office:text//text:p | //office:text//text:h | //office:text//table:table")) {
        if (std::string(reinterpret_cast<const char*>(n->name)) == "table") {
            Measure m{"table", {}};
            for (
                xmlNode* c : content.nodes(
                    "table:table-column | table:table-columns/table:table-column | table:table-header-columns/table:table-column",
                    n)) {
                const std::string repeat =
                    attr(c, "number-columns-repeated", "urn:oasis:names:tc:opendocument:xmlns:table:1.0");
                const double w =
                    points(property(attr(c, "style-name", "urn:oasis:names:tc:opendocument:xmlns:table:1.0"),
                                    "table-column-properties", "column-width", kStyleNs));
                for (int k = repeat.empty() ? 1 : std::stoi(repeat); k > 0; --k) m.values.push_back(w);
            }
            g.push_back(std::move(m));
            continue;
        }
        const std::string style = attr(n, "style-name", "urn:oasis:names:tc:opendocument:xmlns:text:1.0");
        xmlChar* text = xmlNodeGetContent(n);
        const bool empty = !text || !*text;
        xmlFree(text);
        g.push_back({empty ? "empty paragraph" : "paragraph",
                     {points(property(style, "paragraph-properties", "margin-left", kFo)),
                      points(property(style, "paragraph-properties", "margin-right", kFo)),
                      points(property(style, "paragraph-properties", "text-indent", kFo))}});
    }
    // LibreOffice ends a document that ends with a table with an empty paragraph.
    while (!g.empty() && g.back().what == "empty paragraph") g.pop_back();
    return g;
}

std::vector<std::string> texts(const std::string& format, const std::map<std::string, std::string>& parts) {
    return t::non_empty(format == "odt" ? t::odt_paragraph_texts(parts.at("content.xml"))
                                        : t::paragraph_texts(parts.at("word/document.xml")));
}

std::vector<std::string> bundled_names() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(t::source_dir() + "/templates"))
        if (fs::exists(e.path() / "template.json")) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// ----- 1. the bundled templates survive LibreOffice

TEST(WordProcessorRoundTrip, EveryBundledTemplateRendersTheSameDocumentAfterLibreOfficeSavesIt) {
    const std::string dir = t::temp_dir();
    const std::vector<std::string> names = bundled_names();
    ASSERT_GE(names.size(), 6u);
    std::map<std::string, std::vector<std::string>> packed;  // format → files
    for (const auto& name : names)
        for (const char* format : {"docx", "odt"}) {
            const std::string out = dir + "/orig/" + name + "." + format;
            fs::create_directories(dir + "/orig");
            std::string log;
            ASSERT_EQ(
                cli("pack " + quote(t::source_dir() + "/templates/" + name + "/" + format) + " -o " + quote(out), &log),
                0)
                << log;
            packed[format].push_back(out);
        }
    soffice_convert(packed["docx"], "docx:MS Word 2007 XML", dir + "/saved");
    soffice_convert(packed["odt"], "odt", dir + "/saved");

    std::vector<std::string> rendered;
    for (const auto& name : names)
        for (const std::string format : {"docx", "odt"}) {
            SCOPED_TRACE(name + "." + format);
            const std::string example = t::source_dir() + "/templates/" + name + "/example.json";
            const std::string stem = dir + "/out/" + name + "-" + format;
            const std::string a = stem + "-original." + format, b = stem + "-saved." + format;
            fs::create_directories(dir + "/out");
            std::string log;
            ASSERT_EQ(
                cli("render " + quote(dir + "/orig/" + name + "." + format) + " " + quote(example) + " -o " + quote(a),
                    &log),
                0)
                << log;
            ASSERT_EQ(
                cli("render " + quote(dir + "/saved/" + name + "." + format) + " " + quote(example) + " -o " + quote(b),
                    &log),
                0)
                << "the template LibreOffice saved no longer renders:\n"
                << log;
            const auto pa = t::read_zip(t::read_file(a)), pb = t::read_zip(t::read_file(b));
            EXPECT_EQ(t::first_difference(texts(format, pa), texts(format, pb)), "");
            if (format == "docx") EXPECT_EQ(compare(docx_geometry(pa), docx_geometry(pb), 2), "");
            else EXPECT_EQ(compare(odt_geometry(pa), odt_geometry(pb), 0.5), "");  // LibreOffice rounds to twips
            rendered.push_back(a);
            rendered.push_back(b);
        }
    soffice_convert(rendered, "pdf", dir + "/pdf");
    for (std::size_t i = 0; i + 1 < rendered.size(); i += 2) {
        const std::string a = dir + "/pdf/" + fs::path(rendered[i]).stem().string() + ".pdf";
        const std::string b = dir + "/pdf/" + fs::path(rendered[i + 1]).stem().string() + ".pdf";
        const int pages = pdf_pages(a);
        EXPECT_GT(pages, 0) << a;
        EXPECT_EQ(pdf_pages(b), pages) << rendered[i] << " and " << rendered[i + 1] << " differ in page count";
    }
}

// ----- 2. an agency's own variant on the search path

constexpr const char* kFixedLine = "TRUNG TÂM KIỂM SOÁT BỆNH TẬT";

// An agency's KẾ HOẠCH as a văn thư makes it: the bundled template opened in LibreOffice, a fixed line added under
// the agency name and the agency's logo put at the top of the header, saved as DOCX by LibreOffice. The folder holds
// only that file and a template.json that extends ke-hoach (schema, example and the ODT variant come from it).
std::string make_agency_folder(const std::string& root) {
    const std::string work = t::temp_dir();
    const std::string odt_dir = work + "/edit";
    fs::copy(t::source_dir() + "/templates/ke-hoach/odt", odt_dir, fs::copy_options::recursive);
    std::string content = t::read_file(odt_dir + "/content.xml");
    const std::string root_tag = "<office:document-content ";
    content.replace(content.find(root_tag), root_tag.size(),
                    root_tag +
                        "xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" "
                        "xmlns:xlink=\"http://www.w3.org/1999/xlink\" ");
    const std::string logo =
        "<text:p text:style-name=\"KHCoQuan\"><draw:frame draw:name=\"Logo\" text:anchor-type=\"as-char\" "
        "svg:width=\"12mm\" svg:height=\"12mm\"><draw:image xlink:href=\"Pictures/logo.png\" xlink:type=\"simple\" "
        "xlink:show=\"embed\" xlink:actuate=\"onLoad\"/></draw:frame></text:p>";
    const std::string parent_loop = "<text:p>{% for line in parent_lines %}</text:p>";
    content.insert(content.find(parent_loop), logo);
    const std::string rule = "<text:p text:style-name=\"KHRule\">{% indent (3231";
    content.insert(content.find(rule), std::string("<text:p text:style-name=\"KHCoQuan\">") + kFixedLine + "</text:p>");
    t::write_file(odt_dir + "/content.xml", content);
    fs::create_directories(odt_dir + "/Pictures");
    t::write_file(odt_dir + "/Pictures/logo.png", t::seal_png(120, 150));
    std::string manifest = t::read_file(odt_dir + "/META-INF/manifest.xml");
    manifest.insert(
        manifest.find("</manifest:manifest>"),
        "  <manifest:file-entry manifest:full-path=\"Pictures/logo.png\" manifest:media-type=\"image/png\"/>\n");
    t::write_file(odt_dir + "/META-INF/manifest.xml", manifest);
    std::string log;
    EXPECT_EQ(cli("pack " + quote(odt_dir) + " -o " + quote(work + "/ke-hoach-so-y-te.odt"), &log), 0) << log;
    soffice_convert({work + "/ke-hoach-so-y-te.odt"}, "docx:MS Word 2007 XML", work + "/saved");
    const std::string folder = root + "/ke-hoach-so-y-te";
    fs::create_directories(folder);
    fs::copy_file(work + "/saved/ke-hoach-so-y-te.docx", folder + "/ke-hoach-so-y-te.docx");
    t::write_file(
        folder + "/template.json",
        R"j({"title": "Kế hoạch (Sở Y tế)", "description": "Kế hoạch của Sở Y tế, có logo", "extends": "ke-hoach"})j");
    return folder;
}

// The left and right indents of the paragraphs that have equal, non-zero ones: the centred rules.
std::vector<std::pair<int, int>> rules(const std::string& docx) {
    const Xml doc(t::read_zip(t::read_file(docx)).at("word/document.xml"));
    std::vector<std::pair<int, int>> out;
    for (xmlNode* ind : doc.nodes("//w:p/w:pPr/w:ind")) {
        const std::string l = attr(ind, "left", kW), r = attr(ind, "right", kW);
        if (!l.empty() && l == r && std::stoi(l) > 0) out.emplace_back(std::stoi(l), std::stoi(r));
    }
    return out;
}

bool has_text(const std::string& docx, const std::string& text) {
    const auto paragraphs = t::paragraph_texts(t::read_zip(t::read_file(docx)).at("word/document.xml"));
    return std::find(paragraphs.begin(), paragraphs.end(), text) != paragraphs.end();
}

class AgencyVariant : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        root_ = new std::string(t::temp_dir());
        folder_ = new std::string(make_agency_folder(*root_));
        example_ = new std::string(t::source_dir() + "/templates/ke-hoach/example.json");
        json bad = json::parse(t::read_file(*example_));
        bad.erase("title");
        bad_ = new std::string(t::temp_dir() + "/bad-plan.json");
        t::write_file(*bad_, bad.dump(2));
    }
    static void TearDownTestSuite() {
        for (std::string** p : {&root_, &folder_, &example_, &bad_}) {
            delete *p;
            *p = nullptr;
        }
    }
    static std::string env() { return "VANBAN_TEMPLATES=" + quote(*root_); }
    static std::string* root_;
    static std::string* folder_;
    static std::string* example_;
    static std::string* bad_;
};
std::string* AgencyVariant::root_ = nullptr;
std::string* AgencyVariant::folder_ = nullptr;
std::string* AgencyVariant::example_ = nullptr;
std::string* AgencyVariant::bad_ = nullptr;

TEST_F(AgencyVariant, IsListedWithItsFolderThroughTheEnvironmentAndTheOption) {
    std::string out;
    ASSERT_EQ(cli("templates", &out, env()), 0) << out;
    EXPECT_NE(out.find("ke-hoach-so-y-te"), std::string::npos) << out;
    EXPECT_NE(out.find(*folder_), std::string::npos) << out;
    EXPECT_NE(out.find("extends ke-hoach"), std::string::npos) << out;
    ASSERT_EQ(cli("templates --templates " + quote(*root_), &out), 0) << out;
    EXPECT_NE(out.find("ke-hoach-so-y-te"), std::string::npos) << out;
    ASSERT_EQ(cli("templates", &out), 0) << out;
    EXPECT_EQ(out.find("ke-hoach-so-y-te"), std::string::npos) << "listed without the search path:\n" << out;
    // `vanban pack NAME` gives the copy of a template's DOCX to edit.
    const std::string copy = t::temp_dir() + "/copy.docx";
    ASSERT_EQ(cli("pack ke-hoach -o " + quote(copy), &out), 0) << out;
    EXPECT_EQ(t::validate_office(copy), "");
    EXPECT_NE(t::read_zip(t::read_file(copy)).at("word/document.xml").find("{% indent"), std::string::npos);
    // The example is the bundled one it extends.
    ASSERT_EQ(cli("new ke-hoach-so-y-te --templates " + quote(*root_), &out), 0) << out;
    EXPECT_EQ(json::parse(out), json::parse(t::read_file(*example_)));
}

TEST_F(AgencyVariant, RendersItsOwnDocxWithTheBundledRulesAndRefusesDataTheInheritedSchemaRefuses) {
    const std::string dir = t::temp_dir();
    std::string log;
    ASSERT_EQ(cli("render ke-hoach-so-y-te " + quote(*example_) + " -o " + quote(dir + "/agency.docx"), &log, env()), 0)
        << log;
    ASSERT_EQ(cli("render ke-hoach " + quote(*example_) + " -o " + quote(dir + "/bundled.docx"), &log), 0) << log;
    EXPECT_EQ(t::validate_office(dir + "/agency.docx"), "");
    EXPECT_TRUE(has_text(dir + "/agency.docx", kFixedLine));
    EXPECT_FALSE(has_text(dir + "/bundled.docx", kFixedLine));
    const auto parts = t::read_zip(t::read_file(dir + "/agency.docx"));
    EXPECT_TRUE(std::any_of(parts.begin(), parts.end(), [](const auto& p) {
        return p.first.rfind("word/media/", 0) == 0;
    })) << "the logo is missing";
    // The short rules (agency, Tiêu ngữ, title, and one under each appendix's note) have the lengths the bundled
    // template gives them.
    const auto agency_rules = rules(dir + "/agency.docx");
    EXPECT_GE(agency_rules.size(), 3u);
    EXPECT_EQ(agency_rules, rules(dir + "/bundled.docx"));
    // The same through --templates, and the folder given as a path.
    ASSERT_EQ(cli("--templates " + quote(*root_) + " render ke-hoach-so-y-te " + quote(*example_) + " -o " +
                      quote(dir + "/b.docx"),
                  &log),
              0)
        << log;
    EXPECT_TRUE(has_text(dir + "/b.docx", kFixedLine));
    ASSERT_EQ(cli("render " + quote(*folder_) + " " + quote(*example_) + " -o " + quote(dir + "/c.docx"), &log), 0)
        << log;
    EXPECT_TRUE(has_text(dir + "/c.docx", kFixedLine));
    // The ODT variant it lacks comes from ke-hoach.
    ASSERT_EQ(cli("render ke-hoach-so-y-te " + quote(*example_) + " -o " + quote(dir + "/agency.odt"), &log, env()), 0)
        << log;
    EXPECT_EQ(t::validate_office(dir + "/agency.odt"), "");
    // The inherited schema: data without a title is refused, by name and by folder, and nothing is written.
    EXPECT_EQ(cli("validate ke-hoach-so-y-te " + quote(*bad_), &log, env()), 1) << log;
    EXPECT_NE(log.find("Trích yếu: chưa điền"), std::string::npos) << log;  // the inherited schema's label
    EXPECT_EQ(cli("render ke-hoach-so-y-te " + quote(*bad_) + " -o " + quote(dir + "/bad.docx"), &log, env()), 1)
        << log;
    EXPECT_EQ(cli("render " + quote(*folder_) + " " + quote(*bad_) + " -o " + quote(dir + "/bad.docx"), &log), 1)
        << log;
    EXPECT_FALSE(fs::exists(dir + "/bad.docx"));
    // And the check finds nothing wrong with it.
    EXPECT_EQ(cli("check-template ke-hoach-so-y-te", &log, env()), 0) << log;
}

// `vanban serve --templates DIR` offers it: listed with its source, rendered.
TEST_F(AgencyVariant, IsServedByVanbanServe) {
    const std::string dir = t::temp_dir();
    const std::string pid_file = dir + "/pid", out_file = dir + "/out";
    ASSERT_EQ(t::run_command("sh -c 'echo $$ > " + pid_file + "; exec " + quote(VANBAN_CLI) +
                             " serve --port 0 --quiet --templates " + quote(*root_) + " > " + out_file + " 2>&1' &"),
              0);
    int port = 0;
    for (int i = 0; i < 600 && port == 0; ++i) {  // up to a minute on a loaded machine
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        std::smatch m;
        const std::string out = fs::exists(out_file) ? t::read_file(out_file) : "";
        if (std::regex_search(out, m, std::regex(R"(http://127\.0\.0\.1:([0-9]+)/)"))) port = std::stoi(m[1]);
    }
    const pid_t pid = std::stoi(t::read_file(pid_file));
    struct Stop {
        pid_t pid;
        ~Stop() {
            ::kill(pid, SIGTERM);
            for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    } stop{pid};
    ASSERT_GT(port, 0) << t::read_file(out_file);
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(120, 0);
    auto list = c.Get("/api/templates");
    ASSERT_TRUE(list);
    ASSERT_EQ(list->status, 200);
    json entry;
    for (const auto& e : json::parse(list->body)) {
        if (e["name"] == "ke-hoach-so-y-te") entry = e;
        if (e["name"] == "ke-hoach") {
            EXPECT_EQ(e["source"], "bundled");
        }
    }
    ASSERT_FALSE(entry.is_null()) << list->body;
    EXPECT_EQ(entry["source"], *folder_);
    EXPECT_EQ(entry["title"], "Kế hoạch (Sở Y tế)");
    EXPECT_EQ(entry["has_schema"], true);
    auto doc = c.Post("/api/render/ke-hoach-so-y-te?format=docx", t::read_file(*example_), "application/json");
    ASSERT_TRUE(doc);
    ASSERT_EQ(doc->status, 200) << doc->body;
    t::write_file(dir + "/served.docx", doc->body);
    EXPECT_TRUE(has_text(dir + "/served.docx", kFixedLine));
    auto refused = c.Post("/api/render/ke-hoach-so-y-te?format=docx", t::read_file(*bad_), "application/json");
    ASSERT_TRUE(refused);
    EXPECT_NE(refused->status, 200);
}

// ----- 3. vanban check-template

json check(const std::string& what, int expected_status, const std::string& extra = {}) {
    std::string out;
    const int rc = t::run_command(
        quote(VANBAN_CLI) + " --errors json check-template " + extra + " " + quote(what) + " 2>/dev/null", &out, false);
    EXPECT_EQ(rc, expected_status) << out;
    try {
        return json::parse(out);
    } catch (const json::exception&) {
        ADD_FAILURE() << "not JSON: " << out;
        return json::object();
    }
}

std::vector<std::string> codes(const json& list) {
    std::vector<std::string> out;
    for (const auto& d : list) out.push_back(d.value("code", ""));
    return out;
}

bool has_code(const json& list, const std::string& code) {
    const auto all = codes(list);
    return std::find(all.begin(), all.end(), code) != all.end();
}

// A DOCX whose body is `body` and whose styles define KHBody only.
std::string docx_file(const std::string& body, const std::string& name = "t.docx") {
    const std::string styles =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:styles xmlns:w=\"" + std::string(kW) +
        "\"><w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>"
        "<w:style w:type=\"paragraph\" w:styleId=\"KHBody\"><w:name w:val=\"KHBody\"/></w:style></w:styles>";
    const std::string path = t::temp_dir() + "/" + name;
    t::write_file(path, t::make_docx(body, {{"word/styles.xml", styles}}));
    return path;
}

TEST(CheckTemplate, EveryBundledTemplateHasNoErrors) {
    for (const auto& name : bundled_names()) {
        SCOPED_TRACE(name);
        const json result = check(name, 0);
        EXPECT_EQ(result["errors"], json::array()) << result.dump(2);
        EXPECT_EQ(result["checked"].size(), 2u);  // docx and odt
        // Their schemas define every field the templates read.
        EXPECT_FALSE(has_code(result["warnings"], "template.field_not_in_schema")) << result.dump(2);
    }
}

TEST(CheckTemplate, ReportsEveryTagThatDoesNotParseWithItsParagraph) {
    const std::string path =
        docx_file(t::docx_paragraph("{{ name | no_such_filter }}") + t::docx_paragraph("{% for x in xs %}"));
    const json result = check(path, 1);
    ASSERT_GE(result["errors"].size(), 2u) << result.dump(2);
    for (const auto& d : result["errors"]) EXPECT_GT(d.value("paragraph", 0), 0) << d.dump();
}

TEST(CheckTemplate, ReportsATagInsideAnAttributeAsWhatAWordProcessorDrops) {
    const std::string path =
        docx_file("<w:p><w:pPr><w:pStyle w:val=\"{{ style }}\"/></w:pPr><w:r><w:t>x</w:t></w:r></w:p>");
    const json result = check(path, 1);
    EXPECT_TRUE(has_code(result["errors"], "template.tag_in_attribute")) << result.dump(2);
    // The text form of the same thing passes.
    const std::string fixed =
        docx_file("<w:p><w:pPr><w:pStyle w:val=\"KHBody\"/></w:pPr><w:r><w:t>{% pstyle style %}x</w:t></w:r></w:p>",
                  "fixed.docx");
    EXPECT_EQ(check(fixed, 0)["errors"], json::array());
}

TEST(CheckTemplate, ReportsStylesTheTemplateDoesNotDefine) {
    const std::string path =
        docx_file("<w:p><w:pPr><w:pStyle w:val=\"KhongCo\"/></w:pPr><w:r><w:t>x</w:t></w:r></w:p>" +
                  t::docx_paragraph("{% pstyle 'CungKhongCo' if a else 'KHBody' %}y"));
    const json result = check(path, 1);
    const std::string all = result["errors"].dump();
    EXPECT_TRUE(has_code(result["errors"], "template.style_missing")) << result.dump(2);
    EXPECT_NE(all.find("KhongCo"), std::string::npos) << all;
    EXPECT_NE(all.find("CungKhongCo"), std::string::npos) << all;
    EXPECT_EQ(all.find("'KHBody'"), std::string::npos) << all;
}

TEST(CheckTemplate, WarnsAboutFieldsTheSchemaDoesNotDefineAndRequiredFieldsNoTagReads) {
    const std::string folder = t::temp_dir() + "/mau";
    fs::create_directories(folder);
    fs::copy_file(docx_file(t::docx_paragraph("{{ ten }} {{ chuc_vu }} {{ don_vi.ten }}")), folder + "/mau.docx");
    t::write_file(folder + "/template.json", R"({"title": "Mẫu thử"})");
    t::write_file(folder + "/schema.json", R"({"type": "object", "required": ["ten", "ngay"],
        "properties": {"ten": {"type": "string"}, "ngay": {"type": "string"},
                       "don_vi": {"$ref": "#/$defs/don_vi"}},
        "$defs": {"don_vi": {"type": "object", "properties": {"ten": {"type": "string"}}}}})");
    const json result = check(folder, 0);
    EXPECT_EQ(result["errors"], json::array()) << result.dump(2);
    const std::string warnings = result["warnings"].dump();
    EXPECT_TRUE(has_code(result["warnings"], "template.field_not_in_schema")) << warnings;
    EXPECT_NE(warnings.find("/chuc_vu"), std::string::npos) << warnings;
    EXPECT_EQ(warnings.find("/don_vi/ten"), std::string::npos) << "followed the $ref: " << warnings;
    EXPECT_TRUE(has_code(result["warnings"], "template.required_not_read")) << warnings;
    EXPECT_NE(warnings.find("/ngay"), std::string::npos) << warnings;
    EXPECT_FALSE(result["warnings"][0].value("message_vi", "").empty());
}

TEST(CheckTemplate, WarnsAboutFontsThatAreNotInstalled) {
    const std::string path = docx_file(
        "<w:p><w:r><w:rPr><w:rFonts w:ascii=\"Phong Chu Khong Co That\" w:hAnsi=\"Phong Chu Khong Co That\"/></w:rPr>"
        "<w:t>x</w:t></w:r></w:p>");
    const json result = check(path, 0);
    EXPECT_TRUE(has_code(result["warnings"], "template.font_missing")) << result.dump(2);
    EXPECT_NE(result["warnings"].dump().find("Phong Chu Khong Co That"), std::string::npos);
    // A font that is installed (the tests install Liberation Serif) is not reported.
    const std::string ok = docx_file(
        "<w:p><w:r><w:rPr><w:rFonts w:ascii=\"Liberation Serif\"/></w:rPr><w:t>x</w:t></w:r></w:p>", "ok.docx");
    EXPECT_FALSE(has_code(check(ok, 0)["warnings"], "template.font_missing"));
}

TEST(CheckTemplate, NamesNothingIsAUsageError) {
    std::string out;
    EXPECT_EQ(cli("check-template khong-co-mau-nay", &out), 2) << out;
}

}  // namespace
