// Every built-in filter (the table in src/core/filters.cpp) with hand-written expected values, Vietnamese text
// included, and how values print (None, lists and mappings in Python's repr form, floats like Python).
#include "core/filters.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "core/expr.hpp"

namespace {

using nlohmann::json;
using vanban::core::EvalContext;
using vanban::core::EvalError;
using vanban::core::parse_expression;
using vanban::core::ParseError;
using vanban::core::Scope;
using vanban::core::Value;

const json kData = json::parse(R"({
  "name": "nguyễn văn đức",
  "people": [
    {"name": "Lan", "unit": "Phòng B", "age": 41, "active": true, "amount": 1500000},
    {"name": "Minh", "unit": "Phòng A", "age": 29, "active": false, "amount": 2500000},
    {"name": "Đào", "unit": "Phòng B", "age": 35, "active": true, "amount": 1000000}
  ],
  "nums": [3, 1, 2],
  "five": [1, 2, 3, 4, 5],
  "words": ["b", "A", "a"],
  "nested": [{"x": {"y": "một"}}, {"x": {"y": "hai"}}, {"x": {}}]
})");

std::string text(std::string_view source, const json& data = kData) {
    auto e = parse_expression(source);
    Scope scope(data);
    EvalContext ctx{scope, false};
    return vanban::core::to_text(evaluate(*e, ctx), ctx);
}

json value(std::string_view source, const json& data = kData) {
    auto e = parse_expression(source);
    Scope scope(data);
    EvalContext ctx{scope, false};
    Value v = evaluate(*e, ctx);
    if (v.is_undefined()) return "<undefined>";
    if (v.is_rich()) return "<rich>";
    return std::move(v).take();
}

std::string error(std::string_view source, const json& data = kData) {
    try {
        text(source, data);
    } catch (const EvalError& e) {
        return e.what();
    }
    return "(no error)";
}

// ----- every filter of the table has a test here -------------------------------------------------------------------

TEST(Filters, TableIsCoveredByThisFile) {
    // Keep in step with the TEST()s below: a new filter without a test here fails this check.
    const std::set<std::string> tested = {
        "abs", "balance", "batch", "capitalize", "center", "count", "d", "decree_date", "default", "dictsort", "diem",
        "e", "escape", "first", "float", "format", "groupby", "image", "int", "items", "join", "last", "length", "list",
        "lower", "map", "max", "min", "nfc", "outline", "pad2", "reject", "rejectattr", "replace", "reverse", "rich",
        "roman", "round", "select", "selectattr", "short_date", "slice", "slug", "sort", "string", "sum", "text_width",
        "title", "tojson", "trim", "truncate", "unique", "upper", "wordcount",
        // Jinja's, added for issue 21 (tested in JinjaFilters below and tests/unit/jinja_parity_test.cpp)
        "attr", "filesizeformat", "forceescape", "indent", "pprint", "safe", "striptags", "urlencode", "wordwrap",
        "xmlattr"};
    std::set<std::string> table;
    for (const auto& f : vanban::core::all_filters()) table.insert(std::string(f.name));
    EXPECT_EQ(table, tested);
    EXPECT_NE(vanban::core::find_filter("upper"), nullptr);
    EXPECT_EQ(vanban::core::find_filter("uper"), nullptr);
}

// ----- pictures: tests/unit/image_test.cpp has the rest ---------------------------------------------------------------

TEST(Filters, Image) {
    // Without a render there is nowhere to place a picture; none and a missing value in lenient mode print nothing.
    EXPECT_EQ(error("'AAAA' | image"), "filter 'image': a picture cannot be used here");
    EXPECT_EQ(text("none | image"), "");
    EXPECT_THROW(parse_expression("x | image(size='3cm')"), ParseError);
}

// ----- text ---------------------------------------------------------------------------------------------------------

TEST(Filters, UpperLowerTitleCapitalizeVietnamese) {
    EXPECT_EQ(text("name | upper"), "NGUYỄN VĂN ĐỨC");
    EXPECT_EQ(text("'ĐẠI HỘI Đảng' | lower"), "đại hội đảng");
    EXPECT_EQ(text("name | title"), "Nguyễn Văn Đức");
    EXPECT_EQ(text("'ủy BAN nhân dân' | capitalize"), "Ủy ban nhân dân");
    EXPECT_EQ(text("'đại hội' | upper | lower"), "đại hội");
}

