// Stage 9, cut_program: the edited tree → Program. The tree is serialised (libxml2 keeps every byte the compiler did
// not touch) and cut at its slots (core/xml_slots.hpp, part_stages.hpp): the bytes between slots become literal
// pieces, a tag's slot a tag piece with its located statement, guard and hook slots their pieces; the bytes of a
// whitespace cut are left out (a tag inside one is an error). build_program() then checks the block structure.
#include "core/part_stages.hpp"

namespace vanban::core::part {

namespace {

// docxtpl's literal escapes: {_{ }_} {_% %_} print as {{ }} {% %} (they are never tags, so they survive compiling).
std::string unescape_braces(std::string text) {
    static constexpr std::pair<std::string_view, std::string_view> escapes[] = {
        {"{_{", "{{"}, {"}_}", "}}"}, {"{_%", "{%"}, {"%_}", "%}"}};
    for (auto [from, to] : escapes)
        for (std::size_t p = text.find(from); p != std::string::npos; p = text.find(from, p + to.size()))
            text.replace(p, from.size(), to);
    return text;
}

class ProgramCutter : TagQueries {
public:
    ProgramCutter(const Context& c, const Paragraphs& paras, const Joins& joins, TagSpans& spans)
        : TagQueries(c, paras, spans), cuts_(joins.cuts) {}

    core::Program build() {
        std::vector<XmlSlice> slices = serialise_slices(doc_);
        std::vector<Piece> pieces;
        std::vector<LocatedTag> located;
        std::set<std::size_t> open_cuts, broken_cuts;  // whitespace-control cuts (place_cuts)
        for (XmlSlice& slice : slices) {
            if (open_cuts.empty() || !slice.slot) {  // the last literal piece is there even when a cut left it empty
                Piece lit;
                if (open_cuts.empty()) lit.text = unescape_braces(std::move(slice.text));
                pieces.push_back(std::move(lit));
            }
            if (!slice.slot) break;
            const Slot& slot = *slice.slot;
            const auto index = static_cast<std::size_t>(slot.index);
            if (slot.kind == Slot::Kind::cut_begin) {
                open_cuts.insert(index);
                continue;
            }
            if (slot.kind == Slot::Kind::cut_end) {
                if (!open_cuts.erase(index)) broken_cuts.insert(index);
                continue;
            }
            if (!open_cuts.empty()) {  // only markup is cut; a tag there would be lost
                if (slot.kind == Slot::Kind::tag && tags_[index].placement != Placement::attribute)
                    errors_.push_back(
                        diag(tags_[index], "whitespace control ('-' in a tag nearby) would remove this tag"));
                continue;
            }
            pieces.push_back(piece_at(slot, located));
        }
        for (std::size_t ci : open_cuts) broken_cuts.insert(ci);
        for (std::size_t ci : broken_cuts) {
            const Cut& cut = cuts_[ci];
            errors_.push_back(
                diag(tags_[static_cast<std::size_t>(cut.tag)],
                     std::string("the '-' of this tag joins its paragraph to the ") +
                         (cut.into_previous ? "previous" : "next") + " one (¶" +
                         std::to_string(paras_[static_cast<std::size_t>(cut.other)].number) +
                         "), but another tag removes that paragraph",
                     "remove the '-', or the {%p %} / {%tr %} / {%tc %} tag that replaces the other paragraph"));
        }
        return core::build_program(std::move(pieces), std::move(located), std::move(sites_), errors_);
    }

private:
    const std::vector<Cut>& cuts_;

    // The piece a slot outside any whitespace cut stands for.
    Piece piece_at(const Slot& slot, std::vector<LocatedTag>& located) {
        Piece p;
        switch (slot.kind) {
            case Slot::Kind::guard_open:
            case Slot::Kind::grid_open:
                p.kind = Piece::Kind::guard_open;
                p.hook = slot.kind == Slot::Kind::grid_open ? kTableGuard : 0;
                return p;
            case Slot::Kind::guard_close:
            case Slot::Kind::grid_close: p.kind = Piece::Kind::guard_close; return p;
            case Slot::Kind::hook:
                p.kind = Piece::Kind::hook;
                p.hook = slot.index;
                return p;
            case Slot::Kind::tag: break;
            case Slot::Kind::cut_begin:
            case Slot::Kind::cut_end:
            case Slot::Kind::text:
                return p;  // never here: cuts are handled by build(), text slots are property_part.cpp's
        }
        const auto ti = static_cast<std::size_t>(slot.index);
        TagRec& t = tags_[ti];
        LocatedTag lt;
        lt.token = t.token;
        lt.statement = std::move(t.st);
        lt.loc.part = part_;
        lt.loc.tag = t.token.raw;
        if (t.para >= 0) {
            lt.loc.paragraph = para_of(t).number;
            lt.loc.context = clip_context(para_of(t).text, t.token.begin, t.token.end);
        } else if (auto it = attr_para_.find(ti); it != attr_para_.end() && it->second >= 0) {
            lt.loc.paragraph = paras_[static_cast<std::size_t>(it->second)].number;
        }
        lt.site = t.site;
        p.kind = Piece::Kind::tag;
        p.tag = static_cast<int>(located.size());
        located.push_back(std::move(lt));
        return p;
    }
};

}  // namespace

Program cut_program(const Context& c, const Paragraphs& paras, const Joins& joins, TagSpans spans) {
    return ProgramCutter(c, paras, joins, spans).build();
}

}  // namespace vanban::core::part
