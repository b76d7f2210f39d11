#include "import/document.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "core/vn.hpp"
#include "io/fail.hpp"

namespace vanban::import {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Markup characters that would change meaning inside text written back as markup.
std::string escape_text(std::string_view text, bool in_footnote) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool special = c == '*' || c == '\\' || (c == '^' && i + 1 < text.size() && text[i + 1] == '[') ||
                             (in_footnote && (c == '[' || c == ']'));
        if (special) out += '\\';
        out += c;
    }
    return out;
}

std::string markup_of(const std::vector<RichSpan>& spans, bool in_footnote) {
    std::string out;
    for (const auto& s : spans) {
        if (s.kind == RichSpan::Kind::line_break) {
            out += '\n';
        } else if (s.kind == RichSpan::Kind::footnote) {
            out += "^[" + markup_of(s.footnote, true) + "]";
        } else {
            // Emphasis markers hug the text: white space at either end goes outside them.
            std::size_t b = 0, e = s.text.size();
            while (b < e && is_blank(s.text[b])) ++b;
            while (e > b && is_blank(s.text[e - 1])) --e;
            const std::string marker = s.bold && s.italic ? "***" : s.bold ? "**" : s.italic ? "*" : "";
            out += s.text.substr(0, b);
            if (e > b) out += marker + escape_text(std::string_view(s.text).substr(b, e - b), in_footnote) + marker;
            out += s.text.substr(e);
        }
    }
    return out;
}

}  // namespace

void append_text(std::vector<RichSpan>& spans, std::string text, bool bold, bool italic, bool underline) {
    if (text.empty()) return;
    if (!spans.empty()) {
        RichSpan& last = spans.back();
        const bool blank = text.find_first_not_of(" \t") == std::string::npos;
        if (last.kind == RichSpan::Kind::text &&
            ((last.bold == bold && last.italic == italic && last.underline == underline) || (blank && !underline))) {
            last.text += text;
            return;
        }
    }
    RichSpan s;
    s.text = std::move(text);
    s.bold = bold;
    s.italic = italic;
    s.underline = underline;
    spans.push_back(std::move(s));
}

std::string plain_text(const std::vector<RichSpan>& spans) {
    std::string out;
    for (const auto& s : spans) {
        if (s.kind == RichSpan::Kind::text) out += s.text;
        else if (s.kind == RichSpan::Kind::line_break) out += '\n';
    }
    return out;
}

std::string to_markup(const std::vector<RichSpan>& spans) { return markup_of(spans, false); }

std::pair<std::vector<RichSpan>, std::vector<RichSpan>> split_spans(const std::vector<RichSpan>& spans,
                                                                    std::size_t offset) {
    std::pair<std::vector<RichSpan>, std::vector<RichSpan>> out;
    std::size_t at = 0;
    for (const auto& s : spans) {
        const std::size_t len = s.kind == RichSpan::Kind::text         ? s.text.size()
                                : s.kind == RichSpan::Kind::line_break ? 1
                                                                       : 0;
        if (at + len <= offset) {
            out.first.push_back(s);
        } else if (at >= offset) {
            out.second.push_back(s);
        } else {  // a text span cut in two
            RichSpan left = s, right = s;
            left.text = s.text.substr(0, offset - at);
            right.text = s.text.substr(offset - at);
            out.first.push_back(std::move(left));
            out.second.push_back(std::move(right));
        }
        at += len;
    }
    return out;
}

std::vector<RichSpan> trim_spans(std::vector<RichSpan> spans) {
    auto blank_span = [](const RichSpan& s) {
        return s.kind == RichSpan::Kind::line_break ||
               (s.kind == RichSpan::Kind::text && s.text.find_first_not_of(" \t\n\r") == std::string::npos);
    };
    while (!spans.empty() && blank_span(spans.front())) spans.erase(spans.begin());
    while (!spans.empty() && blank_span(spans.back())) spans.pop_back();
    if (!spans.empty() && spans.front().kind == RichSpan::Kind::text) {
        auto& t = spans.front().text;
        t.erase(0, t.find_first_not_of(" \t\n\r"));
    }
    if (!spans.empty() && spans.back().kind == RichSpan::Kind::text) {
        auto& t = spans.back().text;
        t.erase(t.find_last_not_of(" \t\n\r") + 1);
    }
    return spans;
}

// ----- plain text

