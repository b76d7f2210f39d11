#include "odt/odt_part.hpp"

#include <charconv>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <optional>
#include <set>

#include <libxml/tree.h>

#include "core/richtext.hpp"
#include "core/xml_compiler.hpp"
#include "odt/odf_names.hpp"
#include "odt/odt_rich.hpp"

namespace vanban::odt {

const char* const kRichStyles[8] = {"",         "vanban_b",  "vanban_i",  "vanban_bi",
                                    "vanban_u", "vanban_bu", "vanban_iu", "vanban_biu"};

namespace {

using core::OutputSite;
using core::Role;
using core::xml_chars;

using odf::kDraw;
using odf::kFo;
using odf::kOffice;
using odf::kStyle;
using odf::kSvg;
using odf::kTable;
using odf::kText;
using odf::kXlink;

// Graphic styles of pictures from the data, by core::ImageWrap: in the line (as a character), floating in front of the
// text, floating behind it; floating ones are placed from the anchor character and the top of its paragraph.
constexpr const char* kImageStyles[3] = {"vanban_img", "vanban_img_front", "vanban_img_behind"};

bool in_ns(const xmlNode* n, const char* ns, std::initializer_list<const char*> names) {
    for (const char* name : names)
        if (core::has_name(n, ns, name)) return true;
    return false;
}
bool is_text(const xmlNode* n, std::initializer_list<const char*> names) { return in_ns(n, kText, names); }

// A helper's value in points, written as ODF wants it, rounded to whole twips as the DOCX variant rounds it (so the
// two variants of a template have the same lengths).
constexpr const char* kPointsInWholeTwips = "((((({}) * 20) | round | int) / 20) | round(2)) ~ 'pt'";

// What OpenDocument text elements mean to the part compiler.
class OdtDialect final : public core::Dialect {
public:
    Role role(const xmlNode* c) const override {
        if (is_text(c, {"span", "a", "meta"})) return Role::transparent;
        if (is_text(c, {"s"})) return Role::spaces;
        if (is_text(c, {"tab", "line-break"})) return Role::soft;
        if (is_text(c, {"bookmark", "bookmark-start", "bookmark-end", "soft-page-break", "change", "change-start",
                        "change-end", "reference-mark", "reference-mark-start", "reference-mark-end", "toc-mark",
                        "toc-mark-start", "toc-mark-end", "alphabetical-index-mark", "alphabetical-index-mark-start",
                        "alphabetical-index-mark-end", "user-index-mark", "user-index-mark-start",
                        "user-index-mark-end"}) ||
            core::has_name(c, kOffice, "annotation-end"))
            return Role::ignore;
        // frames, notes, fields (their character data is a cached result, not text), annotations, ruby, foreign
        // elements: visible, but not text
        return Role::hard;
    }
    bool text_in_character_data() const override { return true; }
    int space_count(const xmlNode* n) const override {
        xmlChar* v = xmlGetNsProp(n, xml_chars("c"), xml_chars(kText));
        if (!v) return 1;
        // A count that does not fit saturates (the compiler treats absurd counts as a barrier, never expands them).
        const std::string_view text(reinterpret_cast<const char*>(v));
        long long count = 1;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
        xmlFree(v);
        if (ec == std::errc::result_out_of_range) return std::numeric_limits<int>::max();
        return ec == std::errc() && count > 0
                   ? static_cast<int>(std::min<long long>(count, std::numeric_limits<int>::max()))
                   : 1;
    }
    bool is_paragraph(const xmlNode* n) const override {
        if (!is_text(n, {"p", "h"})) return false;
        // paragraphs kept by change tracking as deleted text are not part of the document's text
        for (const xmlNode* a = n->parent; a && a->type == XML_ELEMENT_NODE; a = a->parent)
            if (is_text(a, {"tracked-changes"})) return false;
        return true;
    }
    bool is_row(const xmlNode* n) const override { return core::has_name(n, kTable, "table-row"); }
    bool is_cell(const xmlNode* n) const override { return in_ns(n, kTable, {"table-cell", "covered-table-cell"}); }
    bool is_boundary(const xmlNode* n) const override {
        return core::has_name(n, kOffice, "text") || core::has_name(n, kOffice, "annotation") ||
               core::has_name(n, kDraw, "text-box") || core::has_name(n, kText, "note-body") ||
               in_ns(n, kStyle, {"header", "footer", "header-left", "footer-left", "header-first", "footer-first"});
    }
    bool needs_paragraph(const xmlNode* n) const override {
        return core::has_name(n, kTable, "table-cell") || core::has_name(n, kDraw, "text-box") ||
               core::has_name(n, kText, "note-body") || core::has_name(n, kOffice, "annotation") ||
               in_ns(n, kStyle, {"header", "footer", "header-left", "footer-left", "header-first", "footer-first"});
    }
    xmlNode* run_of(xmlNode* holder) const override {
        return holder && holder->parent && is_text(holder->parent, {"span"}) ? holder->parent : nullptr;
    }
    bool removable_when_empty(const xmlNode* parent) const override { return is_text(parent, {"span"}); }
    bool splittable(const xmlNode* n) const override { return is_text(n, {"span", "a"}); }
    bool is_table(const xmlNode* n) const override { return core::has_name(n, kTable, "table"); }

