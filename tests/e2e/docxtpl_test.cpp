// Differential tests against docxtpl (python3-docxtpl, the engine these templates were written for): every form of
// docxtpl's language — values, {%p/r/tr/tc %} levels, comments, column loops, whitespace control, blocks across
// paragraphs, the Jinja that templates use, vm/hm/colspan/cellbg, literal escapes — in the body, tables, headers,
// footers and footnotes. Templates are built here the way Word stores typed text (tags split over runs with other
// rsids and formatting, spell-check marks and bookmarks between them), rendered by vanban and, in one Python process
// for all cases, by docxtpl with the same JSON (tests/e2e/docxtpl_render.py). The visible text of every paragraph and
// the structure of every table (rows, cells, gridSpan, vMerge, shading) must be equal; every vanban output passes
// validate-office and has a table grid that matches its rows. Where vanban deliberately differs — strict mode, a
// block tag alone in its paragraph removing the paragraph — the difference itself is checked.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_images.hpp"
#include "test_support.hpp"
#include "vanban/vanban.hpp"

namespace {

namespace fs = std::filesystem;
namespace t = vanban::test;
using nlohmann::json;

constexpr const char* kW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr const char* kPart = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>";
constexpr const char* kNs = " xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

using vanban::test::quote;

// ----- templates as Word stores them -----------------------------------------------------------------------------------

// Writes paragraphs the way Word saves typed text: split into runs at arbitrary points (other rsids, some bold or
// italic, a language mark), with spell-check marks and bookmarks between the runs. Deterministic.
class WordWriter {
public:
    // A paragraph holding `text`, split into up to four runs.
    std::string p(const std::string& text) { return paragraph(text, true); }
    // A paragraph holding `text` in one run: for the few forms whose docxtpl meaning depends on where runs end
    // (whitespace control inside one run, {% vm %} with its value).
    std::string one_run(const std::string& text) { return paragraph(text, false); }

private:
    unsigned state_ = 12345;
    int bookmark_ = 0;

    unsigned next(unsigned n) {
        state_ = state_ * 1103515245u + 12345u;
        return (state_ >> 16) % n;
    }

    std::string rsid() {
        static const char* const ids[] = {"00A1B2C3", "004F7D21", "00C93E05", "0012AB34"};
        return ids[next(4)];
    }

    std::string run(const std::string& text) {
        static const char* const props[] = {"", "<w:rPr><w:b/></w:rPr>", "<w:rPr><w:i/></w:rPr>",
                                            "<w:rPr><w:lang w:val=\"vi-VN\"/></w:rPr>", "<w:rPr><w:noProof/></w:rPr>"};
        return "<w:r w:rsidR=\"" + rsid() + "\">" + props[next(5)] + "<w:t xml:space=\"preserve\">" +
               t::xml_escape(text) + "</w:t></w:r>";
    }

    std::string between() {
        switch (next(4)) {
            case 0: return "<w:proofErr w:type=\"spellStart\"/>";
            case 1: return "<w:proofErr w:type=\"spellEnd\"/>";
            case 2: {
                const std::string id = std::to_string(bookmark_++);
                return "<w:bookmarkStart w:id=\"" + id + "\" w:name=\"_Ref" + id + "\"/><w:bookmarkEnd w:id=\"" + id +
                       "\"/>";
            }
            default: return "";
        }
    }

    std::string paragraph(const std::string& text, bool split) {
        std::vector<std::size_t> cuts;
        if (split && text.size() > 1) {
            for (unsigned k = next(4); k > 0; --k) {
                std::size_t at = 1 + next(static_cast<unsigned>(text.size() - 1));
                while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80)
                    ++at;  // whole characters
                if (at < text.size()) cuts.push_back(at);
            }
            std::sort(cuts.begin(), cuts.end());
            cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        }
        std::string out = "<w:p w:rsidR=\"" + rsid() + "\" w:rsidRDefault=\"" + rsid() +
                          "\"><w:pPr><w:spacing w:after=\"0\"/></w:pPr>";
        std::size_t from = 0;
        for (std::size_t at : cuts) {
            out += run(text.substr(from, at - from)) + between();
            from = at;
        }
        if (!text.empty()) out += run(text.substr(from));
        return out + "</w:p>";
    }
};

std::string cell(const std::string& paragraphs, int width = 2000) {
    return "<w:tc><w:tcPr><w:tcW w:w=\"" + std::to_string(width) + "\" w:type=\"dxa\"/></w:tcPr>" + paragraphs +
           "</w:tc>";
}
std::string row(const std::string& cells) { return "<w:tr w:rsidR=\"00A1B2C3\">" + cells + "</w:tr>"; }
std::string table(const std::string& rows, int columns) {
    std::string grid;
    for (int i = 0; i < columns; ++i) grid += "<w:gridCol w:w=\"2000\"/>";
    return "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid>" +
           grid + "</w:tblGrid>" + rows + "</w:tbl>";
}

