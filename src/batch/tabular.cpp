#include "batch/tabular.hpp"

#include <algorithm>
#include <cstring>

#include "batch/cells.hpp"
#include "core/vn.hpp"
#include "io/fail.hpp"
#include "json/pointer.hpp"

namespace vanban::batch::detail {

namespace {

using io::fail;
using nlohmann::json;

// Skipped rows listed one by one; past this, only counted (a sheet of notes must not grow the report without limit).
constexpr std::size_t kMaxSkippedRows = 1000;

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
        std::stable_sort(node.children.begin(), node.children.end(), [](const auto& a, const auto& b) {
            return a.first.template get<long long>() < b.first.template get<long long>();
        });
    return raw;
}

// The start of a cell folded for the words that mark totals and notes; empty for cells that cannot begin with one
// (most cells: this runs on every cell of every row, and the fold is ICU's).
std::string keyword_key(std::string_view text) {
    text = trim(text);
    if (text.empty() || !std::strchr("tTcCgGnNlL", text.front())) return {};
    return vn::match_key(text.substr(0, vn::char_boundary_after(text, 48)));
}

}  // namespace

Tabular::Tabular(const std::vector<Cell>& header, const ColumnNamer& namer, const nlohmann::json* schema,
                 std::string source, bool xlsx, const nlohmann::json* base)
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

bool Tabular::blank(const std::vector<Cell>& row) {
    return std::all_of(row.begin(), row.end(), [](const Cell& c) {
        return c.kind == Cell::Kind::empty || (c.kind == Cell::Kind::text && trim(c.text).empty());
    });
}

Tabular::RowKind Tabular::classify_row(const std::vector<Cell>& row) {
    if (blank(row)) return RowKind::blank;
    const RowKind kind = kind_of(row);
    if (kind == RowKind::record) ++records_;
    else if (kind != RowKind::maybe_total) footer_ = true;
    return kind;
}

void Tabular::settle(RowKind kind) {
    if (kind == RowKind::record) ++records_;
    else footer_ = true;
}

bool Tabular::ends_table(const std::vector<Cell>& row) const {
    const RowKind k = kind_of(row);
    return k == RowKind::total || k == RowKind::note;
}

