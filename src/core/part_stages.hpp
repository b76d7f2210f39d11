// The stages of the part compiler (core/xml_compiler.hpp's compile_xml_part), in the order they run, and the typed
// results they hand on. Internal to src/core.
//
//   bytes ─ parse_part ─▶ ParsedPart (a libxml2 tree, comments dropped)              part_parse.cpp
//         ─ collect_paragraphs ─▶ Paragraphs (each paragraph's visible text, and which text node holds which bytes)
//                                                                                    part_paragraphs.cpp
//         ─ scan_tags ─▶ TagSpans (every tag: where it is in its paragraph, its parsed statement; attribute tags)
//                                                                                    part_tags.cpp
//         ─ plan_whitespace ─▶ Joins (paragraphs that a '-' joins) + Paragraph::strips part_whitespace.cpp
//         ─ place_blocks ─▶ Blocks (if/for groups) + TagRec::placement                part_placement.cpp
//         ─ edit_text ─▶ tags leave the text; inline tags become slots in it; block tags stand in the paragraph;
//                        whitespace cuts are marked; TreeEdits::doomed                 part_text.cpp
//         ─ apply_helpers ─▶ {% vm %}, {% colspan %}, {% pstyle %} … become attribute tags (TreeEdits)
//                                                                                    part_helpers.cpp
//         ─ apply_structure ─▶ paragraph/row/cell blocks become slots beside what they replace; replaced nodes
//                              freed; guard and table-grid slots; check_groups (balanced slices)
//                                                                                    part_structure.cpp
//         ─ make_sites ─▶ OutputSite of each output tag (run properties for rich text)  part_sites.cpp
//         ─ (Dialect::finish) ─ cut_program ─▶ Program (the tree serialised and cut at the slots)
//                                                                                    part_program.cpp
//
// Every stage is a function of its inputs: what a later stage needs is in the result types below, never in an
// object that outlives a stage. The tree (ParsedPart) and TagSpans are edited in place as they go down the pipeline.
//
// The slots (core/xml_slots.hpp). Positions in the tree are handed from the placing stages to cut_program as nodes
// of their own, because the tree is serialised by libxml2 (which keeps every byte of the template the compiler did
// not touch) and the bytes are then cut where the slots stand. A Slot says what stands there:
//     tag <n>           TagSpans::tags[n]: an output value, a block tag (if/for/…) or a tag in an attribute value
//     cut_begin/end <c> the ends of Joins::cuts[c]: the bytes between are left out (docxtpl's {%- / -%})
//     guard_open/close  a cell or container that must keep a paragraph (Emitter::empty_paragraph)
//     grid_open/close   a table whose grid is recomputed after rendering (Emitter::fix_table)
//     hook <1>          the DOCX footnotes part's end (rich-text footnotes are appended there)
// An attribute value that holds tags is a list of literal pieces and tags (AttributePiece). Inside the run
// properties of an OutputSite, make_sites turns the tags into OutputSite::prop_slots. No character of the template
// is reserved: a template may hold any text.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/tree.h>

#include "core/program.hpp"
#include "core/xml_compiler.hpp"
#include "core/xml_slots.hpp"