std::string header(const std::string& body) { return std::string(kPart) + "<w:hdr" + kNs + ">" + body + "</w:hdr>"; }
std::string footer(const std::string& body) { return std::string(kPart) + "<w:ftr" + kNs + ">" + body + "</w:ftr>"; }
std::string footnotes(const std::string& note) {
    return std::string(kPart) + "<w:footnotes" + kNs +
           "><w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
           "<w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:r><w:continuationSeparator/></w:r></w:p>"
           "</w:footnote><w:footnote w:id=\"1\">" +
           note + "</w:footnote></w:footnotes>";
}
const std::string kNoteReference =
    "<w:p><w:r><w:t xml:space=\"preserve\">Căn cứ</w:t></w:r><w:r><w:rPr><w:vertAlign w:val=\"superscript\"/></w:rPr>"
    "<w:footnoteReference w:id=\"1\"/></w:r></w:p>";

struct Case {
    std::string name;
    std::string body;
    std::map<std::string, std::string> parts;  // headers, footers, footnotes
    json data;
    // vanban removes a block tag's paragraph when the tag stands alone in it; docxtpl leaves it empty. Cases that use
    // such tags compare without empty paragraphs.
    bool ignore_empty_paragraphs = false;
    // vanban is strict: the default render must fail with this message (at this paragraph); the lenient render must
    // equal docxtpl's.
    std::string strict_error;
    int strict_paragraph = 0;
};

const json kPeople = json::parse(R"([
  {"name": "Nguyễn Thị Lan", "unit": "Phòng Tổ chức", "age": 41, "active": true, "amount": 1500000},
  {"name": "Trần Văn Minh", "unit": "Văn phòng", "age": 29, "active": false, "amount": 2500000.5},
  {"name": "Lê Đào", "unit": "Phòng Tổ chức", "age": 35, "active": true, "amount": 1000000}
])");

json base_data() {
    json d = json::object();
    d["agency"] = {{"name", "Ủy ban nhân dân tỉnh Lâm Đồng"}, {"short", "UBND"}};
    d["org"] = "Sở Tư pháp & Sở Nội vụ";
    d["number"] = 5;
    d["symbol"] = "KH-UBND";
    d["people"] = kPeople;
    d["quarters"] = {"Quý I", "Quý II", "Quý III"};
    d["urgent"] = true;
    d["empty"] = json::array();
    d["n"] = 7;
    d["f"] = 2.5;
    d["s"] = "nguyễn văn an";
    d["xs"] = {3, 1, 2};
    d["letters"] = {"a", "B", "A", "b", "c"};
    d["words"] = "a-b c_d  e–f";
    d["t"] = true;
    d["z"] = nullptr;
    d["e"] = "";
    d["big"] = 1234567.891;
    d["color"] = "FFCC00";
    d["span"] = 2;
    return d;
}

