// Stage 3, plan_whitespace: Paragraphs + TagSpans → Joins, and Paragraph::strips. Whitespace control, as docxtpl
// gives it.
//
// docxtpl rewrites "{%-" by cutting the XML from the previous </w:t> up to the tag, and "-%}" by cutting from the
// tag up to the next <w:t>; only where no cut applies does Jinja trim white space. On the visible text that means:
// a statement tag with "{%-" at the start of its paragraph joins the paragraph to the previous one (the paragraph
// break and the white space before the tag go, nothing else); "-%}" at the end of its paragraph joins the next
// paragraph to it. In the middle of a paragraph docxtpl only joins runs, so nothing visible changes (vanban keeps
// the text that docxtpl drops when it shares the tag's run). Output tags and comments, and a "-" with no paragraph
// to join, trim the white space next to the tag inside its paragraph, as Jinja does. Line breaks and tabs between a
// statement tag's '-' and the text next to it in its paragraph (CTRL+ENTER templates: "A<br/>{%- if x -%}<br/>B")
// lie in docxtpl's cut: they go, with the white space around them.
#include <algorithm>
#include <cstring>

#include "core/part_stages.hpp"

namespace vanban::core::part {

namespace {

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

// Where the white space and breaks (kSoft) that end right before `end` begin.
std::size_t spaces_and_breaks_before(std::string_view s, std::size_t end) {
    while (true) {
        const std::size_t from = spaces_before(s, end);
        if (from == 0 || s[from - 1] != kSoft) return from;
        end = from - 1;
    }
}

// Where the white space and breaks that begin at `begin` end.
std::size_t spaces_and_breaks_after(std::string_view s, std::size_t begin) {
    while (true) {
        const std::size_t to = spaces_after(s, begin);
        if (to >= s.size() || s[to] != kSoft) return to;
        begin = to + 1;
    }
}

// Only reads the tags (TagQueries also serves the stages that edit them).
class WhitespacePlanner : TagQueries {
public:
    WhitespacePlanner(const Context& c, Paragraphs& paras, const TagSpans& spans, Joins& joins)
        : TagQueries(c, paras, const_cast<TagSpans&>(spans)),
          paragraphs_(paras.list),
          cuts_(joins.cuts),
          joined_paras_(joins.joined_paras) {}

    bool has_text(const Paragraph& p) const {
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
            if (t.para < 0 || t.token.level != TagLevel::automatic || (!t.token.trim_left && !t.token.trim_right))
                continue;
            Paragraph& p = paragraphs_[static_cast<std::size_t>(t.para)];
            const bool statement = t.token.kind == TagToken::Kind::statement;
            if (statement) drop_breaks(p, t.token);
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

    // docxtpl cuts the XML from the previous text to "{%-" and from "-%}" to the next text: the line breaks and tabs
    // there go, with the white space around them.
    static void drop_breaks(Paragraph& p, const TagToken& token) {
        const auto drop = [&](std::size_t from, std::size_t to) {
            bool any = false;
            for (const auto& [at, node] : p.softs) {
                if (at < from || at >= to) continue;
                p.dropped_softs.push_back(node);
                any = true;
            }
            if (any) p.strips.emplace_back(from, to);
        };
        if (token.trim_left) drop(spaces_and_breaks_before(p.text, token.begin), token.begin);
        if (token.trim_right) drop(token.end, spaces_and_breaks_after(p.text, token.end));
    }

    void join(std::size_t ti, int other, bool into_previous) {
        const TagRec& t = tags_[ti];
        const Paragraph& p = para_of(t);
        const Paragraph& o = paras_[static_cast<std::size_t>(other)];
        if (o.node->parent != p.node->parent) {
            errors_.push_back(
                diag(t,
                     std::string("the '-' of this tag joins its paragraph to the ") +
                         (into_previous ? "previous" : "next") + " text (¶" + std::to_string(o.number) +
                         "), which is in another table cell, text box or outside this table",
                     "remove the '-' here: whitespace control can only join paragraphs that stand side by side"));
            return;
        }
        cuts_.push_back({static_cast<int>(ti), other, into_previous});
        joined_paras_.insert(t.para);
        joined_paras_.insert(other);
    }

private:
    std::vector<Paragraph>& paragraphs_;  // Paragraph::strips are written here
    std::vector<Cut>& cuts_;
    std::set<int>& joined_paras_;
};

}  // namespace

Joins plan_whitespace(const Context& c, Paragraphs& paras, const TagSpans& spans) {
    Joins joins;
    WhitespacePlanner(c, paras, spans, joins).plan_whitespace();
    return joins;
}

}  // namespace vanban::core::part
