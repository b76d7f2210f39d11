// The expression language (src/core/expr.hpp): tokens (Word's curly quotes and non-breaking spaces), the parser's
// precedence and its located errors, and evaluation against data in strict and lenient mode. Expected values are
// worked out by hand from Jinja's (Python's) rules.
#include "core/expr.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/filters.hpp"
#include "core/program.hpp"

namespace {

using nlohmann::json;
using vanban::core::EvalContext;
using vanban::core::EvalError;
using vanban::core::Expr;
using vanban::core::LoopState;
using vanban::core::parse_expression;
using vanban::core::ParseError;
using vanban::core::Scope;
using vanban::core::TokenStream;
using vanban::core::Value;

using Type = TokenStream::Type;

struct Tok {
    Type type;
    std::string text;
};

std::vector<Tok> tokens(std::string_view source) {
    TokenStream ts(source);
    std::vector<Tok> out;
    while (!ts.at_end()) {
        auto t = ts.next();
        out.push_back({t.type, t.text});
    }
    return out;
}

// Evaluates `source` against `data` and returns the printed text.
std::string text(std::string_view source, const json& data = json::object(), bool lenient = false) {
    auto e = parse_expression(source);
    Scope scope(data);
    EvalContext ctx{scope, lenient};
    return vanban::core::to_text(evaluate(*e, ctx), ctx);
}

// Evaluates `source` and returns the resulting JSON value (types included: 2 vs 2.0).
json value(std::string_view source, const json& data = json::object(), bool lenient = false) {
    auto e = parse_expression(source);
    Scope scope(data);
    EvalContext ctx{scope, lenient};
    Value v = evaluate(*e, ctx);
    if (v.is_undefined()) return "<undefined>";
    return std::move(v).take();
}

// The ParseError of `source`, or a ParseError with offset npos when it parsed.
ParseError parse_error(std::string_view source) {
    try {
        parse_expression(source);
    } catch (const ParseError& e) {
        return e;
    }
    return ParseError("(parsed)", std::string::npos);
}

// The EvalError of printing `source` in strict mode.
EvalError eval_error(std::string_view source, const json& data = json::object()) {
    try {
        text(source, data);
    } catch (const EvalError& e) {
        return e;
    }
    return EvalError("(no error)");
}

// ----- tokens -----------------------------------------------------------------------------------------------------

TEST(ExprTokens, NamesNumbersStringsOperators) {
    auto t = tokens("agency.name | default('x') >= 1_000 // 2.5e1");
    ASSERT_EQ(t.size(), 12u);
    EXPECT_EQ(t[0].type, Type::name);
    EXPECT_EQ(t[0].text, "agency");
    EXPECT_EQ(t[1].text, ".");
    EXPECT_EQ(t[2].text, "name");
    EXPECT_EQ(t[3].text, "|");
    EXPECT_EQ(t[4].text, "default");
    EXPECT_EQ(t[5].text, "(");
    EXPECT_EQ(t[6].type, Type::string);
    EXPECT_EQ(t[6].text, "x");
    EXPECT_EQ(t[7].text, ")");
    EXPECT_EQ(t[8].type, Type::op);
    EXPECT_EQ(t[8].text, ">=");
    EXPECT_EQ(t[9].type, Type::number);
    EXPECT_EQ(t[9].text, "1000");  // underscores dropped
    EXPECT_EQ(t[10].text, "//");
    EXPECT_EQ(t[11].type, Type::number);
    EXPECT_EQ(t[11].text, "2.5e1");
}

TEST(ExprTokens, CurlyDoubleQuotesAreStringQuotes) {
    // Word's AutoCorrect: “Kính gửi” typed as "Kính gửi"
    auto t = tokens(
        "x | default(\xE2\x80\x9C"
        "Kính gửi\xE2\x80\x9D)");
    ASSERT_EQ(t.size(), 6u);
    EXPECT_EQ(t[4].type, Type::string);
    EXPECT_EQ(t[4].text, "Kính gửi");
    EXPECT_EQ(text("x | default(\xE2\x80\x9C"
                   "Kính gửi\xE2\x80\x9D)"),
              "Kính gửi");
}

TEST(ExprTokens, CurlySingleQuotesAreStringQuotes) {
    auto t = tokens(
        "\xE2\x80\x98"
        "đ\xE2\x80\x99");
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].type, Type::string);
    EXPECT_EQ(t[0].text, "đ");
    // a straight quote inside curly quotes is text
    EXPECT_EQ(text("\xE2\x80\x9C"
                   "it's\xE2\x80\x9D"),
              "it's");
}

TEST(ExprTokens, NonBreakingSpaceIsWhiteSpace) {
    auto t = tokens(
        "a\xC2\xA0+\xC2\xA0"
        "b\xE2\x80\xAF~\tc");
    ASSERT_EQ(t.size(), 5u);
    EXPECT_EQ(t[0].text, "a");
    EXPECT_EQ(t[1].text, "+");
    EXPECT_EQ(t[2].text, "b");
    EXPECT_EQ(t[3].text, "~");
    EXPECT_EQ(t[4].text, "c");
    EXPECT_EQ(text("x\xC2\xA0|\xC2\xA0upper", json{{"x", "đức"}}), "ĐỨC");
}

