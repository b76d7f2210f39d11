// The text filters: takes a value (printed as text) and the filter arguments, gives text — Vietnamese-aware case
// mapping through ICU (core/vn.hpp), replace, truncate, trim, centre, word count, printf-style format, JSON.
#include <algorithm>
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
        if ((static_cast<unsigned char>(t[i]) & 0xC0) != 0x80) starts.push_back(i);
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

Value f_format(const Value& s, Args a, KwArgs, EvalContext& c) { return str_result(percent_format(text_of(s, c), a, c)); }

Value f_tojson(const Value& s, Args, KwArgs, EvalContext& c) { return str_result(j_of(s, c).dump()); }

}  // namespace vanban::core::filter_impl
