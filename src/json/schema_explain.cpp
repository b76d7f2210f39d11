#include "json/schema_explain.hpp"

#include "json/schema_walk.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "core/vn.hpp"

namespace vanban::json_data {

namespace {

using nlohmann::json;

constexpr int kMaxDepth = 200;  // deeper than any data the JSON reader accepts (it limits nesting)

const json* find(const json& schema, const char* key) {
    const auto it = schema.find(key);
    return it == schema.end() ? nullptr : &*it;
}

double number_of(const json& v) { return v.get<double>(); }

}  // namespace

bool type_matches(const std::string& type, const json& v) {
    if (type == "number") return v.is_number();
    if (type == "integer") {
        if (v.is_number_integer()) return true;
        if (v.is_number_float()) {
            const double d = v.get<double>();
            return std::isfinite(d) && d == std::floor(d);
        }
        return false;
    }
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_boolean();
    if (type == "null") return v.is_null();
    if (type == "array") return v.is_array();
    if (type == "object") return v.is_object();
    return false;
}

const char* type_name(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "boolean";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned: return "integer";
        case json::value_t::number_float: return "number";
        case json::value_t::string: return "string";
        case json::value_t::array: return "array";
        case json::value_t::object: return "object";
        default: return "value";
    }
}

SchemaExplainer::SchemaExplainer(const json& root, const std::unordered_map<std::string, std::regex>& patterns)
    : root_(root), patterns_(patterns) {
    if (root.is_object()) {
        const auto s = root.find("$schema");
        draft4_ =
            s != root.end() && s->is_string() && s->get_ref<const std::string&>().find("draft-04") != std::string::npos;
    }
}

const json* SchemaExplainer::resolve(const json* node) const { return resolve_ref(root_, node); }

std::vector<Finding> SchemaExplainer::explain(const json& value) const {
    std::vector<Finding> out;
    std::vector<std::string> segments;
    walk(value, &root_, segments, out, 0);
    return out;
}

void SchemaExplainer::walk(const json& value, const json* node, std::vector<std::string>& segments,
                           std::vector<Finding>& out, int depth) const {
    const json* schema = resolve(node);
    if (schema == nullptr || depth > kMaxDepth) return;
    if (schema->is_boolean()) {
        if (!schema->get<bool>()) out.push_back(Finding{"false", segments, schema, false, {}});
        return;
    }
    if (!schema->is_object()) return;

    // A value of the wrong type: that is the whole story; its other keywords would only repeat it.
    if (const json* type = find(*schema, "type")) {
        bool fits = false;
        if (type->is_string()) fits = type_matches(type->get<std::string>(), value);
        if (type->is_array())
            for (const auto& t : *type) fits = fits || (t.is_string() && type_matches(t.get<std::string>(), value));
        if (!fits) {
            out.push_back(Finding{"type", segments, schema, *type, {}});
            return;
        }
    }
    if (const json* values = find(*schema, "enum"); values && values->is_array()) {
        if (std::find(values->begin(), values->end(), value) == values->end()) {
            out.push_back(Finding{"enum", segments, schema, *values, {}});
            return;
        }
    }
    if (const json* constant = find(*schema, "const"); constant && *constant != value) {
        out.push_back(Finding{"const", segments, schema, *constant, {}});
        return;
    }
    check_scalar(value, *schema, segments, out);
    if (value.is_object()) walk_object(value, *schema, segments, out, depth);
    if (value.is_array()) walk_array(value, *schema, segments, out, depth);

    if (const json* all = find(*schema, "allOf"); all && all->is_array())
        for (const auto& sub : *all) walk(value, &sub, segments, out, depth + 1);
    walk_branches(value, *schema, "anyOf", segments, out, depth);
    walk_branches(value, *schema, "oneOf", segments, out, depth);
    if (const json* not_schema = find(*schema, "not")) {
        std::vector<Finding> inner;
        walk(value, not_schema, segments, inner, depth + 1);
        if (inner.empty()) out.push_back(Finding{"not", segments, schema, *not_schema, {}});
    }
    if (const json* condition = find(*schema, "if")) {
        std::vector<Finding> inner;
        walk(value, condition, segments, inner, depth + 1);
        const json* branch = find(*schema, inner.empty() ? "then" : "else");
        if (branch) walk(value, branch, segments, out, depth + 1);
    }
}

