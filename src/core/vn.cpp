#include "core/vn.hpp"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>

namespace vanban::vn {
namespace {

#include "font_metrics.inc"

constexpr char kCaseLocale[] = "vi";
constexpr char32_t kReplacement = 0xFFFD;

[[noreturn]] void throw_icu(const char* what, UErrorCode status) {
    throw std::runtime_error(std::string("ICU ") + what + " failed: " + u_errorName(status));
}

int32_t icu_length(std::size_t size) {
    if (size > static_cast<std::size_t>(INT32_MAX / 2)) throw std::length_error("vanban::vn: text too long");
    return static_cast<int32_t>(size);
}

// Runs an ICU "preflight" style function (dest, capacity, &status) -> length into a growing buffer.
template <typename CharT, typename Fn>
std::basic_string<CharT> icu_call(const char* what, std::size_t guess, Fn&& fn) {
    std::basic_string<CharT> out(std::max<std::size_t>(guess, 16), CharT{});
    UErrorCode status = U_ZERO_ERROR;
    int32_t length = fn(out.data(), icu_length(out.size()), &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
        out.assign(static_cast<std::size_t>(length), CharT{});
        status = U_ZERO_ERROR;
        length = fn(out.data(), icu_length(out.size()), &status);
    }
    if (U_FAILURE(status)) throw_icu(what, status);
    out.resize(static_cast<std::size_t>(length));
    return out;
}

// UTF-8 -> UTF-16; ill-formed sequences become U+FFFD.
std::u16string to_u16(std::string_view utf8) {
    if (utf8.empty()) return {};
    return icu_call<char16_t>("u_strFromUTF8WithSub", utf8.size() + 1,
                              [&](char16_t* dest, int32_t capacity, UErrorCode* status) {
                                  int32_t length = 0;
                                  u_strFromUTF8WithSub(dest, capacity, &length, utf8.data(), icu_length(utf8.size()),
                                                       static_cast<UChar32>(kReplacement), nullptr, status);
                                  return length;
                              });
}

std::string to_u8(std::u16string_view utf16) {
    if (utf16.empty()) return {};
    return icu_call<char>("u_strToUTF8", utf16.size() * 3 + 1, [&](char* dest, int32_t capacity, UErrorCode* status) {
        int32_t length = 0;
        u_strToUTF8WithSub(dest, capacity, &length, utf16.data(), icu_length(utf16.size()),
                           static_cast<UChar32>(kReplacement), nullptr, status);
        return length;
    });
}

// Normalises with one of ICU's shared, immutable (thread-safe) normaliser instances.
std::u16string normalize(std::u16string_view text, const UNormalizer2* normalizer) {
    if (text.empty()) return {};
    return icu_call<char16_t>(
        "unorm2_normalize", text.size() + 8, [&](char16_t* dest, int32_t capacity, UErrorCode* status) {
            return unorm2_normalize(normalizer, text.data(), icu_length(text.size()), dest, capacity, status);
        });
}

const UNormalizer2* nfc_instance() {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2* n = unorm2_getNFCInstance(&status);
    if (U_FAILURE(status) || n == nullptr) throw_icu("unorm2_getNFCInstance", status);
    return n;
}

const UNormalizer2* nfd_instance() {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2* n = unorm2_getNFDInstance(&status);
    if (U_FAILURE(status) || n == nullptr) throw_icu("unorm2_getNFDInstance", status);
    return n;
}

std::u16string nfc16(std::u16string_view text) { return normalize(text, nfc_instance()); }

std::u16string upper16(std::u16string_view text) {
    if (text.empty()) return {};
    return icu_call<char16_t>("u_strToUpper", text.size() + 8, [&](char16_t* dest, int32_t capacity, UErrorCode* s) {
        return u_strToUpper(dest, capacity, text.data(), icu_length(text.size()), kCaseLocale, s);
    });
}

std::u16string lower16(std::u16string_view text) {
    if (text.empty()) return {};
    return icu_call<char16_t>("u_strToLower", text.size() + 8, [&](char16_t* dest, int32_t capacity, UErrorCode* s) {
        return u_strToLower(dest, capacity, text.data(), icu_length(text.size()), kCaseLocale, s);
    });
}

// Code point at `i` in UTF-16 text (well-formed after to_u16), and its length in code units.
std::pair<UChar32, std::size_t> code_point_at(std::u16string_view text, std::size_t i) {
    const char16_t lead = text[i];
    if (U16_IS_LEAD(lead) && i + 1 < text.size() && U16_IS_TRAIL(text[i + 1])) {
        return {U16_GET_SUPPLEMENTARY(lead, text[i + 1]), 2};
    }
    return {static_cast<UChar32>(lead), 1};
}

// Jinja's word boundaries for `title`: whitespace and - ( { [ <.
bool title_separator(UChar32 c) {
    return u_isUWhiteSpace(c) || c == u'-' || c == u'(' || c == u'{' || c == u'[' || c == u'<';
}

// Upper-cases the first letter-or-digit of `segment` (if it is a letter) and lower-cases everything else.
std::u16string capitalize16(std::u16string_view segment) {
    std::size_t i = 0;
    while (i < segment.size()) {
        const auto [c, len] = code_point_at(segment, i);
        if (u_isalnum(c)) {
            if (!u_isalpha(c)) break;  // starts with a digit: nothing to capitalise
            return lower16(segment.substr(0, i)) + upper16(segment.substr(i, len)) + lower16(segment.substr(i + len));
        }
        i += len;
    }
    return lower16(segment);
}

bool leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
    static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && leap_year(year)) return 29;
    return kDays[static_cast<std::size_t>(month - 1)];
}

