#include "docx/docx_part.hpp"

#include "docx/docx_package.hpp"
#include "docx/subdoc.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <initializer_list>
#include <optional>

#include <libxml/tree.h>

#include "core/richtext.hpp"
#include "core/xml_compiler.hpp"
#include "docx/ooxml_names.hpp"

namespace vanban::docx {

namespace {

using core::OutputSite;
using core::Role;
using core::xml_chars;

using ooxml::kRelationships;
using ooxml::kW;
using ooxml::kWordprocessingDrawing;
// Word has at most 63 columns: spans and grids past this come from absurd templates and are not followed.
constexpr std::size_t kMaxGridColumns = 4096;

bool is_w(const xmlNode* n, const char* local) { return core::has_name(n, kW, local); }

bool is_w_any(const xmlNode* n, std::initializer_list<const char*> names) {
    for (const char* name : names)
        if (is_w(n, name)) return true;
    return false;
}

// What WordprocessingML elements mean to the part compiler.
class DocxDialect final : public core::Dialect {
public:
    Role role(const xmlNode* c) const override {
        if (is_w(c, "t")) return Role::text;
        if (is_w_any(c, {"delText", "instrText", "rPr", "pPr", "proofErr", "bookmarkStart", "bookmarkEnd", "fldData",
                         "moveFrom", "del", "lastRenderedPageBreak", "permStart", "permEnd"}))
            return Role::ignore;
        if (is_w_any(c, {"tab", "br", "cr", "ptab"})) return Role::soft;
        if (is_w_any(c, {"r", "hyperlink", "smartTag", "ins", "sdt", "sdtContent", "customXml", "fldSimple", "dir",
                         "bdo", "moveTo"}))
            return Role::transparent;
        // drawings, fields, symbols, note references, AlternateContent, ...: visible, but not text
        return Role::hard;
    }
    bool text_in_character_data() const override { return false; }
    bool is_paragraph(const xmlNode* n) const override { return is_w(n, "p"); }
    bool is_row(const xmlNode* n) const override { return is_w(n, "tr"); }
    bool is_cell(const xmlNode* n) const override { return is_w(n, "tc"); }
    bool is_boundary(const xmlNode* n) const override { return is_w_any(n, {"body", "txbxContent"}); }
    bool needs_paragraph(const xmlNode* n) const override {
        return is_w_any(n, {"tc", "txbxContent", "footnote", "endnote", "hdr", "ftr", "comment"});
    }
    xmlNode* run_of(xmlNode* holder) const override {
        return holder && holder->parent && is_w(holder->parent, "r") ? holder->parent : nullptr;
    }
    void text_changed(xmlDoc* doc, xmlNode* t) const override {
        xmlNs* xml_ns = xmlSearchNsByHref(doc, t, XML_XML_NAMESPACE);
        xmlSetNsProp(t, xml_ns, xml_chars("space"), xml_chars("preserve"));
    }
    bool removable_when_empty(const xmlNode* parent) const override { return is_w(parent, "r"); }
    // Tracked changes (w:ins, w:moveTo), content controls and fields carry ids or instructions: they are not cut.
    bool splittable(const xmlNode* n) const override {
        return is_w_any(n, {"t", "r", "hyperlink", "smartTag", "customXml", "dir", "bdo"});
    }
    bool is_properties(const xmlNode* n) const override { return is_w_any(n, {"rPr", "smartTagPr", "customXmlPr"}); }
    bool is_table(const xmlNode* n) const override { return is_w(n, "tbl"); }
    bool holds_section_break(const xmlNode* p) const override { return child(child(p, "pPr"), "sectPr") != nullptr; }

    std::optional<AttributeSlot> cell_slot(xmlDoc* doc, xmlNode* cell, CellSlot which) const override {
        xmlNs* w = xmlSearchNsByHref(doc, cell, xml_chars(kW));
        xmlNode* props = child(cell, "tcPr");
        if (!props) {
            props = xmlNewDocNode(doc, w, xml_chars("tcPr"), nullptr);
            if (cell->children) xmlAddPrevSibling(cell->children, props);
            else xmlAddChild(cell, props);
        }
        const char* name = which == CellSlot::span    ? "gridSpan"
                           : which == CellSlot::fill  ? "shd"
                           : which == CellSlot::width ? "tcW"
                                                      : "vMerge";
        xmlNode* element = child(props, name);
        if (!element) {
            element = xmlNewDocNode(doc, w, xml_chars(name), nullptr);
            insert_in_order(props, element, kCellPropertyOrder);
        }
        if (which == CellSlot::fill) {  // docxtpl's shading: a plain fill
            xmlSetNsProp(element, w, xml_chars("val"), xml_chars("clear"));
            xmlSetNsProp(element, w, xml_chars("color"), xml_chars("auto"));
            return AttributeSlot{element, w, "fill"};
        }
        if (which == CellSlot::width) {
            xmlSetNsProp(element, w, xml_chars("type"), xml_chars("dxa"));
            return AttributeSlot{element, w, "w", kPointsToTwips};
        }
        return AttributeSlot{element, w, "val"};
    }

