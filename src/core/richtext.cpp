#include "core/richtext.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>

#include "core/vn.hpp"

namespace vanban {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);
constexpr std::size_t kMaxRun = 1000;

// (vn::next_code_point without moving the position)
char32_t code_point_at(std::string_view s, std::size_t at) {
    return vn::next_code_point(s, at).value_or(U'\uFFFD');
}

bool is_space(char32_t c) { return u_isUWhiteSpace(static_cast<UChar32>(c)) != 0; }

bool escapable(char c) { return c == '*' || c == '^' || c == '\\' || c == '[' || c == ']'; }

// One piece of the input before emphasis is resolved.
struct Item {
    enum class Type { text, line_break, footnote, delimiter };
    Type type = Type::text;
    std::string text;                // text
    std::vector<RichSpan> footnote;  // footnote
    // delimiter: a run of '*'
    int count = 0;     // not yet used as emphasis
    int original = 0;  // run length as written
    bool can_open = false;
    bool can_close = false;
    std::size_t prev = kNone;  // neighbours on the delimiter stack
    std::size_t next = kNone;
};

void merge_into(std::vector<RichSpan>& out, RichSpan span) {
    if (span.kind == RichSpan::Kind::text) {
        if (span.text.empty()) return;
        if (!out.empty()) {
            RichSpan& last = out.back();
            if (last.kind == RichSpan::Kind::text && last.bold == span.bold && last.italic == span.italic &&
                last.underline == span.underline) {
                last.text += span.text;
                return;
            }
        }
    }
    out.push_back(std::move(span));
}

std::vector<RichSpan> merged(std::vector<RichSpan> spans) {
    std::vector<RichSpan> out;
    out.reserve(spans.size());
    for (RichSpan& span : spans) merge_into(out, std::move(span));
    return out;
}

// Tokenises NFC text into items. Footnotes are recognised only when allow_footnotes (footnotes do not nest).
std::vector<Item> tokenize(std::string_view s, bool allow_footnotes);

std::vector<RichSpan> parse_normalized(std::string_view s, bool allow_footnotes);

std::vector<Item> tokenize(std::string_view s, bool allow_footnotes) {
    std::vector<Item> items;
    std::string pending;
    const auto flush = [&] {
        if (pending.empty()) return;
        Item item;
        item.text = std::move(pending);
        pending.clear();
        items.push_back(std::move(item));
    };
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '\\' && i + 1 < s.size() && escapable(s[i + 1])) {
            pending += s[i + 1];
            i += 2;
        } else if (c == '\r' || c == '\n') {
            flush();
            Item item;
            item.type = Item::Type::line_break;
            items.push_back(std::move(item));
            i += (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ? 2 : 1;
        } else if (c == '^' && allow_footnotes && i + 1 < s.size() && s[i + 1] == '[') {
            // Find the matching ']' (brackets nest; escapes are skipped).
            std::size_t j = i + 2;
            int depth = 1;
            while (j < s.size()) {
                if (s[j] == '\\' && j + 1 < s.size() && escapable(s[j + 1])) {
                    j += 2;
                    continue;
                }
                if (s[j] == '[') ++depth;
                if (s[j] == ']' && --depth == 0) break;
                ++j;
            }
            std::vector<RichSpan> content;
            if (j < s.size()) content = parse_normalized(s.substr(i + 2, j - i - 2), false);
            if (content.empty()) {  // unterminated or empty: literal text
                pending += c;
                ++i;
                continue;
            }
            flush();
            Item item;
            item.type = Item::Type::footnote;
            item.footnote = std::move(content);
            items.push_back(std::move(item));
            i = j + 1;
        } else if (c == '*') {
            std::size_t j = i;
            while (j < s.size() && s[j] == '*') ++j;
            if (j - i > kMaxRun) {  // absurd runs stay literal
                pending.append(j - i, '*');
                i = j;
                continue;
            }
            flush();
            Item item;
            item.type = Item::Type::delimiter;
            item.original = item.count = static_cast<int>(j - i);
            // Simplified flanking rule: an opener must be followed by non-space, a closer preceded by non-space.
            item.can_open = j < s.size() && !is_space(code_point_at(s, j));
            item.can_close = i > 0 && !is_space(vn::code_point_before(s, i));
            items.push_back(std::move(item));
            i = j;
        } else {
            pending += c;
            ++i;
        }
    }
    flush();
    return items;
}

