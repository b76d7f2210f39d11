// Spreadsheets as people really have them, through the real executable: a nominee list built with openpyxl (Debian's
// python3-openpyxl) with merged title rows, Vietnamese headers, enums in any case, dates typed every way, an empty
// row, a total row, notes and a signature line under the table, and lists on sheets of their own — every record
// renders, the other rows are listed as skipped, exit 0; a cell merged down over two people fills both. And `vanban sheet` for every bundled template: generated,
// filled by openpyxl as a person would (a second row, its list rows), batched with no error, documents opened.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "vanban/catalog.hpp"

#ifndef VANBAN_CLI
#error "VANBAN_CLI must be defined (path of the vanban executable)"
#endif

namespace {

namespace t = vanban::test;
using nlohmann::json;
using t::quote;

// Debian's interpreter: the one python3-openpyxl is installed for (a PATH python3 may be another one).
const char* kPython = "/usr/bin/python3";

bool have_openpyxl() { return t::run_command(std::string(kPython) + " -c 'import openpyxl'") == 0; }

std::string run_python(const std::string& dir, const std::string& script, const std::string& args) {
    t::write_file(dir + "/script.py", script);
    std::string out;
    const int rc = t::run_command(std::string(kPython) + " " + quote(dir + "/script.py") + " " + args, &out);
    EXPECT_EQ(rc, 0) << out;
    return out;
}

std::string document_text(const std::string& docx) {
    std::string text;
    for (const auto& p : t::paragraph_texts(t::read_zip(t::read_file(docx)).at("word/document.xml"))) text += p + "\n";
    return text;
}

const char* kMessyList = R"PY(
import datetime, sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "DS đề nghị"
ws["A1"] = "DANH SÁCH CÁ NHÂN ĐỀ NGHỊ TẶNG GIẤY KHEN NĂM 2024"
ws.merge_cells("A1:I1")
ws["A2"] = "(Kèm theo Tờ trình số 15/TTr-STC ngày 10/6/2024 của Sở Tài chính)"
ws.merge_cells("A2:I2")
ws.append([])
ws.append(["STT", "Họ và tên", "Ngày sinh", "GIỚI TÍNH", "Đơn vị  công tác", "chức vụ", "Hình thức đề nghị",
           "Loại báo cáo", "Đối tượng:"])
ws.append([1, "  Nguyễn Văn An ", datetime.datetime(1975, 3, 14), "nam", "Phòng Ngân sách, Sở Tài chính", "Phó Giám đốc Sở",
           "Giấy khen của Giám đốc Sở", "khen thưởng công trạng", "CÁ NHÂN"])
ws.append([2, "Trần Thị Bình", "22/7/84", "NỮ", None, "Trưởng phòng\nNgân sách",
           "Giấy khen của Giám đốc Sở", "Khen thưởng công trạng", "cá nhân"])
ws.merge_cells("E5:E6")  # one unit written once for the two people under it
ws.append([])
ws.append([3, "Lê Văn Cường", 1980, "Nam", "Sở Tài chính", "Chuyên viên", "Giấy khen của Giám đốc Sở",
           "merit", "individual"])
ws.append(["Tổng cộng", 3])
ws.append([])
ws.append(["Ghi chú: danh sách do Phòng Tổ chức cán bộ lập."])
ws.append([None, "Người lập biểu", None, None, None, "Thủ trưởng đơn vị"])

achievements = wb.create_sheet("Thành tích đạt được")
achievements.append(["STT", "Tiêu đề", "Nội dung"])
achievements.append([1, "Kết quả thực hiện nhiệm vụ:", "Hoàn thành xuất sắc nhiệm vụ được giao năm 2024."])
achievements.append([None, "Sáng kiến:", "Chủ trì 02 sáng kiến cấp cơ sở."])  # An's second row, STT left empty
achievements.append([2, None, "Hoàn thành tốt nhiệm vụ trưởng phòng."])
achievements.append([3, None, "Hoàn thành tốt nhiệm vụ chuyên viên."])

titles = wb.create_sheet("Danh hiệu thi đua đã đạt")
titles.append(["Họ và tên", "Năm", "Danh hiệu thi đua", "Quyết định"])
titles.append(["Nguyễn Văn An", 2023, "Chiến sĩ thi đua cơ sở", "Quyết định số 12/QĐ-STC ngày 10/01/2024"])
wb.save(sys.argv[1])
)PY";

