// The format-neutral front of the engine (src/core/program.hpp): finding tags in text (scan_tags), parsing what is
// inside them (parse_statement), building the program with every structural error reported at once
// (build_program), and running small programs on a plain-text emitter.
#include "core/program.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using nlohmann::json;
using vanban::Diagnostic;
using vanban::DiagnosticKind;
using vanban::core::build_program;
using vanban::core::LocatedTag;
using vanban::core::OutputSite;
using vanban::core::parse_statement;
using vanban::core::ParseError;
using vanban::core::Piece;
using vanban::core::Program;
using vanban::core::RenderState;
using vanban::core::scan_tags;
using vanban::core::ScanProblem;
using vanban::core::Statement;
using vanban::core::TagLevel;
using vanban::core::TagToken;

struct Scan {
    std::vector<TagToken> tags;
    std::vector<ScanProblem> problems;
};

Scan scan(std::string_view text) {
    Scan s;
    scan_tags(text, s.tags, s.problems);
    return s;
}

// The single tag of `text` (fails the test when there is not exactly one).
TagToken one_tag(std::string_view text) {
    Scan s = scan(text);
    EXPECT_EQ(s.tags.size(), 1u) << text;
    EXPECT_TRUE(s.problems.empty()) << text << ": " << (s.problems.empty() ? "" : s.problems[0].message);
    return s.tags.empty() ? TagToken{} : s.tags[0];
}

Statement statement(std::string_view text) { return parse_statement(one_tag(text)); }

ParseError statement_error(std::string_view text) {
    try {
        parse_statement(one_tag(text));
    } catch (const ParseError& e) {
        return e;
    }
    return ParseError("(parsed)", std::string::npos);
}

// ----- scan_tags --------------------------------------------------------------------------------------------------

TEST(ScanTags, PlainOutputTag) {
    Scan s = scan("Kính gửi {{ agency.name }}.");
    ASSERT_EQ(s.tags.size(), 1u);
    EXPECT_TRUE(s.problems.empty());
    const TagToken& t = s.tags[0];
    EXPECT_EQ(t.kind, TagToken::Kind::output);
    EXPECT_EQ(t.level, TagLevel::automatic);
    EXPECT_EQ(t.begin, 12u);  // "Kính gửi " is 12 bytes (í 2, ử 3)
    EXPECT_EQ(t.end, 29u);
    EXPECT_EQ(t.raw, "{{ agency.name }}");
    EXPECT_EQ(t.inner, "agency.name");
    EXPECT_FALSE(t.trim_left);
    EXPECT_FALSE(t.trim_right);
}

TEST(ScanTags, StatementAndCommentKinds) {
    Scan s = scan("{% if x %}có{# ghi chú #}{% endif %}");
    ASSERT_EQ(s.tags.size(), 3u);
    EXPECT_EQ(s.tags[0].kind, TagToken::Kind::statement);
    EXPECT_EQ(s.tags[0].inner, "if x");
    EXPECT_EQ(s.tags[1].kind, TagToken::Kind::comment);
    EXPECT_EQ(s.tags[1].inner, "ghi chú");
    EXPECT_EQ(s.tags[2].inner, "endif");
    EXPECT_EQ(s.tags[2].begin, s.tags[1].end);
}

TEST(ScanTags, AdjacentTags) {
    Scan s = scan("{{a}}{{b}}{%c%}");
    ASSERT_EQ(s.tags.size(), 3u);
    EXPECT_EQ(s.tags[0].begin, 0u);
    EXPECT_EQ(s.tags[0].end, 5u);
    EXPECT_EQ(s.tags[0].inner, "a");
    EXPECT_EQ(s.tags[1].begin, 5u);
    EXPECT_EQ(s.tags[1].end, 10u);
    EXPECT_EQ(s.tags[1].inner, "b");
    EXPECT_EQ(s.tags[2].inner, "c");
    EXPECT_TRUE(s.problems.empty());
}

TEST(ScanTags, TrimMarkers) {
    TagToken t = one_tag("{%- if x -%}");
    EXPECT_TRUE(t.trim_left);
    EXPECT_TRUE(t.trim_right);
    EXPECT_EQ(t.inner, "if x");
    TagToken u = one_tag("{{- name }}");
    EXPECT_TRUE(u.trim_left);
    EXPECT_FALSE(u.trim_right);
    EXPECT_EQ(u.inner, "name");
    TagToken v = one_tag("{%+ endif +%}");
    EXPECT_FALSE(v.trim_left);
    EXPECT_EQ(v.inner, "endif");
}