std::vector<Case> cases() {
    WordWriter w;
    std::vector<Case> all;
    auto add = [&](std::string name, std::string body, json data = base_data()) {
        Case c;
        c.name = std::move(name);
        c.body = std::move(body);
        c.data = std::move(data);
        all.push_back(std::move(c));
        return &all.back();
    };

    // ----- values and where they can stand
    add("values",
        w.p("Kính gửi: {{ agency.name }} ({{ agency.short }})") +
            w.p("Số: {{ '%02d' | format(number) }}/{{ symbol }}") +
            w.p("{{ org | e }} — {{ people | length }} người, {{ people[0].name | upper }}") +
            w.p("{{ agency.name | lower }}|{{ s | title }}|{{ s | capitalize }}|{{ '  x  ' | trim }}") +
            w.p("Tổng: {{ people | sum(attribute='amount') }} đồng, tuổi {{ people | map(attribute='age') | join(', ') }}"));
    add("values-in-a-table",
        table(row(cell(w.p("Họ và tên")) + cell(w.p("Đơn vị"))) +
                  row(cell(w.p("{{ people[1].name }}")) + cell(w.p("{{ people[1].unit }} ({{ people[1].age }})"))),
              2));
    {
        Case* c = add("values-in-header-footer-footnote", w.p("Thân: {{ agency.short }}") + kNoteReference);
        c->parts["word/header1.xml"] = header(w.p("{{ agency.name | upper }}") + w.p("Số {{ number }}/{{ symbol }}"));
        c->parts["word/footer1.xml"] = footer(w.p("Trang của {{ agency.short }} — {{ people | length }} người"));
        c->parts["word/footnotes.xml"] = footnotes(w.p(" Theo {{ org | e }} và {{ people[2].name }}."));
    }

    // ----- docxtpl's levels: paragraph, run, row, cell
    add("paragraph-level", w.p("Mở đầu") + w.p("{%p if urgent %}") + w.p("KHẨN") + w.p("{%p else %}") + w.p("THƯỜNG") +
                               w.p("{%p endif %}") + w.p("bỏ đi {%p for p in people %} cả đoạn") +
                               w.p("{{ loop.index }}. {{ p.name }}") + w.p("{%p endfor %}") +
                               w.p("{%p for p in empty %}") + w.p("không in") + w.p("{%p endfor %}") + w.p("Kết"));
    add("paragraph-level-in-header-footer-footnote", w.p("Thân") + kNoteReference)->parts = {
        {"word/header1.xml",
         header(w.p("{%p if urgent %}") + w.p("KHẨN — {{ agency.short }}") + w.p("{%p endif %}") + w.p("Đầu trang"))},
        {"word/footer1.xml", footer(w.p("{%p for q in quarters %}") + w.p("{{ q }}") + w.p("{%p endfor %}"))},
        {"word/footnotes.xml",
         footnotes(w.p("{%p for p in people %}") + w.p("{{ p.name }}: {{ p.unit }}") + w.p("{%p endfor %}"))}};
    add("paragraph-level-in-a-cell",
        table(row(cell(w.p("Danh sách")) +
                  cell(w.p("{%p for p in people %}") + w.p("- {{ p.name }}") + w.p("{%p endfor %}"))),
              2));
    add("run-level",
        "<w:p><w:r><w:t xml:space=\"preserve\">Gửi </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>{%r if urgent %}</w:t></w:r>"
        "<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">khẩn </w:t></w:r><w:r><w:t>{%r endif %}</w:t></w:r>"
        "<w:r><w:t xml:space=\"preserve\">{{ agency.short }}{%r if not urgent %}</w:t></w:r><w:r><w:t> (thường)</w:t></w:r>"
        "<w:r><w:t>{%r endif %}</w:t></w:r></w:p>");
    add("row-loop",
        table(row(cell(w.p("STT")) + cell(w.p("Họ và tên")) + cell(w.p("Tuổi"))) +
                  row(cell(w.p("{%tr for p in people %}"))) +
                  row(cell(w.p("{{ loop.index }}")) + cell(w.p("{{ p.name }}")) + cell(w.p("{{ p.age }}"))) +
                  row(cell(w.p("{%tr endfor %}"))) +
                  row(cell(w.p("Cộng")) + cell(w.p("")) + cell(w.p("{{ people | sum(attribute='age') }}"))),
              3));
    add("row-loop-empty-and-if", table(row(cell(w.p("A")) + cell(w.p("B"))) + row(cell(w.p("{%tr for p in empty %}"))) +
                                           row(cell(w.p("{{ p }}")) + cell(w.p("x"))) +
                                           row(cell(w.p("{%tr endfor %}"))) + row(cell(w.p("{%tr if urgent %}"))) +
                                           row(cell(w.p("khẩn")) + cell(w.p("!"))) + row(cell(w.p("{%tr endif %}"))),
                                       2));
    add("column-loop", table(row(cell(w.p("Họ và tên")) + cell(w.p("{%tc for q in quarters %}")) +
                                 cell(w.p("{{ q }}")) + cell(w.p("{%tc endfor %}"))) +
                                 row(cell(w.p("{{ people[0].name }}")) + cell(w.p("{%tc for q in quarters %}")) +
                                     cell(w.p("{{ loop.index * 10 }}")) + cell(w.p("{%tc endfor %}"))),
                             4));
    add("row-and-column-loops", table(row(cell(w.p("{%tr for p in people %}"))) +
                                          row(cell(w.p("{{ p.name }}")) + cell(w.p("{%tc for q in quarters %}")) +
                                              cell(w.p("{{ q }}/{{ p.age }}")) + cell(w.p("{%tc endfor %}"))) +
                                          row(cell(w.p("{%tr endfor %}"))),
                                      4));
    add("comments",
        w.p("Nội dung {# ghi chú #}tiếp{#chú thích#}") + w.p("{#p cả đoạn này bị bỏ #} chữ") + w.p("còn") +
            table(row(cell(w.p("a")) + cell(w.p("b"))) + row(cell(w.p("{#tr bỏ hàng #}")) + cell(w.p("x"))) +
                      row(cell(w.p("c")) + cell(w.p("{#tc bỏ ô #}")) + cell(w.p("d"))),
                  2));

    // ----- Jinja on the text that docxtpl gives: whitespace control and blocks across paragraphs
    add("dash-joins-the-previous-paragraph",
        w.p("Intro  ") + w.p("{%- if urgent %}") + w.p("Body {{ number }}") + w.p("{%- endif %}") + w.p("End") +
            w.p("A") + w.p("{%- for q in quarters %}") + w.p("{{ q }}") + w.p("{%- endfor %}") + w.p("Z"));
    add("dash-joins-the-next-paragraph", w.one_run("A {% if urgent -%}") + w.p("  B") + w.p("{%- endif %} C") +
                                             w.one_run("a {% if urgent -%}  ") + w.p("b {% endif %}") +
                                             w.one_run("x {% for q in quarters -%}") + w.p("{{ q }};{% endfor %}"));
    add("dash-without-a-paragraph-to-join", w.one_run("  {%- if urgent %}có{% endif %}") +
                                                w.one_run("a  {{- number }} b") + w.one_run("c {{ number -}}  d") +
                                                "<w:p/>" + w.p("{% if urgent %}x{% endif %}") + "<w:p/>" +
                                                w.p("{%- if urgent %}y{% endif %}"));
    add("dash-in-a-cell-and-in-a-header",
        table(row(cell(w.p("Mở") + w.p("{%- if urgent %}") + w.p("khẩn") + w.p("{%- endif %}")) + cell(w.p("b"))), 2) +
            w.p("thân"))
        ->parts = {{"word/header1.xml",
                    header(w.p("Đầu") + w.p("{%- for q in quarters %}") + w.p(" {{ q }}") + w.p("{%- endfor %}"))}};
    add("loop-from-mid-paragraph-to-a-later-one", w.p("Items: {% for p in people %}{{ p.name }}") +
                                                      w.p("đơn vị {{ p.unit }}") + w.p("{% endfor %}") + w.p("Hết") +
                                                      w.p("a {% if urgent %}b") + w.p("c") + w.p("d {% endif %}e") +
                                                      w.p("{% if not urgent %}x") + w.p("y{% endif %}z"))
        ->ignore_empty_paragraphs = false;
    add("blocks-across-paragraphs-in-footnote-and-footer", w.p("Thân") + kNoteReference)->parts = {
        {"word/footnotes.xml",
         footnotes(w.p("Theo {% for p in people %}{{ p.name }}") + w.p("({{ p.age }}){% endfor %}."))},
        {"word/footer1.xml", footer(w.p("{% if urgent %}Khẩn") + w.p("— {{ agency.short }}{% endif %}"))}};
    {
        Case* c = add("block-tags-alone-in-their-paragraphs",
                      w.p("{% if urgent %}") + w.p("khẩn") + w.p("{% else %}") + w.p("thường") + w.p("{% endif %}") +
                          w.p("{% for p in people %}") + w.p("{{ p.name }}") + w.p("{% endfor %}") +
                          w.p("{% set total = xs | sum %}") + w.p("Tổng {{ total }}"));
        c->ignore_empty_paragraphs = true;
    }

    // ----- the Jinja that templates use
    add("jinja-tests-operators-literals",
        w.p("{{ n is odd }}|{{ n is even }}|{{ n is divisibleby 7 }}|{{ n is divisibleby(3) }}|{{ t is number }}|{{ n is integer }}") +
            w.p("{{ f is float }}|{{ t is true }}|{{ t is false }}|{{ z is none }}|{{ agency is mapping }}|{{ xs is sequence }}") +
            w.p("{{ s is string }}|{{ nothing is defined }}|{{ nothing is undefined }}|{{ f is number }}|{{ s is not none }}") +
            w.p("{{ 2 in xs }}|{{ 5 not in xs }}|{{ 'name' in agency }}|{{ 'văn' in s }}|{{ n ~ '/' ~ s }}|{{ n // 2 }}|{{ n % 3 }}") +
            w.p("{{ n / 2 }}|{{ 2 ** 10 }}|{{ -3 // 2 }}|{{ -3 % 5 }}|{{ n > 5 and f < 3 }}|{{ n == 7 or z }}|{{ not t }}|{{ 10 / 4 }}") +
            w.p("{{ [1, 'a', none, true] }}|{{ {'a': 1, 'b': [2, 'c']} }}|{{ [1.5, 2.0] }}|{{ {'x': none} }}|{{ ['a\\nb', \"it's\"] }}") +
            w.p("{% set total = xs | sum %}{{ total }}|{% set ys = [1, 2] + xs %}{{ ys }}|{{ 'x' if t else 'y' }}|[{{ 'x' if z }}]") +
            w.p("{{ 'ab' * 3 }}|{{ 'abc'[1] }}|{{ xs.0 }}|{{ xs[-1] }}|{{ xs[1:] }}|{{ xs[:2] }}|{{ xs[::-1] }}|{{ s[0:6] }}|{{ 0.1 + 0.2 }}") +
            w.p("{{ 1.0 }}|{{ 1e20 }}|{{ true }}|{{ 2000000.0 }}|{{ 0.0001 }}"));
    add("jinja-loops",
        w.p("{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.cycle('a','b') }}"
            "{% if loop.previtem is defined %}<{{ loop.previtem }}{% endif %}{% if loop.nextitem is defined %}>{{ loop.nextitem }}{% endif %}"
            "{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}/{{ loop.length }};{% endfor %}") +
            w.p("{% for p in people if p.active %}{{ p.name }}{% if not loop.last %}, {% endif %}{% endfor %}") +
            w.p("{% for k, v in agency.items() %}{{ k }}={{ v }};{% endfor %}|{% for x in empty %}x{% else %}rỗng{% endfor %}") +
            w.p("{% for g in people | groupby('unit') %}{{ g.grouper }}: {{ g.list | map(attribute='name') | join(' + ') }}; {% endfor %}") +
            w.p("{% for unit, items in people | groupby('unit') %}{{ unit }}={{ items | length }};{% endfor %}") +
            w.p("{% for row in xs | batch(2) %}{{ row }};{% endfor %}|{% for row in xs | batch(2, 0) %}{{ row }};{% endfor %}") +
            w.p("{% for p in people %}{% for q in quarters %}{{ loop.index }}{% endfor %}-{{ loop.index }} {% endfor %}"));
    add("jinja-filters",
        w.p("{{ xs | length }}|{{ xs | count }}|{{ xs | first }}|{{ xs | last }}|{{ s | lower }}|{{ s | upper }}|{{ s | title }}") +
            w.p("{{ s | capitalize }}|{{ '  x  ' | trim }}|{{ s | replace('n', 'N') }}|{{ s | replace('n', 'N', 1) }}") +
            w.p("{{ f | round }}|{{ 2.5 | round }}|{{ 3.5 | round }}|{{ 0.125 | round(2) }}|{{ 2.675 | round(2) }}|{{ big | round(1) }}") +
            w.p("{{ f | round(0, 'floor') }}|{{ f | round(0, 'ceil') }}|{{ f | int }}|{{ '3.7' | int }}|{{ 'x' | int }}|{{ n | float }}|{{ n | string }}") +
            w.p("{{ '%05.1f' | format(f) }}|{{ '%s-%d' | format(s, n) }}|{{ '%5s|' | format('ab') }}|{{ '%-5s|' | format('ab') }}|{{ '%x' | format(255) }}") +
            w.p("{{ xs | sort }}|{{ xs | sort(reverse=true) }}|{{ letters | sort }}|{{ letters | sort(case_sensitive=true) }}|{{ xs | reverse | list }}") +
            w.p("{{ letters | unique | list }}|{{ letters | unique(case_sensitive=true) | list }}|{{ people | map(attribute='name') | join(', ') }}") +
            w.p("{{ people | selectattr('active') | map(attribute='name') | join(',') }}|{{ people | rejectattr('active') | map(attribute='name') | join(',') }}") +
            w.p("{{ people | selectattr('age', 'gt', 30) | map(attribute='name') | join(',') }}|{{ people | selectattr('unit', 'equalto', 'Văn phòng') | list | length }}") +
            w.p("{{ xs | sum }}|{{ people | sum(attribute='age') }}|{{ xs | min }}|{{ xs | max }}|{{ letters | min }}|{{ letters | max }}") +
            w.p("{{ (people | max(attribute='age')).name }}|{{ nothing | default('mặc định') }}|{{ e | default('rỗng') }}|{{ e | default('rỗng', true) }}") +
            w.p("{{ xs | join }}|{{ xs | join('-') }}|{{ people | join(', ', attribute='name') }}|{{ org | escape }}|{{ s | truncate(9) }}") +
            w.p("{{ 'hello world foo bar baz' | truncate(12) }}|{{ 'hello world foo bar baz' | truncate(12, true) }}|{{ 'hello world foo bar baz' | truncate(12, false, '…') }}") +
            w.p("{{ words | wordcount }}|{{ s | wordcount }}|{{ s | center(20) }}|{{ (agency | dictsort | first)[0] }}|{{ xs | list }}|{{ 'ab' | list }}") +
            w.p("{{ '{:,.2f}'.format(big) }}|{{ '{} / {}'.format(n, s) }}|{{ '{0:>5}|{1:<4}|'.format('a', 'b') }}|{{ '{:05d}'.format(n) }}") +
            w.p("{{ '%.1f' % f }}|{{ '%s và %s' % (n, s) }}|{{ '{:.0%}'.format(0.25) }}|{{ '{:,}'.format(1234567) }}") +
            w.p("{{ s.split(' ') }}|{{ s.startswith('ng') }}|{{ '  a '.strip() }}|{{ s.upper() }}|{{ 'a,b'.split(',') }}|{{ s.replace('n', '') }}"));

    // ----- docxtpl's table helpers
    add("vertical-merge", table(row(cell(w.p("Đơn vị")) + cell(w.p("Họ và tên"))) +
                                    row(cell(w.p("{%tr for p in people | sort(attribute='unit') %}"))) +
                                    row(cell(w.one_run("{% vm %}{{ p.unit }}")) + cell(w.p("{{ p.name }}"))) +
                                    row(cell(w.p("{%tr endfor %}"))),
                                2));
    add("horizontal-merge", table(row(cell(w.p("Họ và tên")) + cell(w.p("{%tc for q in quarters %}")) +
                                      cell(w.p("{% hm %}Kết quả")) + cell(w.p("{%tc endfor %}"))) +
                                      row(cell(w.p("")) + cell(w.p("{%tc for q in quarters %}")) +
                                          cell(w.p("{{ q }}")) + cell(w.p("{%tc endfor %}"))),
                                  4));
    add("colspan-and-cellbg",
        table(row(cell(w.p("{% colspan span %}Tiêu đề rộng")) + cell(w.p("ô {% cellbg color %}màu"))) +
                  row(cell(w.p("a")) + cell(w.p("b")) + cell(w.p("c"))) + row(cell(w.p("{%tr for p in people %}"))) +
                  row(cell(w.p("{% cellbg 'DDEEFF' if p.active else 'FFFFFF' %}{{ p.name }}")) +
                      cell(w.p("{{ p.age }}")) + cell(w.p("."))) +
                  row(cell(w.p("{%tr endfor %}"))),
              3));
    add("tables-and-levels-in-header-footer-footnote", w.p("Thân") + kNoteReference)->parts = {
        {"word/header1.xml", header(table(row(cell(w.p("{% colspan 2 %}{{ agency.short }}")) +
                                              cell(w.p("{% cellbg color %}số {{ number }}"))) +
                                              row(cell(w.p("{%tc for q in quarters %}")) +
                                                  cell(w.p("{% hm %}{{ q }}")) + cell(w.p("{%tc endfor %}"))) +
                                              row(cell(w.p("{%tc for q in quarters %}")) + cell(w.p("{{ q }}")) +
                                                  cell(w.p("{%tc endfor %}"))),
                                          3) +
                                    w.p("Gửi {%r if urgent %}khẩn {%r endif %}{# ghi chú #}{{ agency.short }}"))},
        {"word/footer1.xml", footer(table(row(cell(w.p("{%tr for p in people %}"))) +
                                              row(cell(w.p("{{ loop.index }}")) + cell(w.p("{{ p.name }}"))) +
                                              row(cell(w.p("{%tr endfor %}"))),
                                          2))},
        {"word/footnotes.xml",
         footnotes(w.p("{#p bỏ đoạn này #}") + w.p("Giữ {{ symbol }}") + w.p("{%- if urgent %} khẩn{% endif %}"))}};

    // ----- literal braces
    add("literal-escapes", w.p("Cú pháp {_{ x }_} và {_% if %_} với {{ number }}"));

    // ----- strict mode: the only difference is a located error; leniently, the same document
    {
        Case* c = add("missing-value-is-a-located-error", w.p("Kính gửi {{ agency.name }}") + w.p("Ký: {{ signer }}") +
                                                              w.p("{% for x in missing_list %}{{ x }}{% endfor %}"));
        // (Jinja prints a missing top-level name as nothing but fails on signer.name when signer is missing)
        c->strict_error = "'signer' is missing from the data";
        c->strict_paragraph = 2;
    }
    return all;
}

