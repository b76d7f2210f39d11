// Lists as people type them: numbers with Vietnamese separators, day-first dates, enums in any case or by label,
// columns named by title or alias (case, spacing, NFD and punctuation aside), unknown columns with suggestions,
// CSV with a title above the header, totals and notes below it, ';' and UTF-16; --set and --defaults.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "batch/cells.hpp"
#include "batch/columns.hpp"
#include "batch/records.hpp"
#include "core/vn.hpp"
#include "test_support.hpp"

namespace {

namespace b = vanban::batch;
namespace t = vanban::test;
using nlohmann::json;

const json& award_schema() {
    static const json schema = json::parse(t::read_file(t::source_dir() + "/templates/award-record.schema.json"));
    return schema;
}

TEST(SpreadsheetCells, NumbersWithVietnameseOrEnglishSeparators) {
    const std::vector<std::pair<std::string, double>> good = {{"1.234,5", 1234.5},
                                                              {"1,234.5", 1234.5},
                                                              {"1.234", 1234},
                                                              {"1,5", 1.5},
                                                              {"0.5", 0.5},
                                                              {"1.72", 1.72},
                                                              {"12,5%", 0.125},
                                                              {"1 234 567", 1234567},
                                                              {"1.234.567", 1234567},
                                                              {"-3", -3},
                                                              {"+4", 4},
                                                              {"50%", 0.5},
                                                              {"1\xC2\xA0"
                                                               "234",
                                                               1234}};
    for (const auto& [text, value] : good) {
        const auto v = b::parse_cell_number(text);
        ASSERT_TRUE(v) << text;
        EXPECT_DOUBLE_EQ(*v, value) << text;
    }
    for (const char* bad : {"abc", "1.2.3", "1,2,3", "12a", "", "%", "1.23.456", "--1"})
        EXPECT_FALSE(b::parse_cell_number(bad)) << bad;
}

TEST(SpreadsheetCells, DatesWrittenDayFirst) {
    const auto iso = [](const char* text) {
        const auto d = b::parse_cell_date(text);
        return d ? std::to_string(d->year) + "-" + std::to_string(d->month) + "-" + std::to_string(d->day)
                 : std::string("none");
    };
    EXPECT_EQ(iso("5/3/24"), "2024-3-5");
    EXPECT_EQ(iso("14/03/75"), "1975-3-14");
    EXPECT_EQ(iso("05.03.2024"), "2024-3-5");
    EXPECT_EQ(iso("05-03-2024"), "2024-3-5");
    EXPECT_EQ(iso(" 2024-03-05 "), "2024-3-5");
    EXPECT_EQ(iso("29/02/2024"), "2024-2-29");
    EXPECT_EQ(iso("29/02/2023"), "none");
    EXPECT_EQ(iso("31/04/2024"), "none");
    EXPECT_EQ(iso("5/3/024"), "none");
    EXPECT_EQ(iso("1980"), "none");
}

TEST(SpreadsheetCells, EnumsInAnyCaseOrByTheirLabel) {
    const std::vector<b::EnumChoice> gender = {{"Nam", ""}, {"Nữ", ""}};
    for (const char* text : {"nữ", "NỮ", "Nữ", " nữ"}) EXPECT_EQ(b::match_enum(text, gender), json("Nữ")) << text;
    const std::string nfd = "nu\xCC\x9B\xCC\x83";  // "nữ" decomposed
    EXPECT_EQ(b::match_enum(nfd, gender), json("Nữ"));
    EXPECT_FALSE(b::match_enum("nu", gender));  // a missing accent is another word
    const json* subject = &award_schema()["properties"]["form"]["properties"]["subject"];
    const auto choices = b::schema_enum(award_schema(), subject);
    EXPECT_EQ(b::match_enum("Cá nhân", choices), json("individual"));
    EXPECT_EQ(b::match_enum("TẬP THỂ", choices), json("collective"));
    EXPECT_EQ(b::match_enum("Individual", choices), json("individual"));
}

TEST(SpreadsheetColumns, NamedByPathTitleOrAliasWhateverTheCaseSpacingOrNormalForm) {
    const b::ColumnNamer namer(&award_schema());
    const auto path = [&](const std::string& header) {
        const auto r = namer.resolve(header);
        return r.kind == b::ColumnNamer::Resolution::Kind::field ? r.path.dump() : std::string("-");
    };
    EXPECT_EQ(vanban::vn::match_key("Họ và tên (*):"), "họvàtên");
    EXPECT_EQ(vanban::vn::match_key("Ho\xCC\xA3 va\xCC\x80 te\xCC\x82n"), "họvàtên");  // NFD
    EXPECT_EQ(path("person.full_name"), R"(["person","full_name"])");
    EXPECT_EQ(path("Họ và tên"), R"(["person","full_name"])");
    EXPECT_EQ(path("HỌ  VÀ TÊN:"), R"(["person","full_name"])");
    EXPECT_EQ(path("Ho\xCC\xA3 va\xCC\x80 te\xCC\x82n"), R"(["person","full_name"])");
    EXPECT_EQ(path("Họ tên *"), R"(["person","full_name"])");  // the title several fields share: its alias decides
    EXPECT_EQ(path("Thủ trưởng đơn vị xác nhận - Họ tên"), R"(["confirmer","full_name"])");
    EXPECT_EQ(path("Ngày sinh"), R"(["person","birth_date"])");
    EXPECT_EQ(path("Giới tính"), R"(["person","gender"])");
    EXPECT_EQ(path("Đơn vị công tác"), R"(["person","work_unit"])");
    EXPECT_EQ(path("achievements.2.title"), R"(["achievements",1,"title"])");           // numbered list columns, from 1
    EXPECT_EQ(path("Thành tích đạt được.1.Tiêu đề"), R"(["achievements",0,"title"])");  // steps by title
    EXPECT_EQ(path("awards[0].year"), R"(["awards",0,"year"])");
    EXPECT_EQ(path("footnotes.1"), R"(["footnotes","1"])");  // a property named "1" stays a key
    EXPECT_EQ(namer.resolve("STT").kind, b::ColumnNamer::Resolution::Kind::row_number);
    EXPECT_EQ(path("Ho va ten"), "-");

    const auto problems = namer.describe(
        {{"Ho va ten", "B4", namer.resolve("Ho va ten")}, {"Gioi tinh", "C4", namer.resolve("Gioi tinh")}}, "ds.xlsx");
    ASSERT_EQ(problems.size(), 2u);  // every unknown column, at once
    EXPECT_EQ(problems[0].code, "batch.unknown_column");
    EXPECT_NE(
        problems[0].message_vi.find("B4: mẫu không có trường nào tên “Ho va ten” — có phải ý bạn là “Họ và tên”?"),
        std::string::npos)
        << problems[0].message_vi;
    EXPECT_NE(problems[1].message_vi.find("có phải ý bạn là “Giới tính”"), std::string::npos) << problems[1].message_vi;
    EXPECT_NE(problems[1].message.find("did you mean 'Giới tính'"), std::string::npos) << problems[1].message;
}

std::vector<b::Record> read_all(const std::string& path, const json* schema,
                                std::vector<b::SkippedRow>* skipped = nullptr, int header_row = 0) {
    b::ReaderOptions o;
    o.schema = schema;
    o.header_row = header_row;
    auto reader = b::open_records(path, o);
    std::vector<b::Record> out;
    for (b::Record r; reader->next(r);) out.push_back(std::move(r));
    if (skipped) *skipped = reader->skipped_rows();
    EXPECT_EQ(b::count_records(path, o), out.size()) << path;
    return out;
}

const json kMoneySchema = json::parse(R"({
  "type": "object", "additionalProperties": false,
  "properties": {
    "name": {"title": "Họ tên", "type": "string"},
    "amount": {"title": "Số tiền", "type": "number"},
    "share": {"title": "Tỷ lệ", "type": "number"},
    "count": {"title": "Số người", "type": "integer"},
    "kind": {"title": "Loại", "type": "string", "enum": ["cash", "goods"], "x-enum-labels": ["Tiền mặt", "Hiện vật"]}
  }
})");

