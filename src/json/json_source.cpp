// JSON reader with positions: a small recursive-descent parser that builds nlohmann::json directly and records
// where every value starts (line:column, column in code points), so that later errors can point into the file.
#include "json/json_source.hpp"

#include "core/ascii.hpp"
#include "core/vn.hpp"
#include "json/pointer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <system_error>
#include <utility>

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/utypes.h>

namespace vanban::json_data {

namespace {

using nlohmann::json;

// Length of the valid UTF-8 sequence starting at s[i] (1..4), or 0 when it is not valid UTF-8 (vn::next_code_point:
// overlong forms, surrogates and code points above U+10FFFF are rejected). `cp` receives the code point.
std::size_t utf8_sequence(std::string_view s, std::size_t i, std::uint32_t& cp) {
    std::size_t end = i;
    const auto decoded = vn::next_code_point(s, end);
    if (!decoded) return 0;
    cp = *decoded;
    return end - i;
}

std::string hex4(std::uint32_t cp) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out = "U+";
    const int width = cp > 0xFFFF ? 6 : 4;
    for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) out += digits[(cp >> shift) & 0xF];
    return out;
}

bool is_ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Thrown internally to stop at a syntax error; the diagnostics are already recorded.
struct Stop {};

// Values whose line:column is kept (about 100 bytes each); later ones are located at their nearest kept ancestor.
constexpr std::size_t kMaxLocatedValues = 1u << 19;

// How much the parser follows of where it is. Most records of a batch are read with `nothing` (no JSON pointers, no
// line:column); one that has a problem is read again with `problems`, so that each is reported at its place.
enum class Track {
    nothing,   // any diagnostic may lack its pointer and place: read again with `problems` when there is one
    problems,  // diagnostics carry their JSON pointer and line:column
    values,    // and every value's line:column goes into Document::positions
};

class Parser {
public:
    Parser(std::string_view text, const std::string& source, const JsonLimits& limits, Document& doc, Track track)
        : text_(text), source_(source), limits_(limits), doc_(doc), track_(track) {
        const bool locate = track == Track::values;
        UErrorCode status = U_ZERO_ERROR;
        nfc_ = icu::Normalizer2::getNFCInstance(status);
        if (U_FAILURE(status)) nfc_ = nullptr;
        // About one value per 8 bytes in typical data files; rehashing a big table costs more than spare buckets.
        if (locate) doc_.positions.reserve(std::min<std::size_t>(text.size() / 8 + 16, kMaxLocatedValues));
        pointer_.reserve(256);
        position_budget_ = 16 * std::uint64_t{text.size()} + (1u << 20);
    }

    void run() {
        if (text_.size() > limits_.max_size) {
            Diagnostic d;
            d.kind = DiagnosticKind::limit;
            d.source = source_;
            d.message = "data file is too large (" + std::to_string(text_.size()) + " bytes; the limit is " +
                        std::to_string(limits_.max_size) + ")";
            diagnostics_.push_back(std::move(d));
            return;
        }
        if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
            pos_ = 3;
            line_start_ = 3;
            anchor_ = 3;
        }
        try {
            skip_whitespace();
            if (pos_ >= text_.size()) fail(pos_, "the file is empty: expected a JSON value");
            parse_value(doc_.value, 0);
            skip_whitespace();
            if (pos_ < text_.size()) {
                fail(pos_, "unexpected " + describe_here() + " after the end of the JSON value");
            }
        } catch (const Stop&) {}
    }

    std::vector<Diagnostic> take_diagnostics() { return std::move(diagnostics_); }
    bool clean() const noexcept { return diagnostics_.empty(); }