// ----- what the documents hold ---------------------------------------------------------------------------------------------

struct DocFree {
    void operator()(xmlDoc* d) const noexcept { xmlFreeDoc(d); }
};

bool is_w(const xmlNode* n, const char* local) {
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           std::string(reinterpret_cast<const char*>(n->ns->href)) == kW &&
           std::string(reinterpret_cast<const char*>(n->name)) == local;
}

std::string w_attr(const xmlNode* n, const char* name) {
    xmlChar* v = xmlGetNsProp(n, reinterpret_cast<const xmlChar*>(name), reinterpret_cast<const xmlChar*>(kW));
    std::string s = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return s;
}

void visible_text(const xmlNode* n, std::string& out) {
    for (const xmlNode* c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (is_w(c, "t")) {
            for (const xmlNode* x = c->children; x; x = x->next)
                if (x->content) out += reinterpret_cast<const char*>(x->content);
        } else if (is_w(c, "tab")) {
            out += '\t';
        } else if (is_w(c, "br") || is_w(c, "cr")) {
            out += '\n';
        } else if (!is_w(c, "delText") && !is_w(c, "rPr") && !is_w(c, "pPr")) {
            visible_text(c, out);
        }
    }
}

const xmlNode* child(const xmlNode* n, const char* local) {
    for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next)
        if (is_w(c, local)) return c;
    return nullptr;
}

