#include "json/pointer.hpp"

#include <algorithm>
#include <charconv>

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

namespace {

// `token` with "~1" read as '/' and "~0" as '~'; false for a '~' followed by anything else.
bool unescape_pointer_token(std::string_view token, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < token.size(); ++i) {
        if (token[i] != '~') {
            out += token[i];
            continue;
        }
        if (i + 1 == token.size() || (token[i + 1] != '0' && token[i + 1] != '1')) return false;
        out += token[++i] == '0' ? '~' : '/';
    }
    return true;
}

const nlohmann::json* element_at(const nlohmann::json& array, std::string_view token) {
    std::size_t index = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
    const bool canonical = !token.empty() && (token.size() == 1 || token[0] != '0');  // no leading zeros
    if (ec != std::errc{} || end != token.data() + token.size() || !canonical || index >= array.size()) return nullptr;
    return &array[index];
}

}  // namespace

const nlohmann::json* find_pointer(const nlohmann::json& root, std::string_view pointer) {
    const nlohmann::json* node = &root;
    std::string unescaped;
    while (!pointer.empty()) {
        if (pointer.front() != '/') return nullptr;
        pointer.remove_prefix(1);
        std::string_view token = pointer.substr(0, std::min(pointer.find('/'), pointer.size()));
        pointer.remove_prefix(token.size());
        if (token.find('~') != std::string_view::npos) {
            if (!unescape_pointer_token(token, unescaped)) return nullptr;
            token = unescaped;
        }
        if (node->is_object()) {
            const auto it = node->find(token);
            if (it == node->end()) return nullptr;
            node = &*it;
        } else if (node->is_array()) {
            node = element_at(*node, token);
            if (node == nullptr) return nullptr;
        } else {
            return nullptr;
        }
    }
    return node;
}

}  // namespace vanban::json_data
