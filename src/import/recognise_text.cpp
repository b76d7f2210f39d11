#include "import/recognise_text.hpp"

#include <algorithm>

#include "core/vn.hpp"

namespace vanban::import::plan {

namespace {

bool is_space_at(std::string_view s, std::size_t i, std::size_t& width) {
    width = 1;
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') return true;
    if (s.substr(i, 2) == "\xC2\xA0") {  // no-break space
        width = 2;
        return true;
    }
    return false;
}

}  // namespace

std::string squash(std::string_view s) {
    std::string out;
    bool space = false;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t w = 1;
        if (is_space_at(s, i, w)) {
            space = true;
        } else {
            if (space && !out.empty()) out += ' ';
            space = false;
            out += s[i];
        }
        i += w;
    }
    return out;
}

std::string without_stars(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), '*'), s.end());
    return s;
}

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at <= s.size()) {
        std::size_t end = s.find('\n', at);
        if (end == std::string::npos) end = s.size();
        out.push_back(s.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

std::string clean(const std::string& line) { return squash(without_stars(line)); }

bool has_letter(const std::string& s) { return vn::lower(s) != vn::upper(s); }
bool is_upper_text(const std::string& s) { return has_letter(s) && vn::upper(s) == s; }
bool starts_with_lower(const std::string& s, std::string_view prefix) { return vn::lower(s).starts_with(prefix); }

std::string first_words(const std::string& text) {
    const std::string s = squash(text);
    if (s.size() <= 60) return s;
    std::size_t end = 0;
    while (end < s.size() && end < 60) vn::next_code_point(s, end);
    const std::size_t space = s.rfind(' ', end);
    if (space != std::string::npos && space > 30) end = space;
    return s.substr(0, std::min(end, s.size())) + "…";
}

int word_count(const std::string& s) {
    const std::string t = squash(s);
    return t.empty() ? 0 : static_cast<int>(std::count(t.begin(), t.end(), ' ')) + 1;
}

bool ends_sentence(const std::string& s) {
    const std::string t = squash(s);
    if (t.empty()) return true;
    const char c = t.back();
    return c == '.' || c == ';' || c == ':' || c == '!' || c == '?';
}

bool starts_lower_or_digit(const std::string& s) {
    if (s.empty()) return false;
    if (s[0] >= '0' && s[0] <= '9') return true;
    std::size_t first_end = 0;
    vn::next_code_point(s, first_end);
    const std::string first = s.substr(0, first_end);
    return vn::lower(first) == first && vn::upper(first) != first;
}

std::string digits_at(const std::string& s, std::size_t& i, std::size_t max) {
    std::string d;
    while (i < s.size() && d.size() < max && s[i] >= '0' && s[i] <= '9') d += s[i++];
    return d;
}

std::size_t skip_blanks(const std::string& s, std::size_t i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    return i;
}

bool legal_basis_like(const std::string& s) {
    for (const char* w : {"căn cứ", "thực hiện", "xét", "theo", "triển khai"})
        if (starts_with_lower(s, w)) return true;
    return false;
}

// ----- labels

namespace {

int letter_number(const std::string& letter) {
    for (int n = 1; n <= 23; ++n)
        if (vn::diem_letter(n) == letter) return n;
    return 0;
}

Label finish_label(Label l, const std::string& s, std::size_t end) {
    const std::size_t after = skip_blanks(s, end);
    if (after == end || after >= s.size()) return {};  // a label needs a space and something after it
    l.printed = s.substr(0, end);
    l.length = after;
    return l;
}

}  // namespace

std::optional<int> roman_value(const std::string& s) {
    if (s.empty() || s.size() > 8) return std::nullopt;
    for (int n = 1; n < 100; ++n)
        if (vn::roman(n) == s) return n;
    return std::nullopt;
}

Label parse_label(const std::string& s) {
    Label l;
    // Bullets: "-", "+", "- +" (seed 003), and the dashes and dots word processors type.
    for (const char* sym : {"-", "+", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\xA2", "\xC2\xB7", "\xE2\x88\x99"}) {
        const std::string symbol = sym;
        if (!s.starts_with(symbol)) continue;
        const std::size_t after = skip_blanks(s, symbol.size());
        if (after == symbol.size()) break;
        l.kind = Label::Kind::bullet;
        l.symbol = symbol;
        if (symbol == "-" && s.compare(after, 1, "+") == 0 && skip_blanks(s, after + 1) > after + 1) {
            l.symbol = "- +";
            return finish_label(l, s, after + 1);
        }
        return finish_label(l, s, symbol.size());
    }
    std::size_t i = 0;
    if (s[0] == '(') {
        i = 1;
        const std::string d = digits_at(s, i, 3);
        if (!d.empty() && i < s.size() && s[i] == ')') {
            l.kind = Label::Kind::paren;
            l.number = std::stoi(d);
            return finish_label(l, s, i + 1);
        }
        return {};
    }
    const std::string d1 = digits_at(s, i, 3);
    if (!d1.empty() && i < s.size() && s[i] == '.') {
        ++i;
        if (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            const std::string d2 = digits_at(s, i, 3);
            if (i < s.size() && s[i] == '.') ++i;
            l.kind = Label::Kind::decimal;
            l.first = std::stoi(d1);
            l.number = std::stoi(d2);
            return finish_label(l, s, i);
        }
        l.kind = Label::Kind::arabic;
        l.number = std::stoi(d1);
        return finish_label(l, s, i);
    }
    if (!d1.empty() && i < s.size() && s[i] == ')') {
        l.kind = Label::Kind::paren;
        l.number = std::stoi(d1);
        return finish_label(l, s, i + 1);
    }
    if (!d1.empty()) return {};
    std::size_t r = 0;
    while (r < s.size() && r < 8 && std::string_view("IVXLC").find(s[r]) != std::string_view::npos) ++r;
    if (r > 0 && r < s.size() && s[r] == '.') {
        if (const auto n = roman_value(s.substr(0, r))) {
            l.kind = Label::Kind::roman;
            l.number = *n;
            return finish_label(l, s, r + 1);
        }
    }
    const std::size_t w = s.starts_with("\xC4\x91") ? 2 : (s[0] >= 'a' && s[0] <= 'z') ? 1 : 0;  // đ or a–z
    if (w > 0 && w < s.size() && s[w] == ')') {
        l.kind = Label::Kind::letter;
        l.number = letter_number(s.substr(0, w));
        return finish_label(l, s, w + 1);
    }
    return {};
}

std::string scheme_of(Label::Kind k) {
    switch (k) {
        case Label::Kind::roman: return "roman";
        case Label::Kind::arabic: return "arabic";
        case Label::Kind::decimal: return "decimal";
        case Label::Kind::letter: return "letter";
        case Label::Kind::paren: return "paren";
        default: return "";
    }
}

int rank_of(const std::string& scheme) {
    return scheme == "roman" ? 0 : scheme == "arabic" ? 1 : scheme == "decimal" ? 2 : scheme == "letter" ? 3 : 4;
}

std::string label_for(const std::string& scheme, int n, int parent) {
    if (scheme == "roman") return vn::roman(n).value_or("?") + ".";
    if (scheme == "arabic") return std::to_string(n) + ".";
    if (scheme == "decimal") return std::to_string(parent) + "." + std::to_string(n) + ".";
    if (scheme == "paren") return "(" + std::to_string(n) + ")";
    return vn::diem_letter(n).value_or("?") + ")";
}

}  // namespace vanban::import::plan