    // Rich text nests spans with the adapter's automatic styles inside the host span, which keeps its own style:
    // nothing of the host needs copying.
    void describe_site(xmlDoc* doc, xmlNode* holder, OutputSite& site) const override {
        for (std::size_t v = 0; v < 8; ++v) site.run_props[v] = kRichStyles[v];
        describe_paragraph(doc, holder, site);
    }

    // docxtpl's \a and \f: the spans around the tag end with its paragraph, and open again in a new paragraph of the
    // same kind and style (\f: a copy of the style that breaks the page). Not possible where the tag stands in a link,
    // a field or anything else than spans, or where a tag computes the paragraph's or a span's attributes.
    void describe_paragraph(xmlDoc* doc, xmlNode* holder, OutputSite& site) const {
        std::vector<xmlNode*> spans;  // innermost first
        xmlNode* n = holder && holder->type != XML_ELEMENT_NODE ? holder->parent : holder;
        for (; n && is_text(n, {"span"}); n = n->parent) spans.push_back(n);
        if (!n || !is_text(n, {"p", "h"})) return;
        std::string close, reopen;
        for (xmlNode* span : spans) {
            const auto tag = start_tag(span, nullptr);
            if (!tag) return;
            close += "</" + qualified_name(span) + ">";
            reopen.insert(0, *tag);
        }
        const std::string style = attribute(n, kText, "style-name");
        const auto same = start_tag(n, nullptr);
        if (!same) return;  // (a tag computes one of the paragraph's attributes)
        const std::string page_style = page_break_style(doc, style);
        close += "</" + qualified_name(n) + ">";
        site.paragraph_props = close + *same + reopen;
        site.page_break_props = close + *start_tag(n, &page_style) + reopen;
        site.splits_paragraph = true;
    }

    // {% cellwidth %}: OpenDocument keeps widths on the table's columns, in automatic styles. The cell's column gets
    // a style of its own, written before the body: every row and every round of a column loop share it, so the
    // value is computed from the data directly (no loop variables).
    std::optional<AttributeSlot> cell_slot(xmlDoc* doc, xmlNode* cell, CellSlot which) const override {
        if (which != CellSlot::width) return std::nullopt;
        xmlNode* column = column_of(cell);
        if (!column) return std::nullopt;
        xmlNode* root = xmlDocGetRootElement(doc);
        xmlNs* table_ns = ns(root, kTable, "table");
        xmlNode* style = own_automatic_style(doc, column, table_ns, "table-column", "vanban_col");
        xmlNode* props = properties(doc, style, "table-column-properties");
        return AttributeSlot{props, ns(root, kStyle, "style"), "column-width", kPointsInWholeTwips, true};
    }

    // {% pstyle %} names the paragraph's style; {% indent %} and {% spacebefore %} go into a style of its own.
    std::optional<AttributeSlot> paragraph_slot(xmlDoc* doc, xmlNode* paragraph, ParagraphSlot which,
                                                std::string& why) const override {
        xmlNode* root = xmlDocGetRootElement(doc);
        if (which == ParagraphSlot::style) {
            if (attribute(paragraph, kText, "style-name").rfind("vanban_para", 0) == 0) {
                why =
                    "it takes {% indent %} or {% spacebefore %}, which give an OpenDocument paragraph a style of its "
                    "own: it cannot also take {% pstyle %}";
                return std::nullopt;
            }
            return AttributeSlot{paragraph, ns(root, kText, "text"), "style-name"};
        }
        xmlNode* style = own_style(doc, paragraph, why);
        if (!style) return std::nullopt;
        xmlNode* props = properties(doc, style, "paragraph-properties");
        const char* name = which == ParagraphSlot::indent_left    ? "margin-left"
                           : which == ParagraphSlot::indent_right ? "margin-right"
                                                                  : "margin-top";
        return AttributeSlot{props, ns(root, kFo, "fo"), name, kPointsInWholeTwips, true};
    }

    void finish(xmlDoc* doc, xmlNode* root, core::PartHooks* hooks) const override {
        if (hooks) hooks->max_footnote_id = count_notes(root);
        add_rich_styles(doc, root);
        add_image_styles(doc, root);
        rename_render_styles(root);
        for (auto [href, prefix] : {std::pair{kStyle, "style"}, {kFo, "fo"}, {kXlink, "xlink"}})
            core::declare_namespace(root, href, prefix);  // (rich text's styles and links are written with them)
    }

private:
    static std::string qualified_name(const xmlNode* n) {
        std::string name =
            n->ns && n->ns->prefix ? reinterpret_cast<const char*>(n->ns->prefix) + std::string(":") : "";
        return name + reinterpret_cast<const char*>(n->name);
    }