private:
    // --- positions --------------------------------------------------------------------------------------------

    // Line:column of byte offset `at` (at must not precede the current line start). Columns are counted
    // incrementally from an anchor so that long single-line files stay linear.
    Position position_at(std::size_t at) {
        if (at < anchor_ || anchor_ < line_start_) {
            anchor_ = line_start_;
            anchor_column_ = 1;
        }
        int column = anchor_column_;
        if (anchor_ < at && anchor_ < text_.size())
            column += static_cast<int>(vn::code_point_count(text_.substr(anchor_, at - anchor_)));
        anchor_ = at;
        anchor_column_ = column;
        return Position{line_, column};
    }

    // Where `at` is, for a diagnostic that may come later (a duplicate key's first place, a trailing comma): not
    // followed when reading with Track::nothing, which reads again with Track::problems when there is a diagnostic.
    Position where(std::size_t at) { return track_ == Track::nothing ? Position{} : position_at(at); }

    void record(std::size_t at, DiagnosticKind kind, std::string message, std::string hint = {}) {
        record(position_at(at), kind, std::move(message), std::move(hint));
    }

    void record(Position p, DiagnosticKind kind, std::string message, std::string hint = {}) {
        Diagnostic d;
        d.kind = kind;
        d.message = std::move(message);
        d.hint = std::move(hint);
        d.source = source_;
        d.json_pointer = pointer_;
        d.line = p.line;
        d.column = p.column;
        diagnostics_.push_back(std::move(d));
    }

    void error(std::size_t at, std::string message, std::string hint = {}) {
        record(at, DiagnosticKind::json_syntax, std::move(message), std::move(hint));
    }

    [[noreturn]] void fail(std::size_t at, std::string message, std::string hint = {}) {
        error(at, std::move(message), std::move(hint));
        throw Stop{};
    }

    // A short description of what is at pos_, for "unexpected ..." messages.
    std::string describe_here() {
        if (pos_ >= text_.size()) return "end of file";
        std::uint32_t cp = 0;
        const std::size_t len = utf8_sequence(text_, pos_, cp);
        if (len == 0) return "invalid UTF-8 byte";
        if (cp < 0x20 || cp == 0x7F) return "control character " + hex4(cp);
        return "character '" + std::string(text_.substr(pos_, len)) + "'" + (cp >= 0x80 ? " (" + hex4(cp) + ")" : "");
    }

    // --- lexing -----------------------------------------------------------------------------------------------

    void skip_whitespace() {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == ' ' || c == '\t') {
                ++pos_;
            } else if (c == '\n' || c == '\r') {
                ++pos_;
                if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
                ++line_;
                line_start_ = pos_;
                anchor_ = pos_;
                anchor_column_ = 1;
            } else if (c == '/' && pos_ + 1 < text_.size() && (text_[pos_ + 1] == '/' || text_[pos_ + 1] == '*')) {
                fail(pos_, "comments are not allowed in JSON", "remove the comment");
            } else {
                return;
            }
        }
    }

    // Raises a syntax error for an unexpected token where a value was expected, with a helpful message.
    [[noreturn]] void fail_value(const char* expected) {
        if (pos_ >= text_.size()) fail(pos_, std::string("unexpected end of file: expected ") + expected);
        const char c = text_[pos_];
        if (c == '\'') {
            fail(pos_, "strings must be in double quotes (\"...\"), not single quotes");
        }
        std::uint32_t cp = 0;
        const std::size_t len = utf8_sequence(text_, pos_, cp);
        if (len == 0) fail(pos_, "invalid UTF-8 byte outside a string");
        if (cp == 0x201C || cp == 0x201D || cp == 0x2018 || cp == 0x2019) {
            fail(pos_, "curly quote " + hex4(cp) + " cannot start a string",
                 "use straight double quotes \" (turn off smart quotes in the editor)");
        }
        if (is_ident_char(c)) {
            std::size_t end = pos_;
            while (end < text_.size() && is_ident_char(text_[end]) && end - pos_ < 32) ++end;
            std::string word(text_.substr(pos_, end - pos_));
            const std::string lower = core::ascii_lower(word);
            if (lower == "true" || lower == "false" || lower == "null") {
                fail(pos_, "unknown word '" + word + "': did you mean " + lower + "? (JSON literals are lower case)");
            }
            fail(pos_, "unexpected word '" + word + "': expected " + expected,
                 "text values must be written in double quotes");
        }
        fail(pos_, "unexpected " + describe_here() + ": expected " + expected);
    }

    // --- values -----------------------------------------------------------------------------------------------

    void parse_value(json& out, std::size_t depth) {
        if (pos_ >= text_.size()) fail_value("a value (object, array, string, number, true, false or null)");
        const std::size_t start = pos_;
        const char c = text_[pos_];
        if ((c == '{' || c == '[') && depth >= limits_.max_depth) {
            record(start, DiagnosticKind::limit,
                   "nesting is too deep (more than " + std::to_string(limits_.max_depth) +
                       " levels of objects and arrays)");
            throw Stop{};
        }
        // Memory follows the number of values, not the bytes ("[0,0,…]" holds 16 bytes a value for 2 of text).
        if (++values_ > limits_.max_values) {
            Diagnostic d;
            d.kind = DiagnosticKind::limit;
            d.code = "data.too_many_values";
            d.source = source_;
            const Position p = position_at(start);
            d.line = p.line;
            d.column = p.column;
            d.message = "the data holds more than " + std::to_string(limits_.max_values) +
                        " values (objects, arrays, texts, numbers), more than one document needs";
            d.message_vi =
                "dữ liệu có hơn " + std::to_string(limits_.max_values) + " giá trị, quá nhiều đối với một văn bản";
            diagnostics_.push_back(std::move(d));
            throw Stop{};
        }
        // The first kMaxLocatedValues values' pointers are kept; pointers under very long keys are what could make that
        // table outgrow the text many times over ({"<4 KiB key>": [0, 0, 0, …]}), so their bytes are budgeted. Past
        // either a value is located at its nearest recorded ancestor.
        if (track_ == Track::values && pointer_.size() <= position_budget_ &&
            doc_.positions.size() < kMaxLocatedValues) {
            position_budget_ -= pointer_.size();
            doc_.positions.insert_or_assign(pointer_, position_at(start));
        }
        switch (c) {
            case '{': parse_object(out, depth); return;
            case '[': parse_array(out, depth); return;
            case '"': {
                std::string s;
                parse_string(s);
                out = std::move(s);
                return;
            }
            case 't': parse_literal("true", json(true), out); return;
            case 'f': parse_literal("false", json(false), out); return;
            case 'n': parse_literal("null", json(nullptr), out); return;
            case 'N': parse_not_finite("NaN", out); return;
            case 'I': parse_not_finite("Infinity", out); return;
            case '-':
                if (text_.substr(pos_, 9) == "-Infinity") {
                    parse_not_finite("-Infinity", out);
                    return;
                }
                parse_number(out);
                return;
            default:
                if (c >= '0' && c <= '9') {
                    parse_number(out);
                    return;
                }
                if (c == '+' || c == '.') {
                    parse_number(out);
                    return;
                }
                fail_value("a value (object, array, string, number, true, false or null)");
        }
    }

    void parse_literal(std::string_view word, json value, json& out) {
        if (text_.substr(pos_, word.size()) == word &&
            (pos_ + word.size() >= text_.size() || !is_ident_char(text_[pos_ + word.size()]))) {
            pos_ += word.size();
            out = std::move(value);
            return;
        }
        fail_value("a value (object, array, string, number, true, false or null)");
    }

    void parse_not_finite(std::string_view word, json& out) {
        if (text_.substr(pos_, word.size()) != word ||
            (pos_ + word.size() < text_.size() && is_ident_char(text_[pos_ + word.size()]))) {
            fail_value("a value (object, array, string, number, true, false or null)");
        }
        error(pos_, std::string(word) + " is not allowed in JSON (NaN and Infinity are not numbers in JSON)",
              "write a number, or null when there is no value");
        pos_ += word.size();
        out = nullptr;
    }

    void parse_number(json& out) {
        const std::size_t start = pos_;
        std::size_t p = pos_;
        const auto digit = [&](std::size_t k) { return k < text_.size() && text_[k] >= '0' && text_[k] <= '9'; };
        if (text_[p] == '+') fail(p, "a number cannot start with '+'", "remove the '+'");
        const bool negative = text_[p] == '-';
        if (negative) ++p;
        if (p < text_.size() && text_[p] == '.') fail(p, "a number cannot start with '.'", "write 0 before the '.'");
        if (!digit(p)) {
            pos_ = p;
            fail_value("a digit after '-'");
        }
        const std::size_t int_start = p;
        if (text_[p] == '0') {
            ++p;
            if (digit(p))
                fail(start, "numbers cannot have leading zeros",
                     "write the number without leading 0, or as a string in quotes");
        } else {
            while (digit(p)) ++p;
        }
        const std::size_t int_digits = p - int_start;
        bool is_integer = true;
        std::size_t leading_fraction_zeros = 0;
        if (p < text_.size() && text_[p] == '.') {
            is_integer = false;
            ++p;
            if (!digit(p)) fail(p, "expected a digit after the decimal point");
            const bool int_zero = int_digits == 1 && text_[int_start] == '0';
            bool seen_nonzero = false;
            while (digit(p)) {
                if (int_zero && !seen_nonzero) {
                    if (text_[p] == '0') {
                        ++leading_fraction_zeros;
                    } else {
                        seen_nonzero = true;
                    }
                }
                ++p;
            }
        }
        long long exponent = 0;
        if (p < text_.size() && (text_[p] == 'e' || text_[p] == 'E')) {
            is_integer = false;
            ++p;
            bool exp_negative = false;
            if (p < text_.size() && (text_[p] == '+' || text_[p] == '-')) {
                exp_negative = text_[p] == '-';
                ++p;
            }
            if (!digit(p)) fail(p, "expected a digit in the exponent");
            while (digit(p)) {
                if (exponent < 100000) exponent = exponent * 10 + (text_[p] - '0');
                ++p;
            }
            if (exp_negative) exponent = -exponent;
        }
        if (p < text_.size() && is_ident_char(text_[p])) {
            pos_ = p;
            fail(p, "unexpected " + describe_here() + " after a number", "write text values in double quotes");
        }
        const std::string_view number = text_.substr(start, p - start);
        pos_ = p;
        if (is_integer) {  // "-0" is the integer 0, as Python reads it (Jinja prints 0)
            std::int64_t v = 0;
            const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
            if (ec == std::errc{} && ptr == number.data() + number.size()) {
                out = v;
                return;
            }
            // A whole number past 64 bits would become a rounded double: refused rather than printed wrong.
            error(start,
                  "the whole number " + std::string(number.substr(0, 40)) + (number.size() > 40 ? "..." : "") +
                      " is beyond 64 bits and would lose digits",
                  "write it in double quotes as text (a number of a document, an account, an identity card)");
            diagnostics_.back().code = "json.integer_too_large";
            diagnostics_.back().message_vi =
                "số " + std::string(number.substr(0, 40)) + (number.size() > 40 ? "..." : "") +
                " quá lớn (vượt 64 bit), sẽ bị sai chữ số — hãy viết nó trong dấu ngoặc kép như chữ";
            out = nullptr;
            return;
        }
        double d = 0;
        const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), d);
        if (ec == std::errc::result_out_of_range) {
            const bool int_zero = int_digits == 1 && text_[int_start] == '0';
            const long long magnitude =
                (int_zero ? -static_cast<long long>(leading_fraction_zeros) : static_cast<long long>(int_digits)) +
                exponent;
            if (magnitude <= 0) {
                out = negative ? -0.0 : 0.0;  // underflow: the nearest double is zero
                return;
            }
            error(start,
                  "number " + std::string(number.substr(0, 40)) + (number.size() > 40 ? "..." : "") + " is too large");
            out = nullptr;
            return;
        }
        if (ec != std::errc{} || ptr != number.data() + number.size()) fail(start, "invalid number");
        out = d;
    }

    // Reads a string starting at the opening quote into `out` (NFC).
    void parse_string(std::string& out) {
        const std::size_t open = pos_;
        ++pos_;  // opening quote
        out.clear();
        bool plain = true;  // NFC as written (vn::is_plain_nfc): ICU is not asked
        for (;;) {
            // Fast path: copy a run of characters that need nothing done at once, validating UTF-8 as it goes.
            std::size_t run = pos_;
            while (run < text_.size()) {
                const auto b = static_cast<unsigned char>(text_[run]);
                if (b >= 0x80) {
                    const auto* at = reinterpret_cast<const unsigned char*>(text_.data()) + run;
                    if (const std::size_t plain_len = vn::plain_nfc_sequence(at, text_.size() - run)) {
                        run += plain_len;
                        continue;
                    }
                    std::uint32_t cp = 0;
                    const std::size_t len = utf8_sequence(text_, run, cp);
                    if (len == 0) break;
                    plain = false;  // well-formed, but not one of the plain sequences: ICU decides
                    run += len;
                    continue;
                }
                if (b == '"' || b == '\\' || b < 0x20) break;
                ++run;
            }
            out.append(text_.data() + pos_, run - pos_);
            pos_ = run;
            if (pos_ >= text_.size()) {
                pos_ = open;
                fail(open, "unterminated string: missing closing \"");
            }
            const auto b = static_cast<unsigned char>(text_[pos_]);
            if (b == '"') {
                ++pos_;
                break;
            }
            if (b == '\\') {
                if (pos_ + 1 < text_.size() && text_[pos_ + 1] == 'u') plain = false;
                parse_escape(out);
                continue;
            }
            if (b < 0x20) {
                if (b == '\n' || b == '\r') {
                    fail(pos_, "line break inside a string (missing closing \"?)",
                         "close the string with \", or write \\n for a line break inside the text");
                }
                error(pos_, "control character " + hex4(b) + " inside a string",
                      b == '\t' ? "write \\t for a tab" : "remove it");
                ++pos_;
                continue;
            }
            // Not UTF-8 (a valid sequence would have been part of the run).
            error(pos_, "invalid UTF-8 in string", "save the file as UTF-8");
            out += "\xEF\xBF\xBD";
            pos_ = vn::char_boundary_after(text_, pos_ + 1);
        }
        if (!plain) normalize(out);
    }

    void parse_escape(std::string& out) {
        const std::size_t at = pos_;
        ++pos_;
        if (pos_ >= text_.size()) fail(at, "unterminated string: missing closing \"");
        const char e = text_[pos_++];
        switch (e) {
            case '"': out += '"'; return;
            case '\\': out += '\\'; return;
            case '/': out += '/'; return;
            case 'b': out += '\b'; return;
            case 'f': out += '\f'; return;
            case 'n': out += '\n'; return;
            case 'r': out += '\r'; return;
            case 't': out += '\t'; return;
            case 'u': break;
            default:
                pos_ = at;
                fail(at, "invalid escape '\\" + std::string(1, e) + "' in string", "write \\\\ for a backslash");
        }
        std::uint32_t cp = 0;
        if (!read_hex4(cp)) fail(at, "invalid \\u escape: expected 4 hexadecimal digits");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            const std::size_t save = pos_;
            if (text_.substr(pos_, 2) == "\\u") {
                pos_ += 2;
                if (read_hex4(low) && low >= 0xDC00 && low <= 0xDFFF) {
                    vn::append_utf8(out, 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00));
                    return;
                }
            }
            pos_ = save;
            error(at, "invalid \\u escape: lone surrogate \\u" + hex4(cp).substr(2));
            out += "\xEF\xBF\xBD";
            return;
        }
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            error(at, "invalid \\u escape: lone surrogate \\u" + hex4(cp).substr(2));
            out += "\xEF\xBF\xBD";
            return;
        }
        vn::append_utf8(out, cp);
    }

    bool read_hex4(std::uint32_t& cp) {
        if (pos_ + 4 > text_.size()) return false;
        cp = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = text_[pos_ + static_cast<std::size_t>(i)];
            std::uint32_t v = 0;
            if (h >= '0' && h <= '9') {
                v = static_cast<std::uint32_t>(h - '0');
            } else if (h >= 'a' && h <= 'f') {
                v = static_cast<std::uint32_t>(h - 'a' + 10);
            } else if (h >= 'A' && h <= 'F') {
                v = static_cast<std::uint32_t>(h - 'A' + 10);
            } else {
                return false;
            }
            cp = (cp << 4) | v;
        }
        pos_ += 4;
        return true;
    }

    void normalize(std::string& s) {
        if (nfc_ == nullptr) return;
        UErrorCode status = U_ZERO_ERROR;
        const icu::StringPiece piece(s.data(), static_cast<std::int32_t>(s.size()));
        if (nfc_->isNormalizedUTF8(piece, status) || U_FAILURE(status)) return;
        status = U_ZERO_ERROR;
        std::string normalized;
        normalized.reserve(s.size());
        icu::StringByteSink<std::string> sink(&normalized);
        nfc_->normalizeUTF8(0, piece, sink, nullptr, status);
        if (U_SUCCESS(status)) s = std::move(normalized);
    }

    void parse_array(json& out, std::size_t depth) {
        out = json::array();
        auto& array = out.get_ref<json::array_t&>();
        const std::size_t base = pointer_.size();
        ++pos_;  // '['
        skip_whitespace();
        if (pos_ < text_.size() && text_[pos_] == ']') {
            ++pos_;
            return;
        }
        for (;;) {
            if (track_ != Track::nothing) {
                pointer_.resize(base);
                pointer_ += '/';
                pointer_ += std::to_string(array.size());
            }
            array.emplace_back();
            parse_value(array.back(), depth + 1);
            pointer_.resize(base);
            skip_whitespace();
            if (pos_ >= text_.size()) fail(pos_, "unexpected end of file: expected ',' or ']' after array element");
            const char c = text_[pos_];
            if (c == ']') {
                ++pos_;
                return;
            }
            if (c != ',') {
                fail(pos_, "unexpected " + describe_here() + ": expected ',' or ']' after array element");
            }
            const Position comma = where(pos_);
            ++pos_;
            skip_whitespace();
            if (pos_ < text_.size() && text_[pos_] == ']') {
                record(comma, DiagnosticKind::json_syntax, "trailing comma before ']' is not allowed",
                       "remove the last ','");
                ++pos_;
                return;
            }
        }
    }

    struct KeyEntry {
        Position position;
        const std::string* name;  // the key in its object (std::map keys stay where they are)
    };

    void parse_object(json& out, std::size_t depth) {
        out = json::object();
        auto& object = out.get_ref<json::object_t&>();
        const std::size_t base = pointer_.size();
        const std::size_t keys_base = keys_.size();
        ++pos_;  // '{'
        skip_whitespace();
        if (pos_ < text_.size() && text_[pos_] == '}') {
            ++pos_;
            return;
        }
        std::string key;
        bool file_order_sorted = true;
        for (;;) {
            if (pos_ >= text_.size()) fail(pos_, "unexpected end of file: expected a property name in double quotes");
            if (text_[pos_] != '"') {
                if (text_[pos_] == '\'') fail(pos_, "property names must be in double quotes, not single quotes");
                fail_value("a property name in double quotes");
            }
            const Position key_position = where(pos_);
            parse_string(key);
            skip_whitespace();
            if (pos_ >= text_.size() || text_[pos_] != ':') {
                if (pos_ >= text_.size()) fail(pos_, "unexpected end of file: expected ':' after property name");
                fail(pos_, "unexpected " + describe_here() + ": expected ':' after property name \"" + key + "\"");
            }
            ++pos_;
            skip_whitespace();
            if (track_ != Track::nothing) {
                pointer_.resize(base);
                append_pointer_token(pointer_, key);
            }
            const bool after_the_last = object.empty() || object.rbegin()->first < key;
            const auto [slot, inserted] = object.try_emplace(key);
            if (!inserted) {
                const Position first = first_key_position(keys_base, key);
                Diagnostic d;
                d.kind = DiagnosticKind::json_syntax;
                d.source = source_;
                d.json_pointer = pointer_;
                d.line = key_position.line;
                d.column = key_position.column;
                d.message = "duplicate key \"" + key + "\" at " + std::to_string(key_position.line) + ":" +
                            std::to_string(key_position.column) + ", first at " + std::to_string(first.line) + ":" +
                            std::to_string(first.column);
                d.hint = "each property may appear only once in an object; remove or rename one of them";
                diagnostics_.push_back(std::move(d));
                json discarded;
                parse_value(discarded, depth + 1);
            } else {
                file_order_sorted = file_order_sorted && after_the_last;
                keys_.push_back(KeyEntry{key_position, &slot->first});
                if (const auto index = key_index_.find(keys_base); index != key_index_.end())
                    index->second.emplace(key, key_position);
                parse_value(slot->second, depth + 1);
            }
            pointer_.resize(base);
            skip_whitespace();
            if (pos_ >= text_.size()) fail(pos_, "unexpected end of file: expected ',' or '}' after object member");
            const char c = text_[pos_];
            if (c == '}') {
                ++pos_;
                break;
            }
            if (c != ',') {
                fail(pos_, "unexpected " + describe_here() + ": expected ',' or '}' after object member");
            }
            const Position comma = where(pos_);
            ++pos_;
            skip_whitespace();
            if (pos_ < text_.size() && text_[pos_] == '}') {
                record(comma, DiagnosticKind::json_syntax, "trailing comma before '}' is not allowed",
                       "remove the last ','");
                ++pos_;
                break;
            }
        }
        if (!file_order_sorted) note_key_order(out, keys_base);
        keys_.resize(keys_base);
        key_index_.erase(keys_base);
    }

    // Records the keys of the object just read, in the order of the file (only objects not written in sorted order
    // pay for it).
    void note_key_order(const json& object, std::size_t keys_base) {
        doc_.key_order.note(object, [&] {
            std::vector<std::string> keys;
            keys.reserve(keys_.size() - keys_base);
            for (std::size_t i = keys_base; i < keys_.size(); ++i) keys.push_back(*keys_[i].name);
            return keys;
        });
    }

    // Position of the first occurrence of `key` among the keys of the object being parsed (this only runs when a
    // duplicate is found).
    Position first_key_position(std::size_t keys_base, const std::string& key) {
        auto [index, fresh] = key_index_.try_emplace(keys_base);
        if (fresh)
            for (std::size_t i = keys_base; i < keys_.size(); ++i)
                index->second.emplace(*keys_[i].name, keys_[i].position);
        const auto it = index->second.find(key);
        return it == index->second.end() ? Position{} : it->second;
    }

    std::string_view text_;
    const std::string& source_;
    const JsonLimits& limits_;
    Document& doc_;
    const icu::Normalizer2* nfc_ = nullptr;

    std::size_t pos_ = 0;
    int line_ = 1;
    std::size_t line_start_ = 0;
    std::size_t anchor_ = 0;
    int anchor_column_ = 1;

    std::string pointer_;
    Track track_;
    std::uint64_t position_budget_ = 0;  // bytes of pointers the position table may still take
    std::size_t values_ = 0;
    std::vector<KeyEntry> keys_;
    // Objects with duplicate keys: their keys by name (built at the first duplicate, keyed by the object's keys_base),
    // so that many duplicates in a big object do not each re-read all its keys.
    std::unordered_map<std::size_t, std::unordered_map<std::string, Position>> key_index_;
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace

