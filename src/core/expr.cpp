#include "core/expr.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/filters.hpp"
#include "core/image.hpp"

namespace vanban::core {

// ---------------------------------------------------------------------------------------------------------------
// Tokens

namespace {

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Word's AutoCorrect turns quotes into typographic ones and inserts non-breaking spaces; inside a tag they must
// still mean what the author typed.
std::size_t curly_open_quote(std::string_view s, std::size_t i, std::string_view* close) {
    static constexpr std::string_view ldq = "\xE2\x80\x9C", rdq = "\xE2\x80\x9D", lsq = "\xE2\x80\x98",
                                      rsq = "\xE2\x80\x99", low = "\xE2\x80\x9E";
    auto at = [&](std::string_view q) { return s.compare(i, q.size(), q) == 0; };
    if (at(ldq) || at(low)) { *close = rdq; return 3; }
    if (at(rdq)) { *close = rdq; return 3; }  // "wrong" closing quote used to open: still a quote
    if (at(lsq) || at(rsq)) { *close = rsq; return 3; }
    return 0;
}

}  // namespace

TokenStream::TokenStream(std::string_view source) : source_(source) {
    std::size_t i = 0;
    const std::size_t n = source.size();
    while (true) {
        // whitespace, including U+00A0 (C2 A0) and U+202F
        while (i < n) {
            char c = source[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { ++i; continue; }
            if (source.compare(i, 2, "\xC2\xA0") == 0) { i += 2; continue; }
            if (source.compare(i, 3, "\xE2\x80\xAF") == 0) { i += 3; continue; }
            break;
        }
        Token t;
        t.offset = i;
        if (i >= n) {
            t.type = Type::end;
            tokens_.push_back(t);
            break;
        }
        char c = source[i];
        std::string_view close;
        std::size_t qlen = 0;
        if (is_name_start(c)) {
            std::size_t j = i;
            while (j < n && is_name_char(source[j])) ++j;
            t.type = Type::name;
            t.text = std::string(source.substr(i, j - i));
            i = j;
        } else if (is_digit(c)) {
            std::size_t j = i;
            while (j < n && (is_digit(source[j]) || source[j] == '_')) ++j;
            if (j + 1 < n && source[j] == '.' && is_digit(source[j + 1])) {
                ++j;
                while (j < n && is_digit(source[j])) ++j;
            }
            if (j < n && (source[j] == 'e' || source[j] == 'E')) {
                std::size_t k = j + 1;
                if (k < n && (source[k] == '+' || source[k] == '-')) ++k;
                if (k < n && is_digit(source[k])) {
                    j = k;
                    while (j < n && is_digit(source[j])) ++j;
                }
            }
            t.type = Type::number;
            for (char d : source.substr(i, j - i))
                if (d != '_') t.text += d;
            i = j;
        } else if (c == '"' || c == '\'' || (qlen = curly_open_quote(source, i, &close)) != 0) {
            std::string_view closing = qlen ? close : source.substr(i, 1);
            std::size_t j = i + (qlen ? qlen : 1);
            std::string value;
            bool closed = false;
            while (j < n) {
                if (source.compare(j, closing.size(), closing) == 0 ||
                    (qlen && (source.compare(j, 3, "\xE2\x80\x9D") == 0 || source.compare(j, 3, "\xE2\x80\x99") == 0) &&
                     closing.size() == 3)) {
                    j += closing.size();
                    closed = true;
                    break;
                }
                if (source[j] == '\\' && j + 1 < n) {
                    char e = source[j + 1];
                    switch (e) {
                        case 'n': value += '\n'; break;
                        case 't': value += '\t'; break;
                        case 'r': value += '\r'; break;
                        default: value += e; break;
                    }
                    j += 2;
                    continue;
                }
                value += source[j++];
            }
            if (!closed) throw ParseError("unterminated string literal", i);
            t.type = Type::string;
            t.text = std::move(value);
            i = j;
        } else {
            static constexpr std::string_view two[] = {"==", "!=", "<=", ">=", "//", "**"};
            t.type = Type::op;
            bool matched = false;
            for (auto op : two) {
                if (source.compare(i, 2, op) == 0) {
                    t.text = std::string(op);
                    i += 2;
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                if (std::strchr("+-*/%~|.,:()[]{}<>=", c) == nullptr || c == '\0')
                    throw ParseError(std::string("unexpected character '") + c + "'", i);
                t.text = std::string(1, c);
                ++i;
            }
        }
        tokens_.push_back(std::move(t));
    }
}

const TokenStream::Token& TokenStream::peek(std::size_t ahead) const {
    std::size_t k = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[k];
}

TokenStream::Token TokenStream::next() {
    Token t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
}

bool TokenStream::accept_op(std::string_view op) {
    if (peek().type == Type::op && peek().text == op) {
        next();
        return true;
    }
    return false;
}

bool TokenStream::accept_name(std::string_view name) {
    if (peek().type == Type::name && peek().text == name) {
        next();
        return true;
    }
    return false;
}

void TokenStream::expect_op(std::string_view op) {
    if (!accept_op(op)) {
        const Token& t = peek();
        throw ParseError("expected '" + std::string(op) + "'" +
                             (t.type == Type::end ? std::string(" at the end of the tag") : " before '" + t.text + "'"),
                         t.offset);
    }
}

std::string TokenStream::expect_name() {
    if (peek().type != Type::name) {
        const Token& t = peek();
        throw ParseError(t.type == Type::end ? "expected a name at the end of the tag" : "expected a name, found '" + t.text + "'",
                         t.offset);
    }
    return next().text;
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

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
        throw ParseError("expression is nested too deeply (more than " + std::to_string(kMaxExpressionDepth) + " levels)",
                         at);
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

    ExprPtr binary(std::string op, ExprPtr l, ExprPtr r, std::size_t start) {
        auto e = make(Expr::Kind::binary, start);
        e->name = std::move(op);
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
        while (ts_.accept_name("or")) l = binary("or", std::move(l), logical_and(), start);
        return l;
    }
    ExprPtr logical_and() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = logical_not();
        while (ts_.accept_name("and")) l = binary("and", std::move(l), logical_not(), start);
        return l;
    }
    ExprPtr logical_not() {
        std::size_t start = ts_.peek().offset;
        if (ts_.accept_name("not")) {
            const Nest nest(*this, start);
            auto e = make(Expr::Kind::unary, start);
            e->name = "not";
            e->args.push_back(logical_not());
            return finish(std::move(e), start);
        }
        return compare();
    }
    ExprPtr compare() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = concat();
        while (true) {
            const auto& t = ts_.peek();
            std::string op;
            if (t.type == TokenStream::Type::op &&
                (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">=")) {
                op = ts_.next().text;
            } else if (t.type == TokenStream::Type::name && t.text == "in") {
                ts_.next();
                op = "in";
            } else if (t.type == TokenStream::Type::name && t.text == "not" && ts_.peek(1).type == TokenStream::Type::name &&
                       ts_.peek(1).text == "in") {
                ts_.next();
                ts_.next();
                op = "not in";
            } else {
                break;
            }
            l = binary(op, std::move(l), concat(), start);
        }
        return l;
    }
    ExprPtr concat() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = additive();
        while (ts_.accept_op("~")) l = binary("~", std::move(l), additive(), start);
        return l;
    }
    ExprPtr additive() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = multiplicative();
        while (true) {
            if (ts_.accept_op("+")) l = binary("+", std::move(l), multiplicative(), start);
            else if (ts_.accept_op("-")) l = binary("-", std::move(l), multiplicative(), start);
            else break;
        }
        return l;
    }
    ExprPtr multiplicative() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = power();
        while (true) {
            const auto& t = ts_.peek();
            if (t.type == TokenStream::Type::op && (t.text == "*" || t.text == "/" || t.text == "//" || t.text == "%")) {
                std::string op = ts_.next().text;
                l = binary(op, std::move(l), power(), start);
            } else {
                break;
            }
        }
        return l;
    }
    ExprPtr power() {
        std::size_t start = ts_.peek().offset;
        ExprPtr l = unary();
        while (ts_.accept_op("**")) l = binary("**", std::move(l), unary(), start);
        return l;
    }
    // As in Jinja, filters and tests after a unary sign apply to the signed value: -x|abs is (-x)|abs.
    ExprPtr unary(bool with_filters = true) {
        std::size_t start = ts_.peek().offset;
        if (ts_.peek().type == TokenStream::Type::op && (ts_.peek().text == "-" || ts_.peek().text == "+")) {
            std::string op = ts_.next().text;
            const Nest nest(*this, start);
            auto e = make(Expr::Kind::unary, start);
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
                if ((t.type == TokenStream::Type::op && t.text == "|") || (t.type == TokenStream::Type::name && t.text == "is"))
                    return subject;
            }
            if (ts_.accept_op(".")) {
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
                subject = finish(std::move(e), start);
            } else if (ts_.accept_op("[")) {
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
                subject = finish(std::move(e), start);
            } else if (ts_.accept_op("(")) {
                auto e = make(Expr::Kind::call, start);
                if (subject->kind == Expr::Kind::name) e->name = subject->name;
                else if (subject->kind == Expr::Kind::attr) e->name = subject->name;
                else throw ParseError("only functions and methods can be called", ts_.peek().offset);
                e->args.push_back(std::move(subject));
                call_args(*e);
                subject = finish(std::move(e), start);
            } else if (ts_.accept_op("|")) {
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
                        throw ParseError("filter '" + e->name + "' has no argument '" + key + "' (it takes " + list + ")", name_at);
                    }
                }
                // Keyword arguments count towards the required ones (groupby(attribute='unit')), not the maximum.
                int given = static_cast<int>(e->args.size()) - 1;
                int named = static_cast<int>(e->kwargs.size());
                if (given + named < e->filter->min_args || (e->filter->max_args >= 0 && given > e->filter->max_args))
                    throw ParseError("filter '" + e->name + "' takes " + arity(e->filter->min_args, e->filter->max_args) +
                                         ", " + std::to_string(given) + " given",
                                     name_at);
                subject = finish(std::move(e), start);
            } else if (ts_.peek().type == TokenStream::Type::name && ts_.peek().text == "is") {
                ts_.next();
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
                subject = finish(std::move(e), start);
            } else {
                return subject;
            }
        }
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
            case TokenStream::Type::end:
                throw ParseError("expected an expression", t.offset);
            case TokenStream::Type::number: {
                ts_.next();
                auto e = make(Expr::Kind::literal, start);
                if (t.text.find_first_of(".eE") != std::string::npos) {
                    e->literal = std::strtod(t.text.c_str(), nullptr);
                } else {
                    long long v = 0;
                    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
                    if (ec != std::errc()) e->literal = std::strtod(t.text.c_str(), nullptr);
                    else e->literal = v;
                    (void)p;
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
            case TokenStream::Type::op:
                break;
        }
        if (ts_.accept_op("(")) {
            ExprPtr inner = expression();
            if (ts_.accept_op(",")) {  // tuple → list
                auto e = make(Expr::Kind::list, start);
                e->name = "tuple";
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

// ---------------------------------------------------------------------------------------------------------------
// Missing values and where they are

void throw_missing(const Value& v) {
    const Undefined& u = v.undefined_info();
    EvalError e("'" + u.what + "' is missing from the data",
                "add it to the data, or write '" + u.what + " | default(\"…\")' or test it with 'is defined'");
    e.parent = u.parent;
    e.key = u.key;
    e.after_error = u.after_error;
    throw e;
}

namespace {
bool find_pointer(const json& node, const json* target, std::string& path) {
    if (&node == target) return true;
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            std::size_t len = path.size();
            path += '/';
            for (char c : it.key()) {
                if (c == '~') path += "~0";
                else if (c == '/') path += "~1";
                else path += c;
            }
            if (find_pointer(it.value(), target, path)) return true;
            path.resize(len);
        }
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
            std::size_t len = path.size();
            path += '/' + std::to_string(i);
            if (find_pointer(node[i], target, path)) return true;
            path.resize(len);
        }
    }
    return false;
}
}  // namespace

