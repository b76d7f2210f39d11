// The expression language inside tags: a Jinja subset (paths, literals, operators, filters, tests), parsed once
// at compile time into an immutable tree and evaluated against the data at render time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/value.hpp"
#include "json/json_source.hpp"

namespace vanban::core {

struct FilterDef;
struct TestDef;
struct CallDef;  // core/expr_internal.hpp: a built-in function (range) or method ("x".upper(), d.items())

struct Expr {
    enum class Kind { literal, name, attr, index, slice, unary, binary, cond, filter, test, list, dict, call, chain };
    // The operator of a unary or binary node, decided by the parser: evaluation dispatches on it, never on text.
    enum class Op {
        none,
        logical_not,
        negate,
        identity,  // unary: not x, -x, +x
        logical_and,
        logical_or,  // short-circuit
        concat,
        equal,
        not_equal,
        less,
        less_equal,
        greater,
        greater_equal,
        in,
        not_in,
        add,
        subtract,
        multiply,
        divide,
        floor_divide,
        modulo,
        power,
    };
    Kind kind = Kind::literal;
    Op op = Op::none;  // unary, binary
    json literal;      // literal
    std::string name;  // name, attr, filter, test, call; for unary/binary the operator as written ("not", "-", "==",
                       // "not in", ...), for messages; "tuple" for a list written as (a, b)
    std::vector<std::unique_ptr<Expr>> args;  // operands; for filter/test/call: args[0] is the subject; for a slice
                                              // x[a:b:c]: x, a, b, c (a missing bound is a null literal)
    std::vector<std::pair<std::string, std::unique_ptr<Expr>>> kwargs;
    const FilterDef* filter = nullptr;
    const TestDef* test = nullptr;
    const CallDef* callee = nullptr;  // call: the built-in it names, or null when there is none (an error at render)
    // chain (Python's 1 < x < 10, meaning 1 < x and x < 10, x evaluated once): args are the operands, links[i] the
    // comparison of args[i] and args[i + 1] (its op, name and text; no args).
    std::vector<std::unique_ptr<Expr>> links;
    bool negated = false;  // "is not"
    bool tuple = false;    // list written as (a, b): the arguments of "%s/%s" % (a, b)

    // The source text of the expression as written (for messages: "agency.name").
    std::string text;
    int depth = 1;  // height of the tree below (1 for a leaf): evaluation recurses this deep
};

// Expressions deeper than this are a ParseError ("((((…", "a.b.c.…" a thousand times): evaluating, copying and
// freeing a tree recurses once per level, and no real template comes near it.
inline constexpr int kMaxExpressionDepth = 100;
using ExprPtr = std::unique_ptr<Expr>;

// Thrown by the parser: message plus the byte offset in the tag's inner text.
struct ParseError : std::runtime_error {
    ParseError(const std::string& message, std::size_t offset_) : std::runtime_error(message), offset(offset_) {}
    std::size_t offset;
};

// Thrown by evaluation for data problems; the renderer turns it into a located Diagnostic.
struct EvalError : std::runtime_error {
    explicit EvalError(const std::string& message, std::string hint_ = {})
        : std::runtime_error(message), hint(std::move(hint_)) {}
    std::string hint;
    const json* parent = nullptr;  // where in the data the problem is: this node, or its child `key`
    std::string key;
    bool after_error = false;  // follows from an error reported already (a failed {% set %}): not reported
    bool limit = false;        // a safety limit was hit (DiagnosticKind::limit)
    std::string code;          // the catalogue's code (docs/messages.md), when the problem has one
    std::string message_vi;    // the same in plain Vietnamese, when written
};

// A data error of the catalogue: its code, English and Vietnamese texts, and how to fix it.
inline EvalError coded_error(std::string code, const std::string& message, std::string message_vi,
                             std::string hint = {}) {
    EvalError e(message, std::move(hint));
    e.code = std::move(code);
    e.message_vi = std::move(message_vi);
    return e;
}

// Throws the EvalError of a safety limit.
[[noreturn]] void throw_limit(const std::string& message, std::string hint);

// The strict-mode error for using a missing value (names the path, points into the data).
[[noreturn]] void throw_missing(const Value& undefined_value);
// The JSON pointer of `node` inside `root` (found by identity), or "" when it is not part of it.
std::string pointer_of(const json& root, const json* node);

// A tiny token cursor over the text inside a tag, shared by the statement parser and the expression parser.
class TokenStream {
public:
    enum class Type { name, number, string, op, end };
    struct Token {
        Type type = Type::end;
        std::string text;  // name / operator / decoded string / number text
        std::size_t offset = 0;
    };

