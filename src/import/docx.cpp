// DOCX → paragraphs: word/document.xml in reading order (tables cell by cell), direct emphasis, footnotes from
// word/footnotes.xml, and the labels of automatic numbering (w:numPr, from the paragraph or its style) computed
// from word/numbering.xml as Word prints them.
#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include "api/zip_limits.hpp"
#include "core/vn.hpp"
#include "core/xml_compiler.hpp"
#include "docx/ooxml_names.hpp"
#include "import/document.hpp"
#include "import/numbering.hpp"
#include "import/xml_util.hpp"
#include "io/fail.hpp"

namespace vanban::import {
namespace {

using ooxml::kPackageRelationships;
using ooxml::kW;

bool is_w(const xmlNode* n, const char* local) { return is_element(n, kW, local); }
std::optional<std::string> w_attr(const xmlNode* n, const char* name) { return attribute(n, kW, name); }
const xmlNode* child(const xmlNode* n, const char* local) { return first_child(n, kW, local); }

// A toggle property (w:b, w:i): present and not switched off.
std::optional<bool> toggle(const xmlNode* props, const char* local) {
    const xmlNode* n = child(props, local);
    if (!n) return std::nullopt;
    const auto v = w_attr(n, "val");
    return !v || (*v != "0" && *v != "false" && *v != "off");
}

std::string text_content(const xmlNode* n) {
    xmlChar* v = xmlNodeGetContent(const_cast<xmlNode*>(n));
    std::string s = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return s;
}

struct Style {
    std::string based_on;
    std::optional<bool> bold;
    std::optional<int> num_id;
    int ilvl = 0;
};

class Reader {
public:
    Reader(const Package& pkg, const ReadLimits& limits) : pkg_(pkg), limits_(limits) {}

    std::vector<Paragraph> run() {
        const std::string main = main_part();
        if (pkg_.zip.contains(ooxml::kStylesPart)) read_styles(pkg_.parse(ooxml::kStylesPart));
        if (pkg_.zip.contains(ooxml::kNumberingPart))
            numbering_.read_docx(xmlDocGetRootElement(pkg_.parse(ooxml::kNumberingPart).get()));
        if (pkg_.zip.contains(ooxml::kFootnotesPart)) read_footnotes(pkg_.parse(ooxml::kFootnotesPart));
        part_ = main;
        const core::XmlDocPtr doc = pkg_.parse(main);
        const xmlNode* root = xmlDocGetRootElement(doc.get());
        const xmlNode* body = child(root, "body");
        if (!body) io::fail(DiagnosticKind::package, pkg_.name + ": " + main + " has no w:body", pkg_.name);
        block(body, out_, -1, -1, -1);
        return std::move(out_);
    }

private:
    const Package& pkg_;
    const ReadLimits& limits_;
    std::string part_;
    std::map<std::string, Style> styles_;
    std::string default_paragraph_style_;
    Numbering numbering_;
    std::map<std::string, std::vector<RichSpan>> footnotes_;
    std::vector<Paragraph> out_;
    int tables_ = 0;
    int number_ = 0;
    std::uint64_t copied_notes_ = 0;

    std::string main_part() const {
        if (pkg_.zip.contains(ooxml::kPackageRelationshipsPart)) {
            const core::XmlDocPtr rels = pkg_.parse(ooxml::kPackageRelationshipsPart);
            for (const xmlNode* r = xmlDocGetRootElement(rels.get())->children; r; r = r->next) {
                if (r->type != XML_ELEMENT_NODE || !core::has_name(r, kPackageRelationships, "Relationship")) continue;
                const std::string t = attribute(r, nullptr, "Type").value_or("");
                std::string g = attribute(r, nullptr, "Target").value_or("");
                if (t.ends_with("/officeDocument")) {
                    if (!g.empty() && g.front() == '/') g.erase(0, 1);
                    if (pkg_.zip.contains(g)) return g;
                }
            }
        }
        if (pkg_.zip.contains(ooxml::kDocumentPart)) return ooxml::kDocumentPart;
        io::fail(DiagnosticKind::package, pkg_.name + ": not a Word document (no word/document.xml)", pkg_.name);
    }

    void read_styles(const core::XmlDocPtr& doc) {
        for (const xmlNode* s = xmlDocGetRootElement(doc.get())->children; s; s = s->next) {
            if (s->type != XML_ELEMENT_NODE || !is_w(s, "style")) continue;
            const std::string id = w_attr(s, "styleId").value_or("");
            Style st;
            st.based_on = w_attr(child(s, "basedOn"), "val").value_or("");
            st.bold = toggle(child(s, "rPr"), "b");
            if (const xmlNode* num = child(child(s, "pPr"), "numPr")) {
                st.num_id = small_number(w_attr(child(num, "numId"), "val"), 0);
                st.ilvl = small_number(w_attr(child(num, "ilvl"), "val"), 0);
            }
            if (w_attr(s, "type") == "paragraph" && (w_attr(s, "default") == "1" || w_attr(s, "default") == "true"))
                default_paragraph_style_ = id;
            styles_[id] = st;
        }
    }