// CommonMark's "process emphasis" over the '*' runs, including the rule of three. Each match applies to the items
// strictly between opener and closer; the counts are accumulated as difference arrays so nesting stays linear.
void resolve_emphasis(std::vector<Item>& items, std::vector<int>& bold_diff, std::vector<int>& italic_diff) {
    std::size_t first = kNone;
    std::size_t last = kNone;
    for (std::size_t k = 0; k < items.size(); ++k) {
        if (items[k].type != Item::Type::delimiter) continue;
        items[k].prev = last;
        if (last != kNone) items[last].next = k;
        if (first == kNone) first = k;
        last = k;
    }
    const auto unlink = [&](std::size_t k) {
        Item& d = items[k];
        if (d.prev != kNone) items[d.prev].next = d.next;
        if (d.next != kNone) items[d.next].prev = d.prev;
    };
    // openers_bottom[closer length % 3][closer can open]: item index below which no opener can match (-1: none).
    std::array<std::array<std::ptrdiff_t, 2>, 3> openers_bottom{};
    for (auto& row : openers_bottom) row = {-1, -1};

    std::size_t current = first;
    while (current != kNone) {
        Item& closer = items[current];
        if (!closer.can_close) {
            current = closer.next;
            continue;
        }
        std::ptrdiff_t& bottom = openers_bottom[static_cast<std::size_t>(closer.original % 3)][closer.can_open ? 1 : 0];
        std::size_t opener_index = closer.prev;
        bool found = false;
        while (opener_index != kNone && static_cast<std::ptrdiff_t>(opener_index) > bottom) {
            const Item& opener = items[opener_index];
            if (opener.can_open) {
                const bool odd_match = (opener.can_close || closer.can_open) &&
                                       (opener.original + closer.original) % 3 == 0 &&
                                       !(opener.original % 3 == 0 && closer.original % 3 == 0);
                if (!odd_match) {
                    found = true;
                    break;
                }
            }
            opener_index = opener.prev;
        }
        if (found) {
            Item& opener = items[opener_index];
            const int used = (opener.count >= 2 && closer.count >= 2) ? 2 : 1;
            std::vector<int>& diff = used == 2 ? bold_diff : italic_diff;
            ++diff[opener_index + 1];
            --diff[current];
            opener.count -= used;
            closer.count -= used;
            // Delimiters between opener and closer can no longer match: drop them from the stack.
            opener.next = current;
            closer.prev = opener_index;
            if (opener.count == 0) unlink(opener_index);
            if (closer.count == 0) {
                const std::size_t next = closer.next;
                unlink(current);
                current = next;
            }
        } else {
            bottom = closer.prev == kNone ? -1 : static_cast<std::ptrdiff_t>(closer.prev);
            const std::size_t next = closer.next;
            if (!closer.can_open) unlink(current);
            current = next;
        }
    }
}

std::vector<RichSpan> parse_normalized(std::string_view s, bool allow_footnotes) {
    std::vector<Item> items = tokenize(s, allow_footnotes);
    std::vector<int> bold_diff(items.size() + 1, 0);
    std::vector<int> italic_diff(items.size() + 1, 0);
    resolve_emphasis(items, bold_diff, italic_diff);

    std::vector<RichSpan> out;
    int bold = 0;
    int italic = 0;
    for (std::size_t k = 0; k < items.size(); ++k) {
        bold += bold_diff[k];
        italic += italic_diff[k];
        Item& item = items[k];
        RichSpan span;
        switch (item.type) {
            case Item::Type::text:
                span.text = std::move(item.text);
                break;
            case Item::Type::delimiter:  // unused asterisks are literal text
                span.text.assign(static_cast<std::size_t>(item.count), '*');
                break;
            case Item::Type::line_break:
                span.kind = RichSpan::Kind::line_break;
                break;
            case Item::Type::footnote:
                span.kind = RichSpan::Kind::footnote;
                span.footnote = std::move(item.footnote);
                break;
        }
        if (span.kind == RichSpan::Kind::text) {
            span.bold = bold > 0;
            span.italic = italic > 0;
        }
        merge_into(out, std::move(span));
    }
    return out;
}

void append_plain(const std::vector<RichSpan>& spans, std::string& out) {
    for (const RichSpan& span : spans) {
        if (span.kind == RichSpan::Kind::text) out += span.text;
        if (span.kind == RichSpan::Kind::line_break) out += '\n';
    }
}

std::vector<RichSpan> spans_from_json(const nlohmann::json& value, bool allow_footnotes, const std::string& where);

