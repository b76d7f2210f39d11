// Records from a table of cells (shared by the CSV and XLSX readers). Takes rows of cells; gives records. Finds the
// header row (given by --header-row, or the first row naming the schema's fields), names the columns by it
// (columns.hpp), tells records from the rows that are not (titles above the header, totals and notes under the
// table: skipped and listed), and builds each record's nested JSON from the header paths, typing every cell by the
// schema (cell_typing.hpp) and remembering where each value came from.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch/cell_typing.hpp"
#include "batch/columns.hpp"
#include "batch/records.hpp"

namespace vanban::batch::detail {

// Rows looked at for the header when no --header-row says where it is (titles, logos and notes above a list are a few
// rows; a sheet with no header in its first rows is not a list).
constexpr std::size_t kHeaderScanRows = 64;

// The header paths as a tree: a record's value is built by walking it.
struct HeaderNode {
    enum class Kind { object, array, leaf } kind = Kind::object;
    std::vector<std::pair<nlohmann::json, std::unique_ptr<HeaderNode>>> children;  // key (string) or index (number)
    int column = -1;                                                               // leaf: index into the columns
};

// The columns of one header row, and what each row under it is.
class Tabular {
public:
    // maybe_total: only one number, under a number column — a total when nothing but notes follows it, else a
    // record with most cells empty (which must fail loudly, not vanish).
    enum class RowKind { record, blank, total, note, maybe_total };

    // `base`: the schema node the columns are inside (a list's items on a list sheet); null: the root.
    Tabular(const std::vector<Cell>& header, const ColumnNamer& namer, const nlohmann::json* schema, std::string source,
            bool xlsx, const nlohmann::json* base = nullptr);

    void set_date1904(bool v) noexcept { date1904_ = v; }
    int row_number_column() const noexcept { return row_number_column_; }

    static bool blank(const std::vector<Cell>& row);

    // What a row is. A total ("Tổng cộng", "Cộng", or only numbers under number columns) or a note under the table
    // ("Ghi chú: …", "Người lập biểu") is skipped, and so is every short row after one of them (the signature block).
    RowKind classify_row(const std::vector<Cell>& row);
    // After a maybe_total row: what it turned out to be.
    void settle(RowKind kind);
    // Whether a row says the table has ended ("Tổng cộng", "Ghi chú: …").
    bool ends_table(const std::vector<Cell>& row) const;
    // The value of the row-number column ("STT"), as text; empty when there is none.
    std::string row_key(const std::vector<Cell>& row) const;
    // Fills `record` from a row classified as a record.
    void build(std::vector<Cell>& row, Record& record);
    // "C5" (XLSX) or "line 7, column 3" (CSV).
    std::string cell_name(const Cell& c) const;

private:
    RowKind kind_of(const std::vector<Cell>& row) const;
    const ColumnSpec* column(int number) const;
    int header_width() const;
    void note_column_order(const HeaderNode& node, const nlohmann::json& object, Record& record);
    std::optional<nlohmann::json> emit(const HeaderNode& node, std::string& pointer, Record& record);

    std::string source_;
    bool xlsx_ = false;
    bool date1904_ = false;
    int row_number_column_ = 0;  // the "STT" column (1-based); 0: none
    std::size_t records_ = 0;    // rows taken as records so far
    bool footer_ = false;        // a total or a note was seen: the table has ended
    std::vector<std::optional<ColumnSpec>> columns_;
    HeaderNode root_;
    std::vector<const Cell*> row_;
};

// A reader of rows under a header row: the subclass reads rows (read_raw), this finds the header and turns the rows
// into records and skipped rows.
class TabularReader : public RecordReader {
public:
    bool next(Record& record) override;

protected:
    struct RawRow {
        std::vector<Cell> cells;
        int where = 0;      // CSV: the line the row starts on; XLSX: the row number
        std::string error;  // CSV: why the row could not be read (an unclosed quote)
    };

    TabularReader(const ReaderOptions& options, std::string source, bool xlsx, bool count_only)
        : source_(std::move(source)),
          schema_(options.schema),
          header_row_(options.header_row),
          xlsx_(xlsx),
          count_only_(count_only) {}

    // The next row of the file; false at its end.
    virtual bool read_raw(RawRow& row) = 0;
    // XLSX: adds the record's rows of the list sheets (`row_key`: its "STT" cell); at the end, lists the list rows
    // no record took.
    virtual void attach_lists(Record&, const std::string& /*row_key*/) {}
    virtual void at_end() {}

    // Reads up to the header row (the subclass constructor calls this once it can read rows).
    void find_header();
    // A notice about a row that is not used (list sheets), listed with the skipped rows.
    void notice(int row, std::string text, Diagnostic why);

    std::string source_;
    bool date1904_ = false;

private:
    enum class Skip { above_header, total, note };

    // With no --header-row: the first row that names the schema's fields (rows above it skipped).
    void scan_for_header(const ColumnNamer& namer);
    static std::optional<std::size_t> first_filled(const std::vector<RawRow>& rows);
    // How many cells of a row name fields (and the row-number column), and how many are filled.
    static std::tuple<std::size_t, std::size_t, std::size_t> header_score(const ColumnNamer& namer,
                                                                          const std::vector<Cell>& cells);
    void use_header(const RawRow& row, const ColumnNamer& namer);
    // Whether the rows after the current one are only blank, notes or totals: reads ahead to the next non-blank row.
    bool total_follows();
    bool take(RawRow& row);
    void start_record(Record& record, int where);
    void skip(const RawRow& row, Skip why);

    const nlohmann::json* schema_;
    int header_row_;
    bool xlsx_, count_only_;
    std::optional<Tabular> table_;
    std::deque<RawRow> pending_;  // rows read while looking for the header, after it
    std::size_t index_ = 0;
    bool ended_ = false;
};

}  // namespace vanban::batch::detail
