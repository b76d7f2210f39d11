// The public face of the record readers (records.hpp): picks the reader for the file's format (readers.hpp; the
// formats live in csv_records.cpp, json_records.cpp and xlsx_records.cpp, the shared table logic in tabular.cpp and
// the cell typing in cell_typing.cpp), locates a record's problems, and the header-path, --set and spreadsheet
// helpers the batch runner and the workbook generator share.
#include "batch/records.hpp"

#include <algorithm>

#include "batch/cell_typing.hpp"
#include "batch/columns.hpp"
#include "batch/readers.hpp"
#include "io/fail.hpp"

namespace vanban::batch {

using detail::ascii_lower;
using detail::Cell;
using detail::ColumnSpec;
using io::fail;
using nlohmann::json;

namespace {

std::unique_ptr<RecordReader> open(const std::string& path, const ReaderOptions& options, bool count_only) {
    RecordFormat f = options.format == RecordFormat::automatic ? format_from_path(path) : options.format;
    switch (f) {
        case RecordFormat::jsonl: return detail::open_json_lines(path, options, count_only);
        case RecordFormat::csv: return detail::open_csv(path, options, count_only);
        case RecordFormat::xlsx: return detail::open_xlsx(path, options, count_only);
        default: return detail::open_json_array(path, options, count_only);
    }
}

}  // namespace

RecordFormat format_from_path(const std::string& path) {
    const std::string p = ascii_lower(path);
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

void Record::parse() {
    if (!unparsed) return;
    unparsed = false;
    try {
        data = vanban::json_data::parse(text, data.source, {}, vanban::json_data::Positions::none);
    } catch (const Error& e) {
        for (Diagnostic d : e.diagnostics()) {
            if (d.line == 1) d.column += text_column - 1;
            if (d.line > 0) d.line += text_line - 1;
            RecordError re;
            re.diagnostic = std::move(d);
            errors.push_back(std::move(re));
        }
        data.value = json::object();
        text.clear();  // nothing to find positions in: the syntax error is located already
    }
}

bool Record::find_positions() {
    if (text.empty() || !data.positions.empty()) return false;
    try {
        data.positions = vanban::json_data::parse(text, data.source).positions;
    } catch (const Error&) {
        return false;  // it parsed once; a record that does not is reported by its syntax error, already located
    }
    for (auto& [pointer, p] : data.positions) {
        if (p.line == 1) p.column += text_column - 1;
        p.line += text_line - 1;
    }
    return true;
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
        const vanban::json_data::Position p = data.position_of(d.json_pointer);
        d.line = p.line;
        d.column = p.column;
    }
    if (d.line == 0) {
        d.line = line ? line : row;
    }
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
        throw Error(make_diagnostic(DiagnosticKind::usage, "batch.bad_set",
                                    "--set " + std::string(assignment) + ": " + en,
                                    "--set " + std::string(assignment) + ": " + vi));
    };
    const auto eq = assignment.find('=');
    if (eq == std::string_view::npos) bad("write path=value", "hãy viết dạng tên_trường=giá_trị");
    const std::string name = detail::normalise_text(detail::trim(assignment.substr(0, eq)));
    const ColumnNamer namer(schema);
    ColumnNamer::Resolution r;
    try {
        r = namer.resolve(name);
    } catch (const Error&) {
        bad("'" + name + "' is not a field path", "“" + name + "” không phải tên trường");
    }
    if (r.kind != ColumnNamer::Resolution::Kind::field) throw Error(namer.describe({{name, "--set", r}}, {}));
    const ColumnSpec spec = detail::column_spec(schema, name, r.path);
    Cell cell;
    cell.kind = Cell::Kind::text;
    cell.text = std::string(assignment.substr(eq + 1));
    std::string error;
    json value = detail::convert(cell, spec, false, error).value_or(json(""));
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

std::size_t count_records(const std::string& path, const ReaderOptions& options, std::size_t at_most,
                          const std::function<bool()>& stop) {
    auto reader = open(path, options, true);
    Record r;
    std::size_t n = 0;
    while (n < at_most && !(stop && stop()) && reader->next(r)) ++n;
    return n;
}

nlohmann::json parse_header_path(std::string_view header) {
    nlohmann::json segments = nlohmann::json::array();
    const std::string h(header);
    auto bad = [&](const std::string& why) -> void {
        fail(DiagnosticKind::usage,
             "header '" + h + "' is not a field path (" + why + "); write person.full_name or awards[0].year");
    };
    std::size_t i = 0;
    bool expect_key = true;
    while (i < h.size()) {
        if (h[i] == '[') {
            const auto close = h.find(']', i);
            if (close == std::string::npos) bad("unclosed [");
            if (segments.empty()) bad("it starts with an index");
            const std::string digits = h.substr(i + 1, close - i - 1);
            if (digits.empty() || digits.size() > 6 ||
                !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
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
        const std::string key = std::string(detail::trim(std::string_view(h).substr(i, end - i)));
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
