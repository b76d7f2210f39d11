// The text filters: takes a value (printed as text) and the filter arguments, gives text — Vietnamese-aware case
// mapping through ICU (core/vn.hpp), replace, truncate, trim, centre, word count, printf-style format, JSON.
#include <algorithm>
#include <cctype>
#include <cstdint>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/filters_internal.hpp"
#include "core/vn.hpp"

namespace vanban::core::filter_impl {

Value f_upper(const Value& s, Args, KwArgs, EvalContext& c) { return str_result(vn::upper(text_of(s, c))); }
Value f_lower(const Value& s, Args, KwArgs, EvalContext& c) { return str_result(vn::lower(text_of(s, c))); }
Value f_title(const Value& s, Args, KwArgs, EvalContext& c) { return str_result(vn::title(text_of(s, c))); }
Value f_capitalize(const Value& s, Args, KwArgs, EvalContext& c) { return str_result(vn::capitalize(text_of(s, c))); }
Value f_nfc(const Value& s, Args, KwArgs, EvalContext& c) { return str_result(vn::nfc(text_of(s, c))); }
Value f_slug(const Value& s, Args, KwArgs, EvalContext& c) { return str_result(vn::slug(text_of(s, c))); }

Value f_trim(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    std::string t = text_of(s, c);
    std::string chars = " \t\n\r\f\v";
    if (const Value* v = arg(a, kw, 0, "chars")) chars = text_of(*v, c);
    auto b = t.find_first_not_of(chars);
    if (b == std::string::npos) return str_result("");
    auto e = t.find_last_not_of(chars);
    return str_result(t.substr(b, e - b + 1));
}

Value f_replace(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    std::string t = text_of(s, c);
    const Value* old_text = arg(a, kw, 0, "old");
    const Value* new_text = arg(a, kw, 1, "new");
    if (!old_text || !new_text) throw EvalError("replace needs the text to replace and its replacement");
    std::string from = text_of(*old_text, c), to = text_of(*new_text, c);
    long long count = int_arg(arg(a, kw, 2, "count"), -1, "count");
    if (from.empty()) return str_result(t);
    std::string out;
    std::size_t i = 0;
    long long done = 0;
    while (true) {
        std::size_t j = t.find(from, i);
        if (j == std::string::npos || (count >= 0 && done >= count)) break;
        out.append(t, i, j - i);
        c.check_size(std::uint64_t{out.size()} + to.size(), "the replaced text");
        out += to;
        i = j + from.size();
        ++done;
    }
    out.append(t, i, std::string::npos);
    return str_result(std::move(out));
}

Value f_truncate(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    std::string t = text_of(s, c);
    long long length = int_arg(arg(a, kw, 0, "length"), 255, "length");
    bool killwords = bool_arg(arg(a, kw, 1, "killwords"), false, c);
    std::string end = "...";
    if (const Value* v = arg(a, kw, 2, "end")) end = text_of(*v, c);
    long long leeway = int_arg(arg(a, kw, 3, "leeway"), 5, "leeway");
    // count code points
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < t.size(); ++i)
        if (!vn::is_utf8_continuation(t[i])) starts.push_back(i);
    long long n = static_cast<long long>(starts.size());
    if (length >= n || n - length <= leeway) return str_result(t);  // (length + leeway could overflow)
    long long keep = std::max<long long>(0, length - static_cast<long long>(code_point_count(end)));
    std::string head = t.substr(0, keep < n ? starts[static_cast<std::size_t>(keep)] : t.size());
    if (!killwords) {
        auto sp = head.find_last_of(' ');
        if (sp != std::string::npos) head.resize(sp);
    }
    return str_result(head + end);
}