TEST(Filters, Trim) {
    EXPECT_EQ(text("'  Sở Y tế \t\n' | trim"), "Sở Y tế");
    EXPECT_EQ(text("'--x--' | trim('-')"), "x");
    EXPECT_EQ(text("'   ' | trim"), "");
}

TEST(Filters, Replace) {
    EXPECT_EQ(text("'a-b-c' | replace('-', '/')"), "a/b/c");
    EXPECT_EQ(text("'a-b-c' | replace('-', '/', 1)"), "a/b-c");
    EXPECT_EQ(text("'Ủy ban, Ủy viên' | replace('Ủy', 'Uỷ')"), "Uỷ ban, Uỷ viên");
    EXPECT_EQ(text("'abc' | replace('', 'x')"), "abc");
    // keyword forms, as in Python's str.replace(old, new)
    EXPECT_EQ(text("'a-b' | replace(old='-', new='+')"), "a+b");
    EXPECT_EQ(error("'a-b' | replace(old='-', neu='+')"),
              "filter 'replace': replace needs the text to replace and its replacement");
}

TEST(Filters, Truncate) {
    // Jinja: longer than length + leeway(5) → cut at length - len(end), back to the last space, then end.
    EXPECT_EQ(text("'Hello world foo bar baz' | truncate(9)"), "Hello...");
    EXPECT_EQ(text("'Hello world foo bar baz' | truncate(9, true)"), "Hello ...");
    EXPECT_EQ(text("'Hello world foo bar baz' | truncate(9, end='…')"), "Hello…");
    // the end counts in code points: "…" is one, so 11 are kept before it and cut back to the space
    EXPECT_EQ(text("'Hello world foo bar baz' | truncate(12, end='…')"), "Hello…");
    EXPECT_EQ(text("'Hello world foo bar baz' | truncate(13, end='…')"), "Hello world…");
    EXPECT_EQ(text("'Hello world foo bar baz' | truncate(20)"), "Hello world foo bar baz");  // within leeway
    // lengths count code points: 34 of them here, "Cộng hòa " is the first 9
    EXPECT_EQ(text("'Cộng hòa xã hội chủ nghĩa Việt Nam' | truncate(12)"), "Cộng hòa...");
    EXPECT_EQ(text("'ngắn' | truncate(3)"), "ngắn");
}

TEST(Filters, Wordcount) {
    EXPECT_EQ(value("'Kế hoạch  thi đua\nnăm 2024' | wordcount"), json(6));
    EXPECT_EQ(value("'' | wordcount"), json(0));
    // Jinja counts \w+ runs: hyphens, dashes and quotes separate words, underscores do not (Jinja 3.1 gives 6)
    EXPECT_EQ(value("'a-b c_d  e–f “x”' | wordcount"), json(6));
}

TEST(Filters, Center) {
    // Python's str.center (Jinja 3.1: "   ab  ", " abc  ", "  abc   ")
    EXPECT_EQ(text("'ab' | center(7)"), "   ab  ");
    EXPECT_EQ(text("'abc' | center(6)"), " abc  ");
    EXPECT_EQ(text("'abc' | center(8)"), "  abc   ");
    EXPECT_EQ(text("'Việt' | center(6)"), " Việt ");
    EXPECT_EQ(text("'dài hơn' | center(3)"), "dài hơn");
}

TEST(Filters, DictsortAndItems) {
    const json data = json::parse(R"({"d": {"b": 1, "A": 2, "c": 0}})");
    EXPECT_EQ(value("d | dictsort", data), json::parse(R"([["A", 2], ["b", 1], ["c", 0]])"));
    EXPECT_EQ(value("d | dictsort(by='value', reverse=true)", data), json::parse(R"([["A", 2], ["b", 1], ["c", 0]])"));
    EXPECT_EQ(value("d | dictsort(by='value')", data), json::parse(R"([["c", 0], ["b", 1], ["A", 2]])"));
    EXPECT_EQ(value("d | items | list", data), json::parse(R"([["A", 2], ["b", 1], ["c", 0]])"));
    EXPECT_EQ(error("[1] | dictsort", data), "filter 'dictsort': dictsort needs a mapping, not array");
    EXPECT_EQ(error("d | dictsort(by='size')", data), "filter 'dictsort': dictsort can sort by 'key' or 'value'");
}