void SchemaExplainer::check_scalar(const json& value, const json& schema, const std::vector<std::string>& segments,
                                   std::vector<Finding>& out) const {
    const auto add = [&](const char* keyword, const json& expected) {
        out.push_back(Finding{keyword, segments, &schema, expected, {}});
    };
    if (value.is_string()) {
        const std::string& text = value.get_ref<const std::string&>();
        const std::size_t length = vn::code_point_count(text);
        if (const json* n = find(schema, "minLength"); n && n->is_number() && length < number_of(*n))
            add("minLength", *n);
        if (const json* n = find(schema, "maxLength"); n && n->is_number() && length > number_of(*n))
            add("maxLength", *n);
        if (const json* p = find(schema, "pattern"); p && p->is_string()) {
            const auto compiled = patterns_.find(p->get<std::string>());
            if (compiled != patterns_.end() && !std::regex_search(text, compiled->second)) add("pattern", *p);
        }
    }
    if (value.is_number()) {
        const double x = number_of(value);
        const json* min = find(schema, "minimum");
        const json* max = find(schema, "maximum");
        const json* xmin = find(schema, "exclusiveMinimum");
        const json* xmax = find(schema, "exclusiveMaximum");
        if (draft4_) {  // draft 4: exclusiveMinimum/Maximum are booleans that sharpen minimum/maximum
            const bool strict_min = xmin && xmin->is_boolean() && xmin->get<bool>();
            const bool strict_max = xmax && xmax->is_boolean() && xmax->get<bool>();
            if (min && min->is_number() && (strict_min ? x <= number_of(*min) : x < number_of(*min)))
                add(strict_min ? "exclusiveMinimum" : "minimum", *min);
            if (max && max->is_number() && (strict_max ? x >= number_of(*max) : x > number_of(*max)))
                add(strict_max ? "exclusiveMaximum" : "maximum", *max);
        } else {
            if (min && min->is_number() && x < number_of(*min)) add("minimum", *min);
            if (max && max->is_number() && x > number_of(*max)) add("maximum", *max);
            if (xmin && xmin->is_number() && x <= number_of(*xmin)) add("exclusiveMinimum", *xmin);
            if (xmax && xmax->is_number() && x >= number_of(*xmax)) add("exclusiveMaximum", *xmax);
        }
        if (const json* m = find(schema, "multipleOf"); m && m->is_number() && number_of(*m) > 0) {
            const double q = x / number_of(*m);
            if (std::fabs(q - std::round(q)) > 1e-9) add("multipleOf", *m);
        }
    }
}

void SchemaExplainer::walk_object(const json& value, const json& schema, std::vector<std::string>& segments,
                                  std::vector<Finding>& out, int depth) const {
    const json* properties = find(schema, "properties");
    if (const json* required = find(schema, "required"); required && required->is_array()) {
        for (const auto& name : *required) {
            if (!name.is_string() || value.contains(name.get<std::string>())) continue;
            segments.push_back(name.get<std::string>());
            out.push_back(Finding{"required", segments, &schema, name, {}});
            segments.pop_back();
        }
    }
    const json* pattern_properties = find(schema, "patternProperties");
    const json* additional = find(schema, "additionalProperties");
    std::vector<std::string> known;
    if (properties && properties->is_object())
        for (auto it = properties->begin(); it != properties->end(); ++it) known.push_back(it.key());
    for (auto it = value.begin(); it != value.end(); ++it) {
        segments.push_back(it.key());
        bool matched = false;
        if (properties && properties->is_object()) {
            if (const auto p = properties->find(it.key()); p != properties->end()) {
                matched = true;
                walk(*it, &*p, segments, out, depth + 1);
            }
        }
        if (pattern_properties && pattern_properties->is_object()) {
            for (auto p = pattern_properties->begin(); p != pattern_properties->end(); ++p) {
                const auto compiled = patterns_.find(p.key());
                if (compiled == patterns_.end() || !std::regex_search(it.key(), compiled->second)) continue;
                matched = true;
                walk(*it, &*p, segments, out, depth + 1);
            }
        }
        if (!matched && additional) {
            if (additional->is_boolean() && !additional->get<bool>()) {
                out.push_back(Finding{"additionalProperties", segments, &schema, false, known});
            } else if (additional->is_object()) {
                walk(*it, additional, segments, out, depth + 1);
            }
        }
        segments.pop_back();
    }
    const auto size = static_cast<double>(value.size());
    if (const json* n = find(schema, "minProperties"); n && n->is_number() && size < number_of(*n))
        out.push_back(Finding{"minProperties", segments, &schema, *n, {}});
    if (const json* n = find(schema, "maxProperties"); n && n->is_number() && size > number_of(*n))
        out.push_back(Finding{"maxProperties", segments, &schema, *n, {}});
}

