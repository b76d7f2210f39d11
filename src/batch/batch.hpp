// `vanban batch`: one compiled template, many records, all cores.
//
//   vanban::batch::Options o;
//   o.template_path = "form.docx"; o.records_path = "people.xlsx"; o.output_dir = "out";
//   o.name_expression = "{{ loop.index }}-{{ person.full_name | slug }}";
//   vanban::batch::Summary s = vanban::batch::run(o);      // s.failed == 0 → every record was written
//
// Records are streamed from the file (records.hpp) through a bounded queue to N worker threads, so memory stays flat
// in the number of records. Each record is validated against the JSON Schema (when there is one), rendered and
// written atomically (temporary file, then rename) — or added to one ZIP archive that is itself written to a
// temporary file and renamed at the end. A bad record never stops the others: its problems are reported with the
// record's index, its line (JSON, JSON Lines, CSV) or row (XLSX), the JSON pointer and the message.
//
// This header uses only public types so the command-line front end can call it; the entry points are exported from
// libvanban (VANBAN_API).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vanban/convert.hpp"
#include "vanban/diagnostic.hpp"
#include "vanban/export.h"
#include "vanban/vanban.hpp"

namespace vanban::batch {

enum class OutputKind { docx, odt, pdf };

// When written documents reach the disk. Whatever the mode, every file is complete or absent (temporary file, then
// rename), so an interrupted batch never leaves half a document.
enum class SyncMode {
    end,   // one flush of the output's file system (syncfs) when the batch ends, before the report is written
    each,  // fsync every document and its directory before it counts as written (two disk waits per document)
    none,  // leave it to the operating system (scratch output)
};

enum class Status { ok, failed, skipped, cancelled };
VANBAN_API const char* to_string(Status status) noexcept;

struct RecordIssue {
    Diagnostic diagnostic;  // json_pointer inside the record; source, line, column in the records file
    std::string field;      // CSV/XLSX: the column header
    std::string cell;       // XLSX: "C5"; CSV: "line 7, column 3"
};

struct RecordResult {
    std::size_t index = 0;  // 0-based
    int line = 0;           // JSON, JSON Lines, CSV
    int row = 0;            // XLSX
    Status status = Status::ok;
    std::string output;  // the file written (or the entry in the archive); empty when none
    std::vector<RecordIssue> errors;
    double milliseconds = 0;  // validate + render + write
};

// A row of a CSV/XLSX list that is not a record: above the header row (a title, a note), a total row, a note under
// the table. Reported as skipped, never failed.
struct SkippedRow {
    int line = 0;      // CSV: the line of the row
    int row = 0;       // XLSX: the row number
    std::string text;  // what the row holds (its cells joined with " | ", cut to 200 bytes)
    Diagnostic why;    // code batch.row_above_header / batch.row_total / batch.row_note; message and message_vi
};

struct Progress {
    std::size_t done = 0;   // finished (ok + failed + skipped)
    std::size_t total = 0;  // records in the file (0 while unknown)
    std::size_t ok = 0, failed = 0, skipped = 0;
    double elapsed_seconds = 0;
};

struct Options {
    // Template: a .docx/.odt file or a template directory (the CLI resolves bundled names to one of these).
    std::string template_path;
    std::optional<nlohmann::json> schema;  // validates every record and types CSV/XLSX cells
    std::string schema_name = "schema";
    bool validate = true;                   // false: the schema only types CSV/XLSX cells
    std::vector<std::string> extra_inputs;  // more files whose change invalidates outputs (e.g. the schema file)

    std::string records_path;
    std::string records_format;  // "", "json", "jsonl", "csv", "xlsx" ("": from the extension)
    std::string sheet;           // XLSX sheet name; empty: the first sheet
    int header_row = 0;          // CSV/XLSX: the header's row (XLSX) or line (CSV); 0: found by its field names

    // Values common to every record (the reporting unit, the place, the signer), merged under each record: the
    // record's own values win, objects are merged member by member.
    nlohmann::json defaults = nlohmann::json::object();
    // More common values, "path=value" as on the command line (--set): the path named like a column header (dotted
    // path, title or alias), the value typed like a cell by the schema ("15/06/2024" for a date). Applied over
    // `defaults`, still under each record's own values. A bad path is a usage error before anything is written.
    std::vector<std::string> set_values;

    std::string output_dir;  // one file per record here (created when missing) ...
    std::string zip_path;    // ... or all of them in this archive (exactly one of the two)

    // Output file name (without extension) as a template text: "{{ loop.index }}-{{ person.full_name | slug }}".
    // Rendered leniently (a missing value is empty), then made safe. Empty: kDefaultName.
    std::string name_expression;
    OutputKind output = OutputKind::docx;  // docx/odt must match the template; pdf converts with LibreOffice
    unsigned jobs = 0;  // worker threads; 0: the cores (4× the cores with SyncMode::each, whose writes wait)
    SyncMode sync = SyncMode::end;
    unsigned converters = 2;  // PDF: at most this many LibreOffice processes at once
    PdfOptions pdf;
    bool lenient = false;         // RenderOptions::lenient
    std::string image_directory;  // RenderOptions::image_directory: where pictures given as file paths are
                                  // read from; empty: a file path in a record is an error
    Limits limits;                // for compiling the template and rendering every record
    int compression_level = kDefaultCompressionLevel;         // CompileOptions::compression_level
    bool force = false;                                       // re-render outputs that are newer than the inputs
    std::string report_path;                                  // JSON report of every record; empty: none
    nlohmann::json report_header = nlohmann::json::object();  // more members for the report's header
                                                              // (the CLI adds "unverified_layout": true for such forms)

    // Polled between documents; when it returns true no new document is started, the ones being rendered are
    // finished, nothing partial is left and the report is still written (Summary::interrupted).
    std::function<bool()> should_stop;
    // Called (serialised, in record order) for every finished record; keep it short.
    std::function<void(const RecordResult&)> on_record;
    // Called (serialised) after every finished record.
    std::function<void(const Progress&)> on_progress;
};

inline constexpr const char* kDefaultName = "{{ loop.index }}";

struct Summary {
    std::size_t total = 0;  // records read
    std::size_t ok = 0, failed = 0, skipped = 0, cancelled = 0;
    bool interrupted = false;
    double seconds = 0;
    double p50_ms = 0, p95_ms = 0;         // per rendered document
    std::string output;                    // the directory or the archive
    std::vector<SkippedRow> skipped_rows;  // rows of the list that are not records (at most 1000 listed) ...
    std::size_t skipped_rows_total = 0;    // ... and how many there were
};

// Runs a batch. Throws vanban::Error for problems that concern the whole batch (template does not compile, records
// file unreadable or of the wrong shape, bad header row, bad name expression, both or neither of output_dir and
// zip_path: DiagnosticKind::usage for the caller's mistakes); per-record problems never throw.
VANBAN_API Summary run(const Options& options);

// ----- exposed for tests

// A file name from an arbitrary string: no '/', '\\', control or reserved characters, no leading dots, not empty,
// at most `max_bytes` bytes (cut at a UTF-8 boundary). Invalid UTF-8 bytes are dropped.
VANBAN_API std::string sanitize_name(std::string_view name, std::size_t max_bytes = 150);

}  // namespace vanban::batch
