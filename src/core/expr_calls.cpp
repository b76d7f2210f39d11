// The built-in functions and methods of the expression language: takes a call node whose callee the parser
// resolved (find_function, find_method) and its evaluated arguments, gives the result. range() is the only
// function; methods are those Jinja templates written for Python use on mappings ("d.items()"), texts
// ("', '.join(xs)", "'{:,.0f}'.format(x)") and the loop ("loop.cycle('a', 'b')").
#include <algorithm>
#include <cctype>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/expr_internal.hpp"
#include "core/filters.hpp"
#include "core/vn.hpp"

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

// loop.changed(x, …): true on the first call and whenever the values differ from the previous call's.
Value loop_changed(const CallArgs& a) {
    json values = json::array();
    for (const Value& v : a.args) values.push_back(need_json(v, a.ctx, kNullJson));
    const LoopState& loop = a.subject.loop_state();
    const bool changed = !loop.changed_last || *loop.changed_last != values;
    loop.changed_last = std::move(values);
    return Value::owned(changed);
}

// ----- mappings

// items(), keys(), values(): in the data file's order of keys, as Jinja iterates a dict.
Value mapping_items(const CallArgs& a) {
    json r = json::array();
    for (const std::string_view key : a.ctx.keys_of(a.self)) r.push_back(json::array({key, a.self.find(key).value()}));
    return Value::owned(std::move(r));
}

Value mapping_keys(const CallArgs& a) {
    json r = json::array();
    for (const std::string_view key : a.ctx.keys_of(a.self)) r.push_back(key);
    return Value::owned(std::move(r));
}

Value mapping_values(const CallArgs& a) {
    json r = json::array();
    for (const std::string_view key : a.ctx.keys_of(a.self)) r.push_back(a.self.find(key).value());
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
    return Value::owned(!str.empty() &&
                        std::all_of(str.begin(), str.end(), [](char c) { return c >= '0' && c <= '9'; }));
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
    if (!sep.is_string() || sep.get_ref<const std::string&>().empty())
        throw EvalError("split() needs a non-empty separator");
    const auto& d = sep.get_ref<const std::string&>();
    std::size_t i = 0;
    while (true) {
        std::size_t j = str.find(d, i);
        if (j == std::string::npos) {
            r.push_back(str.substr(i));
            break;
        }
        r.push_back(str.substr(i, j - i));
        i = j + d.size();
        // Each piece costs a list item, however short: "a,,,,,," splits into many.
        if (r.size() * sizeof(json) > a.ctx.limits.max_value_bytes)
            a.ctx.check_size(r.size() * sizeof(json), "split()");
    }
    return Value::owned(std::move(r));
}

// ----- more of Python's str and list methods

std::string text_arg(const CallArgs& a, std::size_t i, const char* method) {
    if (a.args.size() <= i) throw EvalError(std::string(method) + "() needs an argument");
    const json& x = need_json(a.args[i], a.ctx, kEmptyObject);
    if (!x.is_string()) throw EvalError(std::string(method) + "() needs a text");
    return x.get<std::string>();
}

// The position in code points of a byte offset of a text.
long long code_point_index(const std::string& str, std::size_t byte) {
    return static_cast<long long>(vn::code_point_count(std::string_view(str).substr(0, byte)));
}

Value text_find(const CallArgs& a) {  // "abc".find("c") → 2, -1 when absent
    const std::string& str = text(a);
    const std::size_t at = str.find(text_arg(a, 0, "find"));
    return Value::owned(at == std::string::npos ? -1LL : code_point_index(str, at));
}

// index(x): like find on a text, the position of an equal item on a list; absent is an error, as in Python.
Value sequence_index(const CallArgs& a) {
    if (a.self.is_string()) {
        const std::string& str = text(a);
        const std::size_t at = str.find(text_arg(a, 0, "index"));
        if (at == std::string::npos) throw EvalError("index(): the text is not found");
        return Value::owned(code_point_index(str, at));
    }
    if (a.args.empty()) throw EvalError("index() needs a value");
    const json& x = need_json(a.args[0], a.ctx, kEmptyObject);
    a.ctx.charge(a.self.size());
    const auto it = std::find(a.self.begin(), a.self.end(), x);
    if (it == a.self.end()) throw EvalError("index(): " + json_to_text(x) + " is not in the list");
    return Value::owned(static_cast<long long>(it - a.self.begin()));
}

Value sequence_count(const CallArgs& a) {  // "a-b-c".count("-") → 2; [1, 1, 2].count(1) → 2
    long long n = 0;
    if (a.self.is_string()) {
        const std::string& str = text(a);
        const std::string part = text_arg(a, 0, "count");
        if (part.empty()) return Value::owned(static_cast<long long>(code_point_index(str, str.size()) + 1));
        for (std::size_t at = str.find(part); at != std::string::npos; at = str.find(part, at + part.size())) ++n;
        return Value::owned(n);
    }
    if (a.args.empty()) throw EvalError("count() needs a value");
    const json& x = need_json(a.args[0], a.ctx, kEmptyObject);
    a.ctx.charge(a.self.size());
    return Value::owned(static_cast<long long>(std::count(a.self.begin(), a.self.end(), x)));
}

