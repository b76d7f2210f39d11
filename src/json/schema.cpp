// JSON Schema validation over valijson, with every violation located in the data file and described with the
// Vietnamese "title" the schema gives the property.
#include "json/schema.hpp"

#include "core/data_checks.hpp"
#include "core/outline.hpp"
#include "json/pointer.hpp"
#include "json/schema_explain.hpp"
#include "json/schema_walk.hpp"

#include <algorithm>
#include <charconv>
#include <locale>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <utility>

// valijson reports problems in schemas through these functions; make them throw instead of abort().
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wnull-dereference"
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
#pragma GCC diagnostic ignored "-Woverloaded-virtual"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#pragma GCC diagnostic pop

namespace vanban::json_data {

namespace {

using nlohmann::json;

std::string to_pointer(const std::vector<std::string>& segments) {
    std::string out;
    for (const auto& s : segments) append_pointer_token(out, s);
    return out;
}

// valijson's context ["<root>", "[signer]", "[0]"] -> unescaped segments {"signer", "0"}.
std::vector<std::string> context_segments(const std::vector<std::string>& context) {
    std::vector<std::string> out;
    for (const auto& c : context) {
        if (c == "<root>") continue;
        if (c.size() >= 2 && c.front() == '[' && c.back() == ']') {
            out.push_back(c.substr(1, c.size() - 2));
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// libstdc++ fills std::ctype<char>'s narrow() cache lazily, from whichever thread asks first, and std::regex asks
// (GCC PR 77704): a data race between threads that build regexes. Filled once here, before any validation can run,
// later calls only read it.
void fill_ctype_cache() {
    static const bool filled = [] {
        const auto& ct = std::use_facet<std::ctype<char>>(std::locale());
        for (int c = 0; c < 256; ++c) static_cast<void>(ct.narrow(static_cast<char>(c), '\0'));
        return true;
    }();
    static_cast<void>(filled);
}

// Every "pattern" of the schema, compiled once. valijson looks patterns up by their text in a cache it is given;
// with all of them in it, validation never builds a regex. Strings under "pattern" that are not schema keywords (in
// "default", "enum", ...) may not compile: they are skipped, and validation reports a real invalid pattern.
std::unordered_map<std::string, std::regex> compile_patterns(const json& schema) {
    std::unordered_map<std::string, std::regex> patterns;
    std::vector<const json*> stack{&schema};
    while (!stack.empty()) {
        const json* node = stack.back();
        stack.pop_back();
        if (node->is_object()) {
            for (auto it = node->begin(); it != node->end(); ++it) {
                if (it.key() == "pattern" && it->is_string() && !patterns.contains(it->get<std::string>())) {
                    try {
                        patterns.emplace(it->get<std::string>(), std::regex(it->get<std::string>()));
                    } catch (const std::regex_error&) {}
                }
                stack.push_back(&*it);
            }
        } else if (node->is_array()) {
            for (const auto& item : *node) stack.push_back(&item);
        }
    }
    return patterns;
}

}  // namespace

struct Schema::Impl {
    nlohmann::json source;
    std::string name;
    valijson::Schema compiled;
    std::unordered_map<std::string, std::regex> patterns;  // read-only after construction

    SchemaExplainer explainer() const { return SchemaExplainer(source, patterns); }

    // Resolves local "$ref"s ("#/definitions/x", "#/$defs/x", any "#/..." pointer); nullptr when unresolvable.
    const json* resolve(const json* node) const { return explainer().resolve(node); }

    // The sub-schema that applies to child `segment` of a value described by `node` (a member name, or an index
    // where the value is a list).
    const json* child(const json* node, const std::string& segment) const {
        if (const json* found = schema_child(source, node, json(segment))) return found;
        std::size_t index = 0;
        const auto [ptr, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
        if (ec != std::errc{} || ptr != segment.data() + segment.size()) return nullptr;
        return schema_child(source, node, json(index));
    }

    const json* node_at(const std::vector<std::string>& segments) const {
        const json* node = &source;
        for (const auto& s : segments) {
            node = child(node, s);
            if (node == nullptr) return nullptr;
        }
        return node;
    }

    static std::string title_of(const json* node, const Impl& self) {
        for (const json* n : {node, self.resolve(node)}) {
            if (n == nullptr || !n->is_object()) continue;
            const auto t = n->find("title");
            if (t != n->end() && t->is_string()) return t->get<std::string>();
        }
        return {};
    }

    static std::string prefixed(const std::string& title, const std::string& pointer, const std::string& text) {
        if (title.empty()) return text;
        std::string out = "\"" + title + "\"";
        if (!pointer.empty()) out += " (" + pointer + ")";
        return out + ": " + text;
    }

    std::string where(const std::vector<std::string>& segments, const json& data) const;
    Diagnostic describe(const Finding& finding, const Document& data) const;
    void render_checks(const json& value, const json* node, std::vector<std::string>& segments, const Document& data,
                       std::vector<Diagnostic>& out, int depth) const;
};

Schema::Schema(const nlohmann::json& schema, std::string name) : impl_(std::make_unique<Impl>()) {
    impl_->source = schema;
    impl_->name = std::move(name);
    const auto fail = [&](const std::string& what) {
        Diagnostic d;
        d.kind = DiagnosticKind::schema;
        d.source = impl_->name;
        d.message = "invalid JSON Schema: " + what;
        throw Error(std::move(d));
    };
    if (!schema.is_object() && !schema.is_boolean()) fail("a schema must be a JSON object");
    auto version = valijson::SchemaParser::kDraft7;
    if (schema.is_object()) {
        if (const auto s = schema.find("$schema"); s != schema.end()) {
            if (!s->is_string()) fail("\"$schema\" must be a string");
            const std::string& uri = s->get_ref<const std::string&>();
            if (uri.find("draft-04") != std::string::npos) {
                version = valijson::SchemaParser::kDraft4;
            } else if (uri.find("draft-06") != std::string::npos || uri.find("draft-07") != std::string::npos) {
                version = valijson::SchemaParser::kDraft7;  // draft 6 is a subset of draft 7 for validation
            } else if (uri.find("json-schema.org") != std::string::npos) {
                fail("unsupported \"$schema\" " + uri + " (drafts 4, 6 and 7 are supported)");
            }
        }
    }
    try {
        valijson::SchemaParser parser(version);
        const valijson::adapters::NlohmannJsonAdapter adapter(impl_->source);
        parser.populateSchema(adapter, impl_->compiled);
        fill_ctype_cache();
        impl_->patterns = compile_patterns(impl_->source);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        fail(e.what());
    }
}

Schema::~Schema() = default;
Schema::Schema(Schema&&) noexcept = default;
Schema& Schema::operator=(Schema&&) noexcept = default;

const nlohmann::json& Schema::source() const { return impl_->source; }

namespace {

// ----- words for people

std::string number_text(const json& n) {
    if (n.is_number_float()) {
        const double d = n.get<double>();
        if (d == static_cast<double>(static_cast<long long>(d))) return std::to_string(static_cast<long long>(d));
    }
    return n.dump();
}

std::string type_word_vi(const std::string& type) {
    if (type == "string") return "chữ";
    if (type == "integer") return "số nguyên";
    if (type == "number") return "số";
    if (type == "boolean") return "đúng/sai (true hoặc false)";
    if (type == "array") return "danh sách";
    if (type == "object") return "nhóm thông tin {…}";
    if (type == "null") return "để trống (null)";
    return type;
}

// The expected type(s) of a "type" keyword: "string", "integer or null" / "chữ", "số nguyên hoặc để trống (null)".
std::string types_text(const json& expected, Language language) {
    std::vector<std::string> names;
    if (expected.is_string()) names.push_back(expected.get<std::string>());
    if (expected.is_array())
        for (const auto& t : expected)
            if (t.is_string()) names.push_back(t.get<std::string>());
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += i + 1 == names.size() ? (language == Language::vi ? " hoặc " : " or ") : ", ";
        out += language == Language::vi ? type_word_vi(names[i]) : names[i];
    }
    return out;
}

std::string values_text(const json& values) {
    std::string out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += ", ";
        out += values[i].dump();
    }
    return out;
}

const json* value_at(const json& root, const std::vector<std::string>& segments) {
    const json* value = &root;
    for (const auto& s : segments) {
        if (value->is_object()) {
            const auto it = value->find(s);
            if (it == value->end()) return nullptr;
            value = &*it;
        } else if (value->is_array()) {
            std::size_t index = 0;
            const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), index);
            if (ec != std::errc{} || ptr != s.data() + s.size() || index >= value->size()) return nullptr;
            value = &(*value)[index];
        } else {
            return nullptr;
        }
    }
    return value;
}

// The text a schema gives in words for a pattern ("x-pattern-message"), in the node or its conditional branches.
const json* pattern_words(const json* schema) {
    if (schema == nullptr || !schema->is_object()) return nullptr;
    if (auto v = schema->find("x-pattern-message"); v != schema->end() && v->is_string()) return &*v;
    return nullptr;
}

}  // namespace

// How the numbered parts of a body are called, by their printed labels: "Mục I", "khoản 2", "điểm b", keyed by the
// pointer relative to the body. A body with more levels than its numbering (the problem being reported, perhaps) is
// named down to the levels the numbering has: deeper parts have no printed number.
// The numbering structure of a body alone (sections, bullets, paragraphs, children, children_numbering), so that a
// wrong value somewhere in it does not keep the other parts from being named.
json outline_skeleton(const json& node, int depth = 0) {
    if (!node.is_object() || depth > 64) return "x";
    json out = json::object();
    const char* kind = node.contains("bullet") ? "bullet" : node.contains("paragraph") ? "paragraph" : "title";
    out[kind] = "x";
    if (const auto c = node.find("children"); c != node.end() && c->is_array()) {
        out["children"] = json::array();
        for (const auto& child : *c) out["children"].push_back(outline_skeleton(child, depth + 1));
    }
    if (const auto n = node.find("children_numbering");
        n != node.end() && n->is_string() && std::string_view(kind) == "title")
        out["children_numbering"] = *n;
    // A section's own printed number names it ("điểm e"), when it is one the outline accepts.
    if (const auto l = node.find("label"); l != node.end() && l->is_string() && std::string_view(kind) == "title") {
        const std::string& label = l->get_ref<const std::string&>();
        if (!label.empty() && label.size() <= 96 && label.front() != ' ' &&
            label.find_first_of("\r\n\t") == std::string::npos)
            out["label"] = label;
    }
    return out;
}

std::map<std::string, std::string> outline_names(const json& body, const json& numbering) {
    std::map<std::string, std::string> names;
    json levels = json::array({"roman", "arabic", "letter"});
    if (numbering.is_object() && numbering.contains("levels")) levels = numbering["levels"];
    if (!levels.is_array()) return names;
    const std::size_t numbered_levels = levels.size();
    json padded = numbering.is_object() ? numbering : json::object();
    for (int i = 0; i < 16; ++i) levels.push_back("arabic");
    padded["levels"] = levels;
    try {
        json skeleton = json::array();
        for (const auto& node : body) skeleton.push_back(outline_skeleton(node));
        for (const auto& item : outline::flatten(skeleton, padded)) {
            const std::string scheme = item.value("scheme", "");
            std::string label = item.value("label", "");
            const bool parenthesised = label.starts_with("(");  // "(1)" keeps its brackets
            while (!parenthesised && !label.empty() && (label.back() == '.' || label.back() == ')')) label.pop_back();
            if (label.empty() || item.value("kind", "") != "heading" ||
                item.value("level", 0) > static_cast<int>(numbered_levels))
                continue;
            const std::string word = scheme == "roman"    ? "Mục"
                                     : scheme == "arabic" ? "khoản"
                                     : scheme == "letter" ? "điểm"
                                     : scheme == "paren"  ? "ý"
                                                          : "mục";
            names[item.value("pointer", "")] = word + " " + label;
        }
    } catch (const std::exception&) {
        names.clear();
    }
    return names;
}

// Where a value is, in the schema's own words: "Người ký › Họ và tên", "Nơi nhận thứ 2", and in a body by the printed
// numbers "Nội dung › Mục II › khoản 2 › điểm b › Tiêu đề" (or "mục con thứ 2" where the body does not number).
std::string Schema::Impl::where(const std::vector<std::string>& segments, const json& data) const {
    std::vector<std::string> parts;
    const json* value = &data;
    std::vector<std::string> prefix;
    std::map<std::string, std::string> numbered;  // of the body being walked through
    std::string body_pointer;                     // where that body is
    std::string last_item_title;
    for (std::size_t k = 0; k < segments.size(); ++k) {
        const std::string& segment = segments[k];
        const bool in_array = value != nullptr && value->is_array();
        prefix.push_back(segment);
        const json* node = node_at(prefix);
        const std::string title = title_of(node, *this);
        const json* next = value != nullptr ? value_at(*value, {segment}) : nullptr;
        const std::string here = to_pointer(prefix);
        if (const json* resolved = resolve(node); resolved && resolved->is_object() && next && next->is_array()) {
            const auto check = resolved->find("x-vanban-check");
            if (check != resolved->end() && check->is_object() && check->contains("outline")) {
                const json& how = check->at("outline");
                const std::string at = how.is_object() ? how.value("numbering", std::string()) : std::string();
                json numbering = nullptr;
                if (!at.empty()) {
                    try {
                        numbering = data.value(json::json_pointer(at), json(nullptr));
                    } catch (const json::exception&) {}
                }
                const bool known = !at.empty() || !how.contains("defaults");  // the printed numbering is certain
                numbered = known ? outline_names(*next, numbering) : std::map<std::string, std::string>{};
                body_pointer = here;
            }
        }
        if (in_array) {
            std::size_t index = 0;
            std::from_chars(segment.data(), segment.data() + segment.size(), index);
            const std::string nth = " thứ " + std::to_string(index + 1);
            const bool in_body = !body_pointer.empty() && here.rfind(body_pointer + "/", 0) == 0;
            const auto printed = in_body ? numbered.find(here.substr(body_pointer.size())) : numbered.end();
            const bool body_itself = in_body && body_pointer == to_pointer({prefix.begin(), prefix.end() - 1});
            if (printed != numbered.end()) {
                if (!parts.empty() && parts.back() == "mục con") parts.pop_back();
                parts.push_back(printed->second);
            } else if (in_body && !parts.empty() && parts.back() == "mục con") {
                parts.back() += nth;
            } else if (body_itself) {
                parts.push_back("mục" + nth);
            } else if (parts.empty()) {
                parts.push_back("mục" + nth);
            } else if (title.empty() || title == parts.back()) {
                parts.back() += nth;
            } else {
                parts.push_back(title + nth);
            }
            last_item_title = title;
        } else {
            const bool children_in_body = !body_pointer.empty() && here.rfind(body_pointer + "/", 0) == 0 && next &&
                                          next->is_array() &&
                                          title_of(node_at([&] {
                                                       auto s = prefix;
                                                       s.push_back("0");
                                                       return s;
                                                   }()),
                                                   *this) == last_item_title;
            // A key without a title is named only when it is the value itself (a title deeper down says enough).
            if (children_in_body) parts.push_back("mục con");
            else if (!title.empty()) parts.push_back(title);
            else if (k + 1 == segments.size()) parts.push_back("\"" + segment + "\"");
        }
        value = next;
    }
    if (parts.empty()) {
        const std::string root = title_of(&source, *this);
        return root.empty() ? "dữ liệu" : root;
    }
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " › " : "") + parts[i];
    return out;
}

