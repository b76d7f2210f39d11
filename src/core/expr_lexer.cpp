// The lexer of the expression language: takes the text inside a tag, gives a TokenStream of names, numbers, decoded
// strings and operators with their byte offsets (for located ParseErrors). Shared by the statement parser
// (program.cpp) and the expression parser (expr_parser.cpp).
#include <algorithm>
#include <cstring>

#include "core/expr.hpp"

namespace vanban::core {

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
    if (at(ldq) || at(low)) {
        *close = rdq;
        return 3;
    }
    if (at(rdq)) {
        *close = rdq;
        return 3;
    }  // "wrong" closing quote used to open: still a quote
    if (at(lsq) || at(rsq)) {
        *close = rsq;
        return 3;
    }
    return 0;
}

// Whitespace, including U+00A0 (C2 A0) and U+202F that Word puts in: the offset of the next token.
std::size_t skip_space(std::string_view source, std::size_t i) {
    while (i < source.size()) {
        const char c = source[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
            continue;
        }
        if (source.compare(i, 2, "\xC2\xA0") == 0) {
            i += 2;
            continue;
        }
        if (source.compare(i, 3, "\xE2\x80\xAF") == 0) {
            i += 3;
            continue;
        }
        break;
    }
    return i;
}

// A number from `i`: digits with '_' separators, an optional fraction and exponent. Gives its text without the '_'.
std::size_t scan_number(std::string_view source, std::size_t i, std::string& text) {
    const std::size_t n = source.size();
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
    for (char d : source.substr(i, j - i))
        if (d != '_') text += d;
    return j;
}

// A string literal opened at `i` (by `opening_length` bytes; 0: a plain ' or "): gives its decoded value, returns
// the offset after the closing quote.
std::size_t scan_string(std::string_view source, std::size_t i, std::size_t opening_length,
                        std::string_view curly_close, std::string& value) {
    const std::size_t n = source.size();
    const std::string_view closing = opening_length ? curly_close : source.substr(i, 1);
    std::size_t j = i + (opening_length ? opening_length : 1);
    while (j < n) {
        if (source.compare(j, closing.size(), closing) == 0 ||
            (opening_length &&
             (source.compare(j, 3, "\xE2\x80\x9D") == 0 || source.compare(j, 3, "\xE2\x80\x99") == 0) &&
             closing.size() == 3))
            return j + closing.size();
        if (source[j] == '\\' && j + 1 < n) {
            const char e = source[j + 1];
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
    throw ParseError("unterminated string literal", i);
}

// An operator at `i` (two characters before one): gives its text, returns the offset after it.
std::size_t scan_operator(std::string_view source, std::size_t i, std::string& text) {
    static constexpr std::string_view two[] = {"==", "!=", "<=", ">=", "//", "**"};
    for (auto op : two) {
        if (source.compare(i, 2, op) == 0) {
            text = std::string(op);
            return i + 2;
        }
    }
    const char c = source[i];
    if (std::strchr("+-*/%~|.,:()[]{}<>=", c) == nullptr || c == '\0')
        throw ParseError(std::string("unexpected character '") + c + "'", i);
    text = std::string(1, c);
    return i + 1;
}

}  // namespace

TokenStream::TokenStream(std::string_view source) : source_(source) {
    std::size_t i = 0;
    while (true) {
        i = skip_space(source, i);
        Token t;
        t.offset = i;
        if (i >= source.size()) {
            t.type = Type::end;
            tokens_.push_back(t);
            break;
        }
        const char c = source[i];
        std::string_view curly_close;
        std::size_t curly_length = 0;
        if (is_name_start(c)) {
            std::size_t j = i;
            while (j < source.size() && is_name_char(source[j])) ++j;
            t.type = Type::name;
            t.text = std::string(source.substr(i, j - i));
            i = j;
        } else if (is_digit(c)) {
            t.type = Type::number;
            i = scan_number(source, i, t.text);
        } else if (c == '"' || c == '\'' || (curly_length = curly_open_quote(source, i, &curly_close)) != 0) {
            t.type = Type::string;
            i = scan_string(source, i, curly_length, curly_close, t.text);
        } else {
            t.type = Type::op;
            i = scan_operator(source, i, t.text);
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
        throw ParseError(
            t.type == Type::end ? "expected a name at the end of the tag" : "expected a name, found '" + t.text + "'",
            t.offset);
    }
    return next().text;
}

}  // namespace vanban::core
