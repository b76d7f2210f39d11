#include "core/filters.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <set>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/image.hpp"
#include "core/line_balance.hpp"
#include "core/data_checks.hpp"
#include "core/outline.hpp"
#include "core/richtext.hpp"
#include "core/vn.hpp"

namespace vanban::core {

bool is_number(const json& j) { return j.is_number(); }

double as_number(const Value& v, std::string_view what) {
    if (v.is_json()) {
        const json& j = v.j();
        if (j.is_number()) return j.get<double>();
        if (j.is_boolean()) return j.get<bool>() ? 1 : 0;
        if (j.is_string()) {
            const auto& s = j.get_ref<const std::string&>();
            char* end = nullptr;
            double d = std::strtod(s.c_str(), &end);
            if (!s.empty() && end && *end == '\0') return d;
        }
    }
    throw EvalError(std::string(what) + " must be a number");
}

namespace {

using Args = std::span<const Value>;

const json kNull = nullptr;

const json& j_of(const Value& v, EvalContext& ctx) {
    if (v.is_json()) return v.j();
    if (v.is_undefined()) {
        if (!ctx.lenient) throw_missing(v);
        return kNull;
    }
    throw EvalError("this value cannot be used here");
}

std::string text_of(const Value& v, EvalContext& ctx) { return to_text(v, ctx); }

std::size_t code_point_count(std::string_view s);

const Value* kwarg(KwArgs kw, std::string_view name) {
    for (const auto& [k, v] : kw)
        if (k == name) return &v;
    return nullptr;
}

// Positional argument i, or keyword `name`, or nullptr.
const Value* arg(Args a, KwArgs kw, std::size_t i, std::string_view name) {
    if (i < a.size()) return &a[i];
    return kwarg(kw, name);
}

// A whole number from a value: integers as they are, other numbers truncated (NaN and huge ones refused).
long long whole(const Value& v, std::string_view what) {
    if (v.is_json() && (v.j().is_number_integer() || v.j().is_number_unsigned())) return v.j().get<long long>();
    return whole_number(as_number(v, what), what);
}

long long int_arg(const Value* v, long long fallback, std::string_view what) {
    if (!v) return fallback;
    return whole(*v, what);
}

bool bool_arg(const Value* v, bool fallback, EvalContext& ctx) { return v ? truthy(*v, ctx) : fallback; }

const json& list_of(const Value& v, EvalContext& ctx, std::string_view filter) {
    const json& j = j_of(v, ctx);
    if (j.is_null() && ctx.lenient) {
        static const json empty = json::array();
        return empty;
    }
    if (!j.is_array()) throw EvalError(std::string(filter) + " needs a list, not " + std::string(j.type_name()));
    return j;
}

Value str_result(std::string s) { return Value::owned(json(std::move(s))); }

// Resolves a dotted attribute path ("person.name") on an element.
json attr_path(const json& item, std::string_view path) {
    const json* cur = &item;
    while (!path.empty()) {
        auto dot = path.find('.');
        std::string_view key = path.substr(0, dot);
        if (cur->is_object()) {
            auto it = cur->find(key);
            if (it == cur->end()) return nullptr;
            cur = &*it;
        } else if (cur->is_array()) {
            std::size_t idx = 0;
            for (char c : key) {
                if (c < '0' || c > '9') return nullptr;
                idx = idx * 10 + static_cast<std::size_t>(c - '0');
            }
            if (idx >= cur->size()) return nullptr;
            cur = &(*cur)[idx];
        } else {
            return nullptr;
        }
        if (dot == std::string_view::npos) break;
        path.remove_prefix(dot + 1);
    }
    return *cur;
}

bool json_less(const json& a, const json& b, bool case_sensitive) {
    if (a.is_number() && b.is_number()) return a.get<double>() < b.get<double>();
    if (a.is_string() && b.is_string()) {
        if (case_sensitive) return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
        return vn::lower(a.get_ref<const std::string&>()) < vn::lower(b.get_ref<const std::string&>());
    }
    if (a.type() != b.type()) return a.type() < b.type();
    return a < b;
}

// ----- string filters

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

// ----- defaults and sequences

Value f_default(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const Value* fallback = arg(a, kw, 0, "default_value");
    bool boolean = bool_arg(arg(a, kw, 1, "boolean"), false, c);
    bool use_fallback = s.is_undefined() || (boolean && !truthy(s, c));
    if (!use_fallback) return s;
    return fallback ? *fallback : str_result("");
}

Value f_length(const Value& s, Args, KwArgs, EvalContext& c) {
    if (s.is_rich()) return Value::owned(static_cast<long long>(s.rich_text().plain().size()));
    const json& j = j_of(s, c);
    if (j.is_string()) {
        long long n = 0;
        for (char ch : j.get_ref<const std::string&>())
            if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
        return Value::owned(n);
    }
    if (j.is_array() || j.is_object()) return Value::owned(static_cast<long long>(j.size()));
    if (j.is_null()) return Value::owned(0LL);
    throw EvalError("length of " + std::string(j.type_name()) + " is undefined");
}

Value f_first(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    if (j.is_array()) return j.empty() ? Value::undefined("first of an empty list") : s.child(j.front());
    if (j.is_string()) {
        const auto& str = j.get_ref<const std::string&>();
        if (str.empty()) return Value::undefined("first of an empty string");
        std::size_t len = 1;
        while (len < str.size() && (static_cast<unsigned char>(str[len]) & 0xC0) == 0x80) ++len;
        return str_result(str.substr(0, len));
    }
    throw EvalError("first needs a list or a string");
}

Value f_last(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    if (j.is_array()) return j.empty() ? Value::undefined("last of an empty list") : s.child(j.back());
    if (j.is_string()) {
        const auto& str = j.get_ref<const std::string&>();
        if (str.empty()) return Value::undefined("last of an empty string");
        std::size_t b = str.size() - 1;
        while (b > 0 && (static_cast<unsigned char>(str[b]) & 0xC0) == 0x80) --b;
        return str_result(str.substr(b));
    }
    throw EvalError("last needs a list or a string");
}

Value f_join(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = list_of(s, c, "join");
    std::string sep;
    if (const Value* v = arg(a, kw, 0, "d")) sep = text_of(*v, c);
    const Value* attribute = arg(a, kw, 1, "attribute");
    std::string attr = attribute ? text_of(*attribute, c) : "";
    std::string out;
    bool first = true;
    for (const auto& e : j) {
        if (!first) out += sep;
        first = false;
        out += json_to_text(attribute ? attr_path(e, attr) : e);
        if (out.size() > c.limits.max_value_bytes) c.check_size(out.size(), "the joined text");
    }
    return str_result(std::move(out));
}

Value f_list(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    if (j.is_array()) return s;
    json r = json::array();
    if (j.is_string()) {
        const auto& str = j.get_ref<const std::string&>();
        c.check_size(str.size() * sizeof(json), "a list of the characters");
        for (auto& cp : code_points(str)) r.push_back(std::move(cp));
    } else if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) r.push_back(it.key());
    } else {
        throw EvalError("cannot make a list of " + std::string(j.type_name()));
    }
    return Value::owned(std::move(r));
}

