// The one walk over a JSON Schema document, shared by validation messages (schema.cpp, schema_explain.cpp), the
// spreadsheet columns (batch/columns.cpp) and cell typing (batch/cell_typing.cpp). Takes the root schema and a node
// in it; gives the node with its local "$ref"s followed, the branches that add constraints to it, and the schema of
// a child value. Depth- and hop-bounded: a schema that refers to itself cannot loop.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

namespace vanban::json_data {

// Follows local "$ref"s ("#/definitions/x", "#/$defs/x", any "#/..." pointer); nullptr when one cannot be resolved
// (another document, a pointer to nothing, a chain of more than 32).
const nlohmann::json* resolve_ref(const nlohmann::json& root, const nlohmann::json* node);

// The node and every branch that adds constraints to it (allOf/anyOf/oneOf/then/else), recursively, $refs followed,
// each once, objects only; empty when the node does not resolve to an object.
std::vector<const nlohmann::json*> schema_branches(const nlohmann::json& root, const nlohmann::json* node);

// The schema of the child `segment` (a member name, or an index as a number) of a value described by `node`:
// "properties" (or "prefixItems"/"items" for an index) from the node or any branch, else "additionalProperties"
// ("additionalItems"). As written in the schema ($ref not followed: a "title" beside a "$ref" belongs to it);
// nullptr when the schema does not say.
const nlohmann::json* schema_child(const nlohmann::json& root, const nlohmann::json* node,
                                   const nlohmann::json& segment);

}  // namespace vanban::json_data
