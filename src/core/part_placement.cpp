// Stage 4, place_blocks: TagSpans + Joins → Blocks, and each tag's Placement. Block tags are grouped (if/elif/else/
// endif, for/else/endfor); a group acts on the paragraphs it stands alone in, the table row it opens and closes in,
// the rows it stands alone in, or, failing those, on text (inline). docxtpl's {%p %} {%tr %} {%tc %} {%r %} force a
// level. Helpers ({% vm %}, {% pstyle %} …) only lose their text here; part_helpers.cpp applies them.
#include <algorithm>
#include <cstring>

#include "core/part_stages.hpp"

namespace vanban::core::part {

namespace {

class BlockPlacer : TagQueries {
public:
    BlockPlacer(const Context& c, const Paragraphs& paras, const Joins& joins, TagSpans& spans, Blocks& blocks)
        : TagQueries(c, paras, spans), joined_paras_(joins.joined_paras), groups_(blocks.groups) {}

    // The row holds nothing but this one tag.
    bool row_alone(const TagRec& t) const {
        xmlNode* row = row_of(t);
        if (!row) return false;
        for (const Paragraph& p : paras_) {
            if (!inside(p.node, row)) continue;
            if (p.hard_barrier) return false;
            for (int ti : p.tags)
                if (&tags_[static_cast<std::size_t>(ti)] != &t) return false;
            for (std::size_t i = 0; i < p.text.size(); ++i) {
                if (&p == &para_of(t) && i >= t.token.begin && i < t.token.end) continue;
                char c = p.text[i];
                if (c != ' ' && c != '\t' && c != kSoft) return false;
            }
        }
        return true;
    }

    Placement forced(TagLevel level) const {
        switch (level) {
            case TagLevel::paragraph: return Placement::replace_paragraph;
            case TagLevel::row: return Placement::replace_row;
            case TagLevel::cell: return Placement::replace_cell;
            // docxtpl first cuts the run at a {%r %} tag and then replaces the run that holds only the tag: the
            // tag stands between runs, which is where every inline block tag ends up (lift_block_slots).
            case TagLevel::run: return Placement::inline_;
            case TagLevel::automatic: break;
        }
        return Placement::inline_;
    }

    // False, with the error, when blocks nest deeper than kMaxBlockDepth: the later passes would take time
    // quadratic in the depth (build_program checks again, with the table and cell guards).
    bool match_and_place() {
        // group block tags: if/elif/else/endif, for/else/endfor
        std::vector<int> stack;  // group indexes
        std::vector<bool> complete;
        for (std::size_t i = 0; i < tags_.size(); ++i) {
            TagRec& t = tags_[i];
            if (t.placement == Placement::attribute) continue;
            using K = Statement::Kind;
            if (t.st.opens() && stack.size() >= core::kMaxBlockDepth) {
                errors_.push_back(diag(t,
                                       "blocks are nested more than " + std::to_string(core::kMaxBlockDepth) + " deep",
                                       "close some {% if %} or {% for %} blocks first"));
                return false;
            }
            if (t.st.opens()) {
                groups_.push_back({static_cast<int>(i)});
                complete.push_back(false);
                stack.push_back(static_cast<int>(groups_.size()) - 1);
            } else if (t.st.middle()) {
                if (!stack.empty()) groups_[static_cast<std::size_t>(stack.back())].push_back(static_cast<int>(i));
            } else if (t.st.closes()) {
                if (!stack.empty()) {
                    auto& g = groups_[static_cast<std::size_t>(stack.back())];
                    K open = tags_[static_cast<std::size_t>(g.front())].st.kind;
                    if (Statement::closer_of(open) == t.st.kind) {
                        g.push_back(static_cast<int>(i));
                        complete[static_cast<std::size_t>(stack.back())] = true;
                        stack.pop_back();
                    }
                }
            }
        }
        std::vector<bool> in_group(tags_.size(), false);
        for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
            if (!complete[gi]) continue;
            for (int ti : groups_[gi]) in_group[static_cast<std::size_t>(ti)] = true;
            place_group(groups_[gi]);
        }
        for (std::size_t i = 0; i < tags_.size(); ++i) {
            TagRec& t = tags_[i];
            if (t.placement == Placement::attribute || in_group[i]) continue;
            if (is_table_helper(t.st)) {
                t.placement = Placement::remove_text;  // applied to its cell by apply_table_helpers()
            } else if (t.st.kind == Statement::Kind::output) {
                t.placement = Placement::inline_;  // {{p x}} / {{r x}} print where they stand
            } else if (t.token.level != TagLevel::automatic) {
                t.placement = forced(t.token.level);
            } else {
                bool own_paragraph = t.st.is_block_tag() && alone(t) && !joined_paras_.count(t.para);
                t.placement = own_paragraph ? Placement::replace_paragraph : Placement::inline_;
            }
        }
        return true;
    }

    void place_group(const std::vector<int>& g) {
        auto tag = [&](int i) -> TagRec& { return tags_[static_cast<std::size_t>(i)]; };
        TagLevel level = TagLevel::automatic;
        for (int i : g)
            if (tag(i).token.level != TagLevel::automatic) {
                level = tag(i).token.level;
                break;
            }
        if (level != TagLevel::automatic) {
            for (int i : g) tag(i).placement = forced(level);
            return;
        }
        // A block in paragraphs that whitespace control joins acts on their text, as in docxtpl.
        bool joined = std::any_of(g.begin(), g.end(), [&](int i) { return joined_paras_.count(tag(i).para) > 0; });
        bool same_para = std::all_of(g.begin(), g.end(), [&](int i) { return tag(i).para == tag(g[0]).para; });
        if (same_para || joined) {
            for (int i : g) tag(i).placement = Placement::inline_;
            return;
        }
        bool all_alone = std::all_of(g.begin(), g.end(), [&](int i) { return alone(tag(i)); });
        xmlNode* parent0 = para_of(tag(g[0])).node->parent;
        bool same_parent =
            std::all_of(g.begin(), g.end(), [&](int i) { return para_of(tag(i)).node->parent == parent0; });
        if (all_alone && same_parent) {
            for (int i : g) tag(i).placement = Placement::replace_paragraph;
            return;
        }
        xmlNode* row0 = row_of(tag(g[0]));
        if (row0 && g.size() == 2 && row_of(tag(g[1])) == row0 && cell_of(tag(g[0])) != cell_of(tag(g[1]))) {
            tag(g[0]).placement = Placement::before_row;
            tag(g[1]).placement = Placement::after_row;
            return;
        }
        bool rows_alone = std::all_of(g.begin(), g.end(), [&](int i) { return row_alone(tag(i)); });
        if (rows_alone) {
            xmlNode* table = row0 ? row0->parent : nullptr;
            bool same_table = std::all_of(g.begin(), g.end(), [&](int i) {
                xmlNode* r = row_of(tag(i));
                return r && r->parent == table;
            });
            if (same_table) {
                for (int i : g) tag(i).placement = Placement::replace_row;
                return;
            }
        }
        for (int i : g) tag(i).placement = Placement::inline_;
    }

private:
    const std::set<int>& joined_paras_;
    std::vector<std::vector<int>>& groups_;
};

}  // namespace

bool place_blocks(const Context& c, const Paragraphs& paras, const Joins& joins, TagSpans& spans, Blocks& blocks) {
    return BlockPlacer(c, paras, joins, spans, blocks).match_and_place();
}

}  // namespace vanban::core::part