namespace {

// U+00B9 U+00B2 U+00B3 and U+2070, U+2074 … U+2079: the superscript digits a text file marks footnotes with.
std::size_t superscript_digit_at(std::string_view s, std::size_t i) {
    if (s.substr(i, 2) == "\xC2\xB9" || s.substr(i, 2) == "\xC2\xB2" || s.substr(i, 2) == "\xC2\xB3") return 2;
    if (i + 3 <= s.size() && s.substr(i, 2) == "\xE2\x81") {
        const auto c = static_cast<unsigned char>(s[i + 2]);
        if (c == 0xB0 || (c >= 0xB4 && c <= 0xB9)) return 3;
    }
    return 0;
}

std::size_t superscript_run(std::string_view s, std::size_t i) {
    std::size_t n = 0;
    while (std::size_t k = superscript_digit_at(s, i + n)) n += k;
    return n;
}

// Replaces the marks "…¹" of `notes` in the paragraph's text spans with footnote spans.
// `budget`: bytes of footnote text that may still be copied (one long note cited a million times must not blow up
// memory).
void place_footnotes(Paragraph& p, const std::map<std::string, std::vector<RichSpan>>& notes, std::uint64_t& budget,
                     const std::string& name) {
    std::vector<RichSpan> out;
    for (const auto& s : p.spans) {
        if (s.kind != RichSpan::Kind::text) {
            out.push_back(s);
            continue;
        }
        std::size_t from = 0;
        for (std::size_t i = 0; i < s.text.size(); ++i) {
            const std::size_t n = i > 0 ? superscript_run(s.text, i) : 0;
            if (n == 0) continue;
            const auto note_it = notes.find(s.text.substr(i, n));
            if (note_it != notes.end()) {
                const std::uint64_t cost = plain_text(note_it->second).size() + 1;
                if (cost > budget)
                    io::fail(DiagnosticKind::limit, name + ": footnote text repeated past the part size limit", name);
                budget -= cost;
                RichSpan before = s;
                before.text = s.text.substr(from, i - from);
                if (!before.text.empty()) out.push_back(std::move(before));
                RichSpan note;
                note.kind = RichSpan::Kind::footnote;
                note.footnote = note_it->second;
                out.push_back(std::move(note));
                from = i + n;
            }
            i += n - 1;
        }
        RichSpan rest = s;
        rest.text = s.text.substr(from);
        if (!rest.text.empty()) out.push_back(std::move(rest));
    }
    p.spans = std::move(out);
}

// Markdown's own marks as a plan writes them: "# " heading marks dropped, "* " bullets as "- ", and bullets
// indented under others ("  - …") as "+ ".
void markdown_line(std::string& line) {
    const std::size_t hashes = line.find_first_not_of('#');
    if (hashes > 0 && hashes != std::string::npos && line[hashes] == ' ') {
        line.erase(0, hashes + 1);
        return;
    }
    const std::size_t indent = line.find_first_not_of(" \t");
    if (indent == std::string::npos || indent + 1 >= line.size() || line[indent + 1] != ' ') return;
    if (line[indent] == '*' || (line[indent] == '-' && indent >= 2))
        line = std::string(indent >= 2 ? "+" : "-") + line.substr(indent + 1);
}

}  // namespace

std::vector<Paragraph> read_text(std::string_view bytes, const std::string& name, bool markdown,
                                 const ReadLimits& limits) {
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    if (!vn::valid_utf8(bytes))
        io::fail(DiagnosticKind::package, name + ": the text is not UTF-8 (save it as UTF-8 and import again)", name);
    // Control characters (NUL …) are no text a document can print (XML cannot even hold them): a binary file.
    const auto control = std::find_if(bytes.begin(), bytes.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || u == 0x7F;
    });
    if (control != bytes.end())
        io::fail(DiagnosticKind::package,
                 name + ": control character " +
                     std::to_string(static_cast<int>(static_cast<unsigned char>(*control))) + " at byte " +
                     std::to_string(control - bytes.begin()) + ": not a text file",
                 name);
    std::vector<Paragraph> out;
    std::map<std::string, std::vector<RichSpan>> notes;
    int line_number = 0;
    std::size_t at = 0;
    while (at <= bytes.size()) {
        std::size_t end = bytes.find('\n', at);
        if (end == std::string_view::npos) end = bytes.size();
        std::string line(bytes.substr(at, end - at));
        at = end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::replace(line.begin(), line.end(), '\f', ' ');  // a page break in exported text
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        if (markdown) markdown_line(line);
        if (out.size() + notes.size() >= limits.max_paragraphs)
            io::fail(DiagnosticKind::limit, name + ": more than " + std::to_string(limits.max_paragraphs) + " lines",
                     name);
        const std::string trimmed = line.substr(line.find_first_not_of(" \t"));
        if (const std::size_t n = superscript_run(trimmed, 0); n > 0 && trimmed.size() > n && trimmed[n] == ' ') {
            notes.emplace(trimmed.substr(0, n), trim_spans(parse_markup(trimmed.substr(n + 1)).spans));
            continue;
        }
        Paragraph p;
        p.part = name;
        p.number = line_number;
        p.spans = parse_markup(line).spans;
        std::size_t bold = 0;
        for (const auto& s : p.spans) {
            if (s.kind != RichSpan::Kind::text || !s.bold) break;
            bold += s.text.size();
        }
        p.bold_prefix = bold;
        out.push_back(std::move(p));
    }
    std::uint64_t budget = limits.package.max_part_size;
    if (!notes.empty())
        for (auto& p : out) place_footnotes(p, notes, budget, name);
    return out;
}

}  // namespace vanban::import