TEST(SpreadsheetCsv, ExcelVietnameseCsvWithTitleTotalsAndNotes) {
    const std::string path = t::temp_dir() + "/thuong.csv";
    t::write_file(path,
                  "\xEF\xBB\xBF"
                  "BẢNG KÊ TIỀN THƯỞNG, NĂM 2024;;;;\r\n"
                  ";;;;\r\n"
                  "STT;Họ tên;Số tiền;Tỷ lệ;Số người;LOẠI\r\n"
                  "1;An;1.234,5;12,5%;1.000;tiền mặt\r\n"
                  "2;Bình;2.000;50%;3;HIỆN VẬT\r\n"
                  ";;;;\r\n"
                  "Cộng;;3.234,5;;1.003;\r\n"
                  "Ghi chú: số tiền tính bằng đồng.;;;;\r\n");
    std::vector<b::SkippedRow> skipped;
    const auto recs = read_all(path, &kMoneySchema, &skipped);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].data.value,
              json::parse(R"({"name":"An","amount":1234.5,"share":0.125,"count":1000,"kind":"cash"})"));
    EXPECT_EQ(recs[1].data.value["kind"], "goods");
    EXPECT_EQ(recs[0].line, 4);
    for (const auto& r : recs) EXPECT_TRUE(r.errors.empty());
    std::vector<std::pair<int, std::string>> got;
    for (const auto& s : skipped) got.emplace_back(s.line, s.why.code);
    EXPECT_EQ(got, (std::vector<std::pair<int, std::string>>{
                       {1, "batch.row_above_header"}, {7, "batch.row_total"}, {8, "batch.row_note"}}));
    EXPECT_EQ(skipped[1].text, "Cộng | 3.234,5 | 1.003");
    EXPECT_NE(skipped[1].why.message_vi.find("dòng tổng cộng"), std::string::npos);

    // --header-row says where the header is; the row above it is skipped all the same.
    const auto same = read_all(path, &kMoneySchema, nullptr, 3);
    EXPECT_EQ(same.size(), 2u);
    EXPECT_THROW(read_all(path, &kMoneySchema, nullptr, 2), vanban::Error);  // an empty row
}

