// The evaluator of the expression language: takes a parsed Expr (expr_parser.cpp) and an EvalContext (the data,
// the scopes, the limits), gives a Value. One function per kind of node, and for binary operators a table from the
// operator the parser decided to the function that applies it; operands are read by reference, never copied.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>

#include "core/expr_internal.hpp"
#include "core/filters.hpp"
#include "core/vn.hpp"

namespace vanban::core {

namespace {

const json kEmptyText = "";

// ----- operators on json

json arithmetic(Op op, const json& a, const json& b, EvalContext& ctx);

// Python's whole numbers have no bound; vanban's stop at 64 bits. A result past them is refused — never a decimal
// that prints rounded digits where Jinja prints exact ones.
[[noreturn]] void throw_integer_overflow(Op op) {
    throw coded_error(
        "data.integer_overflow", "the whole-number result of '" + std::string(op_text(op)) + "' is beyond 64 bits",
        "phép tính '" + std::string(op_text(op)) +
            "' cho ra số nguyên quá lớn (vượt 64 bit), vanban không in số bị làm tròn",
        "vanban computes whole numbers up to 9223372036854775807; use a decimal (1.0 * x) if an approximation is enough");
}

// x ** y for whole numbers, y ≥ 0, exactly (std::pow would round past 2^53).
long long integer_power(long long x, long long y) {
    long long result = 1;
    while (y > 0) {
        if ((y & 1) && __builtin_mul_overflow(result, x, &result)) throw_integer_overflow(Op::power);
        y >>= 1;
        if (y > 0 && __builtin_mul_overflow(x, x, &x)) throw_integer_overflow(Op::power);
    }
    return result;
}

// The whole-number result of + - * // % ** on two whole numbers.
json integer_arithmetic(Op op, long long x, long long y) {
    long long r = 0;
    switch (op) {
        case Op::add:
            if (__builtin_add_overflow(x, y, &r)) throw_integer_overflow(op);
            return r;
        case Op::subtract:
            if (__builtin_sub_overflow(x, y, &r)) throw_integer_overflow(op);
            return r;
        case Op::multiply:
            if (__builtin_mul_overflow(x, y, &r)) throw_integer_overflow(op);
            return r;
        case Op::power:
            return y < 0 ? json(std::pow(static_cast<double>(x), static_cast<double>(y))) : json(integer_power(x, y));
        default: break;
    }
    if (y == 0) throw EvalError("division by zero");
    // The one quotient that does not fit.
    if (y == -1 && x == std::numeric_limits<long long>::min()) {
        if (op == Op::floor_divide) throw_integer_overflow(op);
        return 0;
    }
    if (op == Op::floor_divide) {
        long long q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
        return q;
    }
    long long m = x % y;  // Op::modulo, with the sign of the divisor as in Python
    if (m != 0 && ((m < 0) != (y < 0))) m += y;
    return m;
}

json decimal_arithmetic(Op op, const json& a, const json& b) {
    const double x = a.get<double>(), y = b.get<double>();
    switch (op) {
        case Op::add: return x + y;
        case Op::subtract: return x - y;
        case Op::multiply: return x * y;
        case Op::power: return std::pow(x, y);
        default: break;
    }
    if (y == 0) throw EvalError("division by zero");
    switch (op) {
        case Op::divide: return x / y;
        case Op::floor_divide: return std::floor(x / y);
        case Op::modulo: return x - y * std::floor(x / y);
        default: throw EvalError("unknown operator " + std::string(op_text(op)));
    }
}

// + on texts and lists, * of a text by a whole number, and the arithmetic operators on numbers.
json arithmetic(Op op, const json& a, const json& b, EvalContext& ctx) {
    if (op == Op::add && a.is_string() && b.is_string()) {
        const auto& x = a.get_ref<const std::string&>();
        const auto& y = b.get_ref<const std::string&>();
        ctx.check_size(std::uint64_t{x.size()} + y.size(), "the text");
        return x + y;
    }
    if (op == Op::add && a.is_array() && b.is_array()) {
        ctx.check_size((std::uint64_t{a.size()} + b.size()) * sizeof(json), "the list");
        json r = a;
        for (const auto& e : b) r.push_back(e);
        return r;
    }
    if (op == Op::multiply && a.is_string() && is_int(b)) {
        const auto& text = a.get_ref<const std::string&>();
        const long long n = b.get<long long>();
        if (n <= 0 || text.empty()) return "";
        const auto count = static_cast<std::uint64_t>(n);
        std::uint64_t bytes = 0;
        if (__builtin_mul_overflow(count, std::uint64_t{text.size()}, &bytes)) bytes = UINT64_MAX;
        ctx.check_size(bytes, "the repeated text");
        std::string r;
        r.reserve(count * text.size());
        for (std::uint64_t i = 0; i < count; ++i) r += text;
        return r;
    }
    if (!a.is_number() || !b.is_number()) {
        auto tn = [](const json& x) { return std::string(x.type_name()); };
        throw EvalError("cannot apply '" + std::string(op_text(op)) + "' to " + tn(a) + " and " + tn(b));
    }
    if (is_int(a) && is_int(b) && op != Op::divide)
        return integer_arithmetic(op, a.get<long long>(), b.get<long long>());
    return decimal_arithmetic(op, a, b);
}

// -1, 0 or 1 for two numbers or two texts; anything else cannot be ordered by `op`.
int compare_json(const json& a, const json& b, Op op) {
    if (a.is_number() && b.is_number()) {
        if (is_int(a) && is_int(b)) {
            long long x = a.get<long long>(), y = b.get<long long>();
            return (x > y) - (x < y);
        }
        double x = a.get<double>(), y = b.get<double>();
        return (x > y) - (x < y);
    }
    if (a.is_string() && b.is_string()) {
        int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
        return (c > 0) - (c < 0);
    }
    throw EvalError("cannot compare " + std::string(a.type_name()) + " and " + std::string(b.type_name()) + " with '" +
                    std::string(op_text(op)) + "'");
}

bool contains(const json& container, const json& item) {
    if (container.is_string()) {
        if (!item.is_string()) throw EvalError("'in' on a string needs a string on the left");
        return container.get_ref<const std::string&>().find(item.get_ref<const std::string&>()) != std::string::npos;
    }
    if (container.is_array()) {
        for (const auto& e : container)
            if (e == item) return true;
        return false;
    }
    if (container.is_object()) return item.is_string() && container.contains(item.get_ref<const std::string&>());
    throw EvalError("'in' needs a list, a mapping or a string on the right, not " + std::string(container.type_name()));
}

// ----- binary operators: one function each, chosen by a table

// The json an operator reads from `v`, by reference: rich text reads as its plain text (kept in `plain`), a missing
// value in lenient mode as "".
const json& operand(const Value& v, Op op, const EvalContext& ctx, json& plain) {
    if (v.is_rich()) return plain = v.rich_text().plain();
    if (v.is_loop()) throw EvalError("loop cannot be used in '" + std::string(op_text(op)) + "'");
    return need_json(v, ctx, kEmptyText);
}

using BinaryFn = Value (*)(const Expr& e, const Value& l, const Value& r, EvalContext& ctx);

Value concat(const Expr&, const Value& l, const Value& r, EvalContext& ctx) {
    std::string left = to_text(l, ctx), right = to_text(r, ctx);
    ctx.check_size(std::uint64_t{left.size()} + right.size(), "the joined text");
    return Value::owned(left + right);
}

// == and !=: a missing value equals only another missing one (lenient mode); numbers compare by value.
Value equality(const Expr& e, const Value& l, const Value& r, EvalContext& ctx) {
    bool eq;
    if (l.is_undefined() || r.is_undefined()) {
        if (!ctx.lenient) throw_missing(l.is_undefined() ? l : r);
        eq = l.is_undefined() && r.is_undefined();
    } else {
        json left_plain, right_plain;
        const json& a = operand(l, e.op, ctx, left_plain);
        const json& b = operand(r, e.op, ctx, right_plain);
        eq = a.is_number() && b.is_number() ? compare_json(a, b, e.op) == 0 : a == b;
    }
    return Value::owned(e.op == Op::equal ? eq : !eq);
}

Value membership(const Expr& e, const Value& l, const Value& r, EvalContext& ctx) {
    ctx.charge(shallow_units(r));
    // The list by reference: a copy on every test would cost far more than the search it is charged for.
    json container_plain, item_plain;
    const json& container = r.is_json() ? need_json(r, ctx, kEmptyText) : operand(r, e.op, ctx, container_plain);
    return Value::owned(contains(container, operand(l, e.op, ctx, item_plain)) == (e.op == Op::in));
}

Value ordering(const Expr& e, const Value& l, const Value& r, EvalContext& ctx) {
    json left_plain, right_plain;
    const json& a = operand(l, e.op, ctx, left_plain);
    const json& b = operand(r, e.op, ctx, right_plain);
    const int c = compare_json(a, b, e.op);
    switch (e.op) {
        case Op::less: return Value::owned(c < 0);
        case Op::less_equal: return Value::owned(c <= 0);
        case Op::greater: return Value::owned(c > 0);
        default: return Value::owned(c >= 0);
    }
}

Value arithmetic_operator(const Expr& e, const Value& l, const Value& r, EvalContext& ctx) {
    json left_plain, right_plain;
    const json& a = operand(l, e.op, ctx, left_plain);
    const json& b = operand(r, e.op, ctx, right_plain);
    if (e.op == Op::modulo && a.is_string()) {  // Python's "%.2f" % x, "%s/%s" % (a, b)
        std::vector<Value> values;
        if (e.args[1]->kind == Expr::Kind::list && e.args[1]->tuple)
            for (const auto& item : b) values.push_back(Value::ref(item));
        else values.push_back(Value::ref(b));
        return Value::owned(percent_format(a.get_ref<const std::string&>(), values, ctx));
    }
    return Value::owned(arithmetic(e.op, a, b, ctx));
}

constexpr std::size_t kOpCount = static_cast<std::size_t>(Op::power) + 1;

// The function of each binary operator (and/or short-circuit and are not in it).
constexpr std::array<BinaryFn, kOpCount> kBinary = [] {
    std::array<BinaryFn, kOpCount> table{};
    const auto set = [&table](std::initializer_list<Op> ops, BinaryFn fn) {
        for (Op op : ops) table[static_cast<std::size_t>(op)] = fn;
    };
    set({Op::concat}, concat);
    set({Op::equal, Op::not_equal}, equality);
    set({Op::in, Op::not_in}, membership);
    set({Op::less, Op::less_equal, Op::greater, Op::greater_equal}, ordering);
    set({Op::add, Op::subtract, Op::multiply, Op::divide, Op::floor_divide, Op::modulo, Op::power},
        arithmetic_operator);
    return table;
}();

// ----- one function per kind of node

Value evaluate_binary(const Expr& e, EvalContext& ctx) {
    if (e.op == Op::logical_and || e.op == Op::logical_or) {  // answers with an operand, as in Jinja
        Value l = evaluate(*e.args[0], ctx);
        if (truthy(l, ctx) == (e.op == Op::logical_or)) return l;
        return evaluate(*e.args[1], ctx);
    }
    const Value l = evaluate(*e.args[0], ctx);
    const Value r = evaluate(*e.args[1], ctx);
    const BinaryFn fn = kBinary[static_cast<std::size_t>(e.op)];
    if (!fn) throw EvalError("unknown operator " + std::string(op_text(e.op)));
    return fn(e, l, r, ctx);
}

// 1 < x < 10: each comparison in turn, the middle operands evaluated once; the first false one answers.
Value evaluate_chain(const Expr& e, EvalContext& ctx) {
    Value left = evaluate(*e.args[0], ctx);
    Value result;
    for (std::size_t i = 0; i < e.links.size(); ++i) {
        Value right = evaluate(*e.args[i + 1], ctx);
        const Expr& link = *e.links[i];
        result = kBinary[static_cast<std::size_t>(link.op)](link, left, right, ctx);
        if (!truthy(result, ctx)) return result;
        left = std::move(right);
    }
    return result;
}

Value evaluate_unary(const Expr& e, EvalContext& ctx) {
    const Value v = evaluate(*e.args[0], ctx);
    if (e.op == Op::logical_not) return Value::owned(!truthy(v, ctx));
    static const json zero = 0;
    const json& j = need_json(v, ctx, zero);
    if (!j.is_number())
        throw EvalError("cannot apply unary '" + std::string(op_text(e.op)) + "' to " + std::string(j.type_name()));
    if (e.op == Op::identity) return Value::owned(j);
    if (is_int(j)) {
        const long long x = j.get<long long>();
        if (x == std::numeric_limits<long long>::min()) throw_integer_overflow(Op::negate);
        return Value::owned(-x);
    }
    return Value::owned(-j.get<double>());
}

// "abc"[i]: the i-th code point (negative from the end), or undefined past either end.
Value text_item(const std::string& str, long long i, const Expr& e, EvalContext& ctx) {
    auto length_at = [&](std::size_t at) { return vn::char_boundary_after(str, at + 1) - at; };
    long long n = 0;
    for (std::size_t at = 0; at < str.size(); at += length_at(at)) ++n;
    ctx.charge(str.size() / 16);
    if (i < 0) i += n;
    if (i < 0 || i >= n) return Value::undefined(e.text);
    std::size_t at = 0;
    for (long long skip = 0; skip < i; ++skip) at += length_at(at);
    return Value::owned(str.substr(at, length_at(at)));
}

// x[key]: an item of a list (negative from the end), a member of a mapping, a code point of a text, loop["index"].
Value evaluate_index(const Expr& e, EvalContext& ctx) {
    const Value subject = evaluate(*e.args[0], ctx);
    const Value key = evaluate(*e.args[1], ctx);
    if (subject.is_undefined()) return Value::undefined_from(subject, e.text);
    const json& k = need_json(key, ctx, kNullJson);
    if (subject.is_loop()) {
        if (k.is_string()) return get_attr(subject, k.get_ref<const std::string&>(), e.text);
        throw EvalError("loop can only be indexed by name");
    }
    if (!subject.is_json()) return Value::undefined(e.text);
    const json& s = subject.j();
    if (s.is_array() && is_int(k)) {
        long long i = k.get<long long>();
        long long n = static_cast<long long>(s.size());
        if (i < 0) i += n;
        if (i < 0 || i >= n) return Value::undefined(e.text);
        return subject.child(s[static_cast<std::size_t>(i)]);
    }
    if (s.is_object() && k.is_string()) {
        auto it = s.find(k.get_ref<const std::string&>());
        if (it != s.end()) return subject.child(*it);
        return Value::undefined(e.text, &s, k.get<std::string>());
    }
    if (s.is_string() && is_int(k)) return text_item(s.get_ref<const std::string&>(), k.get<long long>(), e, ctx);
    if (s.is_null()) return Value::undefined(e.text);
    throw EvalError("cannot index " + std::string(s.type_name()) + " with " + std::string(k.type_name()));
}

// x[a:b:c] on a list or a string (by code point), with Python's rules for missing and negative bounds.
Value evaluate_slice(const Expr& e, EvalContext& ctx) {
    Value subject = evaluate(*e.args[0], ctx);
    if (subject.is_undefined()) return Value::undefined_from(subject, e.text);
    const json& s = need_json(subject, ctx, kNullJson);
    auto bound = [&](std::size_t k) -> std::optional<long long> {
        Value v = evaluate(*e.args[k], ctx);
        const json& j = need_json(v, ctx, kNullJson);
        if (j.is_null()) return std::nullopt;
        if (!is_int(j)) throw EvalError("slice bounds must be whole numbers, not " + std::string(j.type_name()));
        return j.get<long long>();
    };
    const std::optional<long long> lower = bound(1), upper = bound(2), given_step = bound(3);
    const long long step = given_step.value_or(1);
    if (step == 0) throw EvalError("slice step cannot be zero");
    // A text is sliced by code point: where each one starts, unless every character is one byte.
    static const std::string no_text;
    const std::string& str = s.is_string() ? s.get_ref<const std::string&>() : no_text;
    std::vector<std::size_t> starts;
    const std::size_t points = vn::code_point_count(str);
    if (points != str.size()) {
        ctx.check_size(std::uint64_t{points} * sizeof(std::size_t), "slicing the text");
        starts.reserve(points);
        for (std::size_t i = 0; i < str.size(); ++i)
            if (!vn::is_utf8_continuation(str[i])) starts.push_back(i);
    }
    const auto start_of = [&](std::size_t k) {
        if (k >= points) return str.size();
        return starts.empty() ? k : starts[k];
    };
    if (!s.is_string() && !s.is_array()) throw EvalError("cannot slice " + std::string(s.type_name()));
    ctx.charge(s.is_string() ? str.size() / 16 : s.size());
    const long long n = static_cast<long long>(s.is_string() ? points : s.size());
    auto clamp = [&](std::optional<long long> i, long long fallback) {
        if (!i) return fallback;
        long long v = *i < 0 ? *i + n : *i;
        if (step > 0) return std::clamp(v, 0LL, n);
        return std::clamp(v, -1LL, n - 1);
    };
    const long long from = clamp(lower, step > 0 ? 0 : n - 1), to = clamp(upper, step > 0 ? n : -1);
    json list = json::array();
    std::string text;
    for (long long i = from; step > 0 ? i < to : i > to;) {
        const auto k = static_cast<std::size_t>(i);
        if (s.is_string()) {
            text.append(str, start_of(k), start_of(k + 1) - start_of(k));
        } else {
            list.push_back(s[k]);
        }
        if (__builtin_add_overflow(i, step, &i)) break;  // x[1::9223372036854775807]
    }
    return s.is_string() ? Value::owned(std::move(text)) : Value::owned(std::move(list));
}

Value evaluate_conditional(const Expr& e, EvalContext& ctx) {
    const Value c = evaluate(*e.args[0], ctx);
    if (truthy(c, ctx)) return evaluate(*e.args[1], ctx);
    if (e.args.size() > 2) return evaluate(*e.args[2], ctx);
    return Value::owned(nullptr);  // "x if c" without else prints nothing, as in Jinja; nothing is missing
}

// Filters that look at a value without reading all of it: they cost one unit, not the size of their input.
bool constant_time(const FilterDef* f) {
    static const FilterDef* const cheap[] = {find_filter("length"), find_filter("count"),   find_filter("first"),
                                             find_filter("last"),   find_filter("default"), find_filter("d"),
                                             find_filter("escape"), find_filter("e")};
    return std::find(std::begin(cheap), std::end(cheap), f) != std::end(cheap);
}

Value evaluate_filter(const Expr& e, EvalContext& ctx) {
    const Value subject = evaluate(*e.args[0], ctx);
    if (subject.is_undefined() && !e.filter->accepts_undefined) {
        if (!ctx.lenient) throw_missing(subject);
    }
    std::vector<Value> args;
    args.reserve(e.args.size() - 1);
    for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(evaluate(*e.args[i], ctx));
    std::vector<std::pair<std::string_view, Value>> kwargs;
    for (const auto& [k, v] : e.kwargs) kwargs.emplace_back(k, evaluate(*v, ctx));
    if (!constant_time(e.filter)) ctx.charge(shallow_units(subject));
    try {
        Value result = e.filter->fn(subject, args, kwargs, ctx);
        // A filter may answer with a reference into its input ("| first", "| max"); when the input was a
        // computed temporary, which dies here, the answer must own a copy.
        bool temporaries = subject.is_owned_json();
        for (const auto& a : args) temporaries = temporaries || a.is_owned_json();
        if (temporaries && result.is_ref()) return Value::owned(result.j());
        return result;
    } catch (const EvalError& err) {
        EvalError named("filter '" + e.name + "': " + err.what(), err.hint);
        named.parent = err.parent;  // keep pointing into the data
        named.key = err.key;
        named.after_error = err.after_error;
        named.limit = err.limit;
        named.code = err.code;
        named.message_vi = err.message_vi;
        throw named;
    }
}

Value evaluate_test(const Expr& e, EvalContext& ctx) {
    const Value subject = evaluate(*e.args[0], ctx);
    std::vector<Value> args;
    for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(evaluate(*e.args[i], ctx));
    static const TestDef* const in_test = find_test("in");
    if (e.test == in_test && !args.empty()) ctx.charge(shallow_units(args[0]));
    const bool r = e.test->fn(subject, args, ctx);
    return Value::owned(e.negated ? !r : r);
}

Value evaluate_list(const Expr& e, EvalContext& ctx) {
    json r = json::array();
    for (const auto& a : e.args) {
        const Value v = evaluate(*a, ctx);
        if (v.is_rich()) r.push_back(v.rich_text().plain());
        else r.push_back(need_json(v, ctx, kNullJson));
    }
    return Value::owned(std::move(r));
}

// Python keeps a dict in the order it is written: a literal whose keys are not in sorted order has it noted.
void note_written_order(const Expr& e, const json& mapping, EvalContext& ctx) {
    std::vector<std::string> keys;
    for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
        const Expr& k = *e.args[i];
        if (k.kind != Expr::Kind::literal || !k.literal.is_string()) return;  // computed keys: sorted
        keys.push_back(k.literal.get<std::string>());
    }
    if (keys.size() != mapping.size() || std::is_sorted(keys.begin(), keys.end()) || ctx.written_order.of(mapping))
        return;
    ctx.written_order.note(std::move(keys));
}

Value evaluate_dict(const Expr& e, EvalContext& ctx) {
    json r = json::object();
    for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
        const Value k = evaluate(*e.args[i], ctx);
        const Value v = evaluate(*e.args[i + 1], ctx);
        r[to_text(k, ctx)] = need_json(v, ctx, kNullJson);
    }
    note_written_order(e, r, ctx);
    return Value::owned(std::move(r));
}