    // The first value a style chain sets (the style itself, then what it is based on); bounded against loops.
    template <class Get>
    auto inherited(std::string id, Get get) const -> decltype(get(std::declval<const Style&>())) {
        for (int guard = 0; guard < 16 && !id.empty(); ++guard) {
            const auto it = styles_.find(id);
            if (it == styles_.end()) break;
            if (auto v = get(it->second)) return v;
            id = it->second.based_on;
        }
        return {};
    }

    void read_footnotes(const core::XmlDocPtr& doc) {
        for (const xmlNode* f = xmlDocGetRootElement(doc.get())->children; f; f = f->next) {
            if (f->type != XML_ELEMENT_NODE || !is_w(f, "footnote")) continue;
            if (w_attr(f, "type").value_or("normal") != "normal") continue;  // separators
            std::vector<RichSpan> content;
            for (const xmlNode* p = f->children; p; p = p->next) {
                if (p->type != XML_ELEMENT_NODE || !is_w(p, "p")) continue;
                if (!content.empty()) content.push_back(RichSpan::of(RichSpan::Kind::line_break));
                Cursor cursor;
                inline_content(p, content, cursor, false);
            }
            footnotes_[w_attr(f, "id").value_or("")] = trim_spans(std::move(content));
        }
    }

    void block(const xmlNode* parent, std::vector<Paragraph>& out, int table, int row, int cell) {
        for (const xmlNode* n = parent->children; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE) continue;
            if (is_w(n, "p")) {
                paragraph(n, out, table, row, cell);
            } else if (is_w(n, "tbl")) {
                const int t = tables_++;
                int r = 0;
                for (const xmlNode* tr = n->children; tr; tr = tr->next) {
                    if (tr->type != XML_ELEMENT_NODE || !is_w(tr, "tr")) continue;
                    int c = 0;
                    for (const xmlNode* tc = tr->children; tc; tc = tc->next) {
                        if (tc->type != XML_ELEMENT_NODE || !is_w(tc, "tc")) continue;
                        block(tc, out, t, r, c++);
                    }
                    ++r;
                }
            } else if (is_w(n, "sdt")) {
                if (const xmlNode* content = child(n, "sdtContent")) block(content, out, table, row, cell);
            } else if (is_w(n, "customXml") || is_w(n, "ins") || is_w(n, "smartTag")) {
                block(n, out, table, row, cell);
            }
        }
    }

    void paragraph(const xmlNode* p, std::vector<Paragraph>& out, int table, int row, int cell) {
        ++number_;
        if (out.size() >= limits_.max_paragraphs)
            io::fail(DiagnosticKind::limit,
                     pkg_.name + ": more than " + std::to_string(limits_.max_paragraphs) + " paragraphs", pkg_.name);
        Paragraph para;
        para.part = part_;
        para.number = number_;
        para.table = table;
        para.row = row;
        para.cell = cell;
        const xmlNode* ppr = child(p, "pPr");
        const std::string pstyle = w_attr(child(ppr, "pStyle"), "val").value_or(default_paragraph_style_);
        const bool style_bold = inherited(pstyle, [](const Style& s) { return s.bold; }).value_or(false);
        Cursor cursor;
        inline_content(p, para.spans, cursor, style_bold);
        para.bold_prefix = cursor.bold;
        if (const auto label = numbering_label(ppr, pstyle)) {
            std::vector<RichSpan> spans;
            append_text(spans, *label + " ", false, false, false);
            const bool label_bold = cursor.bold > 0;
            for (auto& s : para.spans) spans.push_back(std::move(s));
            para.spans = std::move(spans);
            if (label_bold) para.bold_prefix += label->size() + 1;
            para.numbered_automatically = true;
        }
        out.push_back(std::move(para));
    }

    std::optional<std::string> numbering_label(const xmlNode* ppr, const std::string& pstyle) {
        int num_id = 0, ilvl = 0;
        if (const xmlNode* num = child(ppr, "numPr")) {
            num_id = small_number(w_attr(child(num, "numId"), "val"), 0);
            ilvl = small_number(w_attr(child(num, "ilvl"), "val"), 0);
        } else if (auto id = inherited(pstyle, [](const Style& s) { return s.num_id; })) {
            num_id = *id;
            ilvl = inherited(pstyle, [](const Style& s) {
                       return s.num_id ? std::optional<int>(s.ilvl) : std::nullopt;
                   }).value_or(0);
        }
        if (num_id <= 0) return std::nullopt;
        return numbering_.docx_label(num_id, ilvl);
    }

