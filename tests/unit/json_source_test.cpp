#include "json/json_source.hpp"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace vanban::json_data {
namespace {

using nlohmann::json;

// Parses text that must fail; returns the diagnostics.
std::vector<Diagnostic> errors_of(std::string_view text, const JsonLimits& limits = {},
                                  Positions positions = Positions::every_value) {
    try {
        (void)parse(text, "data.json", limits, positions);
    } catch (const Error& e) {
        return e.diagnostics();
    }
    ADD_FAILURE() << "expected a parse error for: " << text;
    return {};
}

void expect_at(const Document& doc, const std::string& pointer, int line, int column) {
    const auto it = doc.positions.find(pointer);
    ASSERT_NE(it, doc.positions.end()) << "no position for " << pointer;
    EXPECT_EQ(it->second.line, line) << pointer;
    EXPECT_EQ(it->second.column, column) << pointer;
}

TEST(JsonSource, PositionsOfNestedValues) {
    const std::string text =
        "{\n"
        "  \"a\": 1,\n"
        "  \"b\": [true, {\"c\": \"x\"}],\n"
        "  \"d~/e\": null,\n"
        "  \"tên\": \"Hòa\", \"x\": 2\n"
        "}\n";
    const Document doc = parse(text, "data.json");
    EXPECT_EQ(doc.source, "data.json");
    expect_at(doc, "", 1, 1);
    expect_at(doc, "/a", 2, 8);
    expect_at(doc, "/b", 3, 8);
    expect_at(doc, "/b/0", 3, 9);
    expect_at(doc, "/b/1", 3, 15);
    expect_at(doc, "/b/1/c", 3, 21);
    expect_at(doc, "/d~0~1e", 4, 11);
    expect_at(doc, "/tên", 5, 10);
    expect_at(doc, "/x", 5, 22);  // columns count code points: "tên" and "Hòa" have 2-byte letters
    EXPECT_EQ(doc.positions.size(), 9u);

    EXPECT_EQ(doc.value["a"], 1);
    EXPECT_EQ(doc.value["b"][1]["c"], "x");
    EXPECT_TRUE(doc.value["d~/e"].is_null());
    EXPECT_EQ(doc.value.at(json::json_pointer("/d~0~1e")), nullptr);
}

TEST(JsonSource, PointersEscapeTildeAndSlash) {
    const Document doc = parse(R"({"a/b": {"~": [0, {"x~1": 3}]}})", "-");
    expect_at(doc, "/a~1b", 1, 9);
    expect_at(doc, "/a~1b/~0", 1, 15);
    expect_at(doc, "/a~1b/~0/1", 1, 19);
    expect_at(doc, "/a~1b/~0/1/x~01", 1, 27);
    EXPECT_EQ(doc.value.at(json::json_pointer("/a~1b/~0/1/x~01")), 3);
}

TEST(JsonSource, CrLfAndLoneCrLineEndings) {
    const Document doc = parse("{\r\n  \"a\": 1,\r\n\r\n  \"b\": 2\r}", "-");
    expect_at(doc, "/a", 2, 8);
    expect_at(doc, "/b", 4, 8);
}

TEST(JsonSource, PositionOfWalksUpToAncestor) {
    const Document doc = parse("{\n  \"b\": [1, {\"c\": 2}]\n}", "data.json");
    EXPECT_EQ(doc.position_of("/b/1/c").column, 18);
    const Position p = doc.position_of("/b/1/missing/deeper");
    EXPECT_EQ(p.line, 2);
    EXPECT_EQ(p.column, 12);
    const Position root = doc.position_of("/nothing");
    EXPECT_EQ(root.line, 1);
    EXPECT_EQ(root.column, 1);
    EXPECT_EQ(Document{}.position_of("/x").line, 0);

    Diagnostic d;
    d.kind = DiagnosticKind::data;
    d.json_pointer = "/b/0";
    doc.locate(d);
    EXPECT_EQ(d.source, "data.json");
    EXPECT_EQ(d.line, 2);
    EXPECT_EQ(d.column, 9);
}

TEST(JsonSource, SkipsBom) {
    const Document doc = parse("\xEF\xBB\xBF{\"a\": 1}", "-");
    expect_at(doc, "", 1, 1);
    expect_at(doc, "/a", 1, 7);
    EXPECT_EQ(doc.value["a"], 1);
}

TEST(JsonSource, AllDuplicateKeysReported) {
    const std::string text =
        "{\n"
        "  \"title\": \"a\",\n"
        "  \"x\": {\"k\": 1, \"k\": 2},\n"
        "  \"title\": \"b\"\n"
        "}\n";
    const auto errors = errors_of(text);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].kind, DiagnosticKind::json_syntax);
    EXPECT_EQ(errors[0].message, "duplicate key \"k\" at 3:17, first at 3:9");
    EXPECT_EQ(errors[0].json_pointer, "/x/k");
    EXPECT_EQ(errors[0].line, 3);
    EXPECT_EQ(errors[0].column, 17);
    EXPECT_EQ(errors[0].source, "data.json");
    EXPECT_EQ(errors[1].message, "duplicate key \"title\" at 4:3, first at 2:3");
    EXPECT_EQ(errors[1].json_pointer, "/title");
    EXPECT_EQ(errors[1].line, 4);
    EXPECT_EQ(errors[1].column, 3);
}