TEST(Filters, Format) {
    EXPECT_EQ(text("'%05.1f' | format(3.14159)"), "003.1");
    EXPECT_EQ(text("'Số: %s/%s' | format('05', 'KH-UBND')"), "Số: 05/KH-UBND");
    EXPECT_EQ(text("'%d%%' | format(50)"), "50%");
    EXPECT_EQ(text("'%03d' | format(7)"), "007");
    EXPECT_EQ(text("'%x' | format(255)"), "ff");
    EXPECT_EQ(text("'%.2f' | format('2.5')"), "2.50");
    EXPECT_EQ(error("'%s %s' | format(1)"), "filter 'format': not enough arguments for the format string");
    EXPECT_EQ(error("'%q' | format(1)"), "filter 'format': unsupported conversion '%q'");
    // widths, flags and precision as in Python ("  3.1|ab    |+5" from Jinja 3.1); text pads by code points
    EXPECT_EQ(text("'%5.1f|%-6s|%+d' | format(3.14159, 'ab', 5)"), "  3.1|ab    |+5");
    EXPECT_EQ(text("'[%6s]' | format('Việt')"), "[  Việt]");
    EXPECT_EQ(text("'%.3s' | format('Nguyễn')"), "Ngu");
    EXPECT_EQ(error("'%s' | format(1, 2)"), "filter 'format': not all arguments are used by the format string");
}

TEST(Filters, EscapeIsANoOpBecauseOutputIsAlwaysEscaped) {
    EXPECT_EQ(text("'<a & b>' | escape"), "<a & b>");
    EXPECT_EQ(text("'<a & b>' | e"), "<a & b>");
}

TEST(Filters, NfcAndSlug) {
    // "Việt" typed with combining marks: e + U+0323 (dot below) + U+0302 (circumflex)
    EXPECT_EQ(text("'Vie\xCC\xA3\xCC\x82t' | nfc"), "Việt");
    EXPECT_EQ(text("'Nguyễn Văn Đức' | slug"), "nguyen-van-duc");
}

TEST(Filters, String) {
    EXPECT_EQ(value("3 | string"), json("3"));
    EXPECT_EQ(value("2.0 | string"), json("2.0"));
    EXPECT_EQ(value("['a'] | string"), json("['a']"));
    EXPECT_EQ(value("none | string"), json(""));
}

// ----- defaults -----------------------------------------------------------------------------------------------------

TEST(Filters, DefaultAndD) {
    EXPECT_EQ(text("missing | default('—')"), "—");
    EXPECT_EQ(text("missing | d('—')"), "—");
    EXPECT_EQ(text("missing | default"), "");
    EXPECT_EQ(text("name | default('—')"), "nguyễn văn đức");
    EXPECT_EQ(text("'' | default('—')"), "");
    EXPECT_EQ(text("'' | default('—', true)"), "—");
    EXPECT_EQ(text("0 | d('không', boolean=true)"), "không");
}

// ----- sequences and text length ------------------------------------------------------------------------------------

TEST(Filters, FirstLastLengthCountCodePoints) {
    EXPECT_EQ(text("'Đức' | first"), "Đ");
    EXPECT_EQ(text("'Đức' | last"), "c");
    EXPECT_EQ(text("'Tuấn' | last"), "n");
    EXPECT_EQ(text("'ễ' | first"), "ễ");
    EXPECT_EQ(value("'Nguyễn' | length"), json(6));  // 6 letters, 8 bytes
    EXPECT_EQ(value("name | length"), json(14));
    EXPECT_EQ(value("'Đức' | count"), json(3));
    EXPECT_EQ(value("nums | length"), json(3));
    EXPECT_EQ(value("people[0] | length"), json(5));
    EXPECT_EQ(value("nums | first"), json(3));
    EXPECT_EQ(value("nums | last"), json(2));
    EXPECT_EQ(value("[] | length"), json(0));
    EXPECT_EQ(error("5 | first"), "filter 'first': first needs a list or a string");
    EXPECT_EQ(error("5 | length"), "filter 'length': length of number is undefined");
}

TEST(Filters, Join) {
    EXPECT_EQ(text("['a', 'b'] | join(', ')"), "a, b");
    EXPECT_EQ(text("['a', 'b'] | join"), "ab");
    EXPECT_EQ(text("[1, 2.0, none, true] | join('-')"), "1-2.0--True");
    EXPECT_EQ(text("people | join(', ', attribute='name')"), "Lan, Minh, Đào");
    EXPECT_EQ(text("people | join(d='; ', attribute='unit')"), "Phòng B; Phòng A; Phòng B");
    EXPECT_EQ(error("'abc' | join"), "filter 'join': join needs a list, not string");
}

