// The bulk scan behind the streamed JSON records (batch/json_scan): where an element of the array ends when strings
// hold brackets, quotes, commas and escapes, whichever way the text is cut into chunks; line:column of what is
// passed (CRLF, UTF-8); and the readers built on it — records parsed later (ReaderOptions::defer_parsing, as `vanban
// batch` does on its workers) give what the reader parsing at once gives, and an error in record 5,000 of a file read
// over many buffers is located at its line and column, with a BOM and CRLF line ends.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "batch/batch.hpp"
#include "batch/json_scan.hpp"
#include "batch/records.hpp"
#include "test_support.hpp"

namespace {

namespace b = vanban::batch;
namespace d = vanban::batch::detail;
namespace t = vanban::test;
using nlohmann::json;

// The elements of `array_body` (the text after '['), the chunks cut every `step` bytes.
std::vector<std::string> split(const std::string& array_body, std::size_t step) {
    std::vector<std::string> out;
    std::string current;
    d::ElementEnd scan;
    for (std::size_t at = 0; at < array_body.size();) {
        std::string_view chunk = std::string_view(array_body).substr(at, step);
        const std::size_t stop = scan.find(chunk);
        if (stop == d::ElementEnd::npos) {
            current += chunk;
            at += chunk.size();
            continue;
        }
        current += chunk.substr(0, stop);
        out.push_back(current);
        current.clear();
        scan = d::ElementEnd{};
        if (chunk[stop] == ']') return out;
        at += stop + 1;
    }
    out.push_back(current + "<unterminated>");
    return out;
}

TEST(RecordsScan, ElementEndsOutsideStringsWhateverTheChunks) {
    const std::string body = R"({"a": "x, ] } [ {", "b": [1, {"c": "]"}]}, )"
                             R"({"q": "say \"hi\", ]", "e": "back\\", "f": "\\\"]"} ,)"
                             R"("text, with ] and \\\\", [1, [2, "]"]], 7])";
    const std::vector<std::string> want = {R"({"a": "x, ] } [ {", "b": [1, {"c": "]"}]})",
                                           R"( {"q": "say \"hi\", ]", "e": "back\\", "f": "\\\"]"} )",
                                           R"("text, with ] and \\\\")", R"( [1, [2, "]"]])", " 7"};
    for (std::size_t step : {1u, 2u, 3u, 5u, 7u, 64u, 1000u}) {
        const auto got = split(body, step);
        EXPECT_EQ(got, want) << "chunks of " << step;
        for (const auto& element : got) EXPECT_TRUE(json::accept(element)) << element;
    }
}

// Strings are skipped eight bytes at a time: a quote or a backslash at every offset within a word, in long and short
// strings (with UTF-8 bytes, whose high bit the word test must not mistake for a hit), ends them exactly where a byte
// by byte reading does — checked against nlohmann's parser, whole and cut into chunks.
TEST(RecordsScan, QuotesAndEscapesAtEveryOffsetOfAWord) {
    for (std::size_t before = 0; before < 20; ++before) {
        const std::string lead(before, 'x');
        const std::string text = "Vi\xE1\xBB\x87t " + lead;
        const std::string body = "{\"k\": \"" + text + "\\\"" + lead + "\", \"e\": \"" + lead + "\\\\\"}, [\"" + text +
                                 "\", \"]\"], \"" + lead + "\"]";
        const std::vector<std::string> want = {"{\"k\": \"" + text + "\\\"" + lead + "\", \"e\": \"" + lead + "\\\\\"}",
                                               " [\"" + text + "\", \"]\"]", " \"" + lead + "\""};
        for (const auto& element : want) ASSERT_TRUE(json::accept(element)) << element;
        for (std::size_t step : {1u, 3u, 8u, 9u, 4096u}) EXPECT_EQ(split(body, step), want) << before << ", " << step;
    }
}

TEST(RecordsScan, AnEscapeAtTheEndOfAChunkCarriesOver) {
    d::ElementEnd scan;
    EXPECT_EQ(scan.find(R"({"a": "x\)"), d::ElementEnd::npos);  // the chunk ends on the backslash
    EXPECT_TRUE(scan.in_string());
    EXPECT_EQ(scan.find(R"(", ]"})"), d::ElementEnd::npos) << "the quote after the backslash is escaped";
    EXPECT_FALSE(scan.in_string());
    EXPECT_EQ(scan.find(" , next"), 1u);
}

TEST(RecordsScan, PositionsCountLinesAndCodePoints) {
    d::TextPosition p;
    p.advance("[\r\n  {\"tên\": ");
    EXPECT_EQ(p.line, 2);
    EXPECT_EQ(p.column, 11) << "ê is one column, '\\r' ends the line before";
    p.advance("\"Nguyễn\"");
    EXPECT_EQ(p.column, 19);
    p.advance("\n\n\r\n");
    EXPECT_EQ(p.line, 5);
    EXPECT_EQ(p.column, 1);
}

std::string write_temp(const std::string& name, const std::string& content) {
    const std::string path = t::temp_dir() + "/" + name;
    t::write_file(path, content);
    return path;
}

std::vector<b::Record> read_all(const std::string& path, bool defer) {
    b::ReaderOptions o;
    o.defer_parsing = defer;
    auto reader = b::open_records(path, o);
    std::vector<b::Record> out;
    for (b::Record r; reader->next(r);) {
        EXPECT_EQ(r.unparsed, defer && r.errors.empty()) << "record " << r.index;
        r.parse();
        out.push_back(std::move(r));
    }
    EXPECT_EQ(b::count_records(path, o), out.size()) << path;
    return out;
}

