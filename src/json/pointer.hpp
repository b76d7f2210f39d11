// JSON Pointer (RFC 6901) reference tokens: the one place that writes '~' as "~0" and '/' as "~1". Takes a member
// name or an index as text; gives the escaped token, or a pointer with the token appended.
#pragma once

#include <string>
#include <string_view>

namespace vanban::json_data {

// `token` with '~' written "~0" and '/' written "~1".
std::string escape_pointer_token(std::string_view token);
// Appends '/' and `token` escaped to `pointer` ("/person" + "full/name" → "/person/full~1name").
void append_pointer_token(std::string& pointer, std::string_view token);

}  // namespace vanban::json_data