TEST(Filters, List) {
    EXPECT_EQ(value("'Đức' | list"), json::parse(R"(["Đ", "ứ", "c"])"));
    EXPECT_EQ(value("{'b': 1, 'a': 2} | list"), json::parse(R"(["b", "a"])"));  // written order, as Python (issue 21)
    EXPECT_EQ(value("nums | list"), json::parse("[3, 1, 2]"));
}

TEST(Filters, Reverse) {
    EXPECT_EQ(value("nums | reverse"), json::parse("[2, 1, 3]"));
    EXPECT_EQ(text("'Đức' | reverse"), "cứĐ");
}

TEST(Filters, Sort) {
    EXPECT_EQ(value("nums | sort"), json::parse("[1, 2, 3]"));
    EXPECT_EQ(value("nums | sort(reverse=true)"), json::parse("[3, 2, 1]"));
    EXPECT_EQ(value("nums | sort(true)"), json::parse("[3, 2, 1]"));
    // case-insensitive by default and stable: "A" and "a" keep their order
    EXPECT_EQ(value("words | sort"), json::parse(R"(["A", "a", "b"])"));
    EXPECT_EQ(value("['b', 'a', 'B'] | sort(case_sensitive=true)"), json::parse(R"(["B", "a", "b"])"));
    EXPECT_EQ(text("people | sort(attribute='age') | map(attribute='name') | join(',')"), "Minh,Đào,Lan");
    EXPECT_EQ(text("people | sort(attribute='age', reverse=true) | map(attribute='name') | join(',')"), "Lan,Đào,Minh");
    EXPECT_EQ(text("people | sort(attribute='unit') | map(attribute='name') | join(',')"), "Minh,Lan,Đào");
}

TEST(Filters, Unique) {
    EXPECT_EQ(value("[1, 2, 1, 3, 2] | unique"), json::parse("[1, 2, 3]"));
    // case-insensitive by default, the first spelling kept (Jinja 3.1: ['a', 'B'])
    EXPECT_EQ(value("['a', 'B', 'A', 'b'] | unique | list"), json::parse(R"(["a", "B"])"));
    EXPECT_EQ(value("['a', 'B', 'A', 'b'] | unique(case_sensitive=true)"), json::parse(R"(["a", "B", "A", "b"])"));
    EXPECT_EQ(value("['Đà', 'đà'] | unique"), json::parse(R"(["Đà"])"));
    EXPECT_EQ(text("people | unique(attribute='unit') | map(attribute='name') | join(',')"), "Lan,Minh");
}

TEST(Filters, MapAttributeAndFilter) {
    EXPECT_EQ(value("people | map(attribute='name')"), json::parse(R"(["Lan", "Minh", "Đào"])"));
    EXPECT_EQ(value("nested | map(attribute='x.y')"), json::parse(R"(["một", "hai", null])"));
    EXPECT_EQ(value("nested | map(attribute='x.y', default='-')"), json::parse(R"(["một", "hai", "-"])"));
    EXPECT_EQ(value("people | map(attribute='name') | map('upper')"), json::parse(R"(["LAN", "MINH", "ĐÀO"])"));
    EXPECT_EQ(value("['a-b', 'c'] | map('replace', '-', '+')"), json::parse(R"(["a+b", "c"])"));
    EXPECT_EQ(error("nums | map"), "filter 'map': map needs attribute=... or a filter name");
    EXPECT_EQ(error("nums | map('nope')"), "filter 'map': map: unknown filter 'nope'");
}

TEST(Filters, SelectRejectAndAttr) {
    EXPECT_EQ(value("five | select('odd')"), json::parse("[1, 3, 5]"));
    EXPECT_EQ(value("five | reject('odd')"), json::parse("[2, 4]"));
    EXPECT_EQ(value("[0, 1, '', 'a', none] | select"), json::parse(R"([1, "a"])"));
    EXPECT_EQ(value("five | select('divisibleby', 2)"), json::parse("[2, 4]"));
    EXPECT_EQ(text("people | selectattr('active') | map(attribute='name') | join(',')"), "Lan,Đào");
    EXPECT_EQ(text("people | rejectattr('active') | map(attribute='name') | join(',')"), "Minh");
    EXPECT_EQ(text("people | selectattr('age', 'gt', 30) | map(attribute='name') | join(',')"), "Lan,Đào");
    EXPECT_EQ(text("people | selectattr('unit', 'eq', 'Phòng A') | map(attribute='name') | join(',')"), "Minh");
    EXPECT_EQ(text("people | rejectattr('unit', 'equalto', 'Phòng B') | map(attribute='name') | join(',')"), "Minh");
    EXPECT_EQ(error("five | select('blue')"), "filter 'select': unknown test 'blue'");
}