TEST(ScanTags, DocxtplLevelPrefixes) {
    TagToken p = one_tag("{%p if x %}");
    EXPECT_EQ(p.level, TagLevel::paragraph);
    EXPECT_EQ(p.inner, "if x");
    TagToken tr = one_tag("{%tr for r in rows %}");
    EXPECT_EQ(tr.level, TagLevel::row);
    EXPECT_EQ(tr.inner, "for r in rows");
    TagToken tc = one_tag("{%tc endfor %}");
    EXPECT_EQ(tc.level, TagLevel::cell);
    EXPECT_EQ(tc.inner, "endfor");
    TagToken r = one_tag("{%r if bold %}");
    EXPECT_EQ(r.level, TagLevel::run);
    EXPECT_EQ(r.inner, "if bold");
    TagToken c = one_tag("{#p bỏ đoạn này #}");
    EXPECT_EQ(c.kind, TagToken::Kind::comment);
    EXPECT_EQ(c.level, TagLevel::paragraph);
    EXPECT_EQ(c.inner, "bỏ đoạn này");
    TagToken ctr = one_tag("{#tr bỏ dòng #}");
    EXPECT_EQ(ctr.level, TagLevel::row);
    TagToken pr = one_tag("{%-p if x -%}");
    EXPECT_EQ(pr.level, TagLevel::paragraph);
    EXPECT_TRUE(pr.trim_left);
}

TEST(ScanTags, SingleLetterVariablesAreNotPrefixes) {
    for (std::string_view text :
         {"{{ p }}", "{{p}}", "{{ r }}", "{{r}}", "{{ tr }}", "{{ tc }}", "{{ p.name }}", "{{ r[0] }}"}) {
        TagToken t = one_tag(text);
        EXPECT_EQ(t.level, TagLevel::automatic) << text;
        EXPECT_EQ(t.kind, TagToken::Kind::output) << text;
    }
    EXPECT_EQ(one_tag("{{ p }}").inner, "p");
    EXPECT_EQ(one_tag("{{r}}").inner, "r");
    EXPECT_EQ(one_tag("{% if p %}").level, TagLevel::automatic);
    EXPECT_EQ(one_tag("{% for r in rows %}").level, TagLevel::automatic);
}

TEST(ScanTags, CommentsStartingWithPrefixLettersAreOrdinaryComments) {
    // docxtpl needs a space after the level letters ({#p ...#}); "{#phần ...#}" is just a comment whose first word
    // starts with p, and must not take the paragraph with it.
    EXPECT_EQ(one_tag("{#phần này cần sửa#}").level, TagLevel::automatic);
    EXPECT_EQ(one_tag("{#rà soát#}").level, TagLevel::automatic);
    EXPECT_EQ(one_tag("{#trang 2#}").level, TagLevel::automatic);
    EXPECT_EQ(one_tag("{#tcvn#}").level, TagLevel::automatic);
    EXPECT_EQ(one_tag("{#p#}").level, TagLevel::automatic);
}

TEST(ScanTags, StringsMayContainClosers) {
    TagToken t = one_tag("{{ \"a}}b\" ~ x }}");
    EXPECT_EQ(t.inner, "\"a}}b\" ~ x");
    TagToken u = one_tag("{% if x == '%}' %}");
    EXPECT_EQ(u.inner, "if x == '%}'");
    TagToken v = one_tag(R"({{ 'it\'s }}' }})");
    EXPECT_EQ(v.inner, R"('it\'s }}')");
}

TEST(ScanTags, UnclosedTag) {
    Scan s = scan("Kính gửi {{ agency.name");
    EXPECT_TRUE(s.tags.empty());
    ASSERT_EQ(s.problems.size(), 1u);
    EXPECT_EQ(s.problems[0].message, "tag is not closed (missing '}}')");
    EXPECT_EQ(s.problems[0].offset, 12u);
    EXPECT_EQ(s.problems[0].raw, "{{ agency.name");
    EXPECT_EQ(s.problems[0].hint, "a tag must start and end in the same paragraph");

    Scan t = scan("{% for x in xs");
    ASSERT_EQ(t.problems.size(), 1u);
    EXPECT_EQ(t.problems[0].message, "tag is not closed (missing '%}')");
}