// Jinja counts matches of \w+: runs of letters, digits and underscores ("a-b c_d" has three words).
Value f_wordcount(const Value& s, Args, KwArgs, EvalContext& c) {
    const std::string t = text_of(s, c);
    long long n = 0;
    bool in = false;
    for (int32_t i = 0, len = static_cast<int32_t>(t.size()); i < len;) {
        UChar32 ch;
        U8_NEXT(t.data(), i, len, ch);
        const auto category = static_cast<UCharCategory>(u_charType(ch));
        bool word = ch == '_' || u_isalnum(ch) || category == U_LETTER_NUMBER || category == U_OTHER_NUMBER;
        if (word && !in) ++n;
        in = word;
    }
    return Value::owned(n);
}

Value f_center(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const auto width = static_cast<std::size_t>(std::max(0LL, int_arg(arg(a, kw, 0, "width"), 80, "width")));
    c.check_size(width, "the centred text");
    // where Python's str.center puts the odd space
    const std::string t = text_of(s, c);
    const std::size_t have = code_point_count(t);
    if (have >= width) return str_result(t);
    const std::size_t missing = width - have, left = missing / 2 + (missing & width & 1);
    return str_result(std::string(left, ' ') + t + std::string(missing - left, ' '));
}

Value f_escape(const Value& s, Args, KwArgs, EvalContext& c) {
    // vanban escapes every value for XML already; escape() exists so Jinja templates keep working.
    if (s.is_rich()) return s;
    return str_result(text_of(s, c));
}

Value f_string(const Value& s, Args, KwArgs, EvalContext& c) { return str_result(text_of(s, c)); }

Value f_format(const Value& s, Args a, KwArgs, EvalContext& c) {
    return str_result(percent_format(text_of(s, c), a, c));
}

Value f_tojson(const Value& s, Args, KwArgs, EvalContext& c) { return str_result(j_of(s, c).dump()); }

namespace {
// The chunks Python's textwrap breaks a line into: runs of white space, words, and with break_on_hyphens the
// parts of a hyphenated word (after a hyphen that follows two letters and comes before a letter: "well-known").
std::vector<std::string> wrap_chunks(const std::vector<std::string>& cps, bool break_on_hyphens) {
    const auto space = [](const std::string& cp) { return cp == " " || cp == "\t"; };
    const auto letter = [](const std::string& cp) {
        UChar32 ch;
        int32_t i = 0;
        U8_NEXT(cp.data(), i, static_cast<int32_t>(cp.size()), ch);
        return u_isalpha(ch) != 0;
    };
    std::vector<std::string> chunks;
    for (std::size_t i = 0; i < cps.size(); ++i) {
        const bool starts = chunks.empty() || space(cps[i]) != space(cps[i - 1]) ||
                            (break_on_hyphens && i >= 3 && cps[i - 1] == "-" && letter(cps[i - 2]) &&
                             letter(cps[i - 3]) && letter(cps[i]));
        if (starts) chunks.emplace_back();
        chunks.back() += cps[i];
    }
    return chunks;
}

// One line wrapped as textwrap.TextWrapper(width, break_long_words, break_on_hyphens, replace_whitespace=False,
// drop_whitespace=True) does; widths in code points.
void wrap_line(const std::string& line, std::size_t width, bool break_long, bool break_on_hyphens,
               std::vector<std::string>& lines) {
    std::vector<std::string> chunks = wrap_chunks(code_points(line), break_on_hyphens);
    std::reverse(chunks.begin(), chunks.end());
    const auto blank = [](const std::string& chunk) { return chunk.find_first_not_of(" \t") == std::string::npos; };
    bool first = true;
    while (!chunks.empty()) {
        if (blank(chunks.back()) && !first) chunks.pop_back();  // a line after the first does not start with a space
        first = false;
        std::vector<std::string> current;
        std::size_t length = 0;
        while (!chunks.empty() && length + code_point_count(chunks.back()) <= width) {
            length += code_point_count(chunks.back());
            current.push_back(std::move(chunks.back()));
            chunks.pop_back();
        }
        if (!chunks.empty() && code_point_count(chunks.back()) > width) {  // a word longer than a line
            const std::size_t room = width > length ? width - length : 1;
            if (break_long) {
                const std::string head(code_point_prefix(chunks.back(), room));
                chunks.back().erase(0, head.size());
                current.push_back(head);
            } else if (current.empty()) {
                current.push_back(std::move(chunks.back()));
                chunks.pop_back();
            }
        }
        if (!current.empty() && blank(current.back())) current.pop_back();
        if (!current.empty()) {
            std::string joined;
            for (const auto& chunk : current) joined += chunk;
            lines.push_back(std::move(joined));
        }
    }
}
}  // namespace

