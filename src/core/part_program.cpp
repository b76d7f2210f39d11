// Stage 9, cut_program: the edited tree → Program. The tree is serialised (libxml2 keeps every byte the compiler did
// not touch) and cut at the markers (see part_stages.hpp): the bytes between markers become literal pieces, a tag
// marker a tag piece with its located statement, guard and hook markers their pieces; the bytes of a whitespace cut
// are left out (a tag inside one is an error). build_program() then checks the block structure.
#include <cctype>

#include <libxml/xmlsave.h>

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
        xmlChar* mem = nullptr;
        int size = 0;
        xmlDocDumpMemoryEnc(doc_, &mem, &size, "UTF-8");
        std::string xml(reinterpret_cast<char*>(mem), static_cast<std::size_t>(size));
        xmlFree(mem);

        std::vector<Piece> pieces;
        std::vector<LocatedTag> located;
        std::set<std::size_t> open_cuts, broken_cuts;  // whitespace-control cuts (place_cuts)
        std::size_t pos = 0;
        while (true) {
            std::size_t m = xml.find(kMarkOpen, pos);
            if (m == std::string::npos) break;
            std::size_t e = xml.find(kMarkClose, m);
            if (e == std::string::npos) break;
            if (open_cuts.empty()) {
                Piece lit;
                lit.text = unescape_braces(xml.substr(pos, m - pos));
                pieces.push_back(std::move(lit));
            }
            std::string payload = xml.substr(m + kMarkOpen.size(), e - m - kMarkOpen.size());
            pos = e + kMarkClose.size();
            if (payload[0] == 'x' || payload[0] == 'y') {
                std::size_t ci = std::stoul(payload.substr(1));
                if (payload[0] == 'x') open_cuts.insert(ci);
                else if (!open_cuts.erase(ci)) broken_cuts.insert(ci);
                continue;
            }
            if (!open_cuts.empty()) {  // only markup is cut; a tag there would be lost
                if (std::isdigit(static_cast<unsigned char>(payload[0])) && tags_[std::stoul(payload)].placement != Placement::attribute)
                    errors_.push_back(diag(tags_[std::stoul(payload)], "whitespace control ('-' in a tag nearby) would remove this tag"));
                continue;
            }
            Piece p;
            if (payload == "o" || payload == "g") {
                p.kind = Piece::Kind::guard_open;
                p.hook = payload == "g" ? kTableGuard : 0;
            } else if (payload == "c" || payload == "G") {
                p.kind = Piece::Kind::guard_close;
            } else if (payload == "h1") {
                p.kind = Piece::Kind::hook;
                p.hook = 1;
            } else {
                std::size_t ti = std::stoul(payload);
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
            }
            pieces.push_back(std::move(p));
        }
        Piece tail;
        if (open_cuts.empty()) tail.text = unescape_braces(xml.substr(pos));
        pieces.push_back(std::move(tail));
        for (std::size_t ci : open_cuts) broken_cuts.insert(ci);
        for (std::size_t ci : broken_cuts) {
            const Cut& cut = cuts_[ci];
            errors_.push_back(diag(tags_[static_cast<std::size_t>(cut.tag)],
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
};

}  // namespace

Program cut_program(const Context& c, const Paragraphs& paras, const Joins& joins, TagSpans spans) {
    return ProgramCutter(c, paras, joins, spans).build();
}

}  // namespace vanban::core::part
