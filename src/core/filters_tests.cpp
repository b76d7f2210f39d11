// The built-in tests ("x is defined", "n is divisibleby 3", "x is in(list)"): takes a value and the test
// arguments, gives true or false.
#include <algorithm>

#include "core/filters_internal.hpp"
#include "core/vn.hpp"

namespace vanban::core::filter_impl {

bool t_defined(const Value& s, Args, EvalContext&) { return !s.is_undefined(); }
bool t_undefined(const Value& s, Args, EvalContext&) { return s.is_undefined(); }
namespace {
const json* tj(const Value& s) { return s.is_json() ? &s.j() : nullptr; }
}  // namespace
bool t_none(const Value& s, Args, EvalContext&) {
    auto j = tj(s);
    return j && j->is_null();
}
bool t_string(const Value& s, Args, EvalContext&) {
    auto j = tj(s);
    return s.is_rich() || (j && j->is_string());
}
bool t_number(const Value& s, Args, EvalContext&) {
    auto j = tj(s);
    return j && (j->is_number() || j->is_boolean());
}  // Python: True is a number
bool t_integer(const Value& s, Args, EvalContext&) {
    auto j = tj(s);
    return j && j->is_number_integer();
}
bool t_float(const Value& s, Args, EvalContext&) {
    auto j = tj(s);
    return j && j->is_number_float();
}
bool t_mapping(const Value& s, Args, EvalContext&) {
    auto j = tj(s);
    return j && j->is_object();
}
bool t_sequence(const Value& s, Args, EvalContext&) {
    auto j = tj(s);
    return j && (j->is_array() || j->is_string() || j->is_object());
}
bool t_iterable(const Value& s, Args a, EvalContext& c) { return t_sequence(s, a, c); }
bool t_boolean(const Value& s, Args, EvalContext&) {
    auto j = tj(s);
    return j && j->is_boolean();
}
bool t_true(const Value& s, Args, EvalContext&) {
    auto j = tj(s);
    return j && j->is_boolean() && j->get<bool>();
}
bool t_false(const Value& s, Args, EvalContext&) {
    auto j = tj(s);
    return j && j->is_boolean() && !j->get<bool>();
}
namespace {
long long int_of(const Value& s, EvalContext& c, const char* test) {
    const json& j = j_of(s, c);
    if (!j.is_number()) throw EvalError(std::string("'") + test + "' needs a number");
    return whole(s, test);
}
}  // namespace
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
bool t_ge(const Value& s, Args a, EvalContext&) { return as_number(s, "ge") >= as_number(a[0], "ge"); }
bool t_le(const Value& s, Args a, EvalContext&) { return as_number(s, "le") <= as_number(a[0], "le"); }
// lower/upper: Python's str.islower()/isupper() — some cased letter, and none of the other case.
namespace {
bool cased_as(const Value& s, EvalContext& c, bool upper) {
    const json& j = j_of(s, c);
    if (!j.is_string()) return false;
    const std::string& t = j.get_ref<const std::string&>();
    return t != (upper ? vn::lower(t) : vn::upper(t)) && t == (upper ? vn::upper(t) : vn::lower(t));
}
}  // namespace
bool t_lower(const Value& s, Args, EvalContext& c) { return cased_as(s, c, false); }
bool t_upper(const Value& s, Args, EvalContext& c) { return cased_as(s, c, true); }
// sameas: Python's "is". Data values are the same when they are the same node of the data; none, true and false are
// singletons; computed values are never the same object.
bool t_sameas(const Value& s, Args a, EvalContext& c) {
    const json& x = j_of(s, c);
    const json& y = j_of(a[0], c);
    if (x.is_null() || x.is_boolean()) return x == y && x.type() == y.type();
    return s.is_ref() && a[0].is_ref() && &x == &y;
}
bool t_filter(const Value& s, Args, EvalContext& c) {
    const json& j = j_of(s, c);
    return j.is_string() && find_filter(j.get_ref<const std::string&>()) != nullptr;
}
bool t_test(const Value& s, Args, EvalContext& c) {
    const json& j = j_of(s, c);
    return j.is_string() && find_test(j.get_ref<const std::string&>()) != nullptr;
}
bool t_in(const Value& s, Args a, EvalContext& c) {
    const json& container = j_of(a[0], c);
    const json& item = j_of(s, c);
    if (container.is_array()) return std::find(container.begin(), container.end(), item) != container.end();
    if (container.is_string() && item.is_string())
        return container.get_ref<const std::string&>().find(item.get_ref<const std::string&>()) != std::string::npos;
    if (container.is_object() && item.is_string()) return container.contains(item.get_ref<const std::string&>());
    return false;
}

}  // namespace vanban::core::filter_impl
