// Stage 2, scan_tags: Paragraphs → TagSpans. The tags of each paragraph's text (TagRec::para, offsets in that text,
// the parsed statement; Paragraph::tags lists them), then the tags in attribute values, whose values become pieces
// of literal text and tags (only {{ }} outputs may stand there; their OutputSite is an attribute). A part with more
// than kMaxTagsPerPart tag openers is refused before its tags are parsed.
#include <algorithm>
#include <cstring>

#include "core/part_stages.hpp"

namespace vanban::core::part {

namespace {

class TagScanner : TagQueries {
public:
    TagScanner(const Context& c, const Paragraphs& paras, TagSpans& spans) : TagQueries(c, paras, spans) {}

    bool run(std::vector<Paragraph>& paragraphs) {
        for (auto& p : paragraphs)
            if (!scan_paragraph(p)) return false;
        return scan_attributes(root_);
    }

private:
    std::size_t tag_openers_ = 0;  // of the part, for kMaxTagsPerPart

    // Counts the tag openers of `text` against kMaxTagsPerPart before its tags are scanned (a template of a million
    // tags is refused in time linear in its text); false, with the error, past the limit.
    bool within_tag_limit(std::string_view text, int paragraph) {
        for (std::size_t i = text.find('{'); i != std::string_view::npos && i + 1 < text.size();
             i = text.find('{', i + 1)) {
            const char next = text[i + 1];
            if (next == '{' || next == '%' || next == '#') ++tag_openers_;
        }
        if (tag_openers_ <= core::kMaxTagsPerPart) return true;
        Diagnostic d;
        d.kind = DiagnosticKind::limit;
        d.code = "template.too_many_tags";
        d.part = part_;
        d.paragraph = paragraph;
        d.message = "the part has more than " + std::to_string(core::kMaxTagsPerPart) + " tags";
        d.message_vi = "phần " + part_ + " của mẫu có hơn " + std::to_string(core::kMaxTagsPerPart) +
                       " thẻ {{ }} / {% %}; mẫu văn bản không cần nhiều như vậy";
        d.hint = "split the template, or use a loop instead of repeating tags";
        errors_.push_back(std::move(d));
        return false;
    }

    bool scan_paragraph(Paragraph& p) {
        if (p.text.find('{') == std::string::npos && p.text.find('}') == std::string::npos) return true;
        if (!within_tag_limit(p.text, p.number)) return false;
        std::vector<TagToken> found;
        std::vector<core::ScanProblem> problems;
        core::scan_tags(p.text, found, problems, kHard);
        int pi = static_cast<int>(&p - paras_.data());
        for (auto& pr : problems) {
            Diagnostic d;
            d.kind = DiagnosticKind::template_syntax;
            d.part = part_;
            d.paragraph = p.number;
            d.message = pr.message;
            d.tag = pr.raw;
            for (char& c : d.tag)
                if (c == kHard || c == kSoft) c = ' ';
            d.hint = pr.hint;
            d.context = clip_context(p.text, pr.offset, pr.offset + 1);
            errors_.push_back(std::move(d));
        }
        for (auto& tok : found) {
            TagRec rec;
            rec.para = pi;
            rec.token = std::move(tok);
            parse_tag(rec);
            p.tags.push_back(static_cast<int>(tags_.size()));
            tags_.push_back(std::move(rec));
        }
        return true;
    }

    int enclosing_para(const xmlNode* n) const {
        for (; n; n = n->parent) {
            auto it = para_index_.find(n);
            if (it != para_index_.end()) return it->second;
        }
        return -1;
    }

    bool scan_attributes(xmlNode* node) {
        for (xmlNode* c = node; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) continue;
            for (xmlAttr* a = c->properties; a; a = a->next) {
                xmlChar* v = xmlNodeListGetString(doc_, a->children, 1);
                if (!v) continue;
                std::string value(reinterpret_cast<char*>(v));
                xmlFree(v);
                if (value.find('{') == std::string::npos) continue;
                if (!within_tag_limit(value, 0)) return false;
                std::vector<TagToken> found;
                std::vector<core::ScanProblem> problems;
                core::scan_tags(value, found, problems, kHard);
                int para = enclosing_para(c);
                for (auto& pr : problems) {
                    Diagnostic d;
                    d.kind = DiagnosticKind::template_syntax;
                    d.part = part_;
                    d.paragraph = para >= 0 ? paras_[static_cast<std::size_t>(para)].number : 0;
                    d.message =
                        pr.message + " (in attribute " + std::string(reinterpret_cast<const char*>(a->name)) + ")";
                    d.tag = pr.raw;
                    errors_.push_back(std::move(d));
                }
                if (found.empty()) continue;
                std::vector<AttributePiece> pieces;
                std::size_t pos = 0;
                for (auto& tok : found) {
                    TagRec rec;
                    rec.token = tok;
                    rec.placement = Placement::attribute;
                    rec.host = c;
                    parse_tag(rec);
                    if (rec.parsed && rec.st.kind != Statement::Kind::output) {
                        Diagnostic d = diag(rec, "only {{ … }} output tags can stand in an XML attribute");
                        d.paragraph = para >= 0 ? paras_[static_cast<std::size_t>(para)].number : 0;
                        errors_.push_back(std::move(d));
                        continue;
                    }
                    rec.para = -1;
                    pieces.push_back({value.substr(pos, tok.begin - pos), -1});
                    pieces.push_back({{}, static_cast<int>(tags_.size())});
                    pos = tok.end;
                    OutputSite site;
                    site.context = OutputSite::Context::attribute;
                    rec.site = static_cast<int>(sites_.size());
                    sites_.push_back(site);
                    attr_para_[tags_.size()] = para;
                    tags_.push_back(std::move(rec));
                }
                pieces.push_back({value.substr(pos), -1});
                slots_.set_pieces(a, std::move(pieces));
            }
            if (c->children && !scan_attributes(c->children)) return false;
        }
        return true;
    }
};

}  // namespace

bool scan_tags(const Context& c, Paragraphs& paras, TagSpans& spans) {
    return TagScanner(c, paras, spans).run(paras.list);
}

}  // namespace vanban::core::part