TEST(JsonSource, DuplicateKeysEqualAfterNfc) {
    // "Hòa" precomposed and decomposed are the same key once normalised.
    const auto errors = errors_of(
        "{\"H\xC3\xB2"
        "a\": 1, \"Ho\xCC\x80"
        "a\": 2}");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].message,
              "duplicate key \"H\xC3\xB2"
              "a\" at 1:12, first at 1:2");
}

TEST(JsonSource, InvalidUtf8ReportedWithPositionAndParsingGoesOn) {
    const auto errors = errors_of("{\"a\": \"x\xFFy\",\n \"b\": \"\xC3\x28\", \"c\": [1,]}");
    ASSERT_EQ(errors.size(), 3u);
    EXPECT_EQ(errors[0].message, "invalid UTF-8 in string");
    EXPECT_EQ(errors[0].line, 1);
    EXPECT_EQ(errors[0].column, 9);
    EXPECT_EQ(errors[0].json_pointer, "/a");
    EXPECT_EQ(errors[1].line, 2);
    EXPECT_EQ(errors[1].column, 8);
    EXPECT_EQ(errors[1].json_pointer, "/b");
    EXPECT_EQ(errors[2].message, "trailing comma before ']' is not allowed");
    EXPECT_EQ(errors[2].line, 2);
    EXPECT_EQ(errors[2].column, 20);
}

TEST(JsonSource, InvalidUtf8Variants) {
    EXPECT_EQ(errors_of("\"\xC0\xAF\"").size(), 1u);          // overlong '/'
    EXPECT_EQ(errors_of("\"\xED\xA0\x80\"").size(), 1u);      // UTF-16 surrogate
    EXPECT_EQ(errors_of("\"\xF4\x90\x80\x80\"").size(), 1u);  // above U+10FFFF
    EXPECT_EQ(errors_of("\"\xE1\x80\"").size(), 1u);          // truncated
    const auto outside = errors_of("[1, \xFF]");
    ASSERT_EQ(outside.size(), 1u);
    EXPECT_EQ(outside[0].message, "invalid UTF-8 byte outside a string");
    EXPECT_EQ(outside[0].column, 5);
}

TEST(JsonSource, NanAndInfinityRejected) {
    const auto errors = errors_of("[1, NaN, -Infinity, Infinity]");
    ASSERT_EQ(errors.size(), 3u);
    EXPECT_EQ(errors[0].column, 5);
    EXPECT_EQ(errors[0].json_pointer, "/1");
    EXPECT_NE(errors[0].message.find("NaN is not allowed"), std::string::npos);
    EXPECT_EQ(errors[1].column, 10);
    EXPECT_NE(errors[1].message.find("-Infinity is not allowed"), std::string::npos);
    EXPECT_EQ(errors[2].column, 21);
}

