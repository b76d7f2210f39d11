// Stage 1, collect_paragraphs: the tree → Paragraphs. Each paragraph's visible text is joined before tags are looked
// for, so a tag split over runs, spell-check marks, bookmarks or style changes is still one tag; each Segment says
// which node holds which bytes of that text (the text stage rewrites them). What is not text stands as one byte:
// kHard (a picture, a field, a nested paragraph: no tag may span it) or kSoft (a tab, a line break).
#include <algorithm>
#include <cstring>

#include "core/part_stages.hpp"

namespace vanban::core::part {

namespace {

class ParagraphCollector {
public:
    ParagraphCollector(const Context& c, Paragraphs& out) : d_(c.dialect), paras_(out.list), para_index_(out.index) {}

    void collect_paragraphs(xmlNode* node) {
        for (xmlNode* c = node->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) continue;
            if (d_.is_paragraph(c)) {
                Paragraph p;
                p.node = c;
                p.number = static_cast<int>(paras_.size()) + 1;
                gather(c, p);
                para_index_[c] = static_cast<int>(paras_.size());
                paras_.push_back(std::move(p));
            }
            collect_paragraphs(c);
        }
    }

    void gather(xmlNode* node, Paragraph& p) {
        for (xmlNode* c = node->children; c; c = c->next) {
            if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
                if (!d_.text_in_character_data() || !c->content) continue;
                std::string s(reinterpret_cast<const char*>(c->content));
                p.segments.push_back({Segment::Kind::character_data, c, p.text.size(), s.size()});
                p.text += s;
                continue;
            }
            if (c->type != XML_ELEMENT_NODE) continue;
            if (d_.is_paragraph(c)) {  // a paragraph inside this one (a text box, a note): its own paragraph
                p.text += kHard;
                p.hard_barrier = true;
                continue;
            }
            switch (d_.role(c)) {
                case Role::text: {
                    std::string s = node_text(c);
                    p.segments.push_back({Segment::Kind::element, c, p.text.size(), s.size()});
                    p.text += s;
                    break;
                }
                case Role::spaces: {
                    std::size_t n = static_cast<std::size_t>(std::max(1, d_.space_count(c)));
                    if (n > kMaxSpacesElement) {  // <text:s text:c="999999999"/>: not expanded, a barrier to tags
                        p.text += kHard;
                        p.hard_barrier = true;
                        break;
                    }
                    p.segments.push_back({Segment::Kind::spaces, c, p.text.size(), n});
                    p.text.append(n, ' ');
                    break;
                }
                case Role::transparent: gather(c, p); break;
                case Role::soft:
                    p.softs.emplace_back(p.text.size(), c);
                    p.text += kSoft;
                    break;
                case Role::ignore: break;
                case Role::hard:
                    p.text += kHard;
                    p.hard_barrier = true;
                    break;
            }
        }
    }

private:
    const Dialect& d_;
    std::vector<Paragraph>& paras_;
    std::map<const xmlNode*, int>& para_index_;
};

}  // namespace

Paragraphs collect_paragraphs(const Context& c) {
    Paragraphs out;
    ParagraphCollector(c, out).collect_paragraphs(c.root);
    return out;
}

}  // namespace vanban::core::part