// Jinja's wordwrap(width=79, break_long_words=true, wrapstring='\n', break_on_hyphens=true): each line of the text
// wrapped as Python's textwrap does.
Value f_wordwrap(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const long long width = int_arg(arg(a, kw, 0, "width"), 79, "width");
    if (width <= 0) throw EvalError("wordwrap width must be positive");
    const bool break_long = bool_arg(arg(a, kw, 1, "break_long_words"), true, c);
    std::string wrapstring = "\n";
    if (const Value* w = arg(a, kw, 2, "wrapstring"); w && !(w->is_json() && w->j().is_null()))
        wrapstring = text_of(*w, c);
    const bool hyphens = bool_arg(arg(a, kw, 3, "break_on_hyphens"), true, c);
    const std::string t = text_of(s, c);
    c.charge(1 + t.size() / 4);
    std::vector<std::string> lines;
    std::size_t from = 0;
    while (from <= t.size()) {  // Python's splitlines: a last empty line is not a line
        std::size_t nl = t.find_first_of("\r\n", from);
        if (nl == std::string::npos) nl = t.size();
        if (nl == t.size() && from == t.size() && from > 0) break;
        wrap_line(t.substr(from, nl - from), static_cast<std::size_t>(width), break_long, hyphens, lines);
        if (nl < t.size() && t[nl] == '\r' && nl + 1 < t.size() && t[nl + 1] == '\n') ++nl;
        from = nl + 1;
    }
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i) out += wrapstring;
        out += lines[i];
        c.check_size(out.size(), "the wrapped text");
    }
    return str_result(std::move(out));
}

// Jinja's striptags: markup tags removed, entities decoded, runs of white space made one space.
Value f_striptags(const Value& s, Args, KwArgs, EvalContext& c) {
    const std::string t = text_of(s, c);
    c.charge(1 + t.size() / 16);
    std::string bare;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t.compare(i, 4, "<!--") == 0) {
            const std::size_t end = t.find("-->", i + 4);
            if (end != std::string::npos) {
                i = end + 2;
                continue;
            }
        } else if (t[i] == '<') {
            const std::size_t end = t.find('>', i + 1);
            if (end != std::string::npos) {
                i = end;
                continue;
            }
        }
        bare += t[i];
    }
    static constexpr std::pair<std::string_view, std::string_view> kEntities[] = {
        {"&lt;", "<"},  {"&gt;", ">"},   {"&quot;", "\""},     {"&#34;", "\""},
        {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", "\u00A0"}, {"&amp;", "&"}};
    std::string decoded;
    for (std::size_t i = 0; i < bare.size(); ++i) {
        bool replaced = false;
        if (bare[i] == '&')
            for (const auto& [entity, text] : kEntities)
                if (bare.compare(i, entity.size(), entity) == 0) {
                    decoded += text;
                    i += entity.size() - 1;
                    replaced = true;
                    break;
                }
        if (!replaced) decoded += bare[i];
    }
    std::string out;
    for (const char ch : decoded) {
        const bool space = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
        if (!space) out += ch;
        else if (!out.empty() && out.back() != ' ') out += ' ';
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return str_result(std::move(out));
}

Value f_indent(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    std::string pad = "    ";
    if (const Value* w = arg(a, kw, 0, "width")) {
        if (w->is_json() && w->j().is_string()) pad = w->j().get<std::string>();
        else pad = std::string(static_cast<std::size_t>(std::max(0LL, std::min(int_arg(w, 4, "width"), 4096LL))), ' ');
    }
    const bool first = bool_arg(arg(a, kw, 1, "first"), false, c);
    const bool blank = bool_arg(arg(a, kw, 2, "blank"), false, c);
    const std::string t = text_of(s, c);
    std::string out;
    std::size_t line_start = 0;
    for (bool first_line = true;; first_line = false) {
        const std::size_t nl = t.find('\n', line_start);
        const std::string_view line =
            std::string_view(t).substr(line_start, nl == std::string::npos ? std::string::npos : nl - line_start);
        if ((first_line ? first : true) && (blank || !line.empty())) out += pad;
        out += line;
        c.check_size(out.size(), "the indented text");
        if (nl == std::string::npos) break;
        out += '\n';
        line_start = nl + 1;
    }
    return str_result(std::move(out));
}

namespace {
// Python's urllib.parse.quote: letters, digits and _.-~ kept (and '/' unless in a query), other bytes as %XX; in a
// query (for_query) a space is '+'.
std::string url_quote(const std::string& text, bool for_query) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto b = static_cast<unsigned char>(ch);
        if (std::isalnum(b) && b < 0x80) out += ch;
        else if (ch == '_' || ch == '.' || ch == '-' || ch == '~' || (ch == '/' && !for_query)) out += ch;
        else if (ch == ' ' && for_query) out += '+';
        else {
            out += '%';
            out += kHex[b >> 4];
            out += kHex[b & 15];
        }
    }
    return out;
}
}  // namespace

