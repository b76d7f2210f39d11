// The filters of defaults, lists and mappings: takes a list or mapping (or a value that may be missing) and the
// filter arguments, gives a value, a list or an item of the input — default, length, first, last, join, list,
// reverse, sort, unique, dictsort, items, map, select/reject(attr), groupby, sum, min, max, batch, slice.
#include <algorithm>
#include <set>

#include "core/filters_internal.hpp"
#include "core/vn.hpp"

namespace vanban::core::filter_impl {

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
        return Value::owned(static_cast<long long>(vn::code_point_count(j.get_ref<const std::string&>())));
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
        return str_result(str.substr(0, vn::char_boundary_after(str, 1)));
    }
    throw EvalError("first needs a list or a string");
}

Value f_last(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    if (j.is_array()) return j.empty() ? Value::undefined("last of an empty list") : s.child(j.back());
    if (j.is_string()) {
        const auto& str = j.get_ref<const std::string&>();
        if (str.empty()) return Value::undefined("last of an empty string");
        return str_result(str.substr(vn::char_boundary_before(str, str.size() - 1)));
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
        for (const std::string_view key : c.keys_of(j)) r.push_back(key);
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
            const std::size_t start = vn::char_boundary_before(str, end - 1);
            out.append(str, start, end - start);
            end = start;
        }
        return str_result(std::move(out));
    }
    if (!j.is_array()) throw EvalError("reverse needs a list or a string");
    return Value::owned(json::array_t(j.rbegin(), j.rend()));
}

// Jinja 3's sort: attribute='dept,name' sorts by several attributes, the first deciding (each in the same direction).
Value f_sort(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = list_of(s, c, "sort");
    bool reverse = bool_arg(arg(a, kw, 0, "reverse"), false, c);
    bool case_sensitive = bool_arg(arg(a, kw, 1, "case_sensitive"), false, c);
    const Value* attribute = arg(a, kw, 2, "attribute");
    const std::vector<std::string> attrs =
        attribute ? attribute_list(text_of(*attribute, c)) : std::vector<std::string>{};
    c.charge(j.size() * (1 + attrs.size()));
    const auto key_less = [&](const json& x, const json& y) {
        if (attrs.empty()) return json_less(x, y, case_sensitive);
        for (const std::string& attr : attrs) {
            const json kx = attr_path(x, attr), ky = attr_path(y, attr);
            if (json_less(kx, ky, case_sensitive)) return true;
            if (json_less(ky, kx, case_sensitive)) return false;
        }
        return false;
    };
    json::array_t r = j.get<json::array_t>();
    std::stable_sort(r.begin(), r.end(),
                     [&](const json& x, const json& y) { return reverse ? key_less(y, x) : key_less(x, y); });
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
    for (const std::string_view key : c.keys_of(j)) items.push_back(json::array({key, j.find(key).value()}));
    return Value::owned(std::move(items));
}