    explicit TokenStream(std::string_view source);
    const Token& peek(std::size_t ahead = 0) const;
    Token next();
    bool accept_op(std::string_view op);
    bool accept_name(std::string_view name);
    void expect_op(std::string_view op);
    std::string expect_name();
    bool at_end() const { return peek().type == Type::end; }
    std::string_view source() const { return source_; }

private:
    std::string_view source_;
    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
};

// Parses one expression from the stream; unknown filters and tests, and wrong argument counts are ParseErrors.
ExprPtr parse_expression(TokenStream& tokens);
// Parses one expression without a top-level "a if b else c": the iterable of "for x in items if x.ok", where the
// "if" starts the loop filter (as in Jinja).
ExprPtr parse_expression_no_conditional(TokenStream& tokens);
// Parses a whole string as one expression (must consume everything).
ExprPtr parse_expression(std::string_view source);

// Variable scopes for one render. Names are views into the compiled program, which outlives every render.
class Scope {
public:
    explicit Scope(const json& root) : root_(root) {}
    std::size_t mark() const noexcept { return vars_.size(); }
    void pop_to(std::size_t mark) { vars_.resize(mark); }
    void bind(std::string_view name, Value value) { vars_.emplace_back(name, std::move(value)); }
    // Rebinds the innermost binding of `name` in place when it is above `floor`, else binds anew.
    void assign(std::string_view name, Value value, std::size_t floor);
    Value lookup(std::string_view name) const;
    // The json of the innermost binding of `name` when the template computed it (not data, not a loop variable over
    // data), to change in place; null otherwise.
    json* owned_binding(std::string_view name);
    const json& root() const noexcept { return root_; }
    // Ranges [from, to) of bindings out of sight: a macro sees the names where it was defined and its arguments,
    // not the names of the place it is called from. set_hidden gives the ranges in force before, to restore.
    using Hidden = std::vector<std::pair<std::size_t, std::size_t>>;
    Hidden set_hidden(Hidden ranges) { return std::exchange(hidden_, std::move(ranges)); }
    const Hidden& hidden() const noexcept { return hidden_; }
    // Loop bodies, with blocks, macro calls and caller() open frames (at the mark where their bindings start). A
    // macro sees the bindings of the frames open where it was defined and the template's own names, not the frames
    // opened since (the loop variables of the place it is called from), as in Jinja.
    void open_frame(std::size_t at) { frames_.push_back(at); }
    void close_frame() { frames_.pop_back(); }
    // Where the first frame opened at or above `mark` starts, or mark() when there is none.
    std::size_t first_frame_from(std::size_t mark) const {
        for (std::size_t at : frames_)
            if (at >= mark) return at;
        return vars_.size();
    }

private:
    bool visible(std::size_t index) const noexcept {
        for (const auto& [from, to] : hidden_)
            if (index >= from && index < to) return false;
        return true;
    }
    const json& root_;
    std::vector<std::pair<std::string_view, Value>> vars_;
    Hidden hidden_;
    std::vector<std::size_t> frames_;
};

class ImageSession;  // core/image.hpp

// What one render may spend on expressions. Both are per render and deterministic: the same template and data
// always succeed or fail the same way, whatever the machine.
struct EvalLimits {
    // Bytes of one computed value (a string, or a list/mapping counted with its contents).
    std::uint64_t max_value_bytes = 64ull << 20;
    // Units of work: one per expression node evaluated, plus one per list item or per 16 bytes of text that an
    // operator or filter reads or builds. Bounds templates that would run for hours (a search through a long list
    // inside a long loop, sorting inside a loop) without a wall clock.
    std::uint64_t max_work = 100'000'000;
};

struct EvalContext {
    Scope& scope;
    bool lenient = false;
    EvalLimits limits{};
    std::uint64_t work = 0;

