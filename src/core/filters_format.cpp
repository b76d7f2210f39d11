// Python's text formatting as Jinja templates use it: takes a format string and Values, gives the text —
// "%05.1f" % x and the format filter (percent_format), "{:,.2f}".format(x) (brace_format). Every width and
// precision is checked against the value size limit before anything is built.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "core/filters_internal.hpp"
#include "core/vn.hpp"

namespace vanban::core {

using namespace filter_impl;

namespace {

// Pads `body` (after `sign`) to `width` code points: align '<', '>', '^', or '=' (fill between sign and digits).
// The padded size is checked against the value size limit before anything is built.
std::string pad(std::string_view sign, std::string_view body, std::size_t width, std::string_view fill, char align,
                EvalContext& c) {
    const std::size_t have = code_point_count(sign) + code_point_count(body);
    if (have >= width) return std::string(sign) + std::string(body);
    const std::size_t missing = width - have;
    std::uint64_t fill_bytes = 0;
    if (__builtin_mul_overflow(std::uint64_t{missing}, std::uint64_t{fill.size()}, &fill_bytes))
        fill_bytes = UINT64_MAX;
    c.check_size(
        fill_bytes > UINT64_MAX - sign.size() - body.size() ? UINT64_MAX : fill_bytes + sign.size() + body.size(),
        "the padded text");
    auto fills = [&](std::size_t n) {
        std::string r;
        for (std::size_t k = 0; k < n; ++k) r += fill;
        return r;
    };
    switch (align) {
        case '<': return std::string(sign) + std::string(body) + fills(missing);
        case '^': return fills(missing / 2) + std::string(sign) + std::string(body) + fills(missing - missing / 2);
        case '=': return std::string(sign) + fills(missing) + std::string(body);
        default: return fills(missing) + std::string(sign) + std::string(body);
    }
}

// "1234567.891" → "1,234,567.891" (the integer digits only).
std::string group_thousands(std::string digits, char separator) {
    std::size_t end = digits.find_first_of(".eE%");
    if (end == std::string::npos) end = digits.size();
    for (std::size_t k = end; k > 3; k -= 3) digits.insert(k - 3, 1, separator);
    return digits;
}

// snprintf into a string of the right size: the length is asked first and checked against the value size limit (a
// width or precision of a million is refused before it is printed, and nothing is ever cut off).
template <typename T>
std::string printf_text(const std::string& spec, T value, EvalContext& c) {
    const int n = std::snprintf(nullptr, 0, spec.c_str(), value);
    if (n < 0) throw EvalError("cannot format '" + spec + "'");
    c.check_size(static_cast<std::uint64_t>(n), "the formatted text");
    std::string out(static_cast<std::size_t>(n) + 1, '\0');
    std::snprintf(out.data(), out.size(), spec.c_str(), value);
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// The digits of a width or precision in a format specification, from `k` on; past the value size limit it is a limit
// error (a number of any length neither overflows nor pads anything).
std::size_t spec_number(std::string_view spec, std::size_t& k, EvalContext& c, const char* what) {
    std::uint64_t n = 0;
    while (k < spec.size() && spec[k] >= '0' && spec[k] <= '9') {
        const auto digit = static_cast<std::uint64_t>(spec[k++] - '0');
        n = n > (UINT64_MAX - digit) / 10 ? UINT64_MAX : n * 10 + digit;
        if (n > c.limits.max_value_bytes) c.check_size(n, std::string("a format ") + what);
    }
    if (n > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))  // (printf takes an int)
        throw_limit(std::string("a format ") + what + " of " + std::to_string(n) + " is too large", "");
    return static_cast<std::size_t>(n);
}

// A whole number written in a format string ("{12}", "{0[3]}"): digits only, and not past what a list can hold.
std::size_t item_number(std::string_view digits, const char* what) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size())
        throw EvalError(std::string(what) + " '" + std::string(digits) +
                        "' is not a whole number of a reasonable size");
    return n;
}

