#include "batch/records.hpp"

#include <libxml/xmlreader.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <tuple>
#include <utility>

#include "batch/cells.hpp"
#include "batch/columns.hpp"
#include "core/vn.hpp"
#include "core/xml_compiler.hpp"
#include "io/fail.hpp"
#include "zip/zip.hpp"

namespace vanban::batch {

namespace {

using nlohmann::json;

using io::fail;
using io::fail_errno;

void append_token(std::string& pointer, std::string_view key) {
    pointer += '/';
    for (char c : key) {
        if (c == '~') pointer += "~0";
        else if (c == '/') pointer += "~1";
        else pointer += c;
    }
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool is_ascii(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string normalise_text(std::string_view s) { return is_ascii(s) ? std::string(s) : vn::nfc(s); }

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// A non-negative number from XML (a row, a style or format id), at most kMaxRow: numbers that do not fit are
// clamped rather than overflowing (atoi is undefined there). 0 when it is not a number.
constexpr int kMaxRow = 1 << 30;  // Excel stops at 1,048,576 rows
int bounded_int(std::string_view text) {
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range) return text.starts_with("-") ? 0 : kMaxRow;
    return ec == std::errc() ? static_cast<int>(std::clamp<long long>(value, 0, kMaxRow)) : 0;
}

// ----- buffered file input

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// UTF-8 (a BOM skipped), or UTF-16 with its BOM (Excel's "Unicode text") turned into UTF-8 as it is read.
class ByteStream {
public:
    ByteStream(const std::string& path) : buffer_(kChunk) {
        file_.reset(std::fopen(path.c_str(), "rb"));
        if (!file_) fail(DiagnosticKind::io, "cannot open records file '" + path + "'");
        fill();
        const auto byte = [&](std::size_t i) { return i < end_ ? static_cast<unsigned char>(buffer_[i]) : 0u; };
        if (byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) {
            pos_ = 3;
        } else if ((byte(0) == 0xFF && byte(1) == 0xFE) || (byte(0) == 0xFE && byte(1) == 0xFF)) {
            utf16_ = byte(0) == 0xFF ? Utf16::little : Utf16::big;
            raw_.assign(buffer_.begin() + 2, buffer_.begin() + static_cast<std::ptrdiff_t>(end_));
            fill();
        }
    }
    static constexpr int kEof = -1;
    int peek() {
        if (pos_ == end_ && !fill()) return kEof;
        return static_cast<unsigned char>(buffer_[pos_]);
    }
    int get() {
        int c = peek();
        if (c != kEof) ++pos_;
        return c;
    }
    // What is buffered now (for sniffing the CSV delimiter at the start).
    std::string_view window() const { return {buffer_.data() + pos_, end_ - pos_}; }

private:
    static constexpr std::size_t kChunk = 64 * 1024;
    enum class Utf16 { no, little, big };

    bool fill() {
        if (!file_) return false;
        pos_ = 0;
        if (utf16_ == Utf16::no) {
            end_ = std::fread(buffer_.data(), 1, buffer_.size(), file_.get());
            return end_ > 0;
        }
        std::string out;
        while (out.empty()) {
            const std::size_t had = raw_.size();
            raw_.resize(kChunk);
            const std::size_t n = std::fread(raw_.data() + had, 1, kChunk - had, file_.get());
            raw_.resize(had + n);
            const std::size_t used = decode_utf16(out, n == 0);
            raw_.erase(raw_.begin(), raw_.begin() + static_cast<std::ptrdiff_t>(used));
            if (n == 0) break;
        }
        if (buffer_.size() < out.size()) buffer_.resize(out.size());
        std::copy(out.begin(), out.end(), buffer_.begin());
        end_ = out.size();
        return end_ > 0;
    }

    // Decodes the complete code units of raw_ into `out`; returns the bytes used. Lone surrogates become U+FFFD.
    std::size_t decode_utf16(std::string& out, bool at_end) {
        const auto unit = [&](std::size_t i) {
            const auto a = static_cast<unsigned char>(raw_[i]), b = static_cast<unsigned char>(raw_[i + 1]);
            return utf16_ == Utf16::little ? static_cast<std::uint32_t>(a | (b << 8)) : static_cast<std::uint32_t>((a << 8) | b);
        };
        std::size_t i = 0;
        while (i + 2 <= raw_.size()) {
            const std::uint32_t u = unit(i);
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (i + 4 > raw_.size() && !at_end) break;  // the low half comes with the next read
                const std::uint32_t low = i + 4 <= raw_.size() ? unit(i + 2) : 0;
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    vn::append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
                    i += 4;
                    continue;
                }
                vn::append_utf8(out, 0xFFFD);
            } else {
                vn::append_utf8(out, u >= 0xDC00 && u <= 0xDFFF ? 0xFFFD : u);
            }
            i += 2;
        }
        return at_end ? raw_.size() : i;  // an odd byte at the end is dropped
    }

    std::unique_ptr<std::FILE, FileCloser> file_;
    std::vector<char> buffer_;
    std::size_t pos_ = 0, end_ = 0;
    Utf16 utf16_ = Utf16::no;
    std::vector<char> raw_;  // UTF-16: bytes read but not decoded yet
};

// ----- typing cells by the schema

enum class CellType { any, string, integer, number, boolean, date };

enum class DateShape { iso, dmy_padded, dmy, dmy_dash, dmy_dot, object };

struct ColumnSpec {
    std::string header;
    json path;  // segments
    CellType type = CellType::any;
    DateShape date = DateShape::iso;
    bool integer_parts = true;  // DateShape::object: year/month/day as integers (else strings)
    std::vector<EnumChoice> choices;  // an enum: a cell matches a value in any case, or its label
    std::string pattern;              // a date pattern that may accept other text too ("1980": a year of birth)
};


// The node itself and the branches that add constraints to it (allOf/anyOf/oneOf/then/else), $refs followed.
std::vector<const json*> facets(const json& root, const json* node) {
    std::vector<const json*> out;
    node = schema_resolve(root, node);
    if (!node || !node->is_object()) return out;
    out.push_back(node);
    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
        auto it = node->find(key);
        if (it != node->end() && it->is_array())
            for (const auto& branch : *it)
                if (const json* b = schema_resolve(root, &branch); b && b->is_object()) out.push_back(b);
    }
    for (const char* key : {"then", "else"}) {
        auto it = node->find(key);
        if (it != node->end())
            if (const json* b = schema_resolve(root, &*it); b && b->is_object()) out.push_back(b);
    }
    return out;
}

const json* child_schema(const json& root, const json* node, const json& segment) {
    for (const json* f : facets(root, node)) {
        if (segment.is_string()) {
            const std::string key = segment.get<std::string>();
            auto props = f->find("properties");
            if (props != f->end() && props->is_object() && props->contains(key)) return schema_resolve(root, &(*props)[key]);
        } else {
            const auto i = segment.get<std::size_t>();
            for (const char* key : {"prefixItems", "items"}) {
                auto items = f->find(key);
                if (items == f->end()) continue;
                if (items->is_object()) return schema_resolve(root, &*items);
                if (items->is_array() && i < items->size()) return schema_resolve(root, &(*items)[i]);
            }
        }
    }
    for (const json* f : facets(root, node)) {
        const char* key = segment.is_string() ? "additionalProperties" : "additionalItems";
        auto extra = f->find(key);
        if (extra != f->end() && extra->is_object()) return schema_resolve(root, &*extra);
    }
    return nullptr;
}

bool pattern_accepts(const std::string& pattern, const std::string& text) {
    try {
        return std::regex_search(text, std::regex(pattern, std::regex::ECMAScript));
    } catch (const std::exception&) {
        return false;
    }
}

void classify(const json& root, const json* node, ColumnSpec& spec) {
    const auto fs = facets(root, node);
    if (fs.empty()) return;
    std::vector<std::string> types;
    for (const json* f : fs) {
        auto t = f->find("type");
        if (t == f->end()) continue;
        if (t->is_string()) types.push_back(t->get<std::string>());
        else if (t->is_array())
            for (const auto& x : *t)
                if (x.is_string() && x.get<std::string>() != "null") types.push_back(x.get<std::string>());
    }
    for (const json* f : fs) {
        auto fmt = f->find("format");
        if (fmt != f->end() && fmt->is_string() && fmt->get<std::string>() == "date") {
            spec.type = CellType::date;
            spec.date = DateShape::iso;
            return;
        }
    }
    // A date pattern: accepts a date written one of the usual ways, and rejects plain words.
    for (const json* f : fs) {
        auto pat = f->find("pattern");
        if (pat == f->end() || !pat->is_string()) continue;
        const std::string p = pat->get<std::string>();
        if (pattern_accepts(p, "abc")) continue;
        const std::array<std::pair<DateShape, const char*>, 5> samples = {{{DateShape::iso, "2024-03-05"},
                                                                             {DateShape::dmy_padded, "05/03/2024"},
                                                                             {DateShape::dmy, "5/3/2024"},
                                                                             {DateShape::dmy_dash, "05-03-2024"},
                                                                             {DateShape::dmy_dot, "05.03.2024"}}};
        for (const auto& [shape, sample] : samples)
            if (pattern_accepts(p, sample)) {
                spec.type = CellType::date;
                spec.date = shape;
                spec.pattern = p;
                return;
            }
    }
    const bool has_string = std::find(types.begin(), types.end(), "string") != types.end();
    // {year, month, day} objects (no string form allowed): a date cell fills the three fields.
    if (!has_string && std::find(types.begin(), types.end(), "object") != types.end()) {
        for (const json* f : fs) {
            auto props = f->find("properties");
            if (props != f->end() && props->is_object() && props->contains("year") && props->contains("month")) {
                spec.type = CellType::date;
                spec.date = DateShape::object;
                const json* y = schema_resolve(root, &(*props)["year"]);
                spec.integer_parts = !(y && y->is_object() && y->value("type", "") == "string");
                return;
            }
        }
    }
    if (types.empty()) {
        for (const json* f : fs)
            if (f->contains("enum") || f->contains("pattern") || f->contains("minLength") || f->contains("maxLength")) {
                spec.type = CellType::string;
                return;
            }
        return;
    }
    // A cell that may be text or a number ("22", "22 cán bộ"): text, which the schema accepts either way.
    const std::string& t = has_string ? std::string("string") : types.front();
    if (t == "string") spec.type = CellType::string;
    else if (t == "integer") spec.type = CellType::integer;
    else if (t == "number") spec.type = CellType::number;
    else if (t == "boolean") spec.type = CellType::boolean;
}

std::string format_date(const vn::Date& d, DateShape shape) {
    char buf[32];
    switch (shape) {
        case DateShape::dmy_padded: std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day, d.month, d.year); break;
        case DateShape::dmy: std::snprintf(buf, sizeof buf, "%d/%d/%04d", d.day, d.month, d.year); break;
        case DateShape::dmy_dash: std::snprintf(buf, sizeof buf, "%02d-%02d-%04d", d.day, d.month, d.year); break;
        case DateShape::dmy_dot: std::snprintf(buf, sizeof buf, "%02d.%02d.%04d", d.day, d.month, d.year); break;
        default: std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day); break;
    }
    return buf;
}

json date_value(const vn::Date& d, const ColumnSpec& spec) {
    if (spec.date == DateShape::object) {
        if (spec.integer_parts) return json{{"year", d.year}, {"month", d.month}, {"day", d.day}};
        return json{{"year", std::to_string(d.year)}, {"month", std::to_string(d.month)}, {"day", std::to_string(d.day)}};
    }
    return format_date(d, spec.date);
}