// One line per paragraph, table row and cell, with the cell properties docxtpl's helpers set.
void describe(const xmlNode* container, bool skip_empty, std::vector<std::string>& out,
              const std::string& indent = "") {
    for (const xmlNode* c = container->children; c; c = c->next) {
        if (is_w(c, "p")) {
            std::string text;
            visible_text(c, text);
            if (!(skip_empty && text.empty())) out.push_back(indent + "¶ " + text);
        } else if (is_w(c, "tbl")) {
            out.push_back(indent + "table");
            for (const xmlNode* r = c->children; r; r = r->next) {
                if (!is_w(r, "tr")) continue;
                out.push_back(indent + "  row");
                for (const xmlNode* cell = r->children; cell; cell = cell->next) {
                    if (!is_w(cell, "tc")) continue;
                    const xmlNode* props = child(cell, "tcPr");
                    std::string line = indent + "    cell";
                    if (const xmlNode* span = child(props, "gridSpan")) line += " span=" + w_attr(span, "val");
                    if (const xmlNode* merge = child(props, "vMerge")) line += " vmerge=" + w_attr(merge, "val");
                    if (const xmlNode* shading = child(props, "shd")) line += " fill=" + w_attr(shading, "fill");
                    out.push_back(line);
                    describe(cell, skip_empty, out, indent + "      ");
                }
            }
        } else if (is_w(c, "footnote")) {
            out.push_back(indent + "footnote " + w_attr(c, "id"));
            describe(c, skip_empty, out, indent + "  ");
        } else if (is_w(c, "body") || is_w(c, "sdt") || is_w(c, "sdtContent")) {
            describe(c, skip_empty, out, indent);
        }
    }
}

