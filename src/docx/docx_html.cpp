// A quick on-screen picture of a rendered .docx as HTML, for the page's instant preview: the text exactly as the
// engine rendered it (labels, upper-casing, dates), with what the styles say about alignment, indents, spacing,
// bold/italic/underline/caps and sizes; tables with their grid, spans and borders; footnotes under the sheet that
// cites them; explicit page and section breaks start a new sheet. It does not break lines into printed pages —
// LibreOffice stays the exact print (PDF, "xem bản in chính xác").
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/xml_compiler.hpp"
#include "docx/ooxml_names.hpp"
#include "vanban/convert.hpp"
#include "vanban/diagnostic.hpp"
#include "zip/zip.hpp"

namespace vanban {

namespace {

using ooxml::kW;
using ooxml::kWordprocessingDrawing;

struct XmlDocFree {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

bool is_w(const xmlNode* n, const char* local) { return core::has_name(n, kW, local); }

const xmlNode* child_w(const xmlNode* parent, const char* local) {
    if (!parent) return nullptr;
    for (const xmlNode* c = parent->children; c; c = c->next)
        if (is_w(c, local)) return c;
    return nullptr;
}

std::optional<std::string> attr_w(const xmlNode* n, const char* name) {
    if (!n) return std::nullopt;
    xmlChar* v = xmlGetNsProp(n, core::xml_chars(name), core::xml_chars(kW));
    if (!v) return std::nullopt;
    std::string out(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return out;
}

std::optional<int> int_attr_w(const xmlNode* n, const char* name) {
    auto v = attr_w(n, name);
    if (!v) return std::nullopt;
    return static_cast<int>(std::strtol(v->c_str(), nullptr, 10));
}

// <w:b/>, <w:b w:val="0"/>, <w:b w:val="false"/>: a toggle present unless switched off.
std::optional<bool> toggle(const xmlNode* props, const char* local) {
    const xmlNode* n = child_w(props, local);
    if (!n) return std::nullopt;
    const auto v = attr_w(n, "val");
    return !(v && (*v == "0" || *v == "false" || *v == "none"));
}

XmlDocPtr parse(const std::string& xml, const char* name) {
    // No network, no DTD, entities unexpanded: the same safe settings as the template compiler.
    return XmlDocPtr(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), name, nullptr,
                                   XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

// Paragraph and run properties that matter on screen; unset fields inherit.
struct Props {
    std::optional<std::string> align;
    std::optional<int> left, right, first_line, hanging, before, after;  // twips
    std::optional<bool> page_break_before, rule_below, rule_above;
    std::optional<bool> bold, italic, underline, caps;
    std::optional<int> half_points;
    std::optional<std::string> vertical;

    void over(const Props& o) {
        const auto take = [](auto& mine, const auto& theirs) {
            if (theirs) mine = theirs;
        };
        take(align, o.align), take(left, o.left), take(right, o.right), take(first_line, o.first_line);
        take(hanging, o.hanging), take(before, o.before), take(after, o.after);
        take(page_break_before, o.page_break_before), take(rule_below, o.rule_below), take(rule_above, o.rule_above);
        take(bold, o.bold), take(italic, o.italic), take(underline, o.underline), take(caps, o.caps);
        take(half_points, o.half_points), take(vertical, o.vertical);
    }
};

bool has_border(const xmlNode* borders, const char* side) {
    const xmlNode* b = child_w(borders, side);
    const auto v = attr_w(b, "val");
    return b && v && *v != "nil" && *v != "none";
}

Props paragraph_props(const xmlNode* ppr) {
    Props p;
    if (!ppr) return p;
    if (const xmlNode* jc = child_w(ppr, "jc")) p.align = attr_w(jc, "val");
    if (const xmlNode* ind = child_w(ppr, "ind")) {
        p.left = int_attr_w(ind, "left");
        if (!p.left) p.left = int_attr_w(ind, "start");
        p.right = int_attr_w(ind, "right");
        if (!p.right) p.right = int_attr_w(ind, "end");
        p.first_line = int_attr_w(ind, "firstLine");
        p.hanging = int_attr_w(ind, "hanging");
        if (p.first_line && !p.hanging) p.hanging = 0;
        if (p.hanging && !p.first_line) p.first_line = 0;
    }
    if (const xmlNode* sp = child_w(ppr, "spacing")) {
        p.before = int_attr_w(sp, "before");
        p.after = int_attr_w(sp, "after");
    }
    p.page_break_before = toggle(ppr, "pageBreakBefore");
    if (const xmlNode* bdr = child_w(ppr, "pBdr")) {
        p.rule_below = has_border(bdr, "bottom");
        p.rule_above = has_border(bdr, "top");
    }
    return p;
}

Props run_props(const xmlNode* rpr) {
    Props p;
    if (!rpr) return p;
    p.bold = toggle(rpr, "b");
    p.italic = toggle(rpr, "i");
    p.underline = toggle(rpr, "u");
    p.caps = toggle(rpr, "caps");
    p.half_points = int_attr_w(child_w(rpr, "sz"), "val");
    p.vertical = attr_w(child_w(rpr, "vertAlign"), "val");
    return p;
}

struct Style {
    std::string based_on;
    Props paragraph, run;
    bool table_borders = false;
};

class Styles {
public:
    explicit Styles(const xmlDoc* doc) {
        const xmlNode* root = doc ? xmlDocGetRootElement(doc) : nullptr;
        if (!root) return;
        if (const xmlNode* defaults = child_w(root, "docDefaults")) {
            defaults_ = paragraph_props(child_w(child_w(defaults, "pPrDefault"), "pPr"));
            defaults_.over(run_props(child_w(child_w(defaults, "rPrDefault"), "rPr")));
        }
        for (const xmlNode* s = root->children; s; s = s->next) {
            if (!is_w(s, "style")) continue;
            const auto id = attr_w(s, "styleId");
            if (!id) continue;
            Style style;
            style.based_on = attr_w(child_w(s, "basedOn"), "val").value_or("");
            style.paragraph = paragraph_props(child_w(s, "pPr"));
            style.run = run_props(child_w(s, "rPr"));
            if (const xmlNode* borders = child_w(child_w(s, "tblPr"), "tblBorders"))
                style.table_borders = has_border(borders, "insideH") || has_border(borders, "top");
            if (attr_w(s, "default").value_or("") == "1" && attr_w(s, "type").value_or("") == "paragraph")
                default_paragraph_ = *id;
            styles_.emplace(*id, std::move(style));
        }
    }

    // The style's own properties over those it is based on (paragraph and run properties merged).
    Props resolve(const std::string& id) const {
        std::vector<const Style*> chain;
        std::string at = id.empty() ? default_paragraph_ : id;
        while (!at.empty() && chain.size() < 32) {  // a loop of basedOn ends here
            auto it = styles_.find(at);
            if (it == styles_.end()) break;
            chain.push_back(&it->second);
            at = it->second.based_on;
        }
        Props p;
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
            p.over((*it)->paragraph);
            p.over((*it)->run);
        }
        return p;
    }
    Props paragraph_base(const std::string& id) const {
        Props p = defaults_;
        p.over(resolve(id));
        return p;
    }
    bool table_borders(const std::string& id) const {
        auto it = styles_.find(id);
        for (int depth = 0; it != styles_.end() && depth < 32; ++depth) {
            if (it->second.table_borders) return true;
            it = styles_.find(it->second.based_on);
        }
        return false;
    }

private:
    Props defaults_;
    std::string default_paragraph_ = "Normal";
    std::map<std::string, Style> styles_;
};

void escape_into(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
}

// CSS points with one decimal: twips are 1/20 pt, half-points 1/2 pt. Integer arithmetic, so that the C locale
// of an embedding program (a decimal comma) cannot change the CSS.
std::string points(double value) {
    const long tenths = std::lround(value * 10);
    const long whole = std::labs(tenths);
    return (tenths < 0 ? "-" : "") + std::to_string(whole / 10) + "." + std::to_string(whole % 10) + "pt";
}
std::string twips(int value) { return points(value / 20.0); }

std::string text_of(const xmlNode* n) {
    xmlChar* c = xmlNodeGetContent(n);
    std::string s = c ? reinterpret_cast<const char*>(c) : "";
    if (c) xmlFree(c);
    return s;
}

class Converter {
public:
    Converter(const Styles& styles, const xmlDoc* footnotes) : styles_(styles), footnotes_(footnotes) {}

    std::string run(const xmlNode* body) {
        open_sheet();
        blocks(body);
        close_sheet();
        return std::move(out_);
    }

private:
    const Styles& styles_;
    const xmlDoc* footnotes_;
    std::string out_;
    std::vector<std::string> sheet_notes_;
    int note_count_ = 0;
    bool sheet_has_content_ = false;

    void open_sheet() {
        out_ += "<div class=\"sheet\">";
        sheet_has_content_ = false;
    }
    void close_sheet() {
        if (!sheet_notes_.empty()) {
            out_ += "<div class=\"footnotes\">";
            for (const auto& n : sheet_notes_) out_ += n;
            out_ += "</div>";
            sheet_notes_.clear();
        }
        out_ += "</div>";
    }
    void new_sheet() {
        if (!sheet_has_content_) return;
        close_sheet();
        open_sheet();
    }

    void blocks(const xmlNode* parent) {
        for (const xmlNode* n = parent->children; n; n = n->next) {
            if (is_w(n, "p")) {
                paragraph(n);
            } else if (is_w(n, "tbl")) {
                table(n);
            } else if (is_w(n, "sdt")) {
                if (const xmlNode* content = child_w(n, "sdtContent")) blocks(content);
            }
        }
    }

    void paragraph(const xmlNode* p) {
        const xmlNode* ppr = child_w(p, "pPr");
        Props props = styles_.paragraph_base(attr_w(child_w(ppr, "pStyle"), "val").value_or(""));
        props.over(paragraph_props(ppr));
        props.over(run_props(child_w(ppr, "rPr")));  // the paragraph mark's size sets an empty line's height
        if (props.page_break_before.value_or(false)) new_sheet();
        out_ += "<p style=\"";
        paragraph_style(props);
        out_ += "\">";
        const std::size_t start = out_.size();
        inline_content(p, props);
        if (out_.size() == start) out_ += props.rule_below.value_or(false) ? "" : "&#8203;";
        out_ += "</p>";
        sheet_has_content_ = true;
        if (child_w(ppr, "sectPr")) new_sheet();
    }

    void paragraph_style(const Props& p) {
        const std::string align = p.align.value_or("left");
        out_ += "text-align:";
        out_ += align == "both"                      ? "justify"
                : align == "center"                  ? "center"
                : align == "right" || align == "end" ? "right"
                                                     : "left";
        out_ += ";margin:" + twips(p.before.value_or(0)) + " " + twips(p.right.value_or(0)) + " " +
                twips(p.after.value_or(0)) + " " + twips(p.left.value_or(0)) + ";";
        const int indent = p.first_line.value_or(0) - p.hanging.value_or(0);
        if (indent) out_ += "text-indent:" + twips(indent) + ";";
        if (p.rule_below.value_or(false)) out_ += "border-bottom:1px solid #000;";
        if (p.rule_above.value_or(false)) out_ += "border-top:1px solid #000;";
        out_ += "font-size:" + points(p.half_points.value_or(24) / 2.0) + ";";
        if (p.rule_below.value_or(false) || p.rule_above.value_or(false)) out_ += "line-height:1px;";
    }

    void inline_content(const xmlNode* parent, const Props& paragraph) {
        for (const xmlNode* n = parent->children; n; n = n->next) {
            if (is_w(n, "r")) {
                run(n, paragraph);
            } else if (is_w(n, "hyperlink") || is_w(n, "ins") || is_w(n, "smartTag") || is_w(n, "fldSimple")) {
                inline_content(n, paragraph);
            } else if (is_w(n, "sdt")) {
                if (const xmlNode* content = child_w(n, "sdtContent")) inline_content(content, paragraph);
            }
        }
    }

    void run(const xmlNode* r, const Props& paragraph) {
        const xmlNode* rpr = child_w(r, "rPr");
        Props props = paragraph;
        if (auto style = attr_w(child_w(rpr, "rStyle"), "val")) props.over(styles_.resolve(*style));
        props.over(run_props(rpr));
        std::string text;
        for (const xmlNode* c = r->children; c; c = c->next) {
            if (is_w(c, "t")) {
                escape_into(text, text_of(c));
            } else if (is_w(c, "tab")) {
                text += "&emsp;";
            } else if (is_w(c, "br") || is_w(c, "cr")) {
                if (attr_w(c, "type").value_or("") == "page") {
                    flush(text, props);
                    out_ += "</p>";
                    new_sheet();
                    out_ += "<p style=\"";
                    paragraph_style(paragraph);
                    out_ += "\">";
                } else {
                    text += "<br>";
                }
            } else if (is_w(c, "footnoteReference")) {
                flush(text, props);
                // A footnote's own mark ("(1)", w:customMarkFollows) is the text that follows the reference in its run.
                const int id = int_attr_w(c, "id").value_or(-1);
                std::string own_mark;
                if (attr_w(c, "customMarkFollows").value_or("") == "1")
                    while (c->next && is_w(c->next, "t")) own_mark += text_of(c = c->next);
                footnote(id, own_mark);
            } else if (is_w(c, "drawing")) {
                flush(text, props);
                drawing(c);
            }
        }
        flush(text, props);
    }

    void flush(std::string& text, const Props& p) {
        if (text.empty()) return;
        std::string style;
        if (p.bold.value_or(false)) style += "font-weight:bold;";
        if (p.italic.value_or(false)) style += "font-style:italic;";
        if (p.underline.value_or(false)) style += "text-decoration:underline;";
        if (p.caps.value_or(false)) style += "text-transform:uppercase;";
        if (p.half_points) style += "font-size:" + points(*p.half_points / 2.0) + ";";
        const bool sup = p.vertical.value_or("") == "superscript";
        if (sup) out_ += "<sup>";
        if (!style.empty()) out_ += "<span style=\"" + style + "\">";
        out_ += text;
        if (!style.empty()) out_ += "</span>";
        if (sup) out_ += "</sup>";
        text.clear();
    }

    // A footnote's mark is its number, counted as Word counts them, or the form's own mark ("(1)"), which also begins
    // the note's text; either is the note-ref the page's sheets match with the note (web/app.js).
    void footnote(int id, const std::string& own_mark) {
        const std::string mark = own_mark.empty() ? std::to_string(++note_count_) : own_mark;
        std::string escaped_mark;
        escape_into(escaped_mark, mark);
        out_ += "<sup class=\"note-ref\">" + escaped_mark + "</sup>";
        std::string text;
        const xmlNode* root = footnotes_ ? xmlDocGetRootElement(footnotes_) : nullptr;
        for (const xmlNode* f = root ? root->children : nullptr; f; f = f->next) {
            if (!is_w(f, "footnote") || int_attr_w(f, "id").value_or(-2) != id) continue;
            for (const xmlNode* p = f->children; p; p = p->next)
                if (is_w(p, "p")) text += text_of(p);
        }
        if (!own_mark.empty() && text.rfind(own_mark, 0) == 0) text.erase(0, own_mark.size());
        std::string note = "<p class=\"footnote\"><sup>" + escaped_mark + "</sup> ";
        const std::size_t start = text.find_first_not_of(' ');
        escape_into(note, start == std::string::npos ? std::string() : text.substr(start));
        sheet_notes_.push_back(note + "</p>");
    }

    // A picture (signature, seal) as a frame of its printed size: the preview is about the text.
    void drawing(const xmlNode* d) {
        const xmlNode* extent = nullptr;
        for (const xmlNode* anchor = d->children; anchor && !extent; anchor = anchor->next)
            for (const xmlNode* c = anchor->children; c && !extent; c = c->next)
                if (core::has_name(c, kWordprocessingDrawing, "extent")) extent = c;
        const auto emu = [&](const char* name) {
            xmlChar* v = extent ? xmlGetProp(extent, core::xml_chars(name)) : nullptr;
            const long value = v ? std::strtol(reinterpret_cast<const char*>(v), nullptr, 10) : 0;
            if (v) xmlFree(v);
            return std::to_string(value / 12700) + "pt";
        };
        out_ += "<span class=\"picture\" style=\"width:" + emu("cx") + ";height:" + emu("cy") + "\">ảnh</span>";
    }

    void table(const xmlNode* tbl) {
        const xmlNode* tblpr = child_w(tbl, "tblPr");
        bool borders = styles_.table_borders(attr_w(child_w(tblpr, "tblStyle"), "val").value_or(""));
        if (const xmlNode* own = child_w(tblpr, "tblBorders"))
            borders = has_border(own, "insideH") || has_border(own, "top");
        std::vector<int> grid;
        for (const xmlNode* g = child_w(tbl, "tblGrid") ? child_w(tbl, "tblGrid")->children : nullptr; g; g = g->next)
            if (is_w(g, "gridCol")) grid.push_back(int_attr_w(g, "w").value_or(0));
        out_ += borders ? "<table class=\"ruled\">" : "<table>";
        out_ += "<colgroup>";
        for (int w : grid) out_ += "<col style=\"width:" + twips(w) + "\">";
        out_ += "</colgroup>";
        std::vector<const xmlNode*> rows;
        for (const xmlNode* r = tbl->children; r; r = r->next)
            if (is_w(r, "tr")) rows.push_back(r);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            out_ += "<tr>";
            int column = 0;
            for (const xmlNode* c = rows[i]->children; c; c = c->next) {
                if (!is_w(c, "tc")) continue;
                const xmlNode* tcpr = child_w(c, "tcPr");
                const int span = std::max(1, int_attr_w(child_w(tcpr, "gridSpan"), "val").value_or(1));
                const xmlNode* merge = child_w(tcpr, "vMerge");
                const bool continued = merge && attr_w(merge, "val").value_or("continue") == "continue";
                if (!continued) {
                    const int down = merge ? rows_merged(rows, i, column) : 1;
                    out_ += "<td";
                    if (span > 1) out_ += " colspan=\"" + std::to_string(span) + "\"";
                    if (down > 1) out_ += " rowspan=\"" + std::to_string(down) + "\"";
                    out_ += ">";
                    blocks(c);
                    out_ += "</td>";
                }
                column += span;
            }
            out_ += "</tr>";
        }
        out_ += "</table>";
        sheet_has_content_ = true;
    }

    // How many rows, from `row` down, the vertically merged cell starting at grid column `column` covers.
    static int rows_merged(const std::vector<const xmlNode*>& rows, std::size_t row, int column) {
        int count = 1;
        for (std::size_t j = row + 1; j < rows.size(); ++j) {
            int at = 0;
            bool continues = false;
            for (const xmlNode* c = rows[j]->children; c; c = c->next) {
                if (!is_w(c, "tc")) continue;
                const xmlNode* tcpr = child_w(c, "tcPr");
                if (at == column) {
                    const xmlNode* merge = child_w(tcpr, "vMerge");
                    continues = merge && attr_w(merge, "val").value_or("continue") == "continue";
                    break;
                }
                at += std::max(1, int_attr_w(child_w(tcpr, "gridSpan"), "val").value_or(1));
            }
            if (!continues) break;
            ++count;
        }
        return count;
    }
};

[[noreturn]] void not_a_document(const std::string& message) {
    Diagnostic d;
    d.kind = DiagnosticKind::package;
    d.code = "preview.not_docx";
    d.message = message;
    d.message_vi = "Không xem trước được: tệp Word vừa tạo không đọc được (" + message + ").";
    throw Error(std::move(d));
}

}  // namespace

std::string docx_to_html(const std::string& docx) {
    zip::Limits limits;
    limits.max_entry_size = 64ull << 20;
    limits.max_total_size = 128ull << 20;
    limits.max_compression_ratio = 200;
    const zip::Reader reader = zip::Reader::from_bytes(docx, "document.docx", limits);
    if (!reader.contains(ooxml::kDocumentPart)) not_a_document("the document has no word/document.xml");
    const XmlDocPtr document = parse(reader.read(ooxml::kDocumentPart), ooxml::kDocumentPart);
    const xmlNode* root = document ? xmlDocGetRootElement(document.get()) : nullptr;
    const xmlNode* body = child_w(root, "body");
    if (!body) not_a_document("word/document.xml is not a WordprocessingML document");
    XmlDocPtr styles_doc, notes_doc;
    if (reader.contains(ooxml::kStylesPart)) styles_doc = parse(reader.read(ooxml::kStylesPart), ooxml::kStylesPart);
    if (reader.contains(ooxml::kFootnotesPart))
        notes_doc = parse(reader.read(ooxml::kFootnotesPart), ooxml::kFootnotesPart);
    const Styles styles(styles_doc.get());
    return Converter(styles, notes_doc.get()).run(body);
}

}  // namespace vanban
