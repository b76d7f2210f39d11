#include "batch/cell_typing.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <regex>

#include "batch/cells.hpp"
#include "batch/records.hpp"
#include "core/vn.hpp"
#include "json/schema_walk.hpp"

namespace vanban::batch {

namespace detail {

using nlohmann::json;

namespace {

bool pattern_accepts(const std::string& pattern, const std::string& text) {
    try {
        return std::regex_search(text, std::regex(pattern, std::regex::ECMAScript));
    } catch (const std::exception&) {
        return false;
    }
}

void classify(const json& root, const json* node, ColumnSpec& spec) {
    const auto fs = vanban::json_data::schema_branches(root, node);
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
                const json* y = vanban::json_data::resolve_ref(root, &(*props)["year"]);
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
        return json{
            {"year", std::to_string(d.year)}, {"month", std::to_string(d.month)}, {"day", std::to_string(d.day)}};
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

json integral_or_double(double v) {
    if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) return static_cast<long long>(v);
    return v;
}

}  // namespace

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string normalise_text(std::string_view s) { return is_ascii(s) ? std::string(s) : vn::nfc(s); }

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

std::string shown(std::string_view s) {
    std::string v(vn::utf8_prefix(s, 60));
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
            if (spec.type == CellType::date && !styled_date && !spec.pattern.empty() &&
                pattern_accepts(spec.pattern, number_text(v)))
                return number_text(v);
            if (spec.type == CellType::date ||
                (styled_date && (spec.type == CellType::any || spec.type == CellType::string))) {
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
            const std::string l = ascii_lower(text);
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
ColumnSpec column_spec(const json* schema, std::string header, json path, const json* base) {
    ColumnSpec spec;
    spec.header = std::move(header);
    spec.path = std::move(path);
    if (!schema) return spec;
    const json* node = base ? base : schema;
    for (const auto& seg : spec.path) node = node ? vanban::json_data::schema_child(*schema, node, seg) : nullptr;
    if (node) {
        classify(*schema, node, spec);
        spec.choices = schema_enum(*schema, node);
    }
    return spec;
}

const json* schema_at(const json& schema, const json& path) {
    const json* node = &schema;
    for (const auto& seg : path) node = node ? vanban::json_data::schema_child(schema, node, seg) : nullptr;
    return node;
}

}  // namespace detail

using detail::CellType;
using detail::ColumnSpec;
using detail::DateShape;
using nlohmann::json;

std::string column_kind(const nlohmann::json& schema, const nlohmann::json& path, const nlohmann::json* base) {
    ColumnSpec spec;
    const json* node = base ? base : &schema;
    for (const auto& seg : path) node = node ? vanban::json_data::schema_child(schema, node, seg) : nullptr;
    if (node) detail::classify(schema, node, spec);
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

std::string excel_serial_to_iso(double serial, bool date1904) {
    double fraction = 0;
    auto d = detail::serial_to_date(serial, date1904, &fraction);
    if (!d) return {};
    std::string out = detail::format_date(*d, DateShape::iso);
    const long seconds = std::lround(fraction * 86400.0);
    if (seconds > 0 && seconds < 86400) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "T%02ld:%02ld:%02ld", seconds / 3600, (seconds / 60) % 60, seconds % 60);
        out += buf;
    }
    return out;
}

}  // namespace vanban::batch
