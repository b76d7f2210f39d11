#include "core/xml_compiler.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <map>
#include <new>
#include <memory>
#include <set>

#include <libxml/parser.h>
#include <libxml/xmlsave.h>

namespace vanban::core {

std::string marker(std::string_view payload) {
    std::string m(kMarkOpen);
    m += payload;
    m += kMarkClose;
    return m;
}

bool has_name(const xmlNode* n, const char* ns_href, const char* local) {
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           std::strcmp(reinterpret_cast<const char*>(n->ns->href), ns_href) == 0 &&
           std::strcmp(reinterpret_cast<const char*>(n->name), local) == 0;
}

bool declares_doctype(std::string_view xml) {
    std::size_t i = xml.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (i < xml.size()) {
        const char c = xml[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            ++i;
            continue;
        }
        if (xml.compare(i, 2, "<?") == 0) {
            const std::size_t end = xml.find("?>", i + 2);
            if (end == std::string_view::npos) return false;
            i = end + 2;
        } else if (xml.compare(i, 4, "<!--") == 0) {
            const std::size_t end = xml.find("-->", i + 4);
            if (end == std::string_view::npos) return false;
            i = end + 3;
        } else {
            return xml.compare(i, 9, "<!DOCTYPE") == 0;
        }
    }
    return false;
}

void declare_namespace(xmlNode* root, const char* href, const char* prefix) {
    for (const xmlNs* ns = root->nsDef; ns; ns = ns->next)
        if (ns->prefix && std::strcmp(reinterpret_cast<const char*>(ns->prefix), prefix) == 0) return;
    xmlNewNs(root, xml_chars(href), xml_chars(prefix));
}

std::string dump_element(xmlDoc* doc, xmlNode* element) {
    xmlBuffer* buf = xmlBufferCreate();
    xmlNodeDump(buf, doc, element, 0, 0);
    std::string xml(reinterpret_cast<const char*>(xmlBufferContent(buf)), static_cast<std::size_t>(xmlBufferLength(buf)));
    xmlBufferFree(buf);
    // A copied element carries the namespace declarations of the document root; inside the document they are noise.
    std::size_t tag_end = xml.find('>');
    for (std::size_t p = xml.find(" xmlns"); p != std::string::npos && p < tag_end; p = xml.find(" xmlns", p)) {
        std::size_t q = xml.find('"', xml.find('"', p) + 1);
        xml.erase(p, q + 1 - p);
        tag_end = xml.find('>');
    }
    return xml;
}

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

constexpr char kHard = '\x01';  // a picture, field or nested paragraph inside the paragraph text
constexpr std::size_t kMaxSpacesElement = 10'000;  // a spaces element (ODF text:s) that counts more is not expanded
constexpr char kSoft = '\x02';  // a tab or line break

std::string node_text(const xmlNode* n) {
    std::string s;
    for (const xmlNode* c = n->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            s += reinterpret_cast<const char*>(c->content);
    return s;
}

struct Segment {
    enum class Kind { element, character_data, spaces };
    Kind kind;
    xmlNode* holder;  // the w:t element, the text node, or the text:s element
    std::size_t start;
    std::size_t length;
};

struct Para {
    xmlNode* node = nullptr;
    int number = 0;
    std::string text;
    std::vector<Segment> segments;
    std::vector<int> tags;  // indexes into Compiler::tags_
    bool hard_barrier = false;
    std::vector<std::pair<std::size_t, std::size_t>> strips;  // white space that a '-' of a tag removes
};

// synthetic: a tag the compiler made itself (the cell wrapper of {% vm %}), already standing where it acts.
enum class Placement { inline_, remove_text, replace_paragraph, replace_row, replace_cell, before_row, after_row,
                       attribute, synthetic };

// docxtpl's whitespace control across paragraphs: the text from the end of one paragraph's text to a tag at the start
// of the next ({%- …%}), or from a tag at the end of a paragraph to the next paragraph's text ({% …-%}), is cut out.
struct Cut {
    int tag = -1;
    int other = -1;              // the paragraph joined to the tag's paragraph
    bool into_previous = false;  // {%- : the tag's paragraph joins the previous one
};

// White space as Python's str.strip() sees it (Jinja trims with it): its UTF-8 length at `i`, or 0.
std::size_t space_at(std::string_view s, std::size_t i) {
    if (i >= s.size()) return 0;
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return 1;
    for (std::string_view u : {"\xC2\xA0", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"})
        if (s.compare(i, u.size(), u) == 0) return u.size();
    if (s.compare(i, 2, "\xE2\x80") == 0 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 2]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 2]) <= 0x8A)
        return 3;  // U+2000 … U+200A
    return 0;
}

// Where the white space that ends right before `end` begins.
std::size_t spaces_before(std::string_view s, std::size_t end) {
    while (end > 0) {
        std::size_t len = 0;
        for (std::size_t k = 1; k <= 3 && k <= end && !len; ++k)
            if (space_at(s, end - k) == k) len = k;
        if (!len) break;
        end -= len;
    }
    return end;
}

// Where the white space that begins at `begin` ends.
std::size_t spaces_after(std::string_view s, std::size_t begin) {
    while (std::size_t len = space_at(s, begin)) begin += len;
    return begin;
}

struct TagRec {
    int para = -1;  // -1 for attribute tags
    TagToken token;
    Statement st;
    bool parsed = false;
    Placement placement = Placement::inline_;
    xmlNode* host = nullptr;  // inline: the text holder with the marker; element level: the marker node's parent
    int site = -1;
};

bool is_paragraph_helper(const Statement& st) {
    using K = Statement::Kind;
    return st.kind == K::pstyle || st.kind == K::indent || st.kind == K::spacebefore;
}

// Helpers that write a property of their cell or paragraph; their text goes.
bool is_table_helper(const Statement& st) {
    using K = Statement::Kind;
    return st.kind == K::vm || st.kind == K::hm || st.kind == K::colspan || st.kind == K::cellbg ||
           st.kind == K::cellwidth || is_paragraph_helper(st);
}

std::string clip_context(const std::string& text, std::size_t begin, std::size_t end) {
    auto safe_left = [&](std::size_t i) {
        while (i > 0 && i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
        return i;
    };
    auto safe_right = [&](std::size_t i) {
        while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
        return i;
    };
    std::size_t a = begin > 30 ? safe_left(begin - 30) : 0;
    std::size_t b = safe_right(std::min(text.size(), end + 30));
    std::string s = text.substr(a, b - a);
    for (char& c : s)
        if (c == kHard || c == kSoft) c = ' ';
    if (a > 0) s = "…" + s;
    if (b < text.size()) s += "…";
    return s;
}

class Compiler {
public:
    Compiler(std::string_view xml, const std::string& part, const Dialect& dialect, std::vector<Diagnostic>& errors,
             PartHooks* hooks)
        : xml_(xml), part_(part), d_(dialect), errors_(errors), info_(hooks) {}

    core::Program run() {
        if (xml_.size() > core::kMaxTemplatedPartSize) {
            errors_.push_back(core::part_too_large(part_));
            return {};
        }
        std::string problem;
        doc_ = parse_office_part(xml_, part_, problem);
        if (!doc_) return package_error(problem);
        root_ = xmlDocGetRootElement(doc_.get());
        if (!root_) return {};
        if (holds_marker(reinterpret_cast<xmlNode*>(doc_.get())))
            return package_error("the part contains the private-use character U+E000 or U+E001, which vanban reserves "
                                 "for its own use while compiling");
        drop_comments(root_);  // notes for template authors stay out of the documents
        collect_paragraphs(root_);
        for (auto& p : paras_)
            if (!scan_paragraph(p)) return {};
        if (!scan_attributes(root_)) return {};
        plan_whitespace();
        if (!match_and_place()) return {};
        edit_text();
        lift_block_markers();
        place_cuts();
        apply_table_helpers();
        apply_structure();
        check_groups();
        make_sites();
        d_.finish(doc_.get(), root_, info_);
        return build();
    }

private:
    std::string_view xml_;
    const std::string& part_;
    const Dialect& d_;
    std::vector<Diagnostic>& errors_;
    PartHooks* info_;
    XmlDocPtr doc_;
    xmlNode* root_ = nullptr;
    std::vector<Para> paras_;
    std::map<const xmlNode*, int> para_index_;
    std::vector<TagRec> tags_;
    std::vector<std::vector<int>> groups_;
    std::vector<OutputSite> sites_;
    std::set<xmlNode*> doomed_;
    std::set<xmlNode*> guarded_;
    std::set<xmlNode*> grid_tables_;  // tables whose grid is recomputed after rendering (column loops, spans)
    std::map<xmlNode*, xmlNode*> after_cursor_;
    std::vector<Cut> cuts_;
    std::set<int> joined_paras_;  // paragraphs that a cut joins: their tags act on text, never on the paragraph

    core::Program package_error(std::string message) {
        Diagnostic d;
        d.kind = DiagnosticKind::package;
        d.part = part_;
        d.message = std::move(message);
        errors_.push_back(std::move(d));
        return {};
    }

    // A DOCTYPE before the root element (UTF-8 or ASCII text; other encodings are caught after parsing). Checked before
    // libxml2 sees the part, so an entity-expansion bomb in an internal subset costs nothing.
    // The compiler marks where tags stood with U+E000 … U+E001; the same characters in the template would be taken
    // for markers. Text, attribute values, comments and processing instructions are all looked at.
    static bool holds_marker(const xmlNode* node) {
        auto marked = [](const xmlChar* text) {
            if (!text) return false;
            const std::string_view s(reinterpret_cast<const char*>(text));
            return s.find(kMarkOpen) != std::string_view::npos || s.find(kMarkClose) != std::string_view::npos;
        };
        for (const xmlNode* c = node->children; c; c = c->next) {
            if (marked(c->content)) return true;
            if (c->type != XML_ELEMENT_NODE) continue;
            for (const xmlAttr* a = c->properties; a; a = a->next)
                for (const xmlNode* v = a->children; v; v = v->next)
                    if (marked(v->content)) return true;
            if (holds_marker(c)) return true;  // recursion is bounded by libxml2's depth limit (256)
        }
        return false;
    }

    Diagnostic diag(const TagRec& t, std::string message, std::string hint = {}) const {
        Diagnostic d;
        d.kind = DiagnosticKind::template_syntax;
        d.part = part_;
        d.message = std::move(message);
        d.hint = std::move(hint);
        d.tag = t.token.raw;
        if (t.para >= 0) {
            const Para& p = paras_[static_cast<std::size_t>(t.para)];
            d.paragraph = p.number;
            d.context = clip_context(p.text, t.token.begin, t.token.end);
        }
        return d;
    }

    static void drop_comments(xmlNode* node) {
        for (xmlNode* c = node->children; c;) {
            xmlNode* next = c->next;
            if (c->type == XML_COMMENT_NODE) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            } else if (c->type == XML_ELEMENT_NODE) {
                drop_comments(c);
            }
            c = next;
        }
    }

    // ----- 1. paragraphs and their visible text

    void collect_paragraphs(xmlNode* node) {
        for (xmlNode* c = node->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) continue;
            if (d_.is_paragraph(c)) {
                Para p;
                p.node = c;
                p.number = static_cast<int>(paras_.size()) + 1;
                gather(c, p);
                para_index_[c] = static_cast<int>(paras_.size());
                paras_.push_back(std::move(p));
            }
            collect_paragraphs(c);
        }
    }