Tabular::RowKind Tabular::kind_of(const std::vector<Cell>& row) const {
    std::size_t filled = 0, in_fields = 0, numbers_in_number_columns = 0;
    bool total_word = false, note_word = false, first = true;
    for (const Cell& c : row) {
        if (c.kind == Cell::Kind::empty || (c.kind == Cell::Kind::text && trim(c.text).empty())) continue;
        ++filled;
        const ColumnSpec* spec = column(c.column);
        if (spec) ++in_fields;
        const bool number_column = (spec && (spec->type == CellType::integer || spec->type == CellType::number)) ||
                                   c.column == row_number_column_;
        if (number_column &&
            (c.kind == Cell::Kind::number || (c.kind == Cell::Kind::text && parse_cell_number(trim(c.text)))))
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

std::string Tabular::row_key(const std::vector<Cell>& row) const {
    for (const Cell& c : row)
        if (c.column == row_number_column_)
            return c.kind == Cell::Kind::number ? number_text(c.number) : std::string(trim(c.text));
    return {};
}

void Tabular::build(std::vector<Cell>& row, Record& record) {
    row_.assign(columns_.size(), nullptr);
    for (Cell& c : row) {
        const auto col = static_cast<std::size_t>(c.column - 1);
        if (col < columns_.size() && columns_[col]) row_[col] = &c;
        else if (!xlsx_ && c.column != row_number_column_ && !(c.kind == Cell::Kind::text && trim(c.text).empty())) {
            RecordError e;
            e.diagnostic =
                make_diagnostic(DiagnosticKind::data, "batch.cell_without_header",
                                "cell " + shown(c.text) + " in column " + std::to_string(c.column) +
                                    " has no header (the header row has " + std::to_string(header_width()) +
                                    " columns); is a comma missing its quotes?",
                                "ô " + shown(c.text) + " ở cột " + std::to_string(c.column) +
                                    " nằm ngoài các cột có tên (dòng tiêu đề có " + std::to_string(header_width()) +
                                    " cột); có phải thiếu dấu ngoặc kép quanh một ô có dấu phẩy?",
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

std::string Tabular::cell_name(const Cell& c) const {
    return xlsx_ ? column_letters(c.column) + std::to_string(c.line)
                 : "line " + std::to_string(c.line) + ", column " + std::to_string(c.column);
}

const ColumnSpec* Tabular::column(int number) const {
    const auto col = static_cast<std::size_t>(number - 1);
    return col < columns_.size() && columns_[col] ? &*columns_[col] : nullptr;
}

int Tabular::header_width() const {
    int n = 0;
    for (std::size_t i = 0; i < columns_.size(); ++i)
        if (columns_[i]) n = static_cast<int>(i + 1);
    return n;
}

// The object's keys iterate in the order of their columns, as a JSON record's keys iterate in the order of its file
// (json_data::KeyOrder is noted only when that order is not the sorted one).
void Tabular::note_column_order(const HeaderNode& node, const json& object, Record& record) {
    std::vector<std::string> keys;
    keys.reserve(object.size());
    for (const auto& [key, child] : node.children)
        if (object.contains(key.get_ref<const std::string&>())) keys.push_back(key.get<std::string>());
    if (!std::is_sorted(keys.begin(), keys.end())) record.data.key_order.note(std::move(keys));
}

std::optional<json> Tabular::emit(const HeaderNode& node, std::string& pointer, Record& record) {
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
        record.data.positions.insert_or_assign(pointer, vanban::json_data::Position{cell->line, cell->column});
        if (!error.empty()) {
            RecordError e = where;
            e.diagnostic.kind = DiagnosticKind::data;
            e.diagnostic.json_pointer = pointer;
            e.diagnostic.message =
                (xlsx_ ? "cell " + where.cell : std::string("column")) + " '" + spec.header + "': " + error;
            record.errors.push_back(std::move(e));
        }
        record.cells.insert_or_assign(pointer, std::move(where));
        return v;
    }
    json out = node.kind == HeaderNode::Kind::array ? json::array() : json::object();
    const std::size_t mark = pointer.size();
    for (const auto& [key, child] : node.children) {
        if (node.kind == HeaderNode::Kind::array) pointer += "/" + std::to_string(out.size());
        else vanban::json_data::append_pointer_token(pointer, key.get<std::string>());
        auto v = emit(*child, pointer, record);
        if (v) {
            if (node.kind == HeaderNode::Kind::array) out.push_back(std::move(*v));
            else out[key.get<std::string>()] = std::move(*v);
        }
        pointer.resize(mark);
    }
    if (out.empty()) return std::nullopt;
    if (out.is_object()) note_column_order(node, out, record);
    // A container is where its first value is.
    if (!record.data.positions.contains(pointer)) {
        std::string first = pointer;
        if (out.is_array()) first += "/0";
        else vanban::json_data::append_pointer_token(first, out.begin().key());
        auto it = record.data.positions.find(first);
        if (it != record.data.positions.end()) record.data.positions.insert_or_assign(pointer, it->second);
    }
    return out;
}

bool TabularReader::next(Record& record) {
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

void TabularReader::find_header() {
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
        throw Error(make_diagnostic(
            DiagnosticKind::usage, "batch.header_not_found",
            "--header-row " + std::to_string(header_row_) + ": that row is empty or missing",
            "Dòng " + std::to_string(header_row_) + " (đã chọn làm dòng tiêu đề cột) trống hoặc không có trong tệp.",
            source_));
    }
    scan_for_header(namer);
}

void TabularReader::scan_for_header(const ColumnNamer& namer) {
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
    if (!chosen && best && (!namer.has_schema() || best_fields > 0))
        chosen = namer.has_schema() ? best : first_filled(scanned);
    if (!chosen) {
        std::string names;
        for (const auto& n : namer.expected(12)) names += (names.empty() ? "“" : ", “") + n + "”";
        throw Error(make_diagnostic(
            DiagnosticKind::usage, "batch.header_not_found",
            scanned.empty()
                ? "the list is empty: no header row"
                : "no header row found: no row names the template's fields (expected columns such as " + names + ")",
            scanned.empty()
                ? "Tệp danh sách trống, không có dòng tiêu đề cột."
                : "Không tìm thấy dòng tiêu đề cột: không dòng nào có tên cột trùng với tên trường của mẫu. "
                  "Các cột cần có, ví dụ: " +
                      names + ".",
            source_));
    }
    for (std::size_t i = 0; i < *chosen; ++i)
        if (!Tabular::blank(scanned[i].cells)) skip(scanned[i], Skip::above_header);
    for (std::size_t i = *chosen + 1; i < scanned.size(); ++i) pending_.push_back(std::move(scanned[i]));
    use_header(scanned[*chosen], namer);
}

void TabularReader::notice(int row, std::string text, Diagnostic why) {
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

std::optional<std::size_t> TabularReader::first_filled(const std::vector<RawRow>& rows) {
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (!Tabular::blank(rows[i].cells)) return i;
    return std::nullopt;
}

std::tuple<std::size_t, std::size_t, std::size_t> TabularReader::header_score(const ColumnNamer& namer,
                                                                              const std::vector<Cell>& cells) {
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

void TabularReader::use_header(const RawRow& row, const ColumnNamer& namer) {
    table_.emplace(row.cells, namer, schema_, source_, xlsx_);
    table_->set_date1904(date1904_);
}

bool TabularReader::total_follows() {
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

bool TabularReader::take(RawRow& row) {
    if (pending_.empty()) {
        row = RawRow{};
        return read_raw(row);
    }
    row = std::move(pending_.front());
    pending_.pop_front();
    return true;
}

void TabularReader::start_record(Record& record, int where) {
    record = Record{};
    record.index = index_++;
    (xlsx_ ? record.row : record.line) = where;
    record.data.source = source_;
}

void TabularReader::skip(const RawRow& row, Skip why) {
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
    s.text = std::string(vn::utf8_prefix(text, 200));
    switch (why) {
        case Skip::above_header:
            s.why = make_diagnostic(
                DiagnosticKind::data, "batch.row_above_header",
                where_en + " " + shown_text + " is above the header row (a title or a note): skipped",
                where_vi + " " + shown_vi + " nằm trên dòng tiêu đề cột (tên bảng, ghi chú): bỏ qua.", source_);
            break;
        case Skip::total:
            s.why = make_diagnostic(
                DiagnosticKind::data, "batch.row_total", where_en + " " + shown_text + " is a total row: skipped",
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

}  // namespace vanban::batch::detail