TEST(ScanTags, UnterminatedStringInsideATag) {
    Scan s = scan("{{ \"abc }} sau");
    EXPECT_TRUE(s.tags.empty());
    ASSERT_EQ(s.problems.size(), 1u);
    EXPECT_EQ(s.problems[0].message, "unterminated string in tag");
    EXPECT_EQ(s.problems[0].raw, "{{ \"abc }}");
}

TEST(ScanTags, StrayClosers) {
    Scan s = scan("if x %} rồi");
    EXPECT_TRUE(s.tags.empty());
    ASSERT_EQ(s.problems.size(), 1u);
    EXPECT_EQ(s.problems[0].message, "'%}' without an opening '{%'");
    EXPECT_EQ(s.problems[0].offset, 5u);

    Scan t = scan("{ { name }} và {{ ok }}");  // the opener typed with a space
    ASSERT_EQ(t.tags.size(), 1u);
    EXPECT_EQ(t.tags[0].inner, "ok");
    ASSERT_EQ(t.problems.size(), 1u);
    EXPECT_EQ(t.problems[0].message, "'}}' without an opening '{{'");
    EXPECT_EQ(t.problems[0].offset, 9u);
}

TEST(ScanTags, SingleBracesAreText) {
    Scan s = scan("tập hợp {a, b} và {x}");
    EXPECT_TRUE(s.tags.empty());
    EXPECT_TRUE(s.problems.empty());
}

TEST(ScanTags, BarrierInsideATag) {
    std::vector<TagToken> tags;
    std::vector<ScanProblem> problems;
    scan_tags(
        "{{ a\x01"
        "b }} {{ c }}",
        tags, problems, '\x01');
    ASSERT_GE(problems.size(), 1u);  // the orphaned "}}" is reported after it
    EXPECT_EQ(problems[0].message, "tag is interrupted by a picture, field or tab");
    EXPECT_EQ(problems[0].offset, 0u);
    EXPECT_EQ(problems[0].hint, "keep a tag in one piece of text");
    ASSERT_EQ(tags.size(), 1u);
    EXPECT_EQ(tags[0].inner, "c");

    // \x02 (a tab or break Word writes as an element) inside a tag is white space, as in Jinja
    Scan t = scan(
        "{{ a\x02"
        "or b }}");
    EXPECT_TRUE(t.problems.empty());
    ASSERT_EQ(t.tags.size(), 1u);
    EXPECT_EQ(t.tags[0].inner, "a or b");
}

TEST(ScanTags, EmptyTags) {
    Scan s = scan("{{ }} {%  %} {##}");
    ASSERT_EQ(s.problems.size(), 2u);
    EXPECT_EQ(s.problems[0].message, "empty tag");
    EXPECT_EQ(s.problems[0].raw, "{{ }}");
    EXPECT_EQ(s.problems[1].raw, "{%  %}");
    ASSERT_EQ(s.tags.size(), 1u);  // an empty comment is fine
    EXPECT_EQ(s.tags[0].kind, TagToken::Kind::comment);
}

// ----- parse_statement -------------------------------------------------------------------------------------------