    std::optional<AttributeSlot> paragraph_slot(xmlDoc* doc, xmlNode* paragraph, ParagraphSlot which,
                                                std::string&) const override {
        xmlNs* w = xmlSearchNsByHref(doc, paragraph, xml_chars(kW));
        xmlNode* props = child(paragraph, "pPr");
        if (!props) {
            props = xmlNewDocNode(doc, w, xml_chars("pPr"), nullptr);
            if (paragraph->children) xmlAddPrevSibling(paragraph->children, props);
            else xmlAddChild(paragraph, props);
        }
        const char* name = which == ParagraphSlot::style          ? "pStyle"
                           : which == ParagraphSlot::space_before ? "spacing"
                                                                  : "ind";
        xmlNode* element = child(props, name);
        if (!element) {
            element = xmlNewDocNode(doc, w, xml_chars(name), nullptr);
            insert_in_order(props, element, kParagraphPropertyOrder);
        }
        switch (which) {
            case ParagraphSlot::style: return AttributeSlot{element, w, "val"};
            case ParagraphSlot::indent_left: return AttributeSlot{element, w, "left", kPointsToTwips};
            case ParagraphSlot::indent_right: return AttributeSlot{element, w, "right", kPointsToTwips};
            case ParagraphSlot::space_before: return AttributeSlot{element, w, "before", kPointsToTwips};
        }
        return std::nullopt;
    }

    int cell_span(const xmlNode* cell) const override {
        const xmlNode* span = child(child(cell, "tcPr"), "gridSpan");
        if (!span) return 1;
        xmlChar* v = xmlGetNsProp(span, xml_chars("val"), xml_chars(kW));
        int n = 1;
        if (v) {
            const std::string_view text(reinterpret_cast<const char*>(v));
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
            if (ec == std::errc::result_out_of_range) n = static_cast<int>(kMaxGridColumns);
            n = std::min(n, static_cast<int>(kMaxGridColumns));
            xmlFree(v);
        }
        return n > 0 ? n : 1;
    }

    // Run properties of the host run for every emphasis combination, in schema order (Word refuses misordered rPr).
    void describe_site(xmlDoc* doc, xmlNode* holder, OutputSite& site) const override {
        xmlNode* run = run_of(holder);
        xmlNode* host_rpr = nullptr;
        if (run)
            for (xmlNode* c = run->children; c; c = c->next)
                if (is_w(c, "rPr")) host_rpr = c;
        xmlNs* w = xmlSearchNsByHref(doc, xmlDocGetRootElement(doc), xml_chars(kW));
        for (int v = 0; v < 8; ++v) {
            if (v == 0 && !host_rpr) continue;
            xmlNode* rpr =
                host_rpr ? core::copy_with_slots(doc, host_rpr) : xmlNewDocNode(doc, w, xml_chars("rPr"), nullptr);
            if (v & 1) {
                put(doc, rpr, w, "b", nullptr);
                put(doc, rpr, w, "bCs", nullptr);
            }
            if (v & 2) {
                put(doc, rpr, w, "i", nullptr);
                put(doc, rpr, w, "iCs", nullptr);
            }
            if (v & 4) put(doc, rpr, w, "u", "single");
            const auto variant = static_cast<std::size_t>(v);
            site.run_props[variant] = core::dump_element(doc, rpr, site.prop_slots[variant]);
            xmlFreeNode(rpr);
        }
        describe_paragraph(doc, run, site);
    }

    // The host paragraph's w:pPr for docxtpl's \a and \f, without its section break (a section ends once, at the
    // last of the paragraphs the value makes). A run inside a hyperlink, field or content control cannot be cut out.
    void describe_paragraph(xmlDoc* doc, xmlNode* run, OutputSite& site) const {
        xmlNode* paragraph = run ? run->parent : nullptr;
        if (!paragraph || !is_w(paragraph, "p")) return;
        site.splits_paragraph = true;
        xmlNode* ppr = child(paragraph, "pPr");
        if (!ppr) return;
        xmlNode* copy = core::copy_with_slots(doc, ppr);
        for (xmlNode* c = copy->children; c;) {
            xmlNode* next = c->next;
            if (is_w(c, "sectPr")) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
            c = next;
        }
        site.paragraph_props = core::dump_element(doc, copy, site.paragraph_prop_slots);
        xmlFreeNode(copy);
    }

