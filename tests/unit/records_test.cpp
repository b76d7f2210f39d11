// Streaming record readers (batch/records): JSON arrays split element by element, JSON Lines, CSV (RFC 4180 edge
// cases) and XLSX built here from hand-written sheet XML; header paths, cell typing by the schema, and the locations
// (line, row, cell) every problem is reported at.
#include "batch/records.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "test_support.hpp"
#include "zip/zip.hpp"

namespace {

namespace b = vanban::batch;
namespace t = vanban::test;
using nlohmann::json;

std::string write_temp(const std::string& name, const std::string& content) {
    const std::string path = t::temp_dir() + "/" + name;
    t::write_file(path, content);
    return path;
}

std::vector<b::Record> read_all(const std::string& path, const json* schema = nullptr, const std::string& sheet = {}) {
    b::ReaderOptions o;
    o.schema = schema;
    o.sheet = sheet;
    auto reader = b::open_records(path, o);
    std::vector<b::Record> out;
    b::Record r;
    while (reader->next(r)) out.push_back(std::move(r));
    EXPECT_EQ(b::count_records(path, o), out.size()) << path;
    return out;
}

std::string messages(const b::Record& r) {
    std::string s;
    for (const auto& e : r.errors) s += e.diagnostic.message + "\n";
    return s;
}

const json kSchema = json::parse(R"({
  "type": "object",
  "required": ["person"],
  "properties": {
    "person": {"type": "object", "required": ["full_name"], "properties": {
      "full_name": {"type": "string", "pattern": "^[^\\n]+$"},
      "age": {"type": "integer"},
      "height": {"type": "number"},
      "member": {"type": "boolean"},
      "birth": {"type": "string", "format": "date"},
      "joined": {"type": "string", "pattern": "^[0-9]{2}/[0-9]{2}/[0-9]{4}$"},
      "phone": {"type": "string"}
    }},
    "awards": {"type": "array", "items": {"$ref": "#/definitions/award"}}
  },
  "definitions": {"award": {"type": "object", "properties": {"year": {"type": "integer"}, "title": {"type": "string"}}}}
})");

// ----- header paths and helpers

TEST(Records, HeaderPaths) {
    EXPECT_EQ(b::parse_header_path("person.full_name"), json::parse(R"(["person","full_name"])"));
    EXPECT_EQ(b::parse_header_path("awards[0].year"), json::parse(R"(["awards",0,"year"])"));
    EXPECT_EQ(b::parse_header_path("m[1][2]"), json::parse(R"(["m",1,2])"));
    EXPECT_EQ(b::parse_header_path("họ tên"), json::parse(R"(["họ tên"])"));
    for (const char* bad : {"a..b", "a[x]", "[0]", "a.", "a[1", "a[0]b", ""}) {
        EXPECT_THROW(b::parse_header_path(bad), vanban::Error) << bad;
    }
}

TEST(Records, ExcelSerialsAndColumns) {
    EXPECT_EQ(b::excel_serial_to_iso(45000), "2023-03-15");
    EXPECT_EQ(b::excel_serial_to_iso(1), "1900-01-01");
    EXPECT_EQ(b::excel_serial_to_iso(59), "1900-02-28");
    EXPECT_EQ(b::excel_serial_to_iso(61), "1900-03-01");
    EXPECT_EQ(b::excel_serial_to_iso(45000.5), "2023-03-15T12:00:00");
    EXPECT_EQ(b::excel_serial_to_iso(0, true), "1904-01-01");
    EXPECT_EQ(b::column_index("A1"), 1);
    EXPECT_EQ(b::column_index("Z9"), 26);
    EXPECT_EQ(b::column_index("AA10"), 27);
    EXPECT_EQ(b::column_index("XFD1"), 16384);
    EXPECT_EQ(b::column_index("1"), 0);
    EXPECT_EQ(b::column_letters(27), "AA");
    EXPECT_EQ(b::column_letters(703), "AAA");
}

// ----- CSV