TEST(ParseStatement, EveryKind) {
    using K = Statement::Kind;
    Statement out = statement("{{ agency.name | upper }}");
    EXPECT_EQ(out.kind, K::output);
    EXPECT_EQ(out.expr->text, "agency.name | upper");
    EXPECT_FALSE(out.is_block_tag());

    Statement i = statement("{% if a > 1 %}");
    EXPECT_EQ(i.kind, K::if_);
    EXPECT_EQ(i.expr->text, "a > 1");
    EXPECT_TRUE(i.opens());
    Statement el = statement("{% elif b %}");
    EXPECT_EQ(el.kind, K::elif);
    EXPECT_TRUE(el.middle());
    EXPECT_EQ(statement("{% else %}").kind, K::else_);
    Statement ei = statement("{% endif %}");
    EXPECT_EQ(ei.kind, K::endif);
    EXPECT_TRUE(ei.closes());

    Statement f = statement("{% for s in sections %}");
    EXPECT_EQ(f.kind, K::for_);
    EXPECT_EQ(f.names, std::vector<std::string>{"s"});
    EXPECT_EQ(f.expr->text, "sections");
    EXPECT_EQ(f.filter, nullptr);
    Statement kv = statement("{% for k, v in d.items() %}");
    EXPECT_EQ(kv.names, (std::vector<std::string>{"k", "v"}));
    EXPECT_EQ(kv.expr->text, "d.items()");
    Statement ff = statement("{% for p in people if p.active %}");
    ASSERT_NE(ff.filter, nullptr);
    EXPECT_EQ(ff.expr->text, "people");
    EXPECT_EQ(ff.filter->text, "p.active");
    Statement fc = statement("{% for x in (a if c else b) %}");  // a conditional iterable needs parentheses
    EXPECT_EQ(fc.expr->kind, vanban::core::Expr::Kind::cond);
    EXPECT_EQ(fc.filter, nullptr);
    EXPECT_EQ(statement("{% endfor %}").kind, K::endfor);

    Statement st = statement("{% set total = items | sum(attribute='amount') %}");
    EXPECT_EQ(st.kind, K::set);
    EXPECT_EQ(st.names, std::vector<std::string>{"total"});
    EXPECT_EQ(st.expr->text, "items | sum(attribute='amount')");

    EXPECT_EQ(statement("{# anything at all: {{ }} #}").kind, K::comment);
    EXPECT_EQ(statement("{% vm %}").kind, K::vm);
    EXPECT_EQ(statement("{% hm %}").kind, K::hm);
    EXPECT_EQ(statement("{% colspan 2 %}").kind, K::colspan);
    EXPECT_EQ(statement("{% cellbg 'FF0000' %}").kind, K::cellbg);
    // a docxtpl prefix does not change the statement
    EXPECT_EQ(statement("{%tr for r in rows %}").kind, K::for_);
    EXPECT_EQ(statement("{%- endif -%}").kind, K::endif);
}

TEST(ParseStatement, UnknownTag) {
    auto e = statement_error("{% frobnicate x %}");
    EXPECT_STREQ(e.what(), "unknown tag 'frobnicate'");
    EXPECT_EQ(e.offset, 0u);
    auto f = statement_error("{% 5 %}");
    EXPECT_STREQ(f.what(), "expected a name, found '5'");
}

TEST(ParseStatement, UnsupportedJinjaTags) {
    EXPECT_STREQ(statement_error("{% block body %}").what(), "'{% block %}' is not supported by vanban");
    EXPECT_STREQ(statement_error("{% include 'a.docx' %}").what(), "'{% include %}' is not supported by vanban");
    EXPECT_STREQ(statement_error("{% extends 'base' %}").what(), "'{% extends %}' is not supported by vanban");
    EXPECT_STREQ(statement_error("{% call m %}").what(), "{% call %} needs a macro call: {% call name(…) %}");
    EXPECT_STREQ(statement_error("{% for x in xs recursive x %}").what(), "unexpected 'x' after 'for'");
}

TEST(ParseStatement, ForErrors) {
    auto missing_iterable = statement_error("{% for x in %}");
    EXPECT_STREQ(missing_iterable.what(), "expected an expression");
    EXPECT_EQ(missing_iterable.offset, 8u);  // the end of "for x in"
    auto missing_in = statement_error("{% for x people %}");
    EXPECT_STREQ(missing_in.what(), "expected 'in' in the for tag");
    EXPECT_EQ(missing_in.offset, 6u);
    auto no_target = statement_error("{% for in xs %}");
    EXPECT_STREQ(no_target.what(), "expected 'in' in the for tag");
    auto trailing = statement_error("{% for x in xs y %}");
    EXPECT_STREQ(trailing.what(), "unexpected 'y' after 'for'");
}

TEST(ParseStatement, OtherErrors) {
    EXPECT_STREQ(statement_error("{% endif x %}").what(), "unexpected 'x' after 'endif'");
    EXPECT_STREQ(statement_error("{% else if x %}").what(), "unexpected 'if' after 'else'");
    EXPECT_STREQ(statement_error("{% set x 1 %}").what(), "expected '=' before '1'");
    EXPECT_STREQ(statement_error("{% if %}").what(), "expected an expression");
    EXPECT_STREQ(statement_error("{{ a b }}").what(), "unexpected 'b' after the expression");
    auto f = statement_error("{{ x | uper }}");
    EXPECT_STREQ(f.what(), "unknown filter 'uper'");
    EXPECT_EQ(f.offset, 4u);  // in the inner text "x | uper"
}

// ----- build_program ---------------------------------------------------------------------------------------------

