// Hostile and broken input through the public API: packages, XML parts, tags, expressions and data that try to crash
// vanban, hang it or make it allocate without bound. Each must end in a clear, located vanban::Error — and quickly: the
// limits that stop them are what these tests prove (docs/reliability.md lists every case and its test).
#include <gtest/gtest.h>

#include <libxml/parser.h>

#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>

#include <string>
#include <vector>

#include "json/json_source.hpp"
#include "test_support.hpp"
#include "vanban/vanban.h"
#include "vanban/vanban.hpp"
#include "zip/zip.hpp"

namespace {

using nlohmann::json;
using vanban::CompileOptions;
using vanban::Diagnostic;
using vanban::DiagnosticKind;
using vanban::Template;
using vanban::test::make_docx;

constexpr const char* kW = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

std::string P(const std::string& text) { return vanban::test::docx_paragraph(text); }

std::string document(const std::string& body,
                     const std::string& prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>") {
    return prolog + "<w:document " + kW + "><w:body>" + body + "</w:body></w:document>";
}

// A package whose word/document.xml is exactly `xml`.
std::string package_with_document(const std::string& xml) {
    auto parts = vanban::test::read_zip(make_docx(P("x")));
    vanban::zip::Writer w;
    for (const auto& [name, content] : parts)
        w.add(name, name == "word/document.xml" ? xml : content, vanban::zip::Method::deflated);
    return w.finish();
}

std::vector<Diagnostic> errors_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const vanban::Error& e) {
        return e.diagnostics();
    }
    ADD_FAILURE() << "expected a vanban::Error";
    return {};
}

std::string all_text(const std::vector<Diagnostic>& ds) {
    std::string s;
    for (const auto& d : ds) s += d.to_string() + "\n";
    return s;
}

// The one error expected: its kind, and words its text must contain.
void expect_one(const std::vector<Diagnostic>& ds, DiagnosticKind kind, std::initializer_list<std::string> words) {
    ASSERT_EQ(ds.size(), 1u) << all_text(ds);
    EXPECT_EQ(ds[0].kind, kind) << all_text(ds);
    for (const auto& w : words)
        EXPECT_NE(ds[0].to_string().find(w), std::string::npos) << "'" << w << "' in " << all_text(ds);
}

std::vector<Diagnostic> compile_errors(const std::string& package, const CompileOptions& options = {}) {
    return errors_of([&] { static_cast<void>(Template::from_bytes(package, "hostile.docx", options)); });
}

// Renders one paragraph of tags with `data`; returns the errors (the render must fail).
std::vector<Diagnostic> render_errors(const std::string& text, const json& data = json::object(),
                                      const vanban::Limits& limits = {}) {
    CompileOptions options;
    options.limits = limits;
    const auto tpl = Template::from_bytes(make_docx(P(text)), "t.docx", options);
    return errors_of([&] { static_cast<void>(tpl.render(data)); });
}

std::string rendered_text(const std::string& text, const json& data = json::object()) {
    const auto tpl = Template::from_bytes(make_docx(P(text)), "t.docx");
    const auto texts = vanban::test::paragraph_texts(vanban::test::read_zip(tpl.render(data)).at("word/document.xml"));
    return texts.empty() ? std::string() : texts[0];
}

// ----- packages

TEST(HostilePackage, NeitherDocxNorOdt) {
    vanban::zip::Writer w;
    w.add("word/document.xml", document(P("{{ x }}")), vanban::zip::Method::deflated);
    expect_one(compile_errors(w.finish()), DiagnosticKind::package,
               {"hostile.docx", "[Content_Types].xml", "content.xml"});
}

TEST(HostilePackage, LimitsComeFromCompileOptions) {
    CompileOptions small;
    small.limits.max_part_size = 1000;
    const auto big = make_docx(P(std::string(5000, 'a')));
    const auto e = compile_errors(big, small);
    ASSERT_FALSE(e.empty());
    EXPECT_EQ(e[0].kind, DiagnosticKind::limit);
    EXPECT_NE(e[0].to_string().find("'word/document.xml'"), std::string::npos) << all_text(e);

    CompileOptions few;
    few.limits.max_package_entries = 2;
    expect_one(compile_errors(big, few), DiagnosticKind::limit, {"too many entries"});

    // A zip bomb: 64 MiB of zeros deflate to ~64 KiB (about deflate's best ratio, 1032:1; the default limit is 1000).
    vanban::zip::Writer w;
    w.add("[Content_Types].xml", "<Types/>", vanban::zip::Method::deflated);
    w.add("word/media/bomb.bin", std::string(64u << 20, '\0'), vanban::zip::Method::deflated);
    const auto bomb = w.finish();
    CompileOptions strict;
    strict.limits.max_compression_ratio = 100;
    const auto e2 = compile_errors(bomb, strict);
    ASSERT_FALSE(e2.empty());
    EXPECT_EQ(e2[0].kind, DiagnosticKind::limit);
    EXPECT_NE(all_text(e2).find("compression ratio"), std::string::npos) << all_text(e2);
}