// Days since 0001-01-01 style conversion (Howard Hinnant's civil_from_days).
vn::Date civil_from_days(long long z) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const long long doe = z - era * 146097;
    const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long long y = yoe + era * 400;
    const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long long mp = (5 * doy + 2) / 153;
    const long long d = doy - (153 * mp + 2) / 5 + 1;
    const long long m = mp < 10 ? mp + 3 : mp - 9;
    return vn::Date{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

std::optional<vn::Date> serial_to_date(double serial, bool date1904, double* fraction = nullptr) {
    if (!std::isfinite(serial) || serial < 0 || serial >= 2958466) return std::nullopt;
    const double whole = std::floor(serial);
    if (fraction) *fraction = serial - whole;
    long long days = static_cast<long long>(whole);
    // Unix day number of the epoch: 1899-12-30 (Excel's 1900 system, including its phantom 1900-02-29 for serials
    // below 61, which are off by one as in every spreadsheet) or 1904-01-01.
    const long long epoch = date1904 ? -24107 : -25569;
    if (!date1904 && days < 61 && days > 0) days += 1;
    return civil_from_days(epoch + days);
}

std::string number_text(double v) {
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::optional<double> parse_number(std::string_view t) {
    if (!t.empty() && t.front() == '+') t.remove_prefix(1);
    double v = 0;
    auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (r.ec != std::errc() || r.ptr != t.data() + t.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

json integral_or_double(double v) {
    if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) return static_cast<long long>(v);
    return v;
}

// One cell as read from the file.
struct Cell {
    enum class Kind { empty, text, number, boolean, date, error } kind = Kind::empty;
    std::string text;   // text; the error code; the number as written
    double number = 0;  // number, date (a serial day number)
    int line = 0;       // CSV: line of the cell; XLSX: row
    int column = 0;     // 1-based
};

// At most `bytes` bytes of UTF-8 text, cut between characters (a message or a report must stay valid UTF-8).
std::string_view cut_utf8(std::string_view s, std::size_t bytes) {
    if (s.size() <= bytes) return s;
    while (bytes > 0 && (static_cast<unsigned char>(s[bytes]) & 0xC0) == 0x80) --bytes;
    return s.substr(0, bytes);
}

std::string shown(std::string_view s) {
    std::string v(cut_utf8(s, 60));
    for (char& c : v)
        if (c == '\n' || c == '\r') c = ' ';
    return "'" + v + (s.size() > 60 ? "…'" : "'");
}

// Converts a cell for its column; nullopt when the cell is empty. On a typing problem, `error` says why and the
// returned value is the cell's text (so the record keeps its shape).
std::optional<json> convert(const Cell& cell, const ColumnSpec& spec, bool date1904, std::string& error) {
    using K = Cell::Kind;
    switch (cell.kind) {
        case K::empty: return std::nullopt;
        case K::error: error = "the cell holds the spreadsheet error " + cell.text; return cell.text;
        case K::boolean:
            if (spec.type == CellType::string) return std::string(cell.number != 0 ? "true" : "false");
            if (spec.type == CellType::integer || spec.type == CellType::number) return cell.number != 0 ? 1 : 0;
            if (spec.type == CellType::date) {
                error = "a true/false cell where a date is expected";
                return cell.number != 0;
            }
            return cell.number != 0;
        case K::number:
        case K::date: {
            const double v = cell.number;
            const bool styled_date = cell.kind == K::date;
            // A year typed in a date column that also takes a year alone ("1980" is no day 1980 of 1900).
            if (spec.type == CellType::date && !styled_date && !spec.pattern.empty() && pattern_accepts(spec.pattern, number_text(v)))
                return number_text(v);
            if (spec.type == CellType::date || (styled_date && (spec.type == CellType::any || spec.type == CellType::string))) {
                double fraction = 0;
                auto d = serial_to_date(v, date1904, &fraction);
                if (!d) {
                    error = shown(number_text(v)) + " is not a date";
                    return number_text(v);
                }
                if (spec.type == CellType::date) return date_value(*d, spec);
                return excel_serial_to_iso(v, date1904);
            }
            switch (spec.type) {
                case CellType::string: return number_text(v);
                case CellType::integer:
                    if (v != std::floor(v)) {
                        error = shown(number_text(v)) + " is not a whole number";
                        return v;
                    }
                    return static_cast<long long>(v);
                case CellType::boolean:
                    if (v == 0 || v == 1) return v == 1;
                    error = shown(number_text(v)) + " is not true/false";
                    return v;
                default: return integral_or_double(v);
            }
        }
        case K::text: break;
    }
    const std::string_view raw = trim(cell.text);
    if (raw.empty()) return std::nullopt;
    std::string text = normalise_text(raw);
    if (!spec.choices.empty())
        if (auto v = match_enum(text, spec.choices)) return *v;
    switch (spec.type) {
        case CellType::any:
        case CellType::string: return text;
        case CellType::integer: {
            auto v = parse_cell_number(text);
            if (!v || *v != std::floor(*v) || std::fabs(*v) > 9.007199254740992e15) {
                error = shown(text) + " is not a whole number";
                return text;
            }
            return static_cast<long long>(*v);
        }
        case CellType::number: {
            auto v = parse_cell_number(text);
            if (!v) {
                error = shown(text) + " is not a number";
                return text;
            }
            return integral_or_double(*v);
        }
        case CellType::boolean: {
            const std::string l = lower_ascii(text);
            if (l == "true" || l == "1" || l == "yes" || l == "x" || l == "có" || l == "co" || l == "đúng") return true;
            if (l == "false" || l == "0" || l == "no" || l == "không" || l == "khong" || l == "sai") return false;
            error = shown(text) + " is not true/false (write true or false)";
            return text;
        }
        case CellType::date: {
            auto d = parse_cell_date(text);
            if (!d && !spec.pattern.empty() && pattern_accepts(spec.pattern, text)) return text;
            if (!d) {
                error = shown(text) + " is not a valid date (write dd/mm/yyyy or yyyy-mm-dd)";
                return text;
            }
            return date_value(*d, spec);
        }
    }
    return text;
}

// A column: its header, the field path it fills and how the schema types its cells.
ColumnSpec column_spec(const json* schema, std::string header, json path, const json* base = nullptr) {
    ColumnSpec spec;
    spec.header = std::move(header);
    spec.path = std::move(path);
    if (!schema) return spec;
    const json* node = base ? base : schema;
    for (const auto& seg : spec.path) node = node ? child_schema(*schema, node, seg) : nullptr;
    if (node) {
        classify(*schema, node, spec);
        spec.choices = schema_enum(*schema, node);
    }
    return spec;
}

// ----- header paths → a tree of columns

struct HeaderNode {
    enum class Kind { object, array, leaf } kind = Kind::object;
    std::vector<std::pair<json, std::unique_ptr<HeaderNode>>> children;  // key (string) or index (number)
    int column = -1;                                                       // leaf: index into the columns
};

HeaderNode* child_of(HeaderNode& node, const json& segment, bool leaf, const std::string& header) {
    const auto wanted = segment.is_string() ? HeaderNode::Kind::object : HeaderNode::Kind::array;
    if (node.kind == HeaderNode::Kind::leaf)
        fail(DiagnosticKind::usage, "header '" + header + "' puts a value inside another column's value");
    if (node.children.empty()) node.kind = wanted;
    if (node.kind != wanted)
        fail(DiagnosticKind::usage, "header '" + header + "' mixes a list index and a field name at the same level");
    for (auto& [key, child] : node.children)
        if (key == segment) {
            if (leaf || child->kind == HeaderNode::Kind::leaf)
                fail(DiagnosticKind::usage, "header '" + header + "' repeats or overlaps another column");
            return child.get();
        }
    auto child = std::make_unique<HeaderNode>();
    if (leaf) child->kind = HeaderNode::Kind::leaf;
    node.children.emplace_back(segment, std::move(child));
    auto* raw = node.children.back().second.get();
    if (node.kind == HeaderNode::Kind::array)
        std::stable_sort(node.children.begin(), node.children.end(),
                         [](const auto& a, const auto& b) { return a.first.template get<long long>() < b.first.template get<long long>(); });
    return raw;
}

// Builds records from rows of cells under a header row (shared by CSV and XLSX): names the columns (columns.hpp),
// tells records from the rows that are not (totals, notes under the table) and types each cell by the schema.
class Tabular {
public:
    // maybe_total: only one number, under a number column — a total when nothing but notes follows it, else a
    // record with most cells empty (which must fail loudly, not vanish).
    enum class RowKind { record, blank, total, note, maybe_total };

    // `base`: the schema node the columns are inside (a list's items on a list sheet); null: the root.
    Tabular(const std::vector<Cell>& header, const ColumnNamer& namer, const nlohmann::json* schema, std::string source,
            bool xlsx, const nlohmann::json* base = nullptr)
        : source_(std::move(source)), xlsx_(xlsx) {
        std::vector<ColumnNamer::Problem> problems;
        for (const Cell& h : header) {
            std::string text = h.kind == Cell::Kind::number ? number_text(h.number) : normalise_text(trim(h.text));
            const std::size_t col = static_cast<std::size_t>(h.column - 1);
            if (columns_.size() <= col) columns_.resize(col + 1);
            if (text.empty()) continue;
            auto resolution = namer.resolve(text);
            if (resolution.kind == ColumnNamer::Resolution::Kind::row_number) {
                row_number_column_ = h.column;
                continue;
            }
            if (resolution.kind != ColumnNamer::Resolution::Kind::field) {
                problems.push_back({text, cell_name(h), std::move(resolution)});
                continue;
            }
            columns_[col] = column_spec(schema, text, std::move(resolution.path), base);
        }
        if (!problems.empty()) throw Error(namer.describe(problems, source_));
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            if (!columns_[c]) continue;
            HeaderNode* node = &root_;
            const auto& path = columns_[c]->path;
            for (std::size_t i = 0; i < path.size(); ++i)
                node = child_of(*node, path[i], i + 1 == path.size(), columns_[c]->header);
            node->column = static_cast<int>(c);
        }
        if (root_.children.empty())
            throw Error(make_diagnostic(DiagnosticKind::usage, "batch.header_not_found", "the header row names no fields",
                                        "Dòng tiêu đề cột không có cột nào trùng tên trường của mẫu.", source_));
    }

    void set_date1904(bool v) noexcept { date1904_ = v; }
    int row_number_column() const noexcept { return row_number_column_; }

    static bool blank(const std::vector<Cell>& row) {
        return std::all_of(row.begin(), row.end(), [](const Cell& c) {
            return c.kind == Cell::Kind::empty || (c.kind == Cell::Kind::text && trim(c.text).empty());
        });
    }

    // What a row is. A total ("Tổng cộng", "Cộng", or only numbers under number columns) or a note under the table
    // ("Ghi chú: …", "Người lập biểu") is skipped, and so is every short row after one of them (the signature block).
    RowKind classify_row(const std::vector<Cell>& row) {
        if (blank(row)) return RowKind::blank;
        const RowKind kind = kind_of(row);
        if (kind == RowKind::record) ++records_;
        else if (kind != RowKind::maybe_total) footer_ = true;
        return kind;
    }
    // After a maybe_total row: what it turned out to be.
    void settle(RowKind kind) {
        if (kind == RowKind::record) ++records_;
        else footer_ = true;
    }
    // Whether a row says the table has ended ("Tổng cộng", "Ghi chú: …").
    bool ends_table(const std::vector<Cell>& row) const {
        const RowKind k = kind_of(row);
        return k == RowKind::total || k == RowKind::note;
    }

private:
    // The start of a cell folded for the words that mark totals and notes; empty for cells that cannot begin with one
    // (most cells: this runs on every cell of every row, and the fold is ICU's).
    static std::string keyword_key(std::string_view text) {
        text = trim(text);
        if (text.empty() || !std::strchr("tTcCgGnNlL", text.front())) return {};
        std::size_t cut = std::min<std::size_t>(text.size(), 48);
        while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) ++cut;
        return vn::match_key(text.substr(0, cut));
    }

    RowKind kind_of(const std::vector<Cell>& row) const {
        std::size_t filled = 0, in_fields = 0, numbers_in_number_columns = 0;
        bool total_word = false, note_word = false, first = true;
        for (const Cell& c : row) {
            if (c.kind == Cell::Kind::empty || (c.kind == Cell::Kind::text && trim(c.text).empty())) continue;
            ++filled;
            const ColumnSpec* spec = column(c.column);
            if (spec) ++in_fields;
            const bool number_column = (spec && (spec->type == CellType::integer || spec->type == CellType::number)) ||
                                       c.column == row_number_column_;
            if (number_column && (c.kind == Cell::Kind::number || (c.kind == Cell::Kind::text && parse_cell_number(trim(c.text)))))
                ++numbers_in_number_columns;
            if (c.kind != Cell::Kind::text) {
                first = false;
                continue;
            }
            const std::string key = keyword_key(c.text);
            for (const char* w : {"tổngcộng", "cộng", "tổng", "tổngsố", "total", "cộngtổng"})
                if (key == w) total_word = true;
            if (key.starts_with("tổngcộng")) total_word = true;
            if (first)
                for (const char* w : {"ghichú", "ngườilậpbiểu", "ngườilập", "lưuý", "chúthích", "nguồn"})
                    if (key.starts_with(w)) note_word = true;
            first = false;
        }
        if (total_word) return RowKind::total;
        if (records_ > 0 && numbers_in_number_columns == filled) return filled >= 2 ? RowKind::total : RowKind::maybe_total;
        if (note_word || (footer_ && in_fields < 2) || (records_ > 0 && in_fields == 0)) return RowKind::note;
        return RowKind::record;
    }

public:

    // The value of the row-number column ("STT"), as text; empty when there is none.
    std::string row_key(const std::vector<Cell>& row) const {
        for (const Cell& c : row)
            if (c.column == row_number_column_) return c.kind == Cell::Kind::number ? number_text(c.number) : std::string(trim(c.text));
        return {};
    }

    // Fills `record` from a row classified as a record.
    void build(std::vector<Cell>& row, Record& record) {
        row_.assign(columns_.size(), nullptr);
        for (Cell& c : row) {
            const auto col = static_cast<std::size_t>(c.column - 1);
            if (col < columns_.size() && columns_[col]) row_[col] = &c;
            else if (!xlsx_ && c.column != row_number_column_ && !(c.kind == Cell::Kind::text && trim(c.text).empty())) {
                RecordError e;
                e.diagnostic = make_diagnostic(
                    DiagnosticKind::data, "batch.cell_without_header",
                    "cell " + shown(c.text) + " in column " + std::to_string(c.column) + " has no header (the header row has " +
                        std::to_string(header_width()) + " columns); is a comma missing its quotes?",
                    "ô " + shown(c.text) + " ở cột " + std::to_string(c.column) + " nằm ngoài các cột có tên (dòng tiêu đề có " +
                        std::to_string(header_width()) + " cột); có phải thiếu dấu ngoặc kép quanh một ô có dấu phẩy?",
                    source_);
                e.diagnostic.line = c.line;
                e.diagnostic.column = c.column;
                e.cell = "line " + std::to_string(c.line) + ", column " + std::to_string(c.column);
                record.errors.push_back(std::move(e));
            }
        }
        std::string pointer;
        auto value = emit(root_, pointer, record);
        record.data.value = value ? std::move(*value) : json::object();
    }

    std::string cell_name(const Cell& c) const {
        return xlsx_ ? column_letters(c.column) + std::to_string(c.line)
                     : "line " + std::to_string(c.line) + ", column " + std::to_string(c.column);
    }

private:
    const ColumnSpec* column(int number) const {
        const auto col = static_cast<std::size_t>(number - 1);
        return col < columns_.size() && columns_[col] ? &*columns_[col] : nullptr;
    }

    int header_width() const {
        int n = 0;
        for (std::size_t i = 0; i < columns_.size(); ++i)
            if (columns_[i]) n = static_cast<int>(i + 1);
        return n;
    }

    std::optional<json> emit(const HeaderNode& node, std::string& pointer, Record& record) {
        if (node.kind == HeaderNode::Kind::leaf) {
            const Cell* cell = row_[static_cast<std::size_t>(node.column)];
            if (!cell) return std::nullopt;
            const ColumnSpec& spec = *columns_[static_cast<std::size_t>(node.column)];
            std::string error;
            auto v = convert(*cell, spec, date1904_, error);
            if (!v) return std::nullopt;
            RecordError where;
            where.field = spec.header;
            where.cell = cell_name(*cell);
            where.diagnostic.source = source_;
            where.diagnostic.line = cell->line;
            where.diagnostic.column = cell->column;
            record.data.positions.insert_or_assign(pointer, vanban::json::Position{cell->line, cell->column});
            if (!error.empty()) {
                RecordError e = where;
                e.diagnostic.kind = DiagnosticKind::data;
                e.diagnostic.json_pointer = pointer;
                e.diagnostic.message = (xlsx_ ? "cell " + where.cell : std::string("column")) + " '" + spec.header +
                                       "': " + error;
                record.errors.push_back(std::move(e));
            }
            record.cells.insert_or_assign(pointer, std::move(where));
            return v;
        }
        json out = node.kind == HeaderNode::Kind::array ? json::array() : json::object();
        const std::size_t mark = pointer.size();
        for (const auto& [key, child] : node.children) {
            if (node.kind == HeaderNode::Kind::array) pointer += "/" + std::to_string(out.size());
            else append_token(pointer, key.get<std::string>());
            auto v = emit(*child, pointer, record);
            if (v) {
                if (node.kind == HeaderNode::Kind::array) out.push_back(std::move(*v));
                else out[key.get<std::string>()] = std::move(*v);
            }
            pointer.resize(mark);
        }
        if (out.empty()) return std::nullopt;
        // A container is where its first value is.
        if (!record.data.positions.contains(pointer)) {
            std::string first = pointer;
            if (out.is_array()) first += "/0";
            else append_token(first, out.begin().key());
            auto it = record.data.positions.find(first);
            if (it != record.data.positions.end()) record.data.positions.insert_or_assign(pointer, it->second);
        }
        return out;
    }

    std::string source_;
    bool xlsx_ = false;
    bool date1904_ = false;
    int row_number_column_ = 0;       // the "STT" column (1-based); 0: none
    std::size_t records_ = 0;         // rows taken as records so far
    bool footer_ = false;             // a total or a note was seen: the table has ended
    std::vector<std::optional<ColumnSpec>> columns_;
    HeaderNode root_;
    std::vector<const Cell*> row_;
};

// ----- CSV and XLSX: the header row, then records and skipped rows

// Rows looked at for the header when no --header-row says where it is (titles, logos and notes above a list are a few
// rows; a sheet with no header in its first rows is not a list).
constexpr std::size_t kHeaderScanRows = 64;
// Skipped rows listed one by one; past this, only counted (a sheet of notes must not grow the report without limit).
constexpr std::size_t kMaxSkippedRows = 1000;

class TabularReader : public RecordReader {
public:
    bool next(Record& record) override {
        RawRow row;
        while (take(row)) {
            if (!row.error.empty()) {
                start_record(record, row.where);
                RecordError e;
                e.diagnostic.kind = DiagnosticKind::data;
                e.diagnostic.message = row.error;
                e.diagnostic.source = source_;
                e.diagnostic.line = row.where;
                record.errors.push_back(std::move(e));
                record.data.value = json::object();
                return true;
            }
            auto kind = table_->classify_row(row.cells);
            if (kind == Tabular::RowKind::blank) continue;
            if (kind == Tabular::RowKind::maybe_total) {
                kind = total_follows() ? Tabular::RowKind::total : Tabular::RowKind::record;
                table_->settle(kind);
            }
            if (kind != Tabular::RowKind::record) {
                skip(row, kind == Tabular::RowKind::total ? Skip::total : Skip::note);
                continue;
            }
            start_record(record, row.where);
            if (!count_only_) {
                table_->build(row.cells, record);
                attach_lists(record, table_->row_key(row.cells));
            }
            return true;
        }
        if (!ended_) at_end();
        ended_ = true;
        return false;
    }

protected:
    struct RawRow {
        std::vector<Cell> cells;
        int where = 0;      // CSV: the line the row starts on; XLSX: the row number
        std::string error;  // CSV: why the row could not be read (an unclosed quote)
    };

    TabularReader(const ReaderOptions& options, std::string source, bool xlsx, bool count_only)
        : source_(std::move(source)), schema_(options.schema), header_row_(options.header_row), xlsx_(xlsx),
          count_only_(count_only) {}

    // The next row of the file; false at its end.
    virtual bool read_raw(RawRow& row) = 0;
    // XLSX: adds the record's rows of the list sheets (`row_key`: its "STT" cell); at the end, lists the list rows
    // no record took.
    virtual void attach_lists(Record&, const std::string& /*row_key*/) {}
    virtual void at_end() {}

    // Reads up to the header row (the subclass constructor calls this once it can read rows).
    void find_header() {
        const ColumnNamer namer(schema_);
        if (header_row_ > 0) {
            RawRow row;
            while (read_raw(row)) {
                if (row.where >= header_row_) {
                    if (row.where == header_row_ && !Tabular::blank(row.cells)) return use_header(row, namer);
                    break;
                }
                if (!Tabular::blank(row.cells)) skip(row, Skip::above_header);
            }
            throw Error(make_diagnostic(DiagnosticKind::usage, "batch.header_not_found",
                                        "--header-row " + std::to_string(header_row_) + ": that row is empty or missing",
                                        "Dòng " + std::to_string(header_row_) +
                                            " (đã chọn làm dòng tiêu đề cột) trống hoặc không có trong tệp.",
                                        source_));
        }
        std::vector<RawRow> scanned;
        std::optional<std::size_t> chosen, best;
        std::size_t best_fields = 0;
        for (RawRow row; scanned.size() < kHeaderScanRows && read_raw(row); row = RawRow{}) {
            if (!row.error.empty())
                throw Error(make_diagnostic(DiagnosticKind::usage, "batch.bad_header_row", "the header row: " + row.error,
                                            "Dòng tiêu đề cột bị lỗi: " + row.error, source_));
            scanned.push_back(std::move(row));
            const auto& cells = scanned.back().cells;
            if (Tabular::blank(cells)) continue;
            const auto [fields, named, filled] = header_score(namer, cells);
            const bool header = namer.has_schema() ? fields >= 1 && named * 2 >= filled : filled >= 2;
            if (header) {
                chosen = scanned.size() - 1;
                break;
            }
            if (!best || fields > best_fields) {
                best = scanned.size() - 1;
                best_fields = fields;
            }
        }
        // No row looks like a header: the one naming most fields (without a schema: the first row).
        if (!chosen && best && (!namer.has_schema() || best_fields > 0)) chosen = namer.has_schema() ? best : first_filled(scanned);
        if (!chosen) {
            std::string names;
            for (const auto& n : namer.expected(12)) names += (names.empty() ? "“" : ", “") + n + "”";
            throw Error(make_diagnostic(
                DiagnosticKind::usage, "batch.header_not_found",
                scanned.empty() ? "the list is empty: no header row" : "no header row found: no row names the template's fields (expected columns such as " + names + ")",
                scanned.empty() ? "Tệp danh sách trống, không có dòng tiêu đề cột."
                                : "Không tìm thấy dòng tiêu đề cột: không dòng nào có tên cột trùng với tên trường của mẫu. "
                                  "Các cột cần có, ví dụ: " + names + ".",
                source_));
        }
        for (std::size_t i = 0; i < *chosen; ++i)
            if (!Tabular::blank(scanned[i].cells)) skip(scanned[i], Skip::above_header);
        for (std::size_t i = *chosen + 1; i < scanned.size(); ++i) pending_.push_back(std::move(scanned[i]));
        use_header(scanned[*chosen], namer);
    }

    std::string source_;
    bool date1904_ = false;

    // A notice about a row that is not used (list sheets), listed with the skipped rows.
    void notice(int row, std::string text, Diagnostic why) {
        if (skipped_.size() >= kMaxSkippedRows) {
            ++skipped_unlisted_;
            return;
        }
        SkippedRow s;
        s.row = row;
        s.text = std::move(text);
        why.line = row;
        s.why = std::move(why);
        skipped_.push_back(std::move(s));
    }

private:
    enum class Skip { above_header, total, note };

    static std::optional<std::size_t> first_filled(const std::vector<RawRow>& rows) {
        for (std::size_t i = 0; i < rows.size(); ++i)
            if (!Tabular::blank(rows[i].cells)) return i;
        return std::nullopt;
    }

    // How many cells of a row name fields (and the row-number column), and how many are filled.
    static std::tuple<std::size_t, std::size_t, std::size_t> header_score(const ColumnNamer& namer, const std::vector<Cell>& cells) {
        std::size_t fields = 0, named = 0, filled = 0;
        for (const Cell& c : cells) {
            if (c.kind != Cell::Kind::text && c.kind != Cell::Kind::number) continue;
            const std::string text = c.kind == Cell::Kind::number ? number_text(c.number) : normalise_text(trim(c.text));
            if (text.empty()) continue;
            ++filled;
            if (!namer.has_schema()) continue;
            const auto kind = namer.resolve(text).kind;
            if (kind == ColumnNamer::Resolution::Kind::field) ++fields;
            if (kind == ColumnNamer::Resolution::Kind::field || kind == ColumnNamer::Resolution::Kind::row_number) ++named;
        }
        return {fields, named, filled};
    }

    void use_header(const RawRow& row, const ColumnNamer& namer) {
        table_.emplace(row.cells, namer, schema_, source_, xlsx_);
        table_->set_date1904(date1904_);
    }

    // Whether the rows after the current one are only blank, notes or totals: reads ahead to the next non-blank row.
    bool total_follows() {
        for (std::size_t i = 0;; ++i) {
            if (i == kHeaderScanRows * 64) return false;  // bounded look-ahead: then it stays a record (and fails aloud)
            if (i == pending_.size()) {
                RawRow next;
                if (!read_raw(next)) return true;
                pending_.push_back(std::move(next));
            }
            if (!pending_[i].error.empty()) return false;
            if (Tabular::blank(pending_[i].cells)) continue;
            return table_->ends_table(pending_[i].cells);
        }
    }

    bool take(RawRow& row) {
        if (pending_.empty()) {
            row = RawRow{};
            return read_raw(row);
        }
        row = std::move(pending_.front());
        pending_.pop_front();
        return true;
    }

    void start_record(Record& record, int where) {
        record = Record{};
        record.index = index_++;
        (xlsx_ ? record.row : record.line) = where;
        record.data.source = source_;
    }

    void skip(const RawRow& row, Skip why) {
        if (skipped_.size() >= kMaxSkippedRows) {
            ++skipped_unlisted_;
            return;
        }
        std::string text;
        for (const Cell& c : row.cells) {
            const std::string t = c.kind == Cell::Kind::number ? number_text(c.number) : normalise_text(trim(c.text));
            if (!t.empty()) text += (text.empty() ? "" : " | ") + t;
        }
        const std::string shown_text = shown(text);
        const std::string shown_vi = "“" + shown_text.substr(1, shown_text.size() - 2) + "”";
        const std::string where_en = (xlsx_ ? "row " : "line ") + std::to_string(row.where);
        const std::string where_vi = "Dòng " + std::to_string(row.where);
        SkippedRow s;
        (xlsx_ ? s.row : s.line) = row.where;
        s.text = std::string(cut_utf8(text, 200));
        switch (why) {
            case Skip::above_header:
                s.why = make_diagnostic(DiagnosticKind::data, "batch.row_above_header",
                                        where_en + " " + shown_text + " is above the header row (a title or a note): skipped",
                                        where_vi + " " + shown_vi + " nằm trên dòng tiêu đề cột (tên bảng, ghi chú): bỏ qua.",
                                        source_);
                break;
            case Skip::total:
                s.why = make_diagnostic(DiagnosticKind::data, "batch.row_total",
                                        where_en + " " + shown_text + " is a total row: skipped",
                                        where_vi + " " + shown_vi + " là dòng tổng cộng: bỏ qua, không làm văn bản.", source_);
                break;
            case Skip::note:
                s.why = make_diagnostic(DiagnosticKind::data, "batch.row_note",
                                        where_en + " " + shown_text + " is a note under the table: skipped",
                                        where_vi + " " + shown_vi + " là ghi chú dưới bảng: bỏ qua, không làm văn bản.",
                                        source_);
                break;
        }
        s.why.line = row.where;
        skipped_.push_back(std::move(s));
    }

    const nlohmann::json* schema_;
    int header_row_;
    bool xlsx_, count_only_;
    std::optional<Tabular> table_;
    std::deque<RawRow> pending_;  // rows read while looking for the header, after it
    std::size_t index_ = 0;
    bool ended_ = false;
};

// ----- CSV

class CsvReader final : public TabularReader {
public:
    CsvReader(const std::string& path, const ReaderOptions& options, bool count_only)
        : TabularReader(options, options.source.empty() ? path : options.source, false, count_only), in_(path),
          max_bytes_(options.max_record_bytes) {
        delimiter_ = sniff_delimiter(path);
        find_header();
    }

    bool read_raw(RawRow& row) override {
        row.where = line_;
        return read_row(row.cells, row.error);
    }

private:
    char sniff_delimiter(const std::string& path) {
        if (lower_ascii(path).ends_with(".tsv")) return '\t';
        // Excel's "sep=;" first line says it outright.
        const std::string_view w = in_.window();
        if (w.size() >= 5 && lower_ascii(w.substr(0, 4)) == "sep=" && (w.size() == 5 || w[5] == '\r' || w[5] == '\n')) {
            const char d = w[4];
            while (in_.peek() != '\n' && in_.peek() != ByteStream::kEof) in_.get();
            in_.get();
            ++line_;
            return d;
        }
        // The most frequent of , ; TAB in the first lines (outside quotes; a title above the header may have a
        // comma); comma when none.
        std::size_t counts[3] = {0, 0, 0};
        bool quoted = false;
        int lines = 0;
        for (char c : w) {
            if (c == '"') quoted = !quoted;
            if (quoted) continue;
            if (c == '\n' && ++lines == 20) break;
            if (c == ',') ++counts[0];
            if (c == ';') ++counts[1];
            if (c == '\t') ++counts[2];
        }
        if (counts[1] > counts[0] && counts[1] >= counts[2]) return ';';
        if (counts[2] > counts[0] && counts[2] > counts[1]) return '\t';
        return ',';
    }

    // RFC 4180 with the usual leniency: CRLF or LF, quotes only around whole cells, doubled quotes inside; text
    // after a closing quote is kept. Returns false at the end of the file.
    bool read_row(std::vector<Cell>& cells, std::string& error) {
        cells.clear();
        error.clear();
        if (in_.peek() == ByteStream::kEof) return false;
        const int start_line = line_;
        std::size_t bytes = 0;
        while (true) {
            Cell cell;
            cell.kind = Cell::Kind::text;
            cell.line = line_;
            cell.column = static_cast<int>(cells.size()) + 1;
            int c = in_.peek();
            if (c == '"') {
                in_.get();
                while (true) {
                    c = in_.get();
                    if (c == ByteStream::kEof) {
                        error = "a quoted cell starting on line " + std::to_string(cell.line) + " is never closed";
                        cells.push_back(std::move(cell));
                        return true;
                    }
                    if (c == '"') {
                        if (in_.peek() == '"') {
                            in_.get();
                            cell.text += '"';
                            continue;
                        }
                        break;
                    }
                    if (c == '\r' && in_.peek() == '\n') continue;  // CRLF inside a cell is a newline
                    if (c == '\n') ++line_;
                    cell.text += static_cast<char>(c);
                    if (++bytes > max_bytes_) {
                        error = "a row starting on line " + std::to_string(start_line) + " is larger than the limit";
                        cells.push_back(std::move(cell));
                        return true;
                    }
                }
            }
            while (true) {
                c = in_.peek();
                if (c == ByteStream::kEof || c == '\n' || c == '\r' || c == delimiter_) break;
                cell.text += static_cast<char>(in_.get());
                if (++bytes > max_bytes_) {
                    error = "a row starting on line " + std::to_string(start_line) + " is larger than the limit";
                    cells.push_back(std::move(cell));
                    return true;
                }
            }
            cells.push_back(std::move(cell));
            c = in_.get();
            if (c == delimiter_) continue;
            if (c == '\r' && in_.peek() == '\n') in_.get();
            if (c != ByteStream::kEof) ++line_;
            return true;
        }
    }

    ByteStream in_;
    std::size_t max_bytes_;
    char delimiter_ = ',';
    int line_ = 1;
};

// ----- JSON array (streamed) and JSON Lines

void shift(vanban::json::Document& doc, int line, int column) {
    for (auto& [pointer, p] : doc.positions) {
        if (p.line == 1) p.column += column - 1;
        p.line += line - 1;
    }
}

void parse_into(std::string_view text, int line, int column, Record& record) {
    try {
        record.data = vanban::json::parse(text, record.data.source);
        shift(record.data, line, column);
    } catch (const Error& e) {
        for (Diagnostic d : e.diagnostics()) {
            if (d.line == 1) d.column += column - 1;
            if (d.line > 0) d.line += line - 1;
            RecordError re;
            re.diagnostic = std::move(d);
            record.errors.push_back(std::move(re));
        }
        record.data.value = json::object();
    }
}

class JsonLinesReader final : public RecordReader {
public:
    JsonLinesReader(const std::string& path, const ReaderOptions& options, bool count_only)
        : in_(path), source_(options.source.empty() ? path : options.source), count_only_(count_only),
          max_bytes_(options.max_record_bytes) {}

    bool next(Record& record) override {
        while (true) {
            if (in_.peek() == ByteStream::kEof) return false;
            line_text_.clear();
            bool too_long = false;
            for (int c; (c = in_.get()) != ByteStream::kEof && c != '\n';) {
                if (line_text_.size() < max_bytes_) line_text_ += static_cast<char>(c);
                else too_long = true;
            }
            const int line = line_++;
            if (trim(line_text_).empty()) continue;
            record = Record{};
            record.index = index_++;
            record.line = line;
            record.data.source = source_;
            if (count_only_) return true;
            if (too_long) {
                RecordError e;
                e.diagnostic.kind = DiagnosticKind::limit;
                e.diagnostic.message = "the line is longer than the limit of " + std::to_string(max_bytes_) + " bytes";
                e.diagnostic.source = source_;
                e.diagnostic.line = line;
                record.errors.push_back(std::move(e));
                record.data.value = json::object();
                return true;
            }
            parse_into(line_text_, line, 1, record);
            return true;
        }
    }

private:
    ByteStream in_;
    std::string source_;
    bool count_only_;
    std::size_t max_bytes_;
    std::string line_text_;
    int line_ = 1;
    std::size_t index_ = 0;
};

// Splits a top-level JSON array into elements without parsing the whole document: tracks strings, escapes and
// bracket depth; each element is parsed alone when it is complete. An object whose "records" member is an array
// ({"records": [...]}) is read the same way.
// Where a character-by-character scan of JSON text stands: inside a string or not, how deeply nested. Enough to find
// where one top-level value ends without parsing it.
struct JsonNesting {
    int depth = 0;
    bool in_string = false;
    bool escape = false;
    bool at_top() const { return !in_string && depth == 0; }
    void feed(int c) {
        if (in_string) {
            if (escape) escape = false;
            else if (c == '\\') escape = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
};

class JsonArrayReader final : public RecordReader {
public:
    JsonArrayReader(const std::string& path, const ReaderOptions& options, bool count_only)
        : in_(path), source_(options.source.empty() ? path : options.source), count_only_(count_only),
          max_bytes_(options.max_record_bytes) {
        skip_ws();
        int c = get();
        if (c == '{') {
            find_records_member();
        } else if (c != '[') {
            fail(DiagnosticKind::usage,
                 "records must be a JSON array, an object with a \"records\" array, JSON Lines, CSV or XLSX", source_);
        }
        skip_ws();
        if (peek() == ']') {
            get();
            done_ = true;
        }
    }

    bool next(Record& record) override {
        if (done_) return false;
        skip_ws();
        if (peek() == ByteStream::kEof) {
            done_ = true;
            return false;
        }
        record = Record{};
        record.index = index_++;
        record.line = line_;
        record.data.source = source_;
        const int start_line = line_, start_column = column_;
        text_.clear();
        JsonNesting nesting;
        bool too_long = false;
        int c;
        while ((c = peek()) != ByteStream::kEof) {
            if (nesting.at_top() && (c == ',' || c == ']')) break;
            get();
            if (text_.size() < max_bytes_) {
                if (!count_only_) text_ += static_cast<char>(c);
            } else {
                too_long = true;
            }
            if (count_only_) text_.clear();
            nesting.feed(c);
        }
        const int end = get();
        if (end == ']' || end == ByteStream::kEof) done_ = true;
        if (count_only_) return true;
        auto error = [&](std::string message, int line, int column) {
            RecordError e;
            e.diagnostic.kind = DiagnosticKind::json_syntax;
            e.diagnostic.message = std::move(message);
            e.diagnostic.source = source_;
            e.diagnostic.line = line;
            e.diagnostic.column = column;
            record.errors.push_back(std::move(e));
            record.data.value = json::object();
        };
        if (too_long) {
            error("the record is larger than the limit of " + std::to_string(max_bytes_) + " bytes", start_line, start_column);
        } else if (trim(text_).empty()) {
            error("an empty element in the records array", start_line, start_column);
        } else if (end == ByteStream::kEof) {
            error("the records array is not closed (unterminated string or bracket?)", start_line, start_column);
            parse_into(text_, start_line, start_column, record);
        } else {
            parse_into(text_, start_line, start_column, record);
        }
        return true;
    }

private:
    int peek() { return in_.peek(); }
    int get() {
        int c = in_.get();
        if (c == '\n') {
            ++line_;
            column_ = 1;
        } else if (c != ByteStream::kEof && (c & 0xC0) != 0x80) {
            ++column_;
        }
        return c;
    }
    void skip_ws() {
        while (true) {
            int c = peek();
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') get();
            else break;
        }
    }
    std::string read_string() {
        std::string s;
        bool escape = false;
        for (int c; (c = get()) != ByteStream::kEof;) {
            if (escape) {
                s += static_cast<char>(c);
                escape = false;
            } else if (c == '\\') {
                escape = true;
            } else if (c == '"') {
                return s;
            } else {
                s += static_cast<char>(c);
            }
        }
        return s;
    }
    void skip_value() {
        JsonNesting nesting;
        for (int c; (c = peek()) != ByteStream::kEof;) {
            if (nesting.at_top() && (c == ',' || c == '}')) return;
            get();
            nesting.feed(c);
        }
    }
    void find_records_member() {
        while (true) {
            skip_ws();
            int c = get();
            if (c != '"') break;
            std::string key = read_string();
            skip_ws();
            if (get() != ':') break;
            skip_ws();
            if (key == "records" && peek() == '[') {
                get();
                return;
            }
            skip_value();
            skip_ws();
            if (get() != ',') break;
        }
        fail(DiagnosticKind::usage, "the JSON object has no \"records\" array (give an array of records, or "
                                    "{\"records\": [...]})", source_);
    }

    ByteStream in_;
    std::string source_;
    bool count_only_;
    std::size_t max_bytes_;
    std::string text_;
    int line_ = 1, column_ = 1;
    std::size_t index_ = 0;
    bool done_ = false;
};

// ----- XLSX

// A document type declaration in a workbook part is refused: Excel never writes one, and it is how entity bombs and
// external entities come in. It is looked for in the part's first bytes before libxml2 reads them, and again in the
// nodes (one past the first block, or in another encoding). The parts are parsed without XML_PARSE_HUGE, so libxml2's
// own limits on text size and entity amplification stay on too.
[[noreturn]] void refuse_doctype(std::string_view part, const std::string& source) {
    fail(DiagnosticKind::package, std::string(part) + ": a document type declaration (DTD) is not allowed in a workbook",
         source);
}

// The next node of a workbook part (xmlTextReaderRead's result).
int read_node(xmlTextReader* r, std::string_view part, const std::string& source) {
    const int rc = xmlTextReaderRead(r);
    if (rc == 1 && xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE) refuse_doctype(part, source);
    return rc;
}

struct XmlReaderDeleter {
    void operator()(xmlTextReader* r) const noexcept { xmlFreeTextReader(r); }
};
using XmlReader = std::unique_ptr<xmlTextReader, XmlReaderDeleter>;

XmlReader xml_reader(const std::string& xml, const std::string& name, const std::string& source) {
    if (core::declares_doctype(xml)) refuse_doctype(name, source);
    XmlReader r(xmlReaderForMemory(xml.data(), static_cast<int>(xml.size()), name.c_str(), nullptr,
                                   XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!r) fail(DiagnosticKind::package, "cannot read " + name);
    return r;
}

std::string_view local_name(xmlTextReader* r) {
    const xmlChar* n = xmlTextReaderConstLocalName(r);
    return n ? std::string_view(reinterpret_cast<const char*>(n)) : std::string_view();
}

std::optional<std::string> attribute(xmlTextReader* r, const char* name, const char* ns = nullptr) {
    xmlChar* v = ns ? xmlTextReaderGetAttributeNs(r, reinterpret_cast<const xmlChar*>(name), reinterpret_cast<const xmlChar*>(ns))
                    : xmlTextReaderGetAttribute(r, reinterpret_cast<const xmlChar*>(name));
    if (!v) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return s;
}

std::string_view node_value(xmlTextReader* r) {
    const xmlChar* v = xmlTextReaderConstValue(r);
    return v ? std::string_view(reinterpret_cast<const char*>(v)) : std::string_view();
}

// OOXML escapes characters XML cannot hold as _xHHHH_ (a carriage return is _x000D_).
std::string decode_xstring(std::string s) {
    if (s.find("_x") == std::string::npos) return s;
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        if (s.compare(i, 2, "_x") == 0 && i + 7 <= s.size() && s[i + 6] == '_') {
            unsigned v = 0;
            auto r = std::from_chars(s.data() + i + 2, s.data() + i + 6, v, 16);
            if (r.ec == std::errc() && r.ptr == s.data() + i + 6) {
                vn::append_utf8(out, v >= 0xD800 && v <= 0xDFFF ? 0xFFFD : v);  // (a lone surrogate is no character)
                i += 7;
                continue;
            }
        }
        out += s[i++];
    }
    return out;
}

bool date_format_code(std::string_view code) {
    std::string stripped;
    for (std::size_t i = 0; i < code.size(); ++i) {
        const char c = code[i];
        if (c == '"') {
            const auto close = code.find('"', i + 1);
            if (close == std::string_view::npos) break;
            i = close;
        } else if (c == '\\' || c == '_' || c == '*') {
            ++i;
        } else if (c == '[') {
            const auto close = code.find(']', i);
            if (close == std::string_view::npos) break;
            const std::string inner = lower_ascii(code.substr(i + 1, close - i - 1));
            if (inner == "h" || inner == "hh" || inner == "m" || inner == "mm" || inner == "s" || inner == "ss")
                stripped += 'h';
            i = close;
        } else {
            stripped += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
    }
    if (stripped == "general") return false;
    return stripped.find_first_of("dyhs") != std::string::npos ||
           (stripped.find('m') != std::string::npos && stripped.find('0') == std::string::npos);
}

bool builtin_date_format(int id) {
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

// An XML reader over one entry of the workbook, inflated piece by piece: a sheet of 100,000 rows is never held whole.
// libxml2 pulls through a C callback, which must not throw: a read error is kept and rethrown by check().
class StreamedXml {
public:
    StreamedXml(const zip::Reader& zip, const std::string& part, const std::string& source)
        : stream_(zip.stream(part)), name_(source + ":" + part) {
        // The prolog is in the first block: a document type declaration there is refused before libxml2 sees it.
        head_.resize(4096);
        std::size_t filled = 0;
        while (filled < head_.size()) {
            const std::size_t n = stream_.read(head_.data() + filled, head_.size() - filled);
            if (n == 0) break;
            filled += n;
        }
        head_.resize(filled);
        if (core::declares_doctype(head_)) refuse_doctype(part, source);
        reader_.reset(xmlReaderForIO(&StreamedXml::pull, nullptr, this, name_.c_str(), nullptr,
                                     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
        if (!reader_) fail(DiagnosticKind::package, "cannot read " + part, source);
    }
    StreamedXml(const StreamedXml&) = delete;
    StreamedXml& operator=(const StreamedXml&) = delete;

    xmlTextReader* get() const noexcept { return reader_.get(); }
    // After xmlTextReaderRead returned -1: the archive's own error (corrupt entry) when there was one.
    void check() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    static int pull(void* context, char* buffer, int size) {
        auto* self = static_cast<StreamedXml*>(context);
        if (self->head_used_ < self->head_.size()) {
            const std::size_t n = std::min(self->head_.size() - self->head_used_, static_cast<std::size_t>(size));
            std::memcpy(buffer, self->head_.data() + self->head_used_, n);
            self->head_used_ += n;
            return static_cast<int>(n);
        }
        try {
            return static_cast<int>(self->stream_.read(buffer, static_cast<std::size_t>(size)));
        } catch (...) {
            self->error_ = std::current_exception();
            return -1;
        }
    }
    zip::EntryStream stream_;
    std::string name_;
    std::string head_;  // the first bytes, read ahead to look at the prolog, then handed to libxml2
    std::size_t head_used_ = 0;
    std::exception_ptr error_;
    XmlReader reader_;  // last: freed first, while the stream it pulls from still exists
};

// The workbook's shared-string table. Excel stores every distinct text of a workbook there, so it grows with the
// rows: it is kept in memory while small, and past a limit (ReaderOptions) its texts and their end offsets move to
// unlinked temporary files, read back through a cache of small blocks (a row refers mostly to strings added at about
// its own row, and repeated values to blocks that stay cached), so memory stays flat. The counting pass keeps
// one bit a string: whether it is blank (that is all a blank row needs).
class SharedStrings {
public:
    SharedStrings(bool blank_only, std::size_t memory_limit) : blank_only_(blank_only), memory_limit_(memory_limit) {}

    std::size_t size() const noexcept { return count_; }

    void add(const std::string& text) {
        ++count_;
        if (blank_only_) {
            blank_.push_back(trim(text).empty());
            return;
        }
        if (!texts_) {
            text_ += text;
            ends_.push_back(text_.size());
            if (text_.size() + ends_.size() * sizeof(std::uint64_t) > memory_limit_) spill();
            return;
        }
        write(texts_, text);
        spilled_bytes_ += text.size();
        const std::uint64_t end = spilled_bytes_;
        write(ends_file_, std::string_view(reinterpret_cast<const char*>(&end), sizeof end));
    }

    // After the last add(): spilled data becomes readable.
    void seal() {
        for (auto* f : {texts_.get(), ends_file_.get()})
            if (f && std::fflush(f) != 0) fail_errno("cannot write the shared strings to a temporary file", errno);
    }

    // Bytes of string i, without copying it (a row is charged for its strings before they are copied).
    std::uint64_t length(std::size_t i) {
        if (blank_only_) return blank_[i] ? 0 : 1;
        if (!texts_) return ends_[i] - (i ? ends_[i - 1] : 0);
        std::uint64_t bounds[2] = {0, 0};
        if (i == 0) read(ends_file_, 0, reinterpret_cast<char*>(&bounds[1]), sizeof(std::uint64_t));
        else read(ends_file_, (i - 1) * sizeof(std::uint64_t), reinterpret_cast<char*>(bounds), sizeof bounds);
        return bounds[1] - bounds[0];
    }

    std::string get(std::size_t i) {
        if (blank_only_) return blank_[i] ? std::string() : std::string("x");
        if (!texts_) return text_.substr(i ? ends_[i - 1] : 0, ends_[i] - (i ? ends_[i - 1] : 0));
        std::uint64_t bounds[2] = {0, 0};
        if (i == 0) read(ends_file_, 0, reinterpret_cast<char*>(&bounds[1]), sizeof(std::uint64_t));
        else read(ends_file_, (i - 1) * sizeof(std::uint64_t), reinterpret_cast<char*>(bounds), sizeof bounds);
        std::string out(bounds[1] - bounds[0], '\0');
        read(texts_, bounds[0], out.data(), out.size());
        return out;
    }

private:
    static constexpr std::size_t kBlock = 4u << 10;
    static constexpr std::size_t kBlocks = 512;  // 2 MiB
    using File = std::unique_ptr<std::FILE, FileCloser>;

    static void write(const File& f, std::string_view bytes) {
        if (std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size())
            fail_errno("cannot write the shared strings to a temporary file", errno);
    }

    void spill() {
        texts_.reset(std::tmpfile());
        ends_file_.reset(std::tmpfile());
        if (!texts_ || !ends_file_) fail_errno("cannot create a temporary file for the shared strings", errno);
        write(texts_, text_);
        write(ends_file_, std::string_view(reinterpret_cast<const char*>(ends_.data()), ends_.size() * sizeof(std::uint64_t)));
        spilled_bytes_ = text_.size();
        std::string().swap(text_);
        std::vector<std::uint64_t>().swap(ends_);
    }

    // Copies [offset, offset + size) of `file` through the block cache.
    void read(const File& file, std::uint64_t offset, char* out, std::size_t size) {
        while (size > 0) {
            const std::uint64_t index = offset / kBlock;
            const std::string& block = cached(file, index);
            const std::size_t at = static_cast<std::size_t>(offset - index * kBlock);
            if (at >= block.size()) fail(DiagnosticKind::io, "the shared-string temporary file is shorter than written");
            const std::size_t n = std::min(size, block.size() - at);
            std::memcpy(out, block.data() + at, n);
            out += n;
            offset += n;
            size -= n;
        }
    }

    // A direct-mapped cache: each block of each file has one slot it can be in (no search, no bookkeeping).
    const std::string& cached(const File& file, std::uint64_t index) {
        const std::uint64_t key = index * 2 + (file.get() == texts_.get() ? 0 : 1);
        Block& b = blocks_[static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 55) % kBlocks];
        if (b.valid && b.key == key) return b.data;
        b.data.resize(kBlock);
        const ssize_t n = ::pread(::fileno(file.get()), b.data.data(), kBlock, static_cast<off_t>(index * kBlock));
        if (n < 0) fail_errno("cannot read the shared strings back from their temporary file", errno);
        b.data.resize(static_cast<std::size_t>(n));
        b.key = key;
        b.valid = true;
        return b.data;
    }

    struct Block {
        bool valid = false;
        std::uint64_t key = 0;
        std::string data;
    };

    bool blank_only_;
    std::size_t memory_limit_;
    std::size_t count_ = 0;
    std::vector<bool> blank_;
    std::string text_;
    std::vector<std::uint64_t> ends_;
    File texts_, ends_file_;
    std::uint64_t spilled_bytes_ = 0;
    std::array<Block, kBlocks> blocks_{};
};

// Archive limits for a workbook: a sheet is streamed, so it may be far larger than a template part.
zip::Limits workbook_limits() {
    zip::Limits limits;
    limits.max_entry_size = 1ull << 40;
    limits.max_total_size = 1ull << 42;
    return limits;
}

class XlsxReader final : public TabularReader {
public:
    XlsxReader(const std::string& path, const ReaderOptions& options, bool count_only)
        : TabularReader(options, options.source.empty() ? path : options.source, true, count_only),
          zip_(zip::Reader::from_file(path, workbook_limits())),
          // The counting pass reads the texts too: telling titles, totals and notes from records needs them.
          shared_(false, options.xlsx_strings_in_memory),
          max_row_bytes_(options.max_record_bytes) {
        if (!zip_.contains("xl/workbook.xml")) fail(DiagnosticKind::usage, "not an XLSX workbook (no xl/workbook.xml)", source_);
        const std::string sheet_part = find_sheet(zip_, options.sheet);
        if (zip_.contains("xl/sharedStrings.xml")) read_shared_strings();
        if (zip_.contains("xl/styles.xml")) read_styles(zip_.read("xl/styles.xml"));
        if (!zip_.contains(sheet_part)) fail(DiagnosticKind::usage, "the workbook has no part " + sheet_part, source_);
        if (!count_only && options.schema) read_lists(*options.schema, options.max_record_bytes);
        read_merges(sheet_part);
        sheet_.emplace(zip_, sheet_part, source_);
        row_number_ = 0;
        done_ = false;
        find_header();
    }

    bool read_raw(RawRow& row) override {
        if (!read_row(row.cells)) return false;
        row.where = row_number_;
        if (!merges_.empty()) fill_merged(row.cells, row_number_);
        return true;
    }

private:
    std::string find_sheet(const zip::Reader& zip, const std::string& wanted) {
        static constexpr const char* kRelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        const std::string workbook = zip.read("xl/workbook.xml");
        auto r = xml_reader(workbook, "xl/workbook.xml", source_);
        std::vector<std::pair<std::string, std::string>> sheets;  // name, relationship id
        int rc;
        while ((rc = read_node(r.get(), "xl/workbook.xml", source_)) == 1) {
            if (xmlTextReaderNodeType(r.get()) != XML_READER_TYPE_ELEMENT) continue;
            const auto n = local_name(r.get());
            if (n == "workbookPr") {
                auto v = attribute(r.get(), "date1904");
                date1904_ = v && (*v == "1" || *v == "true");
            } else if (n == "sheet") {
                sheets.emplace_back(attribute(r.get(), "name").value_or(""), attribute(r.get(), "id", kRelNs).value_or(""));
            }
        }
        if (rc < 0) fail(DiagnosticKind::package, "xl/workbook.xml is not well-formed XML", source_);
        if (sheets.empty()) fail(DiagnosticKind::usage, "the workbook has no sheets", source_);
        auto sheet = sheets.begin();
        if (!wanted.empty()) {
            sheet = std::find_if(sheets.begin(), sheets.end(), [&](const auto& s) { return s.first == wanted; });
            if (sheet == sheets.end()) {
                std::string names;
                for (const auto& s : sheets) names += (names.empty() ? "'" : ", '") + s.first + "'";
                fail(DiagnosticKind::usage, "the workbook has no sheet named '" + wanted + "' (it has " + names + ")", source_);
            }
        }
        // Resolve the relationships to the worksheet parts; fall back to the conventional names.
        std::map<std::string, std::string> targets;  // relationship id → part
        if (zip.contains("xl/_rels/workbook.xml.rels")) {
            const std::string rels = zip.read("xl/_rels/workbook.xml.rels");
            auto rr = xml_reader(rels, "xl/_rels/workbook.xml.rels", source_);
            while (read_node(rr.get(), "xl/_rels/workbook.xml.rels", source_) == 1) {
                if (xmlTextReaderNodeType(rr.get()) != XML_READER_TYPE_ELEMENT || local_name(rr.get()) != "Relationship")
                    continue;
                std::string t = attribute(rr.get(), "Target").value_or("");
                if (t.starts_with("/")) t = t.substr(1);
                else if (!t.empty()) t = "xl/" + t;
                if (!t.empty()) targets.emplace(attribute(rr.get(), "Id").value_or(""), t);
            }
        }
        for (std::size_t i = 0; i < sheets.size(); ++i) {
            auto t = targets.find(sheets[i].second);
            sheet_parts_.emplace_back(sheets[i].first, t != targets.end() ? t->second
                                                                          : "xl/worksheets/sheet" + std::to_string(i + 1) + ".xml");
        }
        main_sheet_ = static_cast<std::size_t>(sheet - sheets.begin());
        return sheet_parts_[main_sheet_].second;
    }

    void read_shared_strings() {
        const StreamedXml xml(zip_, "xl/sharedStrings.xml", source_);
        xmlTextReader* r = xml.get();
        std::string current;
        int in_t = 0, in_rph = 0;
        int rc;
        while ((rc = read_node(r, "xl/sharedStrings.xml", source_)) == 1) {
            const int type = xmlTextReaderNodeType(r);
            const auto n = local_name(r);
            if (type == XML_READER_TYPE_ELEMENT) {
                const bool empty = xmlTextReaderIsEmptyElement(r);
                if (n == "si") {
                    current.clear();
                    if (empty) shared_.add({});
                } else if (n == "t" && !empty) {
                    ++in_t;
                } else if ((n == "rPh" || n == "phoneticPr") && !empty) {
                    ++in_rph;
                }
            } else if (type == XML_READER_TYPE_END_ELEMENT) {
                if (n == "si") shared_.add(decode_xstring(std::move(current)));
                else if (n == "t") in_t = std::max(0, in_t - 1);
                else if (n == "rPh" || n == "phoneticPr") in_rph = std::max(0, in_rph - 1);
            } else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                        type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_CDATA) &&
                       in_t > 0 && in_rph == 0) {
                current += node_value(r);
            }
        }
        if (rc < 0) {
            xml.check();
            fail(DiagnosticKind::package, "xl/sharedStrings.xml is not well-formed XML", source_);
        }
        shared_.seal();
    }

    void read_styles(const std::string& xml) {
        auto r = xml_reader(xml, "xl/styles.xml", source_);
        std::map<int, std::string> custom;
        bool in_xfs = false;
        while (read_node(r.get(), "xl/styles.xml", source_) == 1) {
            const int type = xmlTextReaderNodeType(r.get());
            const auto n = local_name(r.get());
            if (type == XML_READER_TYPE_ELEMENT) {
                if (n == "numFmt") {
                    custom[bounded_int(attribute(r.get(), "numFmtId").value_or("0"))] =
                        attribute(r.get(), "formatCode").value_or("");
                } else if (n == "cellXfs") {
                    in_xfs = !xmlTextReaderIsEmptyElement(r.get());
                } else if (n == "xf" && in_xfs) {
                    const int id = bounded_int(attribute(r.get(), "numFmtId").value_or("0"));
                    auto c = custom.find(id);
                    date_styles_.push_back(c != custom.end() ? date_format_code(c->second) : builtin_date_format(id));
                }
            } else if (type == XML_READER_TYPE_END_ELEMENT && n == "cellXfs") {
                in_xfs = false;
            }
        }
    }

    bool is_date_style(const std::string& s) const {
        const auto i = static_cast<std::size_t>(bounded_int(s));
        return i < date_styles_.size() && date_styles_[i];
    }

    // The r, t and s attributes of the current <row> or <c> into ref_, type_, style_ ("" when absent), in one pass
    // over the attributes without allocating (this runs for every cell of the sheet).
    void read_attributes(xmlTextReader* r) {
        ref_.clear();
        type_.clear();
        style_.clear();
        for (int more = xmlTextReaderMoveToFirstAttribute(r); more == 1; more = xmlTextReaderMoveToNextAttribute(r)) {
            const auto name = local_name(r);
            if (name == "r") ref_ = node_value(r);
            else if (name == "t") type_ = node_value(r);
            else if (name == "s") style_ = node_value(r);
        }
        xmlTextReaderMoveToElement(r);
    }

    void finish_cell(std::vector<Cell>& cells, Cell cell, const std::string& type, bool date_style,
                     const std::string& value, const std::string& inline_text) {
        if (type == "s") {
            std::size_t i = 0;
            auto r = std::from_chars(value.data(), value.data() + value.size(), i);
            if (r.ec != std::errc() || i >= shared_.size()) {
                cell.kind = Cell::Kind::error;
                cell.text = "(shared string " + value + " does not exist)";
            } else {
                charge_row(shared_.length(i));  // before the copy: a bomb repeats one huge string in every cell
                cell.kind = Cell::Kind::text;
                cell.text = shared_.get(i);
            }
        } else if (type == "inlineStr") {
            cell.kind = Cell::Kind::text;
            cell.text = decode_xstring(inline_text);
        } else if (type == "str") {
            cell.kind = Cell::Kind::text;
            cell.text = decode_xstring(value);
        } else if (type == "b") {
            cell.kind = Cell::Kind::boolean;
            cell.number = value == "1" || value == "true" ? 1 : 0;
        } else if (type == "e") {
            cell.kind = Cell::Kind::error;
            cell.text = value;
        } else if (type == "d") {
            // An ISO 8601 date written as text (strict OOXML); typed like a text date.
            cell.kind = Cell::Kind::text;
            cell.text = value.substr(0, 10);
        } else {
            if (trim(value).empty()) return;
            auto v = parse_number(trim(value));
            if (!v) {
                cell.kind = Cell::Kind::text;
                cell.text = value;
            } else {
                cell.kind = date_style ? Cell::Kind::date : Cell::Kind::number;
                cell.number = *v;
            }
        }
        if (type != "s") charge_row(cell.text.size());
        cells.push_back(std::move(cell));
    }

    // The row's text counts against the record limit as its cells are read, shared strings included.
    void charge_row(std::uint64_t bytes) {
        row_bytes_ += bytes;
        if (row_bytes_ > max_row_bytes_)
            fail(DiagnosticKind::limit,
                 "row " + std::to_string(row_number_) + " holds more than the limit of " + std::to_string(max_row_bytes_) +
                     " bytes of text (a cell's shared string counts each time a cell refers to it)",
                 source_);
    }

    // The next <row>'s cells (columns from the r attributes; cells without r follow the previous one).
    bool read_row(std::vector<Cell>& cells) {
        cells.clear();
        row_bytes_ = 0;
        if (done_) return false;
        xmlTextReader* r = sheet_->get();
        bool in_row = false;
        int column = 0;
        Cell cell;
        std::string type, value, inline_text;
        bool date_style = false, in_cell = false;
        int in_v = 0, in_t = 0, in_rph = 0;
        int rc;
        while ((rc = read_node(r, "the worksheet", source_)) == 1) {
            const int node = xmlTextReaderNodeType(r);
            if (node == XML_READER_TYPE_ELEMENT) {
                const auto n = local_name(r);
                const bool empty = xmlTextReaderIsEmptyElement(r);
                if (n == "row") {
                    read_attributes(r);
                    row_number_ = ref_.empty() ? std::min(row_number_, kMaxRow) + 1 : bounded_int(ref_);
                    column = 0;
                    in_row = true;
                    if (empty) return true;
                } else if (n == "c" && in_row) {
                    cell = Cell{};
                    read_attributes(r);
                    column = ref_.empty() ? column + 1 : column_index(ref_);
                    if (column <= 0) column = static_cast<int>(cells.size()) + 1;
                    cell.column = column;
                    cell.line = row_number_;
                    type = type_.empty() ? "n" : type_;
                    date_style = !style_.empty() && is_date_style(style_);
                    value.clear();
                    inline_text.clear();
                    in_cell = !empty;
                } else if (in_cell && n == "v" && !empty) {
                    ++in_v;
                } else if (in_cell && n == "t" && !empty) {
                    ++in_t;
                } else if (in_cell && n == "rPh" && !empty) {
                    ++in_rph;
                }
            } else if (node == XML_READER_TYPE_END_ELEMENT) {
                const auto n = local_name(r);
                if (n == "c" && in_cell) {
                    in_cell = false;
                    finish_cell(cells, std::move(cell), type, date_style, value, inline_text);
                } else if (n == "v") {
                    in_v = std::max(0, in_v - 1);
                } else if (n == "t") {
                    in_t = std::max(0, in_t - 1);
                } else if (n == "rPh") {
                    in_rph = std::max(0, in_rph - 1);
                } else if (n == "row" && in_row) {
                    return true;
                } else if (n == "sheetData") {
                    done_ = true;
                    return in_row;
                }
            } else if (node == XML_READER_TYPE_TEXT || node == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                       node == XML_READER_TYPE_WHITESPACE || node == XML_READER_TYPE_CDATA) {
                if (in_v > 0) value += node_value(r);
                else if (in_t > 0 && in_rph == 0) inline_text += node_value(r);
            }
        }
        if (rc < 0) {
            sheet_->check();
            fail(DiagnosticKind::package, "the worksheet XML is not well-formed", source_);
        }
        done_ = true;
        return in_row;
    }

    // ----- list sheets: the rows of a list field (achievements, awards …) on a sheet of their own, keyed by the
    // record's "STT" (or by a column naming a field of the record, such as "Họ và tên")

    struct ListItem {
        json value;
        std::vector<RecordError> errors;
        std::unordered_map<std::string, RecordError> cells;  // pointer inside the item → where
        int row = 0;
    };
    struct ListSheet {
        std::string sheet;
        json path;              // the list field in the record
        std::string pointer;    // its JSON pointer
        std::optional<json> key_path;  // a field of the record; nullopt: the "STT" column
        std::map<std::string, std::vector<ListItem>> items;  // by key, in sheet order
        std::set<std::string> used;
    };

    static std::string cell_text(const Cell& c) {
        if (c.kind == Cell::Kind::number || c.kind == Cell::Kind::date) return number_text(c.number);
        return c.kind == Cell::Kind::text ? normalise_text(trim(c.text)) : std::string();
    }

    static const json* schema_at(const json& schema, const json& path) {
        const json* node = &schema;
        for (const auto& seg : path) node = node ? child_schema(schema, node, seg) : nullptr;
        return node;
    }

    void read_lists(const json& schema, std::size_t max_bytes) {
        const ColumnNamer root(&schema);
        for (std::size_t i = 0; i < sheet_parts_.size(); ++i) {
            if (i == main_sheet_) continue;
            const auto& [name, part] = sheet_parts_[i];
            if (vn::match_key(name) == vn::match_key("Hướng dẫn")) continue;  // the generated sheet's instructions
            const auto r = root.resolve(name);
            const json* node = r.kind == ColumnNamer::Resolution::Kind::field ? schema_at(schema, r.path) : nullptr;
            const json* items = node ? schema_items(schema, node) : nullptr;
            if (!items || !zip_.contains(part)) {
                notice(0, name,
                       make_diagnostic(DiagnosticKind::data, "batch.sheet_ignored",
                                       "sheet '" + name + "' is not named after a list field of the template: not read",
                                       "Trang “" + name + "” không trùng tên danh sách nào của mẫu (ví dụ “Thành tích đạt "
                                       "được”): không đọc trang này.",
                                       source_));
                continue;
            }
            read_list(schema, root, name, part, r.path, items, max_bytes);
        }
    }

    void read_list(const json& schema, const ColumnNamer& root, const std::string& name, const std::string& part,
                   const json& path, const json* items, std::size_t max_bytes) {
        sheet_.emplace(zip_, part, source_);
        row_number_ = 0;
        done_ = false;
        ListSheet list;
        list.sheet = name;
        list.path = path;
        for (const auto& seg : path) append_token(list.pointer, seg.is_string() ? seg.get<std::string>() : seg.dump());
        const std::string where = source_ + " [" + name + "]";
        std::vector<Cell> cells, header;
        int key_column = 0;
        for (int scanned = 0; !key_column && scanned < static_cast<int>(kHeaderScanRows) && read_row(cells); ++scanned) {
            for (const Cell& c : cells) {
                const std::string text = cell_text(c);
                if (text.empty()) continue;
                if (is_row_number_header(text)) {
                    key_column = c.column;
                    break;
                }
                const auto r = root.resolve(text);
                const json* node = r.kind == ColumnNamer::Resolution::Kind::field ? schema_at(schema, r.path) : nullptr;
                if (node && r.path != path && !schema_items(schema, node)) {
                    key_column = c.column;
                    list.key_path = r.path;
                    break;
                }
            }
            if (key_column) header = cells;
        }
        if (!key_column)
            throw Error(make_diagnostic(
                DiagnosticKind::usage, "batch.list_sheet_without_key",
                "sheet '" + name + "': no header row with an STT column (or a column naming the record, such as a name)",
                "Trang “" + name + "” không có dòng tên cột với cột STT (số thứ tự của dòng ở trang danh sách chính) "
                "hoặc một cột chỉ ra người/tập thể (ví dụ “Họ và tên”).",
                source_));
        std::vector<Cell> item_header;
        for (const Cell& c : header)
            if (c.column != key_column) item_header.push_back(c);
        const bool scalar = schema_properties(schema, items).empty();
        std::optional<Tabular> table;
        ColumnSpec scalar_spec;
        int scalar_column = 0;
        if (!scalar) {
            table.emplace(item_header, ColumnNamer(&schema, items), &schema, where, true, items);
            table->set_date1904(date1904_);
        } else {
            for (const Cell& c : item_header)
                if (!cell_text(c).empty()) {
                    scalar_column = c.column;
                    scalar_spec = column_spec(&schema, cell_text(c), json::array(), items);
                    break;
                }
        }
        std::string last_key;
        std::size_t bytes = 0;
        while (read_row(cells)) {
            if (Tabular::blank(cells)) continue;
            std::string key;
            std::vector<Cell> rest;
            for (Cell& c : cells) {
                if (c.column == key_column) key = cell_text(c);
                else rest.push_back(c);
                bytes += c.text.size() + 16;
            }
            if (bytes > max_bytes)
                throw Error(make_diagnostic(DiagnosticKind::limit, "batch.list_sheet_too_large",
                                            "sheet '" + name + "' is larger than the limit of " + std::to_string(max_bytes) + " bytes",
                                            "Trang “" + name + "” quá lớn (quá " + std::to_string(max_bytes >> 20) +
                                                " MB): hãy chia danh sách thành nhiều tệp.",
                                            source_));
            if (key.empty()) key = last_key;  // a person's further rows often leave the STT empty (or merged)
            last_key = key;
            if (key.empty() || Tabular::blank(rest)) continue;
            ListItem item;
            item.row = row_number_;
            if (table) {
                Record rec;
                rec.row = row_number_;
                rec.data.source = where;
                table->build(rest, rec);
                item.value = std::move(rec.data.value);
                item.errors = std::move(rec.errors);
                item.cells = std::move(rec.cells);
            } else {
                for (const Cell& c : rest) {
                    if (c.column != scalar_column) continue;
                    std::string error;
                    item.value = convert(c, scalar_spec, date1904_, error).value_or(json());
                    RecordError at;
                    at.field = scalar_spec.header;
                    at.cell = column_letters(c.column) + std::to_string(c.line);
                    at.diagnostic.source = where;
                    at.diagnostic.line = c.line;
                    at.diagnostic.column = c.column;
                    if (!error.empty()) {
                        RecordError e = at;
                        e.diagnostic.kind = DiagnosticKind::data;
                        e.diagnostic.message = "cell " + at.cell + " '" + scalar_spec.header + "': " + error;
                        item.errors.push_back(std::move(e));
                    }
                    item.cells.emplace("", std::move(at));
                }
                if (item.value.is_null()) continue;
            }
            list.items[key].push_back(std::move(item));
        }
        sheet_.reset();
        lists_.push_back(std::move(list));
    }

    void attach_lists(Record& record, const std::string& row_key) override {
        for (ListSheet& list : lists_) {
            std::string key = row_key;
            if (list.key_path) {
                const json* v = &record.data.value;
                for (const auto& seg : *list.key_path) {
                    if (!v || !seg.is_string() || !v->is_object() || !v->contains(seg.get<std::string>())) v = nullptr;
                    else v = &(*v)[seg.get<std::string>()];
                }
                key = !v ? "" : v->is_string() ? v->get<std::string>() : v->is_number() ? number_text(v->get<double>()) : "";
            }
            auto it = list.items.find(key);
            if (key.empty() || it == list.items.end()) continue;
            list.used.insert(key);
            json* target = &record.data.value;
            for (const auto& seg : list.path) {
                if (!target->is_object()) *target = json::object();
                target = &(*target)[seg.get<std::string>()];
            }
            if (!target->is_null()) {
                RecordError e;
                e.diagnostic = make_diagnostic(
                    DiagnosticKind::data, "batch.list_twice",
                    "the list is given twice: in this row's columns and on sheet '" + list.sheet + "'",
                    "Danh sách này được ghi hai lần: ở các cột của dòng này và ở trang “" + list.sheet + "”; hãy giữ một chỗ.",
                    source_);
                e.diagnostic.json_pointer = list.pointer;
                record.errors.push_back(std::move(e));
                continue;
            }
            *target = json::array();
            for (const ListItem& item : it->second) {
                const std::string prefix = list.pointer + "/" + std::to_string(target->size());
                target->push_back(item.value);
                for (RecordError e : item.errors) {
                    e.diagnostic.json_pointer = prefix + e.diagnostic.json_pointer;
                    e.cell = list.sheet + "!" + e.cell;
                    record.errors.push_back(std::move(e));
                }
                for (const auto& [pointer, at] : item.cells) {
                    RecordError located = at;
                    located.cell = list.sheet + "!" + at.cell;
                    record.cells.insert_or_assign(prefix + pointer, std::move(located));
                }
            }
        }
    }

    void at_end() override {
        for (const ListSheet& list : lists_)
            for (const auto& [key, items] : list.items) {
                if (list.used.contains(key)) continue;
                for (const ListItem& item : items)
                    notice(item.row, std::string(cut_utf8(key, 200)),
                           make_diagnostic(DiagnosticKind::data, "batch.list_row_unmatched",
                                           "sheet '" + list.sheet + "' row " + std::to_string(item.row) + ": no record has '" +
                                               key + "' (STT or the key column): not used",
                                           "Trang “" + list.sheet + "” dòng " + std::to_string(item.row) +
                                               ": không có dòng nào ở trang danh sách chính ứng với “" + key +
                                               "”; dòng này không được dùng.",
                                           source_));
            }
    }

    // ----- merged cells: a value merged down over several rows fills each of them (a unit written once for the
    // people under it). Excel keeps the merges after the rows, so they are found first by a scan of the sheet's bytes.

    struct Merge {
        int top = 0, bottom = 0, column = 0;
        std::optional<Cell> value;  // the top cell, once its row is read
    };
    static constexpr std::size_t kMaxMerges = 100000;

    void read_merges(const std::string& part) {
        zip::EntryStream stream = zip_.stream(part);
        std::vector<char> buffer(64 * 1024);
        std::string text;
        for (std::size_t n; (n = stream.read(buffer.data(), buffer.size())) > 0;) {
            text.append(buffer.data(), n);
            std::size_t pos = 0, keep = text.size() > 16 ? text.size() - 16 : 0;
            while ((pos = text.find("mergeCell ", pos)) != std::string::npos) {
                const auto end = text.find('>', pos);
                if (end == std::string::npos) {
                    keep = pos;  // the element goes on in the next block
                    break;
                }
                if (pos > 0 && (text[pos - 1] == '<' || text[pos - 1] == ':')) add_merge(text.substr(pos, end - pos));
                pos = end;
                keep = std::max(keep, end);
            }
            text.erase(0, std::min(keep, text.size()));
            if (text.size() > 4096) text.erase(0, text.size() - 4096);  // no element is that long
        }
        std::sort(merges_.begin(), merges_.end(), [](const Merge& a, const Merge& b) { return a.top < b.top; });
    }

    void add_merge(const std::string& element) {
        const auto at = element.find("ref=\"");
        if (at == std::string::npos || merges_.size() >= kMaxMerges) return;
        const auto close = element.find('"', at + 5);
        const std::string ref = element.substr(at + 5, close == std::string::npos ? 0 : close - at - 5);
        const auto colon = ref.find(':');
        if (colon == std::string::npos) return;
        const auto row_of = [](std::string_view r) {
            std::size_t i = 0;
            while (i < r.size() && !(r[i] >= '0' && r[i] <= '9')) ++i;
            return bounded_int(r.substr(i));
        };
        Merge m;
        m.top = row_of(std::string_view(ref).substr(0, colon));
        m.bottom = row_of(std::string_view(ref).substr(colon + 1));
        m.column = column_index(ref);
        if (m.top > 0 && m.bottom > m.top && m.column > 0) merges_.push_back(std::move(m));  // vertical merges only
    }

    // Copies the value of a merge into the rows it covers below its top row.
    void fill_merged(std::vector<Cell>& cells, int row) {
        while (next_merge_ < merges_.size() && merges_[next_merge_].top <= row) active_.push_back(next_merge_++);
        bool added = false;
        for (std::size_t k = 0; k < active_.size();) {
            Merge& m = merges_[active_[k]];
            if (m.bottom < row) {
                active_[k] = active_.back();
                active_.pop_back();
                continue;
            }
            const auto here = std::find_if(cells.begin(), cells.end(), [&](const Cell& c) { return c.column == m.column; });
            if (row == m.top) {
                if (here != cells.end()) m.value = *here;
            } else if (m.value && (here == cells.end() || here->kind == Cell::Kind::empty)) {
                Cell copy = *m.value;
                copy.line = row;
                if (here != cells.end()) *here = std::move(copy);
                else cells.push_back(std::move(copy));
                added = true;
            }
            ++k;
        }
        if (added) std::sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) { return a.column < b.column; });
    }

    std::vector<Merge> merges_;
    std::size_t next_merge_ = 0;
    std::vector<std::size_t> active_;  // merges covering the current row

    std::vector<std::pair<std::string, std::string>> sheet_parts_;  // every sheet: name, part
    std::size_t main_sheet_ = 0;
    std::vector<ListSheet> lists_;

    zip::Reader zip_;  // read from the file as needed; outlives the sheet stream
    SharedStrings shared_;
    std::vector<bool> date_styles_;
    std::optional<StreamedXml> sheet_;
    std::string ref_, type_, style_;  // read_attributes
    int row_number_ = 0;
    std::uint64_t max_row_bytes_;
    std::uint64_t row_bytes_ = 0;
    bool done_ = false;
};

std::unique_ptr<RecordReader> open(const std::string& path, const ReaderOptions& options, bool count_only) {
    RecordFormat f = options.format == RecordFormat::automatic ? format_from_path(path) : options.format;
    switch (f) {
        case RecordFormat::jsonl: return std::make_unique<JsonLinesReader>(path, options, count_only);
        case RecordFormat::csv: return std::make_unique<CsvReader>(path, options, count_only);
        case RecordFormat::xlsx: return std::make_unique<XlsxReader>(path, options, count_only);
        default: return std::make_unique<JsonArrayReader>(path, options, count_only);
    }
}

}  // namespace

RecordFormat format_from_path(const std::string& path) {
    const std::string p = lower_ascii(path);
    if (p.ends_with(".jsonl") || p.ends_with(".ndjson")) return RecordFormat::jsonl;
    if (p.ends_with(".csv") || p.ends_with(".tsv") || p.ends_with(".txt")) return RecordFormat::csv;
    if (p.ends_with(".xlsx") || p.ends_with(".xlsm")) return RecordFormat::xlsx;
    return RecordFormat::json;
}

std::string_view to_string(RecordFormat format) noexcept {
    switch (format) {
        case RecordFormat::automatic: return "auto";
        case RecordFormat::json: return "json";
        case RecordFormat::jsonl: return "jsonl";
        case RecordFormat::csv: return "csv";
        case RecordFormat::xlsx: return "xlsx";
    }
    return "json";
}

void Record::locate(RecordError& error) const {
    Diagnostic& d = error.diagnostic;
    if (d.source.empty()) d.source = data.source;
    if (d.kind == DiagnosticKind::json_syntax) return;
    std::string key = d.json_pointer;
    while (true) {
        if (auto it = cells.find(key); it != cells.end()) {
            if (error.field.empty()) error.field = it->second.field;
            if (error.cell.empty()) error.cell = it->second.cell;
            break;
        }
        if (key.empty()) break;
        key.resize(key.rfind('/'));
    }
    if (d.line == 0) {
        const vanban::json::Position p = data.position_of(d.json_pointer);
        d.line = p.line;
        d.column = p.column;
    }
    if (d.line == 0) {
        d.line = line ? line : row;
    }
}

std::string column_kind(const nlohmann::json& schema, const nlohmann::json& path, const nlohmann::json* base) {
    ColumnSpec spec;
    const json* node = base ? base : &schema;
    for (const auto& seg : path) node = node ? child_schema(schema, node, seg) : nullptr;
    if (node) classify(schema, node, spec);
    switch (spec.type) {
        case CellType::date: return "date";
        case CellType::integer: return "integer";
        case CellType::number: return "number";
        case CellType::boolean: return "boolean";
        case CellType::string: return "string";
        case CellType::any: break;
    }
    return "";
}

void merge_defaults(nlohmann::json& record, const nlohmann::json& defaults) {
    if (!record.is_object() || !defaults.is_object()) return;
    for (auto it = defaults.begin(); it != defaults.end(); ++it) {
        auto mine = record.find(it.key());
        if (mine == record.end()) record[it.key()] = *it;
        else if (mine->is_object() && it->is_object()) merge_defaults(*mine, *it);
    }
}

void apply_set_value(nlohmann::json& target, std::string_view assignment, const nlohmann::json* schema) {
    const auto bad = [&](const std::string& en, const std::string& vi) {
        throw Error(make_diagnostic(DiagnosticKind::usage, "batch.bad_set", "--set " + std::string(assignment) + ": " + en,
                                    "--set " + std::string(assignment) + ": " + vi));
    };
    const auto eq = assignment.find('=');
    if (eq == std::string_view::npos) bad("write path=value", "hãy viết dạng tên_trường=giá_trị");
    const std::string name = normalise_text(trim(assignment.substr(0, eq)));
    const ColumnNamer namer(schema);
    ColumnNamer::Resolution r;
    try {
        r = namer.resolve(name);
    } catch (const Error&) {
        bad("'" + name + "' is not a field path", "“" + name + "” không phải tên trường");
    }
    if (r.kind != ColumnNamer::Resolution::Kind::field) throw Error(namer.describe({{name, "--set", r}}, {}));
    const ColumnSpec spec = column_spec(schema, name, r.path);
    Cell cell;
    cell.kind = Cell::Kind::text;
    cell.text = std::string(assignment.substr(eq + 1));
    std::string error;
    json value = convert(cell, spec, false, error).value_or(json(""));
    if (!error.empty()) bad(error, "giá trị không đúng kiểu của trường (" + error + ")");
    if (!target.is_object()) target = json::object();
    json* node = &target;
    for (const auto& seg : spec.path) {
        if (seg.is_string()) {
            if (!node->is_object()) *node = json::object();
            node = &(*node)[seg.get<std::string>()];
        } else {
            const auto i = seg.get<std::size_t>();
            if (!node->is_array()) *node = json::array();
            while (node->size() <= i) node->push_back(json::object());
            node = &(*node)[i];
        }
    }
    *node = std::move(value);
}

std::unique_ptr<RecordReader> open_records(const std::string& path, const ReaderOptions& options) {
    return open(path, options, false);
}

std::size_t count_records(const std::string& path, const ReaderOptions& options) {
    auto reader = open(path, options, true);
    Record r;
    std::size_t n = 0;
    while (reader->next(r)) ++n;
    return n;
}

nlohmann::json parse_header_path(std::string_view header) {
    nlohmann::json segments = nlohmann::json::array();
    const std::string h(header);
    auto bad = [&](const std::string& why) -> void {
        fail(DiagnosticKind::usage, "header '" + h + "' is not a field path (" + why +
                                        "); write person.full_name or awards[0].year");
    };
    std::size_t i = 0;
    bool expect_key = true;
    while (i < h.size()) {
        if (h[i] == '[') {
            const auto close = h.find(']', i);
            if (close == std::string::npos) bad("unclosed [");
            if (segments.empty()) bad("it starts with an index");
            const std::string digits = h.substr(i + 1, close - i - 1);
            if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
                bad("the index must be a number");
            segments.push_back(std::stoul(digits));
            i = close + 1;
            if (i < h.size() && h[i] != '.' && h[i] != '[') bad("text after ]");
            if (i < h.size() && h[i] == '.') {
                ++i;
                if (i == h.size()) bad("it ends with a dot");
            }
            expect_key = i < h.size() && h[i] != '[';
            continue;
        }
        if (!expect_key && h[i] != '[') bad("unexpected text");
        std::size_t end = h.find_first_of(".[", i);
        if (end == std::string::npos) end = h.size();
        const std::string key = std::string(trim(std::string_view(h).substr(i, end - i)));
        if (key.empty()) bad("an empty field name");
        segments.push_back(key);
        i = end;
        if (i < h.size() && h[i] == '.') {
            ++i;
            if (i == h.size()) bad("it ends with a dot");
            expect_key = true;
        } else {
            expect_key = false;
        }
    }
    if (segments.empty()) bad("it is empty");
    return segments;
}

std::string excel_serial_to_iso(double serial, bool date1904) {
    double fraction = 0;
    auto d = serial_to_date(serial, date1904, &fraction);
    if (!d) return {};
    std::string out = format_date(*d, DateShape::iso);
    const long seconds = std::lround(fraction * 86400.0);
    if (seconds > 0 && seconds < 86400) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "T%02ld:%02ld:%02ld", seconds / 3600, (seconds / 60) % 60, seconds % 60);
        out += buf;
    }
    return out;
}

int column_index(std::string_view ref) {
    int col = 0;
    std::size_t i = 0;
    for (; i < ref.size() && ((ref[i] >= 'A' && ref[i] <= 'Z') || (ref[i] >= 'a' && ref[i] <= 'z')); ++i) {
        col = col * 26 + ((ref[i] | 0x20) - 'a' + 1);
        if (col > 16384) return 0;
    }
    return i == 0 ? 0 : col;
}

std::string column_letters(int column) {
    std::string s;
    while (column > 0) {
        const int r = (column - 1) % 26;
        s.insert(s.begin(), static_cast<char>('A' + r));
        column = (column - 1) / 26;
    }
    return s;
}

}  // namespace vanban::batch
