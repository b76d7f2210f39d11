// Stage 6, apply_helpers: docxtpl's table helpers ({% colspan n %}, {% cellbg color %}, {% vm %}, {% hm %}) and the
// paragraph and cell helpers ({% pstyle %}, {% indent %}, {% spacebefore %}, {% cellwidth %}) become attribute tags
// in the properties the Dialect finds or makes (Dialect::cell_slot / paragraph_slot); {% vm %} and {% hm %} add
// synthetic {% if loop.first %} tags; cells that must keep a paragraph are guarded, tables whose grid changes noted.
#include <algorithm>
#include <cstring>

#include "core/part_stages.hpp"

namespace vanban::core::part {

namespace {

class HelperApplier : TagQueries {
public:
    HelperApplier(const Context& c, const Paragraphs& paras, const Blocks& blocks, TagSpans& spans, TreeEdits& edits)
        : TagQueries(c, paras, spans),
          groups_(blocks.groups),
          guarded_(edits.guarded),
          grid_tables_(edits.grid_tables) {}

    // A tag the compiler adds for a helper; errors and locations point at the helper as typed.
    int add_tag(std::size_t origin, TagToken::Kind kind, std::string inner) {
        TagRec rec;
        rec.para = tags_[origin].para;
        rec.token = tags_[origin].token;
        rec.token.kind = kind;
        rec.token.inner = std::move(inner);
        rec.token.level = TagLevel::automatic;
        rec.placement = Placement::synthetic;
        parse_tag(rec);
        tags_.push_back(std::move(rec));
        return static_cast<int>(tags_.size()) - 1;
    }

    // The helper's value as the slot writes it (points to twips, a unit added, ...).
    ExprPtr slot_value(const TagRec& helper, const Dialect::AttributeSlot& slot) {
        const std::string& text = helper.st.expr->text;
        std::string source = slot.value;
        if (const std::size_t at = source.find("{}"); at != std::string::npos) source.replace(at, 2, "(" + text + ")");
        return parse_expression(source);
    }

    // {% pstyle name %}, {% indent pt %}, {% spacebefore pt %}: attribute tags in the paragraph's properties.
    void apply_paragraph_helper(std::size_t i) {
        using K = Statement::Kind;
        using S = Dialect::ParagraphSlot;
        const K kind = tags_[i].st.kind;
        const std::string name = kind == K::pstyle   ? "{% pstyle %}"
                                 : kind == K::indent ? "{% indent %}"
                                                     : "{% spacebefore %}";
        std::vector<S> slots;
        if (kind == K::pstyle) slots = {S::style};
        else if (kind == K::indent) slots = {S::indent_left, S::indent_right};
        else slots = {S::space_before};
        for (S which : slots) {
            std::string why;
            std::optional<Dialect::AttributeSlot> slot = d_.paragraph_slot(doc_, para_of(tags_[i]).node, which, why);
            if (!slot) {
                Diagnostic d = diag(tags_[i], name + " cannot be applied here: " + why);
                d.code = "template.paragraph_helper";
                d.message_vi = "Thẻ " + name + " không dùng được ở đoạn văn này của mẫu.";
                errors_.push_back(std::move(d));
                return;
            }
            if (slot->before_body && inside_loop(i)) {
                Diagnostic d = diag(tags_[i], name + " stands inside a {% for %} loop",
                                    "in an OpenDocument template the value goes into a paragraph style, written once: "
                                    "compute it from the data outside any loop");
                d.code = "template.paragraph_helper_in_loop";
                d.message_vi = "Trong mẫu ODT, thẻ " + name + " không được đặt trong vòng lặp {% for %}.";
                errors_.push_back(std::move(d));
                return;
            }
            add_attribute_tag(i, slot_value(tags_[i], *slot), *slot);
        }
    }

    // An output tag in an attribute of `slot`, writing `value`.
    void add_attribute_tag(std::size_t origin, ExprPtr value, const Dialect::AttributeSlot& slot) {
        TagRec rec;
        rec.token = tags_[origin].token;
        rec.st.kind = Statement::Kind::output;
        rec.st.expr = std::move(value);
        rec.parsed = true;
        rec.placement = Placement::attribute;
        rec.host = slot.element;
        OutputSite site;
        site.context = OutputSite::Context::attribute;
        rec.site = static_cast<int>(sites_.size());
        sites_.push_back(site);
        attr_para_[tags_.size()] = tags_[origin].para;
        // The attribute's text in the tree stays empty: what is written is its pieces, the tag alone.
        xmlAttr* attribute = xmlSetNsProp(slot.element, slot.ns, xml_chars(slot.name), xml_chars(""));
        slots_.set_pieces(attribute, {AttributePiece{{}, static_cast<int>(tags_.size())}});
        tags_.push_back(std::move(rec));
    }

    xmlNode* slot_node(int ti) { return slots_.node(doc_, {Slot::Kind::tag, ti}); }

