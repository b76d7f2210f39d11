// Streaming record readers for `vanban batch`: one record at a time from a JSON array (or an object with a
// "records" array), JSON Lines, CSV (RFC 4180) or an XLSX sheet, each with where it came from (line or row) so that
// every problem can be reported at its place in the file the user edits.
//
// Memory does not grow with the number of records: JSON arrays are split by a small incremental scanner and only the
// current element is parsed; CSV and JSON Lines are read through a fixed buffer; XLSX rows are read with libxml2's
// streaming reader over the sheet as it is inflated from the archive (a large shared-string table goes to a temporary
// file).
//
// Tabular records (CSV, XLSX) are built from the header row: each header cell is a dotted path ("person.full_name",
// "awards[0].year") and the cells below become nested JSON. When a JSON Schema is given, each cell is typed by the
// schema node of its path (string, integer, number, boolean, date); a cell that cannot be typed is a per-cell error
// naming the row, the column and the value.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch/batch.hpp"
#include "json/json_source.hpp"
#include "vanban/diagnostic.hpp"

namespace vanban::batch {

enum class RecordFormat { automatic, json, jsonl, csv, xlsx };

// From the file extension (.json, .jsonl/.ndjson, .csv/.tsv, .xlsx); json when unknown.
RecordFormat format_from_path(const std::string& path);
std::string_view to_string(RecordFormat format) noexcept;

// One problem with one record, located in the records file.
struct RecordError {
    Diagnostic diagnostic;  // message, kind, json_pointer (inside the record), source, line, column
    std::string field;      // tabular: the header of the column ("person.full_name")
    std::string cell;       // XLSX: the cell reference ("C5"); CSV: "line 7, column 3"
};

struct Record {
    std::size_t index = 0;  // 0-based position among the records (empty rows and blank lines do not count)
    int line = 0;           // JSON/JSON Lines/CSV: the line where the record starts (1-based); 0 for XLSX
    int row = 0;            // XLSX: the sheet row (1-based); 0 otherwise
    // The record's value and where each value is: JSON: line:column in the records file; CSV: line and column
    // number of the cell; XLSX: row and column number of the cell.
    json_data::Document data;
    std::unordered_map<std::string, RecordError> cells;  // tabular: JSON pointer → field/cell (for locating errors)
    std::vector<RecordError> errors;                     // problems found while reading (syntax, cell types)
    // JSON and JSON Lines: the record's own text and where it starts in the file. The reader parses it without
    // positions (most records have no problem to locate); find_positions() parses it again for one that has.
    std::string text;
    int text_line = 1, text_column = 1;
    // JSON and JSON Lines read with ReaderOptions::defer_parsing: `text` is not parsed yet (parse() does it).
    bool unparsed = false;

    // Parses `text` into `data` (without positions) when the reader left it unparsed; a syntax error becomes one of
    // `errors`, located in the records file, and the value an empty object. Does nothing for a parsed record.
    void parse();
    // Fills data.positions from `text` when the reader left them out; true when it did (then locate again).
    bool find_positions();
    // Fills line/column/source and field/cell of an error from its json_pointer (nearest located ancestor).
    void locate(RecordError& error) const;
};

struct ReaderOptions {
    RecordFormat format = RecordFormat::automatic;
    std::string sheet;  // XLSX: sheet name; empty: the first sheet
    // CSV/XLSX: the header row (1-based: the sheet's row number, the CSV line); 0: the first row whose cells name the
    // schema's fields (rows above it are skipped and listed).
    int header_row = 0;
    const nlohmann::json* schema = nullptr;  // types tabular cells; may be null
    std::string source;                      // the name used in messages; empty: the path
    std::size_t max_record_bytes = 64u << 20;
    // JSON and JSON Lines: next() only finds where each record is and leaves its text unparsed (Record::parse()), so
    // that the records can be parsed on the threads that use them rather than on the one reading the file.
    bool defer_parsing = false;
    // XLSX: the shared-string table (every distinct text of the workbook) is kept in memory up to this many bytes,
    // then moved to a temporary file read back through a small cache, so memory stays flat for long lists.
    std::size_t xlsx_strings_in_memory = 2u << 20;
};

class RecordReader {
public:
    virtual ~RecordReader() = default;
    // The next record, or false at the end. A record that cannot be read (a JSON syntax error, a CSV row with too
    // many cells) is still returned, with `errors` saying why, so one bad record never stops the others. Problems
    // that make the whole file unusable (not JSON, no header row, a sheet that does not exist) throw vanban::Error
    // (DiagnosticKind::usage or io).
    virtual bool next(Record& record) = 0;
    // CSV/XLSX: the rows read so far that are not records (at most 1000 listed; the rest counted).
    const std::vector<SkippedRow>& skipped_rows() const noexcept { return skipped_; }
    std::size_t skipped_rows_unlisted() const noexcept { return skipped_unlisted_; }
    RecordReader() = default;
    RecordReader(const RecordReader&) = delete;
    RecordReader& operator=(const RecordReader&) = delete;

protected:
    std::vector<SkippedRow> skipped_;
    std::size_t skipped_unlisted_ = 0;
};

// Opens the records file; throws vanban::Error (io: unreadable, usage: wrong shape) before any record is read.
std::unique_ptr<RecordReader> open_records(const std::string& path, const ReaderOptions& options);

// Counts the records without building them (a fast pass for progress totals and loop.length): all of them, or
// `at_most` when there are more; it gives up (returning what it has counted) once `stop` says so.
std::size_t count_records(const std::string& path, const ReaderOptions& options,
                          std::size_t at_most = static_cast<std::size_t>(-1), const std::function<bool()>& stop = {});

// Merges `defaults` under `record`: members the record lacks are copied, objects merged member by member; the
// record's own values win.
void merge_defaults(nlohmann::json& record, const nlohmann::json& defaults);

// Sets "path=value" into `target`: the path named like a column header, the value typed like a cell by the schema.
// Throws vanban::Error (usage, code batch.bad_set) for a missing "=", an unknown field or a value of the wrong type.
void apply_set_value(nlohmann::json& target, std::string_view assignment, const nlohmann::json* schema);

// How the schema types the cells of the column filling `path` (segments from `base`, or from the root):
// "date", "integer", "number", "boolean", "string", or "" when the schema does not say.
std::string column_kind(const nlohmann::json& schema, const nlohmann::json& path, const nlohmann::json* base = nullptr);

// ----- exposed for tests

// Dotted header path → segments; each segment is a key (string) or an index (number). Throws vanban::Error (usage)
// for malformed paths ("a..b", "a[x]", "[0]").
nlohmann::json parse_header_path(std::string_view header);
// Excel serial day number → "YYYY-MM-DD" (with "THH:MM:SS" when it has a time of day); date1904 workbooks count
// from 1904-01-01. Empty when out of range.
std::string excel_serial_to_iso(double serial, bool date1904 = false);
// "C5" → column 3 (1-based), 0 when malformed.
int column_index(std::string_view cell_reference);
std::string column_letters(int column);

}  // namespace vanban::batch
