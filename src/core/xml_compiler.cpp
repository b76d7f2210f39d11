#include "core/xml_compiler.hpp"

#include <algorithm>
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

struct DocDeleter {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

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
};

enum class Placement { inline_, remove_text, replace_paragraph, replace_row, replace_cell, replace_run, before_row, after_row,
                       attribute };

struct TagRec {
    int para = -1;  // -1 for attribute tags
    TagToken token;
    Statement st;
    bool parsed = false;
    Placement placement = Placement::inline_;
    xmlNode* host = nullptr;  // inline: the text holder with the marker; element level: the marker node's parent
    int site = -1;
};

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

void ignore_generic_error(void*, const char*, ...) {}

// libxml2 reports a few errors (a text node over its size limit) through the thread's generic error handler even with
// XML_PARSE_NOERROR. Silenced for one parse; the application's handler is restored after.
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

class Compiler {
public:
    Compiler(std::string_view xml, const std::string& part, const Dialect& dialect, std::vector<Diagnostic>& errors,
             PartHooks* hooks)
        : xml_(xml), part_(part), d_(dialect), errors_(errors), info_(hooks) {}

    core::Program run() {
        if (xml_.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
            return package_error("the part is larger than 2 GiB");
        if (has_doctype(xml_)) return package_error("a document type declaration (DTD) is not allowed in an Office part");
        // No network, no DTD loading, entities left unexpanded (no XML_PARSE_NOENT / DTDLOAD), and libxml2's own
        // limits (no XML_PARSE_HUGE): 256 levels of nesting, 10 MB text nodes and attribute values.
        // A parser context of our own: its error is this part's (not a thread's last error), and an error libxml2
        // stops at without clearing its well-formedness flag (a text node over its size limit) still counts.
        const QuietGenericErrors quiet;
        const std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
        if (!ctxt) throw std::bad_alloc();
        doc_.reset(xmlCtxtReadMemory(ctxt.get(), xml_.data(), static_cast<int>(xml_.size()), part_.c_str(), nullptr,
                                     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
        if (!doc_ || ctxt->errNo != XML_ERR_OK) {
            doc_.reset();
            const xmlError& e = ctxt->lastError;
            return package_error("XML does not parse" + (e.message ? ": " + trim(e.message) : std::string()) +
                                 (e.line > 0 ? " (line " + std::to_string(e.line) + ")" : ""));
        }
        if (doc_->intSubset || doc_->extSubset)  // declared in an encoding the check above cannot read
            return package_error("a document type declaration (DTD) is not allowed in an Office part");
        root_ = xmlDocGetRootElement(doc_.get());
        if (!root_) return {};
        if (holds_marker(reinterpret_cast<xmlNode*>(doc_.get())))
            return package_error("the part contains the private-use character U+E000 or U+E001, which vanban reserves "
                                 "for its own use while compiling");
        drop_comments(root_);  // notes for template authors stay out of the documents
        collect_paragraphs(root_);
        for (auto& p : paras_) scan_paragraph(p);
        scan_attributes(root_);
        match_and_place();
        edit_text();
        lift_block_markers();
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
    std::unique_ptr<xmlDoc, DocDeleter> doc_;
    xmlNode* root_ = nullptr;
    std::vector<Para> paras_;
    std::map<const xmlNode*, int> para_index_;
    std::vector<TagRec> tags_;
    std::vector<std::vector<int>> groups_;
    std::vector<OutputSite> sites_;
    std::set<xmlNode*> doomed_;
    std::set<xmlNode*> guarded_;
    std::map<xmlNode*, xmlNode*> after_cursor_;

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
    static bool has_doctype(std::string_view xml) {
        std::size_t i = xml.starts_with("\xEF\xBB\xBF") ? 3 : 0;
        while (i < xml.size()) {
            const char c = xml[i];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { ++i; continue; }
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

    static std::string trim(std::string s) {
        while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
        return s;
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

    void scan_paragraph(Para& p) {
        if (p.text.find('{') == std::string::npos && p.text.find('}') == std::string::npos) return;
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
    }

    int enclosing_para(const xmlNode* n) const {
        for (; n; n = n->parent) {
            auto it = para_index_.find(n);
            if (it != para_index_.end()) return it->second;
        }
        return -1;
    }

    void scan_attributes(xmlNode* node) {
        for (xmlNode* c = node; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) continue;
            for (xmlAttr* a = c->properties; a; a = a->next) {
                xmlChar* v = xmlNodeListGetString(doc_.get(), a->children, 1);
                if (!v) continue;
                std::string value(reinterpret_cast<char*>(v));
                xmlFree(v);
                if (value.find('{') == std::string::npos) continue;
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
            if (c->children) scan_attributes(c->children);
        }
    }
    std::map<std::size_t, int> attr_para_;

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
            case TagLevel::run: return Placement::replace_run;
            case TagLevel::automatic: break;
        }
        return Placement::inline_;
    }

    void match_and_place() {
        // group block tags: if/elif/else/endif, for/else/endfor
        std::vector<int> stack;  // group indexes
        std::vector<bool> complete;
        for (std::size_t i = 0; i < tags_.size(); ++i) {
            TagRec& t = tags_[i];
            if (t.placement == Placement::attribute) continue;
            using K = Statement::Kind;
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
            using K = Statement::Kind;
            if (t.st.kind == K::vm || t.st.kind == K::hm || t.st.kind == K::colspan || t.st.kind == K::cellbg) {
                errors_.push_back(diag(t, "docxtpl table helper is not supported yet"));
            }
            if (t.st.kind == K::output) {
                t.placement = Placement::inline_;  // {{p x}} / {{r x}} print where they stand
            } else if (t.token.level != TagLevel::automatic) {
                t.placement = forced(t.token.level);
            } else {
                t.placement = (t.st.is_block_tag() && alone(t)) ? Placement::replace_paragraph : Placement::inline_;
            }
        }
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
        bool same_para = std::all_of(g.begin(), g.end(), [&](int i) { return tag(i).para == tag(g[0]).para; });
        if (same_para) {
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

    void edit_text() {
        for (Para& p : paras_) {
            if (p.tags.empty()) continue;
            std::vector<int> order = p.tags;  // already in text order
            for (const Segment& seg : p.segments) {
                std::size_t s0 = seg.start, s1 = seg.start + seg.length;
                bool touched = false;
                std::string out;
                std::vector<std::size_t> marked;
                std::size_t pos = s0;
                for (int ti : order) {
                    TagRec& t = tags_[static_cast<std::size_t>(ti)];
                    std::size_t b = t.token.begin, e = t.token.end;
                    if (e <= s0 || b >= s1) continue;
                    touched = true;
                    if (b > pos) out.append(p.text, pos, b - pos);
                    if (b >= s0 && b < s1 && (t.placement == Placement::inline_ || t.placement == Placement::replace_run)) {
                        out += marker(std::to_string(ti));
                        marked.push_back(static_cast<std::size_t>(ti));
                    }
                    pos = std::max(pos, std::min(e, s1));
                }
                if (!touched) continue;
                if (pos < s1) out.append(p.text, pos, s1 - pos);
                xmlNode* holder = replace_text(seg, out);
                for (std::size_t ti : marked) tags_[ti].host = holder;
            }
            // a tag that began in no w:t cannot happen (tags are found in w:t text only), but be safe
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

    // ----- 4b. an inline block tag inside a styled span: cut the span so the tag stands in the paragraph itself

    void lift_block_markers() {
        if (!d_.text_in_character_data()) return;
        const std::size_t count = tags_.size();  // cutting may add attribute tags (copies) at the end
        for (std::size_t i = 0; i < count; ++i) {
            if (tags_[i].placement != Placement::inline_ || tags_[i].st.kind == Statement::Kind::output) continue;
            const std::string m = marker(std::to_string(i));
            for (xmlNode* h = tags_[i].host; h && h->type == XML_TEXT_NODE && h->parent && d_.splittable(h->parent);
                 h = tags_[i].host)
                cut_span(h, m);
        }
    }

    // A copy of `span` without children, for the part after the cut. Attribute tags in it are new tags.
    xmlNode* copy_shallow(xmlNode* span) {
        xmlDoc* doc = doc_.get();
        if (span->nsDef) return xmlDocCopyNode(span, doc, 2);  // it declares namespaces its attributes may use
        xmlNode* copy = xmlNewDocNode(doc, span->ns, span->name, nullptr);
        for (xmlAttr* a = span->properties; a; a = a->next) {
            xmlChar* v = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
            std::string value = v ? reinterpret_cast<const char*>(v) : "";
            xmlFree(v);
            std::string out;
            std::size_t pos = 0;
            for (std::size_t m = value.find(kMarkOpen); m != std::string::npos; m = value.find(kMarkOpen, pos)) {
                std::size_t e = value.find(kMarkClose, m);
                std::size_t ti = std::stoul(value.substr(m + kMarkOpen.size(), e - m - kMarkOpen.size()));
                TagRec rec;
                rec.token = tags_[ti].token;
                rec.placement = Placement::attribute;
                rec.host = copy;
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
            xmlNewNsProp(copy, a->ns, a->name, xml_chars(out.c_str()));
        }
        return copy;
    }

    static std::string content_of(const xmlNode* text) {
        return text->content ? std::string(reinterpret_cast<const char*>(text->content)) : std::string();
    }

    // `text` (a text node holding the marker `m`) lies in a span S: S keeps what precedes the marker, a copy of S
    // after it takes what follows, and the marker goes between them. Tags hosted by `text` follow their markers.
    void cut_span(xmlNode* text, const std::string& m) {
        xmlDoc* doc = doc_.get();
        xmlNode* span = text->parent;
        const std::string all = content_of(text);
        const std::size_t at = all.find(m);
        const std::string pre = all.substr(0, at), post = all.substr(at + m.size());

        xmlNode* rest = copy_shallow(span);
        xmlNode* post_node = nullptr;
        if (!post.empty()) {
            post_node = xmlNewDocTextLen(doc, xml_chars(post.data()), static_cast<int>(post.size()));
            xmlAddChild(rest, post_node);
        }
        for (xmlNode* c = text->next; c;) {  // no two text nodes are adjacent, so nothing merges
            xmlNode* next = c->next;
            xmlUnlinkNode(c);
            xmlAddChild(rest, c);
            c = next;
        }
        xmlNode* mark = xmlNewDocTextLen(doc, xml_chars(m.data()), static_cast<int>(m.size()));
        if (rest->children) xmlAddNextSibling(span, rest);
        else xmlFreeNode(rest);
        mark = xmlAddNextSibling(span, mark);  // may merge into a following text node: use what it returns

        bool keep_text = !pre.empty();
        if (keep_text) xmlNodeSetContentLen(text, xml_chars(pre.data()), static_cast<int>(pre.size()));
        for (TagRec& other : tags_) {
            if (other.host != text) continue;
            const std::string om = marker(std::to_string(&other - tags_.data()));
            if (om == m) other.host = mark;
            else if (post_node && post.find(om) != std::string::npos) other.host = post_node;
            else if (!keep_text) other.host = nullptr;
        }
        if (!keep_text) {
            xmlUnlinkNode(text);
            xmlFreeNode(text);
        }
        if (!span->children) {  // nothing was before the tag: the first half goes
            doomed_.erase(span);
            xmlUnlinkNode(span);
            xmlFreeNode(span);
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
                case Placement::replace_run: {
                    xmlNode* run = t.host ? d_.run_of(t.host) : nullptr;
                    if (!run) {
                        errors_.push_back(diag(t, "this {%r %} tag is not inside a run of text"));
                        break;
                    }
                    xmlNode* m = new_marker(ti);
                    insert_before(run, m);
                    doomed_.insert(run);
                    t.host = run->parent;
                    break;
                }
                case Placement::replace_paragraph: {
                    xmlNode* p = para_of(t).node;
                    xmlNode* m = new_marker(ti);
                    insert_before(p, m);
                    doomed_.insert(p);
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
                    t.host = row->parent;
                    break;
                }
                case Placement::replace_cell: {
                    xmlNode* cell = cell_of(t);
                    if (!need(cell, "table cell")) break;
                    xmlNode* m = new_marker(ti);
                    insert_before(cell, m);
                    doomed_.insert(cell);
                    t.host = cell->parent;
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
                case Placement::remove_text: break;
            }
        }
        // A paragraph that only held a row-loop tag goes, unless it is the last one of its cell.
        for (xmlNode* p : emptied_paras) {
            int count = 0;
            for (xmlNode* c = p->parent->children; c; c = c->next)
                if (d_.is_paragraph(c) && !doomed_.count(c)) ++count;
            if (count > 1) doomed_.insert(p);
        }
        // Tags inside a node that goes (an output tag in a paragraph that a {%p %} or {#p #} replaces) go with it.
        for (TagRec& t : tags_)
            for (xmlNode* a = t.host; a; a = a->parent)
                if (doomed_.count(a)) {
                    t.host = nullptr;
                    break;
                }
        // A doomed node inside another doomed node is freed with it: decide all of them before freeing any.
        std::vector<xmlNode*> outermost;
        for (xmlNode* n : doomed_) {
            bool nested = false;
            for (xmlNode* a = n->parent; a && !nested; a = a->parent) nested = doomed_.count(a) > 0;
            if (!nested) outermost.push_back(n);
        }
        for (xmlNode* n : outermost) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
        for (xmlNode* g : guarded_) {
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
        std::vector<int> tag_to_located(tags_.size(), -1);
        std::size_t pos = 0;
        while (true) {
            std::size_t m = xml.find(kMarkOpen, pos);
            if (m == std::string::npos) break;
            std::size_t e = xml.find(kMarkClose, m);
            if (e == std::string::npos) break;
            Piece lit;
            lit.text = unescape_braces(xml.substr(pos, m - pos));
            pieces.push_back(std::move(lit));
            std::string payload = xml.substr(m + kMarkOpen.size(), e - m - kMarkOpen.size());
            Piece p;
            if (payload == "o") p.kind = Piece::Kind::guard_open;
            else if (payload == "c") p.kind = Piece::Kind::guard_close;
            else if (payload == "h1") { p.kind = Piece::Kind::hook; p.hook = 1; }
            else {
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
            pos = e + kMarkClose.size();
        }
        Piece tail;
        tail.text = unescape_braces(xml.substr(pos));
        pieces.push_back(std::move(tail));
        return core::build_program(std::move(pieces), std::move(located), std::move(sites_), errors_);
    }
};


}  // namespace

Program compile_xml_part(std::string_view xml, const std::string& part_name, const Dialect& dialect,
                         std::vector<Diagnostic>& errors, PartHooks* hooks) {
    return Compiler(xml, part_name, dialect, errors, hooks).run();
}

}  // namespace vanban::core
