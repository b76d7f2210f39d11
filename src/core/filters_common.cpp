// Helpers of the built-in filters: takes the Values a filter is given, gives their json, text, whole numbers,
// positional or keyword arguments, attribute paths and sort order, the same way for every filter family.
#include <cstdlib>

#include "core/filters_internal.hpp"
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

namespace filter_impl {

const json& j_of(const Value& v, EvalContext& ctx) {
    if (v.is_json()) return v.j();
    if (v.is_undefined()) {
        if (!ctx.lenient) throw_missing(v);
        return kNull;
    }
    throw EvalError("this value cannot be used here");
}

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

const json& list_of(const Value& v, EvalContext& ctx, std::string_view filter) {
    const json& j = j_of(v, ctx);
    if (j.is_null() && ctx.lenient) {
        static const json empty = json::array();
        return empty;
    }
    if (!j.is_array()) throw EvalError(std::string(filter) + " needs a list, not " + std::string(j.type_name()));
    return j;
}

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

bool has_attr_path(const json& item, std::string_view path) {
    const std::size_t dot = path.rfind('.');
    const json parent = dot == std::string_view::npos ? item : attr_path(item, path.substr(0, dot));
    const std::string_view last = dot == std::string_view::npos ? path : path.substr(dot + 1);
    if (parent.is_object()) return parent.contains(last);
    if (!parent.is_array() || last.empty() || last.size() > 18 ||
        last.find_first_not_of("0123456789") != std::string_view::npos)
        return false;
    return std::stoull(std::string(last)) < parent.size();
}

std::vector<std::string> attribute_list(std::string_view attributes) {
    std::vector<std::string> out;
    while (true) {
        const std::size_t comma = attributes.find(',');
        std::string_view one = attributes.substr(0, comma);
        while (!one.empty() && (one.front() == ' ' || one.front() == '\t')) one.remove_prefix(1);
        while (!one.empty() && (one.back() == ' ' || one.back() == '\t')) one.remove_suffix(1);
        out.emplace_back(one);
        if (comma == std::string_view::npos) return out;
        attributes.remove_prefix(comma + 1);
    }
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

bool apply_test(const json& item, Args a, std::size_t from, EvalContext& c) {
    Value v = Value::ref(item);
    if (a.size() <= from) return truthy(v, c);
    std::string name = text_of(a[from], c);
    const TestDef* t = find_test(name);
    if (!t) throw EvalError("unknown test '" + name + "'");
    return t->fn(v, a.subspan(from + 1), c);
}

}  // namespace filter_impl

}  // namespace vanban::core
