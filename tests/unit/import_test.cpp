// Unit tests of the importer (src/import): what the recogniser makes of small documents written here, what it
// reports, and how it refuses broken or hostile files.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "vanban/import.hpp"
#include "vanban/vanban.h"

namespace {

using nlohmann::json;
namespace t = vanban::test;

// A small plan as text: header, title, one căn cứ, the body given, Nơi nhận and signature.
std::string plan_text(const std::string& body) {
    return "Số: 12/KH-UBND\nĐà Nẵng, ngày 05 tháng 01 năm 2024\nKẾ HOẠCH\nTổ chức hội thi\n"
           "Căn cứ Luật Thi đua, khen thưởng;\nỦy ban nhân dân ban hành kế hoạch như sau:\n" +
           body + "\nNơi nhận:\n- Sở Nội vụ;\n- Lưu: VT, VP02.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Văn A\n";
}

vanban::ImportResult import_text(const std::string& text) { return vanban::import_document(text, "plan.txt"); }

std::vector<std::string> codes(const vanban::ImportResult& r) {
    std::vector<std::string> out;
    for (const auto& w : r.warnings) out.push_back(w.code);
    return out;
}

TEST(Import, HeaderSignatureAndNoiNhan) {
    const auto r = import_text(plan_text("I. MỤC ĐÍCH\n1. Mục đích: Nâng cao chất lượng.\n"));
    const json& d = r.data;
    EXPECT_EQ(d["number"], 12);
    EXPECT_EQ(d["agency"]["abbreviation"], "UBND");
    EXPECT_EQ(d["place"], "Đà Nẵng");
    EXPECT_EQ(d["date"], (json{{"year", 2024}, {"month", 1}, {"day", 5}}));
    EXPECT_EQ(d["title"], "Tổ chức hội thi");
    EXPECT_EQ(d["legal_bases"], json::array({"Căn cứ Luật Thi đua, khen thưởng;"}));
    EXPECT_EQ(d["opening"], "Ủy ban nhân dân ban hành kế hoạch như sau:");
    EXPECT_EQ(d["recipients"], json::array({"Sở Nội vụ"}));
    EXPECT_EQ(d["archive"], (json{{"units", "VP"}, {"copies", "02"}}));
    EXPECT_EQ(d["signer"], (json{{"authority", "TM."},
                                 {"on_behalf_of", "ỦY BAN NHÂN DÂN"},
                                 {"position", "CHỦ TỊCH"},
                                 {"name", "Nguyễn Văn A"}}));
    EXPECT_EQ(d["body"],
              json::parse(
                  R"([{"title": "MỤC ĐÍCH", "children": [{"title": "Mục đích:", "text": "Nâng cao chất lượng."}]}])"));
    // Only the agency's name is missing (a text has no header table): filled with a visible placeholder, reported.
    EXPECT_EQ(codes(r), std::vector<std::string>{"import.missing_field"});
    EXPECT_EQ(r.warnings[0].json_pointer, "/agency/name");
    EXPECT_NE(r.warnings[0].message_vi.find("tên cơ quan ban hành"), std::string::npos);
}

TEST(Import, AgencyNameOnTwoBoldLines) {
    const auto r = import_text("**ỦY BAN NHÂN DÂN**\n**TỈNH NINH THUẬN**\n" + plan_text("1. Một\n"));
    EXPECT_EQ(r.data["agency"]["name"], json::array({"ỦY BAN NHÂN DÂN", "TỈNH NINH THUẬN"}));
    EXPECT_FALSE(r.data["agency"].contains("parent"));
}

TEST(Import, SymbolsWithSeveralDashesAndDoubledDashes) {
    std::string text = plan_text("1. Một\n");
    text.replace(text.find("KH-UBND"), 7, "KH-SYT-NVY");
    text.replace(text.find("- Sở Nội vụ;"), std::string("- Sở Nội vụ;").size(), "- - Sở Nội vụ;;");
    const auto r = import_text(text);
    EXPECT_EQ(r.data["symbol"], "KH-SYT-NVY");
    EXPECT_EQ(r.data["agency"]["abbreviation"], "NVY");
    EXPECT_EQ(r.data["recipients"], json::array({"Sở Nội vụ"}));
}

TEST(Import, NoiNhanWithoutDashes) {
    std::string text = plan_text("1. Một\n");
    text.replace(text.find("- Sở Nội vụ;"), std::string("- Sở Nội vụ;").size(), "Như trên;");
    text.replace(text.find("- Lưu: VT, VP02."), std::string("- Lưu: VT, VP02.").size(), "Lưu: VT, VP.");
    const auto r = import_text(text);
    EXPECT_EQ(r.data["recipients"], json::array({"Như trên"}));
    EXPECT_EQ(r.data["archive"], (json{{"units", "VP"}}));
    EXPECT_EQ(r.data["signer"]["name"], "Nguyễn Văn A");
    EXPECT_TRUE(r.unrecognised.empty());
}

TEST(Import, NumberingThatSkipsOrRepeatsIsReported) {
    const auto r = import_text(plan_text("1. Một\na) A;\nb) B;\nd) D.\n1. Hai\n2. Ba\n"));
    EXPECT_EQ(r.data["numbering"], json::parse(R"({"levels": ["arabic", "letter"]})"));
    ASSERT_EQ(r.data["body"].size(), 3u);
    EXPECT_EQ(r.data["body"][0]["children"].size(), 3u);
    std::vector<std::string> found = codes(r);
    EXPECT_NE(std::find(found.begin(), found.end(), "import.numbering_skip"), found.end());    // d) after b)
    EXPECT_NE(std::find(found.begin(), found.end(), "import.numbering_repeat"), found.end());  // 1. after 1.
    for (const auto& w : r.warnings) {
        if (w.code != "import.numbering_skip") continue;
        EXPECT_EQ(w.part, "plan.txt");
        EXPECT_EQ(w.paragraph, 10);  // the line "d) D."
        EXPECT_NE(w.message.find("\"d)\" where \"c)\""), std::string::npos) << w.message;
    }
}

// A typed number that is not the generated one is kept as the section's label, so the plan prints the source's
// numbers (a source that skips đ); "(1)" under a điểm is a level of its own.
TEST(Import, TypedNumbersAreKeptAsLabelsAndParenItemsUnderADiem) {
    const auto r =
        import_text(plan_text("1. Một\na) A;\nb) B, gồm:\n(1) Bước một;\n(2) Bước hai.\nc) C;\nd) D;\ne) E.\n"));
    const json diem = r.data["body"][0]["children"];
    ASSERT_EQ(diem.size(), 5u) << r.data["body"].dump(1);
    EXPECT_FALSE(diem[3].contains("label"));  // d) is the generated d)
    EXPECT_EQ(diem[4]["label"], "e)");        // the generated one would be đ)
    EXPECT_EQ(diem[1]["children_numbering"], "paren");
    EXPECT_EQ(diem[1]["children"], json::parse(R"([{"text": "Bước một;"}, {"text": "Bước hai."}])"));
    EXPECT_TRUE(r.unrecognised.empty());
    for (const auto& w : r.warnings) {
        if (w.code != "import.numbering_skip") continue;
        EXPECT_NE(w.message_vi.find("Số thứ tự riêng"), std::string::npos) << w.message_vi;
    }
}

// A Lưu line in another wording is kept whole; a draft date without its year becomes {"year": null}.
TEST(Import, FreeArchiveLineAndDraftDateWithoutYear) {
    std::string text = plan_text("1. Một\n");
    text.replace(text.find("- Lưu: VT, VP02."), std::string("- Lưu: VT, VP02.").size(),
                 "- Lưu: Văn thư, Phòng KH (02 bản).");
    text.replace(text.find("ngày 05 tháng 01 năm 2024"), std::string("ngày 05 tháng 01 năm 2024").size(),
                 "ngày … tháng … năm 20…");
    const auto r = import_text(text);
    EXPECT_EQ(r.data["archive"], (json{{"line", "Lưu: Văn thư, Phòng KH (02 bản)."}}));
    EXPECT_EQ(r.data["date"], (json{{"year", nullptr}}));
    EXPECT_EQ(r.data["place"], "Đà Nẵng");
    EXPECT_TRUE(r.unrecognised.empty());
    for (const auto& c : codes(r)) EXPECT_NE(c, "import.schema_gap");
}

TEST(Import, NumbersTheTemplateCannotPrintStayPlainParagraphs) {
    std::string letters = "1. Một\n";
    for (int i = 0; i < 24; ++i) letters += "a) điểm;\n";
    const auto r = import_text(plan_text("I. MỤC\n2.1. Không có khoản;\n" + letters));
    ASSERT_EQ(r.unrecognised.size(), 2u) << r.data["body"].dump();
    EXPECT_EQ(r.unrecognised[0].text, "2.1. Không có khoản;");
    EXPECT_EQ(r.data["body"][0]["children"][0], "2.1. Không có khoản;");
    EXPECT_EQ(r.data["body"][0]["children"][1]["children"].size(), 24u);  // 23 điểm and the 24th as text
    EXPECT_EQ(r.data["body"][0]["children"][1]["children"][23], "a) điểm;");
}

TEST(Import, BulletsParagraphsAndSchemaGaps) {
    const auto r =
        import_text(plan_text("1. Nhiệm vụ\n- Việc một;\n+ chi tiết;\nĐối với cá nhân:\n+ Tiêu chí;\n(1) Bước một.\n"));
    const json expected = json::parse(R"([{"title": "Nhiệm vụ", "children": [
        {"bullet": "Việc một;", "children": [{"bullet": "chi tiết;"}]},
        {"paragraph": "Đối với cá nhân:", "children": [{"bullet": "Tiêu chí;"}]},
        "(1) Bước một."]}])");
    EXPECT_EQ(r.data["body"], expected) << r.data["body"].dump(1);
    EXPECT_NE(std::find(codes(r).begin(), codes(r).end(), "import.schema_gap"), codes(r).end());
}

