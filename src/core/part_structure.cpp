// Stage 7, apply_structure and check_groups: block tags placed at paragraph, row or cell level become slots beside
// the node they replace (which is freed with the other TreeEdits::doomed nodes, after a tag left inside one is
// reported); guard slots wrap containers that must keep a paragraph, grid slots the tables whose grid is
// recomputed. check_groups then verifies that the tags of each block stand in the same kind of place, so
// the text between them is a balanced slice of XML.
#include <algorithm>
#include <cstring>

#include "core/part_stages.hpp"

namespace vanban::core::part {

namespace {

class StructureApplier : TagQueries {
public:
    StructureApplier(const Context& c, const Paragraphs& paras, TagSpans& spans, TreeEdits& edits)
        : TagQueries(c, paras, spans),
          doomed_(edits.doomed),
          guarded_(edits.guarded),
          grid_tables_(edits.grid_tables) {}

    xmlNode* new_slot(int ti) { return slots_.node(doc_, {Slot::Kind::tag, ti}); }

    // Wraps the children of `container` in a pair of slots.
    void wrap(xmlNode* container, Slot::Kind open, Slot::Kind close) {
        xmlNode* first = slots_.node(doc_, {open, 0});
        if (container->children) xmlAddPrevSibling(container->children, first);
        else xmlAddChild(container, first);
        xmlAddChild(container, slots_.node(doc_, {close, 0}));
    }

    void insert_before(xmlNode* anchor, xmlNode* m) { xmlAddPrevSibling(anchor, m); }

    void insert_after(xmlNode* anchor, xmlNode* m) {
        xmlNode*& cursor = after_cursor_[anchor];
        xmlAddNextSibling(cursor ? cursor : anchor, m);
        cursor = m;
    }

    void apply_structure() {
        std::set<xmlNode*> emptied_paras;
        std::map<xmlNode*, std::size_t> replaced_by;  // a paragraph, row or cell → the tag that replaces it
        for (std::size_t i = 0; i < tags_.size(); ++i) {
            TagRec& t = tags_[i];
            int ti = static_cast<int>(i);
            auto need = [&](xmlNode* anchor, const char* what) {
                if (!anchor) errors_.push_back(diag(t, std::string("this tag is not inside a ") + what));
                return anchor != nullptr;
            };
            switch (t.placement) {
                case Placement::inline_:
                case Placement::attribute: break;
                case Placement::replace_paragraph: {
                    xmlNode* p = para_of(t).node;
                    xmlNode* m = new_slot(ti);
                    if (d_.holds_section_break(p)) {
                        // Word and LibreOffice move a section break onto a neighbouring paragraph when they save,
                        // often one that only holds a block tag: that paragraph stays, emptied, inside the block,
                        // so the break is not lost with the tag.
                        if (t.st.closes()) insert_after(p, m);
                        else insert_before(p, m);
                    } else {
                        insert_before(p, m);
                        doomed_.insert(p);
                    }
                    replaced_by.emplace(p, i);
                    t.host = p->parent;
                    guard(p->parent);
                    break;
                }
                case Placement::replace_row: {
                    xmlNode* row = row_of(t);
                    if (!need(row, "table row")) break;
                    xmlNode* m = new_slot(ti);
                    insert_before(row, m);
                    doomed_.insert(row);
                    replaced_by.emplace(row, i);
                    t.host = row->parent;
                    break;
                }
                case Placement::replace_cell: {
                    xmlNode* cell = cell_of(t);
                    if (!need(cell, "table cell")) break;
                    xmlNode* m = new_slot(ti);
                    insert_before(cell, m);
                    doomed_.insert(cell);
                    replaced_by.emplace(cell, i);
                    t.host = cell->parent;
                    if (xmlNode* table = table_of(cell)) grid_tables_.insert(table);  // a column loop or a removed cell
                    break;
                }
                case Placement::before_row:
                case Placement::after_row: {
                    xmlNode* row = row_of(t);
                    if (!need(row, "table row")) break;
                    xmlNode* m = new_slot(ti);
                    if (t.placement == Placement::before_row) insert_before(row, m);
                    else insert_after(row, m);
                    t.host = row->parent;
                    if (alone(t)) emptied_paras.insert(para_of(t).node);
                    break;
                }
                case Placement::remove_text:
                case Placement::synthetic: break;
            }
        }
        // A paragraph that only held a row-loop tag goes, unless it is the last one of its cell.
        for (xmlNode* p : emptied_paras) {
            int count = 0;
            for (xmlNode* c = p->parent->children; c; c = c->next)
                if (d_.is_paragraph(c) && !doomed_.count(c)) ++count;
            if (count > 1) doomed_.insert(p);
        }
        // A tag inside a node that another tag replaces ({{ x }} beside {%p if %} or {#p #} in one paragraph) would
        // never be rendered: docxtpl drops it without a word, vanban says so. Either way it leaves the tree here.
        for (std::size_t i = 0; i < tags_.size(); ++i) {
            TagRec& t = tags_[i];
            for (xmlNode* a = t.host; a; a = a->parent) {
                if (!doomed_.count(a)) continue;
                t.host = nullptr;
                const auto by = replaced_by.find(a);
                if (by != replaced_by.end() && by->second != i) {
                    const TagRec& owner = tags_[by->second];
                    const char* what = owner.placement == Placement::replace_row    ? "table row"
                                       : owner.placement == Placement::replace_cell ? "table cell"
                                                                                    : "paragraph";
                    errors_.push_back(diag(t,
                                           std::string("this tag is in the ") + what + " that " + owner.token.raw +
                                               " replaces, so it would never be rendered",
                                           std::string("move it to another ") + what +
                                               ": a {%p %}, {%tr %}, {%tc %} or "
                                               "{#p #}-like tag takes the place of its whole " +
                                               what));
                }
                break;
            }
        }
        // A doomed node inside another doomed node is freed with it: decide all of them before freeing any.
        auto doomed = [&](const xmlNode* n) {
            for (; n; n = n->parent)
                if (doomed_.count(const_cast<xmlNode*>(n))) return true;
            return false;
        };
        std::vector<xmlNode*> outermost;
        for (xmlNode* n : doomed_)
            if (!doomed(n->parent)) outermost.push_back(n);
        std::vector<xmlNode*> grids, guards;
        for (xmlNode* table : grid_tables_)
            if (!doomed(table)) grids.push_back(table);
        for (xmlNode* g : guarded_)
            if (!doomed(g)) guards.push_back(g);
        for (xmlNode* n : outermost) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
        // The table's grid is computed from the rows it renders (the adapter's Emitter::fix_table).
        for (xmlNode* table : grids) wrap(table, Slot::Kind::grid_open, Slot::Kind::grid_close);
        // The guard wraps the whole cell content: the fallback paragraph lands at its end, after w:tcPr.
        for (xmlNode* g : guards) wrap(g, Slot::Kind::guard_open, Slot::Kind::guard_close);
    }