TEST(ExprTokens, EscapesInsideStrings) {
    EXPECT_EQ(text(R"("a\"b\\c\nd")"), "a\"b\\c\nd");
    EXPECT_EQ(text(R"('tab\there')"), "tab\there");
}

TEST(ExprTokens, UnterminatedStringHasItsOffset) {
    auto e = parse_error("x ~ 'abc");
    EXPECT_STREQ(e.what(), "unterminated string literal");
    EXPECT_EQ(e.offset, 4u);
    auto f = parse_error("\"abc");
    EXPECT_STREQ(f.what(), "unterminated string literal");
    EXPECT_EQ(f.offset, 0u);
}

TEST(ExprTokens, UnexpectedCharacter) {
    auto e = parse_error("a ; b");
    EXPECT_STREQ(e.what(), "unexpected character ';'");
    EXPECT_EQ(e.offset, 2u);
}

// ----- parser: precedence ------------------------------------------------------------------------------------------

TEST(ExprParser, AndBindsTighterThanOr) {
    auto e = parse_expression("a or b and c");
    ASSERT_EQ(e->kind, Expr::Kind::binary);
    EXPECT_EQ(e->name, "or");
    ASSERT_EQ(e->args[1]->kind, Expr::Kind::binary);
    EXPECT_EQ(e->args[1]->name, "and");
    // a or (b and c) is True; (a or b) and c would be False
    EXPECT_EQ(text("a or b and c", json{{"a", true}, {"b", false}, {"c", false}}), "True");
}

TEST(ExprParser, AndOrReturnAnOperand) {
    EXPECT_EQ(text("x or 'mặc định'", json{{"x", ""}}), "mặc định");
    EXPECT_EQ(text("x and 'sau'", json{{"x", "có"}}), "sau");
    EXPECT_EQ(value("x and 'sau'", json{{"x", 0}}), json(0));
}

TEST(ExprParser, NotAppliesToTheWholeMembershipTest) {
    auto e = parse_expression("not x in y");
    ASSERT_EQ(e->kind, Expr::Kind::unary);
    EXPECT_EQ(e->name, "not");
    ASSERT_EQ(e->args[0]->kind, Expr::Kind::binary);
    EXPECT_EQ(e->args[0]->name, "in");
    // not (1 in [2]) is True; (not 1) in [2] would be False
    EXPECT_EQ(value("not x in y", json{{"x", 1}, {"y", {2}}}), json(true));
    EXPECT_EQ(value("x not in y", json{{"x", 1}, {"y", {2}}}), json(true));
    EXPECT_EQ(value("x not in y", json{{"x", 2}, {"y", {2}}}), json(false));
}

TEST(ExprParser, UnaryMinusThenFilterAsInJinja) {
    // Jinja parses -x|abs as (-x)|abs: the filter applies to the negated value.
    EXPECT_EQ(value("-x|abs", json{{"x", 5}}), json(5));
    EXPECT_EQ(value("-x|abs", json{{"x", -5}}), json(5));
    EXPECT_EQ(text("-x|string", json{{"x", 5}}), "-5");
    EXPECT_EQ(value("-x.y", json{{"x", {{"y", 3}}}}), json(-3));
    EXPECT_EQ(value("- - x", json{{"x", 3}}), json(3));
}

TEST(ExprParser, FiltersBindTighterThanBinaryOperators) {
    auto e = parse_expression("1 + x | abs");
    ASSERT_EQ(e->kind, Expr::Kind::binary);
    EXPECT_EQ(e->name, "+");
    EXPECT_EQ(e->args[1]->kind, Expr::Kind::filter);
    EXPECT_EQ(value("1 + x | abs", json{{"x", -2}}), json(3));
    EXPECT_EQ(text("'a' ~ 'b' | upper"), "aB");
    EXPECT_EQ(text("('a' ~ 'b') | upper"), "AB");
}

TEST(ExprParser, OperatorsAreDecidedWhenParsed) {
    using Op = Expr::Op;
    const std::pair<std::string_view, Op> cases[] = {
        {"a or b", Op::logical_or}, {"a and b", Op::logical_and},
        {"a == b", Op::equal},      {"a != b", Op::not_equal},
        {"a < b", Op::less},        {"a <= b", Op::less_equal},
        {"a > b", Op::greater},     {"a >= b", Op::greater_equal},
        {"a in b", Op::in},         {"a not in b", Op::not_in},
        {"a ~ b", Op::concat},      {"a + b", Op::add},
        {"a - b", Op::subtract},    {"a * b", Op::multiply},
        {"a / b", Op::divide},      {"a // b", Op::floor_divide},
        {"a % b", Op::modulo},      {"a ** b", Op::power},
        {"not a", Op::logical_not}, {"-a", Op::negate},
        {"+a", Op::identity},
    };
    for (const auto& [source, op] : cases) {
        auto e = parse_expression(source);
        EXPECT_EQ(e->op, op) << source;
    }
    EXPECT_EQ(parse_expression("a")->op, Op::none);
    EXPECT_TRUE(parse_expression("(a, b)")->tuple);
    EXPECT_FALSE(parse_expression("[a, b]")->tuple);
}