// ljust/rjust/center(width[, fill]) as Python pads (center puts the odd fill character as str.center does).
Value text_pad(const CallArgs& a, int where) {
    const std::string& str = text(a);
    if (a.args.empty()) throw EvalError("a width is needed");
    const json& w = need_json(a.args[0], a.ctx, kEmptyObject);
    if (!is_int(w)) throw EvalError("the width must be a whole number");
    const auto width = static_cast<std::size_t>(std::max(0LL, w.get<long long>()));
    a.ctx.check_size(width * 4, "the padded text");
    const std::string fill = a.args.size() > 1 ? text_arg(a, 1, "fill") : " ";
    if (code_points(fill).size() != 1) throw EvalError("the fill character must be exactly one character long");
    const std::size_t have = static_cast<std::size_t>(code_point_index(str, str.size()));
    if (have >= width) return Value::owned(str);
    const std::size_t missing = width - have;
    const std::size_t left = where < 0 ? 0 : where > 0 ? missing : missing / 2 + (missing & width & 1);
    std::string out;
    for (std::size_t i = 0; i < left; ++i) out += fill;
    out += str;
    for (std::size_t i = left; i < missing; ++i) out += fill;
    return Value::owned(std::move(out));
}
Value text_ljust(const CallArgs& a) { return text_pad(a, -1); }
Value text_rjust(const CallArgs& a) { return text_pad(a, 1); }
Value text_center(const CallArgs& a) { return text_pad(a, 0); }

Value text_splitlines(const CallArgs& a) {  // on \n, \r\n and \r; no last empty line
    const std::string& str = text(a);
    json r = json::array();
    std::size_t from = 0;
    while (from < str.size()) {
        std::size_t nl = str.find_first_of("\r\n", from);
        if (nl == std::string::npos) nl = str.size();
        r.push_back(str.substr(from, nl - from));
        if (nl < str.size() && str[nl] == '\r' && nl + 1 < str.size() && str[nl + 1] == '\n') ++nl;
        from = nl + 1;
    }
    a.ctx.account(r);
    return Value::owned(std::move(r));
}

Value text_partition(const CallArgs& a) {  // "a=b=c".partition("=") → ('a', '=', 'b=c'), printed as a list
    const std::string& str = text(a);
    const std::string sep = text_arg(a, 0, "partition");
    if (sep.empty()) throw EvalError("partition() needs a non-empty separator");
    const std::size_t at = str.find(sep);
    if (at == std::string::npos) return Value::owned(json::array({str, "", ""}));
    return Value::owned(json::array({str.substr(0, at), sep, str.substr(at + sep.size())}));
}

Value text_rsplit(const CallArgs& a) {  // "a,b,c".rsplit(",", 1) → ['a,b', 'c']
    const std::string& str = text(a);
    if (a.args.empty()) return text_split(a);
    const std::string sep = text_arg(a, 0, "rsplit");
    if (sep.empty()) throw EvalError("rsplit() needs a non-empty separator");
    long long max = -1;
    if (a.args.size() > 1) {
        const json& m = need_json(a.args[1], a.ctx, kEmptyObject);
        if (!is_int(m)) throw EvalError("rsplit() needs a whole number of splits");
        max = m.get<long long>();
    }
    std::vector<std::string> parts;
    std::size_t end = str.size();
    while (max < 0 || static_cast<long long>(parts.size()) < max) {
        if (end < sep.size()) break;
        const std::size_t at = str.rfind(sep, end - sep.size());
        if (at == std::string::npos) break;
        parts.push_back(str.substr(at + sep.size(), end - at - sep.size()));
        end = at;
    }
    parts.push_back(str.substr(0, end));
    json r = json::array_t(parts.rbegin(), parts.rend());
    a.ctx.account(r);
    return Value::owned(std::move(r));
}

