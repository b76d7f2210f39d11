// Stage 5, edit_text: the tree as Paragraphs, TagSpans and Joins describe it → the tree with tags taken out of the
// text. Every tag leaves its text; an inline tag leaves its slot where it began (TagRec::host: the text holder with
// the slot); white space a '-' trims goes; text holders left empty go (TreeEdits::doomed). Inline block tags are
// then lifted out of runs, spans and links into the paragraph itself (the run is cut in two, attribute tags copied
// with it as new tags), and the cuts of whitespace control get their slots (cut_begin … cut_end).
#include <algorithm>
#include <cstring>

#include "core/part_stages.hpp"

namespace vanban::core::part {

namespace {

class TextEditor : TagQueries {
public:
    TextEditor(const Context& c, const Paragraphs& paras, const Joins& joins, TagSpans& spans, TreeEdits& edits)
        : TagQueries(c, paras, spans), cuts_(joins.cuts), doomed_(edits.doomed) {}

    void run() {
        edit_text();
        lift_block_slots();
        place_cuts();
    }

private:
    const std::vector<Cut>& cuts_;
    std::set<xmlNode*>& doomed_;

    // Rewriting the text of paragraphs: tags leave the runs; inline tags leave a slot where they began.

    struct TextEdit {
        std::size_t begin, end;
        int marked_tag;  // the tag whose slot takes the place of the text, or -1 (removed text)
    };

    // What a text holder holds after the edit: text and tag slots, in order.
    struct HeldPiece {
        std::string text;
        int tag = -1;  // >= 0: the slot of this tag
    };

    // The text each paragraph loses: its tags (inline ones leave a slot) and the white space a '-' trims.
    std::vector<TextEdit> text_edits(const Paragraph& p) const {
        std::vector<TextEdit> edits;
        for (int ti : p.tags) {
            const TagRec& t = tags_[static_cast<std::size_t>(ti)];
            bool mark = t.placement == Placement::inline_;
            edits.push_back({t.token.begin, t.token.end, mark ? ti : -1});
        }
        std::vector<std::pair<std::size_t, std::size_t>> strips = p.strips;
        std::sort(strips.begin(), strips.end());
        for (std::size_t k = 0; k < strips.size(); ++k) {
            auto [b, e] = strips[k];
            while (k + 1 < strips.size() && strips[k + 1].first <= e) e = std::max(e, strips[++k].second);
            edits.push_back({b, e, -1});
        }
        std::stable_sort(edits.begin(), edits.end(),
                         [](const TextEdit& a, const TextEdit& b) { return a.begin < b.begin; });
        return edits;
    }

    void edit_text() {
        for (const Paragraph& p : paras_) {
            if (p.tags.empty() && p.strips.empty()) continue;
            const std::vector<TextEdit> edits = text_edits(p);
            for (const Segment& seg : p.segments) {
                std::size_t s0 = seg.start, s1 = seg.start + seg.length;
                bool touched = false;
                std::vector<HeldPiece> out;
                auto keep = [&](std::size_t from, std::size_t count) {
                    if (out.empty() || out.back().tag >= 0) out.emplace_back();
                    out.back().text.append(p.text, from, count);
                };
                std::size_t pos = s0;
                for (const TextEdit& ed : edits) {
                    if (ed.end <= s0 || ed.begin >= s1) continue;
                    touched = true;
                    if (ed.begin > pos) keep(pos, ed.begin - pos);
                    if (ed.marked_tag >= 0 && ed.begin >= s0) out.push_back({{}, ed.marked_tag});
                    pos = std::max(pos, std::min(ed.end, s1));
                }
                if (!touched) continue;
                if (pos < s1) keep(pos, s1 - pos);
                replace_text(seg, out);
            }
            for (xmlNode* soft : p.dropped_softs) remove_holder(soft);
            // A tab or line break inside a tag is white space of the tag (as in Jinja): it leaves with the tag.
            for (const auto& entry : p.softs) {  // (no structured binding: a lambda cannot capture one in C++20)
                const auto at = entry.first;
                xmlNode* soft = entry.second;
                const bool in_tag = std::any_of(p.tags.begin(), p.tags.end(), [&](int ti) {
                    const TagToken& token = tags_[static_cast<std::size_t>(ti)].token;
                    return at > token.begin && at < token.end;
                });
                if (in_tag && std::find(p.dropped_softs.begin(), p.dropped_softs.end(), soft) == p.dropped_softs.end())
                    remove_holder(soft);
            }
        }
        relocate_hosts(root_);
    }