std::vector<std::string> describe_part(const std::string& xml, bool skip_empty) {
    std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "part.xml", nullptr,
                                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc) return {"<does not parse>"};
    std::vector<std::string> out;
    describe(xmlDocGetRootElement(doc.get()), skip_empty, out);
    return out;
}

// Every table's w:tblGrid has as many columns as its widest row spans.
std::string grid_problems(const std::string& xml) {
    std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "part.xml", nullptr,
                                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc) return "does not parse";
    std::string problems;
    std::vector<const xmlNode*> stack{xmlDocGetRootElement(doc.get())};
    while (!stack.empty()) {
        const xmlNode* n = stack.back();
        stack.pop_back();
        for (const xmlNode* c = n->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE) stack.push_back(c);
        if (!is_w(n, "tbl")) continue;
        std::size_t columns = 0, widest = 0;
        for (const xmlNode* g = child(child(n, "tblGrid"), "gridCol"); g; g = g->next) columns += is_w(g, "gridCol");
        for (const xmlNode* r = n->children; r; r = r->next) {
            if (!is_w(r, "tr")) continue;
            std::size_t spans = 0;
            for (const xmlNode* cell = r->children; cell; cell = cell->next) {
                if (!is_w(cell, "tc")) continue;
                const xmlNode* span = child(child(cell, "tcPr"), "gridSpan");
                spans += span ? std::stoul(w_attr(span, "val")) : 1;
            }
            widest = std::max(widest, spans);
        }
        if (columns != widest)
            problems += "a table has " + std::to_string(columns) + " grid columns but rows " + std::to_string(widest) +
                        " wide; ";
    }
    return problems;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += "  " + l + "\n";
    return s;
}