TEST(Records, CsvQuotingNewlinesBomAndEmptyRows) {
    const std::string csv =
        "\xEF\xBB\xBFperson.full_name,person.address,note\r\n"
        "\"Nguyễn Văn An\",\"12, Lê Lợi\",\"said \"\"hi\"\"\"\r\n"
        "\r\n"
        ",,\r\n"
        "Trần Thị Bình,\"line one\r\nline two\",x\r\n"
        "Lê Văn Cường,plain,\n"
        "\n";
    auto recs = read_all(write_temp("a.csv", csv));
    ASSERT_EQ(recs.size(), 3u);
    EXPECT_EQ(recs[0].data.value,
              json::parse(R"({"person":{"full_name":"Nguyễn Văn An","address":"12, Lê Lợi"},"note":"said \"hi\""})"));
    EXPECT_EQ(recs[0].line, 2);
    EXPECT_EQ(recs[1].index, 1u);
    EXPECT_EQ(recs[1].line, 5);  // the two empty rows are skipped but still counted as lines
    EXPECT_EQ(recs[1].data.value["person"]["address"], "line one\nline two");
    EXPECT_EQ(recs[2].line, 7);                         // the quoted newline took a line
    EXPECT_FALSE(recs[2].data.value.contains("note"));  // empty cells are left out
    for (const auto& r : recs) EXPECT_TRUE(r.errors.empty()) << messages(r);
}

TEST(Records, CsvVietnameseTextIsNormalisedToNfc) {
    // "Nguyễn" written decomposed (e + combining circumflex + combining tilde), as some Mac exports do.
    const std::string nfd = "Nguye\xCC\x82\xCC\x83n";
    auto recs = read_all(write_temp("nfd.csv", "name\n" + nfd + "\n"));
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].data.value["name"], "Nguyễn");
}

TEST(Records, CsvSemicolonsAndArrays) {
    const std::string csv =
        "person.full_name;awards[0].year;awards[0].title;awards[1].year;awards[1].title\n"
        "An;2020;Lao động tiên tiến;;\n"
        "Bình;;;2021;Chiến sĩ thi đua\n";
    auto recs = read_all(write_temp("s.csv", csv), &kSchema);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].data.value["awards"], json::parse(R"([{"year":2020,"title":"Lao động tiên tiến"}])"));
    // awards[0] is empty: the list is compacted and the pointer follows the value
    EXPECT_EQ(recs[1].data.value["awards"], json::parse(R"([{"year":2021,"title":"Chiến sĩ thi đua"}])"));
    auto it = recs[1].cells.find("/awards/0/year");
    ASSERT_NE(it, recs[1].cells.end());
    EXPECT_EQ(it->second.field, "awards[1].year");
}

TEST(Records, CsvCellsAreTypedByTheSchema) {
    const std::string csv =
        "person.full_name,person.age,person.height,person.member,person.birth,person.joined,person.phone\n"
        "An,42,1.72,có,15/03/1983,2020-01-05,0912345678\n"
        "Bình,forty,tall,maybe,31/02/2024,2020-13-01,\n";
    auto recs = read_all(write_temp("typed.csv", csv), &kSchema);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_TRUE(recs[0].errors.empty()) << messages(recs[0]);
    EXPECT_EQ(recs[0].data.value["person"],
              json::parse(R"({"full_name":"An","age":42,"height":1.72,"member":true,"birth":"1983-03-15",
                              "joined":"05/01/2020","phone":"0912345678"})"));
    const auto& bad = recs[1];
    ASSERT_EQ(bad.errors.size(), 5u) << messages(bad);
    EXPECT_EQ(bad.errors[0].diagnostic.json_pointer, "/person/age");
    EXPECT_NE(bad.errors[0].diagnostic.message.find("'forty' is not a whole number"), std::string::npos);
    EXPECT_NE(bad.errors[0].diagnostic.message.find("person.age"), std::string::npos);
    EXPECT_EQ(bad.errors[0].diagnostic.line, 3);
    EXPECT_EQ(bad.errors[0].diagnostic.column, 2);
    EXPECT_EQ(bad.errors[0].field, "person.age");
    EXPECT_NE(messages(bad).find("'31/02/2024' is not a valid date"), std::string::npos);
    EXPECT_NE(messages(bad).find("'2020-13-01' is not a valid date"), std::string::npos);
    EXPECT_NE(messages(bad).find("'maybe' is not true/false"), std::string::npos);
}