Value f_reverse(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    if (j.is_string()) {
        const auto& str = j.get_ref<const std::string&>();
        std::string out;
        out.reserve(str.size());
        for (std::size_t end = str.size(); end > 0;) {  // code points from the last one back
            std::size_t start = end - 1;
            while (start > 0 && (static_cast<unsigned char>(str[start]) & 0xC0) == 0x80) --start;
            out.append(str, start, end - start);
            end = start;
        }
        return str_result(std::move(out));
    }
    if (!j.is_array()) throw EvalError("reverse needs a list or a string");
    return Value::owned(json::array_t(j.rbegin(), j.rend()));
}

Value f_sort(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = list_of(s, c, "sort");
    bool reverse = bool_arg(arg(a, kw, 0, "reverse"), false, c);
    bool case_sensitive = bool_arg(arg(a, kw, 1, "case_sensitive"), false, c);
    const Value* attribute = arg(a, kw, 2, "attribute");
    std::string attr = attribute ? text_of(*attribute, c) : "";
    json::array_t r = j.get<json::array_t>();
    std::stable_sort(r.begin(), r.end(), [&](const json& x, const json& y) {
        const json kx = attribute ? attr_path(x, attr) : x;
        const json ky = attribute ? attr_path(y, attr) : y;
        return reverse ? json_less(ky, kx, case_sensitive) : json_less(kx, ky, case_sensitive);
    });
    return Value::owned(std::move(r));
}

Value f_unique(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = list_of(s, c, "unique");
    const bool case_sensitive = bool_arg(arg(a, kw, 0, "case_sensitive"), false, c);
    const Value* attribute = arg(a, kw, 1, "attribute");
    std::string attr = attribute ? text_of(*attribute, c) : "";
    json r = json::array();
    std::set<json> seen;
    for (const auto& e : j) {
        json key = attribute ? attr_path(e, attr) : e;
        if (!case_sensitive && key.is_string()) key = vn::lower(key.get_ref<const std::string&>());
        if (seen.insert(std::move(key)).second) r.push_back(e);
    }
    return Value::owned(std::move(r));
}

// Jinja's dictsort: the items of a mapping as [key, value] pairs, sorted by key (or by value), case-insensitively.
Value f_dictsort(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = j_of(s, c);
    if (!j.is_object()) throw EvalError("dictsort needs a mapping, not " + std::string(j.type_name()));
    const bool case_sensitive = bool_arg(arg(a, kw, 0, "case_sensitive"), false, c);
    std::string by = "key";
    if (const Value* b = arg(a, kw, 1, "by")) by = text_of(*b, c);
    if (by != "key" && by != "value") throw EvalError("dictsort can sort by 'key' or 'value'");
    const bool reverse = bool_arg(arg(a, kw, 2, "reverse"), false, c);
    json::array_t items;
    for (auto it = j.begin(); it != j.end(); ++it) items.push_back(json::array({it.key(), it.value()}));
    const std::size_t k = by == "key" ? 0 : 1;
    std::stable_sort(items.begin(), items.end(), [&](const json& x, const json& y) {
        return reverse ? json_less(y[k], x[k], case_sensitive) : json_less(x[k], y[k], case_sensitive);
    });
    return Value::owned(std::move(items));
}

// Jinja's items: the [key, value] pairs of a mapping, in its order.
Value f_items(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    if (j.is_null() && c.lenient) return Value::owned(json::array());
    if (!j.is_object()) throw EvalError("items needs a mapping, not " + std::string(j.type_name()));
    json::array_t items;
    for (auto it = j.begin(); it != j.end(); ++it) items.push_back(json::array({it.key(), it.value()}));
    return Value::owned(std::move(items));
}

Value f_map(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = list_of(s, c, "map");
    json r = json::array();
    if (const Value* attribute = kwarg(kw, "attribute")) {
        std::string attr = text_of(*attribute, c);
        const Value* dflt = kwarg(kw, "default");
        for (const auto& e : j) {
            json v = attr_path(e, attr);
            if (v.is_null() && dflt) v = j_of(*dflt, c);
            r.push_back(std::move(v));
        }
        return Value::owned(std::move(r));
    }
    if (a.empty()) throw EvalError("map needs attribute=... or a filter name");
    std::string fname = text_of(a[0], c);
    const FilterDef* f = find_filter(fname);
    if (!f) throw EvalError("map: unknown filter '" + fname + "'");
    for (const auto& e : j) {
        Value item = Value::ref(e);
        Value out = f->fn(item, a.subspan(1), {}, c);
        r.push_back(out.is_json() ? out.j() : json(to_text(out, c)));
    }
    return Value::owned(std::move(r));
}

bool apply_test(const json& item, Args a, std::size_t from, EvalContext& c);