// ----- the test ------------------------------------------------------------------------------------------------------------

TEST(Docxtpl, EveryFormRendersAsDocxtplDoes) {
    const std::vector<Case> all = cases();
    const std::string dir = t::temp_dir();
    json manifest = json::array();
    std::map<std::string, std::string> vanban_outputs;
    std::string validate = t::shared_dir() + "/tools/validate-office -q --no-schema";
    for (const Case& c : all) {
        const std::string base = dir + "/" + c.name;
        const std::string docx = t::make_docx(c.body, c.parts);
        t::write_file(base + ".docx", docx);
        t::write_file(base + ".json", c.data.dump());
        manifest.push_back({{"name", c.name},
                            {"template", base + ".docx"},
                            {"data", base + ".json"},
                            {"output", base + ".docxtpl.docx"}});

        SCOPED_TRACE(c.name);
        try {
            const auto tpl = vanban::Template::from_bytes(docx, c.name + ".docx");
            vanban::RenderOptions options;
            if (!c.strict_error.empty()) {
                try {
                    tpl.render(c.data);
                    ADD_FAILURE() << c.name << ": the strict render should fail with: " << c.strict_error;
                } catch (const vanban::Error& e) {
                    const auto& d = e.diagnostics();
                    ASSERT_FALSE(d.empty());
                    EXPECT_EQ(d[0].message, c.strict_error);
                    EXPECT_EQ(d[0].part, "word/document.xml");
                    EXPECT_EQ(d[0].paragraph, c.strict_paragraph);
                    EXPECT_FALSE(d[0].tag.empty());
                    EXPECT_EQ(d.size(), 2u) << "every problem at once: the missing value and the missing list";
                }
                options.lenient = true;
            }
            t::write_file(base + ".vanban.docx", tpl.render(c.data, options));
            vanban_outputs[c.name] = base + ".vanban.docx";
            validate += " " + quote(base + ".vanban.docx");
        } catch (const vanban::Error& e) {
            std::string all_errors;
            for (const auto& d : e.diagnostics()) all_errors += d.to_string() + "\n";
            ADD_FAILURE() << c.name << ": vanban failed:\n" << all_errors;
        }
    }
    t::write_file(dir + "/manifest.json", manifest.dump(1));

    // docxtpl renders every case in one process
    const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    std::string output;
    const int rc = t::run_command(python + " " + quote(t::source_dir() + "/tests/e2e/docxtpl_render.py") + " " +
                                      quote(dir + "/manifest.json") + " " + quote(dir + "/results.json"),
                                  &output);
    ASSERT_EQ(rc, 0) << "docxtpl could not run (is python3-docxtpl installed? .ci/deps.sh --with-office installs it):\n"
                     << output;
    const json results = json::parse(t::read_file(dir + "/results.json"));

    // vanban's outputs are valid packages
    EXPECT_EQ(t::run_command(validate, &output), 0) << output;

    for (const Case& c : all) {
        SCOPED_TRACE(c.name);
        ASSERT_EQ(results.value(c.name, std::string("missing")), "ok") << c.name << ": docxtpl itself failed";
        if (!vanban_outputs.count(c.name)) continue;
        const auto ours = t::read_zip(t::read_file(vanban_outputs[c.name]));
        const auto theirs = t::read_zip(t::read_file(dir + "/" + c.name + ".docxtpl.docx"));
        std::vector<std::string> parts = {"word/document.xml"};
        for (const auto& [name, xml] : c.parts) parts.push_back(name);
        for (const std::string& part : parts) {
            ASSERT_TRUE(ours.count(part) && theirs.count(part)) << part;
            const auto a = describe_part(ours.at(part), c.ignore_empty_paragraphs);
            const auto b = describe_part(theirs.at(part), c.ignore_empty_paragraphs);
            EXPECT_EQ(a, b) << c.name << " " << part << "\nvanban:\n" << joined(a) << "docxtpl:\n" << joined(b);
            EXPECT_EQ(grid_problems(ours.at(part)), "") << c.name << " " << part;
        }
    }
}

