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
#include <map>
#include <optional>
#include <regex>
#include <utility>

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

class ByteStream {
public:
    ByteStream(const std::string& path) : buffer_(64 * 1024) {
        file_.reset(std::fopen(path.c_str(), "rb"));
        if (!file_) fail(DiagnosticKind::io, "cannot open records file '" + path + "'");
        fill();
        if (end_ >= 3 && static_cast<unsigned char>(buffer_[0]) == 0xEF &&
            static_cast<unsigned char>(buffer_[1]) == 0xBB && static_cast<unsigned char>(buffer_[2]) == 0xBF)
            pos_ = 3;
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
    bool fill() {
        if (!file_) return false;
        pos_ = 0;
        end_ = std::fread(buffer_.data(), 1, buffer_.size(), file_.get());
        return end_ > 0;
    }
    std::unique_ptr<std::FILE, FileCloser> file_;
    std::vector<char> buffer_;
    std::size_t pos_ = 0, end_ = 0;
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
};

const json* resolve_ref(const json& root, const json* node) {
    for (int hops = 0; node && node->is_object() && hops < 32; ++hops) {
        auto it = node->find("$ref");
        if (it == node->end() || !it->is_string()) return node;
        const std::string ref = it->get<std::string>();
        if (ref.empty() || ref[0] != '#') return nullptr;
        try {
            node = &root.at(json::json_pointer(ref.substr(1)));
        } catch (const std::exception&) {
            return nullptr;
        }
    }
    return node;
}

// The node itself and the branches that add constraints to it (allOf/anyOf/oneOf/then/else), $refs followed.
std::vector<const json*> facets(const json& root, const json* node) {
    std::vector<const json*> out;
    node = resolve_ref(root, node);
    if (!node || !node->is_object()) return out;
    out.push_back(node);
    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
        auto it = node->find(key);
        if (it != node->end() && it->is_array())
            for (const auto& branch : *it)
                if (const json* b = resolve_ref(root, &branch); b && b->is_object()) out.push_back(b);
    }
    for (const char* key : {"then", "else"}) {
        auto it = node->find(key);
        if (it != node->end())
            if (const json* b = resolve_ref(root, &*it); b && b->is_object()) out.push_back(b);
    }
    return out;
}