std::string pointer_of(const json& root, const json* node) {
    std::string path;
    if (node && find_pointer(root, node, path)) return path;
    return {};
}

// ---------------------------------------------------------------------------------------------------------------
// Scope

void Scope::assign(std::string_view name, Value value, std::size_t floor) {
    for (std::size_t i = vars_.size(); i > floor; --i) {
        if (vars_[i - 1].first == name) {
            vars_[i - 1].second = std::move(value);
            return;
        }
    }
    bind(name, std::move(value));
}

Value Scope::lookup(std::string_view name) const {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
        if (it->first == name) return it->second;
    if (root_.is_object()) {
        auto it = root_.find(name);
        if (it != root_.end()) return Value::ref(*it);
        return Value::undefined(std::string(name), &root_, std::string(name));
    }
    return Value::undefined(std::string(name));
}

// ---------------------------------------------------------------------------------------------------------------
// Limits

void throw_limit(const std::string& message, std::string hint) {
    EvalError e(message, std::move(hint));
    e.limit = true;
    throw e;
}

void EvalContext::charge(std::uint64_t units) {
    work += units;
    if (work > limits.max_work)
        throw_limit("the template does more than " + std::to_string(limits.max_work) +
                        " units of work in one render (a long list searched or sorted inside a long loop?)",
                    "simplify the template, or raise the work limit (--max-work)");
}