namespace {
// FNV-1a over the keys in sorted order, each with its length (so that "ab","c" differs from "a","bc").
class KeySetHash {
public:
    void add(std::string_view key) {
        mix(key.size());
        for (const char c : key) step(static_cast<unsigned char>(c));
    }
    std::uint64_t value() const noexcept { return h_; }

private:
    std::uint64_t h_ = 1469598103934665603ull;
    void step(unsigned char byte) { h_ = (h_ ^ byte) * 1099511628211ull; }
    void mix(std::size_t n) {
        for (int i = 0; i < 8; ++i) step(static_cast<unsigned char>(n >> (8 * i)));
    }
};

// The hash of an object's keys (nlohmann's objects keep them sorted).
std::uint64_t key_set_hash(const nlohmann::json& object) {
    KeySetHash hash;
    for (auto it = object.begin(); it != object.end(); ++it) hash.add(it.key());
    return hash.value();
}

}  // namespace

void KeyOrder::note(const nlohmann::json& object, const std::function<std::vector<std::string>()>& file_order) {
    const std::uint64_t hash = key_set_hash(object);
    if (!orders_.contains(hash)) orders_.emplace(hash, file_order());
}

void KeyOrder::note(std::vector<std::string> keys_in_file_order) {
    std::vector<std::string_view> sorted(keys_in_file_order.begin(), keys_in_file_order.end());
    std::sort(sorted.begin(), sorted.end());
    KeySetHash hash;
    for (const auto key : sorted) hash.add(key);
    orders_.try_emplace(hash.value(), std::move(keys_in_file_order));
}