const json* child_schema(const json& root, const json* node, const json& segment) {
    for (const json* f : facets(root, node)) {
        if (segment.is_string()) {
            const std::string key = segment.get<std::string>();
            auto props = f->find("properties");
            if (props != f->end() && props->is_object() && props->contains(key)) return resolve_ref(root, &(*props)[key]);
        } else {
            const auto i = segment.get<std::size_t>();
            for (const char* key : {"prefixItems", "items"}) {
                auto items = f->find(key);
                if (items == f->end()) continue;
                if (items->is_object()) return resolve_ref(root, &*items);
                if (items->is_array() && i < items->size()) return resolve_ref(root, &(*items)[i]);
            }
        }
    }
    for (const json* f : facets(root, node)) {
        const char* key = segment.is_string() ? "additionalProperties" : "additionalItems";
        auto extra = f->find(key);
        if (extra != f->end() && extra->is_object()) return resolve_ref(root, &*extra);
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
                const json* y = resolve_ref(root, &(*props)["year"]);
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
    const std::string& t = types.front();
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

std::string shown(std::string_view s) {
    std::string v(s.substr(0, 60));
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
    switch (spec.type) {
        case CellType::any:
        case CellType::string: return text;
        case CellType::integer: {
            auto v = parse_number(text);
            if (!v || *v != std::floor(*v) || std::fabs(*v) > 9.007199254740992e15) {
                error = shown(text) + " is not a whole number";
                return text;
            }
            return static_cast<long long>(*v);
        }
        case CellType::number: {
            auto v = parse_number(text);
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
            auto d = vn::parse_date(text);
            if (!d || d->day == 0) {
                error = shown(text) + " is not a valid date (write dd/mm/yyyy or yyyy-mm-dd)";
                return text;
            }
            return date_value(*d, spec);
        }
    }
    return text;
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

// Builds records from rows of cells under a header row (shared by CSV and XLSX).
class Tabular {
public:
    Tabular(const std::vector<Cell>& header, const nlohmann::json* schema, std::string source, bool xlsx, bool count_only)
        : source_(std::move(source)), xlsx_(xlsx), count_only_(count_only) {
        if (count_only_) return;  // counting needs no columns (open_records has checked the header already)
        for (const Cell& h : header) {
            std::string text = h.kind == Cell::Kind::number ? number_text(h.number) : normalise_text(trim(h.text));
            const std::size_t col = static_cast<std::size_t>(h.column - 1);
            if (columns_.size() <= col) columns_.resize(col + 1);
            if (text.empty()) continue;
            ColumnSpec spec;
            spec.header = text;
            spec.path = parse_header_path(text);
            if (schema) {
                const json* node = schema;
                for (const auto& seg : spec.path) {
                    node = node ? child_schema(*schema, node, seg) : nullptr;
                }
                if (node) classify(*schema, node, spec);
            }
            columns_[col] = std::move(spec);
        }
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            if (!columns_[c]) continue;
            HeaderNode* node = &root_;
            const auto& path = columns_[c]->path;
            for (std::size_t i = 0; i < path.size(); ++i)
                node = child_of(*node, path[i], i + 1 == path.size(), columns_[c]->header);
            node->column = static_cast<int>(c);
        }
        if (root_.children.empty()) fail(DiagnosticKind::usage, "the header row names no fields", source_);
    }

    void set_date1904(bool v) noexcept { date1904_ = v; }

    static bool blank(const std::vector<Cell>& row) {
        return std::all_of(row.begin(), row.end(), [](const Cell& c) {
            return c.kind == Cell::Kind::empty || (c.kind == Cell::Kind::text && trim(c.text).empty());
        });
    }

    // Fills `record` from a non-blank row.
    void build(std::vector<Cell>& row, Record& record) {
        if (count_only_) return;
        row_.assign(columns_.size(), nullptr);
        for (Cell& c : row) {
            const auto col = static_cast<std::size_t>(c.column - 1);
            if (col < columns_.size() && columns_[col]) row_[col] = &c;
            else if (!xlsx_ && !(c.kind == Cell::Kind::text && trim(c.text).empty())) {
                RecordError e;
                e.diagnostic.kind = DiagnosticKind::data;
                e.diagnostic.message = "cell " + shown(c.text) + " in column " + std::to_string(c.column) +
                                       " has no header (the header row has " + std::to_string(header_width()) +
                                       " columns); is a comma missing its quotes?";
                e.diagnostic.source = source_;
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

private:
    int header_width() const {
        int n = 0;
        for (std::size_t i = 0; i < columns_.size(); ++i)
            if (columns_[i]) n = static_cast<int>(i + 1);
        return n;
    }

    std::string cell_name(const Cell& c) const {
        return xlsx_ ? column_letters(c.column) + std::to_string(c.line)
                     : "line " + std::to_string(c.line) + ", column " + std::to_string(c.column);
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
    bool count_only_ = false;
    bool date1904_ = false;
    std::vector<std::optional<ColumnSpec>> columns_;
    HeaderNode root_;
    std::vector<const Cell*> row_;
};

// ----- CSV

class CsvReader final : public RecordReader {
public:
    CsvReader(const std::string& path, const ReaderOptions& options, bool count_only)
        : in_(path), source_(options.source.empty() ? path : options.source), max_bytes_(options.max_record_bytes) {
        delimiter_ = sniff_delimiter(path);
        std::vector<Cell> header;
        std::string error;
        do {
            if (!read_row(header, error)) fail(DiagnosticKind::usage, "the CSV file has no header row", source_);
            if (!error.empty()) fail(DiagnosticKind::usage, "the header row: " + error, source_);
        } while (Tabular::blank(header));
        table_.emplace(header, options.schema, source_, false, count_only);
    }

    bool next(Record& record) override {
        std::string error;
        while (true) {
            row_.clear();
            const int start = line_;
            if (!read_row(row_, error)) return false;
            if (error.empty() && Tabular::blank(row_)) continue;
            record = Record{};
            record.index = index_++;
            record.line = start;
            record.data.source = source_;
            if (!error.empty()) {
                RecordError e;
                e.diagnostic.kind = DiagnosticKind::data;
                e.diagnostic.message = error;
                e.diagnostic.source = source_;
                e.diagnostic.line = start;
                record.errors.push_back(std::move(e));
                record.data.value = json::object();
                return true;
            }
            table_->build(row_, record);
            return true;
        }
    }

private:
    char sniff_delimiter(const std::string& path) {
        if (lower_ascii(path).ends_with(".tsv")) return '\t';
        // The most frequent of , ; TAB in the first line (outside quotes); comma when none.
        const std::string_view w = in_.window();
        std::size_t counts[3] = {0, 0, 0};
        bool quoted = false;
        for (char c : w) {
            if (c == '"') quoted = !quoted;
            if (quoted) continue;
            if (c == '\n') break;
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
    std::string source_;
    std::size_t max_bytes_;
    char delimiter_ = ',';
    int line_ = 1;
    std::size_t index_ = 0;
    std::optional<Tabular> table_;
    std::vector<Cell> row_;
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

class XlsxReader final : public RecordReader {
public:
    XlsxReader(const std::string& path, const ReaderOptions& options, bool count_only)
        : source_(options.source.empty() ? path : options.source),
          zip_(zip::Reader::from_file(path, workbook_limits())),
          shared_(count_only, options.xlsx_strings_in_memory),
          max_row_bytes_(options.max_record_bytes) {
        if (!zip_.contains("xl/workbook.xml")) fail(DiagnosticKind::usage, "not an XLSX workbook (no xl/workbook.xml)", source_);
        const std::string sheet_part = find_sheet(zip_, options.sheet);
        if (zip_.contains("xl/sharedStrings.xml")) read_shared_strings();
        if (zip_.contains("xl/styles.xml")) read_styles(zip_.read("xl/styles.xml"));
        if (!zip_.contains(sheet_part)) fail(DiagnosticKind::usage, "the workbook has no part " + sheet_part, source_);
        sheet_.emplace(zip_, sheet_part, source_);
        std::vector<Cell> header;
        do {
            if (!read_row(header)) fail(DiagnosticKind::usage, "the sheet has no header row", source_);
        } while (Tabular::blank(header));
        table_.emplace(header, options.schema, source_, true, count_only);
        table_->set_date1904(date1904_);
    }

    bool next(Record& record) override {
        while (true) {
            if (!read_row(row_)) return false;
            if (Tabular::blank(row_)) continue;
            record = Record{};
            record.index = index_++;
            record.row = row_number_;
            record.data.source = source_;
            table_->build(row_, record);
            return true;
        }
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
        // Resolve the relationship to the worksheet part; fall back to the conventional name.
        std::string target = "xl/worksheets/sheet" + std::to_string(sheet - sheets.begin() + 1) + ".xml";
        if (zip.contains("xl/_rels/workbook.xml.rels")) {
            const std::string rels = zip.read("xl/_rels/workbook.xml.rels");
            auto rr = xml_reader(rels, "xl/_rels/workbook.xml.rels", source_);
            while (read_node(rr.get(), "xl/_rels/workbook.xml.rels", source_) == 1) {
                if (xmlTextReaderNodeType(rr.get()) != XML_READER_TYPE_ELEMENT || local_name(rr.get()) != "Relationship")
                    continue;
                if (attribute(rr.get(), "Id").value_or("") != sheet->second) continue;
                std::string t = attribute(rr.get(), "Target").value_or("");
                if (t.starts_with("/")) target = t.substr(1);
                else if (!t.empty()) target = "xl/" + t;
                break;
            }
        }
        return target;
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

    std::string source_;
    zip::Reader zip_;  // read from the file as needed; outlives the sheet stream
    SharedStrings shared_;
    std::vector<bool> date_styles_;
    bool date1904_ = false;
    std::optional<StreamedXml> sheet_;
    std::string ref_, type_, style_;  // read_attributes
    std::optional<Tabular> table_;
    std::vector<Cell> row_;
    int row_number_ = 0;
    std::size_t index_ = 0;
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
    if (p.ends_with(".csv") || p.ends_with(".tsv")) return RecordFormat::csv;
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

std::unique_ptr<RecordReader> open_records(const std::string& path, const ReaderOptions& options) {
    return open(path, options, false);
}

std::size_t count_records(const std::string& path, const ReaderOptions& options) {
    ReaderOptions o = options;
    o.schema = nullptr;
    auto reader = open(path, o, true);
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