    void guard(xmlNode* container) {
        if (container && d_.needs_paragraph(container)) guarded_.insert(container);
    }

private:
    std::set<xmlNode*>& doomed_;
    std::set<xmlNode*>& guarded_;
    std::set<xmlNode*>& grid_tables_;
    std::map<xmlNode*, xmlNode*> after_cursor_;  // where the next slot after a node goes (keeps their order)
};

// Only reads the tags (TagQueries also serves the stages that edit them).
class GroupChecker : TagQueries {
public:
    GroupChecker(const Context& c, const Paragraphs& paras, const Blocks& blocks, const TagSpans& spans)
        : TagQueries(c, paras, const_cast<TagSpans&>(spans)), groups_(blocks.groups) {}

    // The body of a block must be a balanced slice of XML.

    static std::vector<xmlNode*> chain(xmlNode* n) {
        std::vector<xmlNode*> c;
        for (; n && n->type != XML_DOCUMENT_NODE; n = n->parent) c.push_back(n);
        std::reverse(c.begin(), c.end());
        return c;
    }

    static std::string names(const std::vector<xmlNode*>& c, std::size_t from) {
        std::string s;
        for (std::size_t i = from; i < c.size(); ++i) {
            if (!s.empty()) s += '/';
            s += reinterpret_cast<const char*>(c[i]->name);
        }
        return s;
    }

    void check_groups() {
        for (const auto& g : groups_) {
            if (g.size() < 2) continue;
            std::vector<std::vector<xmlNode*>> chains;
            bool ok = true;
            for (int i : g) {
                const TagRec& t = tags_[static_cast<std::size_t>(i)];
                if (!t.host) {
                    ok = false;
                    break;
                }
                chains.push_back(chain(t.host));
            }
            if (!ok || chains.size() < 2) continue;
            const std::vector<xmlNode*>& base = chains.front();
            std::size_t common = base.size();
            for (auto& c : chains) {
                std::size_t k = 0;
                while (k < common && k < c.size() && c[k] == base[k]) ++k;
                common = k;
            }
            std::string first = names(base, common);
            for (std::size_t k = 1; k < chains.size(); ++k) {
                std::string other = names(chains[k], common);
                if (other != first) {
                    const TagRec& a = tags_[static_cast<std::size_t>(g.front())];
                    const TagRec& b = tags_[static_cast<std::size_t>(g[k])];
                    errors_.push_back(diag(
                        b,
                        "this tag and " + a.token.raw + " (¶" + std::to_string(a.para >= 0 ? para_of(a).number : 0) +
                            ") are in different kinds of places (" + (first.empty() ? "here" : first) + " vs " +
                            (other.empty() ? "here" : other) +
                            "), so the text between them cannot be repeated or removed",
                        "put each block tag alone in its own paragraph, or both tags in the same paragraph, or in the "
                        "cells of one table row"));
                    break;
                }
            }
        }
    }

private:
    const std::vector<std::vector<int>>& groups_;
};

}  // namespace

void apply_structure(const Context& c, const Paragraphs& paras, TagSpans& spans, TreeEdits& edits) {
    StructureApplier(c, paras, spans, edits).apply_structure();
}

void check_groups(const Context& c, const Paragraphs& paras, const Blocks& blocks, const TagSpans& spans) {
    GroupChecker(c, paras, blocks, spans).check_groups();
}

}  // namespace vanban::core::part