Value select_impl(const Value& s, Args a, EvalContext& c, bool by_attr, bool reject) {
    const json& j = list_of(s, c, reject ? "reject" : "select");
    json r = json::array();
    std::string attr = by_attr ? (a.empty() ? throw EvalError("selectattr needs an attribute name") : text_of(a[0], c)) : "";
    for (const auto& e : j) {
        json v = by_attr ? attr_path(e, attr) : e;
        bool ok = apply_test(v, a, by_attr ? 1 : 0, c);
        if (ok != reject) r.push_back(e);
    }
    return Value::owned(std::move(r));
}
Value f_selectattr(const Value& s, Args a, KwArgs, EvalContext& c) { return select_impl(s, a, c, true, false); }
Value f_rejectattr(const Value& s, Args a, KwArgs, EvalContext& c) { return select_impl(s, a, c, true, true); }
Value f_select(const Value& s, Args a, KwArgs, EvalContext& c) { return select_impl(s, a, c, false, false); }
Value f_reject(const Value& s, Args a, KwArgs, EvalContext& c) { return select_impl(s, a, c, false, true); }

Value f_groupby(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = list_of(s, c, "groupby");
    const Value* attribute = arg(a, kw, 0, "attribute");
    if (!attribute) throw EvalError("groupby needs an attribute");
    std::string attr = text_of(*attribute, c);
    json::array_t items = j.get<json::array_t>();
    std::stable_sort(items.begin(), items.end(),
                     [&](const json& x, const json& y) { return json_less(attr_path(x, attr), attr_path(y, attr), false); });
    json r = json::array();
    for (const auto& e : items) {
        json key = attr_path(e, attr);
        if (r.empty() || r.back()["grouper"] != key) r.push_back({{"grouper", key}, {"list", json::array()}});
        r.back()["list"].push_back(e);
    }
    return Value::owned(std::move(r));
}

Value f_sum(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = list_of(s, c, "sum");
    const Value* attribute = arg(a, kw, 0, "attribute");
    std::string attr = attribute ? text_of(*attribute, c) : "";
    json total = 0;
    if (const Value* start = arg(a, kw, 1, "start")) total = j_of(*start, c);
    bool all_int = total.is_number_integer();
    long long isum = all_int ? total.get<long long>() : 0;
    double dsum = total.get<double>();
    for (const auto& e : j) {
        json v = attribute ? attr_path(e, attr) : e;
        if (!v.is_number()) throw EvalError("sum: " + std::string(v.type_name()) + " is not a number");
        if (!v.is_number_integer()) all_int = false;
        if (v.is_number_integer() && __builtin_add_overflow(isum, v.get<long long>(), &isum)) all_int = false;
        dsum += v.get<double>();
    }
    return all_int ? Value::owned(isum) : Value::owned(dsum);
}

Value minmax(const Value& s, Args a, KwArgs kw, EvalContext& c, bool want_max) {
    const json& j = list_of(s, c, want_max ? "max" : "min");
    bool case_sensitive = bool_arg(arg(a, kw, 0, "case_sensitive"), false, c);
    const Value* attribute = arg(a, kw, 1, "attribute");
    std::string attr = attribute ? text_of(*attribute, c) : "";
    if (j.empty()) return Value::undefined(want_max ? "max of an empty list" : "min of an empty list");
    const json* best = &j.front();
    for (const auto& e : j) {
        json ke = attribute ? attr_path(e, attr) : e, kb = attribute ? attr_path(*best, attr) : *best;
        if (want_max ? json_less(kb, ke, case_sensitive) : json_less(ke, kb, case_sensitive)) best = &e;
    }
    return s.child(*best);
}
Value f_min(const Value& s, Args a, KwArgs kw, EvalContext& c) { return minmax(s, a, kw, c, false); }
Value f_max(const Value& s, Args a, KwArgs kw, EvalContext& c) { return minmax(s, a, kw, c, true); }

Value f_batch(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = list_of(s, c, "batch");
    long long n = int_arg(arg(a, kw, 0, "linecount"), 1, "linecount");
    if (n <= 0) throw EvalError("batch size must be positive");
    const Value* fill = arg(a, kw, 1, "fill_with");
    if (fill) c.check_size(static_cast<std::uint64_t>(n) * sizeof(json), "a batch filled up to " + std::to_string(n) + " items");
    json r = json::array();
    for (const auto& e : j) {
        if (r.empty() || static_cast<long long>(r.back().size()) >= n) r.push_back(json::array());
        r.back().push_back(e);
    }
    if (fill && !r.empty())
        while (static_cast<long long>(r.back().size()) < n) r.back().push_back(j_of(*fill, c));
    return Value::owned(std::move(r));
}

Value f_slice(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = list_of(s, c, "slice");
    long long n = int_arg(arg(a, kw, 0, "slices"), 1, "slices");
    if (n <= 0) throw EvalError("slice count must be positive");
    c.check_size(static_cast<std::uint64_t>(n) * sizeof(json), std::to_string(n) + " slices");
    json r = json::array();
    std::size_t len = j.size(), per = len / static_cast<std::size_t>(n), extra = len % static_cast<std::size_t>(n), off = 0;
    for (long long i = 0; i < n; ++i) {
        std::size_t cnt = per + (static_cast<std::size_t>(i) < extra ? 1 : 0);
        r.push_back(json::array_t(j.begin() + static_cast<long>(off), j.begin() + static_cast<long>(off + cnt)));
        off += cnt;
    }
    return Value::owned(std::move(r));
}

// ----- numbers

Value f_int(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    long long fallback = int_arg(arg(a, kw, 0, "default"), 0, "default");
    if (s.is_undefined()) return Value::owned(fallback);
    const json& j = j_of(s, c);
    if (j.is_number_integer() || j.is_number_unsigned()) return Value::owned(j.get<long long>());
    if (j.is_number()) return Value::owned(whole_number(j.get<double>(), "int()"));
    if (j.is_boolean()) return Value::owned(j.get<bool>() ? 1LL : 0LL);
    if (j.is_string()) {
        const auto& str = j.get_ref<const std::string&>();
        char* end = nullptr;
        double d = std::strtod(str.c_str(), &end);
        if (!str.empty() && end && *end == '\0') return Value::owned(whole_number(d, "int()"));
    }
    return Value::owned(fallback);
}

Value f_float(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    double fallback = 0.0;
    if (const Value* d = arg(a, kw, 0, "default")) fallback = as_number(*d, "default");
    const json& j = j_of(s, c);
    if (j.is_number()) return Value::owned(j.get<double>());
    if (j.is_string()) {
        const auto& str = j.get_ref<const std::string&>();
        char* end = nullptr;
        double d = std::strtod(str.c_str(), &end);
        if (!str.empty() && end && *end == '\0') return Value::owned(d);
    }
    return Value::owned(fallback);
}

