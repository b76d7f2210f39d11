// ODT → paragraphs: office:text of content.xml in reading order (tables cell by cell), emphasis from automatic
// (direct) text styles, text:note footnotes, and the labels of text:list numbering computed from the list styles.
#include <map>
#include <optional>

#include "api/zip_limits.hpp"
#include "core/vn.hpp"
#include "core/xml_compiler.hpp"
#include "import/document.hpp"
#include "import/numbering.hpp"
#include "import/xml_util.hpp"
#include "io/fail.hpp"
#include "odt/odf_names.hpp"

namespace vanban::import {
namespace {

using odf::kFo;
using odf::kOffice;
using odf::kStyle;
using odf::kTable;
using odf::kText;

bool is(const xmlNode* n, const char* ns, const char* local) { return is_element(n, ns, local); }
std::optional<std::string> attr(const xmlNode* n, const char* ns, const char* name) { return attribute(n, ns, name); }
const xmlNode* child(const xmlNode* n, const char* ns, const char* local) { return first_child(n, ns, local); }

struct TextStyle {
    std::string parent;
    std::optional<bool> bold, italic, underline;
    bool automatic = false;
};

struct ListLevel {
    bool bullet = false;
    std::string bullet_char, format = "1", prefix, suffix = ".";
    int display_levels = 1, start = 1;
};

class Reader {
public:
    Reader(const Package& pkg, const ReadLimits& limits) : pkg_(pkg), limits_(limits) {}

    std::vector<Paragraph> run() {
        if (!pkg_.zip.contains(odf::kContentPart))
            io::fail(DiagnosticKind::package, pkg_.name + ": not an OpenDocument text (no content.xml)", pkg_.name);
        core::XmlDocPtr styles;
        if (pkg_.zip.contains(odf::kStylesPart)) {
            styles = pkg_.parse(odf::kStylesPart);
            read_styles(xmlDocGetRootElement(styles.get()), false);
        }
        const core::XmlDocPtr content = pkg_.parse(odf::kContentPart);
        const xmlNode* root = xmlDocGetRootElement(content.get());
        read_styles(root, true);
        const xmlNode* text = child(child(root, kOffice, "body"), kOffice, "text");
        if (!text) io::fail(DiagnosticKind::package, pkg_.name + ": content.xml has no office:text", pkg_.name);
        block(text, -1, -1, -1, "", 0);
        return std::move(out_);
    }

private:
    const Package& pkg_;
    const ReadLimits& limits_;
    std::map<std::string, TextStyle> styles_;
    std::map<std::string, std::map<int, ListLevel>> lists_;
    std::map<std::string, std::vector<int>> counters_;  // per list style, by level
    std::vector<Paragraph> out_;
    int tables_ = 0;
    int number_ = 0;
    std::uint64_t copied_notes_ = 0;

    void read_styles(const xmlNode* root, bool automatic_in_content) {
        for (const xmlNode* group = root ? root->children : nullptr; group; group = group->next) {
            const bool automatic = is(group, kOffice, "automatic-styles");
            if (!automatic && !is(group, kOffice, "styles")) continue;
            for (const xmlNode* s = group->children; s; s = s->next) {
                if (is(s, kStyle, "style")) {
                    TextStyle st;
                    st.parent = attr(s, kStyle, "parent-style-name").value_or("");
                    st.automatic = automatic && automatic_in_content;
                    if (const xmlNode* tp = child(s, kStyle, "text-properties")) {
                        if (auto w = attr(tp, kFo, "font-weight"))
                            st.bold = *w == "bold" || *w == "700" || *w == "800" || *w == "900";
                        if (auto i = attr(tp, kFo, "font-style")) st.italic = *i == "italic" || *i == "oblique";
                        if (auto u = attr(tp, kStyle, "text-underline-style")) st.underline = *u != "none";
                    }
                    styles_[attr(s, kStyle, "name").value_or("")] = st;
                } else if (is(s, kText, "list-style")) {
                    auto& levels = lists_[attr(s, kStyle, "name").value_or("")];
                    for (const xmlNode* l = s->children; l; l = l->next) {
                        ListLevel level;
                        if (is(l, kText, "list-level-style-bullet")) {
                            level.bullet = true;
                            level.bullet_char = attr(l, kText, "bullet-char").value_or("");
                        } else if (is(l, kText, "list-level-style-number")) {
                            level.format = attr(l, kStyle, "num-format").value_or("");
                            level.prefix = attr(l, kStyle, "num-prefix").value_or("");
                            level.suffix = attr(l, kStyle, "num-suffix").value_or("");
                            level.display_levels = std::clamp(small_number(attr(l, kText, "display-levels"), 1), 1, 10);
                            level.start = small_number(attr(l, kText, "start-value"), 1);
                        } else {
                            continue;
                        }
                        levels[small_number(attr(l, kText, "level"), 1) - 1] = level;
                    }
                }
            }
        }
    }