void SchemaExplainer::walk_array(const json& value, const json& schema, std::vector<std::string>& segments,
                                 std::vector<Finding>& out, int depth) const {
    const json* items = find(schema, "items");
    const json* additional = find(schema, "additionalItems");
    for (std::size_t i = 0; i < value.size(); ++i) {
        const json* item_schema = nullptr;
        if (items && (items->is_object() || items->is_boolean())) item_schema = items;
        if (items && items->is_array()) item_schema = i < items->size() ? &(*items)[i] : additional;
        if (item_schema == nullptr) continue;
        segments.push_back(std::to_string(i));
        walk(value[i], item_schema, segments, out, depth + 1);
        segments.pop_back();
    }
    const auto size = static_cast<double>(value.size());
    if (const json* n = find(schema, "minItems"); n && n->is_number() && size < number_of(*n))
        out.push_back(Finding{"minItems", segments, &schema, *n, {}});
    if (const json* n = find(schema, "maxItems"); n && n->is_number() && size > number_of(*n))
        out.push_back(Finding{"maxItems", segments, &schema, *n, {}});
    if (const json* u = find(schema, "uniqueItems"); u && u->is_boolean() && u->get<bool>()) {
        std::set<json> seen;
        for (const auto& item : value) {
            if (!seen.insert(item).second) {
                out.push_back(Finding{"uniqueItems", segments, &schema, true, {}});
                break;
            }
        }
    }
}

void SchemaExplainer::walk_branches(const json& value, const json& schema, const char* keyword,
                                    std::vector<std::string>& segments, std::vector<Finding>& out, int depth) const {
    const json* branches = find(schema, keyword);
    if (branches == nullptr || !branches->is_array() || branches->empty()) return;
    std::vector<std::vector<Finding>> findings(branches->size());
    std::size_t fitting = 0;
    for (std::size_t i = 0; i < branches->size(); ++i) {
        walk(value, &(*branches)[i], segments, findings[i], depth + 1);
        if (findings[i].empty()) ++fitting;
    }
    if (fitting == 0) {
        // No branch takes a value of this type: one finding listing every type that would do ("chữ hoặc danh sách").
        const bool only_types = std::all_of(findings.begin(), findings.end(), [&](const std::vector<Finding>& f) {
            return f.size() == 1 && f[0].keyword == "type" && f[0].segments == segments;
        });
        if (only_types) {
            json types = json::array();
            for (const auto& f : findings) {
                for (const json& t : f[0].expected.is_array() ? f[0].expected : json::array({f[0].expected}))
                    if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
            }
            out.push_back(Finding{"type", segments, &schema, types, {}});
            return;
        }
        auto& meant = findings[meant_branch(value, *branches, findings)];
        std::move(meant.begin(), meant.end(), std::back_inserter(out));
    } else if (fitting > 1 && std::string_view(keyword) == "oneOf") {
        out.push_back(Finding{"oneOf", segments, &schema, static_cast<int>(fitting), {}});
    }
}

// The branch the writer meant: one whose type fits the value, whose discriminating properties (a "const" or "enum"
// the value carries) match, and whose required properties are there; among equals, the one with fewest problems.
std::size_t SchemaExplainer::meant_branch(const json& value, const json& branches,
                                          const std::vector<std::vector<Finding>>& findings) const {
    std::size_t best = 0;
    long best_score = 0;
    for (std::size_t i = 0; i < branches.size(); ++i) {
        const json* branch = resolve(&branches[i]);
        long score = -static_cast<long>(findings[i].size());
        if (branch != nullptr && branch->is_object()) {
            if (const json* type = find(*branch, "type")) {
                bool fits = type->is_string() && type_matches(type->get<std::string>(), value);
                if (type->is_array())
                    for (const auto& t : *type)
                        fits = fits || (t.is_string() && type_matches(t.get<std::string>(), value));
                score += fits ? 1000 : -1000;
            }
            const json* properties = find(*branch, "properties");
            if (value.is_object() && properties && properties->is_object()) {
                for (auto p = properties->begin(); p != properties->end(); ++p) {
                    const auto present = value.find(p.key());
                    const json* property = resolve(&*p);
                    if (present == value.end() || property == nullptr || !property->is_object()) continue;
                    const json* constant = find(*property, "const");
                    const json* values = find(*property, "enum");
                    if (constant) score += *constant == *present ? 100 : -100;
                    if (values && values->is_array())
                        score += std::find(values->begin(), values->end(), *present) != values->end() ? 100 : -100;
                }
            }
            const json* required = find(*branch, "required");
            if (value.is_object() && required && required->is_array())
                for (const auto& name : *required)
                    score += name.is_string() && value.contains(name.get<std::string>()) ? 10 : -10;
        }
        if (i == 0 || score > best_score) {
            best = i;
            best_score = score;
        }
    }
    return best;
}

}  // namespace vanban::json_data
