// The built-in functions and methods of the expression language: takes a call node whose callee the parser
// resolved (find_function, find_method) and its evaluated arguments, gives the result. range() is the only
// function; methods are those Jinja templates written for Python use on mappings ("d.items()"), texts
// ("', '.join(xs)", "'{:,.0f}'.format(x)") and the loop ("loop.cycle('a', 'b')").
#include <algorithm>
#include <cctype>

#include "core/expr_internal.hpp"
#include "core/filters.hpp"

namespace vanban::core {

namespace {

const json kEmptyObject = json::object();

// range(stop), range(start, stop[, step]) as in Python; the count is checked against the size limit first.
Value call_range(const CallArgs& a) {
    static const json zero = 0;
    auto bound = [&](std::size_t i) {
        const json& j = need_json(a.args[i], a.ctx, zero);
        if (!j.is_number()) throw EvalError("range() needs whole numbers");
        return is_int(j) ? j.get<long long>() : whole_number(j.get<double>(), "range() argument");
    };
    long long from = 0, to = 0, step = 1;
    if (a.args.size() == 1) to = bound(0);
    else if (a.args.size() >= 2 && a.args.size() <= 3) {
        from = bound(0);
        to = bound(1);
        if (a.args.size() == 3) step = bound(2);
    } else throw EvalError("range() needs 1 to 3 arguments");
    if (step == 0) throw EvalError("range() step must not be zero");
    // The count first, so that a huge range fails before it is built. Unsigned arithmetic: to - from may not fit
    // in a long long, but it always fits in 64 unsigned bits, and from + k * step wraps back into range.
    using U = std::uint64_t;
    U span = 0;
    if (step > 0 && to > from) span = static_cast<U>(to) - static_cast<U>(from);
    if (step < 0 && from > to) span = static_cast<U>(from) - static_cast<U>(to);
    const U magnitude = step > 0 ? static_cast<U>(step) : U{0} - static_cast<U>(step);
    const U count = span == 0 ? 0 : (span - 1) / magnitude + 1;
    U bytes = 0;
    if (__builtin_mul_overflow(count, U{sizeof(json)}, &bytes)) bytes = UINT64_MAX;
    a.ctx.check_size(bytes, "range()");
    json r = json::array();
    r.get_ref<json::array_t&>().reserve(static_cast<std::size_t>(count));
    for (U k = 0; k < count; ++k) r.push_back(static_cast<long long>(static_cast<U>(from) + k * static_cast<U>(step)));
    return Value::owned(std::move(r));
}

Value loop_cycle(const CallArgs& a) {
    if (a.args.empty()) throw EvalError("loop.cycle() needs at least one value");
    return a.args[a.subject.loop_state().index0 % a.args.size()];
}

// ----- mappings

Value mapping_items(const CallArgs& a) {
    json r = json::array();
    for (auto it = a.self.begin(); it != a.self.end(); ++it) r.push_back(json::array({it.key(), it.value()}));
    return Value::owned(std::move(r));
}

Value mapping_keys(const CallArgs& a) {
    json r = json::array();
    for (auto it = a.self.begin(); it != a.self.end(); ++it) r.push_back(it.key());
    return Value::owned(std::move(r));
}

Value mapping_values(const CallArgs& a) {
    json r = json::array();
    for (auto it = a.self.begin(); it != a.self.end(); ++it) r.push_back(it.value());
    return Value::owned(std::move(r));
}

Value mapping_get(const CallArgs& a) {
    if (a.args.empty()) throw EvalError("get() needs a key");
    const json& k = need_json(a.args[0], a.ctx, kEmptyObject);
    if (k.is_string()) {
        auto it = a.self.find(k.get_ref<const std::string&>());
        if (it != a.self.end()) return a.subject.child(*it);
    }
    return a.args.size() > 1 ? a.args[1] : Value::owned(nullptr);
}

// ----- texts

const std::string& text(const CallArgs& a) { return a.self.get_ref<const std::string&>(); }

// "x".upper(), .lower(), .strip(), .title(), .capitalize(), .replace(a, b): the filter of the same meaning.
Value text_via_filter(const CallArgs& a) { return a.call.filter->fn(a.subject, a.args, {}, a.ctx); }

Value text_format(const CallArgs& a) {  // "{:,.0f}".format(x): Python's format mini-language
    std::vector<std::pair<std::string_view, Value>> kwargs;
    for (const auto& [k, v] : a.call.kwargs) kwargs.emplace_back(k, evaluate(*v, a.ctx));
    return Value::owned(brace_format(text(a), a.args, kwargs, a.ctx));
}

Value text_join(const CallArgs& a) {  // ", ".join(items)
    if (a.args.size() != 1) throw EvalError("join() needs one list");
    const json& items = need_json(a.args[0], a.ctx, kEmptyObject);
    if (!items.is_array()) throw EvalError("join() needs a list, not " + std::string(items.type_name()));
    std::string r;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) r += text(a);
        r += json_to_text(items[i]);
        if (r.size() > a.ctx.limits.max_value_bytes) a.ctx.check_size(r.size(), "the joined text");
    }
    return Value::owned(std::move(r));
}

Value strip_side(const CallArgs& a, bool left) {
    const std::string& str = text(a);
    std::string chars = " \t\n\r\f\v";
    if (!a.args.empty()) chars = to_text(a.args[0], a.ctx);
    std::size_t b = left ? str.find_first_not_of(chars) : 0;
    std::size_t l = left ? str.size() - 1 : str.find_last_not_of(chars);
    if (b == std::string::npos || l == std::string::npos) return Value::owned(std::string());
    return Value::owned(str.substr(b, l + 1 - b));
}
Value text_lstrip(const CallArgs& a) { return strip_side(a, true); }
Value text_rstrip(const CallArgs& a) { return strip_side(a, false); }