TEST(Filters, JinjaFilters) {
    EXPECT_EQ(text("people[0] | attr('name')"), "Lan");
    EXPECT_EQ(text("1536 | filesizeformat"), "1.5 kB");
    EXPECT_EQ(text("1536 | filesizeformat(binary=true)"), "1.5 KiB");
    EXPECT_EQ(text("'<b>' | forceescape"), "<b>");  // vanban escapes when it writes
    EXPECT_EQ(text("'a\nb' | indent(3)"), "a\n   b");
    EXPECT_EQ(text("nums | pprint"), "[3, 1, 2]");
    EXPECT_EQ(text("'<b>' | safe"), "<b>");
    EXPECT_EQ(text("'<i>nghiêng</i>  đậm' | striptags"), "nghiêng đậm");
    EXPECT_EQ(text("'đ c/d' | urlencode"), "%C4%91%20c/d");
    EXPECT_EQ(text("'một hai ba bốn' | wordwrap(7)"), "một hai\nba bốn");
    EXPECT_EQ(text("{'a': 1, 'b': none} | xmlattr"), " a=\"1\"");
    EXPECT_EQ(error("5 | xmlattr"), "filter 'xmlattr': xmlattr needs a mapping, not number");
    EXPECT_EQ(error("'x' | wordwrap(0)"), "filter 'wordwrap': wordwrap width must be positive");
}

TEST(Filters, Groupby) {
    const json groups = value("people | groupby('unit')");
    ASSERT_TRUE(groups.is_array());
    ASSERT_EQ(groups.size(), 2u);
    // sorted by the key; items keep their order inside a group
    EXPECT_EQ(groups[0]["grouper"], "Phòng A");
    EXPECT_EQ(groups[0]["list"].size(), 1u);
    EXPECT_EQ(groups[0]["list"][0]["name"], "Minh");
    EXPECT_EQ(groups[1]["grouper"], "Phòng B");
    ASSERT_EQ(groups[1]["list"].size(), 2u);
    EXPECT_EQ(groups[1]["list"][0]["name"], "Lan");
    EXPECT_EQ(groups[1]["list"][1]["name"], "Đào");
    EXPECT_EQ(text("(people | groupby('unit'))[1].list | map(attribute='age') | join('+')"), "41+35");
    EXPECT_EQ(text("people | groupby(attribute='active') | map(attribute='grouper') | join(',')"), "False,True");
}

TEST(Filters, Batch) {
    EXPECT_EQ(value("five | batch(2)"), json::parse("[[1, 2], [3, 4], [5]]"));
    EXPECT_EQ(value("five | batch(2, 'x')"), json::parse(R"([[1, 2], [3, 4], [5, "x"]])"));
    EXPECT_EQ(value("five | batch(5)"), json::parse("[[1, 2, 3, 4, 5]]"));
    EXPECT_EQ(value("[] | batch(3)"), json::array());
    EXPECT_EQ(error("five | batch(0)"), "filter 'batch': batch size must be positive");
}

TEST(Filters, Slice) {
    EXPECT_EQ(value("five | slice(2)"), json::parse("[[1, 2, 3], [4, 5]]"));
    EXPECT_EQ(value("five | slice(3)"), json::parse("[[1, 2], [3, 4], [5]]"));
}

TEST(Filters, Sum) {
    EXPECT_EQ(value("nums | sum"), json(6));
    EXPECT_TRUE(value("nums | sum").is_number_integer());
    EXPECT_EQ(text("[1, 2.5] | sum"), "3.5");
    EXPECT_EQ(value("people | sum(attribute='amount')"), json(5000000));
    EXPECT_EQ(text("people | sum(attribute='amount')"), "5000000");
    EXPECT_EQ(value("nums | sum(start=10)"), json(16));
    EXPECT_EQ(value("[] | sum"), json(0));
    EXPECT_EQ(error("['a'] | sum"), "filter 'sum': sum: string is not a number");
}