void EvalContext::check_size(std::uint64_t bytes, std::string_view what) const {
    if (bytes > limits.max_value_bytes)
        throw_limit(std::string(what) + " would be " + std::to_string(bytes) + " bytes, over the limit of " +
                        std::to_string(limits.max_value_bytes) + " bytes for one value",
                    "raise the value size limit (--max-value-size) if this is intended");
}

void EvalContext::account(const json& value) {
    if (value.is_string()) {
        const std::size_t n = value.get_ref<const std::string&>().size();
        check_size(n, "a text");
        charge(1 + n / 16);
        return;
    }
    if (!value.is_structured()) return;
    // Walked with an explicit stack: the value may be nested deeper than recursion can safely follow.
    std::uint64_t bytes = 0, units = 0;
    std::vector<std::pair<const json*, std::size_t>> stack{{&value, 1}};
    while (!stack.empty()) {
        const auto [node, depth] = stack.back();
        stack.pop_back();
        if (depth > kMaxValueDepth)
            throw_limit("a computed value is nested more than " + std::to_string(kMaxValueDepth) + " levels deep", "");
        bytes += sizeof(json);
        ++units;
        if (node->is_string()) {
            const std::size_t n = node->get_ref<const std::string&>().size();
            bytes += n;
            units += n / 16;
        } else if (node->is_object()) {
            for (auto it = node->begin(); it != node->end(); ++it) {
                bytes += sizeof(std::string) + it.key().size();
                stack.emplace_back(&it.value(), depth + 1);
            }
        } else if (node->is_array()) {
            for (const auto& item : *node) stack.emplace_back(&item, depth + 1);
        }
        if (bytes > limits.max_value_bytes) check_size(bytes, "a computed list or mapping");
    }
    charge(units);
}

