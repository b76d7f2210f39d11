#include "json/schema_walk.hpp"

#include <algorithm>
#include <string>

#include "json/pointer.hpp"

namespace vanban::json_data {

namespace {

using nlohmann::json;

constexpr int kMaxRefHops = 32;
constexpr int kMaxDepth = 16;

void collect_branches(const json& root, const json* node, std::vector<const json*>& out, int depth) {
    node = resolve_ref(root, node);
    if (!node || !node->is_object() || depth > kMaxDepth) return;
    if (std::find(out.begin(), out.end(), node) != out.end()) return;
    out.push_back(node);
    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
        auto it = node->find(key);
        if (it != node->end() && it->is_array())
            for (const auto& b : *it) collect_branches(root, &b, out, depth + 1);
    }
    for (const char* key : {"then", "else"}) {
        auto it = node->find(key);
        if (it != node->end()) collect_branches(root, &*it, out, depth + 1);
    }
}

// The child named in "properties", "prefixItems" or "items" of one branch.
const json* listed_child(const json& branch, const json& segment) {
    if (segment.is_string()) {
        auto props = branch.find("properties");
        if (props == branch.end() || !props->is_object()) return nullptr;
        auto p = props->find(segment.get_ref<const std::string&>());
        return p != props->end() ? &*p : nullptr;
    }
    const auto i = segment.get<std::size_t>();
    for (const char* key : {"prefixItems", "items"}) {
        auto items = branch.find(key);
        if (items == branch.end()) continue;
        if (items->is_object()) return &*items;
        if (items->is_array() && i < items->size()) return &(*items)[i];
    }
    return nullptr;
}

}  // namespace

const json* resolve_ref(const json& root, const json* node) {
    for (int hops = 0; node != nullptr; ++hops) {
        if (!node->is_object()) return node;
        const auto ref = node->find("$ref");
        if (ref == node->end() || !ref->is_string()) return node;
        if (hops == kMaxRefHops) return nullptr;
        const std::string& target = ref->get_ref<const std::string&>();
        if (target.empty() || target[0] != '#') return nullptr;
        node = find_pointer(root, std::string_view(target).substr(1));
    }
    return nullptr;
}

std::vector<const json*> schema_branches(const json& root, const json* node) {
    std::vector<const json*> out;
    collect_branches(root, node, out, 0);
    return out;
}

const json* schema_child(const json& root, const json* node, const json& segment) {
    if (!segment.is_string() && !segment.is_number_unsigned() && !segment.is_number_integer()) return nullptr;
    if (segment.is_number_integer() && segment.get<long long>() < 0) return nullptr;
    const auto branches = schema_branches(root, node);
    for (const json* b : branches)
        if (const json* child = listed_child(*b, segment)) return child;
    const char* extra_key = segment.is_string() ? "additionalProperties" : "additionalItems";
    for (const json* b : branches) {
        auto extra = b->find(extra_key);
        if (extra != b->end() && extra->is_object()) return &*extra;
    }
    return nullptr;
}

}  // namespace vanban::json_data