// A character from its code point (Python's %c and {:c}), as UTF-8.
std::string code_point_text(long long code) {
    if (code < 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        throw EvalError("%c needs a character code from 0 to 1114111, not " + std::to_string(code));
    std::string out;
    vn::append_utf8(out, static_cast<std::uint32_t>(code));
    return out;
}

// Python's repr(): strings in quotes, the rest as printed.
std::string repr_text(const Value& v, EvalContext& c) {
    if (!v.is_json() || !v.j().is_string()) return text_of(v, c);
    const std::string listed = json_to_text(json::array({v.j()}));  // "['text']"
    return listed.substr(1, listed.size() - 2);
}

// One field of str.format: `spec` is the format mini-language ([[fill]align][sign][#][0][width][,][.precision][type]).
std::string format_field(const Value& v, std::string_view spec, EvalContext& c) {
    std::string fill = " ";
    char align = 0, sign = '-', type = 0, grouping = 0;
    bool zero = false;
    std::size_t width = 0, k = 0;
    std::optional<std::size_t> precision;
    auto is_align = [](char ch) { return ch == '<' || ch == '>' || ch == '^' || ch == '='; };
    std::size_t first = spec.empty() ? 0 : code_point_prefix(spec, 1).size();
    if (first < spec.size() && is_align(spec[first])) {
        fill = std::string(spec.substr(0, first));
        align = spec[first];
        k = first + 1;
    } else if (!spec.empty() && is_align(spec[0])) {
        align = spec[0];
        k = 1;
    }
    if (k < spec.size() && (spec[k] == '+' || spec[k] == '-' || spec[k] == ' ')) sign = spec[k++];
    if (k < spec.size() && spec[k] == '#') ++k;
    if (k < spec.size() && spec[k] == '0') {
        zero = true;
        ++k;
    }
    width = spec_number(spec, k, c, "width");
    if (k < spec.size() && (spec[k] == ',' || spec[k] == '_')) grouping = spec[k++];
    if (k < spec.size() && spec[k] == '.') precision = spec_number(spec, ++k, c, "precision");
    if (k < spec.size()) type = spec[k++];
    if (k != spec.size()) throw EvalError("invalid format specifier '" + std::string(spec) + "'");
    if (zero && !align) {
        fill = "0";
        align = '=';
    }

    const json* j = v.is_json() ? &v.j() : nullptr;
    const bool boolean = j && j->is_boolean();
    const bool number = j && (j->is_number() || (boolean && type && type != 's'));
    if (!number) {
        if (type && type != 's')
            throw EvalError(std::string("format code '") + type + "' needs a number, not " +
                            (j ? std::string(j->type_name()) : std::string("text")));
        std::string text = text_of(v, c);
        if (precision) text = std::string(code_point_prefix(text, *precision));
        return pad("", text, width, fill, align ? align : '<', c);
    }
    const bool integral = (j->is_number_integer() || j->is_number_unsigned() || boolean) &&
                          (!type || type == 'd' || type == 'n' || type == 'x' || type == 'X' || type == 'o' ||
                           type == 'b' || type == 'c');
    const double value = boolean ? (j->get<bool>() ? 1.0 : 0.0) : j->get<double>();
    const bool negative =
        integral ? (boolean ? false : j->is_number_integer() && j->get<long long>() < 0) : std::signbit(value);
    std::string digits;
    if (integral) {
        if (precision) throw EvalError("precision is not allowed for whole numbers");
        // (the magnitude in unsigned arithmetic: the most negative number has none as a long long)
        const auto as_unsigned = [](long long x) {
            return x < 0 ? 0ull - static_cast<unsigned long long>(x) : static_cast<unsigned long long>(x);
        };
        unsigned long long magnitude = boolean                   ? (j->get<bool>() ? 1 : 0)
                                       : j->is_number_unsigned() ? j->get<unsigned long long>()
                                                                 : as_unsigned(j->get<long long>());
        if (type == 'c') {
            if (negative || magnitude > 0x10FFFF) throw EvalError("{:c} needs a character code from 0 to 1114111");
            return pad("", code_point_text(static_cast<long long>(magnitude)), width, fill, align ? align : '>', c);
        }
        const int base = type == 'x' || type == 'X' ? 16 : type == 'o' ? 8 : type == 'b' ? 2 : 10;
        do {
            const unsigned d = static_cast<unsigned>(magnitude % static_cast<unsigned>(base));
            digits.insert(digits.begin(), static_cast<char>(d < 10 ? '0' + d : (type == 'X' ? 'A' : 'a') + d - 10));
            magnitude /= static_cast<unsigned>(base);
        } while (magnitude);
    } else {
        const double a = std::fabs(value);
        const std::size_t p = precision.value_or(6);
        switch (type) {
            case 'f':
            case 'F': digits = printf_text("%." + std::to_string(p) + "f", a, c); break;
            case 'e':
            case 'E': digits = printf_text("%." + std::to_string(p) + (type == 'e' ? "e" : "E"), a, c); break;
            case 'g':
            case 'G':
            case 'n': digits = printf_text("%." + std::to_string(p) + (type == 'G' ? "G" : "g"), a, c); break;
            case '%': digits = printf_text("%." + std::to_string(p) + "f", a * 100, c) + "%"; break;
            case 0:
                digits = precision ? printf_text("%." + std::to_string(std::max<std::size_t>(1, p)) + "g", a, c)
                                   : json_to_text(json(a));
                break;
            default: throw EvalError(std::string("unknown format code '") + type + "' for a number");
        }
    }
    if (grouping) digits = group_thousands(std::move(digits), grouping);
    std::string sign_text = negative ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
    return pad(sign_text, digits, width, fill, align ? align : '>', c);
}

}  // namespace