TEST(Records, CsvStructuralProblemsAreRecordErrors) {
    const std::string csv =
        "a,b\n"
        "1,2,3\n"
        "4,5\n"
        "\"never closed,6\n";
    auto recs = read_all(write_temp("bad.csv", csv));
    ASSERT_EQ(recs.size(), 3u);
    ASSERT_EQ(recs[0].errors.size(), 1u);
    EXPECT_NE(recs[0].errors[0].diagnostic.message.find("has no header"), std::string::npos);
    EXPECT_TRUE(recs[1].errors.empty());
    ASSERT_EQ(recs[2].errors.size(), 1u);
    EXPECT_NE(recs[2].errors[0].diagnostic.message.find("never closed"), std::string::npos);
    EXPECT_EQ(recs[2].line, 4);
}

TEST(Records, CsvBadHeadersStopEverything) {
    EXPECT_THROW(read_all(write_temp("h1.csv", "a,a\n1,2\n")), vanban::Error);
    EXPECT_THROW(read_all(write_temp("h2.csv", "a,a.b\n1,2\n")), vanban::Error);
    EXPECT_THROW(read_all(write_temp("h3.csv", "a[x]\n1\n")), vanban::Error);
    EXPECT_THROW(read_all(write_temp("h4.csv", "")), vanban::Error);
    EXPECT_THROW(read_all(write_temp("h5.csv", "a,b[0],b.c\n1,2,3\n")), vanban::Error);
}

// ----- JSON Lines and JSON arrays

TEST(Records, JsonLines) {
    const std::string text =
        "{\"name\": \"An\"}\n"
        "\n"
        "   \r\n"
        "{\"name\": \"Bình\", \"age\": \"x\"}\r\n"
        "{\"name\": oops}\n"
        "{\"name\": \"Cường\"}";
    auto recs = read_all(write_temp("r.jsonl", text));
    ASSERT_EQ(recs.size(), 4u);
    EXPECT_EQ(recs[1].line, 4);
    // Read without positions (a record with no problem never needs them); found from its text when one has.
    EXPECT_TRUE(recs[1].data.positions.empty());
    EXPECT_TRUE(recs[1].find_positions());
    EXPECT_FALSE(recs[1].find_positions()) << "found once";
    EXPECT_EQ(recs[1].data.position_of("/age").line, 4);
    EXPECT_EQ(recs[1].data.position_of("/age").column, 25);
    EXPECT_EQ(recs[2].line, 5);
    ASSERT_FALSE(recs[2].errors.empty());
    EXPECT_EQ(recs[2].errors[0].diagnostic.kind, vanban::DiagnosticKind::json_syntax);
    EXPECT_EQ(recs[2].errors[0].diagnostic.line, 5);
    EXPECT_EQ(recs[3].data.value["name"], "Cường");
}

TEST(Records, JsonArrayIsStreamedElementByElement) {
    const std::string text =
        "[\n"
        "  {\"name\": \"An\", \"tags\": [\"a,b\", \"]\"]},\n"
        "  {\"name\": \"Bình\",\n"
        "   \"age\": 5},\n"
        "  {\"name\": \"x\" \"bad\": 1},\n"
        "  {\"name\": \"Cường \\\"quoted\\\" }\"}\n"
        "]\n";
    auto recs = read_all(write_temp("r.json", text));
    ASSERT_EQ(recs.size(), 4u);
    EXPECT_EQ(recs[0].data.value["tags"], json::parse(R"(["a,b","]"])"));
    EXPECT_EQ(recs[0].line, 2);
    EXPECT_EQ(recs[1].line, 3);
    EXPECT_TRUE(recs[1].find_positions());
    EXPECT_EQ(recs[1].data.position_of("/age").line, 4);
    EXPECT_EQ(recs[1].data.position_of("/age").column, 11);
    EXPECT_EQ(recs[1].data.position_of("/name").column, 12);
    ASSERT_FALSE(recs[2].errors.empty());
    EXPECT_EQ(recs[2].errors[0].diagnostic.line, 5);
    EXPECT_EQ(recs[3].data.value["name"], "Cường \"quoted\" }");
}

