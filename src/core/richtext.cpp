#include "core/richtext.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
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
char32_t code_point_at(std::string_view s, std::size_t at) { return vn::next_code_point(s, at).value_or(U'\uFFFD'); }

bool is_space(char32_t c) { return u_isUWhiteSpace(static_cast<UChar32>(c)) != 0; }

bool escapable(char c) { return c == '*' || c == '^' || c == '\\' || c == '[' || c == ']'; }

// One piece of the input before emphasis is resolved.
struct Item {
    enum class Type { text, line_break, footnote, delimiter, tab, paragraph_break, page_break };
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
                last.underline == span.underline && last.look == span.look && last.url == span.url) {
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
        } else if (c == '\r' || c == '\n' || c == '\t' || c == '\a' || c == '\f') {
            flush();
            Item item;
            item.type = c == '\t'   ? Item::Type::tab
                        : c == '\a' ? Item::Type::paragraph_break
                        : c == '\f' ? Item::Type::page_break
                                    : Item::Type::line_break;
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
            case Item::Type::text: span.text = std::move(item.text); break;
            case Item::Type::delimiter:  // unused asterisks are literal text
                span.text.assign(static_cast<std::size_t>(item.count), '*');
                break;
            case Item::Type::line_break: span.kind = RichSpan::Kind::line_break; break;
            case Item::Type::tab: span.kind = RichSpan::Kind::tab; break;
            case Item::Type::paragraph_break: span.kind = RichSpan::Kind::paragraph_break; break;
            case Item::Type::page_break: span.kind = RichSpan::Kind::page_break; break;
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
        if (span.kind == RichSpan::Kind::tab) out += '\t';
        if (span.kind == RichSpan::Kind::paragraph_break) out += '\a';
        if (span.kind == RichSpan::Kind::page_break) out += '\f';
    }
}

std::vector<RichSpan> spans_from_json(const nlohmann::json& value, bool allow_footnotes, const std::string& where);

[[noreturn]] void fail(const std::string& where, const std::string& message, const std::string& message_vi) {
    throw RichTextError(where + ": " + message, "chữ định dạng (" + where + "): " + message_vi);
}

// Word's w:highlight values (ST_HighlightColor).
constexpr std::array<std::string_view, 17> kHighlights = {
    "black",    "blue",      "cyan",        "green",   "magenta",    "red",      "yellow",    "white", "darkBlue",
    "darkCyan", "darkGreen", "darkMagenta", "darkRed", "darkYellow", "darkGray", "lightGray", "none"};
// docxtpl's underline styles (it turns any other into "single"; vanban refuses it).
constexpr std::array<std::string_view, 8> kUnderlines = {"single", "double",  "thick",      "dotted",
                                                         "dash",   "dotDash", "dotDotDash", "wave"};
// Colour names a person types, as Word's hex values.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kColourNames = {{{"black", "000000"},
                                                                                         {"white", "FFFFFF"},
                                                                                         {"red", "FF0000"},
                                                                                         {"green", "008000"},
                                                                                         {"blue", "0000FF"},
                                                                                         {"yellow", "FFFF00"},
                                                                                         {"cyan", "00FFFF"},
                                                                                         {"magenta", "FF00FF"},
                                                                                         {"gray", "808080"},
                                                                                         {"grey", "808080"},
                                                                                         {"orange", "FFA500"},
                                                                                         {"purple", "800080"},
                                                                                         {"brown", "A52A2A"},
                                                                                         {"navy", "000080"},
                                                                                         {"maroon", "800000"},
                                                                                         {"darkred", "8B0000"}}};

const std::string& text_field(const nlohmann::json& field, const std::string& key, const std::string& where) {
    if (!field.is_string() || field.get_ref<const std::string&>().empty())
        fail(where, "\"" + key + "\" must be a non-empty string", "mục \"" + key + "\" phải là một chuỗi chữ");
    return field.get_ref<const std::string&>();
}

bool flag_field(const nlohmann::json& field, const std::string& key, const std::string& where) {
    if (!field.is_boolean())
        fail(where, "\"" + key + "\" must be true or false", "mục \"" + key + "\" phải là true hoặc false");
    return field.get<bool>();
}