Value f_abs(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    if (j.is_number_integer() && j.get<long long>() != std::numeric_limits<long long>::min())
        return Value::owned(std::llabs(j.get<long long>()));
    return Value::owned(std::fabs(as_number(s, "abs")));
}

Value f_round(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    double x = as_number(s, "round");
    long long precision = int_arg(arg(a, kw, 0, "precision"), 0, "precision");
    std::string method = "common";
    if (const Value* m = arg(a, kw, 1, "method")) method = text_of(*m, c);
    if (precision > 15) return Value::owned(x);  // a double has no more digits to round
    if (precision < -308) return Value::owned(0.0 * x);
    double f = std::pow(10.0, static_cast<double>(precision));
    double r;
    if (method == "common") {
        // Python's round(): the correctly rounded decimal, ties to even (2.5 → 2.0, 2.675 → 2.67 as 2.675 is 2.67499…)
        if (precision >= 0 && precision < 300) {
            char buf[512];
            std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(precision), x);
            r = std::strtod(buf, nullptr);
        } else {
            r = std::nearbyint(x * f) / f;
        }
    } else if (method == "ceil") {
        r = std::ceil(x * f) / f;
    } else if (method == "floor") {
        r = std::floor(x * f) / f;
    } else {
        throw EvalError("round method must be common, ceil or floor");
    }
    return Value::owned(r);
}

// ----- Vietnamese administrative helpers

vn::Date date_of(const Value& s, EvalContext& c) {
    const json& j = j_of(s, c);
    try {
        return date_value(j);
    } catch (const std::invalid_argument& e) {
        throw EvalError(e.what(), j.is_string() ? "write dates as YYYY-MM-DD, e.g. 2022-03-10" : "");
    }
}

Value f_decree_date(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    vn::Date d = date_of(s, c);
    bool pad_month = false;
    if (const Value* p = arg(a, kw, 0, "pad_month")) pad_month = truthy(*p, c);
    if (s.is_json() && s.j().is_object()) {
        auto it = s.j().find("pad_month");
        if (it != s.j().end() && it->is_boolean()) pad_month = pad_month || it->get<bool>();
    }
    try {
        return str_result(vn::decree_date(d, pad_month));
    } catch (const std::invalid_argument& e) {
        throw EvalError(e.what(), "check the day and month");
    }
}

Value f_short_date(const Value& s, Args, KwArgs, EvalContext& c) {
    try {
        return str_result(vn::short_date(date_of(s, c)));
    } catch (const std::invalid_argument& e) {
        throw EvalError(e.what(), "check the day and month");
    }
}

Value f_pad2(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    if (j.is_null() || (j.is_string() && j.get_ref<const std::string&>().empty())) return str_result("");
    long long n = whole(s, "pad2");
    std::string t = std::to_string(n);
    if (n >= 0 && n < 10) t = "0" + t;
    return str_result(std::move(t));
}

Value f_roman(const Value& s, Args, KwArgs, EvalContext&) {
    const long long n = whole(s, "roman");
    auto r = n >= 1 && n <= 3999 ? vn::roman(static_cast<int>(n)) : std::nullopt;
    if (!r) throw EvalError("roman numerals exist only for 1–3999");
    return str_result(*r);
}

Value f_diem(const Value& s, Args, KwArgs, EvalContext&) {
    const long long whole_n = whole(s, "diem");
    const int n = whole_n < 0 ? 0 : whole_n > 1000 ? 1000 : static_cast<int>(whole_n);
    auto r = vn::diem_letter(n);
    if (!r) throw EvalError("điểm " + std::to_string(whole_n) + " has no letter: the sequence a, b, c, d, đ, … ends at y (23)");
    return str_result(*r);
}

Value f_rich(const Value& s, Args, KwArgs, EvalContext& c) {
    if (s.is_rich()) return s;
    const json& j = j_of(s, c);
    if (j.is_null()) return Value::rich(std::make_shared<const RichText>());
    try {
        if (j.is_number() || j.is_boolean()) return Value::rich(std::make_shared<const RichText>(parse_markup(json_to_text(j))));
        return Value::rich(std::make_shared<const RichText>(rich_from_json(j)));
    } catch (const std::invalid_argument& e) {
        throw EvalError(e.what());
    }
}

// A picture for {{ … }}: an image object of the data or its source text, sized and placed by the arguments where
// the value does not say (core/image.hpp). Missing (lenient) or none prints nothing.
Value f_image(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    if (s.is_undefined()) return str_result("");
    if (s.is_json() && s.j().is_null()) return s;
    return Value::image(to_image(s, image_options_from_arguments(a, kw, c), c));
}

Value f_text_width(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    std::string text = text_of(s, c);
    const Value* size_pt = arg(a, kw, 0, "size");
    if (!size_pt) throw EvalError("text_width needs the font size in points");
    double size = as_number(*size_pt, "size");
    bool bold = bool_arg(arg(a, kw, 1, "bold"), false, c);
    bool italic = bool_arg(arg(a, kw, 2, "italic"), false, c);
    return Value::owned(static_cast<long long>(std::lround(vn::text_width_twips(text, size, bold, italic))));
}

// Centred text with balanced line breaks ('\n') for a box: balance(width_twips, size_pt, bold, italic).
Value f_balance(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const Value* width = arg(a, kw, 0, "width");
    const Value* size = arg(a, kw, 1, "size");
    if (!width || !size) throw EvalError("balance needs the width in twips and the font size in points");
    const vn::LineBox box{as_number(*width, "width"), as_number(*size, "size"), bool_arg(arg(a, kw, 2, "bold"), false, c),
                          bool_arg(arg(a, kw, 3, "italic"), false, c)};
    return str_result(vn::balance_lines(text_of(s, c), box));
}

Value f_outline(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& body = j_of(s, c);
    const Value* options = arg(a, kw, 0, "numbering");
    json opts = options && !options->is_undefined() ? j_of(*options, c) : json(nullptr);
    try {
        return Value::owned(outline::flatten(body, opts));
    } catch (const std::invalid_argument& e) {
        throw EvalError(e.what());
    }
}