TEST(Records, JsonObjectWithRecordsArray) {
    const std::string text = R"({"title": {"x": [1, 2]}, "records": [{"n": 1}, {"n": 2}], "after": true})";
    auto recs = read_all(write_temp("o.json", text));
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[1].data.value["n"], 2);
    EXPECT_TRUE(read_all(write_temp("e.json", "[ ]")).empty());
    EXPECT_THROW(read_all(write_temp("n.json", R"({"rows": []})")), vanban::Error);
    EXPECT_THROW(read_all(write_temp("s.json", R"("text")")), vanban::Error);
}

// ----- XLSX, assembled here from hand-written parts

struct Sheet {
    std::string name;
    std::string rows;  // the content of <sheetData>
};

// `doctype` goes before the root element of the shared strings (a hostile workbook).
std::string make_xlsx(const std::vector<Sheet>& sheets, const std::vector<std::string>& shared, bool date1904 = false,
                      const std::string& doctype = {}) {
    vanban::zip::Writer w;
    std::string types =
        R"(<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
        R"(<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>)"
        R"(<Default Extension="xml" ContentType="application/xml"/></Types>)";
    w.add("[Content_Types].xml", types, vanban::zip::Method::deflated);
    std::string wb =
        R"(<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
        R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)";
    if (date1904) wb += R"(<workbookPr date1904="1"/>)";
    wb += "<sheets>";
    std::string rels =
        R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)";
    for (std::size_t i = 0; i < sheets.size(); ++i) {
        const std::string n = std::to_string(i + 1);
        // Sheets are stored in reverse part order to prove the relationships are followed.
        const std::string part = "sheet" + std::to_string(sheets.size() - i) + ".xml";
        wb += "<sheet name=\"" + sheets[i].name + "\" sheetId=\"" + n + "\" r:id=\"rId" + n + "\"/>";
        rels +=
            "<Relationship Id=\"rId" + n +
            "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/" +
            part + "\"/>";
        w.add(
            "xl/worksheets/" + part,
            R"(<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" +
                sheets[i].rows + "</sheetData></worksheet>",
            vanban::zip::Method::deflated);
    }
    wb += "</sheets></workbook>";
    rels += "</Relationships>";
    w.add("xl/workbook.xml", wb, vanban::zip::Method::deflated);
    w.add("xl/_rels/workbook.xml.rels", rels, vanban::zip::Method::deflated);
    std::string ss = R"(<?xml version="1.0" encoding="UTF-8"?>)" + doctype +
                     R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)";
    for (const auto& s : shared)
        ss += s.starts_with("<") ? "<si>" + s + "</si>" : "<si><t xml:space=\"preserve\">" + s + "</t></si>";
    ss += "</sst>";
    w.add("xl/sharedStrings.xml", ss, vanban::zip::Method::deflated);
    // cellXfs: 0 General, 1 built-in date (14), 2 custom dd/mm/yyyy, 3 custom number format with a quoted "d"
    w.add(
        "xl/styles.xml",
        R"(<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
        R"(<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/><numFmt numFmtId="165" formatCode="0.00&quot; đ&quot;"/></numFmts>)"
        R"(<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>)",
        vanban::zip::Method::deflated);
    return w.finish();
}

