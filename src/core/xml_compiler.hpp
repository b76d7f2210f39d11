// The part compiler shared by every format: it reads one XML part (WordprocessingML or OpenDocument), joins the
// visible text of each paragraph before looking for tags — so tags split over runs, spell-check marks, bookmarks or
// style changes are still found — moves every tag into the text where it starts, lifts block tags to the paragraph,
// table row or cell they govern, checks that every block cuts the XML into balanced slices, and hands the result to
// build_program(). A Dialect tells it what the elements of its format mean; nothing else differs between formats.
// The stages, their typed results and the slots they hand on: core/part_stages.hpp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libxml/tree.h>

#include "core/program.hpp"
#include "core/xml_slots.hpp"
#include "vanban/diagnostic.hpp"

namespace vanban::core {

inline const xmlChar* xml_chars(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
bool has_name(const xmlNode* n, const char* ns_href, const char* local);
// Whether the XML's prolog (after a BOM, the declaration, processing instructions and comments) holds a <!DOCTYPE>:
// Office parts never do, and it is how entity bombs and external entities come in. Only ASCII-compatible encodings
// are seen here; libxml2's parse catches the rest.
bool declares_doctype(std::string_view xml);

struct XmlDocDeleter {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;
// Parses an untrusted Office part (template or imported document) the one safe way: no DTD, no network, no entity
// expansion, libxml2's own size and depth limits. Null with `problem` set ("XML does not parse: … (line N)") on failure.
XmlDocPtr parse_office_part(std::string_view xml, const std::string& part, std::string& problem);

// What an element met inside a paragraph is.
enum class Role {
    text,         // holds text in its character data (DOCX w:t)
    transparent,  // look inside (runs, spans, hyperlinks, inserted text)
    soft,         // a tab or line break: white space that a tag cannot span
    spaces,       // ODF text:s — N spaces as an element
    hard,         // visible but not text (drawing, field, note reference, nested paragraph): breaks tags
    ignore,       // properties, bookmarks, proofing marks, deleted text
};

struct PartHooks {
    bool footnotes_part = false;  // gets a hook at the end of its root where rich-text footnotes are appended
    int max_footnote_id = 0;      // highest id among the part's existing footnotes
};

class Dialect {
public:
    virtual ~Dialect() = default;
    virtual Role role(const xmlNode* element) const = 0;
    // Character data directly inside paragraphs and transparent elements is text (ODF); otherwise only the
    // character data of Role::text elements is (DOCX).
    virtual bool text_in_character_data() const = 0;
    virtual int space_count(const xmlNode*) const { return 1; }
    virtual bool is_paragraph(const xmlNode*) const = 0;
    virtual bool is_row(const xmlNode*) const = 0;
    virtual bool is_cell(const xmlNode*) const = 0;
    // Ancestor searches (the cell or row of a paragraph) stop here: the body, a text box.
    virtual bool is_boundary(const xmlNode*) const = 0;
    // Containers that must keep at least one paragraph (a table cell, a text box, a header).
    virtual bool needs_paragraph(const xmlNode* container) const = 0;
    // The run (DOCX w:r, ODF text:span) holding a piece of text, for rich text formatting.
    virtual xmlNode* run_of(xmlNode* text_holder) const = 0;
    // Called after the text of a Role::text element changed (DOCX marks it xml:space="preserve").
    virtual void text_changed(xmlDoc*, xmlNode*) const {}
    // Called when a text holder became empty and was removed from `parent`: tidy empty runs.
    virtual bool removable_when_empty(const xmlNode* parent) const = 0;
    // Inline elements (DOCX w:t, w:r, w:hyperlink; ODF text:span, text:a) that may be cut in two so that an inline
    // block tag ({% if %} in the middle of a paragraph) stands directly in the paragraph: every block then slices the
    // XML at paragraph level, so a block may open in one paragraph and close in another.
    virtual bool splittable(const xmlNode*) const { return false; }
    // Children that hold the properties of their parent (DOCX w:rPr): both halves of a cut element keep them.
    virtual bool is_properties(const xmlNode*) const { return false; }
    virtual bool is_table(const xmlNode*) const = 0;
    // A paragraph that ends a section (DOCX: w:pPr/w:sectPr) is kept when a block tag replaces it.
    virtual bool holds_section_break(const xmlNode* /*paragraph*/) const { return false; }

    // docxtpl's table helpers write a cell property: {% colspan %} its span, {% cellbg %} its fill, {% vm %} its
    // vertical merge. The dialect finds or creates the element in the cell's properties and names the attribute that
    // takes the value; std::nullopt when the format has no such property.
    // {% cellwidth %} writes the cell's width (points).
    enum class CellSlot { span, fill, vertical_merge, width };
    struct AttributeSlot {
        xmlNode* element = nullptr;
        xmlNs* ns = nullptr;
        const char* name = nullptr;
        // How the helper's value is written, "{}" standing for it: "((({}) * 20) | round | int)" turns points into
        // twips.
        std::string value = "{}";
        // The attribute is in a style outside the body (ODF automatic styles): written once, before the body.
        bool before_body = false;
    };
    virtual std::optional<AttributeSlot> cell_slot(xmlDoc*, xmlNode* /*cell*/, CellSlot) const { return std::nullopt; }
    // Paragraph helpers, so that no tag has to stand in an attribute (word processors rewrite those): {% pstyle %}
    // the paragraph's style, {% indent %} its left and right indents (points, the same on both sides: a centred rule),
    // {% spacebefore %} the space above it (points). std::nullopt with `why` set when the paragraph cannot take it.
    enum class ParagraphSlot { style, indent_left, indent_right, space_before };
    virtual std::optional<AttributeSlot> paragraph_slot(xmlDoc*, xmlNode* /*paragraph*/, ParagraphSlot,
                                                        std::string& why) const {
        why = "this format has no paragraph properties";
        return std::nullopt;
    }
    // How many grid columns the cell spans in the template.
    virtual int cell_span(const xmlNode*) const { return 1; }
    // Fills the format-specific part of an output site (run properties for rich text).
    virtual void describe_site(xmlDoc* doc, xmlNode* text_holder, OutputSite& site) const = 0;
    // Last chance to touch the tree before it is serialised (hooks, styles the output needs).
    virtual void finish(xmlDoc*, xmlNode* /*root*/, PartHooks*) const {}
};

// Compiles `xml` (the part named `part_name`). Template errors go to `errors`, all of them; XML that does not parse
// or carries a DTD is a package error.
Program compile_xml_part(std::string_view xml, const std::string& part_name, const Dialect& dialect,
                         std::vector<Diagnostic>& errors, PartHooks* hooks = nullptr);

// Declares `prefix` for `href` on `root` unless the root already binds that prefix (output written as text uses it).
void declare_namespace(xmlNode* root, const char* href, const char* prefix);

// Serialises an element (for run properties); namespace declarations copied from the root are left out.
std::string dump_element(xmlDoc* doc, xmlNode* element);
// The same, for an element that may hold attribute tags (a copy made with copy_with_slots): `slots` get where each
// tag stands in the bytes, with the tag's index in PropSlot::expr (make_sites turns it into its expression).
std::string dump_element(xmlDoc* doc, xmlNode* element, std::vector<OutputSite::PropSlot>& slots);

}  // namespace vanban::core
