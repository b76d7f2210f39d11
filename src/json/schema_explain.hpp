// Why data does not fit a JSON Schema, as structure: which keyword failed, where, and what it expected. valijson
// decides *whether* data is valid; this walk says *why* in terms a message can be built from (keyword, pointer,
// expected value), so no message depends on the wording of a library's English strings.
#pragma once

#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace vanban::json_data {

struct Finding {
    std::string keyword;                     // "required", "additionalProperties", "type", "enum", "const", "pattern",
                                             // "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
                                             // "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems",
                                             // "minProperties", "maxProperties", "oneOf" (several branches fit), "not",
                                             // "false" (nothing is allowed here)
    std::vector<std::string> segments;       // the value; for "required" and "additionalProperties" the property itself
    const nlohmann::json* schema = nullptr;  // the schema object that holds the keyword (references resolved)
    nlohmann::json expected;                 // the keyword's value (limit, list of values, type or types, pattern)
    std::vector<std::string> known;          // "additionalProperties": the property names allowed there
};

class SchemaExplainer {
public:
    // `root` and `patterns` (every "pattern" of the schema, compiled) must outlive the explainer.
    SchemaExplainer(const nlohmann::json& root, const std::unordered_map<std::string, std::regex>& patterns);

    // Every reason `value` fails the root schema; empty when it fits. For oneOf/anyOf only the branch that was
    // meant (see meant_branch) is explained.
    std::vector<Finding> explain(const nlohmann::json& value) const;

    // Follows local "$ref"s ("#/definitions/x", any "#/..." pointer); nullptr when one cannot be resolved.
    const nlohmann::json* resolve(const nlohmann::json* node) const;

private:
    const nlohmann::json& root_;
    const std::unordered_map<std::string, std::regex>& patterns_;
    bool draft4_ = false;

    void walk(const nlohmann::json& value, const nlohmann::json* schema, std::vector<std::string>& segments,
              std::vector<Finding>& out, int depth) const;
    void walk_object(const nlohmann::json& value, const nlohmann::json& schema, std::vector<std::string>& segments,
                     std::vector<Finding>& out, int depth) const;
    void walk_array(const nlohmann::json& value, const nlohmann::json& schema, std::vector<std::string>& segments,
                    std::vector<Finding>& out, int depth) const;
    void check_scalar(const nlohmann::json& value, const nlohmann::json& schema,
                      const std::vector<std::string>& segments, std::vector<Finding>& out) const;
    void walk_branches(const nlohmann::json& value, const nlohmann::json& schema, const char* keyword,
                       std::vector<std::string>& segments, std::vector<Finding>& out, int depth) const;
    std::size_t meant_branch(const nlohmann::json& value, const nlohmann::json& branches,
                             const std::vector<std::vector<Finding>>& findings) const;
};

// JSON Schema's type names: "integer" also takes 2.0, "number" every number.
bool type_matches(const std::string& type, const nlohmann::json& value);
// "null", "boolean", "integer", "number", "string", "array", "object".
const char* type_name(const nlohmann::json& value);

}  // namespace vanban::json_data