// A tiny "format": every tag stands in its own paragraph <p>…</p>, numbered from 1.
struct Built {
    Program program;
    std::vector<Diagnostic> errors;
};

Built build(const std::vector<std::string>& paragraphs) {
    std::vector<Piece> pieces;
    std::vector<LocatedTag> located;
    std::vector<OutputSite> sites;
    for (std::size_t i = 0; i < paragraphs.size(); ++i) {
        const std::string& text = paragraphs[i];
        Scan s = scan(text);
        EXPECT_TRUE(s.problems.empty()) << text;
        std::size_t pos = 0;
        Piece open;
        open.text = "<p>";
        pieces.push_back(open);
        for (const TagToken& t : s.tags) {
            Piece lit;
            lit.text = text.substr(pos, t.begin - pos);
            pieces.push_back(lit);
            LocatedTag lt;
            lt.token = t;
            lt.statement = parse_statement(t);
            lt.loc.part = "word/document.xml";
            lt.loc.paragraph = static_cast<int>(i) + 1;
            lt.loc.tag = t.raw;
            if (lt.statement.kind == Statement::Kind::output) {
                lt.site = static_cast<int>(sites.size());
                sites.emplace_back();
            }
            Piece tag;
            tag.kind = Piece::Kind::tag;
            tag.tag = static_cast<int>(located.size());
            pieces.push_back(tag);
            located.push_back(std::move(lt));
            pos = t.end;
        }
        Piece rest;
        rest.text = text.substr(pos) + "</p>";
        pieces.push_back(rest);
    }
    Built b;
    b.program = build_program(std::move(pieces), std::move(located), std::move(sites), b.errors);
    return b;
}

class PlainEmitter final : public vanban::core::Emitter {
public:
    void text(std::string& out, std::string_view value, const OutputSite&) const override { out += value; }
    void rich(std::string& out, const vanban::RichText& value, const OutputSite&, RenderState&) const override {
        out += value.plain();
    }
    void image(std::string& out, const vanban::core::Image& image, const OutputSite&,
               RenderState& state) const override {
        state.images.place(image.data, "part");
        out += "[picture " + std::to_string(image.cx) + "x" + std::to_string(image.cy) + "]";
    }
    void hook(std::string&, int, RenderState&) const override {}
    std::string_view empty_paragraph() const override { return "<p/>"; }
    bool has_paragraph(std::string_view produced) const override {
        return produced.find("<p") != std::string_view::npos;
    }
};

std::string render(const Built& b, const json& data, std::vector<Diagnostic>* errors = nullptr, bool lenient = false) {
    EXPECT_TRUE(b.errors.empty()) << (b.errors.empty() ? "" : b.errors[0].to_string());
    static const PlainEmitter emitter;
    RenderState state(data, lenient);
    std::string out;
    vanban::core::render_program(b.program, emitter, out, state);
    if (errors) *errors = state.errors;
    else EXPECT_TRUE(state.errors.empty()) << (state.errors.empty() ? "" : state.errors[0].to_string());
    return out;
}

TEST(BuildProgram, EndforWithoutFor) {
    Built b = build({"a", "{% endfor %}"});
    ASSERT_EQ(b.errors.size(), 1u);
    EXPECT_EQ(b.errors[0].kind, DiagnosticKind::template_syntax);
    EXPECT_EQ(b.errors[0].message, "{% endfor %} without a matching {% for %}");
    EXPECT_EQ(b.errors[0].part, "word/document.xml");
    EXPECT_EQ(b.errors[0].paragraph, 2);
    EXPECT_EQ(b.errors[0].tag, "{% endfor %}");
}

TEST(BuildProgram, UnclosedIf) {
    Built b = build({"{% if x %}", "có"});
    ASSERT_EQ(b.errors.size(), 1u);
    EXPECT_EQ(b.errors[0].message, "{% if %} is never closed");
    EXPECT_EQ(b.errors[0].hint, "add {% endif %}");
    EXPECT_EQ(b.errors[0].paragraph, 1);
    EXPECT_EQ(b.errors[0].tag, "{% if x %}");
}

TEST(BuildProgram, ElseTwice) {
    Built b = build({"{% if x %}", "{% else %}", "{% else %}", "{% endif %}"});
    ASSERT_EQ(b.errors.size(), 1u);
    EXPECT_EQ(b.errors[0].message, "second {% else %} in the same block");
    EXPECT_EQ(b.errors[0].paragraph, 3);
}