TEST(SpreadsheetCsv, AOneNumberRowIsATotalOnlyAtTheEnd) {
    const std::string path = t::temp_dir() + "/n.csv";
    t::write_file(path, "Họ tên,Số người\nAn,2\n,3\nBình,4\n,9\n");
    std::vector<b::SkippedRow> skipped;
    const auto recs = read_all(path, &kMoneySchema, &skipped);
    ASSERT_EQ(recs.size(), 3u);  // ",3" has records after it: a record with its name missing, not a total
    EXPECT_EQ(recs[1].data.value, json::parse(R"({"count":3})"));
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_EQ(skipped[0].line, 5);
}

TEST(SpreadsheetCsv, LongSkippedRowsAreCutBetweenCharacters) {
    std::string title = "a";
    for (int i = 0; i < 90; ++i) title += "ầ";  // byte 60 and byte 200 fall inside a character
    const std::string path = t::temp_dir() + "/long.csv";
    t::write_file(path, title + "\nHọ tên,Số người\nAn,2\n");
    std::vector<b::SkippedRow> skipped;
    ASSERT_EQ(read_all(path, &kMoneySchema, &skipped).size(), 1u);
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_TRUE(vanban::vn::valid_utf8(skipped[0].text));
    EXPECT_TRUE(vanban::vn::valid_utf8(skipped[0].why.message));
    EXPECT_TRUE(vanban::vn::valid_utf8(skipped[0].why.message_vi));
    EXPECT_LE(skipped[0].text.size(), 200u);
    EXPECT_NO_THROW((void)json(skipped[0].why.message_vi).dump());
}