TEST(Filters, ItemsOfComputedListsAreUsable) {
    // first/last/min/max of a list a filter just computed (the list dies with the filter call)
    EXPECT_EQ(text("(people | sort(attribute='age') | first).name"), "Minh");
    EXPECT_EQ(text("(people | sort(attribute='age') | last).unit"), "Phòng B");
    EXPECT_EQ(text("(people | selectattr('active') | max(attribute='age')).name"), "Lan");
    EXPECT_EQ(text("(people | rejectattr('active') | min(attribute='age')).name"), "Minh");
}

TEST(Filters, MinMax) {
    EXPECT_EQ(value("nums | min"), json(1));
    EXPECT_EQ(value("nums | max"), json(3));
    EXPECT_EQ(text("(people | max(attribute='age')).name"), "Lan");
    EXPECT_EQ(text("(people | min(attribute='age')).name"), "Minh");
    EXPECT_EQ(text("words | max"), "b");
}

// ----- numbers ------------------------------------------------------------------------------------------------------

TEST(Filters, Abs) {
    EXPECT_EQ(value("-3 | abs"), json(3));
    EXPECT_EQ(text("(-2.5) | abs"), "2.5");
    EXPECT_EQ(value("4 | abs"), json(4));
    EXPECT_EQ(error("'x' | abs"), "filter 'abs': abs must be a number");
}

TEST(Filters, IntAndFloat) {
    EXPECT_EQ(value("'12' | int"), json(12));
    EXPECT_EQ(value("3.9 | int"), json(3));
    EXPECT_EQ(value("-3.9 | int"), json(-3));
    EXPECT_EQ(value("'abc' | int"), json(0));
    EXPECT_EQ(value("'abc' | int(7)"), json(7));
    EXPECT_EQ(value("true | int"), json(1));
    EXPECT_EQ(value("missing | int"), json(0));  // int accepts a missing value
    EXPECT_EQ(text("'2.5' | float"), "2.5");
    EXPECT_EQ(text("3 | float"), "3.0");
    EXPECT_EQ(text("'x' | float"), "0.0");
    EXPECT_EQ(text("'x' | float(1.5)"), "1.5");
}

TEST(Filters, Round) {
    EXPECT_EQ(text("2.567 | round(2)"), "2.57");
    EXPECT_EQ(text("2.567 | round"), "3.0");
    // Python's round: ties go to the even digit, and 2.675 is really 2.67499… (Jinja 3.1: 2.0 4.0 0.12 2.67 -2.0)
    EXPECT_EQ(text("2.5 | round"), "2.0");
    EXPECT_EQ(text("3.5 | round"), "4.0");
    EXPECT_EQ(text("0.125 | round(2)"), "0.12");
    EXPECT_EQ(text("2.675 | round(2)"), "2.67");
    EXPECT_EQ(text("-2.5 | round"), "-2.0");
    EXPECT_EQ(text("2.4 | round"), "2.0");
    EXPECT_EQ(text("2.31 | round(1, 'ceil')"), "2.4");
    EXPECT_EQ(text("2.39 | round(1, 'floor')"), "2.3");
    EXPECT_EQ(text("1234.5678 | round(-2)"), "1200.0");
    EXPECT_EQ(text("'7.25' | round(1, method='floor')"), "7.2");
    EXPECT_EQ(error("2.5 | round(0, 'up')"), "filter 'round': round method must be common, ceil or floor");
}

TEST(Filters, Tojson) {
    EXPECT_EQ(text("{'a': [1, 'đ', none]} | tojson"), R"({"a":[1,"đ",null]})");
    EXPECT_EQ(text("'x\"y' | tojson"), R"("x\"y")");
}

// ----- Vietnamese administrative helpers ----------------------------------------------------------------------------