bool valid_date(const Date& d) {
    if (d.year < 1 || d.year > 9999 || d.month < 0 || d.month > 12 || d.day < 0) return false;
    if (d.month == 0) return d.day <= 31;
    return d.day <= days_in_month(d.year, d.month);
}

void require_valid(const Date& d) {
    if (!valid_date(d)) {
        throw std::invalid_argument("invalid date: " + std::to_string(d.year) + "-" + std::to_string(d.month) + "-" +
                                    std::to_string(d.day));
    }
}

// Parses exactly the digits of `text`, which must have between min_digits and max_digits of them.
std::optional<int> number(std::string_view text, std::size_t min_digits, std::size_t max_digits) {
    if (text.size() < min_digits || text.size() > max_digits) return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    int value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string two_digits(int n) { return n < 10 ? "0" + std::to_string(n) : std::to_string(n); }

std::optional<std::uint16_t> advance_of(const StyleAdvances& table, char32_t cp) {
    const GlyphAdvance* begin = table.data;
    const GlyphAdvance* end = table.data + table.size;
    const GlyphAdvance* it =
        std::lower_bound(begin, end, cp, [](const GlyphAdvance& a, char32_t c) { return a.code_point < c; });
    if (it == end || it->code_point != cp) return std::nullopt;
    return it->advance;
}

}  // namespace