long long whole_number(double value, std::string_view what) {
    // 2^63 is exactly representable; every double below it in magnitude converts without overflow.
    constexpr double limit = 9223372036854775808.0;
    if (std::isnan(value) || value >= limit || value < -limit)
        throw_limit(std::string(what) + " " + (std::isnan(value) ? std::string("is not a number") : "is too large"),
                    "use a whole number between -9223372036854775808 and 9223372036854775807");
    return static_cast<long long>(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

namespace {

// The size of a value as the work it takes to read it once: items of a list or mapping, or 16 bytes of text.
std::uint64_t shallow_units(const Value& v) {
    if (!v.is_json()) return 0;
    const json& j = v.j();
    if (j.is_string()) return j.get_ref<const std::string&>().size() / 16;
    return j.is_structured() ? j.size() : 0;
}

[[noreturn]] void missing(const Value& v) { throw_missing(v); }

std::string python_float(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    // Python's repr: the shortest digits that round-trip, in positional notation when the decimal exponent is in
    // [-4, 16), else in exponent notation ("2000000.0", "0.0001", "1e+16", "1e-05").
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, p);
    std::size_t e = sci.find('e');
    int exp = std::atoi(sci.c_str() + e + 1);
    if (exp < -4 || exp >= 16) return sci;
    bool negative = sci[0] == '-';
    std::string digits;
    for (std::size_t i = negative ? 1 : 0; i < e; ++i)
        if (sci[i] != '.') digits += sci[i];
    std::string out = negative ? "-" : "";
    if (exp < 0) {
        out += "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
    } else {
        auto point = static_cast<std::size_t>(exp) + 1;
        if (digits.size() <= point) out += digits + std::string(point - digits.size(), '0') + ".0";
        else out += digits.substr(0, point) + "." + digits.substr(point);
    }
    return out;
}

void py_repr(const json& j, std::string& out) {
    switch (j.type()) {
        case json::value_t::null: out += "None"; break;
        case json::value_t::boolean: out += j.get<bool>() ? "True" : "False"; break;
        case json::value_t::number_integer: out += std::to_string(j.get<long long>()); break;
        case json::value_t::number_unsigned: out += std::to_string(j.get<unsigned long long>()); break;
        case json::value_t::number_float: out += python_float(j.get<double>()); break;
        case json::value_t::string: {
            const auto& s = j.get_ref<const std::string&>();
            char q = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
            out += q;
            for (char c : s) {
                if (c == q || c == '\\') out += '\\';
                if (c == '\n') { out += "\\n"; continue; }
                out += c;
            }
            out += q;
            break;
        }
        case json::value_t::array: {
            out += '[';
            bool first = true;
            for (const auto& e : j) {
                if (!first) out += ", ";
                first = false;
                py_repr(e, out);
            }
            out += ']';
            break;
        }
        case json::value_t::object: {
            if (is_image_object(j)) throw_image_as_text();  // never a page of base64
            out += '{';
            bool first = true;
            for (auto it = j.begin(); it != j.end(); ++it) {
                if (!first) out += ", ";
                first = false;
                py_repr(it.key(), out);
                out += ": ";
                py_repr(it.value(), out);
            }
            out += '}';
            break;
        }
        default: out += "?"; break;
    }
}

const json& need_json(const Value& v, const EvalContext& ctx, const json& fallback) {
    if (v.is_json()) return v.j();
    if (v.is_undefined()) {
        if (!ctx.lenient) missing(v);
        return fallback;
    }
    throw EvalError("this value cannot be used here");
}

bool is_int(const json& j) { return j.is_number_integer() || j.is_number_unsigned(); }

json arithmetic(const std::string& op, const json& a, const json& b, EvalContext& ctx) {
    if (op == "+" && a.is_string() && b.is_string()) {
        const auto& x = a.get_ref<const std::string&>();
        const auto& y = b.get_ref<const std::string&>();
        ctx.check_size(std::uint64_t{x.size()} + y.size(), "the text");
        return x + y;
    }
    if (op == "+" && a.is_array() && b.is_array()) {
        ctx.check_size((std::uint64_t{a.size()} + b.size()) * sizeof(json), "the list");
        json r = a;
        for (const auto& e : b) r.push_back(e);
        return r;
    }
    if (op == "*" && a.is_string() && is_int(b)) {
        const auto& text = a.get_ref<const std::string&>();
        const long long n = b.get<long long>();
        if (n <= 0 || text.empty()) return "";
        const auto count = static_cast<std::uint64_t>(n);
        std::uint64_t bytes = 0;
        if (__builtin_mul_overflow(count, std::uint64_t{text.size()}, &bytes)) bytes = UINT64_MAX;
        ctx.check_size(bytes, "the repeated text");
        std::string r;
        r.reserve(count * text.size());
        for (std::uint64_t i = 0; i < count; ++i) r += text;
        return r;
    }
    if (!a.is_number() || !b.is_number()) {
        auto tn = [](const json& x) { return std::string(x.type_name()); };
        throw EvalError("cannot apply '" + op + "' to " + tn(a) + " and " + tn(b));
    }
    if (is_int(a) && is_int(b) && op != "/" && op != "**") {
        long long x = a.get<long long>(), y = b.get<long long>();
        long long r = 0;
        if (op == "+") { if (__builtin_add_overflow(x, y, &r)) return static_cast<double>(x) + static_cast<double>(y); return r; }
        if (op == "-") { if (__builtin_sub_overflow(x, y, &r)) return static_cast<double>(x) - static_cast<double>(y); return r; }
        if (op == "*") { if (__builtin_mul_overflow(x, y, &r)) return static_cast<double>(x) * static_cast<double>(y); return r; }
        if (y == 0) throw EvalError("division by zero");
        // The one quotient that does not fit: as a decimal number, like every other overflow here.
        if (y == -1 && x == std::numeric_limits<long long>::min()) return op == "//" ? json(-static_cast<double>(x)) : json(0);
        if (op == "//") { long long q = x / y; if ((x % y != 0) && ((x < 0) != (y < 0))) --q; return q; }
        if (op == "%") { long long m = x % y; if (m != 0 && ((m < 0) != (y < 0))) m += y; return m; }
    }
    double x = a.get<double>(), y = b.get<double>();
    if (op == "+") return x + y;
    if (op == "-") return x - y;
    if (op == "*") return x * y;
    if (op == "**") {
        double r = std::pow(x, y);
        if (is_int(a) && is_int(b) && y >= 0 && std::fabs(r) < 9.2e18) return static_cast<long long>(r);
        return r;
    }
    if (y == 0) throw EvalError("division by zero");
    if (op == "/") return x / y;
    if (op == "//") return std::floor(x / y);
    if (op == "%") return x - y * std::floor(x / y);
    throw EvalError("unknown operator " + op);
}

int compare_json(const json& a, const json& b, const std::string& op) {
    if (a.is_number() && b.is_number()) {
        if (is_int(a) && is_int(b)) {
            long long x = a.get<long long>(), y = b.get<long long>();
            return (x > y) - (x < y);
        }
        double x = a.get<double>(), y = b.get<double>();
        return (x > y) - (x < y);
    }
    if (a.is_string() && b.is_string()) {
        int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
        return (c > 0) - (c < 0);
    }
    throw EvalError("cannot compare " + std::string(a.type_name()) + " and " + std::string(b.type_name()) + " with '" + op + "'");
}

bool contains(const json& container, const json& item) {
    if (container.is_string()) {
        if (!item.is_string()) throw EvalError("'in' on a string needs a string on the left");
        return container.get_ref<const std::string&>().find(item.get_ref<const std::string&>()) != std::string::npos;
    }
    if (container.is_array()) {
        for (const auto& e : container)
            if (e == item) return true;
        return false;
    }
    if (container.is_object()) return item.is_string() && container.contains(item.get_ref<const std::string&>());
    throw EvalError("'in' needs a list, a mapping or a string on the right, not " + std::string(container.type_name()));
}

Value loop_attr(const LoopState& l, std::string_view name) {
    if (name == "index") return Value::owned(static_cast<long long>(l.index0 + 1));
    if (name == "index0") return Value::owned(static_cast<long long>(l.index0));
    if (name == "revindex") return Value::owned(static_cast<long long>(l.length - l.index0));
    if (name == "revindex0") return Value::owned(static_cast<long long>(l.length - l.index0 - 1));
    if (name == "first") return Value::owned(l.index0 == 0);
    if (name == "last") return Value::owned(l.index0 + 1 == l.length);
    if (name == "length") return Value::owned(static_cast<long long>(l.length));
    if (name == "depth") return Value::owned(static_cast<long long>(l.depth));
    if (name == "depth0") return Value::owned(static_cast<long long>(l.depth - 1));
    if (name == "previtem") {
        if (l.items && l.index0 > 0) return Value::ref((*l.items)[l.index0 - 1]);
        return Value::undefined("loop.previtem");
    }
    if (name == "nextitem") {
        if (l.items && l.index0 + 1 < l.length) return Value::ref((*l.items)[l.index0 + 1]);
        return Value::undefined("loop.nextitem");
    }
    throw EvalError("loop has no attribute '" + std::string(name) + "'",
                    "use loop.index, loop.index0, loop.first, loop.last, loop.length, loop.revindex, loop.cycle(...)");
}

// x[a:b:c] on a list or a string (by code point), with Python's rules for missing and negative bounds.
Value slice(const Expr& e, EvalContext& ctx) {
    Value subject = evaluate(*e.args[0], ctx);
    if (subject.is_undefined()) return Value::undefined_from(subject, e.text);
    static const json null_json = nullptr;
    const json& s = need_json(subject, ctx, null_json);
    auto bound = [&](std::size_t k) -> std::optional<long long> {
        Value v = evaluate(*e.args[k], ctx);
        const json& j = need_json(v, ctx, null_json);
        if (j.is_null()) return std::nullopt;
        if (!is_int(j)) throw EvalError("slice bounds must be whole numbers, not " + std::string(j.type_name()));
        return j.get<long long>();
    };
    const std::optional<long long> lower = bound(1), upper = bound(2), given_step = bound(3);
    const long long step = given_step.value_or(1);
    if (step == 0) throw EvalError("slice step cannot be zero");
    // A text is sliced by code point: where each one starts, unless every character is one byte.
    static const std::string no_text;
    const std::string& str = s.is_string() ? s.get_ref<const std::string&>() : no_text;
    std::vector<std::size_t> starts;
    std::size_t points = 0;
    for (char c : str) points += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (points != str.size()) {
        ctx.check_size(std::uint64_t{points} * sizeof(std::size_t), "slicing the text");
        starts.reserve(points);
        for (std::size_t i = 0; i < str.size(); ++i)
            if ((static_cast<unsigned char>(str[i]) & 0xC0) != 0x80) starts.push_back(i);
    }
    const auto start_of = [&](std::size_t k) {
        if (k >= points) return str.size();
        return starts.empty() ? k : starts[k];
    };
    if (!s.is_string() && !s.is_array()) throw EvalError("cannot slice " + std::string(s.type_name()));
    ctx.charge(s.is_string() ? str.size() / 16 : s.size());
    const long long n = static_cast<long long>(s.is_string() ? points : s.size());
    auto clamp = [&](std::optional<long long> i, long long fallback) {
        if (!i) return fallback;
        long long v = *i < 0 ? *i + n : *i;
        if (step > 0) return std::clamp(v, 0LL, n);
        return std::clamp(v, -1LL, n - 1);
    };
    const long long from = clamp(lower, step > 0 ? 0 : n - 1), to = clamp(upper, step > 0 ? n : -1);
    json list = json::array();
    std::string text;
    for (long long i = from; step > 0 ? i < to : i > to;) {
        const auto k = static_cast<std::size_t>(i);
        if (s.is_string()) {
            text.append(str, start_of(k), start_of(k + 1) - start_of(k));
        } else {
            list.push_back(s[k]);
        }
        if (__builtin_add_overflow(i, step, &i)) break;  // x[1::9223372036854775807]
    }
    return s.is_string() ? Value::owned(std::move(text)) : Value::owned(std::move(list));
}

Value call(const Expr& e, EvalContext& ctx) {
    const Expr& callee = *e.args[0];
    std::vector<Value> args;
    for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(evaluate(*e.args[i], ctx));
    if (callee.kind == Expr::Kind::name) {
        if (callee.name == "range") {
            static const json zero = 0;
            auto bound = [&](std::size_t i) {
                const json& j = need_json(args[i], ctx, zero);
                if (!j.is_number()) throw EvalError("range() needs whole numbers");
                return is_int(j) ? j.get<long long>() : whole_number(j.get<double>(), "range() argument");
            };
            long long a = 0, b = 0, step = 1;
            if (args.size() == 1) b = bound(0);
            else if (args.size() >= 2 && args.size() <= 3) {
                a = bound(0);
                b = bound(1);
                if (args.size() == 3) step = bound(2);
            } else throw EvalError("range() needs 1 to 3 arguments");
            if (step == 0) throw EvalError("range() step must not be zero");
            // The count first, so that a huge range fails before it is built. Unsigned arithmetic: b - a may not fit
            // in a long long, but it always fits in 64 unsigned bits, and a + k * step wraps back into range.
            using U = std::uint64_t;
            U span = 0;
            if (step > 0 && b > a) span = static_cast<U>(b) - static_cast<U>(a);
            if (step < 0 && a > b) span = static_cast<U>(a) - static_cast<U>(b);
            const U magnitude = step > 0 ? static_cast<U>(step) : U{0} - static_cast<U>(step);
            const U count = span == 0 ? 0 : (span - 1) / magnitude + 1;
            U bytes = 0;
            if (__builtin_mul_overflow(count, U{sizeof(json)}, &bytes)) bytes = UINT64_MAX;
            ctx.check_size(bytes, "range()");
            json r = json::array();
            r.get_ref<json::array_t&>().reserve(static_cast<std::size_t>(count));
            for (U k = 0; k < count; ++k) r.push_back(static_cast<long long>(static_cast<U>(a) + k * static_cast<U>(step)));
            return Value::owned(std::move(r));
        }
        throw EvalError("unknown function '" + callee.name + "'", "functions: range(); use filters for the rest");
    }
    // method call
    Value subject = evaluate(*callee.args[0], ctx);
    const std::string& m = callee.name;
    if (subject.is_loop() && m == "cycle") {
        if (args.empty()) throw EvalError("loop.cycle() needs at least one value");
        return args[subject.loop_state().index0 % args.size()];
    }
    static const json empty_obj = json::object();
    const json& s = need_json(subject, ctx, empty_obj);
    if (s.is_object() && (m == "items" || m == "keys" || m == "values")) {
        json r = json::array();
        for (auto it = s.begin(); it != s.end(); ++it) {
            if (m == "items") r.push_back(json::array({it.key(), it.value()}));
            else if (m == "keys") r.push_back(it.key());
            else r.push_back(it.value());
        }
        return Value::owned(std::move(r));
    }
    if (s.is_object() && m == "get") {
        if (args.empty()) throw EvalError("get() needs a key");
        const json& k = need_json(args[0], ctx, empty_obj);
        if (k.is_string()) {
            auto it = s.find(k.get<std::string>());
            if (it != s.end()) return subject.child(*it);
        }
        return args.size() > 1 ? args[1] : Value::owned(nullptr);
    }
    // Methods on strings map to the filters of the same name (Jinja templates from Python use both forms).
    static constexpr std::pair<std::string_view, std::string_view> string_methods[] = {
        {"upper", "upper"}, {"lower", "lower"}, {"strip", "trim"}, {"title", "title"}, {"capitalize", "capitalize"},
        {"replace", "replace"}};
    for (auto [method, filter] : string_methods) {
        if (m == method && s.is_string()) {
            const FilterDef* f = find_filter(filter);
            return f->fn(subject, args, {}, ctx);
        }
    }
    if (s.is_string() && m == "format") {  // "{:,.0f}".format(x): Python's format mini-language
        std::vector<std::pair<std::string_view, Value>> kwargs;
        for (const auto& [k, v] : e.kwargs) kwargs.emplace_back(k, evaluate(*v, ctx));
        return Value::owned(brace_format(s.get_ref<const std::string&>(), args, kwargs, ctx));
    }
    if (s.is_string() && m == "join") {  // ", ".join(items)
        if (args.size() != 1) throw EvalError("join() needs one list");
        const json& items = need_json(args[0], ctx, empty_obj);
        if (!items.is_array()) throw EvalError("join() needs a list, not " + std::string(items.type_name()));
        std::string r;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i) r += s.get_ref<const std::string&>();
            r += json_to_text(items[i]);
            if (r.size() > ctx.limits.max_value_bytes) ctx.check_size(r.size(), "the joined text");
        }
        return Value::owned(std::move(r));
    }
    if (s.is_string() && (m == "lstrip" || m == "rstrip")) {
        const auto& str = s.get_ref<const std::string&>();
        std::string chars = " \t\n\r\f\v";
        if (!args.empty()) chars = to_text(args[0], ctx);
        std::size_t b = m == "lstrip" ? str.find_first_not_of(chars) : 0;
        std::size_t l = m == "rstrip" ? str.find_last_not_of(chars) : str.size() - 1;
        if (b == std::string::npos || l == std::string::npos) return Value::owned(std::string());
        return Value::owned(str.substr(b, l + 1 - b));
    }
    if (s.is_string() && m == "zfill") {  // "7".zfill(2) → "07"
        if (args.size() != 1) throw EvalError("zfill() needs a width");
        std::string str = s.get<std::string>();
        const json& w = need_json(args[0], ctx, empty_obj);
        if (!w.is_number()) throw EvalError("zfill() needs a whole number");
        const long long given = is_int(w) ? w.get<long long>() : whole_number(w.get<double>(), "zfill width");
        const auto width = static_cast<std::size_t>(std::max(0LL, given));
        ctx.check_size(width, "the zero-filled text");
        std::size_t sign = !str.empty() && (str[0] == '-' || str[0] == '+') ? 1 : 0;
        if (str.size() < width) str.insert(sign, width - str.size(), '0');
        return Value::owned(std::move(str));
    }
    if (s.is_string() && m == "isdigit") {
        const auto& str = s.get_ref<const std::string&>();
        return Value::owned(!str.empty() && std::all_of(str.begin(), str.end(), [](char c) { return c >= '0' && c <= '9'; }));
    }
    if (s.is_string() && (m == "startswith" || m == "endswith")) {
        if (args.size() != 1) throw EvalError(m + "() needs one argument");
        const json& a = need_json(args[0], ctx, empty_obj);
        if (!a.is_string()) throw EvalError(m + "() needs a string");
        const auto& str = s.get_ref<const std::string&>();
        const auto& x = a.get_ref<const std::string&>();
        bool r = m == "startswith" ? str.starts_with(x) : str.ends_with(x);
        return Value::owned(r);
    }
    if (s.is_string() && m == "split") {
        const auto& str = s.get_ref<const std::string&>();
        json r = json::array();
        if (args.empty()) {
            std::size_t i = 0;
            while (i < str.size()) {
                while (i < str.size() && std::isspace(static_cast<unsigned char>(str[i]))) ++i;
                std::size_t j = i;
                while (j < str.size() && !std::isspace(static_cast<unsigned char>(str[j]))) ++j;
                if (j > i) r.push_back(str.substr(i, j - i));
                i = j;
            }
        } else {
            const json& sep = need_json(args[0], ctx, empty_obj);
            if (!sep.is_string() || sep.get_ref<const std::string&>().empty()) throw EvalError("split() needs a non-empty separator");
            const auto& d = sep.get_ref<const std::string&>();
            std::size_t i = 0;
            while (true) {
                std::size_t j = str.find(d, i);
                if (j == std::string::npos) { r.push_back(str.substr(i)); break; }
                r.push_back(str.substr(i, j - i));
                i = j + d.size();
                // Each piece costs a list item, however short: "a,,,,,," splits into many.
                if (r.size() * sizeof(json) > ctx.limits.max_value_bytes) ctx.check_size(r.size() * sizeof(json), "split()");
            }
        }
        return Value::owned(std::move(r));
    }
    throw EvalError("unknown method '" + m + "' on " + std::string(s.type_name()));
}

}  // namespace