    // The start tag of `element` as it is written again after a break: its attributes but its ids (an id is unique),
    // its style name replaced by `style` when given. Nullopt when it declares namespaces or a tag computes an attribute.
    static std::optional<std::string> start_tag(const xmlNode* element, const std::string* style) {
        if (element->nsDef) return std::nullopt;
        std::string tag = "<" + qualified_name(element);
        bool styled = false;
        for (const xmlAttr* a = element->properties; a; a = a->next) {
            const std::string name(reinterpret_cast<const char*>(a->name));
            if (core::pieces_of(a)) return std::nullopt;  // a tag computes this attribute
            const char* href = a->ns ? reinterpret_cast<const char*>(a->ns->href) : "";
            if (name == "id" &&
                (std::strcmp(href, kText) == 0 || std::strcmp(href, "http://www.w3.org/XML/1998/namespace") == 0))
                continue;
            xmlChar* raw = xmlNodeGetContent(reinterpret_cast<const xmlNode*>(a));
            std::string value = raw ? reinterpret_cast<const char*>(raw) : "";
            xmlFree(raw);
            if (style && name == "style-name" && std::strcmp(href, kText) == 0) {
                value = *style;
                styled = true;
            }
            tag += " " +
                   (a->ns && a->ns->prefix ? reinterpret_cast<const char*>(a->ns->prefix) + std::string(":") : "") +
                   name + "=\"";
            core::escape_xml_attribute(tag, value);
            tag += "\"";
        }
        if (style && !styled) {
            tag += " text:style-name=\"";
            core::escape_xml_attribute(tag, *style);
            tag += "\"";
        }
        return tag + ">";
    }

    // The automatic paragraph style that breaks the page before a paragraph of style `style` (a copy of it when it is
    // automatic, a child of it otherwise), made once per style: vanban_pb_<style>, or vanban_pb for none.
    static std::string page_break_style(xmlDoc* doc, const std::string& style) {
        const std::string name = style.empty() ? "vanban_pb" : "vanban_pb_" + style;
        xmlNode* root = xmlDocGetRootElement(doc);
        xmlNode* styles = automatic_styles(doc, root);
        if (has_style(styles, name.c_str())) return name;
        xmlNs* style_ns = ns(root, kStyle, "style");
        xmlNode* made = nullptr;
        if (xmlNode* automatic = style.empty() ? nullptr : find_style(styles, style.c_str())) {
            made = xmlDocCopyNode(automatic, doc, 1);
            xmlAddChild(styles, made);
            xmlSetNsProp(made, style_ns, xml_chars("name"), xml_chars(name.c_str()));
        } else {
            made = xmlNewChild(styles, style_ns, xml_chars("style"), nullptr);
            xmlNewNsProp(made, style_ns, xml_chars("name"), xml_chars(name.c_str()));
            xmlNewNsProp(made, style_ns, xml_chars("family"), xml_chars("paragraph"));
            if (!style.empty()) xmlNewNsProp(made, style_ns, xml_chars("parent-style-name"), xml_chars(style.c_str()));
        }
        xmlSetNsProp(properties(doc, made, "paragraph-properties"), ns(root, kFo, "fo"), xml_chars("break-before"),
                     xml_chars("page"));
        return name;
    }

    // Styles named like those a render makes (kRichStylePrefix: a vanban output used as a template) are renamed, with
    // every reference to them, so that the render's own never collide with them.
    static void rename_render_styles(xmlNode* root) {
        std::set<std::string> taken;
        for (xmlNode* styles = root->children; styles; styles = styles->next) {
            if (!core::has_name(styles, kOffice, "automatic-styles")) continue;
            for (xmlNode* c = styles->children; c; c = c->next)
                if (const std::string name = attribute(c, kStyle, "name"); name.starts_with(kRichStylePrefix))
                    taken.insert(name);
        }
        if (taken.empty()) return;
        const auto visit = [&](auto&& self, xmlNode* n) -> void {
            for (; n; n = n->next) {
                if (n->type != XML_ELEMENT_NODE) continue;
                for (xmlAttr* a = n->properties; a; a = a->next) {
                    xmlChar* raw = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
                    const std::string value = raw ? reinterpret_cast<const char*>(raw) : "";
                    xmlFree(raw);
                    if (taken.count(value))
                        xmlNodeSetContent(reinterpret_cast<xmlNode*>(a), xml_chars(("vanban_kept_" + value).c_str()));
                }
                self(self, n->children);
            }
        };
        visit(visit, root);
    }

