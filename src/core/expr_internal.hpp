// Internal to the expression language (expr_*.cpp, not for the rest of the engine): what the parser, the evaluator
// and the built-in calls share — the operator spellings, the table of built-in functions and methods, and the small
// value helpers the evaluator is made of.
// Source text → expr_lexer.cpp (tokens) → expr_parser.cpp (Expr tree, everything resolved) → expr_eval.cpp (Value),
// with expr_calls.cpp (range() and methods) and expr_values.cpp (scopes, limits, truthiness, text); the filters
// and tests are in filters*.cpp (filters_internal.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/expr.hpp"

namespace vanban::core {

using Op = Expr::Op;

// An operator as a template writes it ("not in", "//"), for messages.
std::string_view op_text(Op op);

// What a built-in function or method is given when it is called.
struct CallArgs {
    const Expr& call;             // the call node (its kwargs, and the filter a string method maps to)
    const Value& subject;         // the value a method is called on (undefined for a function)
    const json& self;             // the subject's json (null for a function and for loop.cycle)
    std::span<const Value> args;  // the positional arguments, evaluated
    EvalContext& ctx;
};

// A built-in function (range) or method ("x".upper(), d.items(), loop.cycle(...)), resolved by name when the
// template is compiled. A method applies to one kind of subject; on any other it is an unknown method at render.
struct CallDef {
    enum class On { function, loop, mapping, text, sequence /* text or list */, any };
    std::string_view name;
    On on;
    Value (*fn)(const CallArgs& call);
    std::string_view filter = {};  // a string method that is the filter of this name ("strip" → trim)
};

// The built-in function or method of this name, or null.
const CallDef* find_function(std::string_view name);
const CallDef* find_method(std::string_view name);

// Evaluates a call node (expr_calls.cpp).
Value evaluate_call(const Expr& e, EvalContext& ctx);

// The size of a value as the work it takes to read it once: items of a list or mapping, or 16 bytes of text.
std::uint64_t shallow_units(const Value& v);
// The json of a value; an undefined value is a missing-value error in strict mode and `fallback` in lenient mode;
// pictures, rich text and `loop` cannot be used as json.
const json& need_json(const Value& v, const EvalContext& ctx, const json& fallback);
inline bool is_int(const json& j) { return j.is_number_integer() || j.is_number_unsigned(); }
// What a missing value reads as in lenient mode where no other fallback fits.
inline const json kNullJson = nullptr;

}  // namespace vanban::core