TEST(Spreadsheets, MessyNomineeWorkbookRendersEveryRealRecordAndListsTheOtherRows) {
    if (!have_openpyxl()) GTEST_SKIP() << "python3-openpyxl is not installed (.ci/deps.sh --with-office)";
    const std::string dir = t::temp_dir();
    run_python(dir, kMessyList, quote(dir + "/de-nghi.xlsx"));
    t::write_file(dir + "/chung.json",
                  R"({"issuer": {"parent_name": "UBND TỈNH NINH BÌNH", "name": "SỞ TÀI CHÍNH"}, "place": "Ninh Bình",
                      "confirmer": {"title": "Giám đốc", "full_name": "Phạm Văn Hùng"}})");
    std::string out;
    const int rc = t::run_command(
        std::string(VANBAN_CLI) + " batch bao-cao-thanh-tich-ca-nhan " + quote(dir + "/de-nghi.xlsx") + " -o " +
            quote(dir + "/out") + " -q --name '{{ person.full_name | slug }}'" + " --defaults " +
            quote(dir + "/chung.json") + " --set 'Ngày báo cáo=15/06/2024' --report " + quote(dir + "/report.json"),
        &out);
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(t::files_in(dir + "/out"),
              (std::vector<std::string>{"le-van-cuong.docx", "nguyen-van-an.docx", "tran-thi-binh.docx"}));

    const json report = json::parse(t::read_file(dir + "/report.json"));
    EXPECT_EQ(report["summary"]["ok"], 3);
    EXPECT_EQ(report["summary"]["failed"], 0);
    std::vector<std::pair<int, std::string>> skipped;
    for (const auto& s : report["skipped_rows"]) {
        EXPECT_EQ(s["status"], "skipped");
        EXPECT_FALSE(s["message_vi"].get<std::string>().empty());
        skipped.emplace_back(s.value("row", 0), s["code"].get<std::string>());
    }
    EXPECT_EQ(skipped, (std::vector<std::pair<int, std::string>>{{1, "batch.row_above_header"},
                                                                 {2, "batch.row_above_header"},
                                                                 {9, "batch.row_total"},
                                                                 {11, "batch.row_note"},
                                                                 {12, "batch.row_note"}}));
    EXPECT_NE(out.find("is a total row"), std::string::npos) << out;  // the CLI says so too

    const std::string an = document_text(dir + "/out/nguyen-van-an.docx");
    EXPECT_NE(an.find("Nguyễn Văn An"), std::string::npos) << an;                    // trimmed
    EXPECT_NE(an.find("14/03/1975"), std::string::npos) << an;                       // a date cell
    EXPECT_NE(an.find("Giới tính: Nam"), std::string::npos) << an;                   // "nam"
    EXPECT_NE(an.find("Kết quả thực hiện nhiệm vụ:"), std::string::npos) << an;      // from the achievements sheet
    EXPECT_NE(an.find("Chủ trì 02 sáng kiến cấp cơ sở."), std::string::npos) << an;  // its row without STT
    EXPECT_NE(an.find("Chiến sĩ thi đua cơ sở"), std::string::npos) << an;           // keyed by name on a third sheet
    EXPECT_NE(an.find("SỞ TÀI CHÍNH"), std::string::npos) << an;                     // --defaults
    EXPECT_NE(an.find("ngày 15 tháng 6 năm 2024"), std::string::npos) << an;         // --set, by the column's title
    const std::string binh = document_text(dir + "/out/tran-thi-binh.docx");
    EXPECT_NE(binh.find("22/07/1984"), std::string::npos) << binh;                                      // "22/7/84"
    EXPECT_NE(binh.find("Giới tính: Nữ"), std::string::npos) << binh;                                   // "NỮ"
    EXPECT_NE(binh.find("Đơn vị công tác: Phòng Ngân sách, Sở Tài chính"), std::string::npos) << binh;  // merged down
    EXPECT_EQ(binh.find("Chiến sĩ thi đua cơ sở"), std::string::npos) << binh;
    const std::string cuong = document_text(dir + "/out/le-van-cuong.docx");
    EXPECT_NE(cuong.find("1980"), std::string::npos) << cuong;  // a year of birth alone
    EXPECT_NE(cuong.find("Hoàn thành tốt nhiệm vụ chuyên viên."), std::string::npos) << cuong;
    EXPECT_EQ(t::validate_office(dir + "/out/tran-thi-binh.docx"), "");
}