// docxtpl's InlineImage against vanban's picture objects: the same templates ({{ photo }} in the body, in a table row
// loop, in a header, one picture shown twice), the same JSON — docxtpl's side turns each {"image": path, "width"}
// into InlineImage(tpl, path, width=Mm(…)) as a Python user writes it. Every drawing must have the same size (EMU,
// computed by python-docx from the pixel size and density for docxtpl) and the package the same pictures.
TEST(Docxtpl, InlineImageAndTheJsonPictureGiveTheSameDrawings) {
    const std::string dir = t::temp_dir();
    t::write_file(dir + "/signature.png", t::signature_png(300, 100, 150));
    t::write_file(dir + "/photo.jpeg", t::make_jpeg(400, 300, 200));
    t::write_file(dir + "/seal.png", t::seal_png(200, 72));
    const auto para = [](const std::string& text) {
        return "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">" + t::xml_escape(text) +
               "</w:t></w:r></w:p>";
    };
    const std::string header = std::string(kPart) + "<w:hdr" + kNs + ">" + para("Logo: {{ logo }}") + "</w:hdr>";
    const json people =
        json::array({{{"name", "An"}, {"photo", {{"image", dir + "/photo.jpeg"}, {"height", "2cm"}}}},
                     {{"name", "Bình"}, {"photo", {{"image", dir + "/photo.jpeg"}, {"width", "1.5in"}}}}});
    struct ImageCase {
        std::string name, body;
        std::map<std::string, std::string> parts;
        json data;
    };
    const std::vector<ImageCase> all = {
        {"width",
         para("Chữ ký: {{ signature }} (đã ký)"),
         {},
         {{"signature", {{"image", dir + "/signature.png"}, {"width", "35mm"}}}}},
        {"height", para("{{ photo }}"), {}, {{"photo", {{"image", dir + "/photo.jpeg"}, {"height", "30mm"}}}}},
        {"both",
         para("{{ seal }}"),
         {},
         {{"seal", {{"image", dir + "/seal.png"}, {"width", "35mm"}, {"height", "30mm"}}}}},
        {"row_loop",
         "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"3000\"/><w:gridCol w:w=\"3000\"/>"
         "</w:tblGrid><w:tr><w:tc>" +
             para("{%tr for p in people %}") + "</w:tc><w:tc>" + para("") + "</w:tc></w:tr><w:tr><w:tc>" +
             para("{{ p.name }}") + "</w:tc><w:tc>" + para("{{ p.photo }}") + "</w:tc></w:tr><w:tr><w:tc>" +
             para("{%tr endfor %}") + "</w:tc><w:tc>" + para("") + "</w:tc></w:tr></w:tbl>",
         {},
         {{"people", people}}},
        {"header_and_twice",
         para("{{ logo }} và {{ logo }}"),
         {{"word/header1.xml", header}},
         {{"logo", {{"image", dir + "/signature.png"}, {"height", "10mm"}}}}},
    };
    json manifest = json::array();
    vanban::RenderOptions options;
    options.image_directory = "/";  // the cases name their pictures by absolute path
    for (const ImageCase& c : all) {
        const std::string base = dir + "/" + c.name;
        const std::string docx = t::make_docx(c.body, c.parts);
        t::write_file(base + ".docx", docx);
        t::write_file(base + ".json", c.data.dump());
        t::write_file(base + ".vanban.docx", vanban::Template::from_bytes(docx, c.name).render(c.data, options));
        manifest.push_back({{"name", c.name},
                            {"template", base + ".docx"},
                            {"data", base + ".json"},
                            {"output", base + ".docxtpl.docx"}});
    }
    t::write_file(dir + "/manifest.json", manifest.dump(1));
    const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    std::string output;
    ASSERT_EQ(t::run_command(python + " " + quote(t::source_dir() + "/tests/e2e/docxtpl_render.py") + " " +
                                 quote(dir + "/manifest.json") + " " + quote(dir + "/results.json"),
                             &output),
              0)
        << output;
    const json results = json::parse(t::read_file(dir + "/results.json"));
    const auto extents = [](const std::string& xml) {
        std::vector<std::pair<long, long>> out;
        const std::regex re("<wp:extent cx=\"(\\d+)\" cy=\"(\\d+)\"");
        for (auto it = std::sregex_iterator(xml.begin(), xml.end(), re); it != std::sregex_iterator(); ++it)
            out.emplace_back(std::stol((*it)[1]), std::stol((*it)[2]));
        return out;
    };
    const auto media = [](const std::map<std::string, std::string>& parts) {
        std::multiset<std::string> out;
        for (const auto& [name, bytes] : parts)
            if (name.starts_with("word/media/")) out.insert(bytes);
        return out;
    };
    std::string validate = t::shared_dir() + "/tools/validate-office -q --no-schema";
    for (const ImageCase& c : all) {
        SCOPED_TRACE(c.name);
        ASSERT_EQ(results.value(c.name, std::string("missing")), "ok") << "docxtpl itself failed";
        validate += " " + quote(dir + "/" + c.name + ".vanban.docx");
        const auto ours = t::read_zip(t::read_file(dir + "/" + c.name + ".vanban.docx"));
        const auto theirs = t::read_zip(t::read_file(dir + "/" + c.name + ".docxtpl.docx"));
        std::vector<std::string> parts = {"word/document.xml"};
        for (const auto& [name, xml] : c.parts) parts.push_back(name);
        for (const auto& part : parts) {
            const auto a = extents(ours.at(part)), b = extents(theirs.at(part));
            ASSERT_EQ(a.size(), b.size()) << part;
            EXPECT_FALSE(a.empty()) << part;
            for (std::size_t k = 0; k < a.size(); ++k) {  // python-docx rounds its native size to whole EMU first
                EXPECT_NEAR(a[k].first, b[k].first, 1) << part << " drawing " << k;
                EXPECT_NEAR(a[k].second, b[k].second, 1) << part << " drawing " << k;
            }
            EXPECT_EQ(describe_part(ours.at(part), true), describe_part(theirs.at(part), true)) << part;
        }
        EXPECT_EQ(media(ours), media(theirs)) << "the same pictures, each stored once";
    }
    EXPECT_EQ(t::run_command(validate, &output), 0) << output;
}

}  // namespace