TEST(ExprEval, MethodsApplyToTheirKindOfValueOnly) {
    EXPECT_STREQ(eval_error("'abc'.items()").what(), "unknown method 'items' on string");
    EXPECT_STREQ(eval_error("{'a': 1}.upper()").what(), "unknown method 'upper' on object");
    EXPECT_STREQ(eval_error("'abc'.frobnicate()").what(), "unknown method 'frobnicate' on string");
    EXPECT_STREQ(eval_error("[1].get(0)").what(), "unknown method 'get' on array");
    EXPECT_EQ(value("{'b': 2, 'a': 1}.values()"), json::parse("[2, 1]"));  // in written order, as Python (issue 21)
    EXPECT_EQ(text("'  x '.strip()"), "x");
}

TEST(ExprParser, ArithmeticPrecedence) {
    EXPECT_EQ(value("1 + 2 * 3"), json(7));
    EXPECT_EQ(value("(1 + 2) * 3"), json(9));
    EXPECT_EQ(value("2 * 3 ** 2"), json(18));
    EXPECT_EQ(value("10 - 4 - 3"), json(3));  // left associative
    EXPECT_EQ(text("1 + 2 ~ 3"), "33");       // ~ binds looser than +
    EXPECT_EQ(value("1 + 1 == 2 and 3 > 2"), json(true));
}

TEST(ExprParser, ConditionalExpression) {
    auto e = parse_expression("'a' if c else 'b'");
    ASSERT_EQ(e->kind, Expr::Kind::cond);
    EXPECT_EQ(text("'có' if c else 'không'", json{{"c", true}}), "có");
    EXPECT_EQ(text("'có' if c else 'không'", json{{"c", 0}}), "không");
    // nested: else branch is itself a conditional
    EXPECT_EQ(text("'a' if n == 1 else 'b' if n == 2 else 'c'", json{{"n", 2}}), "b");
    EXPECT_EQ(text("'a' if n == 1 else 'b' if n == 2 else 'c'", json{{"n", 3}}), "c");
    // without else, a false condition prints nothing, also in strict mode (docxtpl's checkbox idiom): no data is missing
    EXPECT_EQ(text("'X' if checked", json{{"checked", false}}), "");
    EXPECT_EQ(text("'X' if checked", json{{"checked", true}}), "X");
    EXPECT_STREQ(eval_error("'X' if checked").what(), "'checked' is missing from the data");
}

TEST(ExprParser, SlicesFollowPython) {
    // Jinja 3.1: [2, 3, 4] [1, 3, 5] [4, 5] [4, 3] Việt cba
    const json data = {{"xs", {1, 2, 3, 4, 5}}};
    EXPECT_EQ(value("xs[1:4]", data), json::parse("[2, 3, 4]"));
    EXPECT_EQ(value("xs[::2]", data), json::parse("[1, 3, 5]"));
    EXPECT_EQ(value("xs[-2:]", data), json::parse("[4, 5]"));
    EXPECT_EQ(value("xs[3:1:-1]", data), json::parse("[4, 3]"));
    EXPECT_EQ(value("xs[1:]", data), json::parse("[2, 3, 4, 5]"));
    EXPECT_EQ(value("xs[:2]", data), json::parse("[1, 2]"));
    EXPECT_EQ(value("xs[::-1]", data), json::parse("[5, 4, 3, 2, 1]"));
    EXPECT_EQ(value("xs[10:]", data), json::array());
    EXPECT_EQ(value("xs[-10:2]", data), json::parse("[1, 2]"));
    EXPECT_EQ(text("'Việt Nam'[:4]"), "Việt");
    EXPECT_EQ(text("'abc'[::-1]"), "cba");
    EXPECT_EQ(text("(xs | sort(reverse=true))[1:3] | join(',')", data), "4,3");
    EXPECT_EQ(parse_expression("xs[1:2]")->kind, Expr::Kind::slice);
    EXPECT_STREQ(eval_error("xs[::0]", data).what(), "slice step cannot be zero");
    EXPECT_STREQ(eval_error("xs['a':]", data).what(), "slice bounds must be whole numbers, not string");
    EXPECT_STREQ(eval_error("n[1:]", json{{"n", 5}}).what(), "cannot slice number");
    EXPECT_STREQ(eval_error("missing[1:]").what(), "'missing[1:]' is missing from the data");
}