TEST(BuildProgram, ElifAfterElse) {
    Built b = build({"{% if x %}", "{% else %}", "{% elif y %}", "{% endif %}"});
    ASSERT_EQ(b.errors.size(), 1u);
    EXPECT_EQ(b.errors[0].message, "{% elif %} after {% else %}");
    EXPECT_EQ(b.errors[0].paragraph, 3);
    EXPECT_EQ(b.errors[0].tag, "{% elif y %}");
}

TEST(BuildProgram, MismatchedCloser) {
    Built b = build({"{% for x in xs %}", "{% endif %}"});
    ASSERT_EQ(b.errors.size(), 2u);
    EXPECT_EQ(b.errors[0].message, "{% endif %} found while {% for x in xs %} (¶1) is still open");
    EXPECT_EQ(b.errors[0].paragraph, 2);
    EXPECT_EQ(b.errors[1].message, "{% for %} is never closed");
    EXPECT_EQ(b.errors[1].paragraph, 1);
}

TEST(BuildProgram, AllStructuralErrorsAtOnce) {
    Built b = build({
        "{% endfor %}",             // ¶1 endfor without for
        "{% if a %}",               // ¶2
        "{% else %}",               // ¶3
        "{% else %}",               // ¶4 second else
        "{% elif b %}",             // ¶5 elif after else
        "{% endif %}",              // ¶6
        "{% elif c %}",             // ¶7 elif without if
        "{% for s in sections %}",  // ¶8 never closed
        "{{ s }}",
    });
    ASSERT_EQ(b.errors.size(), 5u);
    EXPECT_EQ(b.errors[0].message, "{% endfor %} without a matching {% for %}");
    EXPECT_EQ(b.errors[0].paragraph, 1);
    EXPECT_EQ(b.errors[1].message, "second {% else %} in the same block");
    EXPECT_EQ(b.errors[1].paragraph, 4);
    EXPECT_EQ(b.errors[2].message, "{% elif %} after {% else %}");
    EXPECT_EQ(b.errors[2].paragraph, 5);
    EXPECT_EQ(b.errors[3].message, "{% elif %} without a matching {% if %}");
    EXPECT_EQ(b.errors[3].paragraph, 7);
    EXPECT_EQ(b.errors[4].message, "{% for %} is never closed");
    EXPECT_EQ(b.errors[4].paragraph, 8);
    EXPECT_EQ(b.errors[4].tag, "{% for s in sections %}");
    for (const auto& e : b.errors) EXPECT_EQ(e.part, "word/document.xml");
}

TEST(BuildProgram, WellFormedProgramHasNoErrors) {
    Built b = build({"{% for s in xs %}", "{% if s %}", "{{ s }}", "{% elif 1 %}", "{% else %}", "{% endif %}",
                     "{% else %}", "không có", "{% endfor %}"});
    EXPECT_TRUE(b.errors.empty());
    EXPECT_TRUE(b.program.has_tags);
    ASSERT_EQ(b.program.locs.size(), 8u);
    EXPECT_EQ(b.program.locs[2].paragraph, 3);
}

// ----- rendering a built program ---------------------------------------------------------------------------------

TEST(RenderProgram, IfElifElse) {
    Built b = build({"{% if n > 10 %}lớn{% elif n > 5 %}vừa{% else %}nhỏ{% endif %}"});
    EXPECT_EQ(render(b, json{{"n", 11}}), "<p>lớn</p>");
    EXPECT_EQ(render(b, json{{"n", 6}}), "<p>vừa</p>");
    EXPECT_EQ(render(b, json{{"n", 5}}), "<p>nhỏ</p>");
}

TEST(RenderProgram, LoopWithElseFilterAndLoopVariable) {
    Built b = build(
        {"{% for p in people if p.ok %}{{ loop.index }}/{{ loop.length }} {{ p.name }};{% else %}trống{% endfor %}"});
    const json data = json::parse(R"({"people": [{"name": "A", "ok": true}, {"name": "B", "ok": false},
                                                 {"name": "C", "ok": true}]})");
    EXPECT_EQ(render(b, data), "<p>1/2 A;2/2 C;</p>");
    EXPECT_EQ(render(b, json{{"people", json::array()}}), "<p>trống</p>");
}