// A batch reads its records without following positions; a record with a problem is read again so that it is reported
// exactly as a located read reports it.
TEST(JsonSource, ProblemsReadWithoutPositionsAreReportedAtTheirPlace) {
    const std::vector<std::string> texts = {
        "{\n  \"title\": \"a\",\n  \"x\": {\"k\": 1, \"k\": 2},\n  \"title\": \"b\"\n}\n",
        "{\"a\": 1,\n}",
        "[1,2,]",
        "{\"a\": [1, \"x\xFFy\", NaN], \"b\": tru}",
        "{\"a\": {\"b\": [0, 1, \"\t\"]}}",
        "{\"ng\xC3\xA0y\": 1, \"ng\xC3\xA0y\": 2}",
    };
    for (const std::string& text : texts) {
        const auto located = errors_of(text);
        const auto quick = errors_of(text, {}, Positions::none);
        ASSERT_EQ(quick.size(), located.size()) << text;
        ASSERT_FALSE(quick.empty()) << text;
        for (std::size_t i = 0; i < quick.size(); ++i) {
            EXPECT_EQ(quick[i].message, located[i].message) << text;
            EXPECT_EQ(quick[i].json_pointer, located[i].json_pointer) << text;
            EXPECT_EQ(quick[i].line, located[i].line) << text;
            EXPECT_EQ(quick[i].column, located[i].column) << text;
            EXPECT_GT(quick[i].line, 0) << text;
        }
    }
}

TEST(JsonSource, ReadWithoutPositionsGivesTheSameValuesAndKeyOrder) {
    const std::string text =
        "{\"z\": \"Ho\xCC\x80"
        "a\", \"a\": [{\"y\": 1, \"b\": 2}, {\"y\": 3, \"b\": 4}], \"m\": \"Vi\xE1\xBB\x87t\"}";
    const Document quick = parse(text, "-", {}, Positions::none);
    const Document located = parse(text, "-");
    EXPECT_EQ(quick.value, located.value);
    EXPECT_EQ(quick.value["z"],
              "H\xC3\xB2"
              "a");
    EXPECT_TRUE(quick.positions.empty());
    ASSERT_NE(quick.key_order.of(quick.value), nullptr);
    EXPECT_EQ(*quick.key_order.of(quick.value), (std::vector<std::string>{"z", "a", "m"}));
    ASSERT_NE(quick.key_order.of(quick.value["a"][1]), nullptr);
    EXPECT_EQ(*quick.key_order.of(quick.value["a"][1]), (std::vector<std::string>{"y", "b"}));
}

TEST(JsonSource, TrailingCommas) {
    const auto in_object = errors_of("{\"a\": 1,\n}");
    ASSERT_EQ(in_object.size(), 1u);
    EXPECT_EQ(in_object[0].message, "trailing comma before '}' is not allowed");
    EXPECT_EQ(in_object[0].line, 1);
    EXPECT_EQ(in_object[0].column, 8);
    const auto in_array = errors_of("[1,2,]");
    ASSERT_EQ(in_array.size(), 1u);
    EXPECT_EQ(in_array[0].message, "trailing comma before ']' is not allowed");
    EXPECT_EQ(in_array[0].column, 5);
}

TEST(JsonSource, CommentsRejected) {
    const auto line_comment = errors_of("{ // note\n \"a\": 1}");
    ASSERT_EQ(line_comment.size(), 1u);
    EXPECT_EQ(line_comment[0].message, "comments are not allowed in JSON");
    EXPECT_EQ(line_comment[0].line, 1);
    EXPECT_EQ(line_comment[0].column, 3);
    const auto block = errors_of("[1,\n  /* x */ 2]");
    ASSERT_EQ(block.size(), 1u);
    EXPECT_EQ(block[0].message, "comments are not allowed in JSON");
    EXPECT_EQ(block[0].line, 2);
    EXPECT_EQ(block[0].column, 3);
}

TEST(JsonSource, SyntaxErrorStopsWithPositionAndExpectation) {
    const std::string text =
        "{\n"
        "  \"a\": 1\n"
        "  \"b\": 2,\n"
        "  \"b\": 3\n"
        "}";
    const auto errors = errors_of(text);
    ASSERT_EQ(errors.size(), 1u);  // parsing stopped: the later duplicate is not reached
    EXPECT_EQ(errors[0].kind, DiagnosticKind::json_syntax);
    EXPECT_EQ(errors[0].message, "unexpected character '\"': expected ',' or '}' after object member");
    EXPECT_EQ(errors[0].line, 3);
    EXPECT_EQ(errors[0].column, 3);
    EXPECT_EQ(errors[0].to_string(),
              "data.json:3:3: unexpected character '\"': expected ',' or '}' after object member");
}