TEST(ExprEval, PercentOperatorFormatsText) {
    // Python's "%" on text: one value, or a tuple of values (Jinja 3.1: "2.5", "7 và an")
    EXPECT_EQ(text("'%.1f' % 2.5"), "2.5");
    EXPECT_EQ(text("'%s và %s' % (7, 'an')"), "7 và an");
    EXPECT_EQ(text("'%05d' % n", json{{"n", 42}}), "00042");
    EXPECT_EQ(text("'%s' % xs", json{{"xs", {1, 2}}}), "[1, 2]");  // a list is one value, only a tuple spreads
    EXPECT_EQ(value("7 % 3"), json(1));
}

TEST(ExprEval, StrFormatMiniLanguage) {
    // expected values from Jinja 3.1 / Python 3.11
    EXPECT_EQ(text("'{:,.2f}'.format(1234567.891)"), "1,234,567.89");
    EXPECT_EQ(text("'{} / {}'.format(7, 'an')"), "7 / an");
    EXPECT_EQ(text("'{0:>5}|{1:<4}|'.format('a', 'b')"), "    a|b   |");
    EXPECT_EQ(text("'{:05d}'.format(7)"), "00007");
    EXPECT_EQ(text("'{:.0%}'.format(0.25)"), "25%");
    EXPECT_EQ(text("'{:,}'.format(1234567)"), "1,234,567");
    EXPECT_EQ(text("'{:>8,.2f}|{:^7}|{:*<6}|{:+d}|{:x}|{:08.3f}'.format(1234.5, 'mid', 'ab', 5, 255, -3.14159)"),
              "1,234.50|  mid  |ab****|+5|ff|-003.142");
    EXPECT_EQ(text("'{name} {0}'.format(1, name='x')"), "x 1");
    EXPECT_EQ(text("'{:e}|{:g}|{:.3}|{:%}'.format(12345.678, 0.00001234, 1234.5, 0.5)"),
              "1.234568e+04|1.234e-05|1.23e+03|50.000000%");
    EXPECT_EQ(text("'{p.name} ({p[age]})'.format(p=p)", json{{"p", {{"name", "Lan"}, {"age", 41}}}}), "Lan (41)");
    EXPECT_EQ(text("'{{{}}}'.format(1)"), "{1}");
    EXPECT_EQ(text("'{:,.0f} đồng'.format(x).replace(',', '.')", json{{"x", 15000000}}), "15.000.000 đồng");
    EXPECT_EQ(text("'{:>6}'.format('Việt')"), "  Việt");
    EXPECT_STREQ(eval_error("'{} {}'.format(1)").what(), "the format string needs more arguments than the 1 given");
    EXPECT_STREQ(eval_error("'{:d}'.format('a')").what(), "format code 'd' needs a number, not string");
    EXPECT_STREQ(eval_error("'{x}'.format(1)").what(), "the format string names 'x', which is not given");
}

TEST(ExprEval, MoreStringMethods) {
    EXPECT_EQ(text("', '.join(['a', 'b', 1])"), "a, b, 1");
    EXPECT_EQ(text("' a '.lstrip() ~ '|' ~ ' a '.rstrip() ~ '|'"), "a | a|");
    EXPECT_EQ(text("'--a--'.rstrip('-')"), "--a");
    EXPECT_EQ(text("'7'.zfill(3) ~ ' ' ~ '-7'.zfill(3)"), "007 -07");
    EXPECT_EQ(value("'2024'.isdigit()"), json(true));
    EXPECT_EQ(value("'20a'.isdigit()"), json(false));
}

TEST(ExprParser, Literals) {
    EXPECT_EQ(value("12"), json(12));
    EXPECT_TRUE(value("12").is_number_integer());
    EXPECT_EQ(value("2.5"), json(2.5));
    EXPECT_EQ(value("1_000"), json(1000));
    EXPECT_EQ(value("true"), json(true));
    EXPECT_EQ(value("False"), json(false));
    EXPECT_EQ(value("none"), json(nullptr));
    EXPECT_EQ(value("null"), json(nullptr));
    EXPECT_EQ(value("'Số: ' 'ab'"), json("Số: ab"));  // adjacent strings concatenate
}

TEST(ExprParser, ListsDictsAndTuples) {
    EXPECT_EQ(value("[1, 'a', none, [2]]"), json::parse(R"([1, "a", null, [2]])"));
    EXPECT_EQ(value("[]"), json::array());
    EXPECT_EQ(value("[1, 2,]"), json::parse("[1, 2]"));
    EXPECT_EQ(value("{'k': 1, 'v': [x]}", json{{"x", "y"}}), json::parse(R"({"k": 1, "v": ["y"]})"));
    EXPECT_EQ(value("{}"), json::object());
    EXPECT_EQ(value("(1, 2)"), json::parse("[1, 2]"));
    EXPECT_EQ(text("[1, 'a', none]"), "[1, 'a', None]");
}