    static int count_notes(const xmlNode* n) {
        int count = 0;
        for (const xmlNode* c = n->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) continue;
            if (core::has_name(c, kText, "note")) ++count;
            count += count_notes(c);
        }
        return count;
    }

    static xmlNs* ns(xmlNode* root, const char* href, const char* prefix) {
        xmlNs* found = xmlSearchNsByHref(root->doc, root, xml_chars(href));
        return found ? found : xmlNewNs(root, xml_chars(href), xml_chars(prefix));
    }

    // office:automatic-styles, created where the schema wants it (after font-face-decls and styles, before
    // master-styles and body) when the part has none.
    static xmlNode* automatic_styles(xmlDoc* doc, xmlNode* root) {
        for (xmlNode* c = root->children; c; c = c->next)
            if (core::has_name(c, kOffice, "automatic-styles")) return c;
        xmlNode* styles = xmlNewDocNode(doc, ns(root, kOffice, "office"), xml_chars("automatic-styles"), nullptr);
        for (xmlNode* c = root->children; c; c = c->next) {
            if (core::has_name(c, kOffice, "master-styles") || core::has_name(c, kOffice, "body")) {
                xmlAddPrevSibling(c, styles);
                return styles;
            }
        }
        xmlAddChild(root, styles);
        return styles;
    }

    static xmlNode* find_style(xmlNode* styles, const char* name) {
        for (xmlNode* c = styles->children; c; c = c->next) {
            if (!core::has_name(c, kStyle, "style")) continue;
            xmlChar* n = xmlGetNsProp(c, xml_chars("name"), xml_chars(kStyle));
            const bool same = n && std::strcmp(reinterpret_cast<char*>(n), name) == 0;
            xmlFree(n);
            if (same) return c;
        }
        return nullptr;
    }
    static bool has_style(xmlNode* styles, const char* name) { return find_style(styles, name) != nullptr; }

    static std::string attribute(const xmlNode* n, const char* ns_href, const char* name) {
        xmlChar* v = xmlGetNsProp(n, xml_chars(name), xml_chars(ns_href));
        std::string out = v ? reinterpret_cast<const char*>(v) : "";
        xmlFree(v);
        return out;
    }

    // The automatic style that only `element` uses (its style-name attribute in `name_ns`), made on first need: a
    // copy of its automatic style, or a child of its common style. `prefix` names the styles made here.
    static xmlNode* own_automatic_style(xmlDoc* doc, xmlNode* element, xmlNs* name_ns, const char* family,
                                        std::string_view prefix) {
        const char* href = reinterpret_cast<const char*>(name_ns->href);
        const std::string current = attribute(element, href, "style-name");
        xmlNode* root = xmlDocGetRootElement(doc);
        xmlNode* styles = automatic_styles(doc, root);
        if (current.rfind(prefix, 0) == 0)
            if (xmlNode* mine = find_style(styles, current.c_str())) return mine;
        int count = 0;
        for (xmlNode* c = styles->children; c; c = c->next)
            if (attribute(c, kStyle, "name").rfind(prefix, 0) == 0) ++count;
        const std::string name = std::string(prefix) + std::to_string(count + 1);
        xmlNs* style_ns = ns(root, kStyle, "style");
        xmlNode* style = nullptr;
        if (xmlNode* automatic = current.empty() ? nullptr : find_style(styles, current.c_str())) {
            style = xmlDocCopyNode(automatic, doc, 1);
            xmlAddChild(styles, style);
            xmlSetNsProp(style, style_ns, xml_chars("name"), xml_chars(name.c_str()));
        } else {
            style = xmlNewChild(styles, style_ns, xml_chars("style"), nullptr);
            xmlNewNsProp(style, style_ns, xml_chars("name"), xml_chars(name.c_str()));
            xmlNewNsProp(style, style_ns, xml_chars("family"), xml_chars(family));
            if (!current.empty())
                xmlNewNsProp(style, style_ns, xml_chars("parent-style-name"), xml_chars(current.c_str()));
        }
        xmlSetNsProp(element, name_ns, xml_chars("style-name"), xml_chars(name.c_str()));
        return style;
    }

    // The properties element `local` (style:paragraph-properties, …) of `style`, made when missing.
    static xmlNode* properties(xmlDoc* doc, xmlNode* style, const char* local) {
        for (xmlNode* c = style->children; c; c = c->next)
            if (core::has_name(c, kStyle, local)) return c;
        xmlNode* props = xmlNewDocNode(doc, ns(xmlDocGetRootElement(doc), kStyle, "style"), xml_chars(local), nullptr);
        if (style->children) xmlAddPrevSibling(style->children, props);  // before text-properties (schema order)
        else xmlAddChild(style, props);
        return props;
    }