namespace vanban::core::part {

inline constexpr char kHard = '\x01';  // a picture, field or nested paragraph inside the paragraph text
inline constexpr char kSoft = '\x02';  // a tab or line break
inline constexpr std::size_t kMaxSpacesElement =
    10'000;  // a spaces element (ODF text:s) that counts more is not expanded

// What every stage works in: the part, its format, where errors go, and its tree.
struct Context {
    const std::string& part;
    const Dialect& dialect;
    std::vector<Diagnostic>& errors;
    xmlDoc* doc = nullptr;
    xmlNode* root = nullptr;
    Slots* slots = nullptr;  // owns the slots the stages put into the tree
};

// ----- parse_part

struct ParsedPart {
    XmlDocPtr doc;
    xmlNode* root = nullptr;
};

// The part's tree, without comments; null with a package error when it does not parse or carries a DTD.
ParsedPart parse_part(std::string_view xml, const std::string& part, std::vector<Diagnostic>& errors);

// ----- collect_paragraphs

struct Segment {
    enum class Kind { element, character_data, spaces };
    Kind kind;
    xmlNode* holder;  // the w:t element, the text node, or the text:s element
    std::size_t start;
    std::size_t length;
};

struct Paragraph {
    xmlNode* node = nullptr;
    int number = 0;
    std::string text;               // visible text; kHard and kSoft stand for what is not text
    std::vector<Segment> segments;  // which node holds which bytes of `text`
    std::vector<int> tags;          // indexes into TagSpans::tags (scan_tags)
    bool hard_barrier = false;
    std::vector<std::pair<std::size_t, std::size_t>>
        strips;                                           // white space that a '-' of a tag removes (plan_whitespace)
    std::vector<std::pair<std::size_t, xmlNode*>> softs;  // each tab or line break: where its kSoft stands in `text`
    std::vector<xmlNode*> dropped_softs;  // the breaks next to a '-' statement tag, removed (plan_whitespace)
};

struct Paragraphs {
    std::vector<Paragraph> list;          // document order, numbered from 1
    std::map<const xmlNode*, int> index;  // paragraph element → index in list
};

Paragraphs collect_paragraphs(const Context& c);

// ----- scan_tags

// synthetic: a tag the compiler made itself (the cell wrapper of {% vm %}), already standing where it acts.
enum class Placement {
    inline_,
    remove_text,
    replace_paragraph,
    replace_row,
    replace_cell,
    before_row,
    after_row,
    attribute,
    synthetic
};

struct TagRec {
    int para = -1;  // -1 for attribute tags
    TagToken token;
    Statement st;
    bool parsed = false;
    Placement placement = Placement::inline_;
    xmlNode* host = nullptr;  // inline: the text holder with the slot (DOCX w:t) or the slot; element level: its parent
    int site = -1;            // index into TagSpans::sites
};

struct TagSpans {
    std::vector<TagRec> tags;              // paragraph order, then attribute tags; later stages append their own
    std::vector<OutputSite> sites;         // where values are written (attribute tags now, run text in make_sites)
    std::map<std::size_t, int> attr_para;  // attribute tag → the paragraph it stands in (-1: none)
};

// False, with the error, past core::kMaxTagsPerPart. Attribute values with tags become pieces (AttributePiece).
bool scan_tags(const Context& c, Paragraphs& paras, TagSpans& spans);

// ----- plan_whitespace

// docxtpl's whitespace control across paragraphs: the text from the end of one paragraph's text to a tag at the start
// of the next ({%- …%}), or from a tag at the end of a paragraph to the next paragraph's text ({% …-%}), is cut out.
struct Cut {
    int tag = -1;
    int other = -1;              // the paragraph joined to the tag's paragraph
    bool into_previous = false;  // {%- : the tag's paragraph joins the previous one
};

struct Joins {
    std::vector<Cut> cuts;
    std::set<int> joined_paras;  // paragraphs that a cut joins: their tags act on text, never on the paragraph
};

Joins plan_whitespace(const Context& c, Paragraphs& paras, const TagSpans& spans);

// ----- place_blocks

struct Blocks {
    std::vector<std::vector<int>> groups;  // tag indexes of each if/elif/else/endif or for/else/endfor
};

// Sets every tag's placement. False, with the error, when blocks nest deeper than kMaxBlockDepth.
bool place_blocks(const Context& c, const Paragraphs& paras, const Joins& joins, TagSpans& spans, Blocks& blocks);

// ----- edit_text, apply_helpers, apply_structure

// What the tree-editing stages decide together before anything is freed.
struct TreeEdits {
    std::set<xmlNode*> doomed;       // removed from the tree at the end of apply_structure
    std::set<xmlNode*> guarded;      // containers that must keep a paragraph (guard slots)
    std::set<xmlNode*> grid_tables;  // tables whose grid is recomputed after rendering (column loops, spans)
};

void edit_text(const Context& c, const Paragraphs& paras, const Joins& joins, TagSpans& spans, TreeEdits& edits);
void apply_helpers(const Context& c, const Paragraphs& paras, const Blocks& blocks, TagSpans& spans, TreeEdits& edits);
void apply_structure(const Context& c, const Paragraphs& paras, TagSpans& spans, TreeEdits& edits);
void check_groups(const Context& c, const Paragraphs& paras, const Blocks& blocks, const TagSpans& spans);

// ----- make_sites, cut_program

void make_sites(const Context& c, TagSpans& spans);
Program cut_program(const Context& c, const Paragraphs& paras, const Joins& joins, TagSpans spans);

// ----- shared by the stages (part_common.cpp)

std::string node_text(const xmlNode* n);
std::string content_of(const xmlNode* text);
std::string clip_context(const std::string& text, std::size_t begin, std::size_t end);
bool is_paragraph_helper(const Statement& st);
bool is_table_helper(const Statement& st);  // helpers that write a property of their cell or paragraph; their text goes

// Queries on paragraphs and tags that several stages ask.
class TagQueries {
public:
    TagQueries(const Context& c, const Paragraphs& paras, TagSpans& spans)
        : part_(c.part),
          d_(c.dialect),
          errors_(c.errors),
          doc_(c.doc),
          root_(c.root),
          slots_(*c.slots),
          paras_(paras.list),
          para_index_(paras.index),
          tags_(spans.tags),
          sites_(spans.sites),
          attr_para_(spans.attr_para) {}

protected:
    const std::string& part_;
    const Dialect& d_;
    std::vector<Diagnostic>& errors_;
    xmlDoc* doc_;
    xmlNode* root_;
    Slots& slots_;
    const std::vector<Paragraph>& paras_;
    const std::map<const xmlNode*, int>& para_index_;
    std::vector<TagRec>& tags_;
    std::vector<OutputSite>& sites_;
    std::map<std::size_t, int>& attr_para_;

    Diagnostic diag(const TagRec& t, std::string message, std::string hint = {}) const;
    const Paragraph& para_of(const TagRec& t) const { return paras_[static_cast<std::size_t>(t.para)]; }
    // Parses a tag's statement; on a parse error, records it and keeps the block structure (so one bad expression
    // does not cascade into "endfor without for").
    void parse_tag(TagRec& rec) const;
    // The tag is alone in its paragraph (white space aside).
    bool alone(const TagRec& t) const;
    xmlNode* cell_of(const TagRec& t) const;
    xmlNode* row_of(const TagRec& t) const;
    xmlNode* table_of(xmlNode* n) const;
    static bool inside(const xmlNode* n, const xmlNode* outer);
    template <typename Pred>
    xmlNode* ancestor(xmlNode* n, Pred is_wanted) const {
        for (n = n ? n->parent : nullptr; n; n = n->parent) {
            if (is_wanted(n)) return n;
            if (d_.is_boundary(n)) return nullptr;
        }
        return nullptr;
    }
};

}  // namespace vanban::core::part