TEST(ExprParser, ExpressionTextIsKept) {
    auto e = parse_expression("agency.name | upper");
    EXPECT_EQ(e->text, "agency.name | upper");
    EXPECT_EQ(e->args[0]->text, "agency.name");
}

// ----- parser: errors with offsets ---------------------------------------------------------------------------------

TEST(ExprParser, UnknownFilterNamesItAndPointsAtIt) {
    auto e = parse_error("agency.name | uper");
    EXPECT_STREQ(e.what(), "unknown filter 'uper'");
    EXPECT_EQ(e.offset, 14u);
}

TEST(ExprParser, WrongFilterArity) {
    auto e = parse_error("x | replace('a')");
    EXPECT_STREQ(e.what(), "filter 'replace' takes 2 to 3 arguments, 1 given");
    EXPECT_EQ(e.offset, 4u);
    auto f = parse_error("x | upper(1)");
    EXPECT_STREQ(f.what(), "filter 'upper' takes 0 argument(s), 1 given");
    EXPECT_EQ(f.offset, 4u);
    auto g = parse_error("x | groupby");
    EXPECT_STREQ(g.what(), "filter 'groupby' takes 1 to 3 arguments, 0 given");
    // a keyword argument counts towards the required ones, as in Jinja's groupby(attribute='unit')
    EXPECT_EQ(parse_error("x | groupby(attribute='unit')").offset, std::string::npos);
    // Jinja 3's groupby(attribute, default, case_sensitive): two arguments are an attribute and a default (issue 21)
    EXPECT_EQ(parse_error("x | groupby('a', 'b')").offset, std::string::npos);
    auto h = parse_error("x | groupby('a', 'b', true, 4)");
    EXPECT_STREQ(h.what(), "filter 'groupby' takes 1 to 3 arguments, 4 given");
}

TEST(ExprParser, UnknownTestAndTestArity) {
    auto e = parse_error("x is blue");
    EXPECT_STREQ(e.what(), "unknown test 'blue'");
    EXPECT_EQ(e.offset, 5u);
    auto f = parse_error("x is divisibleby(1, 2)");
    EXPECT_STREQ(f.what(), "test 'divisibleby' takes 1 argument(s), 2 given");
    EXPECT_EQ(f.offset, 5u);
    auto g = parse_error("x is divisibleby");  // the test needs its argument
    EXPECT_STREQ(g.what(), "expected an expression");
    EXPECT_EQ(g.offset, 16u);
}

TEST(ExprParser, StructuralErrors) {
    auto a = parse_error("(1 + 2");
    EXPECT_STREQ(a.what(), "expected ')' at the end of the tag");
    EXPECT_EQ(a.offset, 6u);
    auto b = parse_error("1 +");
    EXPECT_STREQ(b.what(), "expected an expression");
    EXPECT_EQ(b.offset, 3u);
    auto c = parse_error("a b");
    EXPECT_STREQ(c.what(), "unexpected 'b' after the expression");
    EXPECT_EQ(c.offset, 2u);
    auto d = parse_error("x | f(a=1, 2)");
    EXPECT_STREQ(d.what(), "unknown filter 'f'");
    auto k = parse_error("x | join(d=',', 2)");
    EXPECT_STREQ(k.what(), "positional argument after keyword argument");
    EXPECT_EQ(k.offset, 16u);
    auto n = parse_error("and");
    EXPECT_STREQ(n.what(), "expected an expression before 'and'");
}

// ----- evaluation: paths ------------------------------------------------------------------------------------------

const json kPlan = json::parse(R"({
  "agency": {"name": "Sở Y tế", "parent": {"name": "UBND tỉnh"}},
  "items": ["một", "hai", "ba"],
  "person": {"full name": "Nguyễn Văn Đức"},
  "n": 7, "f": 2.5, "empty": "", "nothing": null
})");

TEST(ExprEval, DottedPathsAndKeys) {
    EXPECT_EQ(text("agency.name", kPlan), "Sở Y tế");
    EXPECT_EQ(text("agency.parent.name", kPlan), "UBND tỉnh");
    EXPECT_EQ(text("agency['name']", kPlan), "Sở Y tế");
    EXPECT_EQ(text("person[\"full name\"]", kPlan), "Nguyễn Văn Đức");
}

TEST(ExprEval, IndexesIncludingNegative) {
    EXPECT_EQ(text("items[0]", kPlan), "một");
    EXPECT_EQ(text("items[2]", kPlan), "ba");
    EXPECT_EQ(text("items[-1]", kPlan), "ba");
    EXPECT_EQ(text("items[-3]", kPlan), "một");
    EXPECT_EQ(text("items.1", kPlan), "hai");
    EXPECT_EQ(text("items[n - 6]", kPlan), "hai");
    // strings index by code point, not byte
    EXPECT_EQ(text("person['full name'][-3]", kPlan), "Đ");
    EXPECT_EQ(text("'Đức'[1]"), "ứ");
}