    static long repeated(const xmlNode* n, const char* ns_href, const char* name) {
        const std::string v = attribute(n, ns_href, name);
        long count = 1;
        std::from_chars(v.data(), v.data() + v.size(), count);
        return std::max(1L, count);
    }

    // The table:table-column a cell stands in (the last one when the row has more cells than declared columns).
    // Columns grouped in table:table-columns / table:table-header-columns count too. A template declares a column
    // for every cell of its rows (a word processor drops the cells past the declared columns); the cells of a
    // column loop share one declaration, repeated.
    static xmlNode* column_of(xmlNode* cell) {
        long index = 0;
        for (xmlNode* c = cell->parent ? cell->parent->children : nullptr; c && c != cell; c = c->next)
            if (in_ns(c, kTable, {"table-cell", "covered-table-cell"}))
                index += repeated(c, kTable, "number-columns-repeated");
        xmlNode* table = cell->parent;
        while (table && !core::has_name(table, kTable, "table")) table = table->parent;
        if (!table) return nullptr;
        xmlNode* last = nullptr;
        long first = 0;
        const auto visit = [&](auto&& self, xmlNode* parent) -> xmlNode* {
            for (xmlNode* c = parent->children; c; c = c->next) {
                if (in_ns(c, kTable, {"table-columns", "table-header-columns", "table-column-group"})) {
                    if (xmlNode* found = self(self, c)) return found;
                } else if (core::has_name(c, kTable, "table-column")) {
                    const long count = repeated(c, kTable, "number-columns-repeated");
                    if (index < first + count) return c;  // a repeated declaration: one width for all its columns
                    first += count;
                    last = c;
                }
            }
            return nullptr;
        };
        xmlNode* found = visit(visit, table);
        return found ? found : (index >= first ? last : nullptr);
    }

    // The automatic paragraph style that only `paragraph` uses. ODF paragraphs carry no properties of their own.
    static xmlNode* own_style(xmlDoc* doc, xmlNode* paragraph, std::string& why) {
        if (core::pieces_of(xmlHasNsProp(paragraph, xml_chars("style-name"), xml_chars(kText)))) {
            why =
                "its style is set by {% pstyle %}; an OpenDocument paragraph takes {% indent %} or {% spacebefore %} "
                "through a style of its own, so it cannot take both";
            return nullptr;
        }
        return own_automatic_style(doc, paragraph, ns(xmlDocGetRootElement(doc), kText, "text"), "paragraph",
                                   "vanban_para");
    }

    static void add_image_styles(xmlDoc* doc, xmlNode* root) {
        if (!core::has_name(root, kOffice, "document-content") && !core::has_name(root, kOffice, "document-styles"))
            return;
        for (auto [href, prefix] : {std::pair{kDraw, "draw"}, {kSvg, "svg"}, {kXlink, "xlink"}, {kText, "text"}})
            core::declare_namespace(root, href, prefix);
        xmlNode* styles = automatic_styles(doc, root);
        xmlNs* style = ns(root, kStyle, "style");
        for (int wrap = 0; wrap < 3; ++wrap) {
            if (has_style(styles, kImageStyles[wrap])) continue;
            xmlNode* s = xmlNewChild(styles, style, xml_chars("style"), nullptr);
            xmlNewNsProp(s, style, xml_chars("name"), xml_chars(kImageStyles[wrap]));
            xmlNewNsProp(s, style, xml_chars("family"), xml_chars("graphic"));
            xmlNode* p = xmlNewChild(s, style, xml_chars("graphic-properties"), nullptr);
            const auto set = [&](const char* name, const char* value) {
                xmlNewNsProp(p, style, xml_chars(name), xml_chars(value));
            };
            if (wrap == 0) {
                set("vertical-pos", "top");
                set("vertical-rel", "baseline");
            } else {
                set("wrap", "run-through");
                set("run-through", wrap == 1 ? "foreground" : "background");
                set("vertical-pos", "from-top");
                set("vertical-rel", "paragraph");
                set("horizontal-pos", "from-left");
                set("horizontal-rel", "char");
            }
        }
    }