TEST(JsonSource, ErrorsBeforeASyntaxErrorAreKept) {
    const auto errors = errors_of("{\"a\": 1, \"a\": 2, \"b\": [1 2]}");
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].message, "duplicate key \"a\" at 1:10, first at 1:2");
    EXPECT_EQ(errors[1].message, "unexpected character '2': expected ',' or ']' after array element");
    EXPECT_EQ(errors[1].column, 26);
}

TEST(JsonSource, FriendlySyntaxMessages) {
    EXPECT_EQ(errors_of("").at(0).message, "the file is empty: expected a JSON value");
    EXPECT_EQ(errors_of("{'a': 1}").at(0).message, "property names must be in double quotes, not single quotes");
    EXPECT_EQ(errors_of("[True]").at(0).message,
              "unknown word 'True': did you mean true? (JSON literals are lower case)");
    const auto curly = errors_of("{\"a\": \xE2\x80\x9CHà Nội\xE2\x80\x9D}");
    ASSERT_EQ(curly.size(), 1u);
    EXPECT_EQ(curly[0].column, 7);
    EXPECT_NE(curly[0].message.find("curly quote U+201C"), std::string::npos);
    EXPECT_EQ(errors_of("{\"a\": \"x\ny\"}").at(0).message, "line break inside a string (missing closing \"?)");
    EXPECT_EQ(errors_of("{\"a\": \"abc").at(0).message, "unterminated string: missing closing \"");
    EXPECT_EQ(errors_of("[1] 2").at(0).message, "unexpected character '2' after the end of the JSON value");
    EXPECT_EQ(errors_of("[01]").at(0).message, "numbers cannot have leading zeros");
    EXPECT_EQ(errors_of("{\"a\" 1}").at(0).message, "unexpected character '1': expected ':' after property name \"a\"");
    EXPECT_EQ(errors_of("[\"\\x\"]").at(0).message, "invalid escape '\\x' in string");
    EXPECT_EQ(errors_of("{\"a\":").at(0).message,
              "unexpected end of file: expected a value (object, array, string, number, true, false or null)");
}

TEST(JsonSource, ControlCharacterInString) {
    const auto errors = errors_of("[\"a\tb\", \"c\x01\"]");
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].message, "control character U+0009 inside a string");
    EXPECT_EQ(errors[0].column, 4);
    EXPECT_EQ(errors[1].message, "control character U+0001 inside a string");
    EXPECT_EQ(errors[1].column, 11);
}

TEST(JsonSource, DepthLimit) {
    JsonLimits limits;
    limits.max_depth = 3;
    EXPECT_NO_THROW((void)parse("[[[1]]]", "-", limits));
    const auto errors = errors_of("[[{\"a\": [1]}]]", limits);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].kind, DiagnosticKind::limit);
    EXPECT_EQ(errors[0].column, 9);
    EXPECT_EQ(errors[0].json_pointer, "/0/0/a");

    // The default limit protects against very deep input without crashing.
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const auto deep_errors = errors_of(deep);
    ASSERT_EQ(deep_errors.size(), 1u);
    EXPECT_EQ(deep_errors[0].kind, DiagnosticKind::limit);
    EXPECT_EQ(deep_errors[0].column, 513);
}

TEST(JsonSource, SizeLimit) {
    JsonLimits limits;
    limits.max_size = 4;
    const auto errors = errors_of("[1, 2]", limits);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].kind, DiagnosticKind::limit);
}