// A structured text object: its text is literal (not markup); newlines still become line breaks.
void append_text_object(const nlohmann::json& object, std::vector<RichSpan>& out, const std::string& where) {
    RichSpan base;
    for (const auto& [key, field] : object.items()) {
        if (key == "text") {
            if (!field.is_string()) throw std::invalid_argument(where + ": \"text\" must be a string");
        } else if (key == "bold" || key == "italic" || key == "underline") {
            if (!field.is_boolean()) throw std::invalid_argument(where + ": \"" + key + "\" must be true or false");
            bool& flag = key == "bold" ? base.bold : key == "italic" ? base.italic : base.underline;
            flag = field.get<bool>();
        } else {
            throw std::invalid_argument(where + ": unknown key \"" + key + "\"");
        }
    }
    const auto text = object.find("text");
    if (text == object.end()) throw std::invalid_argument(where + ": object needs \"text\" or \"footnote\"");
    const std::string normalized = vn::nfc(text->get_ref<const std::string&>());
    std::size_t start = 0;
    while (start <= normalized.size()) {
        std::size_t end = normalized.find_first_of("\r\n", start);
        RichSpan piece = base;
        piece.text = normalized.substr(start, end == std::string::npos ? std::string::npos : end - start);
        merge_into(out, std::move(piece));
        if (end == std::string::npos) break;
        RichSpan line_break;
        line_break.kind = RichSpan::Kind::line_break;
        out.push_back(std::move(line_break));
        if (normalized[end] == '\r' && end + 1 < normalized.size() && normalized[end + 1] == '\n') ++end;
        start = end + 1;
    }
}

// A footnote's own mark ("(1)"): short, on one line, so that it reads as a reference and not as text.
std::string footnote_mark(const nlohmann::json& mark, const std::string& where) {
    constexpr std::size_t kMaxMarkBytes = 16;
    if (!mark.is_string()) throw std::invalid_argument(where + ": \"mark\" must be a string");
    std::string text = vn::nfc(mark.get_ref<const std::string&>());
    const bool blank = text.find_first_not_of(" \t") == std::string::npos;
    const bool control = std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (blank || control || text.size() > kMaxMarkBytes) {
        throw std::invalid_argument(where + ": \"mark\" must be a short one-line text such as \"(1)\"");
    }
    return text;
}

void append_item(const nlohmann::json& item, std::vector<RichSpan>& out, bool allow_footnotes,
                 const std::string& where) {
    if (item.is_string()) {
        for (RichSpan& span : parse_normalized(vn::nfc(item.get_ref<const std::string&>()), allow_footnotes)) {
            merge_into(out, std::move(span));
        }
        return;
    }
    if (!item.is_object()) {
        throw std::invalid_argument(where + ": expected a string or an object, got " + std::string(item.type_name()));
    }
    const auto footnote = item.find("footnote");
    if (footnote == item.end()) {
        append_text_object(item, out, where);
        return;
    }
    const auto mark = item.find("mark");
    if (item.size() != (mark == item.end() ? 1u : 2u)) {
        throw std::invalid_argument(where + ": a footnote object has only the keys \"footnote\" and \"mark\"");
    }
    if (!allow_footnotes) throw std::invalid_argument(where + ": footnotes cannot contain footnotes");
    RichSpan span;
    span.kind = RichSpan::Kind::footnote;
    if (mark != item.end()) span.mark = footnote_mark(*mark, where);
    span.footnote = spans_from_json(*footnote, false, where + ": footnote");
    if (span.footnote.empty()) throw std::invalid_argument(where + ": footnote is empty");
    out.push_back(std::move(span));
}

std::vector<RichSpan> spans_from_json(const nlohmann::json& value, bool allow_footnotes, const std::string& where) {
    if (value.is_string()) return parse_normalized(vn::nfc(value.get_ref<const std::string&>()), allow_footnotes);
    if (!value.is_array()) {
        throw std::invalid_argument(where + ": expected a string or an array, got " + std::string(value.type_name()));
    }
    std::vector<RichSpan> out;
    for (std::size_t k = 0; k < value.size(); ++k) {
        append_item(value[k], out, allow_footnotes, where + ": item " + std::to_string(k));
    }
    return merged(std::move(out));
}

}  // namespace

std::string RichText::plain() const {
    std::string out;
    append_plain(spans, out);
    return out;
}

RichText parse_markup(std::string_view text) { return RichText{parse_normalized(vn::nfc(text), true)}; }

RichText rich_from_json(const nlohmann::json& value) { return RichText{spans_from_json(value, true, "rich text")}; }

}  // namespace vanban