TEST(ExprEval, PartsOfComputedValuesOutliveThem) {
    // Members and elements of a temporary (a literal list, a filter's result) are copied out of it, not referenced.
    EXPECT_EQ(text("{'a': {'b': 'c'}}.a.b"), "c");
    EXPECT_EQ(text("[[1, 2], [3, 4]][1][0]"), "3");
    EXPECT_EQ(text("(items | sort)[0]", kPlan), "ba");
    EXPECT_EQ(text("(items | reverse)[-1] | upper", kPlan), "MỘT");
    EXPECT_EQ(text("{'k': 'v'}.get('k')"), "v");
    EXPECT_EQ(text("(agency | list)[1]", kPlan), "parent");
}

TEST(ExprEval, IndexOutOfRangeIsMissing) {
    auto e = eval_error("items[3]", kPlan);
    EXPECT_STREQ(e.what(), "'items[3]' is missing from the data");
    auto f = eval_error("items[-4]", kPlan);
    EXPECT_STREQ(f.what(), "'items[-4]' is missing from the data");
    EXPECT_EQ(text("items[3]", kPlan, true), "");
}

TEST(ExprEval, MissingValueInStrictModeNamesThePathWithAHint) {
    auto e = eval_error("agency.signer.name", kPlan);
    EXPECT_STREQ(e.what(), "'agency.signer.name' is missing from the data");
    EXPECT_NE(e.hint.find("default"), std::string::npos) << e.hint;
    EXPECT_NE(e.hint.find("is defined"), std::string::npos) << e.hint;

    // the direct parent is remembered, so the renderer can point into the data
    auto f = eval_error("agency.signer", kPlan);
    EXPECT_STREQ(f.what(), "'agency.signer' is missing from the data");
    ASSERT_NE(f.parent, nullptr);
    EXPECT_EQ(f.parent, &kPlan["agency"]);
    EXPECT_EQ(f.key, "signer");
    EXPECT_EQ(vanban::core::pointer_of(kPlan, f.parent), "/agency");

    auto g = eval_error("title", kPlan);
    EXPECT_STREQ(g.what(), "'title' is missing from the data");
    EXPECT_EQ(g.parent, &kPlan);
    EXPECT_EQ(g.key, "title");
}

TEST(ExprEval, MissingValuesAreErrorsWhereverTheyAreUsed) {
    EXPECT_STREQ(eval_error("x + 1").what(), "'x' is missing from the data");
    EXPECT_STREQ(eval_error("'a' ~ x.y").what(), "'x.y' is missing from the data");
    EXPECT_STREQ(eval_error("x | upper").what(), "'x' is missing from the data");
    EXPECT_STREQ(eval_error("'y' if x else 'n'").what(), "'x' is missing from the data");
    EXPECT_STREQ(eval_error("x == 1").what(), "'x' is missing from the data");
}

TEST(ExprEval, LenientModeGivesEmpty) {
    EXPECT_EQ(text("agency.signer.name", kPlan, true), "");
    EXPECT_EQ(text("x", json::object(), true), "");
    EXPECT_EQ(text("'a' ~ x ~ 'b'", json::object(), true), "ab");
    EXPECT_EQ(text("'y' if x else 'n'", json::object(), true), "n");
    EXPECT_EQ(text("x | upper", json::object(), true), "");
}

TEST(ExprEval, NullPrintsAsNothingButIsNotMissing) {
    EXPECT_EQ(text("nothing", kPlan), "");
    EXPECT_EQ(value("nothing is none", kPlan), json(true));
    EXPECT_EQ(value("nothing is defined", kPlan), json(true));
}

TEST(ExprEval, DefaultFilterAndDefinedTest) {
    EXPECT_EQ(text("agency.signer | default('—')", kPlan), "—");
    EXPECT_EQ(text("agency.name | default('—')", kPlan), "Sở Y tế");
    EXPECT_EQ(text("empty | default('—')", kPlan), "");  // defined, so kept
    EXPECT_EQ(text("empty | default('—', true)", kPlan), "—");
    EXPECT_EQ(text("nothing | default('—', boolean=true)", kPlan), "—");
    EXPECT_EQ(text("x | d('y')"), "y");
    EXPECT_EQ(text("x.y.z | default('sâu')"), "sâu");
    EXPECT_EQ(value("x is defined"), json(false));
    EXPECT_EQ(value("x.y is defined"), json(false));
    EXPECT_EQ(value("x is not defined"), json(true));
    EXPECT_EQ(value("x is undefined"), json(true));
    EXPECT_EQ(value("agency.name is defined", kPlan), json(true));
    EXPECT_EQ(value("items[5] is defined", kPlan), json(false));
}

