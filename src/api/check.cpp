#include "vanban/check.hpp"

#include <fontconfig/fontconfig.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <filesystem>
#include <memory>
#include <regex>
#include <set>

#include "api/package_parts.hpp"
#include "core/vn.hpp"
#include "core/xml_compiler.hpp"
#include "json/schema_walk.hpp"
#include "vanban/catalog.hpp"
#include "vanban/vanban.hpp"

namespace vanban {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Diagnostic finding(std::string code, std::string part, std::string message, std::string message_vi,
                   std::string hint = {}) {
    Diagnostic d;
    d.kind = DiagnosticKind::template_syntax;
    d.code = std::move(code);
    d.part = std::move(part);
    d.message = std::move(message);
    d.message_vi = std::move(message_vi);
    d.hint = std::move(hint);
    return d;
}

std::string text_of(const xmlChar* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

bool has_tag(std::string_view s) {
    return s.find("{{") != std::string_view::npos || s.find("{%") != std::string_view::npos;
}

std::string qualified(const xmlChar* local, const xmlNs* ns) {
    return (ns && ns->prefix ? text_of(ns->prefix) + ":" : std::string()) + text_of(local);
}

// What one package says about itself: styles defined and used, fonts named (its format's adapter reads those), tags
// in attributes.
struct PackageFacts : core::StyleFacts {
    std::vector<Diagnostic> attribute_tags;
};

// The style names written as literals in {% pstyle … %} tags of a paragraph's text.
void pstyle_literals(const std::string& text, std::vector<std::string>& out) {
    static const std::regex tag(R"re(\{%-?\s*pstyle\s+([\s\S]*?)-?%\})re");
    static const std::regex literal(R"re('([^']*)'|"([^"]*)")re");
    for (std::sregex_iterator t(text.begin(), text.end(), tag), end; t != end; ++t) {
        const std::string inner = (*t)[1];
        for (std::sregex_iterator l(inner.begin(), inner.end(), literal); l != end; ++l)
            out.push_back((*l)[1].matched ? (*l)[1].str() : (*l)[2].str());
    }
}

void scan(const xmlNode* n, const std::string& part, const core::PackageFormat& format, PackageFacts& facts) {
    for (const xmlNode* c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        for (const xmlAttr* a = c->properties; a; a = a->next) {
            xmlChar* v = xmlNodeListGetString(c->doc, a->children, 1);
            const std::string value = text_of(v);
            xmlFree(v);
            if (!has_tag(value)) continue;
            const std::string where = "<" + qualified(c->name, c->ns) + " " + qualified(a->name, a->ns) + "=\"" +
                                      std::string(vn::utf8_prefix(value, 60)) + (value.size() > 60 ? "…" : "") + "\">";
            Diagnostic d =
                finding("template.tag_in_attribute", part,
                        "a tag inside an XML attribute, " + where +
                            ": Word and LibreOffice rewrite attribute "
                            "values when they save the template, so the tag is lost",
                        "Mẫu có thẻ nằm trong thuộc tính XML (" + where +
                            "): Word và LibreOffice sẽ xóa hoặc "
                            "sửa thẻ này khi lưu mẫu. Hãy dùng thẻ trong văn bản ({% pstyle %}, {% indent %}, "
                            "{% spacebefore %}, {% cellwidth %}) hoặc giá trị cố định.",
                        "write the value with a tag in the text: {% pstyle name %}, {% indent pt %}, "
                        "{% spacebefore pt %}, {% cellwidth pt %}, or a fixed value");
            facts.attribute_tags.push_back(std::move(d));
        }
        format.note_styles(c, part, facts);
        if (format.is_paragraph(c)) {
            std::string text;
            format.paragraph_text(c, text);
            std::vector<std::string> literals;
            pstyle_literals(text, literals);
            for (auto& l : literals) facts.styles_used.push_back({part, std::move(l), true});
        }
        scan(c->children, part, format, facts);
    }
}

PackageFacts read_facts(const std::string& path, const core::PackageFormat& format) {
    PackageFacts facts;
    for (const auto& [name, xml] : detail::read_xml_parts(path, Limits{})) {
        std::string problem;
        const core::XmlDocPtr doc = core::parse_office_part(xml, name, problem);
        if (!doc) continue;  // a DTD or XML that does not parse: reported by the compile step
        scan(xmlDocGetRootElement(doc.get()), name, format, facts);
    }
    return facts;
}

bool font_installed(FcConfig* config, const std::string& family) {
    std::unique_ptr<FcPattern, decltype(&FcPatternDestroy)> pattern(FcPatternCreate(), FcPatternDestroy);
    FcPatternAddString(pattern.get(), FC_FAMILY, reinterpret_cast<const FcChar8*>(family.c_str()));
    std::unique_ptr<FcObjectSet, decltype(&FcObjectSetDestroy)> fields(FcObjectSetBuild(FC_FAMILY, nullptr),
                                                                       FcObjectSetDestroy);
    std::unique_ptr<FcFontSet, decltype(&FcFontSetDestroy)> fonts(FcFontList(config, pattern.get(), fields.get()),
                                                                  FcFontSetDestroy);
    return fonts && fonts->nfont > 0;
}

void check_fonts(const std::set<std::string>& fonts, const std::string& variant, TemplateCheck& out) {
    std::unique_ptr<FcConfig, decltype(&FcConfigDestroy)> config(FcInitLoadConfigAndFonts(), FcConfigDestroy);
    if (!config) return;
    for (const auto& f : fonts) {
        if (has_tag(f) || font_installed(config.get(), f)) continue;
        out.warnings.push_back(finding("template.font_missing", variant,
                                       "font '" + f +
                                           "' is not installed on this computer: LibreOffice (PDF, preview) "
                                           "uses another one, and line breaks and page count may change",
                                       "Phông chữ '" + f +
                                           "' chưa được cài trên máy này: bản PDF và bản xem trước sẽ "
                                           "dùng phông khác, số trang có thể thay đổi. Hãy cài phông này.",
                                       "install it (Times New Roman: apt-get install ttf-mscorefonts-installer, or use "
                                       "Liberation Serif, metric-compatible)"));
    }
}

// A literal of a {% pstyle %} expression may be the start of the name ('BCKyTen' ~ n): it is known when some style's
// name starts with it.
bool style_known(const std::set<std::string>& defined, const std::string& style, bool prefix) {
    if (defined.count(style)) return true;
    const auto it = defined.lower_bound(style);
    return prefix && it != defined.end() && it->rfind(style, 0) == 0;
}

void check_styles(const PackageFacts& facts, const std::string& variant, TemplateCheck& out) {
    std::set<std::string> reported;
    for (const auto& [part, style, literal] : facts.styles_used) {
        if (style.empty() || has_tag(style) || style_known(facts.styles_defined, style, literal) ||
            !reported.insert(style).second)
            continue;
        out.errors.push_back(finding("template.style_missing", variant + ": " + part,
                                     "style '" + style + "' is used but not defined in the template",
                                     "Mẫu dùng kiểu định dạng (style) '" + style +
                                         "' nhưng không định nghĩa kiểu này: "
                                         "văn bản sẽ mất định dạng. Hãy tạo lại kiểu đó trong Word/LibreOffice.",
                                     "define the style (Word: Styles pane; LibreOffice: F11), or use one that exists"));
    }
}

// ----- fields against the schema

// The schemas that describe one place of the data: $ref followed (local only; a broken one is the schema check's
// business), combinators opened — the one schema walk (json/schema_walk.hpp).
void gather(const json& root, const json& s, std::vector<const json*>& out) {
    for (const json* branch : json_data::schema_branches(root, &s)) out.push_back(branch);
}

// Whether any of `schemas` constrains object keys at all (else every key is allowed and nothing below is checked).
bool closed_object(const std::vector<const json*>& schemas) {
    for (const json* s : schemas)
        if (s->contains("properties")) return true;
    return false;
}

void compare_fields(const json& root, const json& skeleton, const std::vector<const json*>& schemas,
                    const std::string& path, const std::string& variant, TemplateCheck& out) {
    if (schemas.empty()) return;
    if (skeleton.is_object() && closed_object(schemas)) {
        for (const auto& [key, value] : skeleton.items()) {
            std::vector<const json*> child;
            bool defined = false;
            for (const json* s : schemas) {
                if (auto p = s->find("properties"); p != s->end() && p->contains(key)) {
                    defined = true;
                    gather(root, (*p)[key], child);
                } else if (auto extra = s->find("additionalProperties"); extra != s->end() && extra->is_object()) {
                    defined = true;
                    gather(root, *extra, child);
                } else if (s->contains("patternProperties")) {
                    defined = true;  // not followed: the pattern decides
                }
            }
            const std::string here = path + "/" + key;
            if (!defined) {
                out.warnings.push_back(finding("template.field_not_in_schema", variant,
                                               "the template reads '" + here +
                                                   "', which the schema does not define: "
                                                   "valid data never has it",
                                               "Mẫu đọc trường '" + here +
                                                   "' nhưng lược đồ dữ liệu (schema) không có "
                                                   "trường này: dữ liệu hợp lệ sẽ không bao giờ có nó.",
                                               "add it to the schema, or correct the tag's spelling"));
                continue;
            }
            compare_fields(root, value, child, here, variant, out);
        }
        // Required fields at this level that no tag reads.
        for (const json* s : schemas) {
            auto req = s->find("required");
            if (req == s->end() || !req->is_array()) continue;
            for (const auto& r : *req) {
                if (!r.is_string() || skeleton.contains(r.get<std::string>())) continue;
                const std::string here = path + "/" + r.get<std::string>();
                out.warnings.push_back(finding("template.required_not_read", variant,
                                               "the schema requires '" + here + "' but no tag of the template reads it",
                                               "Lược đồ dữ liệu bắt buộc nhập trường '" + here +
                                                   "' nhưng mẫu không "
                                                   "dùng trường này: người dùng phải nhập mà không thấy trong văn bản.",
                                               "show it in the template, or make it optional in the schema"));
            }
        }
    } else if (skeleton.is_array() && !skeleton.empty()) {
        std::vector<const json*> items;
        for (const json* s : schemas)
            if (auto it = s->find("items"); it != s->end()) gather(root, *it, items);
        compare_fields(root, skeleton.front(), items, path + "/[]", variant, out);
    }
}

void check_variant(const std::string& path, const std::optional<json>& schema, TemplateCheck& out) {
    out.checked.push_back(path);
    std::optional<Template> tpl;
    try {
        tpl = Template::from_file(path);
    } catch (const Error& e) {
        for (Diagnostic d : e.diagnostics()) {
            if (d.part.empty()) d.part = path;
            else d.part = path + ": " + d.part;
            if (d.code.empty()) d.code = "template.syntax";
            out.errors.push_back(std::move(d));
        }
        if (e.diagnostics().empty() || e.diagnostics().front().kind == DiagnosticKind::package ||
            e.diagnostics().front().kind == DiagnosticKind::io)
            return;
    }
    const bool odt =
        tpl ? tpl->format() == Format::odt : fs::exists(fs::path(path) / "content.xml") || path.ends_with(".odt");
    const PackageFacts facts = read_facts(path, detail::package_format(odt ? Format::odt : Format::docx));
    for (Diagnostic d : facts.attribute_tags) {
        d.part = path + ": " + d.part;
        out.errors.push_back(std::move(d));
    }
    check_styles(facts, path, out);
    check_fonts(facts.fonts, path, out);
    if (tpl && schema) {
        std::vector<const json*> top;
        gather(*schema, *schema, top);
        compare_fields(*schema, tpl->inspect().skeleton, top, "", path, out);
    }
}

}  // namespace

TemplateCheck check_template(const std::string& name_or_path, const std::vector<std::string>& template_dirs) {
    TemplateCheck out;
    std::optional<BundledTemplate> t = find_bundled_template(name_or_path, template_dirs);
    std::error_code ec;
    if (!t && fs::is_regular_file(fs::path(name_or_path) / "template.json", ec))
        t = load_template_folder(name_or_path, template_dirs);
    if (!t) {
        const ResolvedTemplate r = resolve_template(name_or_path, "docx", template_dirs);  // throws when nothing
        check_variant(r.path, std::nullopt, out);
        return out;
    }
    const std::optional<json> schema = t->schema();
    for (const auto& format : t->formats) check_variant(t->variant_path(format), schema, out);
    return out;
}

}  // namespace vanban
