// Stage 5, edit_text: the tree as Paragraphs, TagSpans and Joins describe it → the tree with tags taken out of the
// text. Every tag leaves its text; an inline tag leaves its marker where it began (TagRec::host: the text holder with
// the marker); white space a '-' trims goes; text holders left empty go (TreeEdits::doomed). Inline block tags are
// then lifted out of runs, spans and links into the paragraph itself (the run is cut in two, attribute tags copied
// with it as new tags), and the cuts of whitespace control are marked (x<c> … y<c>).
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
        lift_block_markers();
        place_cuts();
    }

private:
    const std::vector<Cut>& cuts_;
    std::set<xmlNode*>& doomed_;

    // Rewriting the text of paragraphs: tags leave the runs; inline tags leave a marker where they began.

    struct TextEdit {
        std::size_t begin, end;
        int marked_tag;  // the tag whose marker takes the place of the text, or -1 (removed text)
    };

    // The text each paragraph loses: its tags (inline ones leave a marker) and the white space a '-' trims.
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
        std::stable_sort(edits.begin(), edits.end(), [](const TextEdit& a, const TextEdit& b) { return a.begin < b.begin; });
        return edits;
    }

    void edit_text() {
        for (const Paragraph& p : paras_) {
            if (p.tags.empty() && p.strips.empty()) continue;
            const std::vector<TextEdit> edits = text_edits(p);
            for (const Segment& seg : p.segments) {
                std::size_t s0 = seg.start, s1 = seg.start + seg.length;
                bool touched = false;
                std::string out;
                std::size_t pos = s0;
                for (const TextEdit& ed : edits) {
                    if (ed.end <= s0 || ed.begin >= s1) continue;
                    touched = true;
                    if (ed.begin > pos) out.append(p.text, pos, ed.begin - pos);
                    if (ed.marked_tag >= 0 && ed.begin >= s0) out += marker(std::to_string(ed.marked_tag));
                    pos = std::max(pos, std::min(ed.end, s1));
                }
                if (!touched) continue;
                if (pos < s1) out.append(p.text, pos, s1 - pos);
                replace_text(seg, out);
            }
            for (xmlNode* soft : p.dropped_softs) remove_holder(soft);
            // A tab or line break inside a tag is white space of the tag (as in Jinja): it leaves with the tag.
            for (const auto& [at, soft] : p.softs) {
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

    // Every inline tag's host is where its marker now stands: the text element holding it (DOCX w:t) or the text
    // node itself (character data). Run again after cutting elements apart.
    void relocate_hosts(xmlNode* node) {
        for (xmlNode* c = node->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                relocate_hosts(c);
                continue;
            }
            if (c->type != XML_TEXT_NODE || !c->content) continue;
            std::string_view text(reinterpret_cast<const char*>(c->content));
            for (std::size_t m = text.find(kMarkOpen); m != std::string_view::npos; m = text.find(kMarkOpen, m + 1)) {
                std::size_t e = text.find(kMarkClose, m);
                std::string_view payload = text.substr(m + kMarkOpen.size(), e - m - kMarkOpen.size());
                if (payload.empty() || payload.find_first_not_of("0123456789") != std::string_view::npos) continue;
                TagRec& t = tags_[std::stoul(std::string(payload))];
                if (t.placement != Placement::inline_) continue;
                t.host = d_.role(node) == Role::text && !d_.is_paragraph(node) ? node : c;
            }
        }
    }

    // Gives a text holder its new content; returns the node that now holds it (nullptr when it became empty).
    xmlNode* replace_text(const Segment& seg, const std::string& content) {
        xmlDoc* doc = doc_;
        auto new_text = [&] { return xmlNewDocTextLen(doc, xml_chars(content.data()), static_cast<int>(content.size())); };
        if (seg.kind == Segment::Kind::element) {
            xmlNode* t = seg.holder;
            while (t->children) {
                xmlNode* c = t->children;
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
            if (!content.empty()) {
                xmlAddChild(t, new_text());
                d_.text_changed(doc, t);
                return t;
            }
        } else if (!content.empty()) {  // character data or text:s: a plain text node takes its place
            xmlNode* t = new_text();
            xmlReplaceNode(seg.holder, t);
            xmlFreeNode(seg.holder);
            return t;
        }
        remove_holder(seg.holder);
        return nullptr;
    }

    // Removes a text holder or a break; a run left without content goes too.
    void remove_holder(xmlNode* holder) {
        xmlNode* parent = holder->parent;
        xmlUnlinkNode(holder);
        xmlFreeNode(holder);
        if (parent && d_.removable_when_empty(parent)) {
            bool empty = true;
            for (xmlNode* c = parent->children; c && empty; c = c->next)
                empty = !(c->type == XML_ELEMENT_NODE && d_.role(c) != Role::ignore) && c->type != XML_TEXT_NODE;
            if (empty) doomed_.insert(parent);
        }
    }

    // Inline block tags move out of runs, spans and links into the paragraph itself.
    //
    // Every run (or span) holding a block tag is cut in two at the tag, so that the tag stands directly in the
    // paragraph. Blocks then slice the XML at paragraph level: the text between an {% if %} in a bold run and its
    // {% endif %} in a hyperlink, or between a {% for %} in the middle of one paragraph and its {% endfor %} two
    // paragraphs later, is a balanced piece of XML.

    void lift_block_markers() {
        const std::size_t count = tags_.size();  // cutting may add attribute tags (copies) at the end
        for (std::size_t i = 0; i < count; ++i) {
            const TagRec& t = tags_[i];
            if (t.placement != Placement::inline_ || t.st.kind == Statement::Kind::output || t.para < 0) continue;
            const std::string m = marker(std::to_string(i));
            for (xmlNode* h = text_holding(para_of(t).node, m); h && h->parent && d_.splittable(h->parent);)
                h = split_at(h, m);
        }
        relocate_hosts(root_);
    }

    static xmlNode* text_holding(xmlNode* node, const std::string& m) {
        for (xmlNode* c = node->children; c; c = c->next) {
            if (c->type == XML_TEXT_NODE && c->content && std::strstr(reinterpret_cast<const char*>(c->content), m.c_str()))
                return c;
            if (c->type == XML_ELEMENT_NODE)
                if (xmlNode* found = text_holding(c, m)) return found;
        }
        return nullptr;
    }

    bool has_content(const xmlNode* element) const {
        for (const xmlNode* c = element->children; c; c = c->next)
            if (!d_.is_properties(c)) return true;
        return false;
    }

    // `text` (a text node holding the marker `m`) lies in a splittable element E: E keeps what precedes the marker, a
    // copy of E after it takes what follows, and the marker goes between them. Returns the text node now holding the
    // marker (it may have merged with text that follows E).
    xmlNode* split_at(xmlNode* text, const std::string& m) {
        xmlDoc* doc = doc_;
        xmlNode* element = text->parent;
        const std::string all = content_of(text);
        const std::size_t at = all.find(m);
        const std::string pre = all.substr(0, at), post = all.substr(at + m.size());

        xmlNode* rest = copy_for_split(element);
        if (!post.empty()) xmlAddChild(rest, xmlNewDocTextLen(doc, xml_chars(post.data()), static_cast<int>(post.size())));
        for (xmlNode* c = text->next; c;) {  // no two text nodes are adjacent, so nothing merges
            xmlNode* next = c->next;
            xmlUnlinkNode(c);
            xmlAddChild(rest, c);
            c = next;
        }
        if (has_content(rest)) xmlAddNextSibling(element, rest);
        else xmlFreeNode(rest);
        xmlNode* mark = xmlNewDocTextLen(doc, xml_chars(m.data()), static_cast<int>(m.size()));
        mark = xmlAddNextSibling(element, mark);  // may merge into a following text node: use what it returns

        if (!pre.empty()) {
            xmlNodeSetContentLen(text, xml_chars(pre.data()), static_cast<int>(pre.size()));
        } else {
            xmlUnlinkNode(text);
            xmlFreeNode(text);
        }
        if (!has_content(element)) {  // nothing was before the tag: the first half goes
            doomed_.erase(element);
            xmlUnlinkNode(element);
            xmlFreeNode(element);
        }
        return mark;
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
            std::string value = v ? reinterpret_cast<const char*>(v) : "";
            xmlFree(v);
            xmlNewNsProp(copy, copied_ns(a->ns, src, copy), a->name, xml_chars(retag(value, copy).c_str()));
        }
        if (with_children)
            for (xmlNode* c = src->children; c; c = c->next) xmlAddChild(copy, clone(c, true));
        return copy;
    }

    // An attribute value with its tag markers replaced by markers of new tags that repeat the same ones.
    std::string retag(const std::string& value, xmlNode* host) {
        std::string out;
        std::size_t pos = 0;
        for (std::size_t m = value.find(kMarkOpen); m != std::string::npos; m = value.find(kMarkOpen, pos)) {
            std::size_t e = value.find(kMarkClose, m);
            std::size_t ti = std::stoul(value.substr(m + kMarkOpen.size(), e - m - kMarkOpen.size()));
            TagRec rec;
            rec.token = tags_[ti].token;
            rec.placement = Placement::attribute;
            rec.host = host;
            parse_tag(rec);
            rec.site = static_cast<int>(sites_.size());
            sites_.push_back(sites_[static_cast<std::size_t>(tags_[ti].site)]);
            if (auto it = attr_para_.find(ti); it != attr_para_.end()) attr_para_[tags_.size()] = it->second;
            out.append(value, pos, m - pos);
            out += marker(std::to_string(tags_.size()));
            tags_.push_back(std::move(rec));
            pos = e + kMarkClose.size();
        }
        out.append(value, pos, std::string::npos);
        return out;
    }


    // Whitespace control: the markers that delimit each cut (see part_whitespace.cpp).

    // True for what docxtpl would see as text: a text element with characters, character data (ODF), a tag marker.
    bool bears_text(const xmlNode* n) const {
        if (n->type == XML_TEXT_NODE)
            return n->content && *n->content &&
                   (d_.text_in_character_data() || std::strstr(reinterpret_cast<const char*>(n->content), kMarkOpen.data()));
        if (n->type != XML_ELEMENT_NODE || d_.is_paragraph(n)) return false;
        switch (d_.role(n)) {
            case Role::text: return !node_text(n).empty();
            case Role::spaces: return true;
            case Role::transparent:
                for (const xmlNode* c = n->children; c; c = c->next)
                    if (bears_text(c)) return true;
                return false;
            default: return false;
        }
    }

    // Puts `m` into the paragraph right after (or before) `anchor`, a child of it: into the anchor's own characters
    // when it is a text node, else as a text node beside it.
    static void put_marker(xmlNode* anchor, const std::string& m, bool after) {
        if (anchor->type == XML_TEXT_NODE) {
            std::string text = content_of(anchor);
            text = after ? text + m : m + text;
            xmlNodeSetContentLen(anchor, xml_chars(text.data()), static_cast<int>(text.size()));
            return;
        }
        xmlNode* node = xmlNewDocTextLen(anchor->doc, xml_chars(m.data()), static_cast<int>(m.size()));
        if (after) xmlAddNextSibling(anchor, node);
        else xmlAddPrevSibling(anchor, node);
    }

    void place_cuts() {
        for (std::size_t ci = 0; ci < cuts_.size(); ++ci) {
            const Cut& cut = cuts_[ci];
            const TagRec& t = tags_[static_cast<std::size_t>(cut.tag)];
            xmlNode* own = para_of(t).node;
            xmlNode* other = paras_[static_cast<std::size_t>(cut.other)].node;
            if (t.placement != Placement::inline_) {
                errors_.push_back(diag(t, "the '-' of this tag cannot join paragraphs: its block removes the paragraph it stands in",
                                       "remove the '-', or the {%p %} / {%tr %} / {%tc %} of the block"));
                continue;
            }
            const std::string m = marker(std::to_string(cut.tag));
            xmlNode* at_tag = text_holding(own, m);
            if (!at_tag || at_tag->parent != own) {
                errors_.push_back(diag(t,
                                       "the '-' of this tag cannot join paragraphs: the tag is inside " +
                                           std::string(at_tag && at_tag->parent ? reinterpret_cast<const char*>(at_tag->parent->name)
                                                                                : "an element") +
                                           ", which cannot be cut",
                                       "remove the '-', or move the tag out of the content control or field"));
                continue;
            }
            const std::string begin = marker("x" + std::to_string(ci)), end = marker("y" + std::to_string(ci));
            // The tag's own marker text: the cut ends right before it ({%-) or begins right after it (-%}).
            std::string text = content_of(at_tag);
            std::size_t pos = text.find(m);
            text.insert(cut.into_previous ? pos : pos + m.size(), cut.into_previous ? end : begin);
            xmlNodeSetContentLen(at_tag, xml_chars(text.data()), static_cast<int>(text.size()));
            if (cut.into_previous) {
                xmlNode* last = nullptr;
                for (xmlNode* c = other->children; c; c = c->next)
                    if (bears_text(c)) last = c;
                if (last) put_marker(last, begin, true);
                else xmlAddChild(other, xmlNewDocText(doc_, xml_chars(begin.c_str())));
            } else {
                xmlNode* first = nullptr;
                for (xmlNode* c = other->children; c && !first; c = c->next)
                    if (bears_text(c)) first = c;
                if (first) put_marker(first, end, false);
                else xmlAddChild(other, xmlNewDocText(doc_, xml_chars(end.c_str())));
            }
        }
    }
};

}  // namespace

void edit_text(const Context& c, const Paragraphs& paras, const Joins& joins, TagSpans& spans, TreeEdits& edits) {
    TextEditor(c, paras, joins, spans, edits).run();
}

}  // namespace vanban::core::part