TEST(Import, MarkdownHeadingsAndBullets) {
    const auto r = vanban::import_document(plan_text("## I. MỤC ĐÍCH\n* Một;\n  - chi tiết;\n"), "plan.md");
    EXPECT_EQ(r.data["body"], json::parse(R"([{"title": "MỤC ĐÍCH", "children": [
        {"bullet": "Một;", "children": [{"bullet": "chi tiết;"}]}]}])"));
}

TEST(Import, TextFootnotesAndMarkup) {
    const auto r =
        import_text(plan_text("1. Mục tiêu: đạt **100%** chỉ tiêu¹ trong *năm*.\n¹ Theo Nghị quyết số 04.\n"));
    EXPECT_EQ(r.data["body"][0]["text"], "đạt **100%** chỉ tiêu^[Theo Nghị quyết số 04.] trong *năm*.");
}

TEST(Import, DocxHeaderTableBoldNamesFootnotesAndLiteralAsterisks) {
    auto p = [](const std::string& runs) { return "<w:p>" + runs + "</w:p>"; };
    auto r_ = [](const std::string& text, bool bold = false) {
        return std::string("<w:r>") + (bold ? "<w:rPr><w:b/></w:rPr>" : "") + "<w:t xml:space=\"preserve\">" +
               t::xml_escape(text) + "</w:t></w:r>";
    };
    const std::string header = "<w:tbl><w:tr><w:tc>" + p(r_("UBND TỈNH NINH THUẬN")) + p(r_("SỞ Y TẾ", true)) +
                               "</w:tc><w:tc>" + p(r_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", true)) +
                               p(r_("Độc lập - Tự do - Hạnh phúc", true)) + "</w:tc></w:tr><w:tr><w:tc>" +
                               p(r_("Số: 05/KH-SYT")) + "</w:tc><w:tc>" +
                               p(r_("Ninh Thuận, ngày 10 tháng 3 năm 2024")) + "</w:tc></w:tr></w:tbl>";
    const std::string body =
        header + p(r_("KẾ HOẠCH", true)) + p(r_("Phát động thi đua", true)) + p(r_("năm 2024", true)) +
        p(r_("I. MỤC ĐÍCH", true)) +
        p(r_("1. Mục đích:", true) + r_(" Đạt 5* sao") + "<w:r><w:footnoteReference w:id=\"2\"/></w:r>") +
        p(r_("Nơi nhận:")) + p(r_("- Sở Nội vụ;")) + p(r_("- Lưu: VT, VP.")) + p(r_("GIÁM ĐỐC")) + p(r_("Lê Văn B"));
    const std::string footnotes =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:footnotes xmlns:w=\"http://schemas.openxmlformats.org/"
        "wordprocessingml/2006/main\"><w:footnote w:type=\"separator\" w:id=\"0\"><w:p/></w:footnote><w:footnote "
        "w:id=\"2\"><w:p><w:r><w:t xml:space=\"preserve\"> Xem phụ lục.</w:t></w:r></w:p></w:footnote></w:footnotes>";
    const auto r = vanban::import_document(t::make_docx(body, {{"word/footnotes.xml", footnotes}}), "plan.docx");
    EXPECT_TRUE(r.unrecognised.empty());
    EXPECT_TRUE(r.warnings.empty()) << r.warnings.front().to_string();
    EXPECT_EQ(r.data["agency"],
              (json{{"parent", "UBND TỈNH NINH THUẬN"}, {"name", "SỞ Y TẾ"}, {"abbreviation", "SYT"}}));
    EXPECT_EQ(r.data["number"], 5);
    EXPECT_EQ(r.data["title"], "Phát động thi đua năm 2024");  // typed as two bold paragraphs
    EXPECT_EQ(r.data["body"][0]["children"][0],
              (json{{"title", "Mục đích:"}, {"text", "Đạt 5\\* sao^[Xem phụ lục.]"}}));
}

TEST(Import, RefusesBrokenAndHostileFiles) {
    auto kind_and_code = [](const std::string& bytes, const std::string& name, const vanban::ImportOptions& o = {}) {
        try {
            vanban::import_document(bytes, name, o);
        } catch (const vanban::Error& e) {
            const auto& d = e.diagnostics().front();
            return std::string(vanban::to_string(d.kind)) + " " + d.code;
        }
        return std::string("accepted");
    };
    EXPECT_EQ(kind_and_code("not a zip", "plan.docx"), "package import.unreadable");
    EXPECT_EQ(kind_and_code("not a zip", "plan.odt").substr(0, 7), "package");
    const std::string dtd =
        "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY a \"aaaa\">]><w:document "
        "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body/></w:document>";
    EXPECT_EQ(kind_and_code(t::make_docx("", {{"word/document.xml", dtd}}), "plan.docx").substr(0, 7), "package");
    EXPECT_EQ(kind_and_code("K\xFF\xFE\n", "plan.txt").substr(0, 7), "package");
    EXPECT_EQ(kind_and_code(std::string("KẾ HOẠCH\nA\nNơi nhận:\nGIÁM ĐỐC\n") + '\0' + "\n", "plan.txt").substr(0, 7),
              "package");  // binary
    EXPECT_EQ(kind_and_code("Công văn\n", "plan.txt"), "data import.not_a_plan");
    EXPECT_EQ(kind_and_code("", "plan.md"), "data import.not_a_plan");
    EXPECT_EQ(kind_and_code("x", "plan.doc"), "usage import.unknown_format");
    vanban::ImportOptions other;
    other.template_name = "bao-cao";
    EXPECT_EQ(kind_and_code(plan_text(""), "plan.txt", other), "usage import.unknown_template");
    vanban::ImportOptions few;
    few.max_paragraphs = 5;
    EXPECT_EQ(kind_and_code(plan_text("1. A\n2. B\n"), "plan.txt", few), "limit import.limit");
}

TEST(Import, RepeatedFootnotesAreBoundedAndDeepListsKeepEveryItem) {
    // One long note cited many times: its copies are bounded by the part size limit.
    std::string cites;
    for (int i = 0; i < 200; ++i) cites += "việc¹ ";
    vanban::ImportOptions small;
    small.limits.max_part_size = 1u << 20;
    const std::string text = plan_text("1. " + cites + "\n¹ " + std::string(20'000, 'x') + "\n");
    try {
        vanban::import_document(text, "plan.txt", small);
        ADD_FAILURE() << "accepted 4 MB of copied footnotes";
    } catch (const vanban::Error& e) {
        EXPECT_EQ(e.diagnostics().front().kind, vanban::DiagnosticKind::limit);
    }
    // An ODT list nested 40 deep: every item is read (past any fixed depth), none dropped.
    std::string list = "<text:p>Deep</text:p>";
    for (int i = 0; i < 40; ++i) list = "<text:list><text:list-item>" + list + "</text:list-item></text:list>";
    const std::string body = "<text:p>KẾ HOẠCH</text:p><text:p>Trích yếu</text:p><text:p>1. Mục</text:p>" + list;
    const auto r = vanban::import_document(t::make_odt(body), "plan.odt");
    EXPECT_NE(r.data["body"].dump().find("Deep"), std::string::npos) << r.data.dump();
}

TEST(Import, CApi) {
    const std::string text = plan_text("1. Một\n");
    vanban_buffer out = {nullptr, 0};
    vanban_errors* errors = nullptr;
    ASSERT_EQ(vanban_import(text.data(), text.size(), "plan.txt", nullptr, &out, &errors), VANBAN_OK);
    const json j = json::parse(std::string(out.data, out.size));
    EXPECT_EQ(j["template"], "ke-hoach");
    EXPECT_EQ(j["data"]["title"], "Tổ chức hội thi");
    EXPECT_TRUE(j["unrecognised"].empty());
    EXPECT_EQ(j["warnings"][0]["code"], "import.missing_field");
    vanban_buffer_free(&out);
    EXPECT_EQ(vanban_import("x", 1, "plan.txt", nullptr, &out, &errors), VANBAN_ERROR_DATA);
    EXPECT_EQ(out.data, nullptr);
    EXPECT_EQ(vanban_errors_count(errors), 1u);
    vanban_errors_free(errors);
    EXPECT_EQ(vanban_import(nullptr, 0, nullptr, nullptr, &out, nullptr), VANBAN_ERROR_USAGE);
}

}  // namespace
