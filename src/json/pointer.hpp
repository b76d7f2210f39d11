// JSON Pointer (RFC 6901) reference tokens: the one place that writes '~' as "~0" and '/' as "~1". Takes a member
// name or an index as text; gives the escaped token, or a pointer with the token appended; and finds the value a
// pointer names.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vanban::json_data {

// `token` with '~' written "~0" and '/' written "~1".
std::string escape_pointer_token(std::string_view token);
// Appends '/' and `token` escaped to `pointer` ("/person" + "full/name" → "/person/full~1name").
void append_pointer_token(std::string& pointer, std::string_view token);

// The value `pointer` ("" or "/a/0/b~1c") names in `root`, or null when there is none or the pointer is malformed.
// Unlike nlohmann's json_pointer it neither throws nor allocates (but for a token holding an escape): schemas follow
// their "$ref"s this way for every value of every record they check.
const nlohmann::json* find_pointer(const nlohmann::json& root, std::string_view pointer);

}  // namespace vanban::json_data