std::vector<std::string> code_points(const std::string& str) {
    std::vector<std::string> cps;
    for (std::size_t i = 0; i < str.size();) {
        std::size_t len = 1;
        while (i + len < str.size() && (static_cast<unsigned char>(str[i + len]) & 0xC0) == 0x80) ++len;
        cps.push_back(str.substr(i, len));
        i += len;
    }
    return cps;
}

std::string json_to_text(const json& j) {
    switch (j.type()) {
        case json::value_t::null: return {};
        case json::value_t::string: return j.get<std::string>();
        case json::value_t::boolean: return j.get<bool>() ? "True" : "False";
        case json::value_t::number_integer: return std::to_string(j.get<long long>());
        case json::value_t::number_unsigned: return std::to_string(j.get<unsigned long long>());
        case json::value_t::number_float: return python_float(j.get<double>());
        default: {
            std::string out;
            py_repr(j, out);
            return out;
        }
    }
}

std::string to_text(const Value& v, const EvalContext& ctx) {
    if (v.is_undefined()) {
        if (!ctx.lenient) missing(v);
        return {};
    }
    if (v.is_rich()) return v.rich_text().plain();
    if (v.is_loop()) return "<loop>";
    if (v.is_image()) throw_image_as_text();
    return json_to_text(v.j());
}

