// Slots: where the part compiler's stages leave a position for cut_program (a tag, the ends of a whitespace cut, a
// guard, a table grid, a hook), typed and in the tree itself. A slot is a node of its own (a processing-instruction
// node whose _private points at its Slot); an attribute value that holds tags is a list of literal pieces and tags
// (the xmlAttr's _private points at them). serialise_slices() writes the tree exactly as libxml2 does and cuts it at
// the slots, so no character of the template is ever taken for a position (see core/part_stages.hpp).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <libxml/tree.h>

namespace vanban::core {

struct Slot {
    enum class Kind : std::uint8_t {
        tag,        // TagSpans::tags[index] stands here (an output, a block tag, a tag in an attribute value)
        cut_begin,  // begin / end of Joins::cuts[index]: the bytes between are left out (docxtpl's {%- / -%})
        cut_end,
        guard_open,  // a cell or container that must keep a paragraph (Emitter::empty_paragraph)
        guard_close,
        grid_open,  // a table whose grid is recomputed after rendering (Emitter::fix_table)
        grid_close,
        hook,  // Emitter::hook(index): the footnotes part's end, where rich-text footnotes are appended
        text,  // a text the caller compiled itself (document properties: core/property_part.cpp)
    };
    Kind kind = Kind::tag;
    int index = 0;
};

// One piece of an attribute value: literal text (unescaped) or a tag.
struct AttributePiece {
    std::string literal;
    int tag = -1;  // >= 0: TagSpans::tags[tag] stands here instead of text
};

// Owns what slot nodes and attributes point at. It must outlive every use of the tree's slots (one per compile);
// libxml2 never reads or frees _private, so freeing a node with a slot leaves nothing behind here but memory.
class Slots {
public:
    // A new slot node of `doc`, not yet in the tree.
    xmlNode* node(xmlDoc* doc, Slot slot);
    // The attribute's value is these pieces from now on (its text in the tree is no longer what is written).
    void set_pieces(xmlAttr* attribute, std::vector<AttributePiece> pieces);

private:
    std::deque<Slot> slots_;  // deques: what _private points at never moves
    std::deque<std::vector<AttributePiece>> pieces_;
};

// The slot of a slot node; null for every other node.
const Slot* slot_of(const xmlNode* node);
// The pieces of an attribute that holds tags; null for every other attribute.
const std::vector<AttributePiece>* pieces_of(const xmlAttr* attribute);
// Whether the element or anything under it has a slot or an attribute that holds tags.
bool holds_slots(const xmlNode* element);
// A copy of `element` for the same document whose attributes keep their pieces (xmlDocCopyNode drops _private).
xmlNode* copy_with_slots(xmlDoc* doc, xmlNode* element);

// The serialised tree (or one element), cut at its slots: literal bytes, then a slot, then literal bytes, …
// Attribute tags come out as slots of Kind::tag. The bytes are those libxml2 writes for the whole document
// (xmlDocDumpMemoryEnc, UTF-8) or, for an element, for that element (xmlNodeDump).
struct XmlSlice {
    std::string text;          // literal bytes before `slot`
    std::optional<Slot> slot;  // none for the last slice
};
std::vector<XmlSlice> serialise_slices(xmlDoc* doc);
std::vector<XmlSlice> serialise_slices(xmlDoc* doc, xmlNode* element);

}  // namespace vanban::core
