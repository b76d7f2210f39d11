// The filters of Vietnamese administrative documents: takes dates, numbers, markup, pictures and section trees from
// the data, gives what Decree 30/2020 asks — "ngày 05 tháng 01 năm 2020", Roman and điểm numbering, two-digit
// numbers, rich text with footnotes, placed pictures, numbered outlines, text widths and balanced lines for layout.
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>

#include "core/data_checks.hpp"
#include "core/filters_internal.hpp"
#include "core/image.hpp"
#include "core/line_balance.hpp"
#include "core/outline.hpp"
#include "core/richtext.hpp"
#include "core/vn.hpp"

namespace vanban::core::filter_impl {

namespace {
vn::Date date_of(const Value& s, EvalContext& c) {
    const json& j = j_of(s, c);
    try {
        return date_value(j);
    } catch (const std::invalid_argument& e) {
        throw EvalError(e.what(), j.is_string() ? "write dates as YYYY-MM-DD, e.g. 2022-03-10" : "");
    }
}
}  // namespace

Value f_decree_date(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    vn::Date d = date_of(s, c);
    bool pad_month = false;
    if (const Value* p = arg(a, kw, 0, "pad_month")) pad_month = truthy(*p, c);
    if (s.is_json() && s.j().is_object()) {
        auto it = s.j().find("pad_month");
        if (it != s.j().end() && it->is_boolean()) pad_month = pad_month || it->get<bool>();
    }
    try {
        return str_result(vn::decree_date(d, pad_month));
    } catch (const std::invalid_argument& e) {
        throw EvalError(e.what(), "check the day and month");
    }
}

Value f_short_date(const Value& s, Args, KwArgs, EvalContext& c) {
    try {
        return str_result(vn::short_date(date_of(s, c)));
    } catch (const std::invalid_argument& e) {
        throw EvalError(e.what(), "check the day and month");
    }
}

Value f_pad2(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    if (j.is_null() || (j.is_string() && j.get_ref<const std::string&>().empty())) return str_result("");
    long long n = whole(s, "pad2");
    std::string t = std::to_string(n);
    if (n >= 0 && n < 10) t = "0" + t;
    return str_result(std::move(t));
}

Value f_roman(const Value& s, Args, KwArgs, EvalContext&) {
    const long long n = whole(s, "roman");
    auto r = n >= 1 && n <= 3999 ? vn::roman(static_cast<int>(n)) : std::nullopt;
    if (!r) throw EvalError("roman numerals exist only for 1–3999");
    return str_result(*r);
}

Value f_diem(const Value& s, Args, KwArgs, EvalContext&) {
    const long long whole_n = whole(s, "diem");
    const int n = whole_n < 0 ? 0 : whole_n > 1000 ? 1000 : static_cast<int>(whole_n);
    auto r = vn::diem_letter(n);
    if (!r)
        throw EvalError("điểm " + std::to_string(whole_n) +
                        " has no letter: the sequence a, b, c, d, đ, … ends at y (23)");
    return str_result(*r);
}

Value f_rich(const Value& s, Args, KwArgs, EvalContext& c) {
    if (s.is_rich()) return s;
    const json& j = j_of(s, c);
    if (j.is_null()) return Value::rich(std::make_shared<const RichText>());
    try {
        if (j.is_number() || j.is_boolean())
            return Value::rich(std::make_shared<const RichText>(parse_markup(json_to_text(j))));
        if (auto object = docxtpl_object(j, true))
            return Value::rich(std::make_shared<const RichText>(std::move(*object)));
        return Value::rich(std::make_shared<const RichText>(rich_from_json(j)));
    } catch (const RichTextError& e) {
        EvalError error(e.what());
        error.code = "data.rich_text";
        error.message_vi = e.message_vi;
        throw error;
    } catch (const std::invalid_argument& e) {
        throw EvalError(e.what());
    }
}

// A picture for {{ … }}: an image object of the data or its source text, sized and placed by the arguments where
// the value does not say (core/image.hpp). Missing (lenient) or none prints nothing.
Value f_image(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    if (s.is_undefined()) return str_result("");
    if (s.is_json() && s.j().is_null()) return s;
    return Value::image(to_image(s, image_options_from_arguments(a, kw, c), c));
}

Value f_text_width(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    std::string text = text_of(s, c);
    const Value* size_pt = arg(a, kw, 0, "size");
    if (!size_pt) throw EvalError("text_width needs the font size in points");
    double size = as_number(*size_pt, "size");
    bool bold = bool_arg(arg(a, kw, 1, "bold"), false, c);
    bool italic = bool_arg(arg(a, kw, 2, "italic"), false, c);
    return Value::owned(static_cast<long long>(std::lround(vn::text_width_twips(text, size, bold, italic))));
}

// Centred text with balanced line breaks ('\n') for a box: balance(width_twips, size_pt, bold, italic).
Value f_balance(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const Value* width = arg(a, kw, 0, "width");
    const Value* size = arg(a, kw, 1, "size");
    if (!width || !size) throw EvalError("balance needs the width in twips and the font size in points");
    const vn::LineBox box{as_number(*width, "width"), as_number(*size, "size"),
                          bool_arg(arg(a, kw, 2, "bold"), false, c), bool_arg(arg(a, kw, 3, "italic"), false, c)};
    return str_result(vn::balance_lines(text_of(s, c), box));
}

Value f_outline(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const json& body = j_of(s, c);
    const Value* options = arg(a, kw, 0, "numbering");
    json opts = options && !options->is_undefined() ? j_of(*options, c) : json(nullptr);
    try {
        return Value::owned(outline::flatten(body, opts));
    } catch (const std::invalid_argument& e) {
        throw EvalError(e.what());
    }
}

}  // namespace vanban::core::filter_impl