    // Wraps [first, last] (siblings) in {% if loop.first %} … {% endif %}.
    void only_on_first_iteration(std::size_t origin, xmlNode* first, xmlNode* last) {
        int open = add_tag(origin, TagToken::Kind::statement, "if loop.first");
        int close = add_tag(origin, TagToken::Kind::statement, "endif");
        if (first) xmlAddPrevSibling(first, slot_node(open));
        if (last) xmlAddNextSibling(last, slot_node(close));
    }

    bool inside_loop(std::size_t ti) const {
        for (const auto& g : groups_) {
            const TagRec& open = tags_[static_cast<std::size_t>(g.front())];
            const TagRec& close = tags_[static_cast<std::size_t>(g.back())];
            if (open.st.kind == Statement::Kind::for_ && close.st.kind == Statement::Kind::endfor &&
                static_cast<std::size_t>(g.front()) < ti && ti < static_cast<std::size_t>(g.back()))
                return true;
        }
        return false;
    }

    void apply_table_helpers() {
        const std::size_t count = tags_.size();
        for (std::size_t i = 0; i < count; ++i) {
            if (tags_[i].placement != Placement::remove_text || !is_table_helper(tags_[i].st)) continue;
            if (is_paragraph_helper(tags_[i].st)) {
                apply_paragraph_helper(i);
                continue;
            }
            using K = Statement::Kind;
            const K kind = tags_[i].st.kind;
            const std::string name = kind == K::vm          ? "{% vm %}"
                                     : kind == K::hm        ? "{% hm %}"
                                     : kind == K::colspan   ? "{% colspan %}"
                                     : kind == K::cellwidth ? "{% cellwidth %}"
                                                            : "{% cellbg %}";
            xmlNode* cell = cell_of(tags_[i]);
            if (!cell) {
                errors_.push_back(diag(tags_[i], name + " stands outside a table cell",
                                       "docxtpl's table helpers act on the cell they stand in"));
                continue;
            }
            if ((kind == K::vm || kind == K::hm) && !inside_loop(i)) {
                errors_.push_back(diag(tags_[i], name + " is not inside a {% for %} loop",
                                       kind == K::vm
                                           ? "{% vm %} merges the cell over the rows of a {%tr for %} loop"
                                           : "{% hm %} merges the cell over the columns of a {%tc for %} loop"));
                continue;
            }
            const int span = d_.cell_span(cell);  // before cell_slot() may rewrite it
            const auto which = kind == K::cellbg      ? Dialect::CellSlot::fill
                               : kind == K::vm        ? Dialect::CellSlot::vertical_merge
                               : kind == K::cellwidth ? Dialect::CellSlot::width
                                                      : Dialect::CellSlot::span;
            std::optional<Dialect::AttributeSlot> slot = d_.cell_slot(doc_, cell, which);
            if (!slot && kind == K::cellwidth) {
                Diagnostic d =
                    diag(tags_[i], "{% cellwidth %} finds no column of its own for this cell",
                         "in an OpenDocument table, declare one table column per cell (no number-columns-repeated)");
                d.code = "template.cellwidth";
                d.message_vi = "Thẻ {% cellwidth %} không xác định được cột của ô này trong bảng.";
                errors_.push_back(std::move(d));
                continue;
            }
            if (!slot) {
                errors_.push_back(
                    diag(tags_[i], name + " is a table helper for Word documents; OpenDocument templates cannot use it",
                         "merge or colour the cells in the template itself"));
                continue;
            }
            ExprPtr value;
            switch (kind) {
                case K::vm: value = parse_expression("'restart' if loop.first else 'continue'"); break;
                case K::hm:
                    value = parse_expression(span > 1 ? "loop.length * " + std::to_string(span)
                                                      : std::string("loop.length"));
                    break;
                case K::cellwidth: value = slot_value(tags_[i], *slot); break;
                default: value = std::move(tags_[i].st.expr); break;
            }
            add_attribute_tag(i, std::move(value), *slot);
            if (kind == K::vm) {
                // The merged cell shows its content once, in the loop's first row; the others keep an empty paragraph.
                xmlNode* props = slot->element->parent;
                if (props->next) only_on_first_iteration(i, props->next, cell->last);
                guard(cell);
            } else {
                if (kind == K::hm) only_on_first_iteration(i, cell, cell);  // one cell for the whole column loop
                if (xmlNode* table = table_of(cell)) grid_tables_.insert(table);
            }
        }
    }

private:
    const std::vector<std::vector<int>>& groups_;
    std::set<xmlNode*>& guarded_;
    std::set<xmlNode*>& grid_tables_;

    void guard(xmlNode* container) {
        if (container && d_.needs_paragraph(container)) guarded_.insert(container);
    }
};

}  // namespace

void apply_helpers(const Context& c, const Paragraphs& paras, const Blocks& blocks, TagSpans& spans, TreeEdits& edits) {
    HelperApplier(c, paras, blocks, spans, edits).apply_table_helpers();
}

}  // namespace vanban::core::part