    // Footnotes produced by rich text are appended at the end of the footnotes part (where the compiler puts its hook
    // slot), numbered after its own. Pictures from the data are written with the wp: and r: prefixes (a: and pic: are
    // declared where they are used, as Word does): the root declares them.
    void finish(xmlDoc*, xmlNode* root, core::PartHooks* hooks) const override {
        core::declare_namespace(root, kWordprocessingDrawing, "wp");
        core::declare_namespace(root, kRelationships, "r");
        if (!hooks || !hooks->footnotes_part) return;
        hooks->max_footnote_id = 0;
        for (xmlNode* c = root->children; c; c = c->next) {
            if (!is_w(c, "footnote")) continue;
            xmlChar* id = xmlGetNsProp(c, xml_chars("id"), xml_chars(kW));
            if (id) {
                // Ids past a million are absurd (and would overflow the numbering of new footnotes): left as they are.
                const std::string_view text(reinterpret_cast<const char*>(id));
                int value = 0;
                const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
                if (ec == std::errc() && value < 1'000'000)
                    hooks->max_footnote_id = std::max(hooks->max_footnote_id, value);
                xmlFree(id);
            }
        }
    }

private:
    // Schema order of the children of w:rPr and w:tcPr (Word refuses misordered properties).
    static constexpr const char* kRunPropertyOrder[] = {"rStyle",
                                                        "rFonts",
                                                        "b",
                                                        "bCs",
                                                        "i",
                                                        "iCs",
                                                        "caps",
                                                        "smallCaps",
                                                        "strike",
                                                        "dstrike",
                                                        "outline",
                                                        "shadow",
                                                        "emboss",
                                                        "imprint",
                                                        "noProof",
                                                        "snapToGrid",
                                                        "vanish",
                                                        "webHidden",
                                                        "color",
                                                        "spacing",
                                                        "w",
                                                        "kern",
                                                        "position",
                                                        "sz",
                                                        "szCs",
                                                        "highlight",
                                                        "u",
                                                        "effect",
                                                        "bdr",
                                                        "shd",
                                                        "fitText",
                                                        "vertAlign",
                                                        "rtl",
                                                        "cs",
                                                        "em",
                                                        "lang",
                                                        "eastAsianLayout",
                                                        "specVanish",
                                                        "oMath",
                                                        nullptr};
    static constexpr const char* kPointsToTwips = "((({}) * 20) | round | int)";
    static constexpr const char* kParagraphPropertyOrder[] = {"pStyle",
                                                              "keepNext",
                                                              "keepLines",
                                                              "pageBreakBefore",
                                                              "framePr",
                                                              "widowControl",
                                                              "numPr",
                                                              "suppressLineNumbers",
                                                              "pBdr",
                                                              "shd",
                                                              "tabs",
                                                              "suppressAutoHyphens",
                                                              "kinsoku",
                                                              "wordWrap",
                                                              "overflowPunct",
                                                              "topLinePunct",
                                                              "autoSpaceDE",
                                                              "autoSpaceDN",
                                                              "bidi",
                                                              "adjustRightInd",
                                                              "snapToGrid",
                                                              "spacing",
                                                              "ind",
                                                              "contextualSpacing",
                                                              "mirrorIndents",
                                                              "suppressOverlap",
                                                              "jc",
                                                              "textDirection",
                                                              "textAlignment",
                                                              "textboxTightWrap",
                                                              "outlineLvl",
                                                              "divId",
                                                              "cnfStyle",
                                                              "rPr",
                                                              "sectPr",
                                                              "pPrChange",
                                                              nullptr};
    static constexpr const char* kCellPropertyOrder[] = {
        "cnfStyle", "tcW",     "gridSpan",      "hMerge",     "vMerge", "tcBorders", "shd",
        "noWrap",   "tcMar",   "textDirection", "tcFitText",  "vAlign", "hideMark",  "headers",
        "cellIns",  "cellDel", "cellMerge",     "tcPrChange", nullptr};

    static int rank(const xmlNode* n, const char* const* order) {
        for (int k = 0; order[k]; ++k)
            if (std::strcmp(reinterpret_cast<const char*>(n->name), order[k]) == 0) return k;
        return 100;
    }

    static void insert_in_order(xmlNode* parent, xmlNode* e, const char* const* order) {
        const int r = rank(e, order);
        for (xmlNode* c = parent->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE && rank(c, order) > r) {
                xmlAddPrevSibling(c, e);
                return;
            }
        }
        xmlAddChild(parent, e);
    }

    static xmlNode* child(const xmlNode* parent, const char* name) {
        if (!parent) return nullptr;
        for (xmlNode* c = parent->children; c; c = c->next)
            if (is_w(c, name)) return c;
        return nullptr;
    }

    static void put(xmlDoc* doc, xmlNode* rpr, xmlNs* w, const char* name, const char* val) {
        for (xmlNode* c = rpr->children; c;) {
            xmlNode* next = c->next;
            if (is_w(c, name)) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
            c = next;
        }
        xmlNode* e = xmlNewDocNode(doc, w, xml_chars(name), nullptr);
        if (val) xmlNewNsProp(e, w, xml_chars("val"), xml_chars(val));
        insert_in_order(rpr, e, kRunPropertyOrder);
    }
};

// ---------------------------------------------------------------------------------------------------------------

void escape_text(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '\n': out += "</w:t><w:br/><w:t xml:space=\"preserve\">"; break;
            case '\t': out += "</w:t><w:tab/><w:t xml:space=\"preserve\">"; break;
            case '\r': break;
            default:
                // characters XML 1.0 forbids are dropped rather than producing a file Word refuses
                if (static_cast<unsigned char>(c) < 0x20) break;
                out += c;
        }
    }
}