    void gather(xmlNode* node, Para& p) {
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
                case Role::soft: p.text += kSoft; break;
                case Role::ignore: break;
                case Role::hard:
                    p.text += kHard;
                    p.hard_barrier = true;
                    break;
            }
        }
    }

    // ----- 2. tags

    void parse_tag(TagRec& rec) {
        try {
            rec.st = core::parse_statement(rec.token);
            rec.parsed = true;
        } catch (const core::ParseError& e) {
            errors_.push_back(diag(rec, e.what()));
            // keep the block structure so one bad expression does not cascade into "endfor without for"
            std::string_view inner = rec.token.inner;
            auto word = inner.substr(0, inner.find_first_of(" \t"));
            using K = Statement::Kind;
            if (rec.token.kind == TagToken::Kind::statement) {
                if (word == "if") rec.st.kind = K::if_;
                else if (word == "elif") rec.st.kind = K::elif;
                else if (word == "else") rec.st.kind = K::else_;
                else if (word == "endif") rec.st.kind = K::endif;
                else if (word == "for") rec.st.kind = K::for_;
                else if (word == "endfor") rec.st.kind = K::endfor;
                else rec.st.kind = K::comment;
            }
            auto lit = std::make_unique<core::Expr>();
            lit->literal = nullptr;
            rec.st.expr = std::move(lit);
        }
    }

    // Counts the tag openers of `text` against kMaxTagsPerPart before its tags are scanned (a template of a million
    // tags is refused in time linear in its text); false, with the error, past the limit.
    bool within_tag_limit(std::string_view text, int paragraph) {
        for (std::size_t i = text.find('{'); i != std::string_view::npos && i + 1 < text.size(); i = text.find('{', i + 1)) {
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

    bool scan_paragraph(Para& p) {
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
                xmlChar* v = xmlNodeListGetString(doc_.get(), a->children, 1);
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
                    d.message = pr.message + " (in attribute " + std::string(reinterpret_cast<const char*>(a->name)) + ")";
                    d.tag = pr.raw;
                    errors_.push_back(std::move(d));
                }
                if (found.empty()) continue;
                std::string rebuilt;
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
                    rebuilt += value.substr(pos, tok.begin - pos);
                    rebuilt += marker(std::to_string(tags_.size()));
                    pos = tok.end;
                    OutputSite site;
                    site.context = OutputSite::Context::attribute;
                    rec.site = static_cast<int>(sites_.size());
                    sites_.push_back(site);
                    attr_para_[tags_.size()] = para;
                    tags_.push_back(std::move(rec));
                }
                rebuilt += value.substr(pos);
                xmlSetNsProp(c, a->ns, a->name, xml_chars(rebuilt.c_str()));
            }
            if (c->children && !scan_attributes(c->children)) return false;
        }
        return true;
    }
    std::map<std::size_t, int> attr_para_;
    std::size_t tag_openers_ = 0;  // of the part, for kMaxTagsPerPart

    // ----- 2b. whitespace control, as docxtpl gives it
    //
    // docxtpl rewrites "{%-" by cutting the XML from the previous </w:t> up to the tag, and "-%}" by cutting from the
    // tag up to the next <w:t>; only where no cut applies does Jinja trim white space. On the visible text that means:
    // a statement tag with "{%-" at the start of its paragraph joins the paragraph to the previous one (the paragraph
    // break and the white space before the tag go, nothing else); "-%}" at the end of its paragraph joins the next
    // paragraph to it. In the middle of a paragraph docxtpl only joins runs, so nothing visible changes (vanban keeps
    // the text that docxtpl drops when it shares the tag's run). Output tags and comments, and a "-" with no paragraph
    // to join, trim the white space next to the tag inside its paragraph, as Jinja does.

    bool has_text(const Para& p) const {
        return std::any_of(p.segments.begin(), p.segments.end(), [](const Segment& s) { return s.length > 0; });
    }

    int paragraph_with_text(int from, int step) const {
        for (int j = from + step; j >= 0 && j < static_cast<int>(paras_.size()); j += step)
            if (has_text(paras_[static_cast<std::size_t>(j)])) return j;
        return -1;
    }

    void plan_whitespace() {
        for (std::size_t i = 0; i < tags_.size(); ++i) {
            const TagRec& t = tags_[i];
            if (t.para < 0 || t.token.level != TagLevel::automatic || (!t.token.trim_left && !t.token.trim_right)) continue;
            Para& p = paras_[static_cast<std::size_t>(t.para)];
            const bool statement = t.token.kind == TagToken::Kind::statement;
            if (t.token.trim_left) {
                std::size_t from = spaces_before(p.text, t.token.begin);
                int previous = statement ? paragraph_with_text(t.para, -1) : -1;
                if (previous >= 0) {
                    if (from == 0) join(i, previous, true);
                } else if (from < t.token.begin) {
                    p.strips.emplace_back(from, t.token.begin);
                }
            }
            if (t.token.trim_right) {
                std::size_t to = spaces_after(p.text, t.token.end);
                int next = statement ? paragraph_with_text(t.para, +1) : -1;
                if (next >= 0) {
                    if (to == p.text.size()) join(i, next, false);
                } else if (to > t.token.end) {
                    p.strips.emplace_back(t.token.end, to);
                }
            }
        }
    }

    void join(std::size_t ti, int other, bool into_previous) {
        const TagRec& t = tags_[ti];
        const Para& p = para_of(t);
        const Para& o = paras_[static_cast<std::size_t>(other)];
        if (o.node->parent != p.node->parent) {
            errors_.push_back(diag(
                t,
                std::string("the '-' of this tag joins its paragraph to the ") + (into_previous ? "previous" : "next") +
                    " text (¶" + std::to_string(o.number) + "), which is in another table cell, text box or outside this table",
                "remove the '-' here: whitespace control can only join paragraphs that stand side by side"));
            return;
        }
        cuts_.push_back({static_cast<int>(ti), other, into_previous});
        joined_paras_.insert(t.para);
        joined_paras_.insert(other);
    }

    // ----- 3. structure

    const Para& para_of(const TagRec& t) const { return paras_[static_cast<std::size_t>(t.para)]; }

    bool alone(const TagRec& t) const {
        if (t.para < 0) return false;
        const Para& p = para_of(t);
        if (p.tags.size() != 1 || p.hard_barrier) return false;
        for (std::size_t i = 0; i < p.text.size(); ++i) {
            if (i >= t.token.begin && i < t.token.end) continue;
            char c = p.text[i];
            if (c == ' ' || c == '\t' || c == kSoft) continue;
            if (p.text.compare(i, 2, "\xC2\xA0") == 0) { ++i; continue; }
            return false;
        }
        return true;
    }

    template <typename Pred>
    xmlNode* ancestor(xmlNode* n, Pred is_wanted) const {
        for (n = n ? n->parent : nullptr; n; n = n->parent) {
            if (is_wanted(n)) return n;
            if (d_.is_boundary(n)) return nullptr;
        }
        return nullptr;
    }

    xmlNode* cell_of(const TagRec& t) const {
        return t.para >= 0 ? ancestor(para_of(t).node, [&](const xmlNode* n) { return d_.is_cell(n); }) : nullptr;
    }
    xmlNode* row_of(const TagRec& t) const {
        return t.para >= 0 ? ancestor(para_of(t).node, [&](const xmlNode* n) { return d_.is_row(n); }) : nullptr;
    }

    static bool inside(const xmlNode* n, const xmlNode* outer) {
        for (; n; n = n->parent)
            if (n == outer) return true;
        return false;
    }

    // The row holds nothing but this one tag.
    bool row_alone(const TagRec& t) const {
        xmlNode* row = row_of(t);
        if (!row) return false;
        for (const Para& p : paras_) {
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
            // tag stands between runs, which is where every inline block tag ends up (lift_block_markers).
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
                errors_.push_back(diag(t, "blocks are nested more than " + std::to_string(core::kMaxBlockDepth) + " deep",
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
                    if ((open == K::if_) == (t.st.kind == K::endif)) {
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
            if (tag(i).token.level != TagLevel::automatic) { level = tag(i).token.level; break; }
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
        bool same_parent = std::all_of(g.begin(), g.end(), [&](int i) { return para_of(tag(i)).node->parent == parent0; });
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

    // ----- 4. rewrite the text of paragraphs: tags leave the runs; inline tags leave a marker where they began

    struct TextEdit {
        std::size_t begin, end;
        int marked_tag;  // the tag whose marker takes the place of the text, or -1 (removed text)
    };

    // The text each paragraph loses: its tags (inline ones leave a marker) and the white space a '-' trims.
    std::vector<TextEdit> text_edits(Para& p) const {
        std::vector<TextEdit> edits;
        for (int ti : p.tags) {
            const TagRec& t = tags_[static_cast<std::size_t>(ti)];
            bool mark = t.placement == Placement::inline_;
            edits.push_back({t.token.begin, t.token.end, mark ? ti : -1});
        }
        std::sort(p.strips.begin(), p.strips.end());
        for (std::size_t k = 0; k < p.strips.size(); ++k) {
            auto [b, e] = p.strips[k];
            while (k + 1 < p.strips.size() && p.strips[k + 1].first <= e) e = std::max(e, p.strips[++k].second);
            edits.push_back({b, e, -1});
        }
        std::stable_sort(edits.begin(), edits.end(), [](const TextEdit& a, const TextEdit& b) { return a.begin < b.begin; });
        return edits;
    }

    void edit_text() {
        for (Para& p : paras_) {
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
        xmlDoc* doc = doc_.get();
        xmlNode* parent = seg.holder->parent;
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
        xmlUnlinkNode(seg.holder);
        xmlFreeNode(seg.holder);
        if (parent && d_.removable_when_empty(parent)) {
            bool empty = true;
            for (xmlNode* c = parent->children; c && empty; c = c->next)
                empty = !(c->type == XML_ELEMENT_NODE && d_.role(c) != Role::ignore) && c->type != XML_TEXT_NODE;
            if (empty) doomed_.insert(parent);
        }
        return nullptr;
    }

    // ----- 4b. inline block tags move out of runs, spans and links into the paragraph itself
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
        xmlDoc* doc = doc_.get();
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
        xmlDoc* doc = doc_.get();
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

    static std::string content_of(const xmlNode* text) {
        return text->content ? std::string(reinterpret_cast<const char*>(text->content)) : std::string();
    }

    // ----- 4c. whitespace control: the markers that delimit each cut (see plan_whitespace)

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
                else xmlAddChild(other, xmlNewDocText(doc_.get(), xml_chars(begin.c_str())));
            } else {
                xmlNode* first = nullptr;
                for (xmlNode* c = other->children; c && !first; c = c->next)
                    if (bears_text(c)) first = c;
                if (first) put_marker(first, end, false);
                else xmlAddChild(other, xmlNewDocText(doc_.get(), xml_chars(end.c_str())));
            }
        }
    }

    // ----- 4d. docxtpl's table helpers: {% colspan n %}, {% cellbg color %}, {% vm %}, {% hm %}

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
        const std::string name = kind == K::pstyle ? "{% pstyle %}" : kind == K::indent ? "{% indent %}" : "{% spacebefore %}";
        std::vector<S> slots;
        if (kind == K::pstyle) slots = {S::style};
        else if (kind == K::indent) slots = {S::indent_left, S::indent_right};
        else slots = {S::space_before};
        for (S which : slots) {
            std::string why;
            std::optional<Dialect::AttributeSlot> slot = d_.paragraph_slot(doc_.get(), para_of(tags_[i]).node, which, why);
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
        xmlSetNsProp(slot.element, slot.ns, xml_chars(slot.name), xml_chars(marker(std::to_string(tags_.size())).c_str()));
        tags_.push_back(std::move(rec));
    }

    xmlNode* marker_node(int ti) { return xmlNewDocText(doc_.get(), xml_chars(marker(std::to_string(ti)).c_str())); }

    // Wraps [first, last] (siblings) in {% if loop.first %} … {% endif %}.
    void only_on_first_iteration(std::size_t origin, xmlNode* first, xmlNode* last) {
        int open = add_tag(origin, TagToken::Kind::statement, "if loop.first");
        int close = add_tag(origin, TagToken::Kind::statement, "endif");
        if (first) xmlAddPrevSibling(first, marker_node(open));
        if (last) xmlAddNextSibling(last, marker_node(close));
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

    xmlNode* table_of(xmlNode* n) const { return ancestor(n, [&](const xmlNode* a) { return d_.is_table(a); }); }

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
            const std::string name = kind == K::vm ? "{% vm %}" : kind == K::hm ? "{% hm %}" : kind == K::colspan ? "{% colspan %}"
                                     : kind == K::cellwidth ? "{% cellwidth %}" : "{% cellbg %}";
            xmlNode* cell = cell_of(tags_[i]);
            if (!cell) {
                errors_.push_back(diag(tags_[i], name + " stands outside a table cell", "docxtpl's table helpers act on the cell they stand in"));
                continue;
            }
            if ((kind == K::vm || kind == K::hm) && !inside_loop(i)) {
                errors_.push_back(diag(tags_[i], name + " is not inside a {% for %} loop",
                                       kind == K::vm ? "{% vm %} merges the cell over the rows of a {%tr for %} loop"
                                                     : "{% hm %} merges the cell over the columns of a {%tc for %} loop"));
                continue;
            }
            const int span = d_.cell_span(cell);  // before cell_slot() may rewrite it
            const auto which = kind == K::cellbg      ? Dialect::CellSlot::fill
                               : kind == K::vm        ? Dialect::CellSlot::vertical_merge
                               : kind == K::cellwidth ? Dialect::CellSlot::width
                                                      : Dialect::CellSlot::span;
            std::optional<Dialect::AttributeSlot> slot = d_.cell_slot(doc_.get(), cell, which);
            if (!slot && kind == K::cellwidth) {
                Diagnostic d = diag(tags_[i], "{% cellwidth %} finds no column of its own for this cell",
                                    "in an OpenDocument table, declare one table column per cell (no number-columns-repeated)");
                d.code = "template.cellwidth";
                d.message_vi = "Thẻ {% cellwidth %} không xác định được cột của ô này trong bảng.";
                errors_.push_back(std::move(d));
                continue;
            }
            if (!slot) {
                errors_.push_back(diag(tags_[i], name + " is a table helper for Word documents; OpenDocument templates cannot use it",
                                       "merge or colour the cells in the template itself"));
                continue;
            }
            ExprPtr value;
            switch (kind) {
                case K::vm: value = parse_expression("'restart' if loop.first else 'continue'"); break;
                case K::hm: value = parse_expression(span > 1 ? "loop.length * " + std::to_string(span) : std::string("loop.length")); break;
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

    // ----- 5. block tags at paragraph / row / cell level

    xmlNode* new_marker(int ti) {
        return xmlNewDocText(doc_.get(), xml_chars(marker(std::to_string(ti)).c_str()));
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
                case Placement::attribute:
                    break;
                case Placement::replace_paragraph: {
                    xmlNode* p = para_of(t).node;
                    xmlNode* m = new_marker(ti);
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
                    xmlNode* m = new_marker(ti);
                    insert_before(row, m);
                    doomed_.insert(row);
                    replaced_by.emplace(row, i);
                    t.host = row->parent;
                    break;
                }
                case Placement::replace_cell: {
                    xmlNode* cell = cell_of(t);
                    if (!need(cell, "table cell")) break;
                    xmlNode* m = new_marker(ti);
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
                    xmlNode* m = new_marker(ti);
                    if (t.placement == Placement::before_row) insert_before(row, m);
                    else insert_after(row, m);
                    t.host = row->parent;
                    if (alone(t)) emptied_paras.insert(para_of(t).node);
                    break;
                }
                case Placement::remove_text:
                case Placement::synthetic:
                    break;
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
                    errors_.push_back(diag(t, std::string("this tag is in the ") + what + " that " + owner.token.raw +
                                                  " replaces, so it would never be rendered",
                                           std::string("move it to another ") + what + ": a {%p %}, {%tr %}, {%tc %} or "
                                           "{#p #}-like tag takes the place of its whole " + what));
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
        for (xmlNode* table : grids) {
            xmlNode* open = xmlNewDocText(doc_.get(), xml_chars(marker("g").c_str()));
            if (table->children) xmlAddPrevSibling(table->children, open);
            else xmlAddChild(table, open);
            xmlAddChild(table, xmlNewDocText(doc_.get(), xml_chars(marker("G").c_str())));
        }
        for (xmlNode* g : guards) {
            // The guard wraps the whole cell content: the fallback paragraph lands at its end, after w:tcPr.
            xmlNode* open = xmlNewDocText(doc_.get(), xml_chars(marker("o").c_str()));
            if (g->children) xmlAddPrevSibling(g->children, open);
            else xmlAddChild(g, open);
            xmlAddChild(g, xmlNewDocText(doc_.get(), xml_chars(marker("c").c_str())));
        }
    }

    void guard(xmlNode* container) {
        if (container && d_.needs_paragraph(container)) guarded_.insert(container);
    }

    // ----- 6. the body of a block must be a balanced slice of XML

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
                if (!t.host) { ok = false; break; }
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
                            (other.empty() ? "here" : other) + "), so the text between them cannot be repeated or removed",
                        "put each block tag alone in its own paragraph, or both tags in the same paragraph, or in the "
                        "cells of one table row"));
                    break;
                }
            }
        }
    }

    // ----- 7. where values are written: run properties for rich text

    void make_sites() {
        for (TagRec& t : tags_) {
            if (t.placement != Placement::inline_ || t.st.kind != Statement::Kind::output) continue;
            OutputSite site;
            site.context = OutputSite::Context::run_text;
            if (t.host) d_.describe_site(doc_.get(), t.host, site);
            // Attribute tags inside the host run's properties (rendered once per value, at render time).
            std::map<std::size_t, std::size_t> expr_of_tag;
            for (auto& props : site.run_props) {
                std::string resolved;
                std::size_t pos = 0;
                while (true) {
                    std::size_t m = props.find(kMarkOpen, pos);
                    if (m == std::string::npos) break;
                    std::size_t e = props.find(kMarkClose, m);
                    std::size_t ti = std::stoul(props.substr(m + kMarkOpen.size(), e - m - kMarkOpen.size()));
                    resolved.append(props, pos, m - pos);
                    auto [it, fresh] = expr_of_tag.emplace(ti, site.prop_exprs.size());
                    if (fresh) site.prop_exprs.push_back(std::shared_ptr<const core::Expr>(core::parse_statement(tags_[ti].token).expr));
                    resolved += marker(std::to_string(it->second));
                    pos = e + kMarkClose.size();
                }
                if (pos == 0) continue;
                resolved.append(props, pos, std::string::npos);
                props = std::move(resolved);
            }
            t.site = static_cast<int>(sites_.size());
            sites_.push_back(std::move(site));
        }
    }

    // ----- 8. serialise and cut at the markers

    core::Program build() {
        xmlChar* mem = nullptr;
        int size = 0;
        xmlDocDumpMemoryEnc(doc_.get(), &mem, &size, "UTF-8");
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
};


}  // namespace

