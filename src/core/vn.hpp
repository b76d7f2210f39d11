// Vietnamese text rules used by filters and bundled templates: Unicode normalisation, Vietnamese-aware case
// mapping (ICU, locale "vi"), the decree's date format, the điểm letter sequence, Roman numerals, slugs and
// text widths from real font metrics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vanban::vn {

// NFC normalisation (ICU). Invalid UTF-8 is replaced by U+FFFD.
std::string nfc(std::string_view utf8);
// True when `utf8` is well-formed UTF-8 already in NFC that needs no look at ICU's tables: every character is below
// U+0300 (ASCII, Latin-1, Latin Extended-A/B, IPA, spacing modifiers) or a precomposed Latin letter of U+1E00–U+1EFF
// (where Vietnamese letters with two marks live). None of these composes with a neighbour, so such text is NFC as it
// stands; false only means "ask ICU". Vietnamese typed on a keyboard is almost always this.
bool is_plain_nfc(std::string_view utf8) noexcept;
// The test is_plain_nfc makes of each character: the length of the non-ASCII plain character starting at `p` (`n`
// bytes there), or 0 for anything else. U+0080–U+02FF is C2–CB and a continuation byte, U+1E00–U+1EFF is E1, B8–BB
// and a continuation byte: well-formed UTF-8 (neither can be overlong), so a scanner that finds one need not decode it.
constexpr std::size_t plain_nfc_sequence(const unsigned char* p, std::size_t n) noexcept {
    const auto continues = [&](std::size_t k) { return k < n && (p[k] & 0xC0) == 0x80; };
    if (n == 0) return 0;
    if (p[0] >= 0xC2 && p[0] <= 0xCB && continues(1)) return 2;
    if (p[0] == 0xE1 && n > 1 && p[1] >= 0xB8 && p[1] <= 0xBB && continues(2)) return 3;
    return 0;
}
// True when `utf8` is valid UTF-8.
bool valid_utf8(std::string_view utf8) noexcept;
// The one UTF-8 decoder (ICU's U8_NEXT / U8_PREV, strict: no overlong forms, surrogates or values past U+10FFFF).
// next_code_point: the code point starting at byte `i`, and `i` moved past it; nullopt for ill-formed bytes, `i`
// then moved past them (at least one byte).
std::optional<char32_t> next_code_point(std::string_view utf8, std::size_t& i) noexcept;
// The code point ending just before byte `end` (> 0); U+FFFD when the bytes there are ill-formed.
char32_t code_point_before(std::string_view utf8, std::size_t end) noexcept;
// The longest start of `utf8` of at most `max_bytes` bytes that does not cut a character.
std::string_view utf8_prefix(std::string_view utf8, std::size_t max_bytes) noexcept;
// Appends code point `cp` (at most U+10FFFF, not a surrogate: the caller checks) as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);
// A byte that continues a UTF-8 sequence (10xxxxxx): no character starts there. Every scan that counts or cuts
// text by character asks this one test (or the helpers below), never its own bit masks.
constexpr bool is_utf8_continuation(char byte) noexcept { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }
// Characters (code points) in well-formed UTF-8: the bytes where one starts.
std::size_t code_point_count(std::string_view utf8) noexcept;
// The first `count` characters of `utf8` (all of it when it has fewer).
std::string_view code_point_prefix(std::string_view utf8, std::size_t count) noexcept;
// The first character boundary at or after byte `i` (utf8.size() at the end).
std::size_t char_boundary_after(std::string_view utf8, std::size_t i) noexcept;
// The last character boundary at or before byte `i` (0 at the start).
std::size_t char_boundary_before(std::string_view utf8, std::size_t i) noexcept;

// Case mapping with ICU's Vietnamese locale; results are NFC. "đại hội" -> "ĐẠI HỘI".
std::string upper(std::string_view utf8);
std::string lower(std::string_view utf8);
// A key for matching names as people type them: NFC, lower case, letters and digits only (spaces, punctuation and
// symbols dropped; diacritics kept, so "Hồ" and "Họ" stay apart). "Họ và tên (*)" and "HỌ  VÀ TÊN" -> "họvàtên".
std::string match_key(std::string_view utf8);
// Jinja's title: words are separated by whitespace and - ( { [ <; in each word the first letter-or-digit, if it is a
// letter, is upper-cased and everything else lower-cased ("“thi đua” 12/kh" -> "“Thi Đua” 12/kh").
std::string title(std::string_view utf8);
// Jinja's capitalize: the first letter-or-digit of the whole text, if a letter, upper; everything else lower.
std::string capitalize(std::string_view utf8);

// A calendar date; day or month 0 means "left blank for hand filling".
struct Date {
    int year = 0;
    int month = 0;
    int day = 0;
};
// Parses "2022-03-10", "2022-03" (day left blank), "10/3/2022", "10/03/2022", ignoring surrounding whitespace.
// nullopt when the text has another shape or is not a real calendar date (leap years checked).
std::optional<Date> parse_date(std::string_view text);
// What a blank (0) day or month is written as, for hand filling: five ordinary spaces. With the spaces around it,
// "ngày" and "tháng" end up seven spaces apart (output writers must preserve spaces, e.g. xml:space="preserve").
inline constexpr std::string_view kBlankDateField = "     ";
// Decree 30/2020 format: "ngày 05 tháng 01 năm 2020", "ngày 10 tháng 3 năm 2022": day < 10 and months 1–2 get a
// leading zero. A blank day or month is written as kBlankDateField: "ngày       tháng 3 năm 2022".
// pad_month_always reproduces sources that (against the decree) pad every month: "ngày 10 tháng 03 năm 2022".
// Throws std::invalid_argument for an impossible date (year outside 1..9999, month 13, 31 April, ...).
std::string decree_date(const Date& date, bool pad_month_always = false);
// "05/01/2020"-style short date (dd/mm/yyyy, both padded); blank fields as kBlankDateField. Throws like decree_date.
std::string short_date(const Date& date);

// Điểm letters: 1 -> "a", 5 -> "đ", 23 -> "y". nullopt past 23 (the decree defines no letter after y).
std::optional<std::string> diem_letter(int n);
// Roman numerals 1..3999: 4 -> "IV". nullopt outside that range.
std::optional<std::string> roman(int n);

// File-name-safe ASCII slug: "Nguyễn Văn Đức" -> "nguyen-van-duc".
std::string slug(std::string_view utf8);

// Width of a single line of text in Times New Roman (measured with the metric-compatible Liberation Serif),
// in twentieths of a point (twips). Characters without metrics count as the width of 'n'.
double text_width_twips(std::string_view utf8, double size_pt, bool bold = false, bool italic = false);

}  // namespace vanban::vn