bool is_plain_nfc(std::string_view utf8) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
    for (std::size_t i = 0; i < utf8.size();) {
        if (p[i] < 0x80) {
            ++i;
            continue;
        }
        const std::size_t len = plain_nfc_sequence(p + i, utf8.size() - i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

std::string nfc(std::string_view utf8) {
    if (is_plain_nfc(utf8)) return std::string(utf8);
    return to_u8(nfc16(to_u16(utf8)));
}

std::optional<char32_t> next_code_point(std::string_view utf8, std::size_t& i) noexcept {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
    UChar32 c = 0;
    U8_NEXT(bytes, i, utf8.size(), c);
    if (c < 0) return std::nullopt;
    return static_cast<char32_t>(c);
}

char32_t code_point_before(std::string_view utf8, std::size_t end) noexcept {
    // Back over continuation bytes to where the last code point can start (at most three), then decode forward.
    std::size_t begin = end - 1;
    while (begin > 0 && end - begin < 4 && is_utf8_continuation(utf8[begin])) --begin;
    std::size_t i = begin;
    const auto c = next_code_point(utf8, i);
    return c && i == end ? *c : kReplacement;
}

std::string_view utf8_prefix(std::string_view utf8, std::size_t max_bytes) noexcept {
    if (utf8.size() <= max_bytes) return utf8;
    return utf8.substr(0, char_boundary_before(utf8, max_bytes));
}

std::size_t code_point_count(std::string_view utf8) noexcept {
    std::size_t n = 0;
    for (char byte : utf8) n += !is_utf8_continuation(byte);
    return n;
}

std::string_view code_point_prefix(std::string_view utf8, std::size_t count) noexcept {
    std::size_t i = 0;
    for (std::size_t n = 0; i < utf8.size(); ++i)
        if (!is_utf8_continuation(utf8[i]) && n++ == count) break;
    return utf8.substr(0, i);
}

std::size_t char_boundary_after(std::string_view utf8, std::size_t i) noexcept {
    while (i < utf8.size() && is_utf8_continuation(utf8[i])) ++i;
    return std::min(i, utf8.size());
}

std::size_t char_boundary_before(std::string_view utf8, std::size_t i) noexcept {
    i = std::min(i, utf8.size());
    while (i > 0 && i < utf8.size() && is_utf8_continuation(utf8[i])) --i;
    return i;
}

bool valid_utf8(std::string_view utf8) noexcept {
    std::size_t i = 0;
    while (i < utf8.size())
        if (!next_code_point(utf8, i)) return false;
    return true;
}

std::string upper(std::string_view utf8) { return to_u8(nfc16(upper16(nfc16(to_u16(utf8))))); }

std::string lower(std::string_view utf8) { return to_u8(nfc16(lower16(nfc16(to_u16(utf8))))); }

std::string match_key(std::string_view utf8) {
    const std::u16string text = nfc16(lower16(nfc16(to_u16(utf8))));
    std::u16string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto [c, len] = code_point_at(text, i);
        const int8_t category = u_charType(c);
        const bool mark = category == U_NON_SPACING_MARK || category == U_COMBINING_SPACING_MARK;
        if (u_isalnum(c) || mark) out.append(text.substr(i, len));
        i += len;
    }
    return to_u8(out);
}

std::string title(std::string_view utf8) {
    const std::u16string text = nfc16(to_u16(utf8));
    std::u16string out;
    std::size_t i = 0;
    while (i < text.size()) {
        // Separator run, copied as is.
        std::size_t j = i;
        while (j < text.size()) {
            const auto [c, len] = code_point_at(text, j);
            if (!title_separator(c)) break;
            j += len;
        }
        out.append(text, i, j - i);
        // Word.
        std::size_t k = j;
        while (k < text.size()) {
            const auto [c, len] = code_point_at(text, k);
            if (title_separator(c)) break;
            k += len;
        }
        out += capitalize16(std::u16string_view(text).substr(j, k - j));
        i = k;
    }
    return to_u8(nfc16(out));
}

std::string capitalize(std::string_view utf8) { return to_u8(nfc16(capitalize16(nfc16(to_u16(utf8))))); }

std::optional<Date> parse_date(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);

    Date date;
    if (text.find('/') != std::string_view::npos) {
        // D/M/YYYY or DD/MM/YYYY.
        const std::size_t a = text.find('/');
        const std::size_t b = text.find('/', a + 1);
        if (b == std::string_view::npos || text.find('/', b + 1) != std::string_view::npos) return std::nullopt;
        const auto day = number(text.substr(0, a), 1, 2);
        const auto month = number(text.substr(a + 1, b - a - 1), 1, 2);
        const auto year = number(text.substr(b + 1), 4, 4);
        if (!day || !month || !year || *day < 1 || *month < 1) return std::nullopt;
        date = {*year, *month, *day};
    } else {
        // YYYY-MM-DD or YYYY-MM.
        if (text.size() != 7 && text.size() != 10) return std::nullopt;
        if (text[4] != '-') return std::nullopt;
        const auto year = number(text.substr(0, 4), 4, 4);
        const auto month = number(text.substr(5, 2), 2, 2);
        if (!year || !month || *month < 1) return std::nullopt;
        date = {*year, *month, 0};
        if (text.size() == 10) {
            if (text[7] != '-') return std::nullopt;
            const auto day = number(text.substr(8, 2), 2, 2);
            if (!day || *day < 1) return std::nullopt;
            date.day = *day;
        }
    }
    if (!valid_date(date)) return std::nullopt;
    return date;
}

// A draft whose year is not known yet (a Date with year, month and day all 0: data {"year": null}) prints its year as
// its first digits and room for the rest: "ngày       tháng       năm 20…".
constexpr std::string_view kDraftYear = "20…";

static bool is_draft_without_year(const Date& d) { return d.year == 0 && d.month == 0 && d.day == 0; }