Value evaluate_node(const Expr& e, EvalContext& ctx) {
    switch (e.kind) {
        case Expr::Kind::literal: return Value::ref(e.literal);
        case Expr::Kind::name: return ctx.scope.lookup(e.name);
        case Expr::Kind::attr: return get_attr(evaluate(*e.args[0], ctx), e.name, e.text);
        case Expr::Kind::index: return evaluate_index(e, ctx);
        case Expr::Kind::slice: return evaluate_slice(e, ctx);
        case Expr::Kind::unary: return evaluate_unary(e, ctx);
        case Expr::Kind::binary: return evaluate_binary(e, ctx);
        case Expr::Kind::cond: return evaluate_conditional(e, ctx);
        case Expr::Kind::filter: return evaluate_filter(e, ctx);
        case Expr::Kind::test: return evaluate_test(e, ctx);
        case Expr::Kind::list: return evaluate_list(e, ctx);
        case Expr::Kind::dict: return evaluate_dict(e, ctx);
        case Expr::Kind::call: return evaluate_call(e, ctx);
        case Expr::Kind::chain: return evaluate_chain(e, ctx);
    }
    return Value::undefined(e.text);
}

}  // namespace

Value evaluate(const Expr& e, EvalContext& ctx) {
    ctx.charge(1);
    Value v = evaluate_node(e, ctx);
    // Computed values pay for their size (and are refused when too big); so does every use of a variable holding
    // one, which is a copy.
    if (v.is_owned_json()) ctx.account(v.j());
    return v;
}

}  // namespace vanban::core