std::string colour_value(const nlohmann::json& field, const std::string& where) {
    std::string c = text_field(field, "color", where);
    if (c == "auto") return c;
    for (const auto& [name, hex] : kColourNames)
        if (c == name) return std::string(hex);
    if (c.front() == '#') c.erase(0, 1);
    const bool hex = c.size() == 6 && c.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    if (!hex)
        fail(where, "unknown colour \"" + field.get<std::string>() + "\" (use #RRGGBB, auto or a basic colour name)",
             "màu \"" + field.get<std::string>() +
                 "\" không dùng được — hãy ghi mã màu dạng #RRGGBB (ví dụ #FF0000 là đỏ)");
    return c;  // as typed, as docxtpl writes it (hex digits in either case are the same colour to Word)
}

template <std::size_t N>
std::string listed_value(const nlohmann::json& field, const std::string& key,
                         const std::array<std::string_view, N>& allowed, const std::string& where) {
    std::string v = text_field(field, key, where);
    if (key == "highlight" && v.front() == '#') v.erase(0, 1);  // docxtpl strips it too
    for (std::string_view a : allowed)
        if (v == a) return v;
    std::string list;
    for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    fail(where, "\"" + key + "\" cannot be \"" + v + "\" (one of: " + list + ")",
         "mục \"" + key + "\" không nhận giá trị \"" + v + "\" — hãy chọn một trong: " + list);
}

int half_points_value(const nlohmann::json& field, const std::string& where) {
    // Word's sizes go from 1 to 1638 points, in half points.
    if (!field.is_number() || field.get<double>() < 1 || field.get<double>() > 1638)
        fail(where, "\"size\" must be a number of points from 1 to 1638",
             "cỡ chữ (\"size\") phải là số điểm từ 1 đến 1638");
    return static_cast<int>(std::lround(field.get<double>() * 2));
}

// A hyperlink's target: an absolute web or mail address. Anything else (javascript:, file:, a relative path) would
// open something other than a page when the reader clicks it, so it is refused.
std::string link_target(const nlohmann::json& field, const std::string& where) {
    constexpr std::size_t kMaxUrlBytes = 2083;  // the longest address Word and browsers accept
    const std::string url = text_field(field, "url", where);
    const std::size_t colon = url.find(':');
    std::string scheme = colon == std::string::npos ? "" : url.substr(0, colon);
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::size_t rest = scheme.size() + 1;  // (past the colon: only read when a scheme was found)
    const bool web = (scheme == "http" || scheme == "https") && url.size() > rest + 2 &&
                     url.compare(rest, 2, "//") == 0 && url[rest + 2] != '/';
    const bool mail = scheme == "mailto" && url.size() > rest;
    const bool clean =
        std::none_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; });
    if (!(web || mail) || !clean || url.size() > kMaxUrlBytes) {
        std::size_t cut = std::min<std::size_t>(url.size(), 80);  // (on a character boundary)
        while (cut < url.size() && cut > 0 && (static_cast<unsigned char>(url[cut]) & 0xC0) == 0x80) --cut;
        const std::string shown = url.substr(0, cut) + (cut < url.size() ? "…" : "");
        fail(
            where, "\"url\" must be an http://, https:// or mailto: address without spaces (got \"" + shown + "\")",
            "địa chỉ liên kết (\"url\") phải bắt đầu bằng http://, https:// hoặc mailto: và không có dấu cách (đang là \"" +
                shown + "\")");
    }
    return url;
}