const std::vector<std::string>* KeyOrder::of(const nlohmann::json& object) const {
    if (orders_.empty() || !object.is_object() || object.size() < 2) return nullptr;
    const auto found = orders_.find(key_set_hash(object));
    if (found == orders_.end() || found->second.size() != object.size()) return nullptr;
    for (const std::string& key : found->second)  // the same keys, not a hash collision
        if (!object.contains(key)) return nullptr;
    return &found->second;
}

Position Document::position_of(std::string_view pointer) const {
    std::string key(pointer);
    for (;;) {
        const auto it = positions.find(key);
        if (it != positions.end()) return it->second;
        if (key.empty()) return {};
        const auto slash = key.rfind('/');
        key.resize(slash == std::string::npos ? 0 : slash);
    }
}

void Document::locate(Diagnostic& diagnostic) const {
    if (diagnostic.source.empty()) diagnostic.source = source;
    const Position p = position_of(diagnostic.json_pointer);
    diagnostic.line = p.line;
    diagnostic.column = p.column;
}

namespace {

// Text that is not UTF-8 at all — UTF-16 (what Notepad saves as "Unicode", with or without its byte order mark) or an
// 8-bit code page such as Windows-1258 — is named as such, with what to do, instead of a first bad byte.
void refuse_other_encodings(std::string_view text, const std::string& source) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const bool bom16 =
        text.size() >= 2 && ((byte(0) == 0xFF && byte(1) == 0xFE) || (byte(0) == 0xFE && byte(1) == 0xFF));
    std::size_t zeros = 0;
    const std::size_t head = std::min<std::size_t>(text.size(), 64);
    for (std::size_t i = 0; i < head; ++i) zeros += byte(i) == 0;
    const bool utf16 = bom16 || (head >= 4 && zeros * 4 >= head);  // ASCII in UTF-16: every other byte is 0
    // A stray bad byte is reported where it is (by the parser); several mean the whole file is in another encoding.
    std::size_t bad = 0;
    for (std::size_t i = 0; !utf16 && i < text.size() && bad < 3;) {
        std::uint32_t cp = 0;
        const std::size_t len = utf8_sequence(text, i, cp);
        bad += len == 0;
        i += len == 0 ? 1 : len;
    }
    if (!utf16 && bad < 3) return;
    Diagnostic d;
    d.kind = DiagnosticKind::json_syntax;
    d.code = "data.encoding";
    d.source = source;
    d.hint = "save the file as UTF-8";
    if (utf16) {
        d.message = "the file is UTF-16 text, not UTF-8";
        d.message_vi =
            "tệp đang lưu ở dạng UTF-16 (\"Unicode\" của Notepad), vanban chỉ đọc UTF-8 — hãy lưu tệp dưới dạng "
            "UTF-8 (Notepad: Lưu thành… › Mã hoá: UTF-8)";
    } else {
        d.message = "the file is not UTF-8 text (perhaps Windows-1258 or TCVN3)";
        d.message_vi = "tệp không ở dạng UTF-8 (có thể là Windows-1258 hoặc TCVN3) — hãy lưu tệp dưới dạng UTF-8";
    }
    throw Error(std::move(d));
}

}  // namespace

Document parse(std::string_view text, std::string source, const JsonLimits& limits, Positions positions) {
    Document doc;
    doc.source = std::move(source);
    if (positions == Positions::none) {
        Parser quick(text, doc.source, limits, doc, Track::nothing);
        quick.run();
        if (quick.clean()) return doc;
        doc.value = nullptr;
        doc.key_order = KeyOrder();
    }
    Parser parser(text, doc.source, limits, doc, positions == Positions::every_value ? Track::values : Track::problems);
    parser.run();
    std::vector<Diagnostic> diagnostics = parser.take_diagnostics();
    // Any byte that is not UTF-8 makes the parser complain; only then is the whole text read again to tell a file in
    // another encoding (said plainly, instead of its first bad byte) from a stray bad byte. Valid text is read once.
    if (!diagnostics.empty()) refuse_other_encodings(text, doc.source);
    if (!diagnostics.empty()) throw Error(std::move(diagnostics));
    return doc;
}

}  // namespace vanban::json_data
