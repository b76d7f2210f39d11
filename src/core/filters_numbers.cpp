// The number filters: takes a value, gives a number — int, float, abs, round (Python's rounding).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "core/filters_internal.hpp"

namespace vanban::core::filter_impl {

Value f_int(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    long long fallback = int_arg(arg(a, kw, 0, "default"), 0, "default");
    if (s.is_undefined()) return Value::owned(fallback);
    const json& j = j_of(s, c);
    if (j.is_number_integer() || j.is_number_unsigned()) return Value::owned(j.get<long long>());
    if (j.is_number()) return Value::owned(whole_number(j.get<double>(), "int()"));
    if (j.is_boolean()) return Value::owned(j.get<bool>() ? 1LL : 0LL);
    if (j.is_string()) {
        const auto& str = j.get_ref<const std::string&>();
        char* end = nullptr;
        double d = std::strtod(str.c_str(), &end);
        if (!str.empty() && end && *end == '\0') return Value::owned(whole_number(d, "int()"));
    }
    return Value::owned(fallback);
}

Value f_float(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    double fallback = 0.0;
    if (const Value* d = arg(a, kw, 0, "default")) fallback = as_number(*d, "default");
    const json& j = j_of(s, c);
    if (j.is_number()) return Value::owned(j.get<double>());
    if (j.is_string()) {
        const auto& str = j.get_ref<const std::string&>();
        char* end = nullptr;
        double d = std::strtod(str.c_str(), &end);
        if (!str.empty() && end && *end == '\0') return Value::owned(d);
    }
    return Value::owned(fallback);
}

Value f_abs(const Value& s, Args, KwArgs, EvalContext& c) {
    const json& j = j_of(s, c);
    if (j.is_number_integer() && j.get<long long>() != std::numeric_limits<long long>::min())
        return Value::owned(std::llabs(j.get<long long>()));
    return Value::owned(std::fabs(as_number(s, "abs")));
}

Value f_round(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    double x = as_number(s, "round");
    long long precision = int_arg(arg(a, kw, 0, "precision"), 0, "precision");
    std::string method = "common";
    if (const Value* m = arg(a, kw, 1, "method")) method = text_of(*m, c);
    if (precision > 15) return Value::owned(x);  // a double has no more digits to round
    if (precision < -308) return Value::owned(0.0 * x);
    double f = std::pow(10.0, static_cast<double>(precision));
    double r;
    if (method == "common") {
        // Python's round(): the correctly rounded decimal, ties to even (2.5 → 2.0, 2.675 → 2.67 as 2.675 is 2.67499…)
        if (precision >= 0 && precision < 300) {
            char buf[512];
            std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(precision), x);
            r = std::strtod(buf, nullptr);
        } else {
            r = std::nearbyint(x * f) / f;
        }
    } else if (method == "ceil") {
        r = std::ceil(x * f) / f;
    } else if (method == "floor") {
        r = std::floor(x * f) / f;
    } else {
        throw EvalError("round method must be common, ceil or floor");
    }
    return Value::owned(r);
}

}  // namespace vanban::core::filter_impl
