// Differential test of the Jinja that docxtpl templates use (issue 21), against python3-docxtpl itself: one probe per
// feature — the silent differences that were fixed (multi-attribute sort, mappings in the data file's order, groupby's
// default, numbers as Jinja prints them) and the Jinja breadth (namespace, set a, b, chained comparisons, dict(), the
// blocks macro, call, with, filter, raw, set … endset, recursive loops, joiner(), cycler(), tabs inside tags,
// loop.changed/cycle/depth, the filters, tests and methods added). Each probe's template is built here, its data is
// JSON text (read by vanban::Data::parse as the command line reads it, by json.load in docxtpl_render.py), both
// render it, and the visible text of every paragraph must be equal; every vanban output passes validate-office.
// Where vanban deliberately differs (a construct it refuses, a value it will not round), the difference itself is
// checked: vanban's error names the tag, and docxtpl renders.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "vanban/vanban.hpp"

namespace {

namespace fs = std::filesystem;
namespace t = vanban::test;
using nlohmann::json;
using vanban::test::quote;

struct Probe {
    std::string name;
    std::vector<std::string> paragraphs;  // the template's paragraphs, tags as typed
    std::string data;                     // JSON text
    // Deliberate differences: vanban refuses with a message containing this (a template or data error), docxtpl
    // renders; empty: both render and the texts are equal.
    std::string vanban_refuses;
};

const char* const kData = R"({
  "n": 5, "f": 2.5, "xs": [3, 1, 2], "s": "Nguyễn văn An", "tag": "<b>", "html": "<p>Xin <b>chào</b></p>  <br/>hẹn gặp",
  "staff": [{"name": "b", "dept": "X"}, {"name": "a", "dept": "y"}, {"name": "C", "dept": "x"}, {"name": "d"}],
  "org": {"zeta": 1, "alpha": 2, "mu": {"b": 1, "a": 2}},
  "people": [{"ten": "An", "tuoi": 30, "don_vi": "VP"}, {"ten": "Bình", "tuoi": 41, "don_vi": "TC"}],
  "minus_zero": -0, "minus_zero_float": -0.0, "attrs": {"class": "c", "id": null, "title": "a b"},
  "tree": [{"n": "I", "c": [{"n": "1", "c": []}, {"n": "2", "c": [{"n": "a", "c": []}]}]}, {"n": "II", "c": []}]
})";