// The cells of one rendered row: how many grid columns they cover and, when every cell has a width in twips and
// covers one column, those widths.
struct RowWidths {
    long columns = 0;
    std::vector<long> widths;
    bool exact = true;
};

// The new grid when the loops changed the number of columns. A fixed-layout table is drawn from its grid, so there
// the widths the template gave the cells of the widest row win ({% cellwidth %}: the same widths as the ODT
// columns); otherwise widths as docxtpl sets them: added columns share the table's width evenly with the old ones
// scaled down; the width of removed columns is spread over the others.
std::vector<long> new_grid(const std::vector<long>& widths, const RowWidths& widest, bool fixed_layout) {
    const auto target = static_cast<std::size_t>(widest.columns);
    if (fixed_layout && widest.exact && widest.widths.size() == target) return widest.widths;
    const std::size_t columns = widths.size();
    double total = 0;
    for (long w : widths) total += w > 0 ? static_cast<double>(w) : 0.0;
    std::vector<long> fixed;
    if (target > columns) {
        const double scale = static_cast<double>(columns) / static_cast<double>(target);
        for (long w : widths) fixed.push_back(w < 0 ? w : static_cast<long>(static_cast<double>(w) * scale));
        for (std::size_t k = columns; k < target; ++k)
            fixed.push_back(total > 0 ? static_cast<long>(total / static_cast<double>(target)) : -1);
    } else {
        double removed = 0;
        for (std::size_t k = target; k < columns; ++k) removed += widths[k] > 0 ? static_cast<double>(widths[k]) : 0.0;
        const auto extra = static_cast<long>(removed / static_cast<double>(target));
        for (std::size_t k = 0; k < target; ++k) fixed.push_back(widths[k] < 0 ? widths[k] : widths[k] + extra);
    }
    return fixed;
}

// Rewrites the w:gridCol list of a rendered table (its content is out[start..]) so that the grid has as many columns
// as its widest row spans: cells times their w:gridSpan, plus w:gridBefore and w:gridAfter (widths: new_grid).
void fix_table_grid(std::string& out, std::size_t start) {
    std::size_t grid_begin = std::string::npos, grid_end = std::string::npos;
    std::vector<long> widths;
    bool in_change = false;  // w:tblGridChange holds the grid before a tracked change
    bool fixed_layout = false;
    RowWidths row, widest;
    core::for_each_table_tag(out, start, "w:tbl", [&](const core::RenderedTag& tag) {
        if (tag.name == "w:tblGridChange") {
            in_change = !tag.end_tag && !tag.empty;
        } else if (tag.name == "w:tr") {
            if (!tag.end_tag) row = {};
            else if (row.columns > widest.columns) widest = row;
        } else if (tag.end_tag) {
            return;
        } else if (tag.name == "w:tblLayout") {
            fixed_layout = tag.text.find("w:type=\"fixed\"") != std::string_view::npos;
        } else if (tag.name == "w:gridCol" && !in_change) {
            if (grid_begin == std::string::npos) grid_begin = tag.begin;
            grid_end = tag.begin + tag.text.size();
            widths.push_back(tag.number("w:w", -1));
        } else if (tag.name == "w:tc") {
            ++row.columns;
        } else if (tag.name == "w:tcW") {
            const long w = tag.number("w:w", 0);
            if (w > 0 && tag.text.find("w:type=\"dxa\"") != std::string_view::npos) row.widths.push_back(w);
            else row.exact = false;
        } else if (tag.name == "w:gridSpan") {
            const long span = std::max(1L, tag.number("w:val", 1));
            row.columns += span - 1;
            row.exact = row.exact && span == 1;
        } else if (tag.name == "w:gridBefore" || tag.name == "w:gridAfter") {
            row.columns += std::max(0L, tag.number("w:val", 0));
            row.exact = false;
        }
    });
    const auto target = static_cast<std::size_t>(widest.columns);
    if (grid_begin == std::string::npos || target == 0 || target == widths.size()) return;
    if (target > kMaxGridColumns) return;  // (absurd spans in the template: the grid is left as it is)
    std::string grid;
    for (long w : new_grid(widths, widest, fixed_layout))
        grid += w < 0 ? std::string("<w:gridCol/>") : "<w:gridCol w:w=\"" + std::to_string(w) + "\"/>";
    out.replace(grid_begin, grid_end - grid_begin, grid);
}

// Schema order of the children of w:rPr that rich text sets (Word refuses misordered properties).
constexpr std::string_view kLookOrder[] = {"rStyle", "rFonts", "b",    "bCs",       "i", "iCs",      "strike",
                                           "color",  "sz",     "szCs", "highlight", "u", "vertAlign"};

std::string_view element_name(std::string_view element) {
    const std::size_t from = element.starts_with("<w:") ? 3 : 1;
    return element.substr(from, element.find_first_of(" />", from) - from);
}