// isalpha/isupper/islower/isnumeric as Python answers them (Unicode letters and digits; cased letters for the case).
// Every code point of the text passes `test` (an ICU property), and there is one.
bool all_code_points(const std::string& str, bool (*test)(UChar32)) {
    if (str.empty()) return false;
    for (int32_t i = 0, len = static_cast<int32_t>(str.size()); i < len;) {
        UChar32 ch;
        U8_NEXT(str.data(), i, len, ch);
        if (!test(ch)) return false;
    }
    return true;
}
bool is_alpha(UChar32 ch) { return u_isalpha(ch) != 0; }
bool is_numeric(UChar32 ch) { return u_getIntPropertyValue(ch, UCHAR_NUMERIC_TYPE) != U_NT_NONE; }
Value text_isalpha(const CallArgs& a) { return Value::owned(all_code_points(text(a), is_alpha)); }
Value text_isnumeric(const CallArgs& a) { return Value::owned(all_code_points(text(a), is_numeric)); }
Value text_isupper(const CallArgs& a) {
    const std::string& str = text(a);
    return Value::owned(str != vn::lower(str) && str == vn::upper(str));
}
Value text_islower(const CallArgs& a) {
    const std::string& str = text(a);
    return Value::owned(str != vn::upper(str) && str == vn::lower(str));
}
Value text_swapcase(const CallArgs& a) {
    std::string out;
    for (const std::string& cp : code_points(text(a))) {
        const std::string up = vn::upper(cp);
        out += up != cp ? up : vn::lower(cp);
    }
    return Value::owned(std::move(out));
}

// Python's list.append, extend, pop, dict.update change the value in place; vanban's values are never changed (the
// data is shared by every render, and a template that edits its data is hard to read). A clear error with the
// expression that gives the same result.
Value refuse_mutation(const CallArgs& a) {
    static constexpr std::pair<std::string_view, std::string_view> kInstead[] = {
        {"append", "{% set xs = xs + [x] %}"},
        {"extend", "{% set xs = xs + ys %}"},
        {"pop", "xs[-1] and {% set xs = xs[:-1] %}"},
        {"update", "a namespace: {% set ns.x = … %}, or a new mapping"}};
    std::string instead;
    for (const auto& [name, how] : kInstead)
        if (name == a.call.name) instead = how;
    throw coded_error(
        "data.in_place_change", "vanban does not change values in place: '" + a.call.name + "()' is not available",
        "mẫu dùng '" + a.call.name + "()' để sửa một giá trị tại chỗ, vanban không làm vậy — hãy viết " + instead,
        "write " + instead);
}

// dict(mapping, k=v, …) and namespace(…), as Jinja gives them: a mapping of the keywords (after the mapping's items),
// in the order they are written. A namespace's members can be set ({% set ns.x = … %}, program.cpp).
Value call_mapping(const CallArgs& a) {
    if (a.args.size() > 1) throw EvalError(a.call.args[0]->name + "() takes one mapping and keywords");
    json r = json::object();
    std::vector<std::string> order;
    if (!a.args.empty()) {
        const json& base = need_json(a.args[0], a.ctx, kEmptyObject);
        if (!base.is_object())
            throw EvalError(a.call.args[0]->name + "() needs a mapping, not " + std::string(base.type_name()));
        for (const std::string_view key : a.ctx.keys_of(base)) order.emplace_back(key);
        r = base;
    }
    for (const auto& [key, expr] : a.call.kwargs) {
        if (!r.contains(key)) order.push_back(key);
        r[key] = need_json(evaluate(*expr, a.ctx), a.ctx, kNullJson);
    }
    if (!std::is_sorted(order.begin(), order.end()) && !a.ctx.written_order.of(r))
        a.ctx.written_order.note(std::move(order));
    return Value::owned(std::move(r));
}

// joiner(sep): "" on its first call, the separator on every later one (Jinja's joiner).
class Joiner final : public Callable {
public:
    explicit Joiner(std::string separator) : separator_(std::move(separator)) {}
    std::string_view kind() const override { return "joiner"; }
    Value call(std::span<const Value> args, KwArgs kwargs, EvalContext&) override {
        if (!args.empty() || !kwargs.empty()) throw EvalError("a joiner is called without arguments");
        return Value::owned(std::exchange(used_, true) ? separator_ : std::string());
    }

private:
    std::string separator_;
    bool used_ = false;
};

Value call_joiner(const CallArgs& a) {
    if (a.args.size() > 1 || !a.call.kwargs.empty()) throw EvalError("joiner() takes one separator");
    return Value::callable(std::make_shared<Joiner>(a.args.empty() ? std::string(", ") : to_text(a.args[0], a.ctx)));
}

// cycler(a, b, …): .next() gives the values in turn, .current the one next() gives next, .reset() starts again.
class Cycler final : public Callable {
public:
    explicit Cycler(std::vector<Value> items) : items_(std::move(items)) {}
    std::string_view kind() const override { return "cycler"; }
    Value call(std::span<const Value>, KwArgs, EvalContext&) override {
        throw EvalError("a cycler is not called itself", "write c.next(), c.current or c.reset()");
    }
    Value method(std::string_view name, std::span<const Value> args, EvalContext&) override {
        if (!args.empty()) throw EvalError("cycler." + std::string(name) + "() takes no arguments");
        if (name == "next") {
            Value current = items_[position_];
            position_ = (position_ + 1) % items_.size();
            return current;
        }
        if (name == "reset") {
            position_ = 0;
            return Value::owned(nullptr);
        }
        throw EvalError("a cycler has no method '" + std::string(name) + "'", "write c.next(), c.current or c.reset()");
    }
    Value attribute(std::string_view name, const std::string& what) override {
        return name == "current" ? items_[position_] : Value::undefined(what);
    }

private:
    std::vector<Value> items_;
    std::size_t position_ = 0;
};