TEST(Records, XlsxCellsOfEveryKind) {
    // shared strings: 0..3 headers, 4 rich text in runs with a phonetic hint, 5 text with an escaped CR and a newline
    const std::vector<std::string> shared = {"person.full_name",
                                             "person.birth",
                                             "person.age",
                                             "person.member",
                                             "<r><t>Nguyễn </t></r><r><t>Văn An</t></r><rPh><t>x</t></rPh>",
                                             "dòng một_x000D_\ndòng hai",
                                             "person.phone",
                                             "awards[0].year",
                                             "person.joined"};
    const std::string rows =
        R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>)"
        R"(<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>6</v></c><c r="AA1" t="s"><v>7</v></c><c r="AB1" t="s"><v>8</v></c></row>)"
        R"(<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" s="1"><v>30755</v></c><c r="C2"><v>42</v></c>)"
        R"(<c r="D2" t="b"><v>1</v></c><c r="E2"><v>912345678</v></c><c r="AA2" s="3"><v>2020</v></c><c r="AB2" s="2"><v>43835</v></c></row>)"
        R"(<row r="3"/>)"
        R"(<row r="4"><c r="A4" s="1"/><c r="B4" t="s"/></row>)"
        R"(<row r="5"><c r="A5" t="inlineStr"><is><t>Trần Thị Bình</t></is></c><c r="C5" t="str"><v>7</v></c>)"
        R"(<c r="D5" t="e"><v>#N/A</v></c></row>)"
        R"(<row r="6"><c r="A6" t="s"><v>5</v></c><c r="B6" t="inlineStr"><is><t>15/03/1983</t></is></c><c r="C6"><v>4.5</v></c></row>)"
        R"(<row r="7"><c r="A7" t="s"><v>99</v></c></row>)";
    auto path = write_temp("people.xlsx", make_xlsx({{"Danh sách", rows}}, shared));
    auto recs = read_all(path, &kSchema);
    ASSERT_EQ(recs.size(), 4u);
    EXPECT_EQ(recs[0].row, 2);
    EXPECT_EQ(recs[0].line, 0);
    EXPECT_TRUE(recs[0].errors.empty()) << messages(recs[0]);
    EXPECT_EQ(recs[0].data.value, json::parse(R"({"person":{"full_name":"Nguyễn Văn An","birth":"1984-03-14","age":42,
        "member":true,"phone":"912345678","joined":"05/01/2020"},"awards":[{"year":2020}]})"));
    EXPECT_EQ(recs[1].row, 5);  // rows 3 and 4 are empty
    EXPECT_EQ(recs[1].data.value["person"]["full_name"], "Trần Thị Bình");
    EXPECT_EQ(recs[1].data.value["person"]["age"], 7);
    ASSERT_EQ(recs[1].errors.size(), 1u);
    EXPECT_NE(recs[1].errors[0].diagnostic.message.find("#N/A"), std::string::npos);
    EXPECT_EQ(recs[1].errors[0].cell, "D5");
    EXPECT_EQ(recs[1].errors[0].field, "person.member");
    EXPECT_EQ(recs[2].data.value["person"]["full_name"], "dòng một\r\ndòng hai");
    EXPECT_EQ(recs[2].data.value["person"]["birth"], "1983-03-15");  // a text date typed by the schema
    ASSERT_EQ(recs[2].errors.size(), 1u);
    EXPECT_NE(recs[2].errors[0].diagnostic.message.find("'4.5' is not a whole number"), std::string::npos);
    EXPECT_EQ(recs[2].errors[0].cell, "C6");
    EXPECT_EQ(recs[2].errors[0].diagnostic.line, 6);
    EXPECT_EQ(recs[3].errors.size(), 1u);  // a shared string that does not exist
}

TEST(Records, XlsxWithoutSchemaKeepsNativeTypes) {
    const std::string rows = R"(<row><c t="inlineStr"><is><t>n</t></is></c><c t="inlineStr"><is><t>d</t></is></c>)"
                             R"(<c t="inlineStr"><is><t>ok</t></is></c></row>)"
                             R"(<row><c><v>1.5</v></c><c s="2"><v>45000.25</v></c><c t="b"><v>0</v></c></row>)";
    auto recs = read_all(write_temp("plain.xlsx", make_xlsx({{"S", rows}}, {})));
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].data.value, json::parse(R"({"n":1.5,"d":"2023-03-15T06:00:00","ok":false})"));
}

TEST(Records, XlsxSheetsByNameAnd1904Dates) {
    const std::string first =
        R"(<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>)";
    const std::string second =
        R"(<row r="1"><c r="A1" t="inlineStr"><is><t>when</t></is></c></row><row r="2"><c r="A2" s="1"><v>0</v></c></row>)";
    const auto path = write_temp("two.xlsx", make_xlsx({{"Một", first}, {"Hai", second}}, {}, true));
    auto recs = read_all(path, nullptr, "Hai");
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].data.value["when"], "1904-01-01");
    EXPECT_EQ(read_all(path).at(0).data.value["x"], 1);
    try {
        read_all(path, nullptr, "Ba");
        FAIL() << "expected an error";
    } catch (const vanban::Error& e) {
        EXPECT_NE(std::string(e.what()).find("'Một', 'Hai'"), std::string::npos) << e.what();
    }
    EXPECT_THROW(read_all(write_temp("not.xlsx", "PK nonsense")), vanban::Error);
}

