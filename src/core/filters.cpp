// The built-in filters and tests, registered: takes a name from a template, gives its FilterDef or TestDef (arity,
// function, help). The functions live by family in filters_*.cpp (see filters_internal.hpp); this table is the one
// place that names them.
#include "core/filters_internal.hpp"

namespace vanban::core {

namespace {

using namespace filter_impl;

// The one registration point: every built-in test and filter by name (filters alphabetically: the help lists them
// in this order).
constexpr TestDef kTests[] = {
    {"defined", 0, 0, t_defined},
    {"undefined", 0, 0, t_undefined},
    {"none", 0, 0, t_none},
    {"string", 0, 0, t_string},
    {"number", 0, 0, t_number},
    {"integer", 0, 0, t_integer},
    {"float", 0, 0, t_float},
    {"mapping", 0, 0, t_mapping},
    {"sequence", 0, 0, t_sequence},
    {"iterable", 0, 0, t_iterable},
    {"boolean", 0, 0, t_boolean},
    {"true", 0, 0, t_true},
    {"false", 0, 0, t_false},
    {"odd", 0, 0, t_odd},
    {"even", 0, 0, t_even},
    {"divisibleby", 1, 1, t_divisibleby},
    {"eq", 1, 1, t_eq},
    {"equalto", 1, 1, t_eq},
    {"==", 1, 1, t_eq},
    {"ne", 1, 1, t_ne},
    {"lt", 1, 1, t_lt},
    {"gt", 1, 1, t_gt},
    {"in", 1, 1, t_in},
    {"ge", 1, 1, t_ge},
    {">=", 1, 1, t_ge},
    {"le", 1, 1, t_le},
    {"<=", 1, 1, t_le},
    {"greaterthan", 1, 1, t_gt},
    {">", 1, 1, t_gt},
    {"lessthan", 1, 1, t_lt},
    {"<", 1, 1, t_lt},
    {"!=", 1, 1, t_ne},
    {"lower", 0, 0, t_lower},
    {"upper", 0, 0, t_upper},
    {"sameas", 1, 1, t_sameas},
    {"filter", 0, 0, t_filter},
    {"test", 0, 0, t_test},
};

constexpr std::string_view kImageKeywords[] = {"width", "height", "description", "wrap", "x", "y"};

constexpr FilterDef kFilters[] = {
    {"abs", 0, 0, f_abs, false, "absolute value"},
    {"attr", 1, 1, f_attr, false, "the member of this name: attr('name')"},
    {"balance", 2, 4, f_balance, false,
     "balanced line breaks for centred text: balance(width_twips, size_pt, bold, italic)"},
    {"batch", 1, 2, f_batch, false, "split a list into lists of N"},
    {"capitalize", 0, 0, f_capitalize, false, "first letter upper case, the rest lower case"},
    {"center", 0, 1, f_center, false, "centre the text in a width"},
    {"count", 0, 0, f_length, false, "number of items or characters"},
    {"d", 0, 2, f_default, true, "alias of default"},
    {"decree_date", 0, 1, f_decree_date, false, "\"ngày 05 tháng 01 năm 2020\" (Decree 30/2020 format)"},
    {"default", 0, 2, f_default, true, "value to use when the data has none"},
    {"diem", 0, 0, f_diem, false, "điểm letter: 1 → a, 5 → đ, 23 → y"},
    {"dictsort", 0, 3, f_dictsort, false, "the [key, value] pairs of a mapping, sorted"},
    {"e", 0, 0, f_escape, false, "alias of escape"},
    {"escape", 0, 0, f_escape, false, "no-op: vanban always escapes"},
    {"filesizeformat", 0, 1, f_filesizeformat, false, "a byte count as \"1.5 MB\" (binary=true: \"1.5 MiB\")"},
    {"first", 0, 0, f_first, false, "first item"},
    {"float", 0, 1, f_float, false, "convert to a decimal number"},
    {"forceescape", 0, 0, f_escape, false, "no-op: vanban always escapes"},
    {"format", 0, -1, f_format, false, "printf-style formatting"},
    {"groupby", 1, 3, f_groupby, false,
     "group a list of mappings by an attribute: groupby(attribute, default, case_sensitive)"},
    {"image", 0, 2, f_image, false, "a picture: image(width=\"35mm\", height, description, wrap, x, y)",
     kImageKeywords},
    {"indent", 0, 3, f_indent, false, "indent the lines after the first: indent(width, first, blank)"},
    {"int", 0, 1, f_int, true, "convert to a whole number"},
    {"items", 0, 0, f_items, false, "the [key, value] pairs of a mapping"},
    {"join", 0, 2, f_join, false, "join a list with a separator"},
    {"last", 0, 0, f_last, false, "last item"},
    {"length", 0, 0, f_length, false, "number of items or characters"},
    {"list", 0, 0, f_list, false, "make a list"},
    {"lower", 0, 0, f_lower, false, "lower case (Vietnamese-aware)"},
    {"map", 0, -1, f_map, false, "map(attribute='x') or map('filter')"},
    {"max", 0, 2, f_max, false, "largest item"},
    {"min", 0, 2, f_min, false, "smallest item"},
    {"nfc", 0, 0, f_nfc, false, "Unicode NFC normalisation"},
    {"outline", 0, 1, f_outline, false, "number a section tree: I., 1., 2.1., a), -, +"},
    {"pad2", 0, 0, f_pad2, false, "two digits: 5 → 05"},
    {"pprint", 0, 0, f_pprint, false, "Python's pretty print (mapping keys sorted)"},
    {"reject", 0, -1, f_reject, false, "drop items passing a test"},
    {"rejectattr", 1, -1, f_rejectattr, false, "drop items whose attribute passes a test"},
    {"replace", 2, 3, f_replace, false, "replace text"},
    {"reverse", 0, 0, f_reverse, false, "reverse a list or string"},
    {"rich", 0, 0, f_rich, false, "markup (*nghiêng*, **đậm**, ^[chú thích]) as formatted runs and footnotes"},
    {"roman", 0, 0, f_roman, false, "Roman numeral: 4 → IV"},
    {"round", 0, 2, f_round, false, "round a number"},
    {"safe", 0, 0, f_escape, false, "no-op: a value is text, never markup"},
    {"select", 0, -1, f_select, false, "keep items passing a test"},
    {"selectattr", 1, -1, f_selectattr, false, "keep items whose attribute passes a test"},
    {"short_date", 0, 0, f_short_date, false, "05/01/2020"},
    {"slice", 1, 1, f_slice, false, "split a list into N columns"},
    {"slug", 0, 0, f_slug, false, "ASCII file-name-safe form"},
    {"sort", 0, 3, f_sort, false, "sort a list"},
    {"striptags", 0, 0, f_striptags, false, "remove markup tags, join white space"},
    {"string", 0, 0, f_string, false, "convert to text"},
    {"sum", 0, 2, f_sum, false, "sum of numbers"},
    {"text_width", 1, 3, f_text_width, false, "width in twips in Times New Roman: text_width(size_pt, bold, italic)"},
    {"title", 0, 0, f_title, false, "Every Word Capitalised"},
    {"tojson", 0, 1, f_tojson, false, "JSON text"},
    {"trim", 0, 1, f_trim, false, "strip surrounding white space"},
    {"truncate", 0, 4, f_truncate, false, "shorten text"},
    {"unique", 0, 2, f_unique, false, "remove duplicates"},
    {"upper", 0, 0, f_upper, false, "UPPER CASE (Vietnamese-aware)"},
    {"urlencode", 0, 0, f_urlencode, false, "quote for a URL; a mapping as a query string"},
    {"wordcount", 0, 0, f_wordcount, false, "number of words"},
    {"wordwrap", 0, 4, f_wordwrap, false,
     "wrap lines: wordwrap(width, break_long_words, wrapstring, break_on_hyphens)"},
    {"xmlattr", 0, 1, f_xmlattr, false, "' key=\"value\"' for the items of a mapping"},
};

}  // namespace

const FilterDef* find_filter(std::string_view name) {
    for (const auto& f : kFilters)
        if (f.name == name) return &f;
    return nullptr;
}

const TestDef* find_test(std::string_view name) {
    for (const auto& t : kTests)
        if (t.name == name) return &t;
    return nullptr;
}

std::span<const FilterDef> all_filters() { return kFilters; }

}  // namespace vanban::core