void read_look(const std::string& key, const nlohmann::json& field, RichSpan& span, const std::string& where) {
    RunLook& look = span.look;
    if (key == "bold") span.bold = flag_field(field, key, where);
    else if (key == "italic") span.italic = flag_field(field, key, where);
    else if (key == "underline") {
        span.underline = field.is_string() || flag_field(field, key, where);
        look.underline_style = field.is_string() ? listed_value(field, key, kUnderlines, where) : "";
    } else if (key == "strike") look.strike = flag_field(field, key, where);
    else if (key == "subscript" && flag_field(field, key, where)) look.vert_align = RunLook::VertAlign::subscript;
    else if (key == "superscript" && flag_field(field, key, where)) look.vert_align = RunLook::VertAlign::superscript;
    else if (key == "color") look.color = colour_value(field, where);
    else if (key == "highlight") look.highlight = listed_value(field, key, kHighlights, where);
    else if (key == "size") look.half_points = half_points_value(field, where);
    else if (key == "style") look.style = text_field(field, key, where);
    else if (key == "font") {
        const std::string& font = text_field(field, key, where);
        const std::size_t colon = font.find(':');
        look.font = colon == std::string::npos ? font : font.substr(colon + 1);
        if (colon != std::string::npos) look.font_region = font.substr(0, colon);
        if (look.font.empty() ||
            (colon != std::string::npos && look.font_region != "eastAsia" && look.font_region != "cs" &&
             look.font_region != "hAnsi" && look.font_region != "ascii"))
            fail(where, "\"font\" must be a font name or region:name (eastAsia, cs, hAnsi, ascii)",
                 "phông chữ (\"font\") phải là tên phông, hoặc vùng:tên (eastAsia, cs, hAnsi, ascii)");
    } else if (key == "url") {
        span.url = link_target(field, where);
    } else if (key == "url_id") {
        fail(
            where, "\"url_id\" is docxtpl's relationship id; give the address itself as \"url\"",
            "mục \"url_id\" là mã liên kết của docxtpl — hãy ghi thẳng địa chỉ vào mục \"url\", ví dụ \"url\": \"https://…\"");
    } else if (key != "subscript" && key != "superscript") {
        fail(where, "unknown key \"" + key + "\"", "không có mục \"" + key + "\" — hãy kiểm tra lại chính tả");
    }
}

// A structured text object: its text is literal (not markup); \n, \t, \a and \f become their own spans.
void append_text_object(const nlohmann::json& object, std::vector<RichSpan>& out, const std::string& where) {
    RichSpan base;
    for (const auto& [key, field] : object.items()) {
        if (key == "text") {
            if (!field.is_string()) fail(where, "\"text\" must be a string", "mục \"text\" phải là một chuỗi chữ");
        } else {
            read_look(key, field, base, where);
        }
    }
    const auto text = object.find("text");
    if (text == object.end())
        fail(where, "object needs \"text\" or \"footnote\"", "cần có mục \"text\" (nội dung chữ)");
    const std::string normalized = vn::nfc(text->get_ref<const std::string&>());
    std::size_t start = 0;
    while (start <= normalized.size()) {
        std::size_t end = normalized.find_first_of("\r\n\t\a\f", start);
        RichSpan piece = base;
        piece.text = normalized.substr(start, end == std::string::npos ? std::string::npos : end - start);
        merge_into(out, std::move(piece));
        if (end == std::string::npos) break;
        const char c = normalized[end];
        RichSpan separator = c == '\t' || c == '\n' || c == '\r' ? base : RichSpan{};  // (a break keeps the look)
        separator.kind = c == '\t'   ? RichSpan::Kind::tab
                         : c == '\a' ? RichSpan::Kind::paragraph_break
                         : c == '\f' ? RichSpan::Kind::page_break
                                     : RichSpan::Kind::line_break;
        out.push_back(std::move(separator));
        if (c == '\r' && end + 1 < normalized.size() && normalized[end + 1] == '\n') ++end;
        start = end + 1;
    }
}