std::vector<Probe> probes() {
    std::vector<Probe> all;
    const auto add = [&](std::string name, std::vector<std::string> paragraphs, std::string refuses = {}) {
        all.push_back({std::move(name), std::move(paragraphs), kData, std::move(refuses)});
    };
    // ----- 1. the silent differences of issue 21
    add("sort-by-several-attributes",
        {"{{ staff[:3] | sort(attribute='dept,name') | map(attribute='name') | join }}",
         "{{ staff[:3] | sort(attribute='dept,name', reverse=true) | map(attribute='name') | join }}",
         "{{ staff[:3] | sort(attribute='name', case_sensitive=true) | map(attribute='name') | join }}"});
    add("mappings-in-the-data-files-order",
        {"{% for k, v in org.items() %}{{ k }}={{ v }};{% endfor %}",
         "{% for k in org %}{{ k }} {% endfor %}{{ org | list }}",
         "{{ org.keys() | list }}{{ org.values() | list }}{{ org.mu }}{{ org }}",
         "{% for p in people %}{% for k, v in p.items() %}{{ k }}:{{ v }} {% endfor %}{% endfor %}"});
    add("dictsort-sorts", {"{% for k, v in org | dictsort %}{{ k }}={{ v }};{% endfor %}",
                           "{{ org | dictsort(reverse=true) | map('first') | join }}"});
    add("groupby-default",
        {"{% for g in staff | groupby('dept', default='?') %}{{ g.grouper }}:{{ g.list | map(attribute='name') | join }};{% endfor %}",
         "{% for k, v in staff[:3] | groupby('dept') %}{{ k }}={{ v | length }};{% endfor %}"});
    add("groupby-case-sensitive",
        {"{% for g in staff[:3] | groupby('dept', case_sensitive=true) %}{{ g.grouper }}:{{ g.list | map(attribute='name') | join }};{% endfor %}"});
    // ----- 5. numbers
    add("round-keeps-whole-numbers",
        {"{{ 10 | round }}|{{ 10.0 | round }}|{{ f | round }}|{{ 10 | round(2) }}|{{ 10 | round(0, 'ceil') }}|{{ 15 | round(-1) }}|{{ n | round }}"});
    add("minus-zero", {"{{ minus_zero }}|{{ minus_zero_float }}|{{ minus_zero + 1 }}"});
    add("floats-as-python-prints-them",
        {"{{ 0.1 + 0.2 }}|{{ 1e20 }}|{{ 1e16 }}|{{ 2.0 }}|{{ 1 / 3 }}|{{ 2 ** 62 }}|{{ 3 ** 39 }}"});
    all.push_back(
        {"big-integer-in-the-data", {"{{ id }}"}, R"({"id": 123456789012345678901234567890})", "beyond 64 bits"});
    add("big-integer-computed", {"{{ 2 ** 64 }}"}, "beyond 64 bits");
    // ----- 2. Jinja breadth
    add("namespace",
        {"{% set ns = namespace(total=0, names='') %}{% for p in people %}{% set ns.total = ns.total + p.tuoi %}"
         "{% set ns.names = ns.names ~ p.ten %}{% endfor %}{{ ns.total }} {{ ns.names }}"});
    add("set-several-names", {"{% set a, b = [1, 2] %}{{ a }}-{{ b }}"});
    add("chained-comparisons", {"{{ 1 < n < 10 }}|{{ 1 < n > 10 }}|{{ 0 <= n <= 5 == 5 }}|{{ 3 > 2 > 1 }}"});
    add("dict", {"{{ dict(b=1, a=2) }}|{{ dict(b=1, a=2) | list }}|{{ {'y': 1, 'x': 2} }}"});
    add("loop-changed", {"{% for x in [1, 1, 2, 3, 3] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}"});
    add("loop-cycle", {"{% for x in xs %}{{ loop.cycle('a', 'b') }}{% endfor %}"});
    add("loop-depth",
        {"{% for a in [1] %}{% for b in [1] %}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}{% endfor %}"});
    add("filter-safe", {"{{ s | safe }}"});
    add("filter-striptags", {"{{ html | striptags }}"});
    add("filter-wordwrap",
        {"{{ 'well-known people-like things' | wordwrap(12) }}",
         "{{ 'abcdefghijkl' | wordwrap(5) }}|{{ 'a b c' | wordwrap(3, wrapstring='/') }}", "{{ s | wordwrap(5) }}"});
    add("filter-indent", {"{{ 'dòng 1\\ndòng 2' | indent(2) }}|{{ 'dòng 1\\ndòng 2' | indent('- ', true) }}"});
    add("filter-urlencode", {"{{ 'Hà Nội/số 1?' | urlencode }}|{{ {'q': 'văn bản'} | urlencode }}"});
    add("filter-filesizeformat",
        {"{{ 1536 | filesizeformat }}|{{ 1536 | filesizeformat(true) }}|{{ 1000000000 | filesizeformat }}|{{ 1 | filesizeformat }}"});
    add("filter-forceescape", {"{{ tag | forceescape }}|{{ tag | e }}"});
    add("filter-pprint", {"{{ {'b': [1, 'x'], 'a': none} | pprint }}|{{ 'it' | pprint }}"});
    add("filter-xmlattr", {"{{ attrs | xmlattr }}"});
    add("tests",
        {"{{ 5 is ge 5 }}{{ 4 is le 3 }}{{ 5 is gt 4 }}{{ 5 is lt 4 }}{{ 'abc' is lower }}{{ 'ĐỨC' is upper }}{{ 'Abc' is lower }}",
         "{{ people is sameas people }}{{ none is sameas none }}{{ 'wordwrap' is filter }}{{ 'sameas' is test }}{{ 'nope' is test }}",
         "{{ people | selectattr('tuoi', 'ge', 41) | map(attribute='ten') | join }}|{{ xs | select('le', 2) | list }}"});
    add("methods",
        {"{{ s.find('văn') }}|{{ s.index('An') }}|{{ s.count('n') }}|{{ xs.index(1) }}|{{ xs.count(3) }}",
         "{{ s.ljust(16, '.') }}|{{ s.rjust(15) }}|{{ s.center(17, '*') }}|{{ s.splitlines() }}|{{ s.rsplit(' ', 1) }}",
         "{{ 'Đức'.isalpha() }}{{ 'Đ1'.isalpha() }}{{ '12'.isnumeric() }}{{ 'ĐỨC'.isupper() }}{{ 'đức'.islower() }}|{{ s.swapcase() }}",
         "{{ s.partition(' ')[2] }}"});
    // ----- 2. the Jinja blocks, in a paragraph and, where they may, across paragraphs with docxtpl's {%p %}
    add("macro",
        {"{% macro m(x, y='-') %}[{{ x }}{{ y }}]{% endmacro %}{{ m(1) }}{{ m(2, y='+') }}{{ m(y='*', x=s) }}",
         "{% macro greet(p) %}{{ p.ten }} ({{ p.tuoi }}){% endmacro %}{% for p in people %}{{ greet(p) }}; {% endfor %}",
         "{% macro v(a) %}{{ a }}:{{ varargs | join(',') }}:{{ kwargs | dictsort | map('first') | join(',') }}{% endmacro %}"
         "{{ v(1, 2, 3, z=1, b=2) }}"});
    // (docxtpl gives a body as the XML it is: "<" is "&lt;", which `upper` turns into "&LT;" and the character is lost;
    // vanban gives the text, so only bodies without < > & are compared with filters.)
    add("macro-defined-in-its-own-paragraph",
        {"{% macro m(x) %}<{{ x }}>{% endmacro %}{% macro k(x) %}[{{ x }}]{% endmacro %}",
         "{{ m(n) }} {{ k('b') | upper }}"});
    add("call-block",
        {"{% macro box(t) %}<{{ t }}: {{ caller() }}>{% endmacro %}{% call box('a') %}x{{ n }}{% endcall %}.",
         "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(v) each(xs) %}({{ v }}){% endcall %}"});
    add("with",
        {"{% with a = n, b = s %}{{ a }} {{ b }}{% endwith %}|{% set k = 1 %}{% with k = 2 %}{{ k }}{% endwith %}{{ k }}"});
    add("with-across-paragraphs", {"trước", "{%p with a = n, b = s %}", "{{ a }} {{ b }}", "{%p endwith %}", "sau"});
    add("filter-block", {"{% filter upper %}xin chào {{ s }}{% endfilter %}!",
                         "{% filter replace('a', 'o') | title %}ba ca{% endfilter %}"});
    add("raw", {"{% raw %}{{ x }} {% if y %}{# z #}{% endraw %}|{{ n }}"});
    add("set-block",
        {"{% set x %}a{{ n }}b{% endset %}[{{ x }}]{{ x | length }}", "{% set y | upper %}{{ s }}{% endset %}{{ y }}"});
    add("recursive-loop",
        {"{% for i in tree recursive %}{{ loop.depth }}.{{ loop.depth0 }}:{{ i.n }}[{{ loop(i.c) }}] {% endfor %}"});
    add("joiner", {"{% set pipe = joiner(' | ') %}{% for p in people %}{{ pipe() }}{{ p.ten }}{% endfor %}"});
    add("cycler", {"{% set c = cycler('lẻ', 'chẵn') %}{% for x in xs %}{{ c.next() }} {% endfor %}{{ c.current }}",
                   "{% set d = cycler(1, 2, 3) %}{{ d.next() }}{{ d.next() }}{% set r = d.reset() %}{{ d.next() }}"});
    add("tab-inside-tags", {"{{\tn }}|{%\tif n > 1\t%}có{% endif %}|{{ s\t|\tupper }}"});
    // Deliberate differences: vanban never changes a value in place; a block whose body is text (macro, call,
    // filter, set block) must stay in its paragraph — docxtpl would give the paragraphs' XML to the macro as text.
    add("method-append-refused", {"{% set ys = [1] %}{{ ys.append(2) }}{{ ys }}"}, "does not change values in place");
    add("macro-across-paragraphs-refused", {"{%p macro m() %}", "thân", "{%p endmacro %}", "sau"},
        "must stay in one paragraph");
    return all;
}