// Jinja's attr(name): Python's getattr, which never finds the key of a dict — so with JSON data Jinja's attr is always
// undefined. vanban reads the member, as x[name] does: what a template that calls attr on data means.
Value f_attr(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const Value* name = arg(a, kw, 0, "name");
    const std::string key = text_of(*name, c);
    return get_attr(s, key, "attr('" + key + "')");
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

namespace {
Value select_impl(const Value& s, Args a, EvalContext& c, bool by_attr, bool reject) {
    const json& j = list_of(s, c, reject ? "reject" : "select");
    json r = json::array();
    std::string attr =
        by_attr ? (a.empty() ? throw EvalError("selectattr needs an attribute name") : text_of(a[0], c)) : "";
    for (const auto& e : j) {
        json v = by_attr ? attr_path(e, attr) : e;
        bool ok = apply_test(v, a, by_attr ? 1 : 0, c);
        if (ok != reject) r.push_back(e);
    }
    return Value::owned(std::move(r));
}
}  // namespace
Value f_selectattr(const Value& s, Args a, KwArgs, EvalContext& c) { return select_impl(s, a, c, true, false); }
Value f_rejectattr(const Value& s, Args a, KwArgs, EvalContext& c) { return select_impl(s, a, c, true, true); }
Value f_select(const Value& s, Args a, KwArgs, EvalContext& c) { return select_impl(s, a, c, false, false); }
Value f_reject(const Value& s, Args a, KwArgs, EvalContext& c) { return select_impl(s, a, c, false, true); }

// Jinja 3's groupby(attribute, default=none, case_sensitive=false): items sorted and grouped by the attribute, texts
// compared case-insensitively unless asked (the grouper is then the first item's spelling); an item without the
// attribute goes under `default`, and without a default it is an error (Jinja fails too, comparing Undefined).
Value f_groupby(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = list_of(s, c, "groupby");
    const Value* attribute = arg(a, kw, 0, "attribute");
    if (!attribute) throw EvalError("groupby needs an attribute");
    const std::string attr = text_of(*attribute, c);
    const Value* fallback = arg(a, kw, 1, "default");
    const bool case_sensitive = bool_arg(arg(a, kw, 2, "case_sensitive"), false, c);
    c.charge(j.size());
    std::vector<std::pair<json, const json*>> keyed;  // (key, item)
    keyed.reserve(j.size());
    for (const auto& e : j) {
        json key = attr_path(e, attr);
        if (key.is_null() && !has_attr_path(e, attr)) {
            if (!fallback)
                throw coded_error("data.groupby_missing", "groupby: an item has no '" + attr + "'",
                                  "có mục trong danh sách không có \"" + attr +
                                      "\" để xếp nhóm — hãy điền cho mọi mục, hoặc mẫu ghi groupby('" + attr +
                                      "', default='…')",
                                  "give every item '" + attr + "', or write groupby('" + attr + "', default='…')");
            key = j_of(*fallback, c);
        }
        keyed.emplace_back(std::move(key), &e);
    }
    std::stable_sort(keyed.begin(), keyed.end(),
                     [&](const auto& x, const auto& y) { return json_less(x.first, y.first, case_sensitive); });
    json r = json::array();
    const json* group_key = nullptr;
    for (const auto& [key, item] : keyed) {
        const bool same =
            group_key && !json_less(*group_key, key, case_sensitive) && !json_less(key, *group_key, case_sensitive);
        if (!same) {
            r.push_back({{"grouper", key}, {"list", json::array()}});
            group_key = &key;
        }
        r.back()["list"].push_back(*item);
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
        if (all_int && __builtin_add_overflow(isum, v.get<long long>(), &isum))
            throw coded_error("data.integer_overflow", "sum: the whole-number total is beyond 64 bits",
                              "tổng các số nguyên quá lớn (vượt 64 bit), vanban không in số bị làm tròn");
        dsum += v.get<double>();
    }
    return all_int ? Value::owned(isum) : Value::owned(dsum);
}

namespace {
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
}  // namespace
Value f_min(const Value& s, Args a, KwArgs kw, EvalContext& c) { return minmax(s, a, kw, c, false); }
Value f_max(const Value& s, Args a, KwArgs kw, EvalContext& c) { return minmax(s, a, kw, c, true); }

Value f_batch(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& j = list_of(s, c, "batch");
    long long n = int_arg(arg(a, kw, 0, "linecount"), 1, "linecount");
    if (n <= 0) throw EvalError("batch size must be positive");
    const Value* fill = arg(a, kw, 1, "fill_with");
    if (fill)
        c.check_size(static_cast<std::uint64_t>(n) * sizeof(json),
                     "a batch filled up to " + std::to_string(n) + " items");
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
    std::size_t len = j.size(), per = len / static_cast<std::size_t>(n), extra = len % static_cast<std::size_t>(n),
                off = 0;
    for (long long i = 0; i < n; ++i) {
        std::size_t cnt = per + (static_cast<std::size_t>(i) < extra ? 1 : 0);
        r.push_back(json::array_t(j.begin() + static_cast<long>(off), j.begin() + static_cast<long>(off + cnt)));
        off += cnt;
    }
    return Value::owned(std::move(r));
}

}  // namespace vanban::core::filter_impl