// The top-level children of a serialised w:rPr, each as written.
std::vector<std::string_view> rpr_children(std::string_view rpr) {
    std::vector<std::string_view> children;
    if (rpr.empty() || rpr.find('>') == rpr.size() - 1) return children;  // none, or <w:rPr/>
    std::size_t i = rpr.find('>') + 1;
    const std::size_t end = rpr.rfind("</");
    int depth = 0;
    std::size_t start = i;
    while ((i = rpr.find('<', i)) < end) {  // (white space between children is left out)
        const std::size_t close = rpr.find('>', i);
        const bool closing = rpr[i + 1] == '/', empty = rpr[close - 1] == '/';
        if (depth == 0) start = i;
        depth += closing ? -1 : empty ? 0 : 1;
        i = close + 1;
        if (depth == 0) children.push_back(rpr.substr(start, i - start));
    }
    return children;
}

int look_rank(std::string_view name) {
    for (std::size_t k = 0; k < std::size(kLookOrder); ++k)
        if (kLookOrder[k] == name) return static_cast<int>(k);
    return -1;
}

std::string attr_escaped(std::string_view value) {
    std::string out;
    core::escape_xml_attribute(out, value);
    return out;
}

// The elements docxtpl's RichText writes for `look`, as docxtpl writes them, by name.
std::vector<std::pair<std::string_view, std::string>> look_elements(const RunLook& look, bool underline) {
    std::vector<std::pair<std::string_view, std::string>> e;
    if (!look.style.empty()) e.emplace_back("rStyle", "<w:rStyle w:val=\"" + attr_escaped(look.style) + "\"/>");
    if (!look.font.empty()) {
        const std::string font = attr_escaped(look.font);
        std::string region = look.font_region.empty() ? "" : " w:" + look.font_region + "=\"" + font + "\"";
        if (look.font_region == "ascii" || look.font_region == "hAnsi") region.clear();  // already written
        e.emplace_back("rFonts", "<w:rFonts w:ascii=\"" + font + "\" w:hAnsi=\"" + font + "\" w:cs=\"" + font + "\"" +
                                     (look.font_region == "cs" ? "" : region) + "/>");
    }
    if (look.strike) e.emplace_back("strike", "<w:strike/>");
    if (!look.color.empty()) e.emplace_back("color", "<w:color w:val=\"" + look.color + "\"/>");
    if (look.half_points > 0) {
        e.emplace_back("sz", "<w:sz w:val=\"" + std::to_string(look.half_points) + "\"/>");
        e.emplace_back("szCs", "<w:szCs w:val=\"" + std::to_string(look.half_points) + "\"/>");
    }
    if (!look.highlight.empty()) e.emplace_back("highlight", "<w:highlight w:val=\"" + look.highlight + "\"/>");
    if (underline && !look.underline_style.empty())
        e.emplace_back("u", "<w:u w:val=\"" + look.underline_style + "\"/>");
    if (look.vert_align != RunLook::VertAlign::none)
        e.emplace_back("vertAlign", look.vert_align == RunLook::VertAlign::subscript
                                        ? "<w:vertAlign w:val=\"subscript\"/>"
                                        : "<w:vertAlign w:val=\"superscript\"/>");
    return e;
}

// The host run's properties (with emphasis) and the span's look: the look's elements replace the host's of the same
// name; all in schema order (elements rich text does not set keep their place after those that precede them).
std::string with_look(const std::string& rpr, const RunLook& look, bool underline) {
    if (look.plain()) return rpr;
    auto added = look_elements(look, underline);
    std::vector<std::pair<int, std::string>> children;  // (rank, xml); unknown elements keep the previous rank
    int previous = -1;
    for (std::string_view c : rpr_children(rpr)) {
        const std::string_view name = element_name(c);
        const bool replaced = std::any_of(added.begin(), added.end(), [&](const auto& a) { return a.first == name; });
        const int r = look_rank(name);
        previous = r >= 0 ? r : previous;
        if (!replaced) children.emplace_back(r >= 0 ? r : previous, std::string(c));
    }
    for (auto& [name, xml] : added) {
        const int r = look_rank(name);
        auto at = std::find_if(children.begin(), children.end(), [&](const auto& c) { return c.first > r; });
        children.emplace(at, r, std::move(xml));
    }
    std::string out = "<w:rPr>";
    for (const auto& c : children) out += c.second;
    return out + "</w:rPr>";
}

// docxtpl's \a: the run and paragraph end, a new paragraph with the same properties begins; \f: the same with an
// empty paragraph holding a page break between them. Written where the text of a run is open.
void split_paragraph(std::string& out, bool page_break, const OutputSite& site) {
    if (!site.splits_paragraph) {
        core::EvalError e(page_break
                              ? "a page break (\\f) cannot be placed here: the tag's run is inside a hyperlink, "
                                "field or content control"
                              : "a new paragraph (\\a) cannot be placed here: the tag's run is inside a hyperlink, "
                                "field or content control",
                          "move the tag out of the hyperlink, field or content control");
        e.code = "data.paragraph_break";
        e.message_vi =
            page_break ? "không thể ngắt trang (\\f) ở chỗ thẻ này đứng (trong liên kết, trường hoặc ô nhập liệu)"
                       : "không thể sang đoạn mới (\\a) ở chỗ thẻ này đứng (trong liên kết, trường hoặc ô nhập liệu)";
        throw e;
    }
    out += "</w:t></w:r></w:p>";
    if (page_break) out += "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>";
    out += "<w:p>" + site.paragraph_props + "<w:r>" + site.run_props[0] + "<w:t xml:space=\"preserve\">";
}

