// JSON records: an array of records (or an object with a "records" array), streamed — the array is split by a
// nesting scan and only the current element is parsed — and JSON Lines, a record a line. Takes the path; gives each
// record with its line, the line:column of every value, and its syntax errors (one bad record never stops the others).
#include "batch/byte_stream.hpp"
#include "batch/cell_typing.hpp"
#include "batch/json_scan.hpp"
#include "batch/readers.hpp"
#include "io/fail.hpp"
#include "json/nesting.hpp"

namespace vanban::batch::detail {

namespace {

using io::fail;
using nlohmann::json;

// Keeps the record's text and where it starts; parses it now (without positions: Record::find_positions() finds
// them for a record that has a problem), or leaves it to Record::parse() on the thread that uses the record.
void parse_into(std::string_view text, int line, int column, Record& record, bool defer) {
    record.text = text;
    record.text_line = line;
    record.text_column = column;
    record.unparsed = true;
    if (!defer) record.parse();
}

class JsonLinesReader final : public RecordReader {
public:
    JsonLinesReader(const std::string& path, const ReaderOptions& options, bool count_only)
        : in_(path),
          source_(options.source.empty() ? path : options.source),
          count_only_(count_only),
          max_bytes_(options.max_record_bytes),
          defer_(options.defer_parsing) {}

    bool next(Record& record) override {
        while (true) {
            bool too_long = false, blank = true;
            if (!read_line(too_long, blank)) return false;
            const int line = line_++;
            if (blank) continue;
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
            parse_into(line_text_, line, 1, record, defer_);
            return true;
        }
    }

private:
    // The next line into line_text_ (without its '\n'; kept up to the limit, not at all when counting), found a
    // buffer at a time with memchr; `blank` when it holds only spaces. False at the end of the file.
    bool read_line(bool& too_long, bool& blank) {
        std::string_view chunk = in_.chunk();
        if (chunk.empty()) return false;
        line_text_.clear();
        std::size_t length = 0;
        for (; !chunk.empty(); chunk = in_.chunk()) {
            const std::size_t nl = chunk.find('\n');
            const std::string_view part = chunk.substr(0, nl);
            blank = blank && trim(part).empty();
            length += part.size();
            if (length > max_bytes_) too_long = true;
            else if (!count_only_) line_text_.append(part);
            in_.advance(nl == std::string_view::npos ? chunk.size() : nl + 1);
            if (nl != std::string_view::npos) break;
        }
        return true;
    }

    ByteStream in_;
    std::string source_;
    bool count_only_;
    std::size_t max_bytes_;
    bool defer_;
    std::string line_text_;
    int line_ = 1;
    std::size_t index_ = 0;
};

// Splits a top-level JSON array into elements without parsing the whole document: follows strings, escapes and
// bracket depth (ElementEnd, a buffer at a time); each element is parsed alone when it is complete — or, with
// ReaderOptions::defer_parsing, by whoever uses it. An object whose "records" member is an array ({"records": [...]})
// is read the same way.
class JsonArrayReader final : public RecordReader {
public:
    JsonArrayReader(const std::string& path, const ReaderOptions& options, bool count_only)
        : in_(path),
          source_(options.source.empty() ? path : options.source),
          count_only_(count_only),
          max_bytes_(options.max_record_bytes),
          defer_(options.defer_parsing) {
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
        record.line = at_.line;
        record.data.source = source_;
        const TextPosition start = at_;
        bool too_long = false;
        const int end = read_element(too_long);
        if (end == ']' || end == ByteStream::kEof) done_ = true;
        if (count_only_) return true;
        auto error = [&](std::string message) {
            RecordError e;
            e.diagnostic.kind = DiagnosticKind::json_syntax;
            e.diagnostic.message = std::move(message);
            e.diagnostic.source = source_;
            e.diagnostic.line = start.line;
            e.diagnostic.column = start.column;
            record.errors.push_back(std::move(e));
            record.data.value = json::object();
        };
        if (too_long) {
            error("the record is larger than the limit of " + std::to_string(max_bytes_) + " bytes");
        } else if (trim(text_).empty()) {
            error("an empty element in the records array");
        } else if (end == ByteStream::kEof) {
            error("the records array is not closed (unterminated string or bracket?)");
            parse_into(text_, start.line, start.column, record, defer_);
        } else {
            parse_into(text_, start.line, start.column, record, defer_);
        }
        return true;
    }

private:
    // The current element into text_ (kept up to the limit, not at all when counting), a buffer at a time, and past
    // the ',' or ']' that ends it; gives that byte, or kEof when the file ends first.
    int read_element(bool& too_long) {
        text_.clear();
        ElementEnd scan;
        std::size_t length = 0;
        for (std::string_view chunk = in_.chunk(); !chunk.empty(); chunk = in_.chunk()) {
            const std::size_t stop = scan.find(chunk);
            const std::string_view part = chunk.substr(0, stop);
            length += part.size();
            if (length > max_bytes_) too_long = true;
            else if (!count_only_) text_.append(part);
            if (!count_only_) at_.advance(part);
            in_.advance(part.size());
            if (stop != ElementEnd::npos) return get();
        }
        return ByteStream::kEof;
    }
    int peek() { return in_.peek(); }
    int get() {
        const int c = in_.get();
        if (c != ByteStream::kEof) {
            const char byte = static_cast<char>(c);
            at_.advance(std::string_view(&byte, 1));
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
        fail(DiagnosticKind::usage,
             "the JSON object has no \"records\" array (give an array of records, or "
             "{\"records\": [...]})",
             source_);
    }

    ByteStream in_;
    std::string source_;
    bool count_only_;
    std::size_t max_bytes_;
    bool defer_;
    std::string text_;
    TextPosition at_;  // of the next byte
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