// A large shared-string table moves to a temporary file (here past 1 KiB); rows read back every string, near and far.
TEST(Records, XlsxSharedStringsSpilledToDiskReadBackRight) {
    std::vector<std::string> shared = {"n", "name", "code"};
    std::string rows =
        R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>)";
    constexpr int kRows = 3000;
    for (int i = 0; i < kRows; ++i) {
        shared.push_back("Người thứ " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 97), '.'));
        const int row = i + 2;
        // Each row names its own new string and one from far back (the first strings stay hot in the cache).
        rows += "<row r=\"" + std::to_string(row) + "\"><c r=\"A" + std::to_string(row) + "\"><v>" + std::to_string(i) +
                "</v></c><c r=\"B" + std::to_string(row) + "\" t=\"s\"><v>" + std::to_string(i + 3) +
                "</v></c><c r=\"C" + std::to_string(row) + "\" t=\"s\"><v>" + std::to_string(3 + (i * 7919) % kRows) +
                "</v></c></row>";
    }
    const auto path = write_temp("big.xlsx", make_xlsx({{"S", rows}}, shared));
    b::ReaderOptions o;
    o.xlsx_strings_in_memory = 1024;
    auto reader = b::open_records(path, o);
    b::Record r;
    int n = 0;
    while (reader->next(r)) {
        ASSERT_EQ(r.data.value["n"], n);
        ASSERT_EQ(r.data.value["name"], shared[static_cast<std::size_t>(n + 3)]) << n;
        ASSERT_EQ(r.data.value["code"], shared[static_cast<std::size_t>(3 + (n * 7919) % kRows)]) << n;
        ++n;
    }
    EXPECT_EQ(n, kRows);
    EXPECT_EQ(b::count_records(path, o), static_cast<std::size_t>(kRows));
}

TEST(Records, XlsxWithADocumentTypeIsRefused) {
    // "Billion laughs" and an external entity in the shared strings: refused as a package error naming the part,
    // before any entity is expanded or any file read.
    std::string laughs = R"(<!DOCTYPE sst [<!ENTITY a "hahahahahahahahahaha">)";
    for (char c = 'b'; c <= 'k'; ++c)
        laughs += std::string("<!ENTITY ") + c + " \"" + [&] {
            std::string r;
            for (int i = 0; i < 10; ++i) r += std::string("&") + static_cast<char>(c - 1) + ";";
            return r;
        }() + "\">";
    laughs += "]>";
    const std::string external = R"(<!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>)";
    const std::string rows =
        R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>)";
    for (const auto& [name, doctype, shared] :
         {std::tuple{"laughs.xlsx", laughs, std::vector<std::string>{"person.full_name", "&k;"}},
          std::tuple{"external.xlsx", external, std::vector<std::string>{"person.full_name", "&x;"}}}) {
        const auto path = write_temp(name, make_xlsx({{"S", rows}}, shared, false, doctype));
        try {
            read_all(path, &kSchema);
            ADD_FAILURE() << name << " was read";
        } catch (const vanban::Error& e) {
            ASSERT_FALSE(e.diagnostics().empty());
            EXPECT_EQ(e.diagnostics()[0].kind, vanban::DiagnosticKind::package) << name;
            EXPECT_NE(e.diagnostics()[0].message.find(
                          "xl/sharedStrings.xml: a document type declaration (DTD) is not allowed"),
                      std::string::npos)
                << e.diagnostics()[0].message;
        }
    }
}

TEST(Records, LocateFillsFieldAndCellFromThePointer) {
    auto recs = read_all(write_temp("loc.csv", "person.full_name,person.age\nAn,3\n"), &kSchema);
    ASSERT_EQ(recs.size(), 1u);
    b::RecordError e;
    e.diagnostic.json_pointer = "/person/age";
    recs[0].locate(e);
    EXPECT_EQ(e.field, "person.age");
    EXPECT_EQ(e.diagnostic.line, 2);
    EXPECT_EQ(e.diagnostic.column, 2);
    b::RecordError root;
    root.diagnostic.json_pointer = "";
    recs[0].locate(root);
    EXPECT_EQ(root.diagnostic.line, 2);
}

}  // namespace
