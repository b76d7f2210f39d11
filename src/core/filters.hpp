// Built-in filters and tests. The tables are immutable and resolved at compile time, so an unknown filter or a
// wrong number of arguments is a template error before any data is seen.
#pragma once

#include <span>
#include <string_view>
#include <utility>

#include "core/expr.hpp"

namespace vanban::core {

using KwArgs = std::span<const std::pair<std::string_view, Value>>;

struct FilterDef {
    std::string_view name;
    int min_args;
    int max_args;  // -1: any
    Value (*fn)(const Value& subject, std::span<const Value> args, KwArgs kwargs, EvalContext& ctx);
    bool accepts_undefined;  // default(), "is defined"-like filters see undefined values without error
    std::string_view help;
    // The keyword arguments it takes, checked when the template is compiled; empty: not checked.
    std::span<const std::string_view> keywords = {};
};

struct TestDef {
    std::string_view name;
    int min_args;
    int max_args;
    bool (*fn)(const Value& subject, std::span<const Value> args, EvalContext& ctx);
};

const FilterDef* find_filter(std::string_view name);
const TestDef* find_test(std::string_view name);
std::span<const FilterDef> all_filters();

// Helpers shared with the evaluator.
bool is_number(const json& j);
double as_number(const Value& v, std::string_view what);

// Python's text formatting, as Jinja templates use it: "%05.1f" % x and the format filter (percent_format), and
// "{:,.2f}".format(x) (brace_format, the format mini-language with positional and named fields).
std::string percent_format(std::string_view format, std::span<const Value> args, EvalContext& ctx);
std::string brace_format(std::string_view format, std::span<const Value> args, KwArgs kwargs, EvalContext& ctx);

}  // namespace vanban::core