Value call_cycler(const CallArgs& a) {
    if (a.args.empty() || !a.call.kwargs.empty()) throw EvalError("cycler() needs the values to cycle through");
    return Value::callable(std::make_shared<Cycler>(std::vector<Value>(a.args.begin(), a.args.end())));
}

using On = CallDef::On;

constexpr CallDef kFunctions[] = {
    {"range", On::function, call_range},       {"dict", On::function, call_mapping},
    {"namespace", On::function, call_mapping}, {"joiner", On::function, call_joiner},
    {"cycler", On::function, call_cycler},
};

constexpr CallDef kMethods[] = {
    {"cycle", On::loop, loop_cycle},
    {"changed", On::loop, loop_changed},
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
    {"find", On::text, text_find},
    {"index", On::sequence, sequence_index},
    {"count", On::sequence, sequence_count},
    {"ljust", On::text, text_ljust},
    {"rjust", On::text, text_rjust},
    {"center", On::text, text_center},
    {"splitlines", On::text, text_splitlines},
    {"partition", On::text, text_partition},
    {"rsplit", On::text, text_rsplit},
    {"isalpha", On::text, text_isalpha},
    {"isnumeric", On::text, text_isnumeric},
    {"isupper", On::text, text_isupper},
    {"islower", On::text, text_islower},
    {"swapcase", On::text, text_swapcase},
    {"append", On::any, refuse_mutation},
    {"extend", On::any, refuse_mutation},
    {"pop", On::any, refuse_mutation},
    {"update", On::any, refuse_mutation},
};

const CallDef* find_in(std::span<const CallDef> table, std::string_view name) {
    for (const auto& def : table)
        if (def.name == name) return &def;
    return nullptr;
}

bool applies_to(const CallDef& def, const json& self) {
    return def.on == On::any || (def.on == On::mapping && self.is_object()) ||
           (def.on == On::text && self.is_string()) ||
           (def.on == On::sequence && (self.is_string() || self.is_array()));
}

}  // namespace

const CallDef* find_function(std::string_view name) { return find_in(kFunctions, name); }
const CallDef* find_method(std::string_view name) { return find_in(kMethods, name); }

namespace {

// A macro, caller(), a recursive loop's loop(…), a joiner: what the template bound to this name.
Value call_bound(const Expr& e, const Value& bound, std::span<const Value> args, EvalContext& ctx) {
    std::vector<std::pair<std::string_view, Value>> kwargs;
    for (const auto& [k, v] : e.kwargs) kwargs.emplace_back(k, evaluate(*v, ctx));
    if (bound.is_callable()) return bound.callable_object().call(args, kwargs, ctx);
    if (bound.is_loop() && bound.loop_state().recurse) return bound.loop_state().recurse->call(args, kwargs, ctx);
    if (bound.is_loop())
        throw EvalError("loop(…) is only callable in a loop marked 'recursive'",
                        "write {% for x in items recursive %} … {{ loop(x.children) }} … {% endfor %}");
    throw EvalError(
        "unknown function '" + e.args[0]->name + "'",
        "functions: range(), dict(), namespace(), joiner(), cycler() and the template's macros; use filters for the rest");
}

}  // namespace

Value evaluate_call(const Expr& e, EvalContext& ctx) {
    const Expr& callee = *e.args[0];
    std::vector<Value> args;
    for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(evaluate(*e.args[i], ctx));
    if (callee.kind == Expr::Kind::name) {
        // The template's own names first: a macro may be called like a built-in
        const Value bound = ctx.scope.lookup(callee.name);
        if (bound.is_callable() || bound.is_loop() || !e.callee) return call_bound(e, bound, args, ctx);
        static const Value no_subject;
        return e.callee->fn({e, no_subject, kNullJson, args, ctx});
    }
    const Value subject = evaluate(*callee.args[0], ctx);
    if (subject.is_callable()) return subject.callable_object().method(callee.name, args, ctx);
    if (e.callee && e.callee->on == On::loop && subject.is_loop())
        return e.callee->fn({e, subject, kNullJson, args, ctx});
    const json& self = need_json(subject, ctx, kEmptyObject);
    if (e.callee && applies_to(*e.callee, self)) return e.callee->fn({e, subject, self, args, ctx});
    throw EvalError("unknown method '" + callee.name + "' on " + std::string(self.type_name()));
}

}  // namespace vanban::core
