// Typing the cells of a CSV/XLSX list by the JSON Schema. Takes a cell as read from the file (text, number, date
// serial, true/false, spreadsheet error) and the schema node of its column; gives the JSON value the field wants
// (string, integer, number, boolean, or a date in the shape the schema asks for) or, when the cell cannot be that,
// an error saying why with the cell's text kept as the value. Also the few text helpers the record readers share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch/columns.hpp"
#include "core/ascii.hpp"

namespace vanban::batch::detail {

// ----- text helpers of the record readers

bool is_space(char c) noexcept;  // ASCII white space
std::string_view trim(std::string_view s) noexcept;
std::string normalise_text(std::string_view s);  // NFC (ASCII as is)
using core::ascii_lower;                         // (core/ascii.hpp)
using core::is_ascii;
// A value quoted for a message: at most 60 bytes (cut between characters), line breaks as spaces.
std::string shown(std::string_view s);
// A number as a person writes it: whole numbers without ".0", others in the shortest exact form.
std::string number_text(double v);
// A number as written in a file (a leading '+' allowed); nullopt unless the whole text is one finite number.
std::optional<double> parse_number(std::string_view text);

// ----- cells and columns

enum class CellType { any, string, integer, number, boolean, date };

enum class DateShape { iso, dmy_padded, dmy, dmy_dash, dmy_dot, object };

// A column: its header, the field path it fills and how the schema types its cells.
struct ColumnSpec {
    std::string header;
    nlohmann::json path;  // segments
    CellType type = CellType::any;
    DateShape date = DateShape::iso;
    bool integer_parts = true;        // DateShape::object: year/month/day as integers (else strings)
    std::vector<EnumChoice> choices;  // an enum: a cell matches a value in any case, or its label
    std::string pattern;              // a date pattern that may accept other text too ("1980": a year of birth)
};

// One cell as read from the file.
struct Cell {
    enum class Kind { empty, text, number, boolean, date, error } kind = Kind::empty;
    std::string text;   // text; the error code; the number as written
    double number = 0;  // number, date (a serial day number)
    int line = 0;       // CSV: line of the cell; XLSX: row
    int column = 0;     // 1-based
};

// The node at `path` (segments: keys and indexes) from the root (json_data::schema_child); nullptr when the schema does
// not say.
const nlohmann::json* schema_at(const nlohmann::json& schema, const nlohmann::json& path);

// The column filling `path` (from `base`, or from the root), typed by the schema (untyped without one).
ColumnSpec column_spec(const nlohmann::json* schema, std::string header, nlohmann::json path,
                       const nlohmann::json* base = nullptr);

// Converts a cell for its column; nullopt when the cell is empty. On a typing problem, `error` says why and the
// returned value is the cell's text (so the record keeps its shape).
std::optional<nlohmann::json> convert(const Cell& cell, const ColumnSpec& spec, bool date1904, std::string& error);

}  // namespace vanban::batch::detail