TEST(Spreadsheets, UnknownColumnsAreAllReportedWithSuggestions) {
    const std::string dir = t::temp_dir();
    t::write_file(dir + "/ds.csv", "Ho va ten;Ngay sinh;Giới tính;Don vi cong tac\nAn;1/1/1980;Nam;X\n");
    std::string out;
    const int rc = t::run_command(std::string(VANBAN_CLI) + " batch bao-cao-thanh-tich-ca-nhan " +
                                      quote(dir + "/ds.csv") + " -o " + quote(dir + "/out"),
                                  &out);
    EXPECT_EQ(rc, 2);
    EXPECT_FALSE(std::filesystem::exists(dir + "/out/1.docx"));
    // Every unknown column at once, each with what it probably meant.
    for (const char* s :
         {"column 1: the column 'Ho va ten' names no field of the template; did you mean 'Họ và tên'?",
          "column 2: the column 'Ngay sinh' names no field of the template; did you mean 'Ngày sinh'?",
          "column 4: the column 'Don vi cong tac' names no field of the template; did you mean 'Đơn vị công tác'?"})
        EXPECT_NE(out.find(s), std::string::npos) << s << "\n" << out;
}

// A person's way of filling the generated workbook: a second record copied from the example row under another name
// and number, and that record's rows on every list sheet.
const char* kFillSheet = R"PY(
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for ws in wb.worksheets:
    if ws.title == "Hướng dẫn":
        continue
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
    headers = [c.value for c in ws[1]]
    for r in rows:
        r[0] = 2
        for i, h in enumerate(headers):
            if h and h.rstrip(" *") in ("Họ tên", "Họ và tên", "Tên tập thể", "Trích yếu"):
                r[i] = "Bản ghi thứ hai"
        ws.append(r)
wb.save(sys.argv[2])
print(len(wb.sheetnames))
)PY";

TEST(Spreadsheets, GeneratedSheetRoundTripsForEveryBundledTemplate) {
    if (!have_openpyxl()) GTEST_SKIP() << "python3-openpyxl is not installed (.ci/deps.sh --with-office)";
    const auto templates = vanban::bundled_templates();
    ASSERT_FALSE(templates.empty());
    for (const auto& bt : templates) {
        SCOPED_TRACE(bt.name);
        const std::string dir = t::temp_dir();
        std::string out;
        ASSERT_EQ(
            t::run_command(std::string(VANBAN_CLI) + " sheet " + bt.name + " -o " + quote(dir + "/mau.xlsx"), &out), 0)
            << out;
        // As downloaded: the example row alone is a record.
        ASSERT_EQ(t::run_command(std::string(VANBAN_CLI) + " batch " + bt.name + " " + quote(dir + "/mau.xlsx") +
                                     " -q -o " + quote(dir + "/as-is"),
                                 &out),
                  0)
            << out;
        EXPECT_EQ(t::files_in(dir + "/as-is"), (std::vector<std::string>{"1.docx"}));
        run_python(dir, kFillSheet, quote(dir + "/mau.xlsx") + " " + quote(dir + "/filled.xlsx"));  // openpyxl opens it
        ASSERT_EQ(t::run_command(std::string(VANBAN_CLI) + " batch " + bt.name + " " + quote(dir + "/filled.xlsx") +
                                     " -q -o " + quote(dir + "/out") + " --report " + quote(dir + "/report.json"),
                                 &out),
                  0)
            << out;
        EXPECT_EQ(t::files_in(dir + "/out"), (std::vector<std::string>{"1.docx", "2.docx"}));
        const json report = json::parse(t::read_file(dir + "/report.json"));
        EXPECT_EQ(report["skipped_rows"].size(), 0u) << report["skipped_rows"].dump(1);
        const std::string second = document_text(dir + "/out/2.docx");
        EXPECT_NE(second.find("Bản ghi thứ hai"), std::string::npos) << second;
        // The second record got the same list rows as the example (its own STT on every list sheet): the same
        // paragraphs, one name apart.
        const auto paragraphs = [&](const std::string& f) {
            return t::paragraph_texts(t::read_zip(t::read_file(dir + "/out/" + f)).at("word/document.xml")).size();
        };
        EXPECT_EQ(paragraphs("1.docx"), paragraphs("2.docx"));
        EXPECT_EQ(t::validate_office(dir + "/out/2.docx"), "");
    }
}

}  // namespace