    // Adds work; throws the limit EvalError past max_work.
    void charge(std::uint64_t units);
    // Throws the limit EvalError when a value of `bytes` would be larger than max_value_bytes (checked before a
    // large value is built, so a refused value never allocates).
    void check_size(std::uint64_t bytes, std::string_view what) const;
    // Charges and size-checks a value just computed (strings by length, lists and mappings with their contents;
    // also refuses values nested deeper than kMaxValueDepth, which copying and printing would recurse through).
    void account(const json& value);

    ImageSession* images = nullptr;  // the render's pictures; null where no picture can be placed (keep it and
                                     // key_order last: contexts are built as {scope, lenient, limits})
    // The data file's order of keys, so mappings iterate as Jinja iterates them; null: key order.
    const json_data::KeyOrder* key_order = nullptr;
    // The order of the keys of mappings the template writes ({'b': 1, 'a': 2}, dict(b=1, a=2)), Python's insertion
    // order; this render's own.
    json_data::KeyOrder written_order{};

    // The keys of a mapping in iteration order: the data file's where known, else sorted.
    std::vector<std::string_view> keys_of(const json& mapping) const;
};

inline constexpr std::size_t kMaxValueDepth = 512;  // the JSON reader's default nesting limit too

// The whole number a double stands for (truncated toward zero), or the limit EvalError when it is NaN or beyond
// ±2^63 — a cast would be undefined behaviour. `what` names the value in the message.
long long whole_number(double value, std::string_view what);

Value evaluate(const Expr& expr, EvalContext& ctx);

// Truthiness as in Jinja: false, none, 0, "", [], {} are false. Undefined raises in strict mode.
bool truthy(const Value& v, const EvalContext& ctx);
// Text of a value for output: strings as is, numbers without trailing ".0" noise, none → "", lists and mappings in a
// readable form ("a, b" is NOT used: ["a", "b"] prints as a JSON-like list, so nothing prints as "[object Object]").
std::string to_text(const Value& v, const EvalContext& ctx);
std::string json_to_text(const json& j);
// The same, mappings printed in the order the render knows for their keys (EvalContext::keys_of).
std::string json_to_text(const json& j, const EvalContext& ctx);
// The code points of UTF-8 text, each as its bytes (for indexing, slicing and reversing text as Python does).
std::vector<std::string> code_points(const std::string& utf8);
// Attribute or item access shared by the evaluator and filters (map(attribute=...), sort(attribute=...)).
Value get_attr(const Value& subject, std::string_view name, const std::string& what);

// What a template calls by name or as a method: a macro, caller(), a recursive loop's loop(…), joiner(), cycler().
// Made by a render and bound in its scope only, so no state passes between renders.
class Callable {
public:
    using KwArgs = std::span<const std::pair<std::string_view, Value>>;
    virtual ~Callable() = default;
    virtual std::string_view kind() const = 0;  // "macro", "joiner" …, for messages
    virtual Value call(std::span<const Value> args, KwArgs kwargs, EvalContext& ctx) = 0;
    // cycler.next(), cycler.reset(): unknown methods are errors
    virtual Value method(std::string_view name, std::span<const Value> /*args*/, EvalContext& /*ctx*/) {
        throw EvalError("a " + std::string(kind()) + " has no method '" + std::string(name) + "'");
    }
    // cycler.current
    virtual Value attribute(std::string_view /*name*/, const std::string& what) { return Value::undefined(what); }
};

// Loop variable exposed to templates as `loop`.
struct LoopState {
    std::size_t index0 = 0;
    std::size_t length = 0;
    std::size_t depth = 1;
    const json* items = nullptr;  // the iterated list, for previtem/nextitem
    // loop.changed(…): the arguments of its last call, in this run of the loop (a render's own state)
    mutable std::optional<json> changed_last;
    Callable* recurse = nullptr;  // a recursive loop: loop(items) renders the body for them one level deeper
};

}  // namespace vanban::core
