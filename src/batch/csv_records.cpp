// CSV (RFC 4180, with Excel's habits: a "sep=;" first line, ';' or TAB as the delimiter, UTF-16 "Unicode text")
// read row by row through a fixed buffer. Takes the path; gives rows of text cells, each with its line and column, to
// TabularReader (tabular.hpp), which finds the header and builds the records.
#include <vector>

#include "batch/byte_stream.hpp"
#include "batch/readers.hpp"
#include "batch/tabular.hpp"

namespace vanban::batch::detail {

namespace {

class CsvReader final : public TabularReader {
public:
    CsvReader(const std::string& path, const ReaderOptions& options, bool count_only)
        : TabularReader(options, options.source.empty() ? path : options.source, false, count_only),
          in_(path),
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
        if (ascii_lower(path).ends_with(".tsv")) return '\t';
        // Excel's "sep=;" first line says it outright.
        const std::string_view w = in_.window();
        if (w.size() >= 5 && ascii_lower(w.substr(0, 4)) == "sep=" && (w.size() == 5 || w[5] == '\r' || w[5] == '\n')) {
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

}  // namespace

std::unique_ptr<RecordReader> open_csv(const std::string& path, const ReaderOptions& options, bool count_only) {
    return std::make_unique<CsvReader>(path, options, count_only);
}

}  // namespace vanban::batch::detail