Value f_tojson(const Value& s, Args, KwArgs, EvalContext& c) { return str_result(j_of(s, c).dump()); }

// ----- tests

bool t_defined(const Value& s, Args, EvalContext&) { return !s.is_undefined(); }
bool t_undefined(const Value& s, Args, EvalContext&) { return s.is_undefined(); }
const json* tj(const Value& s) { return s.is_json() ? &s.j() : nullptr; }
bool t_none(const Value& s, Args, EvalContext&) { auto j = tj(s); return j && j->is_null(); }
bool t_string(const Value& s, Args, EvalContext&) { auto j = tj(s); return s.is_rich() || (j && j->is_string()); }
bool t_number(const Value& s, Args, EvalContext&) { auto j = tj(s); return j && (j->is_number() || j->is_boolean()); }  // Python: True is a number
bool t_integer(const Value& s, Args, EvalContext&) { auto j = tj(s); return j && j->is_number_integer(); }
bool t_float(const Value& s, Args, EvalContext&) { auto j = tj(s); return j && j->is_number_float(); }
bool t_mapping(const Value& s, Args, EvalContext&) { auto j = tj(s); return j && j->is_object(); }
bool t_sequence(const Value& s, Args, EvalContext&) { auto j = tj(s); return j && (j->is_array() || j->is_string() || j->is_object()); }
bool t_iterable(const Value& s, Args a, EvalContext& c) { return t_sequence(s, a, c); }
bool t_boolean(const Value& s, Args, EvalContext&) { auto j = tj(s); return j && j->is_boolean(); }
bool t_true(const Value& s, Args, EvalContext&) { auto j = tj(s); return j && j->is_boolean() && j->get<bool>(); }
bool t_false(const Value& s, Args, EvalContext&) { auto j = tj(s); return j && j->is_boolean() && !j->get<bool>(); }
long long int_of(const Value& s, EvalContext& c, const char* test) {
    const json& j = j_of(s, c);
    if (!j.is_number()) throw EvalError(std::string("'") + test + "' needs a number");
    return whole(s, test);
}
bool t_odd(const Value& s, Args, EvalContext& c) { return int_of(s, c, "odd") % 2 != 0; }
bool t_even(const Value& s, Args, EvalContext& c) { return int_of(s, c, "even") % 2 == 0; }
bool t_divisibleby(const Value& s, Args a, EvalContext& c) {
    long long d = whole(a[0], "divisibleby");
    if (d == 0) throw EvalError("divisibleby 0");
    if (d == -1) return true;  // (LLONG_MIN % -1 overflows)
    return int_of(s, c, "divisibleby") % d == 0;
}
bool t_eq(const Value& s, Args a, EvalContext& c) { return j_of(s, c) == j_of(a[0], c); }
bool t_ne(const Value& s, Args a, EvalContext& c) { return !t_eq(s, a, c); }
bool t_lt(const Value& s, Args a, EvalContext&) { return as_number(s, "lt") < as_number(a[0], "lt"); }
bool t_gt(const Value& s, Args a, EvalContext&) { return as_number(s, "gt") > as_number(a[0], "gt"); }
bool t_in(const Value& s, Args a, EvalContext& c) {
    const json& container = j_of(a[0], c);
    const json& item = j_of(s, c);
    if (container.is_array()) return std::find(container.begin(), container.end(), item) != container.end();
    if (container.is_string() && item.is_string())
        return container.get_ref<const std::string&>().find(item.get_ref<const std::string&>()) != std::string::npos;
    if (container.is_object() && item.is_string()) return container.contains(item.get_ref<const std::string&>());
    return false;
}

// ----- Python text formatting

std::size_t code_point_count(std::string_view s) {
    std::size_t n = 0;
    for (char ch : s)
        if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
    return n;
}

// The first `count` code points of `s`.
std::string_view code_point_prefix(std::string_view s, std::size_t count) {
    std::size_t i = 0;
    for (std::size_t n = 0; i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && n++ == count) break;
    return s.substr(0, i);
}

// Pads `body` (after `sign`) to `width` code points: align '<', '>', '^', or '=' (fill between sign and digits).
// The padded size is checked against the value size limit before anything is built.
std::string pad(std::string_view sign, std::string_view body, std::size_t width, std::string_view fill, char align,
                EvalContext& c) {
    const std::size_t have = code_point_count(sign) + code_point_count(body);
    if (have >= width) return std::string(sign) + std::string(body);
    const std::size_t missing = width - have;
    std::uint64_t fill_bytes = 0;
    if (__builtin_mul_overflow(std::uint64_t{missing}, std::uint64_t{fill.size()}, &fill_bytes)) fill_bytes = UINT64_MAX;
    c.check_size(fill_bytes > UINT64_MAX - sign.size() - body.size() ? UINT64_MAX : fill_bytes + sign.size() + body.size(),
                 "the padded text");
    auto fills = [&](std::size_t n) {
        std::string r;
        for (std::size_t k = 0; k < n; ++k) r += fill;
        return r;
    };
    switch (align) {
        case '<': return std::string(sign) + std::string(body) + fills(missing);
        case '^': return fills(missing / 2) + std::string(sign) + std::string(body) + fills(missing - missing / 2);
        case '=': return std::string(sign) + fills(missing) + std::string(body);
        default: return fills(missing) + std::string(sign) + std::string(body);
    }
}

// "1234567.891" → "1,234,567.891" (the integer digits only).
std::string group_thousands(std::string digits, char separator) {
    std::size_t end = digits.find_first_of(".eE%");
    if (end == std::string::npos) end = digits.size();
    for (std::size_t k = end; k > 3; k -= 3) digits.insert(k - 3, 1, separator);
    return digits;
}