    static void add_rich_styles(xmlDoc* doc, xmlNode* root) {
        if (!core::has_name(root, kOffice, "document-content") && !core::has_name(root, kOffice, "document-styles"))
            return;
        xmlNode* styles = automatic_styles(doc, root);
        xmlNs* style = ns(root, kStyle, "style");
        xmlNs* fo = ns(root, kFo, "fo");
        for (int v = 1; v < 8; ++v) {
            bool exists = false;
            for (xmlNode* c = styles->children; c && !exists; c = c->next) {
                if (!core::has_name(c, kStyle, "style")) continue;
                xmlChar* name = xmlGetNsProp(c, xml_chars("name"), xml_chars(kStyle));
                exists = name && std::strcmp(reinterpret_cast<char*>(name), kRichStyles[v]) == 0;
                xmlFree(name);
            }
            if (exists) continue;
            xmlNode* s = xmlNewChild(styles, style, xml_chars("style"), nullptr);
            xmlNewNsProp(s, style, xml_chars("name"), xml_chars(kRichStyles[v]));
            xmlNewNsProp(s, style, xml_chars("family"), xml_chars("text"));
            xmlNode* p = xmlNewChild(s, style, xml_chars("text-properties"), nullptr);
            if (v & 1) {
                xmlNewNsProp(p, fo, xml_chars("font-weight"), xml_chars("bold"));
                xmlNewNsProp(p, style, xml_chars("font-weight-asian"), xml_chars("bold"));
                xmlNewNsProp(p, style, xml_chars("font-weight-complex"), xml_chars("bold"));
            }
            if (v & 2) {
                xmlNewNsProp(p, fo, xml_chars("font-style"), xml_chars("italic"));
                xmlNewNsProp(p, style, xml_chars("font-style-asian"), xml_chars("italic"));
                xmlNewNsProp(p, style, xml_chars("font-style-complex"), xml_chars("italic"));
            }
            if (v & 4) {
                xmlNewNsProp(p, style, xml_chars("text-underline-style"), xml_chars("solid"));
                xmlNewNsProp(p, style, xml_chars("text-underline-width"), xml_chars("auto"));
                xmlNewNsProp(p, style, xml_chars("text-underline-color"), xml_chars("font-color"));
            }
        }
    }
};

// ---------------------------------------------------------------------------------------------------------------

void put_spaces(std::string& out, std::size_t n) {
    if (n == 1) out += "<text:s/>";
    else out += "<text:s text:c=\"" + std::to_string(n) + "\"/>";
}

// Character data collapses white space in OpenDocument: a run of spaces keeps its first space as a character and the
// others as text:s; a space at the start of the value (or after a break or tab) is written as text:s too, since the
// text before it may end with a space or be the start of the paragraph.
void escape_text(std::string& out, std::string_view s) {
    bool at_start = true;
    for (std::size_t i = 0; i < s.size();) {
        const char c = s[i];
        if (c == ' ') {
            std::size_t n = 1;
            while (i + n < s.size() && s[i + n] == ' ') ++n;
            if (at_start) {
                put_spaces(out, n);
            } else {
                out += ' ';
                if (n > 1) put_spaces(out, n - 1);
            }
            i += n;
            at_start = false;
            continue;
        }
        at_start = false;
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '\n':
                out += "<text:line-break/>";
                at_start = true;
                break;
            case '\t':
                out += "<text:tab/>";
                at_start = true;
                break;
            case '\r': break;
            default:
                // characters XML 1.0 forbids are dropped rather than producing a file no reader opens
                if (static_cast<unsigned char>(c) < 0x20) break;
                out += c;
        }
        ++i;
    }
}

// Makes the table:table-column elements of a rendered table (its content is out[start..]) count as many columns as its
// widest row has cells (covered cells and number-columns-repeated included): the last column declaration is repeated
// more or fewer times.
void fix_table_columns(std::string& out, std::size_t start) {
    struct Column {
        std::size_t begin, end;
        long repeated;
    };
    std::vector<Column> columns;
    long row = 0, widest = 0;
    core::for_each_table_tag(out, start, "table:table", [&](const core::RenderedTag& tag) {
        if (tag.end_tag) {
            if (tag.name == "table:table-row") widest = std::max(widest, row);
        } else if (tag.name == "table:table-column") {
            columns.push_back(
                {tag.begin, tag.begin + tag.text.size(), std::max(1L, tag.number("table:number-columns-repeated", 1))});
        } else if (tag.name == "table:table-row") {
            row = 0;
        } else if (tag.name == "table:table-cell" || tag.name == "table:covered-table-cell") {
            row += std::max(1L, tag.number("table:number-columns-repeated", 1));
        }
    });
    long total = 0;
    for (const Column& c : columns) total += c.repeated;
    if (columns.empty() || widest == 0 || widest == total) return;
    // From the last declaration backwards: drop or shorten the repeats the rows no longer use, or repeat the last more.
    long excess = total - widest;
    for (std::size_t k = columns.size(); k-- > 0;) {
        const Column& c = columns[k];
        long keep = excess < 0 ? c.repeated - excess : std::max(0L, c.repeated - excess);
        excess -= c.repeated - keep;
        std::string tag = out.substr(c.begin, c.end - c.begin);
        if (keep == 0) {
            out.erase(c.begin, c.end - c.begin);
        } else {
            const std::string attribute = " table:number-columns-repeated=\"";
            std::size_t at = tag.find(attribute);
            if (at != std::string::npos) {
                std::size_t value_end = tag.find('"', at + attribute.size());
                tag.replace(at + attribute.size(), value_end - at - attribute.size(), std::to_string(keep));
            } else {
                tag.insert(tag.size() - (tag.ends_with("/>") ? 2 : 1), attribute + std::to_string(keep) + "\"");
            }
            out.replace(c.begin, c.end - c.begin, tag);
        }
        if (excess == 0) break;
    }
}