// Jinja's urlencode: a text quoted for a URL path; a mapping (or a list of pairs) as a query string.
Value f_urlencode(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    if (!j.is_object() && !j.is_array()) return str_result(url_quote(text_of(s, c), false));
    std::string out;
    const auto pair = [&](const json& key, const json& value) {
        if (!out.empty()) out += '&';
        out += url_quote(json_to_text(key, c), true) + "=" + url_quote(json_to_text(value, c), true);
    };
    if (j.is_object()) {
        for (const std::string_view key : c.keys_of(j)) pair(json(key), j.find(key).value());
    } else {
        for (const json& item : j) {
            if (!item.is_array() || item.size() != 2)
                throw EvalError("urlencode needs a mapping, a list of [key, value] pairs or a text");
            pair(item[0], item[1]);
        }
    }
    return str_result(std::move(out));
}

// Jinja's xmlattr: ' key="value" …' for the items that are neither none nor missing. The values are not escaped
// here: vanban escapes everything it writes, and docxtpl's output shows the unescaped characters too.
Value f_xmlattr(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = j_of(s, c);
    if (!j.is_object()) throw EvalError("xmlattr needs a mapping, not " + std::string(j.type_name()));
    const bool autospace = bool_arg(arg(a, kw, 0, "autospace"), true, c);
    std::string out;
    for (const std::string_view key : c.keys_of(j)) {
        const json& value = j.find(key).value();
        if (value.is_null()) continue;
        if (key.find_first_of(" \t\n\f/>=") != std::string_view::npos)
            throw EvalError("xmlattr: '" + std::string(key) + "' is not an attribute name");
        if (!out.empty()) out += ' ';
        out += std::string(key) + "=\"" + json_to_text(value, c) + "\"";
    }
    if (autospace && !out.empty()) out.insert(0, 1, ' ');
    return str_result(std::move(out));
}

// Jinja's pprint: Python's pprint.pformat — the repr with the keys of mappings sorted. pformat breaks a value longer
// than 80 characters over several lines, which vanban does not do: such a value is an error rather than a
// different layout.
Value f_pprint(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    c.account(j);
    // The repr of a one-item list without its brackets: the repr of the value itself (a text in quotes, none as
    // None); nlohmann's objects are sorted, pformat's order.
    const std::string in_list = json_to_text(json::array({j}));
    std::string text = in_list.substr(1, in_list.size() - 2);
    if (code_point_count(text) > 80)
        throw EvalError("pprint of a value longer than 80 characters (Python would break it over lines)",
                        "print it with | tojson, or print its parts");
    return str_result(std::move(text));
}

}  // namespace vanban::core::filter_impl