TEST(Filters, DecreeDate) {
    EXPECT_EQ(text("'2020-01-05' | decree_date"), "ngày 05 tháng 01 năm 2020");
    EXPECT_EQ(text("'2022-03-10' | decree_date"), "ngày 10 tháng 3 năm 2022");
    EXPECT_EQ(text("'2022-12-31' | decree_date"), "ngày 31 tháng 12 năm 2022");
    EXPECT_EQ(text("'2022-02-01' | decree_date"), "ngày 01 tháng 02 năm 2022");
    EXPECT_EQ(text("'2022-03-10' | decree_date(true)"), "ngày 10 tháng 03 năm 2022");
    EXPECT_EQ(text("'10/3/2022' | decree_date"), "ngày 10 tháng 3 năm 2022");
    // an object without a day leaves it blank (five spaces) for hand filling
    EXPECT_EQ(text("{'year': 2022, 'month': 3} | decree_date"), "ngày       tháng 3 năm 2022");
    EXPECT_EQ(text("{'year': 2024, 'month': 2, 'day': 29} | decree_date"), "ngày 29 tháng 02 năm 2024");
    EXPECT_EQ(error("'2022-02-30' | decree_date"), "filter 'decree_date': '2022-02-30' is not a date");
    EXPECT_EQ(error("'hôm qua' | decree_date"), "filter 'decree_date': 'hôm qua' is not a date");
    EXPECT_EQ(error("{'month': 3} | decree_date"), "filter 'decree_date': a date needs a year");
    EXPECT_EQ(error("{'year': 2022, 'month': 13} | decree_date"), "filter 'decree_date': month must be 1–12 or blank");
    EXPECT_EQ(error("5 | decree_date"),
              "filter 'decree_date': a date must be a string YYYY-MM-DD or an object {year, month, day}");
}

TEST(Filters, ShortDate) {
    EXPECT_EQ(text("'2020-01-05' | short_date"), "05/01/2020");
    EXPECT_EQ(text("'2022-03-10' | short_date"), "10/03/2022");
}

TEST(Filters, Pad2) {
    EXPECT_EQ(text("5 | pad2"), "05");
    EXPECT_EQ(text("0 | pad2"), "00");
    EXPECT_EQ(text("12 | pad2"), "12");
    EXPECT_EQ(text("123 | pad2"), "123");
    EXPECT_EQ(text("'7' | pad2"), "07");
    EXPECT_EQ(text("none | pad2"), "");
    EXPECT_EQ(text("'' | pad2"), "");
}

TEST(Filters, Diem) {
    EXPECT_EQ(text("1 | diem"), "a");
    EXPECT_EQ(text("4 | diem"), "d");
    EXPECT_EQ(text("5 | diem"), "đ");
    EXPECT_EQ(text("6 | diem"), "e");
    EXPECT_EQ(text("7 | diem"), "g");   // no f
    EXPECT_EQ(text("10 | diem"), "k");  // no j
    EXPECT_EQ(text("22 | diem"), "x");  // no w
    EXPECT_EQ(text("23 | diem"), "y");
    EXPECT_EQ(error("24 | diem"), "filter 'diem': điểm 24 has no letter: the sequence a, b, c, d, đ, … ends at y (23)");
    EXPECT_EQ(error("0 | diem"), "filter 'diem': điểm 0 has no letter: the sequence a, b, c, d, đ, … ends at y (23)");
}

TEST(Filters, Roman) {
    EXPECT_EQ(text("1 | roman"), "I");
    EXPECT_EQ(text("4 | roman"), "IV");
    EXPECT_EQ(text("9 | roman"), "IX");
    EXPECT_EQ(text("14 | roman"), "XIV");
    EXPECT_EQ(text("40 | roman"), "XL");
    EXPECT_EQ(text("1994 | roman"), "MCMXCIV");
    EXPECT_EQ(text("3999 | roman"), "MMMCMXCIX");
    EXPECT_EQ(error("0 | roman"), "filter 'roman': roman numerals exist only for 1–3999");
    EXPECT_EQ(error("4000 | roman"), "filter 'roman': roman numerals exist only for 1–3999");
}

TEST(Filters, RichPrintsAsPlainText) {
    EXPECT_EQ(value("'**đậm** và *nghiêng*' | rich"), json("<rich>"));
    EXPECT_EQ(text("'**đậm** và *nghiêng*' | rich"), "đậm và nghiêng");
    EXPECT_EQ(text("'a^[chú thích]b' | rich"), "ab");  // footnotes are not part of the text
    EXPECT_EQ(value("'**x**' | rich is string"), json(true));
    EXPECT_EQ(error("5 | rich | abs"), "filter 'abs': this value cannot be used here");
}

