// The values side of the expression language: takes Values (data references, computed json, undefined, rich text,
// pictures, loop), gives what every evaluation step needs of them — variable scopes, the per-render limits on work
// and size, the located missing-value error, truthiness, their text as Python prints it, and member access.
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/expr_internal.hpp"
#include "core/image.hpp"
#include "core/vn.hpp"
#include "json/json_source.hpp"
#include "json/pointer.hpp"

namespace vanban::core {

// ---------------------------------------------------------------------------------------------------------------
// Missing values and where they are

void throw_missing(const Value& v) {
    const Undefined& u = v.undefined_info();
    EvalError e("'" + u.what + "' is missing from the data",
                "add it to the data, or write '" + u.what + " | default(\"…\")' or test it with 'is defined'");
    e.parent = u.parent;
    e.key = u.key;
    e.after_error = u.after_error;
    throw e;
}

namespace {
bool find_pointer(const json& node, const json* target, std::string& path) {
    if (&node == target) return true;
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            std::size_t len = path.size();
            json_data::append_pointer_token(path, it.key());
            if (find_pointer(it.value(), target, path)) return true;
            path.resize(len);
        }
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
            std::size_t len = path.size();
            path += '/' + std::to_string(i);
            if (find_pointer(node[i], target, path)) return true;
            path.resize(len);
        }
    }
    return false;
}
}  // namespace

std::string pointer_of(const json& root, const json* node) {
    std::string path;
    if (node && find_pointer(root, node, path)) return path;
    return {};
}

// ---------------------------------------------------------------------------------------------------------------
// Scope

void Scope::assign(std::string_view name, Value value, std::size_t floor) {
    for (std::size_t i = vars_.size(); i > floor; --i) {
        if (vars_[i - 1].first == name && visible(i - 1)) {
            vars_[i - 1].second = std::move(value);
            return;
        }
    }
    bind(name, std::move(value));
}

json* Scope::owned_binding(std::string_view name) {
    for (std::size_t i = vars_.size(); i > 0; --i)
        if (vars_[i - 1].first == name && visible(i - 1)) return vars_[i - 1].second.owned_json();
    return nullptr;
}

Value Scope::lookup(std::string_view name) const {
    for (std::size_t i = vars_.size(); i > 0; --i)
        if (vars_[i - 1].first == name && visible(i - 1)) return vars_[i - 1].second;
    if (root_.is_object()) {
        auto it = root_.find(name);
        if (it != root_.end()) return Value::ref(*it);
        return Value::undefined(std::string(name), &root_, std::string(name));
    }
    return Value::undefined(std::string(name));
}

// ---------------------------------------------------------------------------------------------------------------
// Limits

void throw_limit(const std::string& message, std::string hint) {
    EvalError e(message, std::move(hint));
    e.limit = true;
    throw e;
}

void EvalContext::charge(std::uint64_t units) {
    work += units;
    if (work > limits.max_work)
        throw_limit("the template does more than " + std::to_string(limits.max_work) +
                        " units of work in one render (a long list searched or sorted inside a long loop?)",
                    "simplify the template, or raise the work limit (--max-work)");
}

void EvalContext::check_size(std::uint64_t bytes, std::string_view what) const {
    if (bytes > limits.max_value_bytes)
        throw_limit(std::string(what) + " would be " + std::to_string(bytes) + " bytes, over the limit of " +
                        std::to_string(limits.max_value_bytes) + " bytes for one value",
                    "raise the value size limit (--max-value-size) if this is intended");
}

void EvalContext::account(const json& value) {
    if (value.is_string()) {
        const std::size_t n = value.get_ref<const std::string&>().size();
        check_size(n, "a text");
        charge(1 + n / 16);
        return;
    }
    if (!value.is_structured()) return;
    // Walked with an explicit stack: the value may be nested deeper than recursion can safely follow.
    std::uint64_t bytes = 0, units = 0;
    std::vector<std::pair<const json*, std::size_t>> stack{{&value, 1}};
    while (!stack.empty()) {
        const auto [node, depth] = stack.back();
        stack.pop_back();
        if (depth > kMaxValueDepth)
            throw_limit("a computed value is nested more than " + std::to_string(kMaxValueDepth) + " levels deep", "");
        bytes += sizeof(json);
        ++units;
        if (node->is_string()) {
            const std::size_t n = node->get_ref<const std::string&>().size();
            bytes += n;
            units += n / 16;
        } else if (node->is_object()) {
            for (auto it = node->begin(); it != node->end(); ++it) {
                bytes += sizeof(std::string) + it.key().size();
                stack.emplace_back(&it.value(), depth + 1);
            }
        } else if (node->is_array()) {
            for (const auto& item : *node) stack.emplace_back(&item, depth + 1);
        }
        if (bytes > limits.max_value_bytes) check_size(bytes, "a computed list or mapping");
    }
    charge(units);
}

