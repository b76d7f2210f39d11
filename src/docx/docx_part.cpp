#include "docx/docx_part.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "core/richtext.hpp"

namespace vanban::docx {

namespace {

using core::LocatedTag;
using core::OutputSite;
using core::Piece;
using core::Statement;
using core::TagLevel;
using core::TagToken;

constexpr const char* kW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr std::string_view kMarkOpen = "\xEE\x80\x80";   // U+E000
constexpr std::string_view kMarkClose = "\xEE\x80\x81";  // U+E001
constexpr char kHard = '\x01';  // a picture, field or nested paragraph inside the paragraph text
constexpr char kSoft = '\x02';  // a tab or line break

const xmlChar* xc(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

std::string marker(std::string_view payload) {
    std::string m(kMarkOpen);
    m += payload;
    m += kMarkClose;
    return m;
}

struct DocDeleter {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

bool is_w(const xmlNode* n, const char* local) {
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           std::strcmp(reinterpret_cast<const char*>(n->ns->href), kW) == 0 &&
           std::strcmp(reinterpret_cast<const char*>(n->name), local) == 0;
}

bool is_w_any(const xmlNode* n, std::initializer_list<const char*> names) {
    for (const char* name : names)
        if (is_w(n, name)) return true;
    return false;
}

std::string node_text(const xmlNode* n) {
    std::string s;
    for (const xmlNode* c = n->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            s += reinterpret_cast<const char*>(c->content);
    return s;
}

struct Segment {
    xmlNode* t;
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
    xmlNode* host = nullptr;  // inline: the w:t holding the marker; element level: the marker node's parent
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

class Compiler {
public:
    Compiler(std::string_view xml, const std::string& part, std::vector<Diagnostic>& errors, PartInfo* info)
        : xml_(xml), part_(part), errors_(errors), info_(info) {}

    core::Program run() {
        doc_.reset(xmlReadMemory(xml_.data(), static_cast<int>(xml_.size()), part_.c_str(), nullptr,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
        if (!doc_) {
            const xmlError* e = xmlGetLastError();
            Diagnostic d;
            d.kind = DiagnosticKind::package;
            d.part = part_;
            d.message = "XML does not parse" + (e && e->message ? ": " + trim(e->message) : std::string()) +
                        (e ? " (line " + std::to_string(e->line) + ")" : "");
            errors_.push_back(std::move(d));
            return {};
        }
        if (doc_->intSubset || doc_->extSubset) {
            Diagnostic d;
            d.kind = DiagnosticKind::package;
            d.part = part_;
            d.message = "a document type declaration (DTD) is not allowed in an Office part";
            errors_.push_back(std::move(d));
            return {};
        }
        root_ = xmlDocGetRootElement(doc_.get());
        if (!root_) return {};
        drop_comments(root_);  // notes for template authors stay out of the documents
        collect_paragraphs(root_);
        for (auto& p : paras_) scan_paragraph(p);
        scan_attributes(root_);
        match_and_place();
        edit_text();
        apply_structure();
        check_groups();
        make_sites();
        if (info_ && info_->footnotes_part) {
            info_->max_footnote_id = 0;
            for (xmlNode* c = root_->children; c; c = c->next) {
                if (!is_w(c, "footnote")) continue;
                xmlChar* id = xmlGetNsProp(c, xc("id"), xc(kW));
                if (id) {
                    info_->max_footnote_id = std::max(info_->max_footnote_id, std::atoi(reinterpret_cast<char*>(id)));
                    xmlFree(id);
                }
            }
            xmlAddChild(root_, xmlNewDocText(doc_.get(), xc(marker("h1").c_str())));
        }
        return build();
    }

private:
    std::string_view xml_;
    const std::string& part_;
    std::vector<Diagnostic>& errors_;
    PartInfo* info_;
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
            if (is_w(c, "p")) {
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
            if (c->type != XML_ELEMENT_NODE) continue;
            if (is_w(c, "p")) {
                p.text += kHard;
                p.hard_barrier = true;
            } else if (is_w(c, "t")) {
                std::string s = node_text(c);
                p.segments.push_back({c, p.text.size(), s.size()});
                p.text += s;
            } else if (is_w_any(c, {"delText", "instrText", "rPr", "pPr", "proofErr", "bookmarkStart", "bookmarkEnd",
                                    "fldData", "moveFrom", "del", "lastRenderedPageBreak", "permStart", "permEnd"})) {
                continue;
            } else if (is_w_any(c, {"tab", "br", "cr", "ptab"})) {
                p.text += kSoft;
            } else if (is_w_any(c, {"r", "hyperlink", "smartTag", "ins", "sdt", "sdtContent", "customXml", "fldSimple",
                                    "dir", "bdo", "moveTo"})) {
                gather(c, p);
            } else {
                // drawings, fields, symbols, note references, AlternateContent, ...: visible, but not text
                p.text += kHard;
                p.hard_barrier = true;
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
                xmlSetNsProp(c, a->ns, a->name, xc(rebuilt.c_str()));
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

    static xmlNode* ancestor(xmlNode* n, const char* local, std::initializer_list<const char*> stop = {"body", "txbxContent"}) {
        for (n = n ? n->parent : nullptr; n; n = n->parent) {
            if (is_w(n, local)) return n;
            for (const char* s : stop)
                if (is_w(n, s)) return nullptr;
        }
        return nullptr;
    }

    xmlNode* cell_of(const TagRec& t) const { return t.para >= 0 ? ancestor(para_of(t).node, "tc") : nullptr; }
    xmlNode* row_of(const TagRec& t) const { return t.para >= 0 ? ancestor(para_of(t).node, "tr") : nullptr; }

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
                std::size_t pos = s0;
                for (int ti : order) {
                    TagRec& t = tags_[static_cast<std::size_t>(ti)];
                    std::size_t b = t.token.begin, e = t.token.end;
                    if (e <= s0 || b >= s1) continue;
                    touched = true;
                    if (b > pos) out.append(p.text, pos, b - pos);
                    if (b >= s0 && b < s1 && (t.placement == Placement::inline_ || t.placement == Placement::replace_run)) {
                        out += marker(std::to_string(ti));
                        t.host = seg.t;
                    }
                    pos = std::max(pos, std::min(e, s1));
                }
                if (!touched) continue;
                if (pos < s1) out.append(p.text, pos, s1 - pos);
                replace_text(seg.t, out);
            }
            // a tag that began in no w:t cannot happen (tags are found in w:t text only), but be safe
        }
    }

    void replace_text(xmlNode* t, const std::string& content) {
        while (t->children) {
            xmlNode* c = t->children;
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
        if (content.empty()) {
            xmlNode* run = t->parent;
            xmlUnlinkNode(t);
            xmlFreeNode(t);
            if (run && is_w(run, "r")) {
                bool empty = true;
                for (xmlNode* c = run->children; c; c = c->next)
                    if (c->type == XML_ELEMENT_NODE && !is_w(c, "rPr")) empty = false;
                if (empty) doomed_.insert(run);
            }
            return;
        }
        xmlAddChild(t, xmlNewDocTextLen(doc_.get(), xc(content.data()), static_cast<int>(content.size())));
        xmlNs* xml_ns = xmlSearchNsByHref(doc_.get(), t, XML_XML_NAMESPACE);
        xmlSetNsProp(t, xml_ns, xc("space"), xc("preserve"));
    }

    // ----- 5. block tags at paragraph / row / cell level

    xmlNode* new_marker(int ti) {
        return xmlNewDocText(doc_.get(), xc(marker(std::to_string(ti)).c_str()));
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
                    if (!t.host || !t.host->parent || !is_w(t.host->parent, "r")) break;
                    xmlNode* run = t.host->parent;
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
                if (is_w(c, "p") && !doomed_.count(c)) ++count;
            if (count > 1) doomed_.insert(p);
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
            xmlNode* open = xmlNewDocText(doc_.get(), xc(marker("o").c_str()));
            if (g->children) xmlAddPrevSibling(g->children, open);
            else xmlAddChild(g, open);
            xmlAddChild(g, xmlNewDocText(doc_.get(), xc(marker("c").c_str())));
        }
    }

    void guard(xmlNode* container) {
        if (container && is_w_any(container, {"tc", "txbxContent", "footnote", "endnote", "hdr", "ftr", "comment"}))
            guarded_.insert(container);
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

    static int rpr_rank(const xmlNode* n) {
        static constexpr const char* order[] = {"rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
                                                "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid",
                                                "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz",
                                                "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
                                                "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"};
        for (int k = 0; k < static_cast<int>(std::size(order)); ++k)
            if (std::strcmp(reinterpret_cast<const char*>(n->name), order[k]) == 0) return k;
        return 100;
    }

    void put(xmlNode* rpr, xmlNs* w, const char* name, const char* val) {
        // remove existing, insert in schema order
        for (xmlNode* c = rpr->children; c;) {
            xmlNode* next = c->next;
            if (is_w(c, name)) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
            c = next;
        }
        xmlNode* e = xmlNewDocNode(doc_.get(), w, xc(name), nullptr);
        if (val) xmlNewNsProp(e, w, xc("val"), xc(val));
        int rank = rpr_rank(e);
        for (xmlNode* c = rpr->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE && rpr_rank(c) > rank) {
                xmlAddPrevSibling(c, e);
                return;
            }
        }
        xmlAddChild(rpr, e);
    }

    // A copied node carries the namespace declarations of the document root; inside the document they are noise.
    static std::string strip_namespace_declarations(std::string xml) {
        std::size_t tag_end = xml.find('>');
        for (std::size_t p = xml.find(" xmlns"); p != std::string::npos && p < tag_end; p = xml.find(" xmlns", p)) {
            std::size_t q = xml.find('"', xml.find('"', p) + 1);
            xml.erase(p, q + 1 - p);
            tag_end = xml.find('>');
        }
        return xml;
    }

    std::string dump(xmlNode* n) {
        xmlBuffer* buf = xmlBufferCreate();
        xmlNodeDump(buf, doc_.get(), n, 0, 0);
        std::string s(reinterpret_cast<const char*>(xmlBufferContent(buf)), static_cast<std::size_t>(xmlBufferLength(buf)));
        xmlBufferFree(buf);
        return s;
    }

    void make_sites() {
        xmlNs* w = xmlSearchNsByHref(doc_.get(), root_, xc(kW));
        for (TagRec& t : tags_) {
            if (t.placement != Placement::inline_ || t.st.kind != Statement::Kind::output) continue;
            OutputSite site;
            site.context = OutputSite::Context::run_text;
            xmlNode* run = t.host && t.host->parent && is_w(t.host->parent, "r") ? t.host->parent : nullptr;
            xmlNode* host_rpr = nullptr;
            if (run)
                for (xmlNode* c = run->children; c; c = c->next)
                    if (is_w(c, "rPr")) host_rpr = c;
            for (int v = 0; v < 8; ++v) {
                if (v == 0 && !host_rpr) continue;
                xmlNode* rpr = host_rpr ? xmlDocCopyNode(host_rpr, doc_.get(), 1) : xmlNewDocNode(doc_.get(), w, xc("rPr"), nullptr);
                if (v & 1) { put(rpr, w, "b", nullptr); put(rpr, w, "bCs", nullptr); }
                if (v & 2) { put(rpr, w, "i", nullptr); put(rpr, w, "iCs", nullptr); }
                if (v & 4) put(rpr, w, "u", "single");
                site.run_props[static_cast<std::size_t>(v)] = strip_namespace_declarations(dump(rpr));
                xmlFreeNode(rpr);
            }
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
            lit.text = xml.substr(pos, m - pos);
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
        tail.text = xml.substr(pos);
        pieces.push_back(std::move(tail));
        return core::build_program(std::move(pieces), std::move(located), std::move(sites_), errors_);
    }
};

// ---------------------------------------------------------------------------------------------------------------

void escape_text(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '\n': out += "</w:t><w:br/><w:t xml:space=\"preserve\">"; break;
            case '\t': out += "</w:t><w:tab/><w:t xml:space=\"preserve\">"; break;
            case '\r': break;
            default:
                // characters XML 1.0 forbids are dropped rather than producing a file Word refuses
                if (static_cast<unsigned char>(c) < 0x20) break;
                out += c;
        }
    }
}

void escape_attr(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\n': out += "&#10;"; break;
            case '\t': out += "&#9;"; break;
            case '\r': break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) break;
                out += c;
        }
    }
}

class DocxEmitter final : public core::Emitter {
public:
    void text(std::string& out, std::string_view value, const OutputSite& site) const override {
        if (site.context == OutputSite::Context::attribute) escape_attr(out, value);
        else escape_text(out, value);
    }

    void rich(std::string& out, const RichText& value, const OutputSite& site, core::RenderState& state) const override {
        // Close the host run — or, when the tag opened it and nothing was written yet, drop the empty run.
        const std::string opener = "<w:r>" + site.run_props[0] + "<w:t xml:space=\"preserve\">";
        if (std::string_view(out).ends_with(opener)) out.resize(out.size() - opener.size());
        else out += "</w:t></w:r>";
        write_spans(out, value.spans, site.run_props, state, true);
        out += "<w:r>";
        out += site.run_props[0];
        out += "<w:t xml:space=\"preserve\">";
    }

    void hook(std::string& out, int, core::RenderState& state) const override { out += state.footnotes; }

    std::string_view empty_paragraph() const override { return "<w:p/>"; }

    bool has_paragraph(std::string_view produced) const override {
        return produced.find("<w:p>") != std::string_view::npos || produced.find("<w:p ") != std::string_view::npos ||
               produced.find("<w:p/>") != std::string_view::npos;
    }

private:
    static void write_spans(std::string& out, const std::vector<RichSpan>& spans, const std::array<std::string, 8>& props,
                            core::RenderState& state, bool allow_footnotes) {
        for (const RichSpan& s : spans) {
            std::size_t v = (s.bold ? 1u : 0u) | (s.italic ? 2u : 0u) | (s.underline ? 4u : 0u);
            switch (s.kind) {
                case RichSpan::Kind::text:
                    out += "<w:r>";
                    out += props[v];
                    out += "<w:t xml:space=\"preserve\">";
                    escape_text(out, s.text);
                    out += "</w:t></w:r>";
                    break;
                case RichSpan::Kind::line_break:
                    out += "<w:r>";
                    out += props[0];
                    out += "<w:br/></w:r>";
                    break;
                case RichSpan::Kind::footnote: {
                    if (!allow_footnotes) break;
                    int id = state.next_footnote_id++;
                    out += "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/><w:vertAlign w:val=\"superscript\"/></w:rPr>"
                           "<w:footnoteReference w:id=\"" + std::to_string(id) + "\"/></w:r>";
                    std::string& f = state.footnotes;
                    f += "<w:footnote w:id=\"" + std::to_string(id) + "\"><w:p><w:pPr><w:pStyle w:val=\"FootnoteText\"/></w:pPr>"
                         "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/><w:vertAlign w:val=\"superscript\"/></w:rPr>"
                         "<w:footnoteRef/></w:r><w:r><w:t xml:space=\"preserve\"> </w:t></w:r>";
                    static const std::array<std::string, 8> plain = {
                        "", "<w:rPr><w:b/><w:bCs/></w:rPr>", "<w:rPr><w:i/><w:iCs/></w:rPr>",
                        "<w:rPr><w:b/><w:bCs/><w:i/><w:iCs/></w:rPr>", "<w:rPr><w:u w:val=\"single\"/></w:rPr>",
                        "<w:rPr><w:b/><w:bCs/><w:u w:val=\"single\"/></w:rPr>", "<w:rPr><w:i/><w:iCs/><w:u w:val=\"single\"/></w:rPr>",
                        "<w:rPr><w:b/><w:bCs/><w:i/><w:iCs/><w:u w:val=\"single\"/></w:rPr>"};
                    write_spans(f, s.footnote, plain, state, false);
                    f += "</w:p></w:footnote>";
                    break;
                }
            }
        }
    }
};

}  // namespace

core::Program compile_part(std::string_view xml, const std::string& part_name, std::vector<Diagnostic>& errors, PartInfo* info) {
    return Compiler(xml, part_name, errors, info).run();
}

const core::Emitter& emitter() {
    static const DocxEmitter instance;
    return instance;
}

bool is_story_part(std::string_view name) {
    auto ends_xml = name.ends_with(".xml");
    if (!ends_xml || !name.starts_with("word/") || name.find('/', 5) != std::string_view::npos) return false;
    std::string_view base = name.substr(5);
    return base.starts_with("document") || base.starts_with("header") || base.starts_with("footer") ||
           base == "footnotes.xml" || base == "endnotes.xml";
}

}  // namespace vanban::docx