// One finding as a diagnostic: code, English (as integrators saw it before: "\"Title\" (/pointer): …") and
// Vietnamese ("Người ký › Họ và tên: chưa điền …").
// (Longer than ~100 lines on purpose: a flat table with one short branch per schema keyword, both languages side by
// side; split up, the wording of one keyword would be spread over several functions.)
Diagnostic Schema::Impl::describe(const Finding& f, const Document& data) const {
    Diagnostic d;
    d.kind = DiagnosticKind::schema;
    d.source = data.source;
    d.json_pointer = to_pointer(f.segments);
    const json* node = node_at(f.segments);
    const std::string title = title_of(node, *this);
    const std::string place = where(f.segments, data.value);
    const json* value = value_at(data.value, f.segments);
    std::string en, vi;
    const std::string& kw = f.keyword;
    if (kw == "required") {
        const std::string key = f.expected.get<std::string>();
        std::vector<std::string> parent(f.segments.begin(), f.segments.end() - 1);
        const std::string parent_title = title_of(node_at(parent), *this);
        const std::string parent_pointer = to_pointer(parent);
        d.code = "schema.required";
        en = prefixed(title, d.json_pointer, "required property \"" + key + "\" is missing");
        if (!parent_title.empty()) en += " in \"" + parent_title + "\"";
        d.hint = "add \"" + key + "\" to the object" +
                 (parent_pointer.empty() ? std::string(" at the top level") : " " + parent_pointer);
        vi = place + ": chưa điền — đây là mục bắt buộc, hãy điền vào";
        if (title.empty()) vi += " (khoá \"" + key + "\")";
        const Position p = data.position_of(parent_pointer);  // the missing value has no position of its own
        d.line = p.line;
        d.column = p.column;
    } else if (kw == "additionalProperties") {
        const std::string key = f.segments.back();
        std::vector<std::string> parent(f.segments.begin(), f.segments.end() - 1);
        const std::string parent_title = title_of(node_at(parent), *this);
        const auto suggestion = closest_name(key, f.known);
        d.code = "schema.unknown_property";
        en = "property \"" + key + "\" is not allowed here";
        if (!parent_title.empty()) en += " (in \"" + parent_title + "\")";
        d.hint = suggestion ? "rename it \"" + *suggestion + "\", or remove it"
                            : "check the spelling of \"" + key + "\", or remove it";
        vi = (parent.empty() ? std::string() : where(parent, data.value) + ": ") + "mẫu không có mục \"" + key + "\"";
        if (suggestion) {
            const std::string known_title = title_of(node_at([&] {
                                                         auto s = parent;
                                                         s.push_back(*suggestion);
                                                         return s;
                                                     }()),
                                                     *this);
            vi += " — có phải ý bạn là \"" + *suggestion + "\"" +
                  (known_title.empty() ? "" : " (" + known_title + ")") + "?";
            en += "; did you mean \"" + *suggestion + "\"?";
        } else {
            vi += " — hãy kiểm tra lại chính tả hoặc xoá mục này";
        }
    } else if (kw == "type") {
        d.code = "schema.type";
        const std::string found = value ? type_name(*value) : "value";
        en = prefixed(title, d.json_pointer, "expected " + types_text(f.expected, Language::en) + ", found " + found);
        vi = place + ": cần ghi " + types_text(f.expected, Language::vi) + ", nhưng đang là " +
             type_word_vi(value && value->is_number_float() ? "number" : found);
    } else if (kw == "enum" || kw == "const") {
        d.code = kw == "enum" ? "schema.enum" : "schema.const";
        const std::string allowed = kw == "enum" ? values_text(f.expected) : f.expected.dump();
        en = prefixed(title, d.json_pointer,
                      kw == "enum" ? "value is not one of the allowed values: " + allowed : "value must be " + allowed);
        vi = place + ": " + (value ? value->dump() : std::string("giá trị này")) + " không dùng được — hãy chọn " +
             (kw == "enum" ? "một trong: " : "") + allowed;
    } else if (kw == "pattern") {
        d.code = "schema.pattern";
        const json* words = pattern_words(f.schema);
        en = prefixed(title, d.json_pointer, "value does not have the required form");
        en += words ? ": " + words->get<std::string>() : " (pattern " + f.expected.get<std::string>() + ")";
        vi = place + ": chưa đúng cách ghi" + (words ? " — cần ghi " + words->get<std::string>() : std::string());
    } else if (kw == "minLength" || kw == "maxLength") {
        const std::string n = number_text(f.expected);
        const bool empty = kw == "minLength" && n == "1";
        d.code = empty ? "schema.empty" : kw == "minLength" ? "schema.too_short" : "schema.too_long";
        en = prefixed(
            title, d.json_pointer,
            empty ? "must not be empty"
                  : "must be at " + std::string(kw == "minLength" ? "least " : "most ") + n + " characters long");
        vi = place + (empty               ? ": đang để trống — hãy điền nội dung"
                      : kw == "minLength" ? ": cần ít nhất " + n + " ký tự"
                                          : ": dài quá, tối đa " + n + " ký tự");
    } else if (kw == "minimum" || kw == "maximum" || kw == "exclusiveMinimum" || kw == "exclusiveMaximum") {
        const std::string n = number_text(f.expected);
        const bool low = kw == "minimum" || kw == "exclusiveMinimum";
        const bool strict = kw.rfind("exclusive", 0) == 0;
        d.code = low ? "schema.too_small" : "schema.too_large";
        en = prefixed(title, d.json_pointer,
                      std::string("must be ") +
                          (low ? (strict ? "greater than " : "at least ") : (strict ? "less than " : "at most ")) + n);
        vi = place + ": phải " + (low ? (strict ? "lớn hơn " : "từ ") : (strict ? "nhỏ hơn " : "không quá ")) + n +
             (low && !strict ? " trở lên" : "");
    } else if (kw == "minItems" || kw == "maxItems") {
        const std::string n = number_text(f.expected);
        const bool empty = kw == "minItems" && n == "1";
        d.code = empty ? "schema.empty_list" : kw == "minItems" ? "schema.too_few_items" : "schema.too_many_items";
        en = prefixed(title, d.json_pointer,
                      empty ? "the list must not be empty"
                            : "needs at " + std::string(kw == "minItems" ? "least " : "most ") + n + " items");
        vi = place + (empty              ? ": danh sách đang trống — hãy thêm ít nhất một mục"
                      : kw == "minItems" ? ": cần ít nhất " + n + " mục"
                                         : ": nhiều nhất " + n + " mục");
    } else if (kw == "minProperties" || kw == "maxProperties") {
        const std::string n = number_text(f.expected);
        d.code = kw == "minProperties" ? "schema.too_few_fields" : "schema.too_many_fields";
        en = prefixed(title, d.json_pointer,
                      "needs at " + std::string(kw == "minProperties" ? "least " : "most ") + n + " fields");
        vi = place +
             (kw == "minProperties" ? ": cần điền ít nhất " + n + " mục" : ": chỉ được điền nhiều nhất " + n + " mục");
    } else if (kw == "uniqueItems") {
        d.code = "schema.duplicate_items";
        en = prefixed(title, d.json_pointer, "the list has the same item twice");
        vi = place + ": danh sách có mục trùng nhau — hãy bỏ bớt";
    } else if (kw == "oneOf") {
        d.code = "schema.ambiguous";
        en = prefixed(title, d.json_pointer, "the value fits more than one of the allowed forms");
        vi = place + ": cách ghi này khớp với nhiều dạng cùng lúc — hãy ghi rõ hơn";
    } else if (kw == "multipleOf") {
        d.code = "schema.multiple_of";
        en = prefixed(title, d.json_pointer, "must be a multiple of " + number_text(f.expected));
        vi = place + ": phải là bội số của " + number_text(f.expected);
    } else {  // "not", "false"
        d.code = "schema.not_allowed";
        en = prefixed(title, d.json_pointer, "this value is not allowed here");
        vi = place + ": không được ghi giá trị này ở đây";
    }
    d.message = std::move(en);
    d.message_vi = std::move(vi);
    if (d.line == 0) data.locate(d);
    return d;
}