// snprintf into a string of the right size: the length is asked first and checked against the value size limit (a
// width or precision of a million is refused before it is printed, and nothing is ever cut off).
template <typename T>
std::string printf_text(const std::string& spec, T value, EvalContext& c) {
    const int n = std::snprintf(nullptr, 0, spec.c_str(), value);
    if (n < 0) throw EvalError("cannot format '" + spec + "'");
    c.check_size(static_cast<std::uint64_t>(n), "the formatted text");
    std::string out(static_cast<std::size_t>(n) + 1, '\0');
    std::snprintf(out.data(), out.size(), spec.c_str(), value);
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// The digits of a width or precision in a format specification, from `k` on; past the value size limit it is a limit
// error (a number of any length neither overflows nor pads anything).
std::size_t spec_number(std::string_view spec, std::size_t& k, EvalContext& c, const char* what) {
    std::uint64_t n = 0;
    while (k < spec.size() && spec[k] >= '0' && spec[k] <= '9') {
        const auto digit = static_cast<std::uint64_t>(spec[k++] - '0');
        n = n > (UINT64_MAX - digit) / 10 ? UINT64_MAX : n * 10 + digit;
        if (n > c.limits.max_value_bytes) c.check_size(n, std::string("a format ") + what);
    }
    if (n > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))  // (printf takes an int)
        throw_limit(std::string("a format ") + what + " of " + std::to_string(n) + " is too large", "");
    return static_cast<std::size_t>(n);
}

// A whole number written in a format string ("{12}", "{0[3]}"): digits only, and not past what a list can hold.
std::size_t item_number(std::string_view digits, const char* what) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size())
        throw EvalError(std::string(what) + " '" + std::string(digits) + "' is not a whole number of a reasonable size");
    return n;
}

// A character from its code point (Python's %c and {:c}), as UTF-8.
std::string code_point_text(long long code) {
    if (code < 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        throw EvalError("%c needs a character code from 0 to 1114111, not " + std::to_string(code));
    std::string out;
    vn::append_utf8(out, static_cast<std::uint32_t>(code));
    return out;
}

// Python's repr(): strings in quotes, the rest as printed.
std::string repr_text(const Value& v, EvalContext& c) {
    if (!v.is_json() || !v.j().is_string()) return text_of(v, c);
    const std::string listed = json_to_text(json::array({v.j()}));  // "['text']"
    return listed.substr(1, listed.size() - 2);
}

// One field of str.format: `spec` is the format mini-language ([[fill]align][sign][#][0][width][,][.precision][type]).
std::string format_field(const Value& v, std::string_view spec, EvalContext& c) {
    std::string fill = " ";
    char align = 0, sign = '-', type = 0, grouping = 0;
    bool zero = false;
    std::size_t width = 0, k = 0;
    std::optional<std::size_t> precision;
    auto is_align = [](char ch) { return ch == '<' || ch == '>' || ch == '^' || ch == '='; };
    std::size_t first = spec.empty() ? 0 : code_point_prefix(spec, 1).size();
    if (first < spec.size() && is_align(spec[first])) {
        fill = std::string(spec.substr(0, first));
        align = spec[first];
        k = first + 1;
    } else if (!spec.empty() && is_align(spec[0])) {
        align = spec[0];
        k = 1;
    }
    if (k < spec.size() && (spec[k] == '+' || spec[k] == '-' || spec[k] == ' ')) sign = spec[k++];
    if (k < spec.size() && spec[k] == '#') ++k;
    if (k < spec.size() && spec[k] == '0') {
        zero = true;
        ++k;
    }
    width = spec_number(spec, k, c, "width");
    if (k < spec.size() && (spec[k] == ',' || spec[k] == '_')) grouping = spec[k++];
    if (k < spec.size() && spec[k] == '.') precision = spec_number(spec, ++k, c, "precision");
    if (k < spec.size()) type = spec[k++];
    if (k != spec.size()) throw EvalError("invalid format specifier '" + std::string(spec) + "'");
    if (zero && !align) {
        fill = "0";
        align = '=';
    }

    const json* j = v.is_json() ? &v.j() : nullptr;
    const bool boolean = j && j->is_boolean();
    const bool number = j && (j->is_number() || (boolean && type && type != 's'));
    if (!number) {
        if (type && type != 's')
            throw EvalError(std::string("format code '") + type + "' needs a number, not " +
                            (j ? std::string(j->type_name()) : std::string("text")));
        std::string text = text_of(v, c);
        if (precision) text = std::string(code_point_prefix(text, *precision));
        return pad("", text, width, fill, align ? align : '<', c);
    }
    const bool integral = (j->is_number_integer() || j->is_number_unsigned() || boolean) &&
                          (!type || type == 'd' || type == 'n' || type == 'x' || type == 'X' || type == 'o' || type == 'b' || type == 'c');
    const double value = boolean ? (j->get<bool>() ? 1.0 : 0.0) : j->get<double>();
    const bool negative = integral ? (boolean ? false : j->is_number_integer() && j->get<long long>() < 0) : std::signbit(value);
    std::string digits;
    if (integral) {
        if (precision) throw EvalError("precision is not allowed for whole numbers");
        // (the magnitude in unsigned arithmetic: the most negative number has none as a long long)
        const auto as_unsigned = [](long long x) { return x < 0 ? 0ull - static_cast<unsigned long long>(x) : static_cast<unsigned long long>(x); };
        unsigned long long magnitude = boolean ? (j->get<bool>() ? 1 : 0)
                                       : j->is_number_unsigned() ? j->get<unsigned long long>()
                                                                 : as_unsigned(j->get<long long>());
        if (type == 'c') {
            if (negative || magnitude > 0x10FFFF) throw EvalError("{:c} needs a character code from 0 to 1114111");
            return pad("", code_point_text(static_cast<long long>(magnitude)), width, fill, align ? align : '>', c);
        }
        const int base = type == 'x' || type == 'X' ? 16 : type == 'o' ? 8 : type == 'b' ? 2 : 10;
        do {
            const unsigned d = static_cast<unsigned>(magnitude % static_cast<unsigned>(base));
            digits.insert(digits.begin(), static_cast<char>(d < 10 ? '0' + d : (type == 'X' ? 'A' : 'a') + d - 10));
            magnitude /= static_cast<unsigned>(base);
        } while (magnitude);
    } else {
        const double a = std::fabs(value);
        const std::size_t p = precision.value_or(6);
        switch (type) {
            case 'f': case 'F': digits = printf_text("%." + std::to_string(p) + "f", a, c); break;
            case 'e': case 'E': digits = printf_text("%." + std::to_string(p) + (type == 'e' ? "e" : "E"), a, c); break;
            case 'g': case 'G': case 'n': digits = printf_text("%." + std::to_string(p) + (type == 'G' ? "G" : "g"), a, c); break;
            case '%': digits = printf_text("%." + std::to_string(p) + "f", a * 100, c) + "%"; break;
            case 0:
                digits = precision ? printf_text("%." + std::to_string(std::max<std::size_t>(1, p)) + "g", a, c)
                                   : json_to_text(json(a));
                break;
            default: throw EvalError(std::string("unknown format code '") + type + "' for a number");
        }
    }
    if (grouping) digits = group_thousands(std::move(digits), grouping);
    std::string sign_text = negative ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
    return pad(sign_text, digits, width, fill, align ? align : '>', c);
}

}  // namespace