TEST(Filters, Balance) {
    // 12 pt: "nn" is 240 twips, a space 60; 1200 twips hold four words, and five are set three over two (the words
    // of a line joined by no-break spaces).
    EXPECT_EQ(value("'nn nn nn nn nn' | balance(1200, 12)"), json("nn\u00A0nn\u00A0nn nn\u00A0nn"));
    EXPECT_EQ(value("'nn nn' | balance(width=1200, size=12, bold=false)"), json("nn nn"));
    EXPECT_EQ(error("'nn' | balance(1200, bold=true)"),
              "filter 'balance': balance needs the width in twips and the font size in points");
}

TEST(Filters, TextWidth) {
    // Times New Roman (Liberation Serif): 'n' is 1024/2048 em, space 512/2048 em. At 12 pt: 6 pt = 120 twips, 60.
    EXPECT_EQ(value("'n' | text_width(12)"), json(120));
    EXPECT_EQ(value("'nn' | text_width(12)"), json(240));
    EXPECT_EQ(value("'n n' | text_width(12)"), json(300));
    EXPECT_EQ(value("'n' | text_width(24)"), json(240));
    EXPECT_EQ(value("'n' | text_width(size=12)"), json(120));
    EXPECT_EQ(error("'n' | text_width(bold=true)"), "filter 'text_width': text_width needs the font size in points");
    EXPECT_GT(value("'Sở Y tế' | text_width(13, bold=true)").get<long long>(),
              value("'Sở Y tế' | text_width(13)").get<long long>());
}

TEST(Filters, Outline) {
    const json data = json::parse(R"({"body": [
        {"title": "Mục đích", "children": [{"title": "Chung"}, {"title": "Riêng", "children": [{"text": "Một"}]}]},
        {"title": "Yêu cầu"}
    ]})");
    EXPECT_EQ(text("body | outline | map(attribute='label') | join(' ')", data), "I. 1. 2. a) II.");
    EXPECT_EQ(text("(body | outline)[0].kind", data), "heading");
    EXPECT_EQ(
        text("body | outline({'levels': ['arabic', 'letter', 'arabic']}) | map(attribute='label') | join(' ')", data),
        "1. a) b) 1. 2.");
}

// ----- printing values -------------------------------------------------------------------------------------------

TEST(Printing, NoneListsDictsAndBooleans) {
    EXPECT_EQ(text("none"), "");
    EXPECT_EQ(text("['a', 'b']"), "['a', 'b']");
    EXPECT_EQ(text("[1, 2.0, none, true, false]"), "[1, 2.0, None, True, False]");
    EXPECT_EQ(text("{'k': 'v', 'n': [1]}"), "{'k': 'v', 'n': [1]}");
    EXPECT_EQ(text("[\"it's\"]"), "[\"it's\"]");  // Python switches quotes
    EXPECT_EQ(text("['a\\nb']"), "['a\\nb']");
    EXPECT_EQ(text("people[1]"), "{'active': False, 'age': 29, 'amount': 2500000, 'name': 'Minh', 'unit': 'Phòng A'}");
    EXPECT_EQ(text("true"), "True");
    EXPECT_EQ(text("[[]]"), "[[]]");
}

TEST(Printing, FloatsLikePython) {
    EXPECT_EQ(text("2.0"), "2.0");
    EXPECT_EQ(text("2.5"), "2.5");
    EXPECT_EQ(text("0.1 + 0.2"), "0.30000000000000004");
    EXPECT_EQ(text("-0.5"), "-0.5");
    EXPECT_EQ(text("100.0"), "100.0");
    EXPECT_EQ(text("3"), "3");
    EXPECT_EQ(text("x", json{{"x", 1.25}}), "1.25");
}

TEST(Printing, LargeAndSmallFloatsLikePython) {
    // Python's repr switches to exponent notation only below 1e-4 and from 1e16 on.
    EXPECT_EQ(text("2000000.0"), "2000000.0");
    EXPECT_EQ(text("x * 1.0", json{{"x", 1500000}}), "1500000.0");
    EXPECT_EQ(text("1e15"), "1000000000000000.0");
    EXPECT_EQ(text("1e16"), "1e+16");
    EXPECT_EQ(text("12345678901234567890.0"), "1.2345678901234567e+19");
    EXPECT_EQ(text("0.0001"), "0.0001");
    EXPECT_EQ(text("0.00001"), "1e-05");
    EXPECT_EQ(text("0.000015"), "1.5e-05");
    EXPECT_EQ(text("0.0"), "0.0");
    EXPECT_EQ(text("-1000000.0"), "-1000000.0");
    EXPECT_EQ(text("[1000000.0]"), "[1000000.0]");
}

}  // namespace