    // A style property: the style's own, then its parents' (bounded against loops).
    template <class Get>
    std::optional<bool> inherited(std::string name, Get get, bool only_automatic) const {
        for (int guard = 0; guard < 16 && !name.empty(); ++guard) {
            const auto it = styles_.find(name);
            if (it == styles_.end()) break;
            if (only_automatic && !it->second.automatic) break;
            if (auto v = get(it->second)) return v;
            name = it->second.parent;
        }
        return std::nullopt;
    }

    struct Format {
        bool bold = false, italic = false, underline = false, looks_bold = false;
    };

    Format format_of(const std::string& style, const Format& outer) const {
        Format f = outer;
        if (style.empty()) return f;
        // Direct formatting is what automatic styles (in content.xml) set; named styles only make text look bold.
        const auto bold = [](const TextStyle& s) { return s.bold; };
        const auto italic = [](const TextStyle& s) { return s.italic; };
        const auto underline = [](const TextStyle& s) { return s.underline; };
        if (auto b = inherited(style, bold, true)) f.bold = *b;
        if (auto i = inherited(style, italic, true)) f.italic = *i;
        if (auto u = inherited(style, underline, true)) f.underline = *u;
        if (auto b = inherited(style, bold, false)) f.looks_bold = *b;
        return f;
    }

    void block(const xmlNode* parent, int table, int row, int cell, const std::string& list_style, int depth) {
        for (const xmlNode* n = parent->children; n; n = n->next) {
            if (is(n, kText, "p") || is(n, kText, "h")) {
                paragraph(n, table, row, cell, {});
            } else if (is(n, kText, "list")) {
                list(n, table, row, cell, list_style, depth);
            } else if (is(n, kText, "section") || is(n, kText, "index-body") || is(n, kTable, "table-header-rows") ||
                       is(n, kTable, "table-rows")) {
                block(n, table, row, cell, list_style, depth);
            } else if (is(n, kTable, "table")) {
                const int t = tables_++;
                table_rows(n, t);
            }
        }
    }

    void table_rows(const xmlNode* tbl, int t) {
        int r = 0;
        std::vector<const xmlNode*> rows;
        for (const xmlNode* n = tbl->children; n; n = n->next) {
            if (is(n, kTable, "table-row")) rows.push_back(n);
            else if (is(n, kTable, "table-header-rows") || is(n, kTable, "table-rows"))
                for (const xmlNode* c = n->children; c; c = c->next)
                    if (is(c, kTable, "table-row")) rows.push_back(c);
        }
        for (const xmlNode* tr : rows) {
            int c = 0;
            for (const xmlNode* tc = tr->children; tc; tc = tc->next) {
                if (is(tc, kTable, "covered-table-cell")) {
                    ++c;
                } else if (is(tc, kTable, "table-cell")) {
                    block(tc, t, r, c++, "", 0);
                }
            }
            ++r;
        }
    }

    void list(const xmlNode* l, int table, int row, int cell, std::string style, int depth) {
        if (auto s = attr(l, kText, "style-name")) style = *s;
        auto& counters = counters_[style];
        if (depth == 0 && attr(l, kText, "continue-numbering") != "true" && !attr(l, kText, "continue-list"))
            counters.assign(counters.size(), 0);
        // Nesting is bounded by libxml2's depth limit (256).
        if (counters.size() <= static_cast<std::size_t>(depth)) counters.resize(static_cast<std::size_t>(depth) + 1, 0);
        const auto levels = lists_.find(style);
        for (const xmlNode* item = l->children; item; item = item->next) {
            const bool header = is(item, kText, "list-header");
            if (!header && !is(item, kText, "list-item")) continue;
            std::optional<std::string> label;
            if (!header && levels != lists_.end() && levels->second.count(depth)) {
                const ListLevel& level = levels->second.at(depth);
                const auto d = static_cast<std::size_t>(depth);
                if (auto start = attr(item, kText, "start-value")) counters[d] = small_number(start, 1) - 1;
                else if (counters[d] == 0) counters[d] = level.start - 1;
                ++counters[d];
                for (std::size_t k = d + 1; k < counters.size(); ++k) counters[k] = 0;
                label = level.bullet ? bullet_symbol(level.bullet_char, depth)
                                     : list_label(levels->second, counters, depth);
            }
            bool first = true;
            for (const xmlNode* n = item->children; n; n = n->next) {
                if (is(n, kText, "p") || is(n, kText, "h")) {
                    paragraph(n, table, row, cell, first ? label : std::nullopt);
                    first = false;
                } else if (is(n, kText, "list")) {
                    list(n, table, row, cell, style, depth + 1);
                    first = false;
                }
            }
        }
    }

    static std::string list_label(const std::map<int, ListLevel>& levels, const std::vector<int>& counters, int depth) {
        const ListLevel& level = levels.at(depth);
        if (level.format.empty()) return {};
        std::string label = level.prefix;
        for (int k = std::max(0, depth - level.display_levels + 1); k <= depth; ++k) {
            const auto it = levels.find(k);
            const std::string format = it != levels.end() ? it->second.format : "1";
            label += format_number(counters[static_cast<std::size_t>(k)], format);
            if (k < depth) label += ".";
        }
        return label + level.suffix;
    }