std::string percent_format(std::string_view fmt, std::span<const Value> a, EvalContext& c) {
    std::string out;
    std::size_t next = 0;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%') {
            out += fmt[i];
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '%') {
            out += '%';
            ++i;
            continue;
        }
        std::size_t j = i + 1;
        std::string flags;
        while (j < fmt.size() && std::string_view("-+ 0#").find(fmt[j]) != std::string_view::npos) flags += fmt[j++];
        const std::size_t width = spec_number(fmt, j, c, "width");
        std::optional<std::size_t> precision;
        if (j < fmt.size() && fmt[j] == '.') precision = spec_number(fmt, ++j, c, "precision");
        while (j < fmt.size() && (fmt[j] == 'l' || fmt[j] == 'h' || fmt[j] == 'L')) ++j;
        if (j >= fmt.size()) throw EvalError("format string ends inside a conversion");
        const char conv = fmt[j];
        if (next >= a.size()) throw EvalError("not enough arguments for the format string");
        const Value& v = a[next++];
        const bool left = flags.find('-') != std::string::npos;
        if (conv == 's' || conv == 'r') {
            std::string text = conv == 's' ? text_of(v, c) : repr_text(v, c);
            if (precision) text = std::string(code_point_prefix(text, *precision));
            out += pad("", text, width, " ", left ? '<' : '>', c);
        } else if (std::string_view("diuxXofFeEgGc").find(conv) != std::string_view::npos) {
            std::string spec = "%" + flags + (width ? std::to_string(width) : "") +
                               (precision ? "." + std::to_string(*precision) : "");
            if (conv == 'c') {
                out += pad("", code_point_text(whole(v, "%c argument")), width, " ", left ? '<' : '>', c);
            } else if (std::string_view("diuxXo").find(conv) != std::string_view::npos) {
                spec += "ll";
                spec += conv == 'u' ? 'd' : conv;
                out += printf_text(spec, whole(v, "format argument"), c);
            } else {
                spec += conv;
                out += printf_text(spec, as_number(v, "format argument"), c);
            }
        } else {
            throw EvalError(std::string("unsupported conversion '%") + conv + "'");
        }
        i = j;
    }
    if (next < a.size()) throw EvalError("not all arguments are used by the format string");
    return out;
}

std::string brace_format(std::string_view fmt, std::span<const Value> args, KwArgs kwargs, EvalContext& c) {
    std::string out;
    std::size_t automatic = 0;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        const char ch = fmt[i];
        if (ch == '}') {
            if (i + 1 < fmt.size() && fmt[i + 1] == '}') ++i;
            else throw EvalError("single '}' in the format string");
            out += '}';
            continue;
        }
        if (ch != '{') {
            out += ch;
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
            out += '{';
            ++i;
            continue;
        }
        const std::size_t close = fmt.find('}', i);
        if (close == std::string_view::npos) throw EvalError("'{' without '}' in the format string");
        std::string_view field = fmt.substr(i + 1, close - i - 1);
        i = close;
        std::string_view spec;
        if (std::size_t colon = field.find(':'); colon != std::string_view::npos) {
            spec = field.substr(colon + 1);
            field = field.substr(0, colon);
        }
        char conversion = 0;
        if (std::size_t bang = field.find('!'); bang != std::string_view::npos) {
            conversion = bang + 1 < field.size() ? field[bang + 1] : 's';
            field = field.substr(0, bang);
        }
        // the argument: "" (next), "0", "name", then .attribute / [index] parts
        const std::size_t name_end = std::min(field.find('.'), field.find('['));
        std::string_view name = field.substr(0, name_end);
        Value value;
        if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) {
            const std::size_t index = name.empty() ? automatic++ : item_number(name, "the format string's argument");
            if (index >= args.size())
                throw EvalError("the format string needs more arguments than the " + std::to_string(args.size()) +
                                " given");
            value = args[index];
        } else {
            const Value* named = kwarg(kwargs, name);
            if (!named) throw EvalError("the format string names '" + std::string(name) + "', which is not given");
            value = *named;
        }
        for (std::size_t k = name_end; k < field.size();) {
            if (field[k] == '.') {
                std::size_t e = std::min(field.find('.', k + 1), field.find('[', k + 1));
                if (e == std::string_view::npos) e = field.size();
                value = get_attr(value, field.substr(k + 1, e - k - 1), std::string(field));
                k = e;
            } else {
                std::size_t e = field.find(']', k);
                if (e == std::string_view::npos) throw EvalError("'[' without ']' in the format string");
                std::string key(field.substr(k + 1, e - k - 1));
                const json& j = j_of(value, c);
                if (j.is_array() && !key.empty() && std::all_of(key.begin(), key.end(), ::isdigit)) {
                    const std::size_t n = item_number(key, "index");
                    if (n >= j.size()) throw EvalError("index " + key + " is past the end of the list");
                    value = value.child(j[n]);
                } else {
                    value = get_attr(value, key, std::string(field));
                }
                k = e + 1;
            }
        }
        if (conversion == 'r') value = Value::owned(repr_text(value, c));
        else if (conversion) value = Value::owned(text_of(value, c));
        out += format_field(value, spec, c);
    }
    return out;
}

}  // namespace vanban::core