constexpr std::string_view kFootnotesPart = "word/footnotes.xml";

// Rich text's hyperlinks (RichSpan::url): a w:hyperlink around the runs of one target, related by the part that
// shows it (docx_package.cpp lists the relationships after the render).
class LinkWriter {
public:
    LinkWriter(std::string& out, core::RenderState& state, const std::string& part, bool allowed)
        : out_(out), state_(state), part_(part), allowed_(allowed) {}

    // Before the span `s`: closes the link it is not part of, opens the one it starts.
    void around(const RichSpan& s) {
        if (s.url == open_) return;
        close();
        if (s.url.empty()) return;
        if (!allowed_) {
            core::EvalError e(
                "a hyperlink (\"url\") cannot be placed here: the tag's run is inside a hyperlink, field or "
                "content control",
                "move the tag out of the hyperlink, field or content control, or give the address as text");
            e.code = "data.hyperlink_place";
            e.message_vi =
                "không thể đặt liên kết (\"url\") ở chỗ thẻ này đứng (trong liên kết, trường hoặc ô nhập liệu)";
            throw e;
        }
        auto& targets = state_.hyperlinks[part_];
        const int number = targets.emplace(s.url, static_cast<int>(targets.size()) + 1).first->second;
        out_ += "<w:hyperlink r:id=\"" + hyperlink_relationship_id(id_base(), number) + "\" w:history=\"1\">";
        open_ = s.url;
    }

    int id_base() {
        if (!id_base_) id_base_ = link_id_base(state_, part_);
        return *id_base_;
    }

    void close() {
        if (open_.empty()) return;
        out_ += "</w:hyperlink>";
        open_.clear();
    }

    // A link looks like a link: Word's "Hyperlink" character style when the template has it, else its look (blue,
    // underlined); a style, colour or underline the span gives wins.
    void dress(RunLook& look, bool& underline) {
        if (!look.style.empty()) return;
        if (!styled_) styled_ = has_hyperlink_style(state_);
        if (*styled_) {
            look.style = "Hyperlink";
            return;
        }
        if (look.color.empty()) look.color = "0563C1";
        underline = true;
    }

private:
    std::string& out_;
    core::RenderState& state_;
    const std::string& part_;
    bool allowed_;
    std::string open_;
    std::optional<bool> styled_;
    std::optional<int> id_base_;  // the part's link_id_base, read at the value's first link
};