// The render's own checks ("x-vanban-check" in the schema: "date", or {"outline": {"numbering": "/pointer",
// "defaults": [numbering, …]}}), run on every value the schema accepted: what validate calls valid renders.
void Schema::Impl::render_checks(const json& value, const json* node, std::vector<std::string>& segments,
                                 const Document& data, std::vector<Diagnostic>& out, int depth) const {
    const json* schema = resolve(node);
    if (schema == nullptr || depth > 64) return;
    const auto check = schema->is_object() ? schema->find("x-vanban-check") : schema->end();
    // Only a value with a check of its own needs its pointer (most of a record's values have none).
    const std::string pointer = check != schema->end() ? to_pointer(segments) : std::string();
    const auto clean = [&](const std::string& at) {  // no schema problem there already
        return std::none_of(out.begin(), out.end(), [&](const Diagnostic& d) {
            return d.json_pointer == at || d.json_pointer.rfind(at + "/", 0) == 0;
        });
    };
    std::optional<core::DataProblem> problem;
    if (schema->is_object() && check != schema->end() && clean(pointer)) {
        if (*check == "date") problem = core::date_problem(value);
        // A birth date may be a year alone ("1980"); the templates print a full one with short_date.
        if (*check == "date-when-full" && value.is_string() && value.get_ref<const std::string&>().size() == 10)
            problem = core::date_problem(value);
        if (check->is_object() && check->contains("outline") && check->at("outline").is_object()) {
            const json& how = check->at("outline");
            const std::string numbering_at = how.value("numbering", std::string());
            const json* given = numbering_at.empty() ? nullptr : value_at(data.value, [&] {
                std::vector<std::string> s;
                for (std::size_t i = 1, j; i <= numbering_at.size(); i = j + 1) {
                    j = std::min(numbering_at.find('/', i), numbering_at.size());
                    s.push_back(numbering_at.substr(i, j - i));
                }
                return s;
            }());
            if (given != nullptr && !given->is_null()) {
                if (clean(numbering_at)) problem = core::outline_problem(value, *given);
            } else if (const auto defaults = how.find("defaults"); defaults != how.end() && defaults->is_array()) {
                for (const auto& numbering : *defaults)
                    if (!problem) problem = core::outline_problem(value, numbering);
            } else {
                problem = core::outline_problem(value, nullptr);
            }
        }
    }
    if (problem) {
        Diagnostic d;
        d.kind = DiagnosticKind::data;
        d.code = problem->code;
        d.source = data.source;
        d.json_pointer = pointer + problem->pointer;
        std::vector<std::string> at = segments;
        for (std::size_t i = 1, j; i <= problem->pointer.size(); i = j + 1) {
            j = std::min(problem->pointer.find('/', i), problem->pointer.size());
            at.push_back(problem->pointer.substr(i, j - i));
        }
        d.message = prefixed(title_of(node, *this), pointer, problem->message);
        d.message_vi = where(at, data.value) + ": " + problem->message_vi;
        data.locate(d);
        out.push_back(std::move(d));
        return;
    }
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            segments.push_back(it.key());
            if (const json* sub = child(node, it.key())) render_checks(*it, sub, segments, data, out, depth + 1);
            segments.pop_back();
        }
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i) {
            segments.push_back(std::to_string(i));
            if (const json* sub = child(node, segments.back()))
                render_checks(value[i], sub, segments, data, out, depth + 1);
            segments.pop_back();
        }
    }
}