TEST(SpreadsheetCsv, Utf16UnicodeTextAsExcelSavesIt) {
    // Excel's "Unicode text": UTF-16LE with a BOM, tab-separated, CRLF; "Nguyễn" and an emoji (a surrogate pair).
    const std::u16string text = u"Họ tên\tSố người\r\nNguyễn Thị 😀\t5\r\n";
    std::string bytes = "\xFF\xFE";
    for (char16_t c : text) {
        bytes += static_cast<char>(c & 0xFF);
        bytes += static_cast<char>(c >> 8);
    }
    const std::string path = t::temp_dir() + "/unicode.txt";
    t::write_file(path, bytes);
    const auto recs = read_all(path, &kMoneySchema);
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].data.value, json::parse(R"({"name":"Nguyễn Thị 😀","count":5})"));
}

TEST(SpreadsheetCsv, UnknownColumnsStopTheBatchAllAtOnce) {
    const std::string path = t::temp_dir() + "/u.csv";
    t::write_file(path, "Ho ten;So tien;Họ tên\nAn;1;An\n");
    try {
        read_all(path, &kMoneySchema);
        FAIL() << "no error";
    } catch (const vanban::Error& e) {
        ASSERT_EQ(e.diagnostics().size(), 2u);
        EXPECT_NE(e.diagnostics()[0].message_vi.find("có phải ý bạn là “Họ tên”"), std::string::npos)
            << e.diagnostics()[0].message_vi;
        EXPECT_NE(e.diagnostics()[1].message_vi.find("có phải ý bạn là “Số tiền”"), std::string::npos)
            << e.diagnostics()[1].message_vi;
    }
    const std::string none = t::temp_dir() + "/none.csv";
    t::write_file(none, "a,b\n1,2\n");
    try {
        read_all(none, &kMoneySchema);
        FAIL() << "no error";
    } catch (const vanban::Error& e) {
        EXPECT_EQ(e.diagnostics().at(0).code, "batch.header_not_found");
        EXPECT_NE(e.diagnostics()[0].message_vi.find("“Họ tên”"), std::string::npos) << e.diagnostics()[0].message_vi;
    }
}

TEST(SpreadsheetDefaults, SetValuesAreTypedAndMergedUnderTheRecord) {
    json defaults =
        json::parse(R"({"issuer": {"name": "SỞ TÀI CHÍNH", "parent_name": "UBND TỈNH"}, "place": "Ninh Bình"})");
    b::apply_set_value(defaults, "Ngày báo cáo=15/06/2024", &award_schema());
    b::apply_set_value(defaults, "form.subject=Cá nhân", &award_schema());
    b::apply_set_value(defaults, "issuer.name=SỞ NỘI VỤ", &award_schema());
    EXPECT_EQ(defaults["report_date"], "2024-06-15");
    EXPECT_EQ(defaults["form"]["subject"], "individual");
    EXPECT_EQ(defaults["issuer"]["name"], "SỞ NỘI VỤ");
    EXPECT_THROW(b::apply_set_value(defaults, "Ngày báo cáo", &award_schema()), vanban::Error);
    EXPECT_THROW(b::apply_set_value(defaults, "Ngày báo cáo=31/02/2024", &award_schema()), vanban::Error);
    EXPECT_THROW(b::apply_set_value(defaults, "khong co=1", &award_schema()), vanban::Error);

    json record = json::parse(R"({"place": "Hà Nội", "issuer": {"name": "SỞ Y TẾ"}})");
    b::merge_defaults(record, defaults);
    EXPECT_EQ(record["place"], "Hà Nội");  // the record's own value wins
    EXPECT_EQ(record["issuer"]["name"], "SỞ Y TẾ");
    EXPECT_EQ(record["issuer"]["parent_name"], "UBND TỈNH");  // objects merge member by member
    EXPECT_EQ(record["report_date"], "2024-06-15");
}

}  // namespace