TEST(RenderProgram, LoopOverMappingAndPairs) {
    Built keys = build({"{% for k in m %}{{ k }},{% endfor %}"});
    EXPECT_EQ(render(keys, json{{"m", {{"b", 1}, {"a", 2}}}}), "<p>a,b,</p>");
    Built pairs = build({"{% for k, v in m.items() %}{{ k }}={{ v }};{% endfor %}"});
    EXPECT_EQ(render(pairs, json{{"m", {{"b", 1}, {"a", 2}}}}), "<p>a=2;b=1;</p>");
}

TEST(RenderProgram, NestedLoopsHaveTheirOwnLoopVariable) {
    Built b = build(
        {"{% for r in rows %}[{% for c in r %}{{ loop.index }}{{ c }}{% endfor %}|{{ loop.index }}]{% endfor %}"});
    EXPECT_EQ(render(b, json{{"rows", {{"a", "b"}, {"c"}}}}), "<p>[1a2b|1][1c|2]</p>");
}

TEST(RenderProgram, SetIsLocalToOneIteration) {
    Built b = build({"{% set t = 'ngoài' %}{% for x in xs %}{% set t = x %}{{ t }}{% endfor %} {{ t }}"});
    EXPECT_EQ(render(b, json{{"xs", {"1", "2"}}}), "<p>12 ngoài</p>");
}

TEST(RenderProgram, AFailedSetIsReportedOnceNotAtEveryUse) {
    Built b = build({"{% set total = items | sum %}{% if total > 3 %}big{% endif %}",
                     "{{ total }} {{ total.x | upper }} {{ total[0] }} {{ other }}"});
    std::vector<Diagnostic> errors;
    render(b, json::parse(R"({"items": "abc"})"), &errors);
    ASSERT_EQ(errors.size(), 2u) << errors[0].to_string();
    EXPECT_EQ(errors[0].tag, "{% set total = items | sum %}");
    EXPECT_EQ(errors[1].message, "'other' is missing from the data") << "other mistakes are still found";
}

TEST(RenderProgram, DataErrorsAreLocatedAndReportedOncePerTag) {
    Built b = build({"{% for x in xs %}{{ x.name }}{% endfor %}", "{% for y in s %}{% endfor %}"});
    std::vector<Diagnostic> errors;
    render(b, json::parse(R"({"xs": [{}, {}, {}], "s": "abc"})"), &errors);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].kind, DiagnosticKind::data);
    EXPECT_EQ(errors[0].message, "'x.name' is missing from the data");
    EXPECT_EQ(errors[0].paragraph, 1);
    EXPECT_EQ(errors[0].tag, "{{ x.name }}");
    EXPECT_EQ(errors[0].json_pointer, "/xs/0/name");
    EXPECT_EQ(errors[1].message, "'s' is string, not a list: cannot loop over it");
    EXPECT_EQ(errors[1].paragraph, 2);
    EXPECT_EQ(errors[1].json_pointer, "/s");
}

TEST(RenderProgram, LenientMissingListRepeatsNothing) {
    Built b = build({"[{% for x in xs %}{{ x }}{% endfor %}]{{ y }}"});
    std::vector<Diagnostic> errors;
    EXPECT_EQ(render(b, json::object(), &errors, true), "<p>[]</p>");
    EXPECT_TRUE(errors.empty());
    render(b, json::object(), &errors, false);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].message, "'xs' is missing from the data");
    EXPECT_EQ(errors[0].json_pointer, "/xs");
    EXPECT_EQ(errors[1].message, "'y' is missing from the data");
}

TEST(CollectUsage, SkeletonHasPathsAndLoopsAsArrays) {
    Built b = build({"{{ agency.name }}",
                     "{% for s in sections %}{{ s.title }}{% for i in s.items %}{{ i }}{% endfor %}{% endfor %}",
                     "{% if signer.show %}{{ signer.name | upper }}{% endif %}"});
    vanban::core::Usage usage;
    vanban::core::collect_usage(b.program, usage);
    const json expected = json::parse(R"({
      "agency": {"name": ""},
      "sections": [{"title": "", "items": [{}]}],
      "signer": {"show": "", "name": ""}
    })");
    EXPECT_EQ(usage.skeleton, expected) << usage.skeleton.dump();
    EXPECT_EQ(usage.loops, (std::vector<std::string>{"s in sections", "i in s.items"}));
    EXPECT_EQ(usage.conditions, std::vector<std::string>{"signer.show"});
}

}  // namespace