class DocxEmitter final : public core::Emitter {
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
        ParagraphFlow flow{site.splits_paragraph, {site.paragraph_props}, 0};
        if (!value.paragraph_styles.empty()) {
            start_paragraphs(out, value, site, flow);
        } else {
            // Close the host run — or, when the tag opened it and nothing was written yet, drop the empty run.
            const std::string opener = "<w:r>" + site.run_props[0] + "<w:t xml:space=\"preserve\">";
            if (std::string_view(out).ends_with(opener)) out.resize(out.size() - opener.size());
            else out += "</w:t></w:r>";
        }
        write_spans(out, value.spans, site.run_props, state, {*state.current_part, true}, flow);
        out += "<w:r>";
        out += site.run_props[0];
        out += "<w:t xml:space=\"preserve\">";
    }

    // A DrawingML picture in the tag's run: inline (w:drawing/wp:inline) or floating (wp:anchor, positioned from the
    // character where the tag stands and the top of its paragraph). Its media part and relationship are added to the
    // package after rendering, and wp:docPr ids renumbered (docx/docx_package.cpp, asked by api/package_images.cpp).
    void image(std::string& out, const core::Image& image, const OutputSite&, core::RenderState& state) const override {
        const int number = state.images.place(image.data, *state.current_part);
        const int frame = state.images.next_frame();
        const std::string cx = std::to_string(image.cx), cy = std::to_string(image.cy);
        std::string descr;
        if (!image.description.empty()) {
            descr = " descr=\"";
            core::escape_xml_attribute(descr, image.description);
            descr += "\"";
        }
        out += "</w:t><w:drawing>";
        if (image.wrap == core::ImageWrap::inline_) {
            out += "<wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">";
        } else {
            out += "<wp:anchor distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\" simplePos=\"0\" relativeHeight=\"";
            out += std::to_string(251659264 + frame);
            out += image.wrap == core::ImageWrap::behind ? "\" behindDoc=\"1\"" : "\" behindDoc=\"0\"";
            out +=
                " locked=\"0\" layoutInCell=\"1\" allowOverlap=\"1\"><wp:simplePos x=\"0\" y=\"0\"/>"
                "<wp:positionH relativeFrom=\"character\"><wp:posOffset>";
            out += std::to_string(image.x);
            out += "</wp:posOffset></wp:positionH><wp:positionV relativeFrom=\"paragraph\"><wp:posOffset>";
            out += std::to_string(image.y);
            out += "</wp:posOffset></wp:positionV>";
        }
        out += "<wp:extent cx=\"" + cx + "\" cy=\"" + cy + "\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/>";
        if (image.wrap != core::ImageWrap::inline_) out += "<wp:wrapNone/>";
        out += "<wp:docPr id=\"" + std::to_string(frame) + "\" name=\"Picture " + std::to_string(frame) + "\"" + descr +
               "/>";
        out +=
            "<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
            "noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>"
            "<a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">"
            "<a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">"
            "<pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:nvPicPr><pic:cNvPr id=\"0\" name=\"";
        out += core::ImageSession::media_name(number, image.data->header.format);
        out +=
            "\"" + descr + "/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"" +
            core::image_relationship_id(number) +
            "\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"" +
            cx + "\" cy=\"" + cy +
            "\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>";
        out += image.wrap == core::ImageWrap::inline_ ? "</wp:inline>" : "</wp:anchor>";
        out += "</w:drawing><w:t xml:space=\"preserve\">";
    }

    // A sub-document's body replaces the paragraph (docx/subdoc.cpp).
    void subdoc(std::string& out, const core::json& object, const OutputSite& site,
                core::RenderState& state) const override {
        write_subdoc(out, object, site, state);
    }

    void hook(std::string& out, int, core::RenderState& state) const override { out += state.footnotes; }

    std::string plain_text(std::string_view rendered) const override { return core::xml_visible_text(rendered, "w:t"); }

    // A run of its own with the run properties of the block's first run.
    void text_run(std::string& out, std::string_view value, std::string_view body) const override {
        out += "<w:r>";
        std::size_t props = body.find("<w:rPr>");
        if (props == std::string_view::npos) props = body.find("<w:rPr ");
        const std::size_t end = props == std::string_view::npos ? props : body.find("</w:rPr>", props);
        if (end != std::string_view::npos) out += body.substr(props, end + 8 - props);
        out += "<w:t xml:space=\"preserve\">";
        text(out, value, {});
        out += "</w:t></w:r>";
    }

    std::string_view empty_paragraph() const override { return "<w:p/>"; }

    bool has_paragraph(std::string_view produced) const override {
        return produced.find("<w:p>") != std::string_view::npos || produced.find("<w:p ") != std::string_view::npos ||
               produced.find("<w:p/>") != std::string_view::npos;
    }

    void fix_table(std::string& out, std::size_t start) const override { fix_table_grid(out, start); }

