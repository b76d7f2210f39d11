// Where a character-by-character scan of JSON text stands: inside a string or not (escapes followed), how deeply
// arrays and objects are nested. Takes the text one byte at a time; gives enough to find where one top-level value
// ends (the streamed records reader) or to refuse text nested too deeply before parsing it (the HTTP server),
// without parsing anything.
#pragma once

namespace vanban::json_data {

struct NestingScan {
    int depth = 0;
    bool in_string = false;
    bool escape = false;

    bool at_top() const noexcept { return !in_string && depth == 0; }
    void feed(int c) noexcept {
        if (in_string) {
            if (escape) escape = false;
            else if (c == '\\') escape = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
};

}  // namespace vanban::json_data