std::string percent_format(std::string_view fmt, std::span<const Value> a, EvalContext& c) {
    std::string out;
    std::size_t next = 0;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%') {
            out += fmt[i];
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '%') {
            out += '%';
            ++i;
            continue;
        }
        std::size_t j = i + 1;
        std::string flags;
        while (j < fmt.size() && std::string_view("-+ 0#").find(fmt[j]) != std::string_view::npos) flags += fmt[j++];
        const std::size_t width = spec_number(fmt, j, c, "width");
        std::optional<std::size_t> precision;
        if (j < fmt.size() && fmt[j] == '.') precision = spec_number(fmt, ++j, c, "precision");
        while (j < fmt.size() && (fmt[j] == 'l' || fmt[j] == 'h' || fmt[j] == 'L')) ++j;
        if (j >= fmt.size()) throw EvalError("format string ends inside a conversion");
        const char conv = fmt[j];
        if (next >= a.size()) throw EvalError("not enough arguments for the format string");
        const Value& v = a[next++];
        const bool left = flags.find('-') != std::string::npos;
        if (conv == 's' || conv == 'r') {
            std::string text = conv == 's' ? text_of(v, c) : repr_text(v, c);
            if (precision) text = std::string(code_point_prefix(text, *precision));
            out += pad("", text, width, " ", left ? '<' : '>', c);
        } else if (std::string_view("diuxXofFeEgGc").find(conv) != std::string_view::npos) {
            std::string spec = "%" + flags + (width ? std::to_string(width) : "") + (precision ? "." + std::to_string(*precision) : "");
            if (conv == 'c') {
                out += pad("", code_point_text(whole(v, "%c argument")), width, " ", left ? '<' : '>', c);
            } else if (std::string_view("diuxXo").find(conv) != std::string_view::npos) {
                spec += "ll";
                spec += conv == 'u' ? 'd' : conv;
                out += printf_text(spec, whole(v, "format argument"), c);
            } else {
                spec += conv;
                out += printf_text(spec, as_number(v, "format argument"), c);
            }
        } else {
            throw EvalError(std::string("unsupported conversion '%") + conv + "'");
        }
        i = j;
    }
    if (next < a.size()) throw EvalError("not all arguments are used by the format string");
    return out;
}

std::string brace_format(std::string_view fmt, std::span<const Value> args, KwArgs kwargs, EvalContext& c) {
    std::string out;
    std::size_t automatic = 0;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        const char ch = fmt[i];
        if (ch == '}') {
            if (i + 1 < fmt.size() && fmt[i + 1] == '}') ++i;
            else throw EvalError("single '}' in the format string");
            out += '}';
            continue;
        }
        if (ch != '{') {
            out += ch;
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
            out += '{';
            ++i;
            continue;
        }
        const std::size_t close = fmt.find('}', i);
        if (close == std::string_view::npos) throw EvalError("'{' without '}' in the format string");
        std::string_view field = fmt.substr(i + 1, close - i - 1);
        i = close;
        std::string_view spec;
        if (std::size_t colon = field.find(':'); colon != std::string_view::npos) {
            spec = field.substr(colon + 1);
            field = field.substr(0, colon);
        }
        char conversion = 0;
        if (std::size_t bang = field.find('!'); bang != std::string_view::npos) {
            conversion = bang + 1 < field.size() ? field[bang + 1] : 's';
            field = field.substr(0, bang);
        }
        // the argument: "" (next), "0", "name", then .attribute / [index] parts
        const std::size_t name_end = std::min(field.find('.'), field.find('['));
        std::string_view name = field.substr(0, name_end);
        Value value;
        if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) {
            const std::size_t index = name.empty() ? automatic++ : item_number(name, "the format string's argument");
            if (index >= args.size()) throw EvalError("the format string needs more arguments than the " + std::to_string(args.size()) + " given");
            value = args[index];
        } else {
            const Value* named = kwarg(kwargs, name);
            if (!named) throw EvalError("the format string names '" + std::string(name) + "', which is not given");
            value = *named;
        }
        for (std::size_t k = name_end; k < field.size();) {
            if (field[k] == '.') {
                std::size_t e = std::min(field.find('.', k + 1), field.find('[', k + 1));
                if (e == std::string_view::npos) e = field.size();
                value = get_attr(value, field.substr(k + 1, e - k - 1), std::string(field));
                k = e;
            } else {
                std::size_t e = field.find(']', k);
                if (e == std::string_view::npos) throw EvalError("'[' without ']' in the format string");
                std::string key(field.substr(k + 1, e - k - 1));
                const json& j = j_of(value, c);
                if (j.is_array() && !key.empty() && std::all_of(key.begin(), key.end(), ::isdigit)) {
                    const std::size_t n = item_number(key, "index");
                    if (n >= j.size()) throw EvalError("index " + key + " is past the end of the list");
                    value = value.child(j[n]);
                } else {
                    value = get_attr(value, key, std::string(field));
                }
                k = e + 1;
            }
        }
        if (conversion == 'r') value = Value::owned(repr_text(value, c));
        else if (conversion) value = Value::owned(text_of(value, c));
        out += format_field(value, spec, c);
    }
    return out;
}