std::vector<Diagnostic> Schema::validate(const Document& data) const {
    const Impl& impl = *impl_;
    valijson::ValidationResults results;
    using Adapter = valijson::adapters::NlohmannJsonAdapter;
    const Adapter target(data.value);
    // valijson's Validator would build every pattern's regex again for each validation. Its visitor is given a copy of
    // the patterns compiled once (copying a std::regex shares its automaton): the copy is this call's own, so a
    // pattern missing from it is added here and nowhere else.
    auto patterns = impl.patterns;
    bool valid = true;
    try {
        valijson::ValidationVisitor<Adapter> visitor(target, std::vector<std::string>(1, "<root>"), true, &results,
                                                     patterns);
        valid = visitor.validateSchema(impl.compiled);
    } catch (const std::regex_error& e) {
        Diagnostic d;
        d.kind = DiagnosticKind::schema;
        d.code = "schema.bad_schema";
        d.source = impl.name;
        d.message =
            std::string("invalid JSON Schema: a \"pattern\" is not a valid regular expression (") + e.what() + ")";
        d.message_vi = "lược đồ (schema) của mẫu bị lỗi: có một \"pattern\" không hợp lệ — hãy báo người soạn mẫu";
        return {d};
    }
    std::vector<Diagnostic> out;
    if (valid && results.numErrors() == 0) {
        std::vector<std::string> segments;
        impl.render_checks(data.value, &impl.source, segments, data, out, 0);
        return out;
    }

    // valijson says whether the data fits; the explainer says why, keyword by keyword.
    std::set<std::pair<std::string, std::string>> seen;
    for (const Finding& f : impl.explainer().explain(data.value)) {
        Diagnostic d = impl.describe(f, data);
        if (seen.emplace(d.json_pointer, d.message).second) out.push_back(std::move(d));
    }
    if (out.empty()) {
        // A keyword the explainer does not know failed: say where, plainly (the deepest place valijson names).
        std::vector<std::string> deepest;
        for (const auto& error : results) {
            auto segments = context_segments(error.context);
            if (segments.size() >= deepest.size()) deepest = std::move(segments);
        }
        Diagnostic d;
        d.kind = DiagnosticKind::schema;
        d.code = "schema.invalid";
        d.source = data.source;
        d.json_pointer = to_pointer(deepest);
        d.message =
            Impl::prefixed(Impl::title_of(impl.node_at(deepest), impl), d.json_pointer, "value is not valid here");
        d.message_vi = impl.where(deepest, data.value) + ": giá trị không hợp lệ theo mẫu";
        data.locate(d);
        out.push_back(std::move(d));
    }
    std::vector<std::string> segments;
    impl.render_checks(data.value, &impl.source, segments, data, out, 0);
    std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
        if (a.line != b.line) return a.line < b.line;
        return a.column < b.column;
    });
    return out;
}

}  // namespace vanban::json_data