bool truthy(const Value& v, const EvalContext& ctx) {
    if (v.is_undefined()) {
        if (!ctx.lenient) missing(v);
        return false;
    }
    if (v.is_rich()) return !v.rich_text().spans.empty();
    if (v.is_loop() || v.is_image()) return true;
    const json& j = v.j();
    switch (j.type()) {
        case json::value_t::null: return false;
        case json::value_t::boolean: return j.get<bool>();
        case json::value_t::number_integer: return j.get<long long>() != 0;
        case json::value_t::number_unsigned: return j.get<unsigned long long>() != 0;
        case json::value_t::number_float: return j.get<double>() != 0.0;
        case json::value_t::string: return !j.get_ref<const std::string&>().empty();
        case json::value_t::array:
        case json::value_t::object: return !j.empty();
        default: return true;
    }
}

Value get_attr(const Value& subject, std::string_view name, const std::string& what) {
    if (subject.is_undefined()) return Value::undefined_from(subject, what);
    if (subject.is_loop()) return loop_attr(subject.loop_state(), name);
    if (subject.is_rich()) return Value::undefined(what);
    if (subject.is_image()) return image_attribute(*subject.image_ptr(), name, what);
    const json& j = subject.j();
    if (j.is_object()) {
        auto it = j.find(name);
        if (it != j.end()) return subject.child(*it);
        return Value::undefined(what, &j, std::string(name));
    }
    return Value::undefined(what);
}