std::string body_of(const std::vector<std::string>& paragraphs) {
    std::string body;
    for (const auto& p : paragraphs) body += t::docx_paragraph(p);
    return body;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += "  [" + l + "]\n";
    return s;
}

TEST(JinjaDifferential, EveryProbeRendersAsDocxtplDoes) {
    const std::vector<Probe> all = probes();
    const std::string dir = t::temp_dir();
    json manifest = json::array();
    std::map<std::string, std::string> vanban_outputs;
    std::string validate = t::shared_dir() + "/tools/validate-office -q --no-schema";
    for (const Probe& p : all) {
        SCOPED_TRACE(p.name);
        const std::string base = dir + "/" + p.name;
        const std::string docx = t::make_docx(body_of(p.paragraphs));
        t::write_file(base + ".docx", docx);
        t::write_file(base + ".json", p.data);
        manifest.push_back({{"name", p.name},
                            {"template", base + ".docx"},
                            {"data", base + ".json"},
                            {"output", base + ".docxtpl.docx"}});
        try {
            const auto tpl = vanban::Template::from_bytes(docx, p.name + ".docx");
            const auto data = vanban::Data::parse(p.data, p.name + ".json");
            t::write_file(base + ".vanban.docx", tpl.render(data));
            vanban_outputs[p.name] = base + ".vanban.docx";
            validate += " " + quote(base + ".vanban.docx");
            EXPECT_TRUE(p.vanban_refuses.empty())
                << p.name << ": vanban should refuse with '" << p.vanban_refuses << "'";
        } catch (const vanban::Error& e) {
            std::string all_errors;
            for (const auto& d : e.diagnostics()) all_errors += d.to_string() + "\n";
            ASSERT_FALSE(e.diagnostics().empty());
            if (p.vanban_refuses.empty()) {
                ADD_FAILURE() << p.name << ": vanban failed:\n" << all_errors;
            } else {
                EXPECT_NE(all_errors.find(p.vanban_refuses), std::string::npos) << all_errors;
                const auto& d = e.diagnostics()[0];
                EXPECT_TRUE(!d.tag.empty() || d.line > 0) << "located: a tag or a line of the data\n" << all_errors;
            }
        }
    }
    t::write_file(dir + "/manifest.json", manifest.dump(1));

    const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    std::string output;
    const int rc = t::run_command(python + " " + quote(t::source_dir() + "/tests/e2e/docxtpl_render.py") + " " +
                                      quote(dir + "/manifest.json") + " " + quote(dir + "/results.json"),
                                  &output);
    ASSERT_EQ(rc, 0) << "docxtpl could not run (is python3-docxtpl installed?):\n" << output;
    const json results = json::parse(t::read_file(dir + "/results.json"));
    if (!vanban_outputs.empty()) {
        EXPECT_EQ(t::run_command(validate, &output), 0) << output;
    }

    for (const Probe& p : all) {
        SCOPED_TRACE(p.name);
        ASSERT_EQ(results.value(p.name, std::string("missing")), "ok") << p.name << ": docxtpl itself failed";
        if (!vanban_outputs.count(p.name)) continue;
        const auto ours = t::paragraph_texts(t::read_zip(t::read_file(vanban_outputs[p.name])).at("word/document.xml"));
        const auto theirs =
            t::paragraph_texts(t::read_zip(t::read_file(dir + "/" + p.name + ".docxtpl.docx")).at("word/document.xml"));
        EXPECT_EQ(ours, theirs) << p.name << "\nvanban:\n" << joined(ours) << "docxtpl:\n" << joined(theirs);
    }
}

}  // namespace
