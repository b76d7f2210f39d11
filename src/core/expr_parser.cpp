// The expression parser: takes a TokenStream (expr_lexer.cpp), gives an immutable Expr tree with every operator,
// filter, test and built-in call resolved — so an unknown filter, a wrong number of arguments or an expression
// nested too deeply is a located ParseError when the template is compiled, and evaluation (expr_eval.cpp) never
// looks anything up by name.
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <utility>

#include "core/expr_internal.hpp"
#include "core/filters.hpp"

namespace vanban::core {

namespace {

// Every operator with its spelling: the parser reads the spelling, messages print it.
constexpr std::pair<Op, std::string_view> kOperators[] = {
    {Op::logical_not, "not"}, {Op::negate, "-"},      {Op::identity, "+"},      {Op::logical_and, "and"},
    {Op::logical_or, "or"},   {Op::concat, "~"},      {Op::equal, "=="},        {Op::not_equal, "!="},
    {Op::less, "<"},          {Op::less_equal, "<="}, {Op::greater, ">"},       {Op::greater_equal, ">="},
    {Op::in, "in"},           {Op::not_in, "not in"}, {Op::add, "+"},           {Op::subtract, "-"},
    {Op::multiply, "*"},      {Op::divide, "/"},      {Op::floor_divide, "//"}, {Op::modulo, "%"},
    {Op::power, "**"},
};

// The binary operator an operator token stands for at one precedence level (`level` lists the candidates).
std::optional<Op> binary_operator(const TokenStream::Token& t, std::initializer_list<Op> level) {
    if (t.type != TokenStream::Type::op) return std::nullopt;
    for (Op op : level)
        if (op_text(op) == t.text) return op;
    return std::nullopt;
}

}  // namespace

std::string_view op_text(Op op) {
    for (const auto& [known, text] : kOperators)
        if (known == op) return text;
    return "?";
}

namespace {

class Parser {
public:
    explicit Parser(TokenStream& ts) : ts_(ts) {}

    ExprPtr expression() { return conditional(); }
    ExprPtr expression_no_conditional() { return logical_or(); }

private:
    TokenStream& ts_;
    int nesting_ = 0;  // parser recursion: parentheses, brackets, "not not …", "- - …", "… else … else …"

    [[noreturn]] static void too_deep(std::size_t at) {
        throw ParseError(
            "expression is nested too deeply (more than " + std::to_string(kMaxExpressionDepth) + " levels)", at);
    }
    // Counts one level of parser recursion for its lifetime.
    class Nest {
    public:
        Nest(Parser& p, std::size_t at) : p_(p) {
            if (++p_.nesting_ > kMaxExpressionDepth) too_deep(at);
        }
        ~Nest() { --p_.nesting_; }
        Nest(const Nest&) = delete;
        Nest& operator=(const Nest&) = delete;

    private:
        Parser& p_;
    };

    ExprPtr make(Expr::Kind kind, std::size_t start) {
        auto e = std::make_unique<Expr>();
        e->kind = kind;
        e->text = std::to_string(start);  // replaced by finish()
        return e;
    }
    ExprPtr finish(ExprPtr e, std::size_t start) {
        for (const auto& a : e->args) e->depth = std::max(e->depth, a->depth + 1);
        for (const auto& [k, v] : e->kwargs) e->depth = std::max(e->depth, v->depth + 1);
        if (e->depth > kMaxExpressionDepth) too_deep(start);
        std::size_t end = ts_.peek().offset;
        auto src = ts_.source();
        if (end > src.size()) end = src.size();
        std::string_view t = src.substr(start, end - start);
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
        e->text = std::string(t);
        return e;
    }

    ExprPtr binary(Op op, ExprPtr l, ExprPtr r, std::size_t start) {
        auto e = make(Expr::Kind::binary, start);
        e->op = op;
        e->name = std::string(op_text(op));
        e->args.push_back(std::move(l));
        e->args.push_back(std::move(r));
        return finish(std::move(e), start);
    }