Value text_zfill(const CallArgs& a) {  // "7".zfill(2) → "07"
    if (a.args.size() != 1) throw EvalError("zfill() needs a width");
    std::string str = text(a);
    const json& w = need_json(a.args[0], a.ctx, kEmptyObject);
    if (!w.is_number()) throw EvalError("zfill() needs a whole number");
    const long long given = is_int(w) ? w.get<long long>() : whole_number(w.get<double>(), "zfill width");
    const auto width = static_cast<std::size_t>(std::max(0LL, given));
    a.ctx.check_size(width, "the zero-filled text");
    std::size_t sign = !str.empty() && (str[0] == '-' || str[0] == '+') ? 1 : 0;
    if (str.size() < width) str.insert(sign, width - str.size(), '0');
    return Value::owned(std::move(str));
}

Value text_isdigit(const CallArgs& a) {
    const std::string& str = text(a);
    return Value::owned(!str.empty() && std::all_of(str.begin(), str.end(), [](char c) { return c >= '0' && c <= '9'; }));
}

Value affix_test(const CallArgs& a, bool start) {
    if (a.args.size() != 1) throw EvalError(a.call.name + "() needs one argument");
    const json& x = need_json(a.args[0], a.ctx, kEmptyObject);
    if (!x.is_string()) throw EvalError(a.call.name + "() needs a string");
    const std::string& affix = x.get_ref<const std::string&>();
    return Value::owned(start ? text(a).starts_with(affix) : text(a).ends_with(affix));
}
Value text_startswith(const CallArgs& a) { return affix_test(a, true); }
Value text_endswith(const CallArgs& a) { return affix_test(a, false); }

// "a b".split() on runs of white space; "a,b".split(",") on a separator, as in Python.
Value text_split(const CallArgs& a) {
    const std::string& str = text(a);
    json r = json::array();
    if (a.args.empty()) {
        std::size_t i = 0;
        while (i < str.size()) {
            while (i < str.size() && std::isspace(static_cast<unsigned char>(str[i]))) ++i;
            std::size_t j = i;
            while (j < str.size() && !std::isspace(static_cast<unsigned char>(str[j]))) ++j;
            if (j > i) r.push_back(str.substr(i, j - i));
            i = j;
        }
        return Value::owned(std::move(r));
    }
    const json& sep = need_json(a.args[0], a.ctx, kEmptyObject);
    if (!sep.is_string() || sep.get_ref<const std::string&>().empty()) throw EvalError("split() needs a non-empty separator");
    const auto& d = sep.get_ref<const std::string&>();
    std::size_t i = 0;
    while (true) {
        std::size_t j = str.find(d, i);
        if (j == std::string::npos) { r.push_back(str.substr(i)); break; }
        r.push_back(str.substr(i, j - i));
        i = j + d.size();
        // Each piece costs a list item, however short: "a,,,,,," splits into many.
        if (r.size() * sizeof(json) > a.ctx.limits.max_value_bytes) a.ctx.check_size(r.size() * sizeof(json), "split()");
    }
    return Value::owned(std::move(r));
}

using On = CallDef::On;

constexpr CallDef kFunctions[] = {
    {"range", On::function, call_range},
};

constexpr CallDef kMethods[] = {
    {"cycle", On::loop, loop_cycle},
    {"items", On::mapping, mapping_items},
    {"keys", On::mapping, mapping_keys},
    {"values", On::mapping, mapping_values},
    {"get", On::mapping, mapping_get},
    {"upper", On::text, text_via_filter, "upper"},
    {"lower", On::text, text_via_filter, "lower"},
    {"strip", On::text, text_via_filter, "trim"},
    {"title", On::text, text_via_filter, "title"},
    {"capitalize", On::text, text_via_filter, "capitalize"},
    {"replace", On::text, text_via_filter, "replace"},
    {"format", On::text, text_format},
    {"join", On::text, text_join},
    {"lstrip", On::text, text_lstrip},
    {"rstrip", On::text, text_rstrip},
    {"zfill", On::text, text_zfill},
    {"isdigit", On::text, text_isdigit},
    {"startswith", On::text, text_startswith},
    {"endswith", On::text, text_endswith},
    {"split", On::text, text_split},
};

const CallDef* find_in(std::span<const CallDef> table, std::string_view name) {
    for (const auto& def : table)
        if (def.name == name) return &def;
    return nullptr;
}

bool applies_to(const CallDef& def, const json& self) {
    return (def.on == On::mapping && self.is_object()) || (def.on == On::text && self.is_string());
}

}  // namespace

const CallDef* find_function(std::string_view name) { return find_in(kFunctions, name); }
const CallDef* find_method(std::string_view name) { return find_in(kMethods, name); }

Value evaluate_call(const Expr& e, EvalContext& ctx) {
    const Expr& callee = *e.args[0];
    std::vector<Value> args;
    for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(evaluate(*e.args[i], ctx));
    if (callee.kind == Expr::Kind::name) {
        if (!e.callee) throw EvalError("unknown function '" + callee.name + "'", "functions: range(); use filters for the rest");
        static const Value no_subject;
        return e.callee->fn({e, no_subject, kNullJson, args, ctx});
    }
    const Value subject = evaluate(*callee.args[0], ctx);
    if (e.callee && e.callee->on == On::loop && subject.is_loop()) return e.callee->fn({e, subject, kNullJson, args, ctx});
    const json& self = need_json(subject, ctx, kEmptyObject);
    if (e.callee && applies_to(*e.callee, self)) return e.callee->fn({e, subject, self, args, ctx});
    throw EvalError("unknown method '" + callee.name + "' on " + std::string(self.type_name()));
}

}  // namespace vanban::core