long long whole_number(double value, std::string_view what) {
    // 2^63 is exactly representable; every double below it in magnitude converts without overflow.
    constexpr double limit = 9223372036854775808.0;
    if (std::isnan(value) || value >= limit || value < -limit)
        throw_limit(std::string(what) + " " + (std::isnan(value) ? std::string("is not a number") : "is too large"),
                    "use a whole number between -9223372036854775808 and 9223372036854775807");
    return static_cast<long long>(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Values

std::uint64_t shallow_units(const Value& v) {
    if (!v.is_json()) return 0;
    const json& j = v.j();
    if (j.is_string()) return j.get_ref<const std::string&>().size() / 16;
    return j.is_structured() ? j.size() : 0;
}

const json& need_json(const Value& v, const EvalContext& ctx, const json& fallback) {
    if (v.is_json()) return v.j();
    if (v.is_undefined()) {
        if (!ctx.lenient) throw_missing(v);
        return fallback;
    }
    throw EvalError("this value cannot be used here");
}

namespace {

std::string python_float(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    // Python's repr: the shortest digits that round-trip, in positional notation when the decimal exponent is in
    // [-4, 16), else in exponent notation ("2000000.0", "0.0001", "1e+16", "1e-05").
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, p);
    std::size_t e = sci.find('e');
    int exp = std::atoi(sci.c_str() + e + 1);
    if (exp < -4 || exp >= 16) return sci;
    bool negative = sci[0] == '-';
    std::string digits;
    for (std::size_t i = negative ? 1 : 0; i < e; ++i)
        if (sci[i] != '.') digits += sci[i];
    std::string out = negative ? "-" : "";
    if (exp < 0) {
        out += "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
    } else {
        auto point = static_cast<std::size_t>(exp) + 1;
        if (digits.size() <= point) out += digits + std::string(point - digits.size(), '0') + ".0";
        else out += digits.substr(0, point) + "." + digits.substr(point);
    }
    return out;
}

void py_repr(const json& j, std::string& out, const EvalContext* order) {
    switch (j.type()) {
        case json::value_t::null: out += "None"; break;
        case json::value_t::boolean: out += j.get<bool>() ? "True" : "False"; break;
        case json::value_t::number_integer: out += std::to_string(j.get<long long>()); break;
        case json::value_t::number_unsigned: out += std::to_string(j.get<unsigned long long>()); break;
        case json::value_t::number_float: out += python_float(j.get<double>()); break;
        case json::value_t::string: {
            const auto& s = j.get_ref<const std::string&>();
            char q = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
            out += q;
            for (char c : s) {
                if (c == q || c == '\\') out += '\\';
                if (c == '\n') {
                    out += "\\n";
                    continue;
                }
                out += c;
            }
            out += q;
            break;
        }
        case json::value_t::array: {
            out += '[';
            bool first = true;
            for (const auto& e : j) {
                if (!first) out += ", ";
                first = false;
                py_repr(e, out, order);
            }
            out += ']';
            break;
        }
        case json::value_t::object: {
            if (is_image_object(j)) throw_image_as_text();  // never a page of base64
            if (is_subdoc_object(j))
                throw EvalError("a sub-document cannot be printed as text here",
                                "put it alone in its paragraph with {{p … }} (docxtpl's Subdoc)");
            out += '{';
            bool first = true;
            const auto print_member = [&](std::string_view key, const json& value) {
                if (!first) out += ", ";
                first = false;
                py_repr(json(key), out, order);
                out += ": ";
                py_repr(value, out, order);
            };
            if (order) {
                for (const std::string_view key : order->keys_of(j)) print_member(key, j.find(key).value());
            } else {
                for (auto it = j.begin(); it != j.end(); ++it) print_member(it.key(), it.value());
            }
            out += '}';
            break;
        }
        default: out += "?"; break;
    }
}

Value loop_attr(const LoopState& l, std::string_view name) {
    if (name == "index") return Value::owned(static_cast<long long>(l.index0 + 1));
    if (name == "index0") return Value::owned(static_cast<long long>(l.index0));
    if (name == "revindex") return Value::owned(static_cast<long long>(l.length - l.index0));
    if (name == "revindex0") return Value::owned(static_cast<long long>(l.length - l.index0 - 1));
    if (name == "first") return Value::owned(l.index0 == 0);
    if (name == "last") return Value::owned(l.index0 + 1 == l.length);
    if (name == "length") return Value::owned(static_cast<long long>(l.length));
    if (name == "depth") return Value::owned(static_cast<long long>(l.depth));
    if (name == "depth0") return Value::owned(static_cast<long long>(l.depth - 1));
    if (name == "previtem") {
        if (l.items && l.index0 > 0) return Value::ref((*l.items)[l.index0 - 1]);
        return Value::undefined("loop.previtem");
    }
    if (name == "nextitem") {
        if (l.items && l.index0 + 1 < l.length) return Value::ref((*l.items)[l.index0 + 1]);
        return Value::undefined("loop.nextitem");
    }
    throw EvalError("loop has no attribute '" + std::string(name) + "'",
                    "use loop.index, loop.index0, loop.first, loop.last, loop.length, loop.revindex, loop.cycle(...)");
}

}  // namespace

std::vector<std::string> code_points(const std::string& str) {
    std::vector<std::string> cps;
    for (std::size_t i = 0; i < str.size();) {
        const std::size_t len = vn::char_boundary_after(str, i + 1) - i;
        cps.push_back(str.substr(i, len));
        i += len;
    }
    return cps;
}

std::string json_to_text(const json& j, const EvalContext* order);
std::string json_to_text(const json& j) { return json_to_text(j, nullptr); }

std::string json_to_text(const json& j, const EvalContext& ctx) { return json_to_text(j, &ctx); }

std::string json_to_text(const json& j, const EvalContext* order) {
    switch (j.type()) {
        case json::value_t::null: return {};
        case json::value_t::string: return j.get<std::string>();
        case json::value_t::boolean: return j.get<bool>() ? "True" : "False";
        case json::value_t::number_integer: return std::to_string(j.get<long long>());
        case json::value_t::number_unsigned: return std::to_string(j.get<unsigned long long>());
        case json::value_t::number_float: return python_float(j.get<double>());
        default: {
            std::string out;
            py_repr(j, out, order);
            return out;
        }
    }
}

std::string to_text(const Value& v, const EvalContext& ctx) {
    if (v.is_undefined()) {
        if (!ctx.lenient) throw_missing(v);
        return {};
    }
    if (v.is_rich()) return v.rich_text().plain();
    if (v.is_loop()) return "<loop>";
    if (v.is_image()) throw_image_as_text();
    if (v.is_callable())
        throw EvalError("a " + std::string(v.callable_object().kind()) + " cannot be printed itself",
                        "call it: name(…)");
    return json_to_text(v.j(), ctx);
}

std::vector<std::string_view> EvalContext::keys_of(const json& mapping) const {
    std::vector<std::string_view> keys;
    keys.reserve(mapping.size());
    const std::vector<std::string>* order = key_order ? key_order->of(mapping) : nullptr;
    if (!order) order = written_order.of(mapping);
    if (order) {
        keys.assign(order->begin(), order->end());
    } else {
        for (auto it = mapping.begin(); it != mapping.end(); ++it) keys.push_back(it.key());
    }
    return keys;
}

bool truthy(const Value& v, const EvalContext& ctx) {
    if (v.is_undefined()) {
        if (!ctx.lenient) throw_missing(v);
        return false;
    }
    if (v.is_rich()) return !v.rich_text().spans.empty();
    if (v.is_loop() || v.is_image() || v.is_callable()) return true;
    const json& j = v.j();
    switch (j.type()) {
        case json::value_t::null: return false;
        case json::value_t::boolean: return j.get<bool>();
        case json::value_t::number_integer: return j.get<long long>() != 0;
        case json::value_t::number_unsigned: return j.get<unsigned long long>() != 0;
        case json::value_t::number_float: return j.get<double>() != 0.0;
        case json::value_t::string: return !j.get_ref<const std::string&>().empty();
        case json::value_t::array:
        case json::value_t::object: return !j.empty();
        default: return true;
    }
}

Value get_attr(const Value& subject, std::string_view name, const std::string& what) {
    if (subject.is_undefined()) return Value::undefined_from(subject, what);
    if (subject.is_loop()) return loop_attr(subject.loop_state(), name);
    if (subject.is_callable()) return subject.callable_object().attribute(name, what);
    if (subject.is_rich()) return Value::undefined(what);
    if (subject.is_image()) return image_attribute(*subject.image_ptr(), name, what);
    const json& j = subject.j();
    if (j.is_object()) {
        auto it = j.find(name);
        if (it != j.end()) return subject.child(*it);
        return Value::undefined(what, &j, std::string(name));
    }
    return Value::undefined(what);
}

}  // namespace vanban::core