TEST(ExprEval, IntegerAndFloatArithmetic) {
    EXPECT_EQ(value("n + 1", kPlan), json(8));
    EXPECT_TRUE(value("n + 1", kPlan).is_number_integer());
    EXPECT_EQ(text("n * f", kPlan), "17.5");
    EXPECT_EQ(text("1 + 2.0"), "3.0");
    EXPECT_EQ(text("7 / 2"), "3.5");
    EXPECT_EQ(text("4 / 2"), "2.0");  // true division gives a float, as in Python
    EXPECT_EQ(text("2 ** 10"), "1024");
    EXPECT_EQ(text("2 ** -1"), "0.5");
    EXPECT_EQ(text("-n", kPlan), "-7");
    EXPECT_EQ(text("'ab' * 3"), "ababab");
    EXPECT_EQ(value("[1] + [2]"), json::parse("[1, 2]"));
    EXPECT_EQ(text("'Số ' + '05'"), "Số 05");
}

TEST(ExprEval, FloorDivisionAndModuloFollowPython) {
    EXPECT_EQ(value("7 // 2"), json(3));
    EXPECT_EQ(value("-7 // 2"), json(-4));
    EXPECT_EQ(value("7 // -2"), json(-4));
    EXPECT_EQ(value("-7 // -2"), json(3));
    EXPECT_EQ(value("7 % 3"), json(1));
    EXPECT_EQ(value("-7 % 3"), json(2));
    EXPECT_EQ(value("7 % -3"), json(-2));
    EXPECT_EQ(value("-7 % -3"), json(-1));
    EXPECT_EQ(text("7.5 // 2"), "3.0");
    EXPECT_EQ(text("-7.5 % 2"), "0.5");
    EXPECT_EQ(text("-7.5 // 2"), "-4.0");
}

TEST(ExprEval, ArithmeticErrors) {
    EXPECT_STREQ(eval_error("1 // 0").what(), "division by zero");
    EXPECT_STREQ(eval_error("1 % 0").what(), "division by zero");
    EXPECT_STREQ(eval_error("1 / 0.0").what(), "division by zero");
    EXPECT_STREQ(eval_error("'a' - 1").what(), "cannot apply '-' to string and number");
    EXPECT_STREQ(eval_error("-'a'").what(), "cannot apply unary '-' to string");
}

TEST(ExprEval, TildeConcatenatesAsText) {
    EXPECT_EQ(text("'Số: ' ~ n ~ '/KH-UBND'", kPlan), "Số: 7/KH-UBND");
    EXPECT_EQ(text("f ~ ''", kPlan), "2.5");
    EXPECT_EQ(text("2.0 ~ ''"), "2.0");
    EXPECT_EQ(text("nothing ~ 'x' ~ true", kPlan), "xTrue");
    EXPECT_EQ(text("1 ~ 2"), "12");
}

TEST(ExprEval, Comparisons) {
    EXPECT_EQ(value("1 == 1.0"), json(true));
    EXPECT_EQ(value("'1' == 1"), json(false));
    EXPECT_EQ(value("1 != 2"), json(true));
    EXPECT_EQ(value("n > 6", kPlan), json(true));
    EXPECT_EQ(value("n >= 7", kPlan), json(true));
    EXPECT_EQ(value("n < 7", kPlan), json(false));
    EXPECT_EQ(value("f <= 2.5", kPlan), json(true));
    EXPECT_EQ(value("2 < 2.5"), json(true));
    EXPECT_EQ(value("'a' < 'b'"), json(true));
    EXPECT_EQ(value("[1, 2] == [1, 2]"), json(true));
    EXPECT_EQ(value("nothing == none", kPlan), json(true));
    EXPECT_STREQ(eval_error("1 < 'a'").what(), "cannot compare number and string with '<'");
}

TEST(ExprEval, Membership) {
    EXPECT_EQ(value("'hai' in items", kPlan), json(true));
    EXPECT_EQ(value("'bốn' in items", kPlan), json(false));
    EXPECT_EQ(value("'Y tế' in agency.name", kPlan), json(true));
    EXPECT_EQ(value("'name' in agency", kPlan), json(true));
    EXPECT_EQ(value("'tên' in agency", kPlan), json(false));
    EXPECT_EQ(value("2 in [1, 2]"), json(true));
    EXPECT_STREQ(eval_error("1 in 5").what(), "'in' needs a list, a mapping or a string on the right, not number");
    EXPECT_STREQ(eval_error("1 in 'abc'").what(), "'in' on a string needs a string on the left");
}

TEST(ExprEval, Truthiness) {
    EXPECT_EQ(text("'t' if [] else 'f'"), "f");
    EXPECT_EQ(text("'t' if {} else 'f'"), "f");
    EXPECT_EQ(text("'t' if 0.0 else 'f'"), "f");
    EXPECT_EQ(text("'t' if '0' else 'f'"), "t");
    EXPECT_EQ(text("'t' if [0] else 'f'"), "t");
    EXPECT_EQ(text("'t' if nothing else 'f'", kPlan), "f");
}