namespace {

// Filters that look at a value without reading all of it: they cost one unit, not the size of their input.
bool constant_time(const FilterDef* f) {
    static const FilterDef* const cheap[] = {find_filter("length"), find_filter("count"), find_filter("first"),
                                             find_filter("last"),   find_filter("default"), find_filter("d"),
                                             find_filter("escape"), find_filter("e")};
    return std::find(std::begin(cheap), std::end(cheap), f) != std::end(cheap);
}

Value evaluate_node(const Expr& e, EvalContext& ctx);

}  // namespace

Value evaluate(const Expr& e, EvalContext& ctx) {
    ctx.charge(1);
    Value v = evaluate_node(e, ctx);
    // Computed values pay for their size (and are refused when too big); so does every use of a variable holding
    // one, which is a copy.
    if (v.is_owned_json()) ctx.account(v.j());
    return v;
}

namespace {

Value evaluate_node(const Expr& e, EvalContext& ctx) {
    static const json null_json = nullptr;
    switch (e.kind) {
        case Expr::Kind::literal: return Value::ref(e.literal);
        case Expr::Kind::name: return ctx.scope.lookup(e.name);
        case Expr::Kind::attr: return get_attr(evaluate(*e.args[0], ctx), e.name, e.text);
        case Expr::Kind::index: {
            Value subject = evaluate(*e.args[0], ctx);
            Value key = evaluate(*e.args[1], ctx);
            if (subject.is_undefined()) return Value::undefined_from(subject, e.text);
            const json& k = need_json(key, ctx, null_json);
            if (subject.is_loop()) {
                if (k.is_string()) return get_attr(subject, k.get<std::string>(), e.text);
                throw EvalError("loop can only be indexed by name");
            }
            if (!subject.is_json()) return Value::undefined(e.text);
            const json& s = subject.j();
            if (s.is_array() && is_int(k)) {
                long long i = k.get<long long>();
                long long n = static_cast<long long>(s.size());
                if (i < 0) i += n;
                if (i < 0 || i >= n) return Value::undefined(e.text);
                return subject.child(s[static_cast<std::size_t>(i)]);
            }
            if (s.is_object() && k.is_string()) {
                auto it = s.find(k.get_ref<const std::string&>());
                if (it != s.end()) return subject.child(*it);
                return Value::undefined(e.text, &s, k.get<std::string>());
            }
            if (s.is_string() && is_int(k)) {
                // index by code point
                const auto& str = s.get_ref<const std::string&>();
                auto length_at = [&](std::size_t i) -> std::size_t {
                    const auto c = static_cast<unsigned char>(str[i]);
                    return std::min(str.size() - i, std::size_t{c >= 0xF0 ? 4u : c >= 0xE0 ? 3u : c >= 0xC0 ? 2u : 1u});
                };
                long long n = 0;
                for (std::size_t i = 0; i < str.size(); i += length_at(i)) ++n;
                ctx.charge(str.size() / 16);
                long long i = k.get<long long>();
                if (i < 0) i += n;
                if (i < 0 || i >= n) return Value::undefined(e.text);
                std::size_t at = 0;
                for (long long skip = 0; skip < i; ++skip) at += length_at(at);
                return Value::owned(str.substr(at, length_at(at)));
            }
            if (s.is_null()) return Value::undefined(e.text);
            throw EvalError("cannot index " + std::string(s.type_name()) + " with " + std::string(k.type_name()));
        }
        case Expr::Kind::slice: return slice(e, ctx);
        case Expr::Kind::unary: {
            Value v = evaluate(*e.args[0], ctx);
            if (e.name == "not") return Value::owned(!truthy(v, ctx));
            static const json zero = 0;
            const json& j = need_json(v, ctx, zero);
            if (!j.is_number()) throw EvalError("cannot apply unary '" + e.name + "' to " + std::string(j.type_name()));
            if (e.name == "+") return Value::owned(j);
            if (is_int(j)) {
                const long long x = j.get<long long>();
                if (x == std::numeric_limits<long long>::min()) return Value::owned(-static_cast<double>(x));
                return Value::owned(-x);
            }
            return Value::owned(-j.get<double>());
        }
        case Expr::Kind::binary: {
            const std::string& op = e.name;
            if (op == "and") {
                Value l = evaluate(*e.args[0], ctx);
                if (!truthy(l, ctx)) return l;
                return evaluate(*e.args[1], ctx);
            }
            if (op == "or") {
                Value l = evaluate(*e.args[0], ctx);
                if (truthy(l, ctx)) return l;
                return evaluate(*e.args[1], ctx);
            }
            Value l = evaluate(*e.args[0], ctx);
            Value r = evaluate(*e.args[1], ctx);
            if (op == "~") {
                std::string left = to_text(l, ctx), right = to_text(r, ctx);
                ctx.check_size(std::uint64_t{left.size()} + right.size(), "the joined text");
                return Value::owned(left + right);
            }
            static const json empty_str = "";
            auto as_json = [&](const Value& v) -> json {
                if (v.is_rich()) return v.rich_text().plain();
                if (v.is_loop()) throw EvalError("loop cannot be used in '" + op + "'");
                return need_json(v, ctx, empty_str);
            };
            if (op == "==" || op == "!=") {
                bool eq;
                if (l.is_undefined() || r.is_undefined()) {
                    if (!ctx.lenient) missing(l.is_undefined() ? l : r);
                    eq = l.is_undefined() && r.is_undefined();
                } else {
                    json a = as_json(l), b = as_json(r);
                    if (a.is_number() && b.is_number()) eq = compare_json(a, b, op) == 0;
                    else eq = a == b;
                }
                return Value::owned(op == "==" ? eq : !eq);
            }
            if (op == "in" || op == "not in") {
                ctx.charge(shallow_units(r));
                // The list by reference: a copy on every test would cost far more than the search it is charged for.
                json converted;
                const json& container = r.is_json() ? need_json(r, ctx, empty_str) : (converted = as_json(r));
                return Value::owned(contains(container, as_json(l)) == (op == "in"));
            }
            json a = as_json(l), b = as_json(r);
            if (op == "<") return Value::owned(compare_json(a, b, op) < 0);
            if (op == "<=") return Value::owned(compare_json(a, b, op) <= 0);
            if (op == ">") return Value::owned(compare_json(a, b, op) > 0);
            if (op == ">=") return Value::owned(compare_json(a, b, op) >= 0);
            if (op == "%" && a.is_string()) {  // Python's "%.2f" % x, "%s/%s" % (a, b)
                std::vector<Value> values;
                if (e.args[1]->kind == Expr::Kind::list && e.args[1]->name == "tuple")
                    for (const auto& item : b) values.push_back(Value::ref(item));
                else
                    values.push_back(Value::ref(b));
                return Value::owned(percent_format(a.get_ref<const std::string&>(), values, ctx));
            }
            return Value::owned(arithmetic(op, a, b, ctx));
        }
        case Expr::Kind::cond: {
            Value c = evaluate(*e.args[0], ctx);
            if (truthy(c, ctx)) return evaluate(*e.args[1], ctx);
            if (e.args.size() > 2) return evaluate(*e.args[2], ctx);
            return Value::owned(nullptr);  // "x if c" without else prints nothing, as in Jinja; nothing is missing
        }
        case Expr::Kind::filter: {
            Value subject = evaluate(*e.args[0], ctx);
            if (subject.is_undefined() && !e.filter->accepts_undefined) {
                if (!ctx.lenient) missing(subject);
            }
            std::vector<Value> args;
            args.reserve(e.args.size() - 1);
            for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(evaluate(*e.args[i], ctx));
            std::vector<std::pair<std::string_view, Value>> kwargs;
            for (const auto& [k, v] : e.kwargs) kwargs.emplace_back(k, evaluate(*v, ctx));
            if (!constant_time(e.filter)) ctx.charge(shallow_units(subject));
            try {
                Value result = e.filter->fn(subject, args, kwargs, ctx);
                // A filter may answer with a reference into its input ("| first", "| max"); when the input was a
                // computed temporary, which dies here, the answer must own a copy.
                bool temporaries = subject.is_owned_json();
                for (const auto& a : args) temporaries = temporaries || a.is_owned_json();
                if (temporaries && result.is_ref()) return Value::owned(result.j());
                return result;
            } catch (const EvalError& err) {
                EvalError named("filter '" + e.name + "': " + err.what(), err.hint);
                named.parent = err.parent;  // keep pointing into the data
                named.key = err.key;
                named.after_error = err.after_error;
                named.limit = err.limit;
                throw named;
            }
        }
        case Expr::Kind::test: {
            Value subject = evaluate(*e.args[0], ctx);
            std::vector<Value> args;
            for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(evaluate(*e.args[i], ctx));
            static const TestDef* const in_test = find_test("in");
            if (e.test == in_test && !args.empty()) ctx.charge(shallow_units(args[0]));
            bool r = e.test->fn(subject, args, ctx);
            return Value::owned(e.negated ? !r : r);
        }
        case Expr::Kind::list: {
            json r = json::array();
            for (const auto& a : e.args) {
                Value v = evaluate(*a, ctx);
                if (v.is_rich()) r.push_back(v.rich_text().plain());
                else r.push_back(need_json(v, ctx, null_json));
            }
            return Value::owned(std::move(r));
        }
        case Expr::Kind::dict: {
            json r = json::object();
            for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
                Value k = evaluate(*e.args[i], ctx);
                Value v = evaluate(*e.args[i + 1], ctx);
                r[to_text(k, ctx)] = need_json(v, ctx, null_json);
            }
            return Value::owned(std::move(r));
        }
        case Expr::Kind::call: return call(e, ctx);
    }
    return Value::undefined(e.text);
}

}  // namespace

}  // namespace vanban::core