namespace {

void ignore_generic_error(void*, const char*, ...) {}

// libxml2 reports a few errors (a text node over its size limit) through the thread's generic error handler even with
// XML_PARSE_NOERROR. Silenced for one parse; the application's handler is restored after.
// libxml2 sets up its global state lazily, unlocked, on first use: two threads compiling their first templates at
// once would race in it. It is set up here instead, when the library is loaded (before any thread of ours runs), as
// libxml2 asks of threaded programs.
[[maybe_unused]] const bool libxml2_ready = [] {
    xmlInitParser();
    return true;
}();

class QuietGenericErrors {
public:
    QuietGenericErrors() : func_(xmlGenericError), context_(xmlGenericErrorContext) {
        xmlSetGenericErrorFunc(nullptr, ignore_generic_error);
    }
    ~QuietGenericErrors() { xmlSetGenericErrorFunc(context_, func_); }
    QuietGenericErrors(const QuietGenericErrors&) = delete;
    QuietGenericErrors& operator=(const QuietGenericErrors&) = delete;

private:
    xmlGenericErrorFunc func_;
    void* context_;
};

}  // namespace

XmlDocPtr parse_office_part(std::string_view xml, const std::string& part, std::string& problem) {
    if (xml.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        problem = "the part is larger than 2 GiB";
        return {};
    }
    const std::string no_dtd = "a document type declaration (DTD) is not allowed in an Office part";
    if (declares_doctype(xml)) {
        problem = no_dtd;
        return {};
    }
    // No network, no DTD loading, entities left unexpanded (no XML_PARSE_NOENT / DTDLOAD), and libxml2's own
    // limits (no XML_PARSE_HUGE): 256 levels of nesting, 10 MB text nodes and attribute values.
    // A parser context of our own: its error is this part's (not a thread's last error), and an error libxml2
    // stops at without clearing its well-formedness flag (a text node over its size limit) still counts.
    const QuietGenericErrors quiet;
    const std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
    if (!ctxt) throw std::bad_alloc();
    XmlDocPtr doc(xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()), part.c_str(), nullptr,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc || ctxt->errNo != XML_ERR_OK) {
        const xmlError& e = ctxt->lastError;
        std::string message = e.message ? e.message : "";
        while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
        problem = "XML does not parse" + (message.empty() ? std::string() : ": " + message) +
                  (e.line > 0 ? " (line " + std::to_string(e.line) + ")" : "");
        return {};
    }
    if (doc->intSubset || doc->extSubset) {  // declared in an encoding the check above cannot read
        problem = no_dtd;
        return {};
    }
    return doc;
}

Program compile_xml_part(std::string_view xml, const std::string& part_name, const Dialect& dialect,
                         std::vector<Diagnostic>& errors, PartHooks* hooks) {
    return Compiler(xml, part_name, dialect, errors, hooks).run();
}

}  // namespace vanban::core