// What an OpenDocument template cannot place yet is refused, never dropped: docxtpl's RichTextParagraph.
[[noreturn]] void refuse(const std::string& what, const std::string& what_vi) {
    core::EvalError e(what + " cannot be written in an OpenDocument (.odt) template yet",
                      "use a DOCX template, or a list and a paragraph loop");
    e.code = "data.odt_rich_text";
    e.message_vi = what_vi +
                   " chưa ghi được vào mẫu OpenDocument (.odt) — hãy dùng mẫu DOCX, hoặc một danh sách và vòng "
                   "lặp đoạn văn";
    throw e;
}

// Where the tag's text cannot be cut into paragraphs (inside a link, a field, a note's citation): the located error.
[[noreturn]] void refuse_break(bool page_break, bool in_note) {
    const std::string where = in_note ? "inside a footnote" : "here: the tag's text is inside a hyperlink or field";
    core::EvalError e(
        page_break ? "a page break (\\f) cannot be placed " + where : "a new paragraph (\\a) cannot be placed " + where,
        in_note ? "end the footnote's text before the page break" : "move the tag out of the hyperlink or field");
    e.code = "data.paragraph_break";
    const std::string where_vi = in_note ? "trong chú thích" : "ở chỗ thẻ này đứng (trong liên kết hoặc trường)";
    e.message_vi = page_break ? "không thể ngắt trang (\\f) " + where_vi : "không thể sang đoạn mới (\\a) " + where_vi;
    throw e;
}

// docxtpl's \a (a new paragraph like the tag's) and \f (the same on a new page), where the tag's text is open.
void split_paragraph(std::string& out, bool page_break, const OutputSite& site) {
    if (!site.splits_paragraph) refuse_break(page_break, false);
    out += page_break ? site.page_break_props : site.paragraph_props;
}

// Rich text's hyperlinks (RichSpan::url): a text:a around the spans of one target.
class LinkWriter {
public:
    LinkWriter(std::string& out, bool allowed) : out_(out), allowed_(allowed) {}
    ~LinkWriter() = default;

    void around(const RichSpan& s) {
        if (s.url == open_) return;
        close();
        if (s.url.empty()) return;
        if (!allowed_) {
            core::EvalError e(
                "a hyperlink (\"url\") cannot be placed here: the tag's text is inside a hyperlink or field",
                "move the tag out of the hyperlink or field, or give the address as text");
            e.code = "data.hyperlink_place";
            e.message_vi = "không thể đặt liên kết (\"url\") ở chỗ thẻ này đứng (trong liên kết hoặc trường)";
            throw e;
        }
        out_ += "<text:a xlink:type=\"simple\" xlink:href=\"";
        core::escape_xml_attribute(out_, s.url);
        out_ += "\">";
        open_ = s.url;
    }
    void close() {
        if (open_.empty()) return;
        out_ += "</text:a>";
        open_.clear();
    }

private:
    std::string& out_;
    bool allowed_;
    std::string open_;
};

class OdtEmitter final : public core::Emitter {
public:
    void text(std::string& out, std::string_view value, const OutputSite& site) const override {
        if (site.context == OutputSite::Context::attribute) {
            core::escape_xml_attribute(out, value);
            return;
        }
        for (std::size_t at = value.find_first_of("\a\f"); at != std::string_view::npos;
             at = value.find_first_of("\a\f")) {
            escape_text(out, value.substr(0, at));
            split_paragraph(out, value[at] == '\f', site);
            value.remove_prefix(at + 1);
        }
        escape_text(out, value);
    }

    void rich(std::string& out, const RichText& value, const OutputSite& site,
              core::RenderState& state) const override {
        if (!value.paragraph_styles.empty())
            refuse("several paragraphs (RichTextParagraph)", "nhiều đoạn văn (RichTextParagraph)");
        // Notes cannot stand in headers and footers (styles.xml): there the footnote markup is left out.
        const bool notes = !state.current_part || *state.current_part == odf::kContentPart;
        write_spans(out, value.spans, site, state, notes);
    }