TEST(JsonSource, Numbers) {
    // 2^63 is past 64-bit integers: refused rather than rounded (it was read as the double 9.2e18)
    const auto beyond = errors_of("[1,\n 9223372036854775808]");
    ASSERT_EQ(beyond.size(), 1u);
    EXPECT_EQ(beyond[0].code, "json.integer_too_large");
    EXPECT_EQ(beyond[0].message, "the whole number 9223372036854775808 is beyond 64 bits and would lose digits");
    EXPECT_EQ(beyond[0].line, 2);
    EXPECT_EQ(beyond[0].column, 2);
    EXPECT_NE(beyond[0].message_vi.find("quá lớn"), std::string::npos);
    EXPECT_EQ(errors_of("[123456789012345678901234567890]").size(), 1u);
    const Document doc =
        parse("[0, -7, 9223372036854775807, -9223372036854775808, 9.2e18, 1.5, -0, -0.0, 2e3, 1e-400]", "-");
    const json& v = doc.value;
    EXPECT_TRUE(v[0].is_number_integer());
    EXPECT_EQ(v[1].get<std::int64_t>(), -7);
    EXPECT_TRUE(v[2].is_number_integer());
    EXPECT_EQ(v[2].get<std::int64_t>(), INT64_MAX);
    EXPECT_EQ(v[3].get<std::int64_t>(), INT64_MIN);
    EXPECT_TRUE(v[4].is_number_float());
    EXPECT_DOUBLE_EQ(v[5].get<double>(), 1.5);
    // JSON -0 is the integer 0, as Python reads it (Jinja prints 0); -0.0 stays a negative zero float
    EXPECT_TRUE(v[6].is_number_integer());
    EXPECT_EQ(v[6].dump(), "0");
    EXPECT_TRUE(v[7].is_number_float());
    EXPECT_TRUE(std::signbit(v[7].get<double>()));
    EXPECT_TRUE(v[8].is_number_float());
    EXPECT_DOUBLE_EQ(v[8].get<double>(), 2000.0);
    EXPECT_EQ(v[9].get<double>(), 0.0);

    const auto too_big = errors_of("[1e400]");
    ASSERT_EQ(too_big.size(), 1u);
    EXPECT_EQ(too_big[0].message, "number 1e400 is too large");
    EXPECT_EQ(errors_of("[+1]").at(0).message, "a number cannot start with '+'");
    EXPECT_EQ(errors_of("[.5]").at(0).message, "a number cannot start with '.'");
    EXPECT_EQ(errors_of("[1.]").at(0).message, "expected a digit after the decimal point");
}

TEST(JsonSource, StringsAreNfcNormalised) {
    // "Hòa" with a combining grave accent (U+0300), raw and escaped, in a key and a value.
    const Document doc = parse(
        "{\"Ho\xCC\x80"
        "a\": \"Ho\xCC\x80"
        "a\", \"e\": \"Ho\\u0300a\"}",
        "-");
    const std::string precomposed =
        "H\xC3\xB2"
        "a";
    ASSERT_TRUE(doc.value.contains(precomposed));
    EXPECT_EQ(doc.value[precomposed], precomposed);
    EXPECT_EQ(doc.value["e"], precomposed);
    EXPECT_TRUE(doc.positions.count("/" + precomposed));
}

TEST(JsonSource, Escapes) {
    const Document doc = parse(R"(["a\"b\\c\/d\b\f\n\r\t", "\u00e0\u1EA1", "\ud83d\ude00"])", "-");
    EXPECT_EQ(doc.value[0], "a\"b\\c/d\b\f\n\r\t");
    EXPECT_EQ(doc.value[1], "\xC3\xA0\xE1\xBA\xA1");
    EXPECT_EQ(doc.value[2], "\xF0\x9F\x98\x80");
    const auto lone = errors_of(R"(["\ud83d x"])");
    ASSERT_EQ(lone.size(), 1u);
    EXPECT_EQ(lone[0].message, "invalid \\u escape: lone surrogate \\uD83D");
    EXPECT_EQ(lone[0].column, 3);
}

TEST(JsonSource, LargeSingleLineDocument) {
    // 150,000 elements of 3 values: within the 524,288 values whose positions are kept.
    std::string text = "[";
    for (int i = 0; i < 150000; ++i) {
        if (i) text += ',';
        text += "{\"tên\":\"Nguyễn Văn A\",\"n\":" + std::to_string(100000 + i) + "}";
    }
    text += "]";
    const Document doc = parse(text, "big.json");
    ASSERT_EQ(doc.value.size(), 150000u);
    EXPECT_EQ(doc.value[149999]["n"], 249999);
    // Each element is 33 code points plus a comma: element i starts at column 2 + 34 * i.
    EXPECT_EQ(doc.position_of("/149999").column, 2 + 34 * 149999);
    EXPECT_EQ(doc.position_of("/1/n").column, 2 + 34 + 26);
}

}  // namespace
}  // namespace vanban::json_data