TEST(ExprEval, TestsOnValues) {
    EXPECT_EQ(value("n is odd", kPlan), json(true));
    EXPECT_EQ(value("n is even", kPlan), json(false));
    EXPECT_EQ(value("n is divisibleby 7", kPlan), json(true));
    EXPECT_EQ(value("n is divisibleby(3)", kPlan), json(false));
    EXPECT_EQ(value("f is float", kPlan), json(true));
    EXPECT_EQ(value("n is integer", kPlan), json(true));
    EXPECT_EQ(value("items is sequence", kPlan), json(true));
    EXPECT_EQ(value("agency is mapping", kPlan), json(true));
    EXPECT_EQ(value("agency.name is string", kPlan), json(true));
    EXPECT_EQ(value("n is eq 7", kPlan), json(true));
    EXPECT_EQ(value("n is gt 7", kPlan), json(false));
    EXPECT_EQ(value("'hai' is in items", kPlan), json(true));
    // as in Python, True is a number but not an integer
    EXPECT_EQ(value("true is number"), json(true));
    EXPECT_EQ(value("true is integer"), json(false));
    EXPECT_EQ(value("none is number"), json(false));
}

TEST(ExprEval, MethodCalls) {
    EXPECT_EQ(text("agency.get('name')", kPlan), "Sở Y tế");
    EXPECT_EQ(text("agency.get('x', 'không')", kPlan), "không");
    EXPECT_EQ(value("agency.parent.keys()", kPlan), json::parse(R"(["name"])"));
    EXPECT_EQ(text("'đại hội'.upper()"), "ĐẠI HỘI");
    EXPECT_EQ(value("'a, b,c'.split(',')"), json::parse(R"(["a", " b", "c"])"));
    EXPECT_EQ(value("' a  b '.split()"), json::parse(R"(["a", "b"])"));
    EXPECT_EQ(value("'KH-UBND'.startswith('KH')"), json(true));
    EXPECT_EQ(value("range(3)"), json::parse("[0, 1, 2]"));
    EXPECT_EQ(value("range(5, 0, -2)"), json::parse("[5, 3, 1]"));
    EXPECT_STREQ(eval_error("foo(1)").what(), "unknown function 'foo'");
}

// ----- evaluation: variables and the loop object -------------------------------------------------------------------

TEST(ExprEval, BoundVariablesShadowTheData) {
    const json data = {{"x", "data"}};
    const json bound = "bound";
    Scope scope(data);
    scope.bind("x", Value::ref(bound));
    EvalContext ctx{scope, false};
    auto e = parse_expression("x ~ '!'");
    EXPECT_EQ(vanban::core::to_text(evaluate(*e, ctx), ctx), "bound!");
    scope.pop_to(0);
    EXPECT_EQ(vanban::core::to_text(evaluate(*e, ctx), ctx), "data!");
}

TEST(ExprEval, LoopAttributes) {
    const json items = json::parse(R"(["a", "b", "c"])");
    LoopState ls;
    ls.index0 = 1;
    ls.length = 3;
    ls.depth = 2;
    ls.items = &items;
    const json data = json::object();
    Scope scope(data);
    scope.bind("loop", Value::loop(&ls));
    EvalContext ctx{scope, false};
    auto eval = [&](std::string_view src) {
        auto e = parse_expression(src);
        return vanban::core::to_text(evaluate(*e, ctx), ctx);
    };
    EXPECT_EQ(eval("loop.index"), "2");
    EXPECT_EQ(eval("loop.index0"), "1");
    EXPECT_EQ(eval("loop.revindex"), "2");
    EXPECT_EQ(eval("loop.revindex0"), "1");
    EXPECT_EQ(eval("loop.first"), "False");
    EXPECT_EQ(eval("loop.last"), "False");
    EXPECT_EQ(eval("loop.length"), "3");
    EXPECT_EQ(eval("loop.depth"), "2");
    EXPECT_EQ(eval("loop.depth0"), "1");
    EXPECT_EQ(eval("loop.previtem"), "a");
    EXPECT_EQ(eval("loop.nextitem"), "c");
    EXPECT_EQ(eval("loop.cycle('lẻ', 'chẵn')"), "chẵn");
    EXPECT_EQ(eval("loop['index']"), "2");
    ls.index0 = 2;
    EXPECT_EQ(eval("loop.last"), "True");
    EXPECT_EQ(eval("loop.revindex"), "1");
    EXPECT_EQ(eval("loop.nextitem is defined"), "False");
    EXPECT_EQ(eval("loop.cycle('lẻ', 'chẵn')"), "lẻ");
    ls.index0 = 0;
    EXPECT_EQ(eval("loop.first"), "True");
    EXPECT_EQ(eval("loop.previtem | default('-')"), "-");
    try {
        eval("loop.size");
        ADD_FAILURE() << "loop.size should be an error";
    } catch (const EvalError& e) {
        EXPECT_STREQ(e.what(), "loop has no attribute 'size'");
        EXPECT_NE(e.hint.find("loop.index"), std::string::npos);
    }
}

}  // namespace