namespace {

constexpr TestDef kTests[] = {
    {"defined", 0, 0, t_defined},     {"undefined", 0, 0, t_undefined}, {"none", 0, 0, t_none},
    {"string", 0, 0, t_string},       {"number", 0, 0, t_number},       {"integer", 0, 0, t_integer},
    {"float", 0, 0, t_float},         {"mapping", 0, 0, t_mapping},     {"sequence", 0, 0, t_sequence},
    {"iterable", 0, 0, t_iterable},   {"boolean", 0, 0, t_boolean},     {"true", 0, 0, t_true},
    {"false", 0, 0, t_false},         {"odd", 0, 0, t_odd},             {"even", 0, 0, t_even},
    {"divisibleby", 1, 1, t_divisibleby}, {"eq", 1, 1, t_eq},           {"equalto", 1, 1, t_eq},
    {"==", 1, 1, t_eq},               {"ne", 1, 1, t_ne},               {"lt", 1, 1, t_lt},
    {"gt", 1, 1, t_gt},               {"in", 1, 1, t_in},
};

bool apply_test(const json& item, Args a, std::size_t from, EvalContext& c) {
    Value v = Value::ref(item);
    if (a.size() <= from) return truthy(v, c);
    std::string name = text_of(a[from], c);
    const TestDef* t = find_test(name);
    if (!t) throw EvalError("unknown test '" + name + "'");
    return t->fn(v, a.subspan(from + 1), c);
}

constexpr std::string_view kImageKeywords[] = {"width", "height", "description", "wrap", "x", "y"};

constexpr FilterDef kFilters[] = {
    {"abs", 0, 0, f_abs, false, "absolute value"},
    {"balance", 2, 4, f_balance, false, "balanced line breaks for centred text: balance(width_twips, size_pt, bold, italic)"},
    {"batch", 1, 2, f_batch, false, "split a list into lists of N"},
    {"capitalize", 0, 0, f_capitalize, false, "first letter upper case, the rest lower case"},
    {"center", 0, 1, f_center, false, "centre the text in a width"},
    {"count", 0, 0, f_length, false, "number of items or characters"},
    {"d", 0, 2, f_default, true, "alias of default"},
    {"decree_date", 0, 1, f_decree_date, false, "\"ngày 05 tháng 01 năm 2020\" (Decree 30/2020 format)"},
    {"default", 0, 2, f_default, true, "value to use when the data has none"},
    {"diem", 0, 0, f_diem, false, "điểm letter: 1 → a, 5 → đ, 23 → y"},
    {"dictsort", 0, 3, f_dictsort, false, "the [key, value] pairs of a mapping, sorted"},
    {"e", 0, 0, f_escape, false, "alias of escape"},
    {"escape", 0, 0, f_escape, false, "no-op: vanban always escapes"},
    {"first", 0, 0, f_first, false, "first item"},
    {"float", 0, 1, f_float, false, "convert to a decimal number"},
    {"format", 0, -1, f_format, false, "printf-style formatting"},
    {"groupby", 1, 1, f_groupby, false, "group a list of mappings by an attribute"},
    {"image", 0, 2, f_image, false, "a picture: image(width=\"35mm\", height, description, wrap, x, y)", kImageKeywords},
    {"int", 0, 1, f_int, true, "convert to a whole number"},
    {"items", 0, 0, f_items, false, "the [key, value] pairs of a mapping"},
    {"join", 0, 2, f_join, false, "join a list with a separator"},
    {"last", 0, 0, f_last, false, "last item"},
    {"length", 0, 0, f_length, false, "number of items or characters"},
    {"list", 0, 0, f_list, false, "make a list"},
    {"lower", 0, 0, f_lower, false, "lower case (Vietnamese-aware)"},
    {"map", 0, -1, f_map, false, "map(attribute='x') or map('filter')"},
    {"max", 0, 2, f_max, false, "largest item"},
    {"min", 0, 2, f_min, false, "smallest item"},
    {"nfc", 0, 0, f_nfc, false, "Unicode NFC normalisation"},
    {"outline", 0, 1, f_outline, false, "number a section tree: I., 1., 2.1., a), -, +"},
    {"pad2", 0, 0, f_pad2, false, "two digits: 5 → 05"},
    {"reject", 0, -1, f_reject, false, "drop items passing a test"},
    {"rejectattr", 1, -1, f_rejectattr, false, "drop items whose attribute passes a test"},
    {"replace", 2, 3, f_replace, false, "replace text"},
    {"reverse", 0, 0, f_reverse, false, "reverse a list or string"},
    {"rich", 0, 0, f_rich, false, "markup (*nghiêng*, **đậm**, ^[chú thích]) as formatted runs and footnotes"},
    {"roman", 0, 0, f_roman, false, "Roman numeral: 4 → IV"},
    {"round", 0, 2, f_round, false, "round a number"},
    {"select", 0, -1, f_select, false, "keep items passing a test"},
    {"selectattr", 1, -1, f_selectattr, false, "keep items whose attribute passes a test"},
    {"short_date", 0, 0, f_short_date, false, "05/01/2020"},
    {"slice", 1, 1, f_slice, false, "split a list into N columns"},
    {"slug", 0, 0, f_slug, false, "ASCII file-name-safe form"},
    {"sort", 0, 3, f_sort, false, "sort a list"},
    {"string", 0, 0, f_string, false, "convert to text"},
    {"sum", 0, 2, f_sum, false, "sum of numbers"},
    {"text_width", 1, 3, f_text_width, false, "width in twips in Times New Roman: text_width(size_pt, bold, italic)"},
    {"title", 0, 0, f_title, false, "Every Word Capitalised"},
    {"tojson", 0, 1, f_tojson, false, "JSON text"},
    {"trim", 0, 1, f_trim, false, "strip surrounding white space"},
    {"truncate", 0, 4, f_truncate, false, "shorten text"},
    {"unique", 0, 2, f_unique, false, "remove duplicates"},
    {"upper", 0, 0, f_upper, false, "UPPER CASE (Vietnamese-aware)"},
    {"wordcount", 0, 0, f_wordcount, false, "number of words"},
};

}  // namespace

const FilterDef* find_filter(std::string_view name) {
    for (const auto& f : kFilters)
        if (f.name == name) return &f;
    return nullptr;
}

const TestDef* find_test(std::string_view name) {
    for (const auto& t : kTests)
        if (t.name == name) return &t;
    return nullptr;
}

std::span<const FilterDef> all_filters() { return kFilters; }

}  // namespace vanban::core
