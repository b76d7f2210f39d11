// JSON Schema validation over valijson, with every violation located in the data file and described with the
// Vietnamese "title" the schema gives the property.
#include "json/schema.hpp"

#include <algorithm>
#include <charconv>
#include <locale>
#include <regex>
#include <set>
#include <unordered_map>
#include <stdexcept>
#include <string_view>
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

namespace vanban::json {

namespace {

using nlohmann::json;

std::string escape_token(std::string_view key) {
    std::string out;
    out.reserve(key.size() + 1);
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string to_pointer(const std::vector<std::string>& segments) {
    std::string out;
    for (const auto& s : segments) {
        out += '/';
        out += escape_token(s);
    }
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

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The text between the first and the last single quote, e.g. "Missing required property 'name'." -> "name".
std::string quoted_name(std::string_view message, std::string_view prefix) {
    std::string_view rest = message.substr(prefix.size());
    const auto end = rest.rfind('\'');
    if (end == std::string_view::npos) return std::string(rest);
    return std::string(rest.substr(0, end));
}

const char* type_name(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "boolean";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned: return "integer";
        case json::value_t::number_float: return "number";
        case json::value_t::string: return "string";
        case json::value_t::array: return "array";
        case json::value_t::object: return "object";
        default: return "value";
    }
}

bool type_matches(const std::string& type, const json& v) {
    if (type == "number") return v.is_number();
    if (type == "integer") {
        if (v.is_number_integer()) return true;
        if (v.is_number_float()) {
            const double d = v.get<double>();
            return d == static_cast<double>(static_cast<long long>(d));
        }
        return false;
    }
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_boolean();
    if (type == "null") return v.is_null();
    if (type == "array") return v.is_array();
    if (type == "object") return v.is_object();
    return false;
}

// "Expected number less than 10.000000" -> "Expected number less than 10"; "2.500000" -> "2.5".
std::string tidy_numbers(std::string s) {
    std::size_t i = 0;
    while ((i = s.find('.', i)) != std::string::npos) {
        std::size_t j = i + 1;
        while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
        const bool digits_before = i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9';
        if (!digits_before || j - i != 7) {  // std::to_string(double) prints exactly six decimals
            i = j;
            continue;
        }
        std::size_t end = j;
        while (end > i + 1 && s[end - 1] == '0') --end;
        if (end == i + 1) end = i;  // drop the point too
        s.erase(end, j - end);
        i = end;
    }
    return s;
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
                    } catch (const std::regex_error&) {
                    }
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

    // Resolves local "$ref"s ("#/definitions/x", "#/$defs/x", any "#/..." pointer); nullptr when unresolvable.
    const json* resolve(const json* node) const {
        for (int guard = 0; node != nullptr && guard < 32; ++guard) {
            if (!node->is_object()) return node;
            const auto ref = node->find("$ref");
            if (ref == node->end() || !ref->is_string()) return node;
            const std::string& target = ref->get_ref<const std::string&>();
            if (target.empty() || target[0] != '#') return nullptr;
            try {
                const json::json_pointer ptr(target.substr(1));
                if (!source.contains(ptr)) return nullptr;
                node = &source.at(ptr);
            } catch (const json::exception&) {
                return nullptr;
            }
        }
        return nullptr;
    }

    // The sub-schema that applies to child `segment` of a value described by `node`.
    const json* child(const json* node, const std::string& segment, int depth = 0) const {
        node = resolve(node);
        if (node == nullptr || !node->is_object() || depth > 16) return nullptr;
        if (const auto props = node->find("properties"); props != node->end() && props->is_object()) {
            if (const auto p = props->find(segment); p != props->end()) return &*p;
        }
        if (const auto items = node->find("items"); items != node->end()) {
            std::size_t index = 0;
            const auto [ptr, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
            const bool is_index = ec == std::errc{} && ptr == segment.data() + segment.size();
            if (items->is_object() && is_index) return &*items;
            if (items->is_array() && is_index) {
                if (index < items->size()) return &(*items)[index];
                if (const auto extra = node->find("additionalItems"); extra != node->end() && extra->is_object()) {
                    return &*extra;
                }
            }
        }
        if (const auto extra = node->find("additionalProperties"); extra != node->end() && extra->is_object()) {
            return &*extra;
        }
        for (const char* combinator : {"allOf", "anyOf", "oneOf"}) {
            const auto list = node->find(combinator);
            if (list == node->end() || !list->is_array()) continue;
            for (const auto& sub : *list) {
                if (const json* found = child(&sub, segment, depth + 1)) return found;
            }
        }
        for (const char* branch : {"then", "else"}) {
            const auto sub = node->find(branch);
            if (sub == node->end()) continue;
            if (const json* found = child(&*sub, segment, depth + 1)) return found;
        }
        return nullptr;
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

std::vector<Diagnostic> Schema::validate(const Document& data) const {
    const Impl& impl = *impl_;
    valijson::ValidationResults results;
    using Adapter = valijson::adapters::NlohmannJsonAdapter;
    const Adapter target(data.value);
    // valijson's Validator would build every pattern's regex again for each validation. Its visitor is given a copy of
    // the patterns compiled once (copying a std::regex shares its automaton): the copy is this call's own, so a
    // pattern missing from it is added here and nowhere else.
    auto patterns = impl.patterns;
    try {
        valijson::ValidationVisitor<Adapter> visitor(target, std::vector<std::string>(1, "<root>"), true, &results,
                                                     patterns);
        visitor.validateSchema(impl.compiled);
    } catch (const std::regex_error& e) {
        Diagnostic d;
        d.kind = DiagnosticKind::schema;
        d.source = impl.name;
        d.message = std::string("invalid JSON Schema: a \"pattern\" is not a valid regular expression (") + e.what() + ")";
        return {d};
    }

    struct Raw {
        Diagnostic diagnostic;
        bool wrapper = false;  // "Failed to validate item #3 in array." and friends: implied by deeper errors
    };
    std::vector<Raw> raw;
    std::set<std::pair<std::string, std::string>> seen;

    for (const auto& error : results) {
        std::vector<std::string> segments = context_segments(error.context);
        const std::string& text = error.description;
        Diagnostic d;
        d.kind = DiagnosticKind::schema;
        d.source = data.source;
        bool wrapper = false;

        // The value the error is about (nullptr when it does not exist in the data).
        const json* value = &data.value;
        for (const auto& s : segments) {
            if (value == nullptr) break;
            if (value->is_object()) {
                const auto it = value->find(s);
                value = it == value->end() ? nullptr : &*it;
            } else if (value->is_array()) {
                std::size_t index = 0;
                const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), index);
                value = (ec == std::errc{} && ptr == s.data() + s.size() && index < value->size()) ? &(*value)[index]
                                                                                                     : nullptr;
            } else {
                value = nullptr;
            }
        }
        const json* node = impl.node_at(segments);
        std::string message;

        if (starts_with(text, "Missing required property '")) {
            const std::string name = quoted_name(text, "Missing required property '");
            const std::string parent_pointer = to_pointer(segments);
            segments.push_back(name);
            const json* property = node != nullptr ? impl.child(node, name) : nullptr;
            const std::string title = Impl::title_of(property, impl);
            const std::string parent_title = Impl::title_of(node, impl);
            d.json_pointer = to_pointer(segments);
            message = Impl::prefixed(title, d.json_pointer, "required property \"" + name + "\" is missing");
            if (!parent_title.empty()) message += " in \"" + parent_title + "\"";
            d.hint = "add \"" + name + "\" to the object" +
                     (parent_pointer.empty() ? std::string(" at the top level") : " " + parent_pointer);
            // Position: the parent object (the missing value has none of its own).
            const Position p = data.position_of(parent_pointer);
            d.line = p.line;
            d.column = p.column;
            d.message = std::move(message);
        } else if (starts_with(text, "Object contains a property that could not be validated using 'properties' or "
                                     "'additionalProperties' constraints: '")) {
            const std::string name = quoted_name(
                text, "Object contains a property that could not be validated using 'properties' or "
                      "'additionalProperties' constraints: '");
            const std::string parent_title = Impl::title_of(node, impl);
            segments.push_back(name);
            d.json_pointer = to_pointer(segments);
            message = "property \"" + name + "\" is not allowed here";
            if (!parent_title.empty()) message += " (in \"" + parent_title + "\")";
            d.message = std::move(message);
            d.hint = "check the spelling of \"" + name + "\", or remove it";
            data.locate(d);
        } else {
            d.json_pointer = to_pointer(segments);
            const std::string title = Impl::title_of(node, impl);
            const json* resolved = impl.resolve(node);
            if (text == "Value type not permitted by 'type' constraint.") {
                std::vector<std::string> expected;
                if (resolved != nullptr && resolved->is_object()) {
                    if (const auto t = resolved->find("type"); t != resolved->end()) {
                        if (t->is_string()) expected.push_back(t->get<std::string>());
                        if (t->is_array()) {
                            for (const auto& e : *t) {
                                if (e.is_string()) expected.push_back(e.get<std::string>());
                            }
                        }
                    }
                }
                const bool explains = value != nullptr && !expected.empty() &&
                                      std::none_of(expected.begin(), expected.end(),
                                                   [&](const std::string& e) { return type_matches(e, *value); });
                if (explains) {
                    message = "expected ";
                    for (std::size_t i = 0; i < expected.size(); ++i) {
                        if (i > 0) message += i + 1 == expected.size() ? " or " : ", ";
                        message += expected[i];
                    }
                    message += std::string(", found ") + type_name(*value);
                } else {
                    message = std::string("value of type ") + (value ? type_name(*value) : "unknown") +
                              " is not allowed here";
                }
            } else if (text == "Failed to match against any enum values.") {
                message = "value is not one of the allowed values";
                if (resolved != nullptr && resolved->is_object()) {
                    const auto e = resolved->find("enum");
                    if (e != resolved->end() && e->is_array() && value != nullptr &&
                        std::find(e->begin(), e->end(), *value) == e->end()) {
                        message += ": ";
                        for (std::size_t i = 0; i < e->size(); ++i) {
                            if (i > 0) message += ", ";
                            message += (*e)[i].dump();
                        }
                    }
                }
            } else if (text == "Failed to match regex specified by 'pattern' constraint.") {
                // A schema says what the form is in words with "x-pattern-message" (a secretary cannot read a regular
                // expression); otherwise the pattern itself is shown.
                // The pattern may stand in the node or in one of its conditional branches (if/then/else, allOf …).
                message = "value does not have the required form";
                const auto in_node_or_branches = [&](const char* key) -> const json* {
                    if (resolved == nullptr || !resolved->is_object()) return nullptr;
                    std::vector<const json*> nodes{resolved};
                    for (const char* branch : {"then", "else"})
                        if (auto b = resolved->find(branch); b != resolved->end()) nodes.push_back(&*b);
                    for (const char* list : {"allOf", "anyOf", "oneOf"})
                        if (auto l = resolved->find(list); l != resolved->end() && l->is_array())
                            for (const auto& item : *l) nodes.push_back(&item);
                    for (const json* n : nodes) {
                        if (!n->is_object()) continue;
                        if (auto v = n->find(key); v != n->end() && v->is_string()) return &*v;
                    }
                    return nullptr;
                };
                if (const json* words = in_node_or_branches("x-pattern-message")) message += ": " + words->get<std::string>();
                else if (const json* p = in_node_or_branches("pattern")) message += " (pattern " + p->get<std::string>() + ")";
            } else {
                message = tidy_numbers(text);
                if (!message.empty() && message.back() == '.') message.pop_back();
                wrapper = starts_with(text, "Failed to validate item #") ||
                          starts_with(text, "Failed to validate against schema associated with property name '") ||
                          starts_with(text, "Failed to validate against schema associated with pattern '") ||
                          starts_with(text, "Failed to validate against additional properties schema") ||
                          starts_with(text, "Failed to validate against a conditional schema");
            }
            d.message = Impl::prefixed(title, d.json_pointer, message);
            data.locate(d);
        }
        if (!seen.emplace(d.json_pointer, d.message).second) continue;
        raw.push_back(Raw{std::move(d), wrapper});
    }

    // Drop wrappers that only repeat that something at or under their value failed, when that error is reported.
    std::vector<bool> keep(raw.size(), true);
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (!raw[i].wrapper) continue;
        const std::string& pointer = raw[i].diagnostic.json_pointer;
        const std::string prefix = pointer + "/";
        keep[i] = std::none_of(raw.begin(), raw.end(), [&](const Raw& other) {
            return !other.wrapper &&
                   (other.diagnostic.json_pointer == pointer || starts_with(other.diagnostic.json_pointer, prefix));
        });
    }
    std::vector<Diagnostic> out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (keep[i]) out.push_back(std::move(raw[i].diagnostic));
    }
    std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
        if (a.line != b.line) return a.line < b.line;
        return a.column < b.column;
    });
    return out;
}

}  // namespace vanban::json