// ----- Broken packages: the main part missing or of another kind, entries that are not files (issue 21)

// A package with the parts of make_docx, `edit` applied (a part set to "" is left out).
std::string edited_docx(const std::function<void(std::map<std::string, std::string>&)>& edit) {
    auto parts = vanban::test::read_zip(make_docx(P("{{ x }}")));
    edit(parts);
    vanban::zip::Writer w;
    for (const auto& [name, content] : parts)
        if (!content.empty()) w.add(name, content, vanban::zip::Method::deflated);
    return w.finish();
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

TEST(HostilePackage, ADocxWithoutItsMainPartIsRefused) {
    // Found through _rels/.rels: without word/document.xml a render used to write a package pointing at nothing.
    const auto no_document = edited_docx([](auto& parts) { parts["word/document.xml"] = ""; });
    expect_one(compile_errors(no_document), DiagnosticKind::package, {"word/document.xml", "missing"});
    EXPECT_EQ(compile_errors(no_document)[0].code, "package.no_main_part");
    EXPECT_FALSE(compile_errors(no_document)[0].message_vi.empty());

    const auto no_rels = edited_docx([](auto& parts) { parts["_rels/.rels"] = ""; });
    expect_one(compile_errors(no_rels), DiagnosticKind::package, {"_rels/.rels", "main document"});

    const auto names_nothing =
        edited_docx([](auto& parts) { replace_all(parts["_rels/.rels"], "/officeDocument\"", "/thumbnail\""); });
    expect_one(compile_errors(names_nothing), DiagnosticKind::package, {"_rels/.rels", "officeDocument"});

    const auto elsewhere =
        edited_docx([](auto& parts) { replace_all(parts["_rels/.rels"], "word/document.xml", "word/other.xml"); });
    expect_one(compile_errors(elsewhere), DiagnosticKind::package, {"word/other.xml", "missing"});
}

TEST(HostilePackage, AMainPartOfAnotherContentTypeIsRefused) {
    const auto other_type = edited_docx([](auto& parts) {
        replace_all(parts["[Content_Types].xml"], "wordprocessingml.document.main+xml", "spreadsheetml.sheet.main+xml");
    });
    expect_one(compile_errors(other_type), DiagnosticKind::package,
               {"word/document.xml", "content type", "spreadsheetml"});
    EXPECT_EQ(compile_errors(other_type)[0].code, "package.main_part_type");
    // Without its Override the part falls to the Default for .xml: application/xml is not a Word document either.
    const auto no_override = edited_docx([](auto& parts) {
        replace_all(parts["[Content_Types].xml"], "<Override PartName=\"/word/document.xml\"",
                    "<Override PartName=\"/word/unused.xml\"");
    });
    expect_one(compile_errors(no_override), DiagnosticKind::package, {"content type", "application/xml"});
    // The templates Word writes as .dotx render too.
    const auto dotx = edited_docx([](auto& parts) {
        replace_all(parts["[Content_Types].xml"], "wordprocessingml.document.main+xml",
                    "wordprocessingml.template.main+xml");
    });
    EXPECT_NO_THROW(static_cast<void>(Template::from_bytes(dotx, "t.dotx").render(json{{"x", "1"}})));
}

// The parts of make_docx written out as a template directory.
std::string docx_directory() {
    const std::string dir = vanban::test::temp_dir() + "/tpl";
    for (const auto& [name, content] : vanban::test::read_zip(make_docx(P("{{ x }}")))) {
        std::filesystem::create_directories(std::filesystem::path(dir + "/" + name).parent_path());
        vanban::test::write_file(dir + "/" + name, content);
    }
    return dir;
}

TEST(HostilePackage, TemplateDirectoryEntriesMustBeFilesInsideIt) {
    {
        const std::string dir = docx_directory();
        ASSERT_NO_THROW(static_cast<void>(Template::from_file(dir).render(json{{"x", "1"}})));
    }
    const auto refused = [](const std::function<void(const std::string&)>& make,
                            std::initializer_list<std::string> words) {
        const std::string dir = docx_directory();
        const std::string main = dir + "/word/document.xml";
        std::filesystem::remove(main);
        make(main);
        const auto errors = errors_of([&] { static_cast<void>(Template::from_file(dir)); });
        expect_one(errors, DiagnosticKind::package, words);
        if (!errors.empty()) {
            EXPECT_EQ(errors[0].code, "package.not_a_file");
        }
    };
    // A FIFO would block the read; it was skipped, and the package rendered without its body.
    refused([](const std::string& main) { ASSERT_EQ(mkfifo(main.c_str(), 0600), 0); }, {"word/document.xml", "FIFO"});
    refused([](const std::string& main) { std::filesystem::create_symlink("/dev/zero", main); },
            {"word/document.xml", "symbolic link", "out of the directory"});
    const std::string outside = vanban::test::temp_dir() + "/document.xml";
    vanban::test::write_file(outside, document(P("secret")));
    refused([&](const std::string& main) { std::filesystem::create_symlink(outside, main); },
            {"symbolic link", outside});
    // A link to a file inside the directory is that file.
    const std::string dir = docx_directory();
    std::filesystem::rename(dir + "/word/document.xml", dir + "/word/body.xml");
    std::filesystem::create_symlink("body.xml", dir + "/word/document.xml");
    EXPECT_NO_THROW(static_cast<void>(Template::from_file(dir).render(json{{"x", "1"}})));
}

TEST(HostilePackage, AnOdtWithoutContentOrOfAnotherKindIsRefused) {
    auto parts = vanban::test::read_zip(vanban::test::make_odt("<text:p>{{ x }}</text:p>"));
    const auto pack = [](const std::map<std::string, std::string>& entries) {
        vanban::zip::Writer w;
        w.add("mimetype", entries.at("mimetype"), vanban::zip::Method::stored);
        for (const auto& [name, content] : entries)
            if (name != "mimetype" && !content.empty()) w.add(name, content, vanban::zip::Method::deflated);
        return w.finish();
    };
    auto no_content = parts;
    no_content["content.xml"] = "";
    expect_one(compile_errors(pack(no_content)), DiagnosticKind::package, {"content.xml"});
    auto spreadsheet = parts;
    spreadsheet["mimetype"] = "application/vnd.oasis.opendocument.spreadsheet";
    expect_one(compile_errors(pack(spreadsheet)), DiagnosticKind::package, {"mimetype", "spreadsheet"});
    EXPECT_NO_THROW(static_cast<void>(Template::from_bytes(pack(parts), "t.odt").render(json{{"x", "1"}})));
}

// ----- XML parts

TEST(HostileXml, ExternalEntitiesAndDtdsAreRefusedBeforeParsing) {
    const std::string xxe =
        document(P("&xxe; {{ x }}"),
                 "<?xml version=\"1.0\"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>");
    expect_one(compile_errors(package_with_document(xxe)), DiagnosticKind::package, {"word/document.xml", "DTD"});

    std::string laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
    for (int i = 1; i < 10; ++i) {
        laughs += "<!ENTITY lol" + std::to_string(i) + " \"";
        for (int k = 0; k < 10; ++k) laughs += i == 1 ? "&lol;" : "&lol" + std::to_string(i - 1) + ";";
        laughs += "\">";
    }
    laughs +=
        "]>" + document(P("&lol9; {{ x }}")).substr(std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").size());
    expect_one(compile_errors(package_with_document(laughs)), DiagnosticKind::package, {"DTD"});
}

TEST(HostileXml, DtdInAnotherEncodingIsRefusedAfterParsing) {
    // UTF-16: the byte scan before parsing cannot read it, the check after parsing does.
    const std::string utf8 =
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE w:document [<!ENTITY e \"x\">]><w:document " +
        std::string(kW) + "><w:body>" + P("{{ x }}") + "</w:body></w:document>";
    std::string utf16 = "\xFF\xFE";
    for (char c : utf8) {
        utf16 += c;
        utf16 += '\0';
    }
    expect_one(compile_errors(package_with_document(utf16)), DiagnosticKind::package, {"DTD"});
}

TEST(HostileXml, ExtremeNestingHugeTextAndBadBytesAreParseErrors) {
    std::string deep;
    for (int i = 0; i < 300; ++i) deep += "<w:sdt>";
    for (int i = 0; i < 300; ++i) deep += "</w:sdt>";
    expect_one(compile_errors(package_with_document(document(deep + P("{{ x }}")))), DiagnosticKind::package,
               {"word/document.xml", "XML does not parse"});

    // Huge text is bounded by the part size limit; libxml2 (without XML_PARSE_HUGE) also refuses attribute values
    // over 10,000,000 bytes.
    CompileOptions small;
    small.limits.max_part_size = 1u << 20;
    const auto e = compile_errors(package_with_document(document(P("{{ x }}" + std::string(2u << 20, 'a')))), small);
    ASSERT_FALSE(e.empty());
    EXPECT_EQ(e[0].kind, DiagnosticKind::limit);
    EXPECT_NE(e[0].to_string().find("'word/document.xml'"), std::string::npos) << all_text(e);
    expect_one(compile_errors(package_with_document(
                   document("<w:p w:rsidR=\"" + std::string(10'000'001, 'a') + "\">" + P("{{ x }}") + "</w:p>"))),
               DiagnosticKind::package, {"XML does not parse"});

    expect_one(compile_errors(package_with_document(document(P("{{ x }} \xC3\x28 \xFF")))), DiagnosticKind::package,
               {"word/document.xml", "XML does not parse"});
    // Declared UTF-16 but written in UTF-8.
    expect_one(
        compile_errors(package_with_document(document(P("{{ x }}"), "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"))),
        DiagnosticKind::package, {"XML does not parse"});
    expect_one(
        compile_errors(package_with_document(document(P("{{ x }}"), "<?xml version=\"1.0\" encoding=\"X-NO-SUCH\"?>"))),
        DiagnosticKind::package, {"XML does not parse"});
}

TEST(HostileXml, OtherEncodingsThatLibxml2KnowsAreConverted) {
    std::string latin1 = document(P("{{ x }} caf\xE9"), "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>");
    const auto tpl = Template::from_bytes(package_with_document(latin1), "latin1.docx");
    const auto parts = vanban::test::read_zip(tpl.render(json{{"x", "ok"}}));
    EXPECT_EQ(vanban::test::paragraph_texts(parts.at("word/document.xml")), std::vector<std::string>{"ok café"});
}

// The compiler hands positions on as nodes of their own (core/xml_slots.hpp), never as characters: the private-use
// characters it once used as markers are text like any other, in the template and in the data.
TEST(HostileXml, PrivateUseCharactersRenderUnchanged) {
    const std::string e000 = "\xEE\x80\x80", e001 = "\xEE\x80\x81";
    for (const std::string& typed : {e000, e001, std::string("&#xE000;"), std::string("&#57345;")}) {
        const std::string as_text = typed == "&#xE000;" ? e000 : typed == "&#57345;" ? e001 : typed;
        const auto tpl =
            Template::from_bytes(package_with_document(document("<w:p><w:r><w:t xml:space=\"preserve\">{{ x }} " +
                                                                typed + "7" + typed + "</w:t></w:r></w:p>")),
                                 "private-use.docx");
        const auto parts = vanban::test::read_zip(tpl.render(json{{"x", "a" + e001 + "0" + e000 + "b"}}));
        EXPECT_EQ(vanban::test::paragraph_texts(parts.at("word/document.xml")),
                  std::vector<std::string>{"a" + e001 + "0" + e000 + "b " + as_text + "7" + as_text});
    }
    // In attributes, beside a tag in an attribute, and in a block's body.
    const auto tpl = Template::from_bytes(
        package_with_document(document("<w:p w:rsidR=\"" + e000 + "1" + e001 + "\" w:rsidRDefault=\"{{ y }}" + e001 +
                                       "\"><w:r><w:t>{% if true %}" + e000 + "{{ y }}" + e001 +
                                       "{% endif %}</w:t></w:r></w:p>")),
        "private-use.docx");
    const std::string xml = vanban::test::read_zip(tpl.render(json{{"y", "5"}})).at("word/document.xml");
    EXPECT_NE(xml.find("w:rsidR=\"" + e000 + "1" + e001 + "\" w:rsidRDefault=\"5" + e001 + "\""), std::string::npos)
        << xml;
    EXPECT_EQ(vanban::test::paragraph_texts(xml), std::vector<std::string>{e000 + "5" + e001}) << xml;
}

// ----- tags and expressions

TEST(HostileTags, BlocksNestedTooDeep) {
    std::string ok, deep;
    for (int i = 0; i < 100; ++i) ok += "{% if true %}";
    ok += "x";
    for (int i = 0; i < 100; ++i) ok += "{% endif %}";
    EXPECT_EQ(rendered_text(ok), "x");

    for (int i = 0; i < 5000; ++i) deep += "{% if true %}";
    deep += "x";
    for (int i = 0; i < 5000; ++i) deep += "{% endif %}";
    const auto e = compile_errors(make_docx(P(deep)));
    ASSERT_EQ(e.size(), 1u) << all_text(e);
    EXPECT_EQ(e[0].kind, DiagnosticKind::template_syntax);
    EXPECT_NE(e[0].message.find("nested more than 100 deep"), std::string::npos) << all_text(e);
    EXPECT_EQ(e[0].tag, "{% if true %}");
    EXPECT_EQ(e[0].paragraph, 1);
}

TEST(HostileTags, ExpressionsNestedTooDeep) {
    for (const std::string& expr : {std::string(5000, '(') + "1" + std::string(5000, ')'),  // parser recursion
                                    [] {
                                        std::string s;
                                        for (int i = 0; i < 5000; ++i) s += "not ";
                                        return s + "x";
                                    }(),
                                    std::string(5000, '-') + "1", std::string(5000, '[') + std::string(5000, ']'),
                                    [] {
                                        std::string s = "x";
                                        for (int i = 0; i < 5000; ++i) s += ".a";
                                        return s;
                                    }(),
                                    [] {
                                        std::string s = "1";
                                        for (int i = 0; i < 5000; ++i) s += " + 1";
                                        return s;
                                    }(),
                                    [] {
                                        std::string s = "1";
                                        for (int i = 0; i < 5000; ++i) s += " if x else 1";
                                        return s;
                                    }()}) {
        const auto e = compile_errors(make_docx(P("{{ " + expr + " }}")));
        ASSERT_EQ(e.size(), 1u) << expr.substr(0, 40) << "\n" << all_text(e);
        EXPECT_EQ(e[0].kind, DiagnosticKind::template_syntax);
        EXPECT_NE(e[0].message.find("nested too deeply"), std::string::npos) << all_text(e);
    }
    std::string fine = "1";
    for (int i = 0; i < 90; ++i) fine += " + 1";
    EXPECT_EQ(rendered_text("{{ " + fine + " }}"), "91");
    const auto e = compile_errors(make_docx(P("{{ items.99999999999999999999 }}")));
    expect_one(e, DiagnosticKind::template_syntax, {"not an item number"});
}

TEST(HostileTags, UnclosedTagsAndStrayClosersAreReportedOnce) {
    // Thousands of openers without a closer: the first one reports the paragraph's problem and the scan goes on from
    // where it found no closer (once quadratic: every opener searched the rest of the paragraph).
    std::string openers;
    for (int i = 0; i < 20'000; ++i) openers += "{{ a ";
    const auto e = compile_errors(make_docx(P(openers)));
    ASSERT_EQ(e.size(), 1u) << all_text(e);
    EXPECT_NE(e[0].message.find("not closed"), std::string::npos) << all_text(e);
    std::string closers;
    for (int i = 0; i < 20'000; ++i) closers += "a }} b %} ";
    const auto e2 = compile_errors(make_docx(P(closers + "{{ x }}")));
    ASSERT_EQ(e2.size(), 2u) << all_text(e2);  // one per kind of closer
}

TEST(HostileTags, LoopsOverHugeDataStopAtTheIterationLimit) {
    vanban::Limits limits;
    limits.max_loop_iterations = 1000;
    json data = {{"rows", json::array()}};
    for (int i = 0; i < 1500; ++i) data["rows"].push_back(i);
    const auto e = render_errors("{% for r in rows %}{{ r }}{% endfor %}", data, limits);
    expect_one(e, DiagnosticKind::limit,
               {"more than 1000 loop iterations", "{% for r in rows %}", "--max-loop-iterations"});
    // Nested loops multiply: 10^5 × 10^5 stops at the limit, without running 10^10 times.
    limits.max_loop_iterations = 100'000;
    const auto e2 = render_errors("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                                  json::object(), limits);
    expect_one(e2, DiagnosticKind::limit, {"loop iterations"});
}

TEST(HostileTags, OutputOverTheSizeLimit) {
    vanban::Limits limits;
    limits.max_output_size = 1u << 20;
    const auto e = render_errors("{% for i in range(100000) %}{{ text }}{% endfor %}",
                                 json{{"text", std::string(100, 'x')}}, limits);
    expect_one(e, DiagnosticKind::limit, {"larger than the limit of 1048576 bytes", "--max-output-size"});
    // One value that escaping makes many times longer (a line break becomes a run break) stops close to the limit.
    const auto e2 = render_errors("{{ text }}", json{{"text", std::string(4u << 20, '\n')}}, limits);
    expect_one(e2, DiagnosticKind::limit, {"larger than the limit"});
}

TEST(HostileTags, AbsurdFilterArgumentsAreLimitOrDataErrors) {
    struct Case {
        std::string tag;
        DiagnosticKind kind;
        std::string words;
    };
    // The default value size limit is 64 MiB; 1 MiB here keeps the test quick.
    vanban::Limits limits;
    limits.max_value_size = 1u << 20;
    const std::vector<Case> cases = {
        {"{{ 'x' * 1000000000000 }}", DiagnosticKind::limit, "repeated text"},
        {"{{ ('x' * 100000) * 100000 }}", DiagnosticKind::limit, "over the limit"},
        {"{{ range(1000000000000) | length }}", DiagnosticKind::limit, "range()"},
        {"{{ range(-9223372036854775807, 9223372036854775807) | length }}", DiagnosticKind::limit, "range()"},
        {"{{ range(1e300) }}", DiagnosticKind::limit, "too large"},
        {"{{ '%999999999999d' | format(1) }}", DiagnosticKind::limit, "format width"},
        {"{{ '%.99999999999f' | format(1.5) }}", DiagnosticKind::limit, "format precision"},
        {"{{ [1] | batch(1000000000000, 0) }}", DiagnosticKind::limit, "batch"},
        {"{{ [1] | slice(1000000000000) }}", DiagnosticKind::limit, "slices"},
        {"{{ 1e300 | int }}", DiagnosticKind::limit, "too large"},
        {"{{ 1e300 | roman }}", DiagnosticKind::limit, "too large"},
        {"{{ 'abc' | truncate(1e300) }}", DiagnosticKind::limit, "too large"},
        {"{{ [1, 2, 3] | join('x' * 600000) }}", DiagnosticKind::limit, "over the limit"},
        {"{{ ('a' * 600000).split('a') }}", DiagnosticKind::limit, "split()"},
        {"{{ 'a' * 600000 ~ 'b' * 600000 }}", DiagnosticKind::limit, "joined text"},
        {"{{ ('a' * 100000) | replace('a', 'bbbbbbbbbbbbbbbbbbbbb') }}", DiagnosticKind::limit, "replaced text"},
        {"{{ ('a' * 100000) | list }}", DiagnosticKind::limit, "characters"},
        {"{{ 1 / 0 }}", DiagnosticKind::data, "division by zero"},
        {"{{ 0 | roman }}", DiagnosticKind::data, "1–3999"},
        // Python's formatting and string methods (docxtpl templates use them).
        {"{{ '%999999999999s' % 'x' }}", DiagnosticKind::limit, "format width"},
        {"{{ '%99999999999999999999999d' % 1 }}", DiagnosticKind::limit, "format width"},
        {"{{ '{:999999999999}'.format(1) }}", DiagnosticKind::limit, "format width"},
        {"{{ '{:.99999999999f}'.format(1.5) }}", DiagnosticKind::limit, "format precision"},
        {"{{ '{:é>900000}'.format('x') }}", DiagnosticKind::limit, "padded text"},
        {"{{ '%c' % 1e300 }}", DiagnosticKind::limit, "too large"},
        {"{{ '%c' % -1 }}", DiagnosticKind::data, "character code"},
        {"{{ '{:c}'.format(99999999) }}", DiagnosticKind::data, "character code"},
        {"{{ '{99999999999999999999}'.format(1) }}", DiagnosticKind::data, "not a whole number"},
        {"{{ 'x'.zfill(1000000000000) }}", DiagnosticKind::limit, "zero-filled"},
        {"{{ 'x'.zfill(1e300) }}", DiagnosticKind::limit, "too large"},
        {"{{ 'x' | center(1000000000000) }}", DiagnosticKind::limit, "centred"},
        {"{{ ('y' * 600000).join(['a', 'b', 'c']) }}", DiagnosticKind::limit, "joined text"},
    };
    for (const auto& c : cases) {
        const auto e = render_errors(c.tag, json::object(), limits);
        ASSERT_EQ(e.size(), 1u) << c.tag << "\n" << all_text(e);
        EXPECT_EQ(e[0].kind, c.kind) << c.tag << "\n" << all_text(e);
        EXPECT_NE(e[0].to_string().find(c.words), std::string::npos) << c.tag << "\n" << all_text(e);
        EXPECT_EQ(e[0].tag, c.tag);
    }
}

TEST(HostileTags, ArithmeticEdgesHaveAnswersNotUndefinedBehaviour) {
    const json d = {{"big", 9223372036854775807LL}, {"list", {1, 2}}};
    EXPECT_EQ(rendered_text("{{ 'abc' | truncate(-1) }}", d), "abc");  // as Jinja: within the leeway of 5
    EXPECT_EQ(rendered_text("{{ 'abcdefghij' | truncate(-1) }}", d), "...");
    EXPECT_EQ(rendered_text("{{ -big - 1 }}", d), "-9223372036854775808");
    EXPECT_EQ(rendered_text("{{ (-big - 1) % -1 }}", d), "0");
    // Python's integers have no bound and Jinja prints 9223372036854775808 exactly: a result past 64 bits is a clear
    // error, never a rounded decimal (these printed 9.223372036854776e+18 before issue 21).
    for (const char* beyond :
         {"{{ (-big - 1) // -1 }}", "{{ -(-big - 1) }}", "{{ (-big - 1) | abs }}", "{{ [big, big] | sum }}",
          "{{ big + 1 }}", "{{ big * 2 }}", "{{ -big - 2 }}", "{{ 2 ** 63 }}", "{{ 3 ** 40 }}"}) {
        const auto e = render_errors(beyond, d);
        ASSERT_EQ(e.size(), 1u) << beyond;
        EXPECT_NE(e[0].message.find("64 bit"), std::string::npos) << beyond << ": " << e[0].message;
        EXPECT_EQ(e[0].tag, beyond);
        EXPECT_EQ(e[0].code, "data.integer_overflow") << beyond;
    }
    EXPECT_EQ(rendered_text("{{ 2 ** 62 }}|{{ 3 ** 39 }}|{{ 2 ** -1 }}", d),
              "4611686018427387904|4052555153018976267|0.5");
    EXPECT_EQ(rendered_text("{{ 2.5 | round(1000000000) }}", d), "2.5");
    EXPECT_EQ(rendered_text("{{ (-big - 1) is divisibleby(-1) }}", d), "True");
    EXPECT_EQ(rendered_text("{{ '%-6s|%5.1f|%03d' | format('ab', 2.25, 7) }}", d), "ab    |  2.2|007");
    EXPECT_EQ(rendered_text("{{ range(9223372036854775806, 9223372036854775807) | list }}", d),
              "[9223372036854775806]");
    EXPECT_EQ(rendered_text("{{ 'đầu' | reverse }}{{ 'đầu'[1] }}", d), "uầđầ");
    // Slices with steps that would overflow, and Python's formatting at the integer edges.
    EXPECT_EQ(rendered_text("{{ 'abcdef'[1::9223372036854775807] }}|{{ 'đầu'[::-9223372036854775807] }}", d), "b|u");
    EXPECT_EQ(rendered_text("{{ [1, 2, 3][1::9223372036854775807] }}", d), "[2]");
    EXPECT_EQ(rendered_text("{{ '{:d}|{:x}'.format(-big - 1, -big - 1) }}", d),
              "-9223372036854775808|-8000000000000000");
    EXPECT_EQ(rendered_text("{{ '%c%c' % (7863, 65) }}{{ '{:c}'.format(273) }}", d), "ặAđ");
}

TEST(HostileTags, ValuesThatGrowWithoutBoundStop) {
    // Doubling a text, a list, or nesting a list in itself: each stops at the value size or depth limit.
    // (A set inside a loop does not outlive its iteration, as in Jinja; a run of sets does the doubling.)
    auto repeat = [](const std::string& tag, int n) {
        std::string s;
        for (int i = 0; i < n; ++i) s += tag;
        return s;
    };
    for (const std::string& body : {"{% set s = 'ab' %}" + repeat("{% set s = s ~ s %}", 64) + "{{ s | length }}",
                                    "{% set l = [1] %}" + repeat("{% set l = l + l %}", 64) + "{{ l | length }}",
                                    "{% set d = [1] %}" + repeat("{% set d = [d] %}", 600) + "{{ d | length }}"}) {
        vanban::Limits limits;
        limits.max_value_size = 1u << 20;
        const auto e = render_errors(body, json::object(), limits);
        ASSERT_EQ(e.size(), 1u) << body << "\n" << all_text(e);
        EXPECT_EQ(e[0].kind, DiagnosticKind::limit) << all_text(e);
    }
}

TEST(HostileTags, WorkWithoutOutputStopsAtTheWorkLimit) {
    // A search through a long list inside a long loop: 10^6 × 10^6 comparisons would take hours.
    vanban::Limits limits;
    limits.max_work = 5'000'000;
    const auto e = render_errors(
        "{% set big = range(100000) | list %}{% for i in range(100000) %}"
        "{% if i in big %}{% endif %}{% endfor %}",
        json::object(), limits);
    expect_one(e, DiagnosticKind::limit, {"units of work", "--max-work"});
    // The default is far above what real templates need: the bundled plan renders with a fraction of it.
    const auto tpl = Template::from_file(vanban::test::source_dir() + "/templates/ke-hoach/docx");
    EXPECT_NO_THROW(static_cast<void>(
        tpl.render(vanban::Data::from_file(vanban::test::source_dir() + "/examples/ke-hoach/002.json"))));
}

TEST(HostileTags, TagsInAReplacedParagraphRowOrCellAreErrors) {
    // {#p … #} replaces its paragraph; a {{ }} beside it would never be rendered (docxtpl drops it without a word). The
    // tags fuzzer found this first as a use after free (the output tag's node was used after the paragraph was freed).
    auto e = compile_errors(make_docx(P("{{ name }} {#p bỏ đoạn này #}") + P("{{r name }} còn")));
    ASSERT_EQ(e.size(), 1u) << all_text(e);
    EXPECT_EQ(e[0].kind, DiagnosticKind::template_syntax);
    EXPECT_EQ(e[0].tag, "{{ name }}");
    EXPECT_EQ(e[0].paragraph, 1);
    EXPECT_NE(e[0].message.find("in the paragraph that {#p bỏ đoạn này #} replaces"), std::string::npos) << all_text(e);
    e = compile_errors(make_docx(P("{%p if a %}{{ b }}") + P("x") + P("{%p endif %}")));
    ASSERT_EQ(e.size(), 1u) << all_text(e);
    EXPECT_EQ(e[0].tag, "{{ b }}");
    // Alone in their paragraphs, the same tags render.
    const auto tpl =
        Template::from_bytes(make_docx(P("{{ name }}") + P("{#p bỏ đoạn này #}") + P("{{r name }} còn")), "t.docx");
    const auto parts = vanban::test::read_zip(tpl.render(json{{"name", "An"}}));
    EXPECT_EQ(vanban::test::paragraph_texts(parts.at("word/document.xml")), (std::vector<std::string>{"An", "An còn"}));
}

TEST(HostileTags, DataThatXmlCannotHoldIsDropped) {
    // U+FFFE / U+FFFF are valid in JSON strings but not in XML; control characters neither.
    const auto tpl = Template::from_bytes(make_docx(P("[{{ x }}]")), "t.docx");
    const auto data = vanban::Data::parse(R"({"x": "a\ufffeb\uffffc\u0001d é"})");
    const std::string xml = vanban::test::read_zip(tpl.render(data)).at("word/document.xml");
    xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "d.xml", nullptr, XML_PARSE_NONET);
    ASSERT_NE(doc, nullptr) << "the output is well-formed XML";
    xmlFreeDoc(doc);
    EXPECT_EQ(vanban::test::paragraph_texts(xml), std::vector<std::string>{"[abcd é]"});
}

// ----- data

TEST(HostileData, DepthAndSizeLimitsAreTheCallers) {
    std::string deep(40, '[');
    deep += std::string(40, ']');
    vanban::DataLimits shallow;
    shallow.max_depth = 16;
    const auto e = errors_of([&] { static_cast<void>(vanban::Data::parse(deep, "deep.json", shallow)); });
    expect_one(e, DiagnosticKind::limit, {"deep.json", "more than 16 levels"});
    EXPECT_NO_THROW(static_cast<void>(vanban::Data::parse(deep, "deep.json")));

    vanban::DataLimits tiny;
    tiny.max_size = 10;
    const auto e2 =
        errors_of([&] { static_cast<void>(vanban::Data::parse(R"({"a": "0123456789"})", "big.json", tiny)); });
    expect_one(e2, DiagnosticKind::limit, {"big.json", "too large"});

    const std::string path = vanban::test::temp_dir() + "/big.json";
    vanban::test::write_file(path, R"({"a": "0123456789"})");
    const auto e3 = errors_of([&] { static_cast<void>(vanban::Data::from_file(path, tiny)); });
    expect_one(e3, DiagnosticKind::limit, {path, "limit of 10"});
}

TEST(HostileData, LongKeysDoNotMultiplyThePositionTable) {
    // {"<8 KiB key>": [0, 0, …]}: a pointer per element would be 8 KiB × 100,000 = 800 MB.
    const std::string key(8192, 'k');
    std::string text = "{\"" + key + "\": [0";
    for (int i = 1; i < 100'000; ++i) text += ",0";
    text += "]}";
    const auto doc = vanban::json_data::parse(text, "keys.json");
    std::uint64_t bytes = 0;
    for (const auto& [pointer, position] : doc.positions) bytes += pointer.size();
    EXPECT_LE(bytes, 16 * text.size() + (1u << 20));
    // Values past the budget are located at their nearest recorded ancestor.
    const auto p = doc.position_of("/" + key + "/99999");
    EXPECT_EQ(p.line, 1);
    EXPECT_GT(p.column, 0);
}

TEST(HostileData, ManyDuplicateKeysAreAllReported) {
    std::string text = "{";
    for (int i = 0; i < 20'000; ++i) text += "\"k" + std::to_string(i) + "\": 1, ";
    for (int i = 0; i < 3; ++i) text += "\"k0\": 2, ";
    text += "\"end\": 0}";
    const auto e = errors_of([&] { static_cast<void>(vanban::Data::parse(text, "dup.json")); });
    ASSERT_EQ(e.size(), 3u);
    for (const auto& d : e) EXPECT_NE(d.message.find("first at 1:2"), std::string::npos) << d.to_string();
}

// ----- the C API's limits

TEST(HostileCApi, LimitsAreAdditiveAndKeptByTheTemplate) {
    vanban_limits limits;
    vanban_limits_init(&limits);
    EXPECT_EQ(limits.struct_size, sizeof(vanban_limits));
    EXPECT_EQ(limits.max_loop_iterations, vanban::Limits{}.max_loop_iterations);
    EXPECT_EQ(limits.max_data_depth, vanban::DataLimits{}.max_depth);

    const std::string package = make_docx(P("{% for r in rows %}{{ r }}{% endfor %}"));
    limits.max_loop_iterations = 2;
    limits.max_data_depth = 3;
    vanban_template* tpl = nullptr;
    vanban_errors* errors = nullptr;
    ASSERT_EQ(vanban_template_from_memory_with_limits(package.data(), package.size(), "t.docx", &limits, &tpl, &errors),
              VANBAN_OK);
    vanban_buffer out{};
    EXPECT_EQ(vanban_render(tpl, R"({"rows": [1, 2, 3]})", VANBAN_NUL_TERMINATED, "d.json", 0, &out, &errors),
              VANBAN_ERROR_LIMIT);
    vanban_errors_free(errors);
    EXPECT_EQ(vanban_render(tpl, R"({"rows": [[[[1]]]]})", VANBAN_NUL_TERMINATED, "d.json", 0, &out, &errors),
              VANBAN_ERROR_LIMIT);
    ASSERT_EQ(vanban_errors_count(errors), 1u);
    EXPECT_NE(std::string(vanban_errors_get(errors, 0)->message).find("more than 3 levels"), std::string::npos);
    vanban_errors_free(errors);
    EXPECT_EQ(vanban_render(tpl, R"({"rows": [1, 2]})", VANBAN_NUL_TERMINATED, "d.json", 0, &out, &errors), VANBAN_OK);
    vanban_buffer_free(&out);
    vanban_template_free(tpl);

    // A program built against an older, shorter vanban_limits: the fields it does not know keep their defaults.
    vanban_limits old_program;
    vanban_limits_init(&old_program);
    old_program.max_loop_iterations = 2;
    old_program.max_data_depth = 1;  // beyond struct_size below: ignored
    old_program.struct_size = offsetof(vanban_limits, max_value_size);
    ASSERT_EQ(
        vanban_template_from_memory_with_limits(package.data(), package.size(), "t.docx", &old_program, &tpl, &errors),
        VANBAN_OK);
    EXPECT_EQ(vanban_render(tpl, R"({"rows": [1, 2, 3]})", VANBAN_NUL_TERMINATED, "d.json", 0, &out, &errors),
              VANBAN_ERROR_LIMIT);
    vanban_errors_free(errors);
    EXPECT_EQ(vanban_render(tpl, R"({"rows": [[1], [2]]})", VANBAN_NUL_TERMINATED, "d.json", 0, &out, &errors),
              VANBAN_OK);
    vanban_buffer_free(&out);
    vanban_template_free(tpl);

    EXPECT_EQ(vanban_template_open_with_limits("/no/such/file.docx", nullptr, &tpl, &errors), VANBAN_ERROR_IO);
    vanban_errors_free(errors);
}

}  // namespace
