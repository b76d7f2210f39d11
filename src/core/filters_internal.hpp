// Internal to the built-in filters and tests (filters*.cpp): the argument helpers every family uses, and the
// functions of each family, which filters.cpp registers in its one table of filters and one table of tests.
//   filters_common.cpp   argument and value helpers, apply_test
//   filters_strings.cpp  text: upper, replace, truncate, trim, format, tojson, …
//   filters_lists.cpp    defaults, lists and mappings: default, length, join, sort, map, select, groupby, sum, …
//   filters_numbers.cpp  int, float, abs, round
//   filters_vn.cpp       Vietnamese administrative documents: decree_date, roman, diem, rich, image, outline, …
//   filters_tests.cpp    the tests: defined, none, divisibleby, in, …
//   filters_format.cpp   Python's text formatting ("%05.1f" % x, "{:,.2f}".format(x))
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/filters.hpp"
#include "core/vn.hpp"

namespace vanban::core::filter_impl {

using Args = std::span<const Value>;

// ----- argument and value helpers (filters_common.cpp)

inline const json kNull = nullptr;

// The json of a value; undefined is the missing-value error (strict) or null (lenient).
const json& j_of(const Value& v, EvalContext& ctx);
inline std::string text_of(const Value& v, EvalContext& ctx) { return to_text(v, ctx); }
// Keyword argument `name`, or nullptr.
const Value* kwarg(KwArgs kw, std::string_view name);
// Positional argument i, or keyword `name`, or nullptr.
const Value* arg(Args a, KwArgs kw, std::size_t i, std::string_view name);
// A whole number from a value: integers as they are, other numbers truncated (NaN and huge ones refused).
long long whole(const Value& v, std::string_view what);
long long int_arg(const Value* v, long long fallback, std::string_view what);
inline bool bool_arg(const Value* v, bool fallback, EvalContext& ctx) { return v ? truthy(*v, ctx) : fallback; }
// The list a filter works on; a missing value is an empty list in lenient mode.
const json& list_of(const Value& v, EvalContext& ctx, std::string_view filter);
inline Value str_result(std::string s) { return Value::owned(json(std::move(s))); }
// Resolves a dotted attribute path ("person.name") on an element; null where there is none.
json attr_path(const json& item, std::string_view path);
// Whether the dotted attribute path exists on the element (its value may be null).
bool has_attr_path(const json& item, std::string_view path);
// The attributes of Jinja's "dept,name" (sort by several attributes), white space around each trimmed.
std::vector<std::string> attribute_list(std::string_view attributes);
// The order sort, min, max, groupby use: numbers by value, texts (case-insensitively unless asked), else by type.
bool json_less(const json& a, const json& b, bool case_sensitive);
// Counting and cutting by character: the one UTF-8 helper (core/vn.hpp).
using vn::code_point_count;
using vn::code_point_prefix;
// The test named by a[from] applied to `item` with the arguments after it (select, reject, selectattr…);
// no test name: truthiness.
bool apply_test(const json& item, Args a, std::size_t from, EvalContext& c);

// ----- strings (filters_strings.cpp)

Value f_upper(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_lower(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_title(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_capitalize(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_nfc(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_slug(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_trim(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_replace(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_truncate(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_wordcount(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_center(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_escape(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_string(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_format(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_tojson(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_striptags(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_wordwrap(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_indent(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_urlencode(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_xmlattr(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_pprint(const Value& s, Args a, KwArgs kw, EvalContext& c);

// ----- defaults, lists and mappings (filters_lists.cpp)

Value f_default(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_length(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_first(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_last(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_join(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_list(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_reverse(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_sort(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_unique(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_dictsort(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_items(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_map(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_attr(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_selectattr(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_rejectattr(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_select(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_reject(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_groupby(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_sum(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_min(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_max(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_batch(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_slice(const Value& s, Args a, KwArgs kw, EvalContext& c);

// ----- numbers (filters_numbers.cpp)

Value f_int(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_float(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_abs(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_round(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_filesizeformat(const Value& s, Args a, KwArgs kw, EvalContext& c);

// ----- Vietnamese administrative documents (filters_vn.cpp)

Value f_decree_date(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_short_date(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_pad2(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_roman(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_diem(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_rich(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_image(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_text_width(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_balance(const Value& s, Args a, KwArgs kw, EvalContext& c);
Value f_outline(const Value& s, Args a, KwArgs kw, EvalContext& c);

// ----- tests (filters_tests.cpp)

bool t_defined(const Value& s, Args a, EvalContext& c);
bool t_undefined(const Value& s, Args a, EvalContext& c);
bool t_none(const Value& s, Args a, EvalContext& c);
bool t_string(const Value& s, Args a, EvalContext& c);
bool t_number(const Value& s, Args a, EvalContext& c);
bool t_integer(const Value& s, Args a, EvalContext& c);
bool t_float(const Value& s, Args a, EvalContext& c);
bool t_mapping(const Value& s, Args a, EvalContext& c);
bool t_sequence(const Value& s, Args a, EvalContext& c);
bool t_iterable(const Value& s, Args a, EvalContext& c);
bool t_boolean(const Value& s, Args a, EvalContext& c);
bool t_true(const Value& s, Args a, EvalContext& c);
bool t_false(const Value& s, Args a, EvalContext& c);
bool t_odd(const Value& s, Args a, EvalContext& c);
bool t_even(const Value& s, Args a, EvalContext& c);
bool t_divisibleby(const Value& s, Args a, EvalContext& c);
bool t_eq(const Value& s, Args a, EvalContext& c);
bool t_ne(const Value& s, Args a, EvalContext& c);
bool t_lt(const Value& s, Args a, EvalContext& c);
bool t_gt(const Value& s, Args a, EvalContext& c);
bool t_in(const Value& s, Args a, EvalContext& c);
bool t_ge(const Value& s, Args a, EvalContext& c);
bool t_le(const Value& s, Args a, EvalContext& c);
bool t_lower(const Value& s, Args a, EvalContext& c);
bool t_upper(const Value& s, Args a, EvalContext& c);
bool t_sameas(const Value& s, Args a, EvalContext& c);
bool t_filter(const Value& s, Args a, EvalContext& c);
bool t_test(const Value& s, Args a, EvalContext& c);

}  // namespace vanban::core::filter_impl