    ExprPtr conditional() {
        std::size_t start = ts_.peek().offset;
        const Nest nest(*this, start);
        ExprPtr value = logical_or();
        if (ts_.peek().type == TokenStream::Type::name && ts_.peek().text == "if") {
            ts_.next();
            ExprPtr cond = logical_or();
            auto e = make(Expr::Kind::cond, start);
            e->args.push_back(std::move(cond));
            e->args.push_back(std::move(value));
            if (ts_.accept_name("else")) e->args.push_back(conditional());
            return finish(std::move(e), start);
        }
        return value;
    }

    ExprPtr logical_or() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = logical_and();
        while (ts_.accept_name("or")) l = binary(Op::logical_or, std::move(l), logical_and(), start);
        return l;
    }
    ExprPtr logical_and() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = logical_not();
        while (ts_.accept_name("and")) l = binary(Op::logical_and, std::move(l), logical_not(), start);
        return l;
    }
    ExprPtr logical_not() {
        std::size_t start = ts_.peek().offset;
        if (ts_.accept_name("not")) {
            const Nest nest(*this, start);
            auto e = make(Expr::Kind::unary, start);
            e->op = Op::logical_not;
            e->name = "not";
            e->args.push_back(logical_not());
            return finish(std::move(e), start);
        }
        return compare();
    }
    ExprPtr compare() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = concat();
        std::vector<ExprPtr> operands;
        std::vector<ExprPtr> links;
        while (true) {
            const auto& t = ts_.peek();
            Op op = Op::none;
            if (auto comparison = binary_operator(
                    t, {Op::equal, Op::not_equal, Op::less, Op::less_equal, Op::greater, Op::greater_equal})) {
                ts_.next();
                op = *comparison;
            } else if (t.type == TokenStream::Type::name && t.text == "in") {
                ts_.next();
                op = Op::in;
            } else if (t.type == TokenStream::Type::name && t.text == "not" &&
                       ts_.peek(1).type == TokenStream::Type::name && ts_.peek(1).text == "in") {
                ts_.next();
                ts_.next();
                op = Op::not_in;
            } else {
                break;
            }
            auto link = make(Expr::Kind::binary, start);
            link->op = op;
            link->name = std::string(op_text(op));
            if (operands.empty()) operands.push_back(std::move(l));
            operands.push_back(concat());
            links.push_back(finish(std::move(link), start));
        }
        if (links.empty()) return l;
        if (links.size() == 1) return binary(links[0]->op, std::move(operands[0]), std::move(operands[1]), start);
        auto chain = make(Expr::Kind::chain, start);
        chain->args = std::move(operands);
        chain->links = std::move(links);
        return finish(std::move(chain), start);
    }
    ExprPtr concat() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = additive();
        while (ts_.accept_op("~")) l = binary(Op::concat, std::move(l), additive(), start);
        return l;
    }
    ExprPtr additive() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = multiplicative();
        while (true) {
            if (ts_.accept_op("+")) l = binary(Op::add, std::move(l), multiplicative(), start);
            else if (ts_.accept_op("-")) l = binary(Op::subtract, std::move(l), multiplicative(), start);
            else break;
        }
        return l;
    }
    ExprPtr multiplicative() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = power();
        while (true) {
            if (auto op = binary_operator(ts_.peek(), {Op::multiply, Op::divide, Op::floor_divide, Op::modulo})) {
                ts_.next();
                l = binary(*op, std::move(l), power(), start);
            } else {
                break;
            }
        }
        return l;
    }
    ExprPtr power() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = unary();
        while (ts_.accept_op("**")) l = binary(Op::power, std::move(l), unary(), start);
        return l;
    }
    // As in Jinja, filters and tests after a unary sign apply to the signed value: -x|abs is (-x)|abs.
    ExprPtr unary(bool with_filters = true) {
        std::size_t start = ts_.peek().offset;
        if (ts_.peek().type == TokenStream::Type::op && (ts_.peek().text == "-" || ts_.peek().text == "+")) {
            std::string op = ts_.next().text;
            const Nest nest(*this, start);
            auto e = make(Expr::Kind::unary, start);
            e->op = op == "-" ? Op::negate : Op::identity;
            e->name = op;
            e->args.push_back(unary(false));
            ExprPtr signed_value = finish(std::move(e), start);
            return with_filters ? postfix(std::move(signed_value), start) : std::move(signed_value);
        }
        return postfix(primary(), start, with_filters);
    }

    void call_args(Expr& e) {
        // after '(' ; positional then keyword arguments
        if (ts_.accept_op(")")) return;
        while (true) {
            if (ts_.peek().type == TokenStream::Type::name && ts_.peek(1).type == TokenStream::Type::op &&
                ts_.peek(1).text == "=") {
                std::string key = ts_.next().text;
                ts_.next();
                e.kwargs.emplace_back(std::move(key), expression());
            } else {
                if (!e.kwargs.empty())
                    throw ParseError("positional argument after keyword argument", ts_.peek().offset);
                e.args.push_back(expression());
            }
            if (ts_.accept_op(")")) return;
            ts_.expect_op(",");
        }
    }

    ExprPtr postfix(ExprPtr subject, std::size_t start, bool with_filters = true) {
        while (true) {
            if (!with_filters) {
                const auto& t = ts_.peek();
                if ((t.type == TokenStream::Type::op && t.text == "|") ||
                    (t.type == TokenStream::Type::name && t.text == "is"))
                    return subject;
            }
            if (ts_.accept_op(".")) subject = member(std::move(subject), start);
            else if (ts_.accept_op("[")) subject = subscript(std::move(subject), start);
            else if (ts_.accept_op("(")) subject = call(std::move(subject), start);
            else if (ts_.accept_op("|")) subject = filter(std::move(subject), start);
            else if (ts_.accept_name("is")) subject = test(std::move(subject), start);
            else return subject;
        }
    }

    // After '.': x.name, or items.0 as in Jinja.
    ExprPtr member(ExprPtr subject, std::size_t start) {
        const auto& t = ts_.peek();
        auto e = make(Expr::Kind::attr, start);
        if (t.type == TokenStream::Type::number) {  // items.0 as in Jinja
            e->kind = Expr::Kind::index;
            e->args.push_back(std::move(subject));
            auto lit = make(Expr::Kind::literal, t.offset);
            long long index = 0;
            const auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), index);
            if (ec != std::errc() || end != t.text.data() + t.text.size())
                throw ParseError("'" + t.text + "' is not an item number", t.offset);
            ts_.next();
            lit->literal = index;
            e->args.push_back(std::move(lit));
        } else {
            e->name = ts_.expect_name();
            e->args.push_back(std::move(subject));
        }
        return finish(std::move(e), start);
    }

    // After '[': x[key], or a slice x[a:b] / x[a:b:c] as in Python.
    ExprPtr subscript(ExprPtr subject, std::size_t start) {
        auto e = make(Expr::Kind::index, start);
        e->args.push_back(std::move(subject));
        auto bound = [&](std::initializer_list<std::string_view> ends) {
            for (auto end : ends)
                if (ts_.peek().type == TokenStream::Type::op && ts_.peek().text == end) {
                    auto none = make(Expr::Kind::literal, ts_.peek().offset);
                    return finish(std::move(none), ts_.peek().offset);
                }
            return expression();
        };
        e->args.push_back(bound({":"}));
        if (ts_.accept_op(":")) {  // x[a:b] / x[a:b:c], as in Python
            e->kind = Expr::Kind::slice;
            e->args.push_back(bound({":", "]"}));
            if (ts_.accept_op(":")) e->args.push_back(bound({"]"}));
            else e->args.push_back(make(Expr::Kind::literal, ts_.peek().offset));
        }
        ts_.expect_op("]");
        return finish(std::move(e), start);
    }

    // After '(': a built-in function or method, resolved here.
    ExprPtr call(ExprPtr subject, std::size_t start) {
        auto e = make(Expr::Kind::call, start);
        if (subject->kind == Expr::Kind::name) e->callee = find_function(subject->name);
        else if (subject->kind == Expr::Kind::attr) e->callee = find_method(subject->name);
        else throw ParseError("only functions and methods can be called", ts_.peek().offset);
        e->name = subject->name;
        if (e->callee && !e->callee->filter.empty()) e->filter = find_filter(e->callee->filter);
        e->args.push_back(std::move(subject));
        call_args(*e);
        return finish(std::move(e), start);
    }

    // After '|': a filter, resolved here with its arguments checked.
    ExprPtr filter(ExprPtr subject, std::size_t start) {
        std::size_t name_at = ts_.peek().offset;
        auto e = make(Expr::Kind::filter, start);
        e->name = ts_.expect_name();
        e->filter = find_filter(e->name);
        if (!e->filter) throw ParseError("unknown filter '" + e->name + "'", name_at);
        e->args.push_back(std::move(subject));
        if (ts_.accept_op("(")) call_args(*e);
        for (const auto& [key, value] : e->kwargs) {
            const auto& known = e->filter->keywords;
            if (!known.empty() && std::find(known.begin(), known.end(), key) == known.end()) {
                std::string list;
                for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
                throw ParseError("filter '" + e->name + "' has no argument '" + key + "' (it takes " + list + ")",
                                 name_at);
            }
        }
        // Keyword arguments count towards the required ones (groupby(attribute='unit')), not the maximum.
        int given = static_cast<int>(e->args.size()) - 1;
        int named = static_cast<int>(e->kwargs.size());
        if (given + named < e->filter->min_args || (e->filter->max_args >= 0 && given > e->filter->max_args))
            throw ParseError("filter '" + e->name + "' takes " + arity(e->filter->min_args, e->filter->max_args) +
                                 ", " + std::to_string(given) + " given",
                             name_at);
        return finish(std::move(e), start);
    }

    // After 'is': a test ("is defined", "is not none", "is divisibleby 3", "is in(list)").
    ExprPtr test(ExprPtr subject, std::size_t start) {
        auto e = make(Expr::Kind::test, start);
        e->negated = ts_.accept_name("not");
        std::size_t name_at = ts_.peek().offset;
        // "none", "true", "false" are names here
        e->name = ts_.expect_name();
        e->test = find_test(e->name);
        if (!e->test) throw ParseError("unknown test '" + e->name + "'", name_at);
        e->args.push_back(std::move(subject));
        if (ts_.accept_op("(")) {
            call_args(*e);
        } else if (e->test->min_args > 0 || (e->test->max_args > 0 && starts_primary())) {
            e->args.push_back(primary_with_postfix_no_test());
        }
        int given = static_cast<int>(e->args.size()) - 1;
        if (given < e->test->min_args || given > e->test->max_args)
            throw ParseError("test '" + e->name + "' takes " + arity(e->test->min_args, e->test->max_args) + ", " +
                                 std::to_string(given) + " given",
                             name_at);
        return finish(std::move(e), start);
    }

    bool starts_primary() const {
        const auto& t = ts_.peek();
        if (t.type == TokenStream::Type::number || t.type == TokenStream::Type::string) return true;
        if (t.type == TokenStream::Type::name)
            return t.text != "and" && t.text != "or" && t.text != "else" && t.text != "if" && t.text != "in" &&
                   t.text != "not" && t.text != "is";
        return false;
    }
    ExprPtr primary_with_postfix_no_test() { return primary(); }

    static std::string arity(int min, int max) {
        if (max < 0) return "at least " + std::to_string(min) + " argument(s)";
        if (min == max) return std::to_string(min) + " argument(s)";
        return std::to_string(min) + " to " + std::to_string(max) + " arguments";
    }

    ExprPtr primary() {
        const auto t = ts_.peek();
        std::size_t start = t.offset;
        switch (t.type) {
            case TokenStream::Type::end: throw ParseError("expected an expression", t.offset);
            case TokenStream::Type::number: {
                ts_.next();
                auto e = make(Expr::Kind::literal, start);
                if (t.text.find_first_of(".eE") != std::string::npos) {
                    e->literal = std::strtod(t.text.c_str(), nullptr);
                } else {
                    long long v = 0;
                    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
                    if (ec != std::errc() || p != t.text.data() + t.text.size())
                        throw ParseError(
                            "the whole number " + t.text.substr(0, 40) +
                                " is beyond 64 bits: vanban would lose digits (write it as text in quotes)",
                            t.offset);
                    e->literal = v;
                }
                return finish(std::move(e), start);
            }
            case TokenStream::Type::string: {
                ts_.next();
                auto e = make(Expr::Kind::literal, start);
                std::string s = t.text;
                // adjacent string literals concatenate, as in Python/Jinja
                while (ts_.peek().type == TokenStream::Type::string) s += ts_.next().text;
                e->literal = std::move(s);
                return finish(std::move(e), start);
            }
            case TokenStream::Type::name: {
                ts_.next();
                auto e = make(Expr::Kind::literal, start);
                if (t.text == "true" || t.text == "True") e->literal = true;
                else if (t.text == "false" || t.text == "False") e->literal = false;
                else if (t.text == "none" || t.text == "None" || t.text == "null") e->literal = nullptr;
                else {
                    static constexpr std::string_view reserved[] = {"and", "or", "not", "in", "is", "if", "else"};
                    for (auto r : reserved)
                        if (t.text == r) throw ParseError("expected an expression before '" + t.text + "'", t.offset);
                    e->kind = Expr::Kind::name;
                    e->name = t.text;
                }
                return finish(std::move(e), start);
            }
            case TokenStream::Type::op: break;
        }
        if (ts_.accept_op("(")) {
            ExprPtr inner = expression();
            if (ts_.accept_op(",")) {  // tuple → list
                auto e = make(Expr::Kind::list, start);
                e->name = "tuple";
                e->tuple = true;
                e->args.push_back(std::move(inner));
                if (!ts_.accept_op(")")) {
                    while (true) {
                        e->args.push_back(expression());
                        if (ts_.accept_op(")")) break;
                        ts_.expect_op(",");
                        if (ts_.accept_op(")")) break;
                    }
                }
                return finish(std::move(e), start);
            }
            ts_.expect_op(")");
            return inner;
        }
        if (ts_.accept_op("[")) {
            auto e = make(Expr::Kind::list, start);
            if (!ts_.accept_op("]")) {
                while (true) {
                    e->args.push_back(expression());
                    if (ts_.accept_op("]")) break;
                    ts_.expect_op(",");
                    if (ts_.accept_op("]")) break;
                }
            }
            return finish(std::move(e), start);
        }
        if (ts_.accept_op("{")) {
            auto e = make(Expr::Kind::dict, start);
            if (!ts_.accept_op("}")) {
                while (true) {
                    e->args.push_back(expression());
                    ts_.expect_op(":");
                    e->args.push_back(expression());
                    if (ts_.accept_op("}")) break;
                    ts_.expect_op(",");
                    if (ts_.accept_op("}")) break;
                }
            }
            return finish(std::move(e), start);
        }
        throw ParseError("unexpected '" + t.text + "'", t.offset);
    }
};

}  // namespace

ExprPtr parse_expression(TokenStream& tokens) { return Parser(tokens).expression(); }
ExprPtr parse_expression_no_conditional(TokenStream& tokens) { return Parser(tokens).expression_no_conditional(); }

ExprPtr parse_expression(std::string_view source) {
    TokenStream ts(source);
    ExprPtr e = parse_expression(ts);
    if (!ts.at_end()) throw ParseError("unexpected '" + ts.peek().text + "' after the expression", ts.peek().offset);
    return e;
}

}  // namespace vanban::core
