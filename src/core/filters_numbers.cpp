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
    if (j.is_number_integer()) {
        if (j.get<long long>() == std::numeric_limits<long long>::min())
            throw coded_error("data.integer_overflow", "abs: the result is beyond 64 bits",
                              "giá trị tuyệt đối quá lớn (vượt 64 bit), vanban không in số bị làm tròn");
        return Value::owned(std::llabs(j.get<long long>()));
    }
    return Value::owned(std::fabs(as_number(s, "abs")));
}

// Jinja's filesizeformat: "1 Byte", "12 Bytes", "1.5 kB", binary=true "1.5 KiB" (one decimal, Python's %.1f).
Value f_filesizeformat(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    const double bytes = as_number(s, "filesizeformat");
    const bool binary = bool_arg(arg(a, kw, 0, "binary"), false, c);
    const double base = binary ? 1024 : 1000;
    static constexpr const char* kDecimal[] = {"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    static constexpr const char* kBinary[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
    if (bytes == 1) return str_result("1 Byte");
    if (bytes < base) return str_result(std::to_string(whole_number(bytes, "filesizeformat")) + " Bytes");
    double unit = base;
    std::size_t i = 0;
    for (; i < 8; ++i) {
        unit *= base;
        if (bytes < unit) break;
    }
    if (i == 8) i = 7;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f %s", base * bytes / unit, binary ? kBinary[i] : kDecimal[i]);
    return str_result(buf);
}

namespace {
// Python's round(n, precision) of a whole number: a whole number again, negative precisions rounding to tens,
// hundreds … with ties to even (round(15, -1) = 20, round(25, -1) = 20), as Jinja prints "10 | round" as 10.
long long round_whole(long long n, long long precision) {
    if (precision >= 0) return n;
    if (precision < -18) return 0;
    long long unit = 1;
    for (long long k = 0; k < -precision; ++k) unit *= 10;
    const long long below = n / unit * unit, rest = n - below;  // rest has n's sign
    const long long twice = 2 * (rest < 0 ? -rest : rest);
    const bool even = (below / unit) % 2 == 0;
    if (twice < unit || (twice == unit && even)) return below;
    long long away = 0;
    if (__builtin_add_overflow(below, rest < 0 ? -unit : unit, &away))
        throw coded_error("data.integer_overflow", "round: the result is beyond 64 bits",
                          "số làm tròn quá lớn (vượt 64 bit)");
    return away;
}
}  // namespace

Value f_round(const Value& s, Args a, KwArgs kw, EvalContext& c) {
    double x = as_number(s, "round");
    long long precision = int_arg(arg(a, kw, 0, "precision"), 0, "precision");
    std::string method = "common";
    if (const Value* m = arg(a, kw, 1, "method")) method = text_of(*m, c);
    const json& j = j_of(s, c);
    if (method == "common" && j.is_number_integer()) return Value::owned(round_whole(j.get<long long>(), precision));
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