    struct Cursor {
        std::size_t length = 0;
        std::size_t bold = 0;
    };

    void paragraph(const xmlNode* p, int table, int row, int cell, const std::optional<std::string>& label) {
        ++number_;
        if (out_.size() >= limits_.max_paragraphs)
            io::fail(DiagnosticKind::limit,
                     pkg_.name + ": more than " + std::to_string(limits_.max_paragraphs) + " paragraphs", pkg_.name);
        Paragraph para;
        para.part = odf::kContentPart;
        para.number = number_;
        para.table = table;
        para.row = row;
        para.cell = cell;
        const Format base = format_of(attr(p, kText, "style-name").value_or(""), Format{});
        Cursor cursor;
        if (label && !label->empty()) {
            append_text(para.spans, *label + " ", false, false, false);
            cursor.length = label->size() + 1;
            if (base.looks_bold) cursor.bold = cursor.length;
            para.numbered_automatically = true;
        }
        inline_content(p, para.spans, base, cursor);
        para.bold_prefix = cursor.bold;
        out_.push_back(std::move(para));
    }

    void add_text(std::vector<RichSpan>& spans, std::string text, const Format& f, Cursor& cursor) {
        const bool blank = text.find_first_not_of(" \t") == std::string::npos;
        const bool all_bold_so_far = cursor.bold == cursor.length;
        cursor.length += text.size();
        if (all_bold_so_far && (f.looks_bold || blank)) cursor.bold = cursor.length;
        append_text(spans, std::move(text), f.bold, f.italic, f.underline);
    }

    void inline_content(const xmlNode* parent, std::vector<RichSpan>& spans, const Format& f, Cursor& cursor) {
        for (const xmlNode* n = parent->children; n; n = n->next) {
            if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
                std::string s = n->content ? reinterpret_cast<const char*>(n->content) : "";
                // ODF collapses white space in text (the spaces that count are text:s elements).
                std::string collapsed;
                for (char c : s) {
                    const bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
                    if (ws && !collapsed.empty() && collapsed.back() == ' ') continue;
                    collapsed += ws ? ' ' : c;
                }
                // …also across element boundaries, and at the paragraph's start.
                const bool after_space =
                    cursor.length == 0 || (!spans.empty() && spans.back().kind == RichSpan::Kind::text &&
                                           !spans.back().text.empty() && spans.back().text.back() == ' ');
                if (after_space && !collapsed.empty() && collapsed.front() == ' ') collapsed.erase(0, 1);
                add_text(spans, vn::nfc(collapsed), f, cursor);
            } else if (is(n, kText, "span")) {
                inline_content(n, spans, format_of(attr(n, kText, "style-name").value_or(""), f), cursor);
            } else if (is(n, kText, "a") || is(n, kText, "meta") || is(n, kText, "ruby-base") ||
                       is(n, kText, "sequence") || is(n, kText, "page-number")) {
                inline_content(n, spans, f, cursor);
            } else if (is(n, kText, "s")) {
                add_text(spans,
                         std::string(
                             static_cast<std::size_t>(std::clamp(small_number(attr(n, kText, "c"), 1), 1, 1000)), ' '),
                         f, cursor);
            } else if (is(n, kText, "tab")) {
                add_text(spans, " ", f, cursor);
            } else if (is(n, kText, "line-break")) {
                spans.push_back(RichSpan::of(RichSpan::Kind::line_break));
                cursor.length += 1;
            } else if (is(n, kText, "note")) {
                note(n, spans);
            }
        }
    }

    void note(const xmlNode* n, std::vector<RichSpan>& spans) {
        const xmlNode* body = child(n, kText, "note-body");
        if (!body) return;
        RichSpan footnote;
        footnote.kind = RichSpan::Kind::footnote;
        for (const xmlNode* p = body->children; p; p = p->next) {
            if (!is(p, kText, "p") && !is(p, kText, "h")) continue;
            if (!footnote.footnote.empty()) footnote.footnote.push_back(RichSpan::of(RichSpan::Kind::line_break));
            Cursor cursor;
            std::vector<RichSpan> content;
            inline_content(p, content, format_of(attr(p, kText, "style-name").value_or(""), Format{}), cursor);
            for (auto& s : content)
                if (s.kind != RichSpan::Kind::footnote) footnote.footnote.push_back(std::move(s));  // no nesting
        }
        footnote.footnote = trim_spans(std::move(footnote.footnote));
        copied_notes_ += plain_text(footnote.footnote).size();
        if (copied_notes_ > limits_.package.max_part_size)
            io::fail(DiagnosticKind::limit, pkg_.name + ": footnote text past the part size limit", pkg_.name);
        spans.push_back(std::move(footnote));
    }
};

}  // namespace

std::vector<Paragraph> read_odt(std::string bytes, const std::string& name, const ReadLimits& limits) {
    const zip::Reader zip = zip::Reader::from_bytes(std::move(bytes), name, zip_limits(limits.package));
    const Package pkg{zip, name};
    return Reader(pkg, limits).run();
}

}  // namespace vanban::import
