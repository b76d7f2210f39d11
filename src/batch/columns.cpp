#include "batch/columns.hpp"

#include <algorithm>
#include <exception>
#include <set>

#include "batch/records.hpp"
#include "core/vn.hpp"
#include "json/schema_walk.hpp"

namespace vanban::batch {

namespace {

using nlohmann::json;

std::string string_member(const json& node, const char* key) {
    auto it = node.find(key);
    return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> string_list(const json& node, const char* key) {
    std::vector<std::string> out;
    auto it = node.find(key);
    if (it != node.end() && it->is_array())
        for (const auto& v : *it)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

// Levenshtein distance of two short ASCII strings (suggestions only; inputs are capped).
std::size_t distance(std::string_view a, std::string_view b) {
    a = a.substr(0, 64);
    b = b.substr(0, 64);
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// Letters and digits without diacritics, for "did you mean" (a header typed without accents still finds its field).
std::string plain(std::string_view text) {
    std::string s = vn::slug(text);
    s.erase(std::remove(s.begin(), s.end(), '-'), s.end());
    return s;
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.size() <= 6 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string dotted_of(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

}  // namespace

Diagnostic make_diagnostic(DiagnosticKind kind, std::string code, std::string message, std::string message_vi,
                           std::string source) {
    Diagnostic d;
    d.kind = kind;
    d.code = std::move(code);
    d.message = std::move(message);
    d.message_vi = std::move(message_vi);
    d.source = std::move(source);
    return d;
}

std::vector<SchemaProperty> schema_properties(const json& root, const json* node) {
    std::vector<SchemaProperty> out;
    // Required without condition: by the node itself and its allOf branches (not anyOf/oneOf/if-then choices).
    std::set<std::string> required;
    std::vector<const json*> unconditional = {vanban::json_data::resolve_ref(root, node)};
    for (std::size_t i = 0; i < unconditional.size() && i < 64; ++i) {
        const json* b = unconditional[i];
        if (!b || !b->is_object()) continue;
        for (const auto& r : string_list(*b, "required")) required.insert(r);
        if (auto all = b->find("allOf"); all != b->end() && all->is_array())
            for (const auto& x : *all) unconditional.push_back(vanban::json_data::resolve_ref(root, &x));
    }
    for (const json* b : vanban::json_data::schema_branches(root, node)) {
        auto props = b->find("properties");
        if (props == b->end() || !props->is_object()) continue;
        for (auto it = props->begin(); it != props->end(); ++it) {
            if (std::any_of(out.begin(), out.end(), [&](const SchemaProperty& p) { return p.key == it.key(); }))
                continue;
            SchemaProperty p;
            p.key = it.key();
            p.node = vanban::json_data::resolve_ref(root, &*it);
            if (it->is_object()) {
                p.title = string_member(*it, "title");
                p.aliases = string_list(*it, "x-vanban-aliases");
            }
            if (p.node && p.node != &*it) {
                if (p.title.empty()) p.title = string_member(*p.node, "title");
                if (p.aliases.empty()) p.aliases = string_list(*p.node, "x-vanban-aliases");
            }
            p.required = required.contains(p.key);
            out.push_back(std::move(p));
        }
    }
    return out;
}

const json* schema_items(const json& root, const json* node) {
    for (const json* b : vanban::json_data::schema_branches(root, node)) {
        auto it = b->find("items");
        if (it != b->end() && it->is_object()) return vanban::json_data::resolve_ref(root, &*it);
    }
    return nullptr;
}

std::vector<std::string> schema_types(const json& root, const json* node) {
    std::vector<std::string> out;
    auto add = [&](const std::string& t) {
        if (t != "null" && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    };
    for (const json* b : vanban::json_data::schema_branches(root, node)) {
        // "if": {"type": "string"}, "then": {…}: a string is one of the shapes it takes.
        if (auto cond = b->find("if"); cond != b->end() && cond->is_object() && b->contains("then"))
            if (auto t = cond->find("type"); t != cond->end() && t->is_string()) add(t->get<std::string>());
        auto t = b->find("type");
        if (t == b->end()) continue;
        if (t->is_string()) add(t->get<std::string>());
        else if (t->is_array())
            for (const auto& x : *t)
                if (x.is_string()) add(x.get<std::string>());
    }
    return out;
}

bool schema_closed(const json& root, const json* node) {
    for (const json* b : vanban::json_data::schema_branches(root, node)) {
        auto it = b->find("additionalProperties");
        if (it != b->end() && it->is_boolean() && !it->get<bool>()) return true;
    }
    return false;
}

std::vector<EnumChoice> schema_enum(const json& root, const json* node) {
    std::vector<EnumChoice> out;
    for (const json* b : vanban::json_data::schema_branches(root, node)) {
        auto e = b->find("enum");
        if (e == b->end() || !e->is_array()) continue;
        const auto labels = string_list(*b, "x-enum-labels");
        for (std::size_t i = 0; i < e->size(); ++i)
            out.push_back({(*e)[i], i < labels.size() ? labels[i] : std::string()});
        break;
    }
    return out;
}

bool is_row_number_header(std::string_view header) {
    const std::string k = vn::match_key(header);
    return k == "stt" || k == "tt" || k == "sốtt" || k == "sốthứtự" || k == "thứtự";
}

ColumnNamer::ColumnNamer(const json* schema, const json* base) : schema_(schema), base_(base ? base : schema) {
    if (!schema_) return;
    collect(base_, json::array(), "", "", 0);
}

// Every field a column can fill, reached through objects (lists stop the walk: their items have their own sheet or
// numbered columns), with the names it answers to.
void ColumnNamer::collect(const json* node, const json& path, const std::string& dotted,
                          const std::string& parent_title, int depth) {
    if (depth > 6) return;
    for (const SchemaProperty& p : schema_properties(*schema_, node)) {
        if (p.key == "$schema") continue;
        json child_path = path;
        child_path.push_back(p.key);
        const std::string child_dotted = dotted_of(dotted, p.key);
        const auto types = schema_types(*schema_, p.node);
        const bool object_only = types.size() == 1 && types[0] == "object";
        if (object_only) {
            collect(p.node, child_path, child_dotted, p.title, depth + 1);
            continue;
        }
        const std::string shown = p.title.empty() ? child_dotted : p.title + " (" + child_dotted + ")";
        auto add = [&](const std::string& name, int rank) {
            const std::string key = vn::match_key(name);
            if (!key.empty()) entries_.push_back({key, rank, child_dotted, child_path, name, shown});
        };
        add(child_dotted, 0);
        for (const auto& a : p.aliases) add(a, 0);
        if (!p.title.empty()) {
            add(p.title, 1);
            if (!parent_title.empty()) {
                add(parent_title + " " + p.title, 2);
                add(p.title + " " + parent_title, 2);
            }
        }
        const std::string& name = !p.aliases.empty() ? p.aliases.front() : !p.title.empty() ? p.title : child_dotted;
        if (p.required && depth == 0) required_.push_back(name);
        else if (depth == 1) optional_.push_back(name);  // the usual columns: person.*, issuer.*, signer.*
        else if (depth == 0) rest_.push_back(name);
    }
}

std::optional<ColumnNamer::Resolution> ColumnNamer::by_name(std::string_view header) const {
    const std::string key = vn::match_key(header);
    if (key.empty()) return std::nullopt;
    for (int rank = 0; rank <= 2; ++rank) {
        Resolution r;
        std::vector<std::string> seen;
        for (const Entry& e : entries_) {
            if (e.rank != rank || e.key != key) continue;
            if (std::find(seen.begin(), seen.end(), e.dotted) != seen.end()) continue;
            seen.push_back(e.dotted);
            r.path = e.path;
            r.candidates.push_back(e.shown);
        }
        if (seen.size() == 1) {
            r.kind = Resolution::Kind::field;
            r.candidates.clear();
            return r;
        }
        if (seen.size() > 1) {
            r.kind = Resolution::Kind::ambiguous;
            r.path = nullptr;
            return r;
        }
    }
    return std::nullopt;
}

// A path whose steps may be keys, titles or aliases; a number after a list is its 1-based item.
std::optional<ColumnNamer::Resolution> ColumnNamer::by_path(std::string_view header) const {
    json segments;
    try {
        segments = parse_header_path(header);
    } catch (const Error&) {
        return std::nullopt;
    }
    Resolution r;
    r.kind = Resolution::Kind::field;
    r.path = json::array();
    const json* node = base_;
    for (const auto& seg : segments) {
        if (!node) {  // outside what the schema describes (it allows other properties): taken as written
            r.path.push_back(seg);
            continue;
        }
        const json* items = schema_items(*schema_, node);
        if (seg.is_number()) {
            if (!items) return std::nullopt;
            r.path.push_back(seg);
            node = items;
            continue;
        }
        const std::string text = seg.get<std::string>();
        const auto props = schema_properties(*schema_, node);
        auto exact = std::find_if(props.begin(), props.end(), [&](const SchemaProperty& p) { return p.key == text; });
        if (exact == props.end() && items && all_digits(text)) {
            const int n = std::stoi(text);
            if (n < 1) return std::nullopt;
            r.path.push_back(n - 1);
            node = items;
            continue;
        }
        if (exact == props.end()) {
            const std::string key = vn::match_key(text);
            exact = std::find_if(props.begin(), props.end(), [&](const SchemaProperty& p) {
                if (vn::match_key(p.key) == key || (!p.title.empty() && vn::match_key(p.title) == key)) return true;
                return std::any_of(p.aliases.begin(), p.aliases.end(),
                                   [&](const std::string& a) { return vn::match_key(a) == key; });
            });
        }
        if (exact != props.end()) {
            r.path.push_back(exact->key);
            node = exact->node;
            continue;
        }
        if (schema_closed(*schema_, node)) return std::nullopt;
        r.path.push_back(text);
        node = nullptr;
    }
    return r;
}

ColumnNamer::Resolution ColumnNamer::resolve(std::string_view header) const {
    if (is_row_number_header(header)) return {Resolution::Kind::row_number, nullptr, {}};
    if (!schema_) return {Resolution::Kind::field, parse_header_path(header), {}};
    if (auto r = by_name(header)) return *r;
    if (auto r = by_path(header)) return *r;
    return {};
}

std::vector<std::string> ColumnNamer::suggest(std::string_view header) const {
    // Names written without their accents, a letter off or cut short; only names that would name their field alone
    // are offered (not a title several fields share), the closest one per field.
    const std::string wanted = plain(header);
    struct Scored {
        std::size_t distance;
        std::string dotted, name;
    };
    std::vector<Scored> scored;
    for (const Entry& e : entries_) {
        if (e.rank == 2) continue;
        const std::string candidate = plain(e.name);
        std::size_t d = distance(wanted, candidate);
        if (!wanted.empty() && candidate.find(wanted) != std::string::npos) d = std::min<std::size_t>(d, 1);
        const std::size_t allowed = std::max<std::size_t>(2, std::min(wanted.size(), candidate.size()) / 3);
        if (d > allowed) continue;
        const auto r = by_name(e.name);
        if (!r || r->kind != Resolution::Kind::field || r->path != e.path) continue;
        auto same = std::find_if(scored.begin(), scored.end(), [&](const Scored& s) { return s.dotted == e.dotted; });
        if (same == scored.end()) scored.push_back({d, e.dotted, e.name});
        else if (d < same->distance) *same = {d, e.dotted, e.name};
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const Scored& a, const Scored& b) { return a.distance < b.distance; });
    std::vector<std::string> out;
    for (std::size_t i = 0; i < scored.size() && i < 3; ++i) out.push_back(scored[i].name);
    return out;
}

std::vector<std::string> ColumnNamer::expected(std::size_t max) const {
    std::vector<std::string> out;
    for (const auto* names : {&required_, &optional_, &rest_})
        for (const auto& name : *names) {
            if (out.size() >= max) return out;
            if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
        }
    return out;
}

std::vector<Diagnostic> ColumnNamer::describe(const std::vector<Problem>& problems, const std::string& source) const {
    std::vector<Diagnostic> out;
    for (const Problem& p : problems) {
        std::string list_en, list_vi;
        const bool ambiguous = p.resolution.kind == Resolution::Kind::ambiguous;
        const auto names = ambiguous ? p.resolution.candidates : suggest(p.header);
        for (std::size_t i = 0; i < names.size(); ++i) {
            list_en += (i ? ", " : "") + ("'" + names[i] + "'");
            list_vi += (i ? (i + 1 == names.size() ? " hay " : ", ") : "") + ("“" + names[i] + "”");
        }
        if (ambiguous) {
            out.push_back(make_diagnostic(DiagnosticKind::usage, "batch.ambiguous_column",
                                          p.cell + ": the header '" + p.header + "' could be any of " + list_en +
                                              "; name the field more precisely",
                                          p.cell + ": tên cột “" + p.header + "” có thể là " + list_vi +
                                              ". Hãy ghi rõ hơn, ví dụ thêm tên nhóm trước tên cột.",
                                          source));
            continue;
        }
        std::string en = p.cell + ": the column '" + p.header + "' names no field of the template";
        std::string vi = p.cell + ": mẫu không có trường nào tên “" + p.header + "”";
        if (!names.empty()) {
            en += "; did you mean " + list_en + "?";
            vi += " — có phải ý bạn là " + list_vi + "?";
        } else {
            vi += ". Hãy sửa tên cột cho đúng tên trường trong mẫu, hoặc xóa cột này.";
        }
        out.push_back(
            make_diagnostic(DiagnosticKind::usage, "batch.unknown_column", std::move(en), std::move(vi), source));
    }
    return out;
}

}  // namespace vanban::batch