private:
    // Where rich text's \a and \f may start a paragraph, and the properties of each paragraph (the last repeats).
    struct ParagraphFlow {
        bool allowed = false;
        std::vector<std::string> props;
        std::size_t current = 0;
        const std::string& next() {
            if (current + 1 < props.size()) ++current;
            return props[current];
        }
    };

    // docxtpl's RichTextParagraph replaces the tag's paragraph: the host paragraph is dropped when the tag is all it
    // holds so far (else closed), and the first paragraph of the value opens. Its last paragraph takes what follows
    // the tag and the host's closing tags.
    static void start_paragraphs(std::string& out, const RichText& value, const OutputSite& site, ParagraphFlow& flow) {
        if (!site.splits_paragraph) split_paragraph(out, false, site);  // (throws the located error)
        flow.props.clear();
        for (const std::string& style : value.paragraph_styles)
            flow.props.push_back(style.empty() ? ""
                                               : "<w:pPr><w:pStyle w:val=\"" + attr_escaped(style) + "\"/></w:pPr>");
        const std::string opener = "<w:r>" + site.run_props[0] + "<w:t xml:space=\"preserve\">";
        const std::size_t plain = out.rfind("<w:p>"), with_attributes = out.rfind("<w:p ");
        const std::size_t start = plain == std::string::npos             ? with_attributes
                                  : with_attributes == std::string::npos ? plain
                                                                         : std::max(plain, with_attributes);
        bool empty = start != std::string::npos && std::string_view(out).ends_with(opener);
        if (empty) {
            std::string_view head = std::string_view(out).substr(start, out.size() - opener.size() - start);
            const std::size_t props_end = head.find("</w:pPr>");
            if (props_end != std::string_view::npos) head.remove_prefix(props_end + 8);
            empty = head.find('<', 1) == std::string_view::npos && head.find("sectPr") == std::string_view::npos;
        }
        if (empty) out.resize(start);
        else out += "</w:t></w:r></w:p>";
        out += "<w:p>" + flow.props.front();
    }

    // Where spans are written: the part (a footnote's content goes to word/footnotes.xml), and whether a footnote may
    // stand there (footnotes do not nest).
    struct Place {
        const std::string& part;
        bool allow_footnotes = true;
    };

    // The spans as runs. Consecutive spans with the same link target make one w:hyperlink.
    static void write_spans(std::string& out, const std::vector<RichSpan>& spans,
                            const std::array<std::string, 8>& props, core::RenderState& state, const Place& place,
                            ParagraphFlow& flow) {
        const bool allow_footnotes = place.allow_footnotes;
        LinkWriter link{out, state, place.part, flow.allowed};
        for (const RichSpan& s : spans) {
            link.around(s);
            RunLook look = s.look;
            bool underline = s.underline;
            if (!s.url.empty()) link.dress(look, underline);
            std::size_t v = (s.bold ? 1u : 0u) | (s.italic ? 2u : 0u) | (underline ? 4u : 0u);
            switch (s.kind) {
                case RichSpan::Kind::text:
                    out += "<w:r>";
                    out += with_look(props[v], look, underline);
                    out += "<w:t xml:space=\"preserve\">";
                    escape_text(out, s.text);
                    out += "</w:t></w:r>";
                    break;
                case RichSpan::Kind::tab:
                    out += "<w:r>";
                    out += with_look(props[v], look, underline);
                    out += "<w:tab/></w:r>";
                    break;
                case RichSpan::Kind::paragraph_break:
                case RichSpan::Kind::page_break: {
                    const bool page = s.kind == RichSpan::Kind::page_break;
                    if (!flow.allowed) {
                        OutputSite nowhere;
                        split_paragraph(out, page, nowhere);  // (throws the located error)
                    }
                    out += "</w:p>";
                    if (page) out += "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>";
                    out += "<w:p>" + flow.next();
                    break;
                }
                case RichSpan::Kind::line_break:
                    out += "<w:r>";
                    out += with_look(props[v], look, underline);
                    out += "<w:br/></w:r>";
                    break;
                case RichSpan::Kind::footnote: {
                    if (!allow_footnotes) break;
                    const std::string id = std::to_string(state.next_footnote_id++);
                    const std::string ref_props =
                        "<w:rPr><w:rStyle w:val=\"FootnoteReference\"/><w:vertAlign w:val=\"superscript\"/></w:rPr>";
                    // A form's own mark ("(1)"): w:customMarkFollows, the mark as the run's text, here and in the note.
                    std::string mark_text;
                    if (!s.mark.empty()) escape_text(mark_text, s.mark);
                    out += "<w:r>" + ref_props + "<w:footnoteReference w:id=\"" + id + "\"" +
                           (s.mark.empty()
                                ? "/>"
                                : " w:customMarkFollows=\"1\"/><w:t xml:space=\"preserve\">" + mark_text + "</w:t>") +
                           "</w:r>";
                    std::string& f = state.footnotes;
                    f += "<w:footnote w:id=\"" + id + "\"><w:p><w:pPr><w:pStyle w:val=\"FootnoteText\"/></w:pPr><w:r>" +
                         ref_props +
                         (s.mark.empty() ? "<w:footnoteRef/>" : "<w:t xml:space=\"preserve\">" + mark_text + "</w:t>") +
                         "</w:r><w:r><w:t xml:space=\"preserve\"> </w:t></w:r>";
                    static const std::array<std::string, 8> plain = {
                        "",
                        "<w:rPr><w:b/><w:bCs/></w:rPr>",
                        "<w:rPr><w:i/><w:iCs/></w:rPr>",
                        "<w:rPr><w:b/><w:bCs/><w:i/><w:iCs/></w:rPr>",
                        "<w:rPr><w:u w:val=\"single\"/></w:rPr>",
                        "<w:rPr><w:b/><w:bCs/><w:u w:val=\"single\"/></w:rPr>",
                        "<w:rPr><w:i/><w:iCs/><w:u w:val=\"single\"/></w:rPr>",
                        "<w:rPr><w:b/><w:bCs/><w:i/><w:iCs/><w:u w:val=\"single\"/></w:rPr>"};
                    ParagraphFlow note_flow{true, {"<w:pPr><w:pStyle w:val=\"FootnoteText\"/></w:pPr>"}, 0};
                    static const std::string footnotes_part(kFootnotesPart);
                    write_spans(f, s.footnote, plain, state, {footnotes_part, false}, note_flow);
                    f += "</w:p></w:footnote>";
                    break;
                }
            }
        }
        link.close();
    }
};

}  // namespace

core::Program compile_part(std::string_view xml, const std::string& part_name, std::vector<Diagnostic>& errors,
                           PartInfo* info) {
    static const DocxDialect dialect;
    return core::compile_xml_part(xml, part_name, dialect, errors, info);
}

const core::Emitter& emitter() {
    static const DocxEmitter instance;
    return instance;
}

bool is_story_part(std::string_view name) {
    auto ends_xml = name.ends_with(".xml");
    if (!ends_xml || !name.starts_with("word/") || name.find('/', 5) != std::string_view::npos) return false;
    std::string_view base = name.substr(5);
    return base.starts_with("document") || base.starts_with("header") || base.starts_with("footer") ||
           base == "footnotes.xml" || base == "endnotes.xml";
}

}  // namespace vanban::docx