// A footnote's own mark ("(1)"): short, on one line, so that it reads as a reference and not as text.
std::string footnote_mark(const nlohmann::json& mark, const std::string& where) {
    constexpr std::size_t kMaxMarkBytes = 16;
    if (!mark.is_string()) fail(where, "\"mark\" must be a string", "\"mark\" phải là chữ");
    std::string text = vn::nfc(mark.get_ref<const std::string&>());
    const bool blank = text.find_first_not_of(" \t") == std::string::npos;
    const bool control =
        std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (blank || control || text.size() > kMaxMarkBytes)
        fail(where, "\"mark\" must be a short one-line text such as \"(1)\"",
             "\"mark\" phải là một chữ ngắn trên một dòng, ví dụ \"(1)\"");
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
        fail(where, "expected a string or an object, got " + std::string(item.type_name()),
             "mỗi mục phải là một chuỗi chữ hoặc một đối tượng {\"text\": …}");
    }
    const auto footnote = item.find("footnote");
    if (footnote == item.end()) {
        append_text_object(item, out, where);
        return;
    }
    const auto mark = item.find("mark");
    if (item.size() != (mark == item.end() ? 1u : 2u))
        fail(where, "a footnote object has only the keys \"footnote\" and \"mark\"",
             "mục chú thích chỉ có khoá \"footnote\" và \"mark\"");
    if (!allow_footnotes) fail(where, "footnotes cannot contain footnotes", "chú thích không thể chứa chú thích khác");
    RichSpan span;
    span.kind = RichSpan::Kind::footnote;
    if (mark != item.end()) span.mark = footnote_mark(*mark, where);
    span.footnote = spans_from_json(*footnote, false, where + ": footnote");
    if (span.footnote.empty()) fail(where, "footnote is empty", "chú thích đang để trống");
    out.push_back(std::move(span));
}

std::vector<RichSpan> spans_from_json(const nlohmann::json& value, bool allow_footnotes, const std::string& where) {
    if (value.is_string()) return parse_normalized(vn::nfc(value.get_ref<const std::string&>()), allow_footnotes);
    if (!value.is_array()) {
        fail(where, "expected a string or an array, got " + std::string(value.type_name()),
             "cần một chuỗi chữ hoặc một danh sách các đoạn chữ");
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

RichText parse_markup(std::string_view text) { return RichText{parse_normalized(vn::nfc(text), true), {}}; }

RichText rich_from_json(const nlohmann::json& value) { return RichText{spans_from_json(value, true, "rich text"), {}}; }

bool RichText::has_breaks() const {
    for (const RichSpan& s : spans)
        if (s.kind == RichSpan::Kind::paragraph_break || s.kind == RichSpan::Kind::page_break) return true;
    return false;
}

namespace {

// {"paragraphs": [{"text": rich, "style": "…"}, …]}: the paragraphs joined by paragraph breaks.
RichText paragraphs_from_json(const nlohmann::json& list) {
    const std::string where = "paragraphs";
    if (!list.is_array() || list.empty())
        fail(where, "\"paragraphs\" must be a non-empty list",
             "\"paragraphs\" phải là danh sách các đoạn văn, không để trống");
    RichText out;
    for (std::size_t k = 0; k < list.size(); ++k) {
        const std::string at = where + " " + std::to_string(k + 1);
        const nlohmann::json& p = list[k];
        const nlohmann::json* text = &p;
        std::string style;
        if (p.is_object()) {
            for (const auto& [key, field] : p.items())
                if (key != "text" && key != "style")
                    fail(at, "unknown key \"" + key + "\"",
                         "không có mục \"" + key + "\" (chỉ có \"text\" và \"style\")");
            if (!p.contains("text")) fail(at, "a paragraph needs \"text\"", "đoạn văn cần có mục \"text\"");
            text = &p["text"];
            if (p.contains("style")) style = text_field(p["style"], "style", at);
        }
        if (k > 0) out.spans.push_back(RichSpan::of(RichSpan::Kind::paragraph_break));
        for (RichSpan& span : spans_from_json(*text, true, at)) out.spans.push_back(std::move(span));
        out.paragraph_styles.push_back(std::move(style));
    }
    return out;
}

}  // namespace

std::optional<RichText> docxtpl_object(const nlohmann::json& value, bool run_level) {
    if (value.is_array()) {
        if (!run_level) return std::nullopt;
        return rich_from_json(value);
    }
    if (!value.is_object() || value.size() != 1) return std::nullopt;
    const auto first = value.begin();
    const std::string& key = first.key();
    const nlohmann::json& field = first.value();
    if (key == "listing") {
        if (!field.is_string()) fail("listing", "\"listing\" must be a string", "\"listing\" phải là một chuỗi chữ");
        RichText listing;
        append_text_object(nlohmann::json{{"text", field}}, listing.spans, "listing");
        return listing;
    }
    if (key == "rich") return rich_from_json(field);
    if (key == "paragraphs") return paragraphs_from_json(field);
    return std::nullopt;
}

}  // namespace vanban