    // A draw:frame with the picture, as a character of the line or anchored to the character where the tag stands.
    // The file goes to Pictures/ and into the manifest after rendering (api/package_images.cpp asks odt/odt_package.cpp).
    void image(std::string& out, const core::Image& image, const OutputSite&, core::RenderState& state) const override {
        const int number = state.images.place(image.data, *state.current_part);
        const std::string frame = std::to_string(state.images.next_frame());
        const bool floating = image.wrap != core::ImageWrap::inline_;
        out += "<draw:frame draw:style-name=\"";
        out += kImageStyles[static_cast<int>(image.wrap)];
        out +=
            "\" draw:name=\"vanban_image_" + frame + "\" text:anchor-type=\"" + (floating ? "char" : "as-char") + "\"";
        if (floating) out += " svg:x=\"" + core::odf_length(image.x) + "\" svg:y=\"" + core::odf_length(image.y) + "\"";
        out += " svg:width=\"" + core::odf_length(image.cx) + "\" svg:height=\"" + core::odf_length(image.cy) +
               "\" draw:z-index=\"" + frame + "\"><draw:image xlink:href=\"Pictures/" +
               core::ImageSession::media_name(number, image.data->header.format) +
               "\" xlink:type=\"simple\" xlink:show=\"embed\" xlink:actuate=\"onLoad\"/>";
        if (!image.description.empty()) {
            out += "<svg:desc>";
            core::escape_xml_attribute(out, image.description);
            out += "</svg:desc>";
        }
        out += "</draw:frame>";
    }

    void hook(std::string&, int, core::RenderState&) const override {}

    std::string_view empty_paragraph() const override { return "<text:p/>"; }

    bool has_paragraph(std::string_view produced) const override {
        for (std::string_view open : {"<text:p>", "<text:p ", "<text:p/>", "<text:h>", "<text:h ", "<text:h/>"})
            if (produced.find(open) != std::string_view::npos) return true;
        return false;
    }

    void fix_table(std::string& out, std::size_t start) const override { fix_table_columns(out, start); }

private:
    // `site` holds the emphasis styles and how to start a paragraph; `in_note`: the spans are a footnote's content.
    static void write_spans(std::string& out, const std::vector<RichSpan>& spans, const OutputSite& site,
                            core::RenderState& state, bool allow_notes, bool in_note = false) {
        LinkWriter link(out, in_note || site.splits_paragraph);
        for (const RichSpan& s : spans) {
            link.around(s);
            const std::size_t v = (s.bold ? 1u : 0u) | (s.italic ? 2u : 0u) | (s.underline ? 4u : 0u);
            switch (s.kind) {
                case RichSpan::Kind::text: write_text(out, s, site.run_props[v], state); break;
                case RichSpan::Kind::line_break: out += "<text:line-break/>"; break;
                case RichSpan::Kind::tab: out += "<text:tab/>"; break;
                case RichSpan::Kind::paragraph_break:
                case RichSpan::Kind::page_break: {
                    const bool page = s.kind == RichSpan::Kind::page_break;
                    if (!in_note) split_paragraph(out, page, site);
                    else if (page) refuse_break(true, true);
                    else out += "</text:p><text:p text:style-name=\"Footnote\">";
                    break;
                }
                case RichSpan::Kind::footnote: {
                    if (!allow_notes) break;
                    const std::string n = std::to_string(state.next_footnote_id++);
                    // A form's own mark ("(1)") is the citation's label: printed at the reference and in the note.
                    std::string citation = "<text:note-citation>" + n;
                    if (!s.mark.empty()) {
                        citation = "<text:note-citation text:label=\"";
                        core::escape_xml_attribute(citation, s.mark);
                        citation += "\">";
                        core::escape_xml_attribute(citation, s.mark);  // plain characters: no text:s in a citation
                    }
                    out += "<text:note text:id=\"vanban_ftn" + n + "\" text:note-class=\"footnote\">" + citation +
                           "</text:note-citation><text:note-body><text:p text:style-name=\"Footnote\">";
                    write_spans(out, s.footnote, site, state, false, true);
                    out += "</text:p></text:note-body></text:note>";
                    break;
                }
            }
        }
        link.close();
    }

    // A text span: in the emphasis style (vanban_b, …) when that is all it asks for, else in an automatic style of
    // its whole look made by this render (odt_rich.cpp).
    static void write_text(std::string& out, const RichSpan& s, const std::string& emphasis_style,
                           core::RenderState& state) {
        const std::string style = s.look.plain() ? emphasis_style : rich_text_style(state, s);
        if (style.empty()) {
            escape_text(out, s.text);
            return;
        }
        out += "<text:span text:style-name=\"" + style + "\">";
        escape_text(out, s.text);
        out += "</text:span>";
    }
};

}  // namespace

core::Program compile_part(std::string_view xml, const std::string& part_name, std::vector<Diagnostic>& errors,
                           core::PartHooks* hooks) {
    static const OdtDialect dialect;
    return core::compile_xml_part(xml, part_name, dialect, errors, hooks);
}

const core::Emitter& emitter() {
    static const OdtEmitter instance;
    return instance;
}

bool is_story_part(std::string_view name) { return name == odf::kContentPart || name == odf::kStylesPart; }

}  // namespace vanban::odt
