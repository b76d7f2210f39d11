// JSON records: an array of records (or an object with a "records" array), streamed — the array is split by a
// nesting scan and only the current element is parsed — and JSON Lines, a record a line. Takes the path; gives each
// record with its line, the line:column of every value, and its syntax errors (one bad record never stops the others).
#include "batch/byte_stream.hpp"
#include "batch/cell_typing.hpp"
#include "batch/readers.hpp"
#include "io/fail.hpp"
#include "json/nesting.hpp"

namespace vanban::batch::detail {

namespace {

using nlohmann::json;
using io::fail;

// Without positions: Record::find_positions() finds them, from the text kept, for a record that has a problem.
void parse_into(std::string_view text, int line, int column, Record& record) {
    try {
        record.data = vanban::json_data::parse(text, record.data.source, {}, vanban::json_data::Positions::none);
        record.text = text;
        record.text_line = line;
        record.text_column = column;
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
// bracket depth (json_data::NestingScan); each element is parsed alone when it is complete. An object whose "records"
// member is an array ({"records": [...]}) is read the same way.
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
        vanban::json_data::NestingScan nesting;
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
        vanban::json_data::NestingScan nesting;
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

}  // namespace

std::unique_ptr<RecordReader> open_json_array(const std::string& path, const ReaderOptions& options, bool count_only) {
    return std::make_unique<JsonArrayReader>(path, options, count_only);
}

std::unique_ptr<RecordReader> open_json_lines(const std::string& path, const ReaderOptions& options, bool count_only) {
    return std::make_unique<JsonLinesReader>(path, options, count_only);
}

}  // namespace vanban::batch::detail