    struct RunFormat {
        bool bold = false, italic = false, underline = false, looks_bold = false;
    };

    RunFormat run_format(const xmlNode* r, bool style_bold) const {
        RunFormat f;
        const xmlNode* rpr = child(r, "rPr");
        const std::string rstyle = w_attr(child(rpr, "rStyle"), "val").value_or("");
        f.bold = toggle(rpr, "b").value_or(false);
        f.italic = toggle(rpr, "i").value_or(false);
        const auto u = w_attr(child(rpr, "u"), "val");
        f.underline = child(rpr, "u") && u != "none";
        const auto direct = toggle(rpr, "b");
        const auto by_char_style = inherited(rstyle, [](const Style& s) { return s.bold; });
        f.looks_bold = direct ? *direct : by_char_style ? *by_char_style : style_bold;
        return f;
    }

    // Where a paragraph's reading stands: its plain text's length, and how much of it from the start looks bold.
    struct Cursor {
        std::size_t length = 0;
        std::size_t bold = 0;
    };

    // The content of a paragraph (or footnote paragraph): runs and what wraps them, in order.
    void inline_content(const xmlNode* parent, std::vector<RichSpan>& spans, Cursor& cursor, bool style_bold) {
        for (const xmlNode* n = parent->children; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE) continue;
            if (is_w(n, "r")) {
                run(n, spans, cursor, style_bold);
            } else if (is_w(n, "hyperlink") || is_w(n, "ins") || is_w(n, "smartTag") || is_w(n, "fldSimple") ||
                       is_w(n, "customXml") || is_w(n, "dir") || is_w(n, "bdo")) {
                inline_content(n, spans, cursor, style_bold);
            } else if (is_w(n, "sdt")) {
                if (const xmlNode* c = child(n, "sdtContent")) inline_content(c, spans, cursor, style_bold);
            }
        }
    }

    void add_text(std::vector<RichSpan>& spans, std::string text, const RunFormat& f, Cursor& cursor,
                  bool& only_blank) {
        if (text.find_first_not_of(" \t") != std::string::npos) only_blank = false;
        cursor.length += text.size();
        append_text(spans, std::move(text), f.bold, f.italic, f.underline);
    }

    void run(const xmlNode* r, std::vector<RichSpan>& spans, Cursor& cursor, bool style_bold) {
        const RunFormat f = run_format(r, style_bold);
        const bool all_bold_so_far = cursor.bold == cursor.length;
        bool only_blank = true;
        for (const xmlNode* c = r->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) continue;
            if (is_w(c, "t")) {
                add_text(spans, vn::nfc(text_content(c)), f, cursor, only_blank);
            } else if (is_w(c, "tab") || is_w(c, "ptab")) {
                add_text(spans, " ", f, cursor, only_blank);
            } else if (is_w(c, "noBreakHyphen")) {
                add_text(spans, "-", f, cursor, only_blank);
            } else if (is_w(c, "br") || is_w(c, "cr")) {
                const auto type = w_attr(c, "type").value_or("textWrapping");
                if (type != "textWrapping") continue;  // page and column breaks are layout, not text
                spans.push_back(RichSpan::of(RichSpan::Kind::line_break));
                cursor.length += 1;
            } else if (is_w(c, "footnoteReference")) {
                const auto it = footnotes_.find(w_attr(c, "id").value_or(""));
                if (it == footnotes_.end()) continue;
                // A footnote is copied where it is referenced: bounded, so one note cited a million times cannot
                // blow up memory.
                copied_notes_ += plain_text(it->second).size() + 1;
                if (copied_notes_ > limits_.package.max_part_size)
                    io::fail(DiagnosticKind::limit, pkg_.name + ": footnote text repeated past the part size limit",
                             pkg_.name);
                RichSpan note;
                note.kind = RichSpan::Kind::footnote;
                note.footnote = it->second;
                spans.push_back(std::move(note));
            }
        }
        if (all_bold_so_far && (f.looks_bold || only_blank)) cursor.bold = cursor.length;
    }
};

}  // namespace

std::vector<Paragraph> read_docx(std::string bytes, const std::string& name, const ReadLimits& limits) {
    const zip::Reader zip = zip::Reader::from_bytes(std::move(bytes), name, zip_limits(limits.package));
    const Package pkg{zip, name};
    return Reader(pkg, limits).run();
}

}  // namespace vanban::import