std::string decree_date(const Date& date, bool pad_month_always) {
    if (is_draft_without_year(date)) {
        const std::string gap(kBlankDateField);
        return "ngày " + gap + " tháng " + gap + " năm " + std::string(kDraftYear);
    }
    require_valid(date);
    const std::string gap(kBlankDateField);
    const std::string day = date.day == 0 ? gap : two_digits(date.day);
    std::string month;
    if (date.month == 0) {
        month = gap;
    } else if (date.month <= 2 || pad_month_always) {
        month = two_digits(date.month);
    } else {
        month = std::to_string(date.month);
    }
    return "ngày " + day + " tháng " + month + " năm " + std::to_string(date.year);
}

std::string short_date(const Date& date) {
    const std::string gap(kBlankDateField);
    if (is_draft_without_year(date)) return gap + "/" + gap + "/" + std::string(kDraftYear);
    require_valid(date);
    return (date.day == 0 ? gap : two_digits(date.day)) + "/" + (date.month == 0 ? gap : two_digits(date.month)) + "/" +
           std::to_string(date.year);
}

std::optional<std::string> diem_letter(int n) {
    static constexpr std::array<std::string_view, 23> kLetters = {"a", "b", "c", "d", "đ", "e", "g", "h",
                                                                  "i", "k", "l", "m", "n", "o", "p", "q",
                                                                  "r", "s", "t", "u", "v", "x", "y"};
    if (n < 1 || n > static_cast<int>(kLetters.size())) return std::nullopt;
    return std::string(kLetters[static_cast<std::size_t>(n - 1)]);
}

std::optional<std::string> roman(int n) {
    if (n < 1 || n > 3999) return std::nullopt;
    static constexpr std::array<std::pair<int, std::string_view>, 13> kParts = {{{1000, "M"},
                                                                                 {900, "CM"},
                                                                                 {500, "D"},
                                                                                 {400, "CD"},
                                                                                 {100, "C"},
                                                                                 {90, "XC"},
                                                                                 {50, "L"},
                                                                                 {40, "XL"},
                                                                                 {10, "X"},
                                                                                 {9, "IX"},
                                                                                 {5, "V"},
                                                                                 {4, "IV"},
                                                                                 {1, "I"}}};
    std::string out;
    for (const auto& [value, letters] : kParts) {
        while (n >= value) {
            out += letters;
            n -= value;
        }
    }
    return out;
}

std::string slug(std::string_view utf8) {
    const std::u16string decomposed = normalize(to_u16(utf8), nfd_instance());
    std::string out;
    bool pending_dash = false;
    for (std::size_t i = 0; i < decomposed.size();) {
        const auto [c, len] = code_point_at(decomposed, i);
        i += len;
        const int8_t category = u_charType(c);
        if (category == U_NON_SPACING_MARK || category == U_COMBINING_SPACING_MARK || category == U_ENCLOSING_MARK) {
            continue;  // diacritics
        }
        char ascii = 0;
        if (c == 0x0111 || c == 0x0110) {  // đ Đ
            ascii = 'd';
        } else if (c >= 'a' && c <= 'z') {
            ascii = static_cast<char>(c);
        } else if (c >= 'A' && c <= 'Z') {
            ascii = static_cast<char>(c - 'A' + 'a');
        } else if (c >= '0' && c <= '9') {
            ascii = static_cast<char>(c);
        }
        if (ascii == 0) {
            pending_dash = !out.empty();
            continue;
        }
        if (pending_dash) out += '-';
        pending_dash = false;
        out += ascii;
    }
    return out.empty() ? std::string("x") : out;
}

double text_width_twips(std::string_view utf8, double size_pt, bool bold, bool italic) {
    const std::size_t style = (bold ? 1u : 0u) + (italic ? 2u : 0u);
    const StyleAdvances& table = kAdvances[style];
    const double fallback = advance_of(table, U'n').value_or(0);
    const std::string text = nfc(utf8);
    double units = 0;
    for (std::size_t i = 0; i < text.size();) {
        const char32_t cp = next_code_point(text, i).value_or(kReplacement);
        const auto advance = advance_of(table, cp);
        units += advance ? static_cast<double>(*advance) : fallback;
    }
    return units / kUnitsPerEm[style] * size_pt * 20.0;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

}  // namespace vanban::vn