// 6,000 records (about 800 KB: the reader's buffer is refilled a dozen times), pretty-printed with CRLF after a
// UTF-8 BOM; record 5,000 (index 4,999) has a syntax error and record 5,001 a value to locate.
std::string many_records(std::size_t n, const std::string& eol, bool array) {
    std::string text = "\xEF\xBB\xBF";
    if (array) text += "{\"title\": \"Danh sách [1]\", \"records\": [" + eol;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string name = "Nguyễn \\\"Văn\\\" [" + std::to_string(i) + "], {x}";
        std::string record = "{\"ho_ten\": \"" + name + "\", \"so\": " + std::to_string(i) + "}";
        if (i == 4999) record = "{\"ho_ten\": \"Lê\" \"so\": 1}";
        if (i == 5000) record = "{\"ho_ten\": \"Trần Thị B\",\t\"so\": \"năm\"}";
        text += (array ? "  " : "") + record + (array && i + 1 < n ? "," : "") + eol;
    }
    if (array) text += "]}" + eol;
    return text;
}

TEST(RecordsScan, JsonArrayRecord5000IsLocatedWithBomAndCrlf) {
    const std::string path = write_temp("many.json", many_records(6000, "\r\n", true));
    for (const bool defer : {false, true}) {
        const auto recs = read_all(path, defer);
        ASSERT_EQ(recs.size(), 6000u);
        EXPECT_EQ(recs[0].line, 2);
        EXPECT_EQ(recs[5999].line, 6001);
        EXPECT_EQ(recs[1234].data.value["ho_ten"], "Nguyễn \"Văn\" [1234], {x}");
        EXPECT_EQ(recs[1234].data.value["so"], 1234);
        const b::Record& bad = recs[4999];
        EXPECT_EQ(bad.line, 5001);
        ASSERT_EQ(bad.errors.size(), 1u);
        EXPECT_EQ(bad.errors[0].diagnostic.kind, vanban::DiagnosticKind::json_syntax);
        EXPECT_EQ(bad.errors[0].diagnostic.line, 5001);
        // `  {"ho_ten": "Lê" "so": 1}`: the string that should have been a comma starts at column 19.
        EXPECT_EQ(bad.errors[0].diagnostic.column, 19) << bad.errors[0].diagnostic.message;
        b::Record next = recs[5000];
        EXPECT_TRUE(next.errors.empty());
        ASSERT_TRUE(next.find_positions());
        EXPECT_EQ(next.data.position_of("/so").line, 5002);
        EXPECT_EQ(next.data.position_of("/so").column, 34) << "after 'Trần Thị B' (code points) and a tab";
    }
}

TEST(RecordsScan, JsonLinesRecord5000IsLocatedWithBomAndCrlf) {
    const std::string path = write_temp("many.jsonl", many_records(6000, "\r\n", false));
    for (const bool defer : {false, true}) {
        const auto recs = read_all(path, defer);
        ASSERT_EQ(recs.size(), 6000u);
        EXPECT_EQ(recs[4999].line, 5000);
        ASSERT_EQ(recs[4999].errors.size(), 1u);
        EXPECT_EQ(recs[4999].errors[0].diagnostic.line, 5000);
        EXPECT_EQ(recs[4999].errors[0].diagnostic.column, 17);
        EXPECT_EQ(recs[5999].data.value["so"], 5999);
        b::Record next = recs[5000];
        ASSERT_TRUE(next.find_positions());
        EXPECT_EQ(next.data.position_of("/so").line, 5001);
        EXPECT_EQ(next.data.position_of("/so").column, 32);
    }
}

TEST(RecordsScan, BatchReportsRecord5000AtItsLineAndColumn) {
    const std::string dir = t::temp_dir();
    t::write_file(dir + "/form.docx", t::make_docx("<w:p><w:r><w:t>{{ ho_ten }} {{ so }}</w:t></w:r></w:p>"));
    t::write_file(dir + "/many.json", many_records(6000, "\r\n", true));
    b::Options o;
    o.template_path = dir + "/form.docx";
    o.records_path = dir + "/many.json";
    o.zip_path = dir + "/all.zip";
    o.jobs = 2;
    o.schema = json::parse(R"({"type": "object", "properties": {"so": {"type": "integer"}}})");
    o.name_expression = "ten";  // every record the same name: numbered in record order
    std::vector<b::RecordResult> failed;
    std::vector<std::string> names;
    o.on_record = [&](const b::RecordResult& r) {
        if (r.status == b::Status::failed) failed.push_back(r);
        if (r.index < 3 || r.index == 5999) names.push_back(r.output);
    };
    const b::Summary s = b::run(o);
    EXPECT_EQ(s.ok, 5998u);
    ASSERT_EQ(failed.size(), 2u);
    EXPECT_EQ(failed[0].index, 4999u);
    EXPECT_EQ(failed[0].line, 5001);
    ASSERT_FALSE(failed[0].errors.empty());
    EXPECT_EQ(failed[0].errors[0].diagnostic.line, 5001);
    EXPECT_EQ(failed[0].errors[0].diagnostic.column, 19);
    EXPECT_EQ(failed[1].index, 5000u);
    ASSERT_FALSE(failed[1].errors.empty());
    EXPECT_EQ(failed[1].errors[0].diagnostic.json_pointer, "/so");
    EXPECT_EQ(failed[1].errors[0].diagnostic.line, 5002);
    EXPECT_EQ(failed[1].errors[0].diagnostic.column, 34);
    // Names are given by the workers, still in record order (a failed record keeps its number too).
    EXPECT_EQ(names, (std::vector<std::string>{"ten.docx", "ten-2.docx", "ten-3.docx", "ten-6000.docx"}));
}

}  // namespace
