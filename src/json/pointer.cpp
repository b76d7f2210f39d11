#include "json/pointer.hpp"

namespace vanban::json_data {

void append_pointer_token(std::string& pointer, std::string_view token) {
    pointer += '/';
    for (char c : token) {
        if (c == '~') pointer += "~0";
        else if (c == '/') pointer += "~1";
        else pointer += c;
    }
}

std::string escape_pointer_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    append_pointer_token(out, token);
    return out.substr(1);
}

}  // namespace vanban::json_data