    // Every inline tag's host is where its slot now stands: the text element holding it (DOCX w:t) or the slot
    // itself (character data). Run again after cutting elements apart.
    void relocate_hosts(xmlNode* node) {
        for (xmlNode* c = node->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                relocate_hosts(c);
                continue;
            }
            const Slot* s = slot_of(c);
            if (!s || s->kind != Slot::Kind::tag) continue;
            TagRec& t = tags_[static_cast<std::size_t>(s->index)];
            if (t.placement != Placement::inline_) continue;
            t.host = d_.role(node) == Role::text && !d_.is_paragraph(node) ? node : c;
        }
    }

    xmlNode* new_node(const HeldPiece& piece) {
        if (piece.tag >= 0) return slots_.node(doc_, {Slot::Kind::tag, piece.tag});
        return xmlNewDocTextLen(doc_, xml_chars(piece.text.data()), static_cast<int>(piece.text.size()));
    }

    // Gives a text holder its new content (text and slots; no two texts follow each other).
    void replace_text(const Segment& seg, const std::vector<HeldPiece>& content) {
        const bool empty =
            std::all_of(content.begin(), content.end(), [](const HeldPiece& h) { return h.tag < 0 && h.text.empty(); });
        if (seg.kind == Segment::Kind::element) {
            xmlNode* t = seg.holder;
            while (t->children) {
                xmlNode* c = t->children;
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
            if (!empty) {
                for (const HeldPiece& piece : content)
                    if (piece.tag >= 0 || !piece.text.empty()) xmlAddChild(t, new_node(piece));
                d_.text_changed(doc_, t);
                return;
            }
        } else if (!empty) {  // character data or text:s: plain text nodes and slots take its place
            xmlNode* last = nullptr;
            for (const HeldPiece& piece : content) {
                if (piece.tag < 0 && piece.text.empty()) continue;
                xmlNode* n = new_node(piece);
                if (last) {
                    xmlAddNextSibling(last, n);  // never text after text: nothing merges
                } else {
                    xmlReplaceNode(seg.holder, n);
                    xmlFreeNode(seg.holder);
                }
                last = n;
            }
            return;
        }
        remove_holder(seg.holder);
    }

    // Removes a text holder or a break; a run left without content goes too.
    void remove_holder(xmlNode* holder) {
        xmlNode* parent = holder->parent;
        xmlUnlinkNode(holder);
        xmlFreeNode(holder);
        if (parent && d_.removable_when_empty(parent)) {
            bool empty = true;
            for (xmlNode* c = parent->children; c && empty; c = c->next)
                empty = !(c->type == XML_ELEMENT_NODE && d_.role(c) != Role::ignore) && c->type != XML_TEXT_NODE &&
                        !slot_of(c);
            if (empty) doomed_.insert(parent);
        }
    }

    // Inline block tags move out of runs, spans and links into the paragraph itself.
    //
    // Every run (or span) holding a block tag is cut in two at the tag, so that the tag stands directly in the
    // paragraph. Blocks then slice the XML at paragraph level: the text between an {% if %} in a bold run and its
    // {% endif %} in a hyperlink, or between a {% for %} in the middle of one paragraph and its {% endfor %} two
    // paragraphs later, is a balanced piece of XML.

    void lift_block_slots() {
        const std::size_t count = tags_.size();  // cutting may add attribute tags (copies) at the end
        for (std::size_t i = 0; i < count; ++i) {
            const TagRec& t = tags_[i];
            if (t.placement != Placement::inline_ || t.st.kind == Statement::Kind::output || t.para < 0) continue;
            for (xmlNode* h = slot_of_tag(para_of(t).node, static_cast<int>(i));
                 h && h->parent && d_.splittable(h->parent);)
                h = split_at(h);
        }
        relocate_hosts(root_);
    }

    // The slot of tag `ti` under `node`.
    static xmlNode* slot_of_tag(xmlNode* node, int ti) {
        for (xmlNode* c = node->children; c; c = c->next) {
            if (const Slot* s = slot_of(c); s && s->kind == Slot::Kind::tag && s->index == ti) return c;
            if (c->type == XML_ELEMENT_NODE)
                if (xmlNode* found = slot_of_tag(c, ti)) return found;
        }
        return nullptr;
    }

    bool has_content(const xmlNode* element) const {
        for (const xmlNode* c = element->children; c; c = c->next)
            if (!d_.is_properties(c)) return true;
        return false;
    }

    // `slot` lies in a splittable element E: E keeps what precedes the slot, a copy of E after it takes what follows,
    // and the slot goes between them. Returns the slot.
    xmlNode* split_at(xmlNode* slot) {
        xmlNode* element = slot->parent;
        xmlNode* rest = copy_for_split(element);
        for (xmlNode* c = slot->next; c;) {  // no two text nodes are adjacent, so nothing merges
            xmlNode* next = c->next;
            xmlUnlinkNode(c);
            xmlAddChild(rest, c);
            c = next;
        }
        if (has_content(rest)) xmlAddNextSibling(element, rest);
        else xmlFreeNode(rest);
        xmlUnlinkNode(slot);
        xmlAddNextSibling(element, slot);  // a slot is never merged into text
        if (!has_content(element)) {       // nothing was before the tag: the first half goes
            doomed_.erase(element);
            xmlUnlinkNode(element);
            xmlFreeNode(element);
        }
        return slot;
    }

    // The second half of a cut element: its attributes and properties (run properties), without its content.
    xmlNode* copy_for_split(xmlNode* element) {
        xmlNode* copy = clone(element, false);
        for (xmlNode* c = element->children; c; c = c->next)
            if (d_.is_properties(c)) xmlAddChild(copy, clone(c, true));
        return copy;
    }

    static xmlNs* copied_ns(xmlNs* ns, const xmlNode* from, const xmlNode* to) {
        for (xmlNs *a = from->nsDef, *b = to->nsDef; a && b; a = a->next, b = b->next)
            if (a == ns) return b;
        return ns;
    }

    // A copy of an element made for the same document (namespaces resolve as at the original); attribute tags in it
    // become new tags, so that each copy renders its own value.
    xmlNode* clone(xmlNode* src, bool with_children) {
        xmlDoc* doc = doc_;
        if (src->type != XML_ELEMENT_NODE) return xmlDocCopyNode(src, doc, 1);
        xmlNode* copy = xmlNewDocNode(doc, nullptr, src->name, nullptr);
        for (xmlNs* ns = src->nsDef; ns; ns = ns->next) xmlNewNs(copy, ns->href, ns->prefix);
        xmlSetNs(copy, copied_ns(src->ns, src, copy));
        for (xmlAttr* a = src->properties; a; a = a->next) {
            xmlChar* v = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
            xmlAttr* copied = xmlNewNsProp(copy, copied_ns(a->ns, src, copy), a->name, v);
            xmlFree(v);
            if (const auto* pieces = pieces_of(a)) slots_.set_pieces(copied, retag(*pieces, copy));
        }
        if (with_children)
            for (xmlNode* c = src->children; c; c = c->next) xmlAddChild(copy, clone(c, true));
        return copy;
    }

    // An attribute value with its tags replaced by new tags that repeat the same ones.
    std::vector<AttributePiece> retag(std::vector<AttributePiece> pieces, xmlNode* host) {
        for (AttributePiece& piece : pieces) {
            if (piece.tag < 0) continue;
            const auto ti = static_cast<std::size_t>(piece.tag);
            TagRec rec;
            rec.token = tags_[ti].token;
            rec.placement = Placement::attribute;
            rec.host = host;
            parse_tag(rec);
            rec.site = static_cast<int>(sites_.size());
            sites_.push_back(sites_[static_cast<std::size_t>(tags_[ti].site)]);
            if (auto it = attr_para_.find(ti); it != attr_para_.end()) attr_para_[tags_.size()] = it->second;
            piece.tag = static_cast<int>(tags_.size());
            tags_.push_back(std::move(rec));
        }
        return pieces;
    }

    // Whitespace control: the slots that delimit each cut (see part_whitespace.cpp).

    // True for what docxtpl would see as text: a text element with characters, character data (ODF), a tag's slot.
    bool bears_text(const xmlNode* n) const {
        if (slot_of(n)) return true;
        if (n->type == XML_TEXT_NODE) return n->content && *n->content && d_.text_in_character_data();
        if (n->type != XML_ELEMENT_NODE || d_.is_paragraph(n)) return false;
        switch (d_.role(n)) {
            case Role::text: return !node_text(n).empty() || holds_slots(n);
            case Role::spaces: return true;
            case Role::transparent:
                for (const xmlNode* c = n->children; c; c = c->next)
                    if (bears_text(c)) return true;
                return false;
            default: return false;
        }
    }

    // Puts `slot` into the paragraph right after (or before) `anchor`, a child of it.
    static void put_slot(xmlNode* anchor, xmlNode* slot, bool after) {
        if (after) xmlAddNextSibling(anchor, slot);
        else xmlAddPrevSibling(anchor, slot);
    }

    void place_cuts() {
        for (std::size_t ci = 0; ci < cuts_.size(); ++ci) {
            const Cut& cut = cuts_[ci];
            const TagRec& t = tags_[static_cast<std::size_t>(cut.tag)];
            xmlNode* own = para_of(t).node;
            xmlNode* other = paras_[static_cast<std::size_t>(cut.other)].node;
            if (t.placement != Placement::inline_) {
                errors_.push_back(
                    diag(t, "the '-' of this tag cannot join paragraphs: its block removes the paragraph it stands in",
                         "remove the '-', or the {%p %} / {%tr %} / {%tc %} of the block"));
                continue;
            }
            xmlNode* at_tag = slot_of_tag(own, cut.tag);
            if (!at_tag || at_tag->parent != own) {
                errors_.push_back(
                    diag(t,
                         "the '-' of this tag cannot join paragraphs: the tag is inside " +
                             std::string(at_tag && at_tag->parent ? reinterpret_cast<const char*>(at_tag->parent->name)
                                                                  : "an element") +
                             ", which cannot be cut",
                         "remove the '-', or move the tag out of the content control or field"));
                continue;
            }
            const int index = static_cast<int>(ci);
            xmlNode* begin = slots_.node(doc_, {Slot::Kind::cut_begin, index});
            xmlNode* end = slots_.node(doc_, {Slot::Kind::cut_end, index});
            // At the tag's own slot: the cut ends right before it ({%-) or begins right after it (-%}).
            put_slot(at_tag, cut.into_previous ? end : begin, !cut.into_previous);
            if (cut.into_previous) {
                xmlNode* last = nullptr;
                for (xmlNode* c = other->children; c; c = c->next)
                    if (bears_text(c)) last = c;
                if (last) put_slot(last, begin, true);
                else xmlAddChild(other, begin);
            } else {
                xmlNode* first = nullptr;
                for (xmlNode* c = other->children; c && !first; c = c->next)
                    if (bears_text(c)) first = c;
                if (first) put_slot(first, end, false);
                else xmlAddChild(other, end);
            }
        }
    }
};

}  // namespace

void edit_text(const Context& c, const Paragraphs& paras, const Joins& joins, TagSpans& spans, TreeEdits& edits) {
    TextEditor(c, paras, joins, spans, edits).run();
}

}  // namespace vanban::core::part
