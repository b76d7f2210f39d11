// Body-tree numbering of plans (src/core/outline.hpp): hand-written expected label sequences for the schemes the
// four seed plans use, the paragraph styles, run-in text, bullets, markup handling and the errors.
#include "core/outline.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using nlohmann::json;
using vanban::outline::flatten;

std::vector<std::string> labels(const json& items) {
    std::vector<std::string> out;
    for (const auto& item : items) out.push_back(item.at("label").get<std::string>());
    return out;
}

std::vector<std::string> heading_labels(const json& items) {
    std::vector<std::string> out;
    for (const auto& item : items)
        if (item.at("kind") == "heading") out.push_back(item.at("label").get<std::string>());
    return out;
}

// A section with `n` điểm children (letter scheme at the third level by default).
json section_with_diem(int n) {
    json kids = json::array();
    for (int i = 0; i < n; ++i) kids.push_back(json{{"text", "Điểm " + std::to_string(i + 1) + "."}});
    return json{{"title", "Khoản"}, {"children", kids}};
}

// The message of the std::invalid_argument thrown by flatten, or "" when it did not throw.
std::string error_of(const json& body, const json& options = nullptr) {
    try {
        flatten(body, options);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

// Seed 002 / 004: I. → 1. → (2.1. under one khoản) → bullets.
TEST(Outline, RomanArabicDecimal) {
    const json body = json::parse(R"([
      "Sở Y tế ban hành Kế hoạch …, cụ thể như sau:",
      {"title": "MỤC ĐÍCH, YÊU CẦU:", "children": [
        {"title": "Mục đích:", "children": [{"bullet": "Phát huy truyền thống …"}, {"bullet": "Nâng cao ý thức …"}]},
        {"title": "Yêu cầu:", "children": [{"bullet": "Tăng cường …"}]}
      ]},
      {"title": "ĐỐI TƯỢNG, TIÊU CHÍ, TỔ CHỨC THI ĐUA:", "children": [
        {"title": "Đối tượng thi đua:", "children": [{"bullet": "Tập thể …"}]},
        {"title": "Tiêu chí thi đua:", "children_numbering": "decimal", "children": [
          {"title": "Đối với tập thể:", "children": [{"bullet": "Hoàn thành …"}]},
          {"title": "Đối với cá nhân:", "children": [{"bullet": "Hoàn thành …"}]}
        ]},
        {"title": "Thời gian thi đua:", "text": "kể từ ngày ban hành …"}
      ]},
      {"title": "CÔNG TÁC KHEN THƯỞNG:"}
    ])");
    const json items = flatten(body, nullptr);
    EXPECT_EQ(labels(items), (std::vector<std::string>{"", "I.", "1.", "-", "-", "2.", "-", "II.", "1.", "-", "2.",
                                                       "2.1.", "-", "2.2.", "-", "3.", "III."}));
    EXPECT_EQ(items[1]["style"], "KHMuc");
    EXPECT_EQ(items[1]["head_style"], "KHMucHead");
    EXPECT_EQ(items[1]["head"], "I. MỤC ĐÍCH, YÊU CẦU:");
    EXPECT_EQ(items[1]["tail"], "");
    EXPECT_EQ(items[2]["style"], "KHKhoan");
    EXPECT_EQ(items[2]["head"], "1. Mục đích:");
    EXPECT_EQ(items[3]["style"], "KHBullet1");
    EXPECT_EQ(items[3]["tail"], "- Phát huy truyền thống …");
    EXPECT_EQ(items[3]["head"], "");
    EXPECT_EQ(items[11]["style"], "KHDecimal");
    EXPECT_EQ(items[11]["head"], "2.1. Đối với tập thể:");
    EXPECT_EQ(items[11]["level"], 3);
    EXPECT_EQ(items[15]["head"], "3. Thời gian thi đua:");
    EXPECT_EQ(items[15]["tail"], " kể từ ngày ban hành …");
    EXPECT_EQ(items[0]["kind"], "paragraph");
    EXPECT_EQ(items[0]["style"], "KHBody");
    EXPECT_EQ(items[0]["tail"], "Sở Y tế ban hành Kế hoạch …, cụ thể như sau:");
    EXPECT_EQ(items[12]["pointer"], "/2/children/1/children/0/children/0");
}

// Seed 000: the top level is "1." and its sections hold "a)" điểm; plain paragraphs between bullets take "+" bullets.
TEST(Outline, ArabicThenLetter) {
    const json body = json::parse(R"([
      {"title": "Mục đích và yêu cầu:", "children": [{"bullet": "Nâng cao …"}]},
      {"title": "Tiêu chí thi đua:", "children": [
        {"title": "Đối với tập thể:", "children": [{"bullet": "Hoàn thành …"}]},
        {"title": "Đối với cá nhân:", "children": [
          {"bullet": "Hoàn thành …"},
          {"paragraph": "Đối với cá nhân là người đứng đầu …:", "children": [{"bullet": "Lãnh đạo …"}, {"bullet": "Cơ quan …"}]}
        ]}
      ]},
      {"title": "Thời gian:", "children": [
        {"title": "*Đợt thi đua:*", "text": "Kể từ … ***ngày 30 tháng 12 năm 2022.***"}
      ]},
      {"title": "Đối tượng và tiêu chí thi đua:", "text": "Thực hiện theo Kế hoạch số 967/KH-UBND …"}
    ])");
    const json items = flatten(body, json{{"levels", {"arabic", "letter"}}});
    EXPECT_EQ(labels(items),
              (std::vector<std::string>{"1.", "-", "2.", "a)", "-", "b)", "-", "", "+", "+", "3.", "a)", "4."}));
    EXPECT_EQ(items[0]["style"], "KHKhoan");
    EXPECT_EQ(items[3]["style"], "KHDiem");
    EXPECT_EQ(items[3]["head_style"], "KHDiemHead");
    EXPECT_EQ(items[7]["kind"], "paragraph");
    EXPECT_EQ(items[8]["style"], "KHBullet2");
    EXPECT_EQ(items[8]["tail"], "+ Lãnh đạo …");
    EXPECT_EQ(items[8]["level"], 2);
    EXPECT_EQ(items[11]["head"], "a) *Đợt thi đua:*");
    EXPECT_EQ(items[11]["tail"], " Kể từ … ***ngày 30 tháng 12 năm 2022.***");
    EXPECT_EQ(items[12]["head"], "4. Đối tượng và tiêu chí thi đua:");
    EXPECT_EQ(items[12]["tail"], " Thực hiện theo Kế hoạch số 967/KH-UBND …");
}

// Seed 003: I. → 1. → a) … đ) … l), and under "6." a decimal level whose own sections hold "a)" again.
TEST(Outline, RomanArabicLetterWithDecimalOverride) {
    json tasks_1 = section_with_diem(5);   // a) … đ)
    json tasks_2 = section_with_diem(11);  // a) … l)
    json six = json::parse(R"({"title": "Hiện đại hóa nền hành chính", "children_numbering": "decimal", "children": [
        {"title": "Xây dựng kế hoạch …", "children": [{"bullet": "Đơn vị chủ trì …"}]},
        {"title": "Công tác xây dựng …", "children": [{"text": "Tổ chức 01 khóa đào tạo …:"}, {"text": "Kiểm tra …:"}]},
        {"title": "Việc triển khai …", "children": ["Duy trì và cải tiến …:", {"bullet": "Đơn vị chủ trì …"}]}
    ]})");
    const json body = json::array({
        json{{"title", "MỤC ĐÍCH, YÊU CẦU"}, {"children", json::array({json{{"title", "Mục đích"}}})}},
        json{{"title", "NHIỆM VỤ CỤ THỂ"}, {"children", json::array({tasks_1, tasks_2, six})}},
    });
    const json items = flatten(body, nullptr);
    // The decimal level lives under "3." here because that section is the third child.
    const std::vector<std::string> expected{"I.", "1.", "II.", "1.", "a)",   "b)",   "c)", "d)", "đ)",
                                            "2.", "a)", "b)",  "c)", "d)",   "đ)",   "e)", "g)", "h)",
                                            "i)", "k)", "l)",  "3.", "3.1.", "3.2.", "a)", "b)", "3.3."};
    EXPECT_EQ(heading_labels(items), expected);
    // Seed 003's last điểm in khoản 2 is the 11th, "l"; đ is the 5th.
    EXPECT_EQ(items[20]["label"], "l)");
    EXPECT_EQ(items[8]["label"], "đ)");
    // A decimal section takes the KHDecimal style and its children fall back to the letter level.
    for (const auto& item : items) {
        if (item["label"] == "3.2.") {
            EXPECT_EQ(item["style"], "KHDecimal");
            EXPECT_EQ(item["level"], 3);
        }
        if (item["label"] == "3.1.") {
            EXPECT_EQ(item["head"], "3.1. Xây dựng kế hoạch …");
        }
    }
    // Plain paragraphs under 3.3. come out unlabelled, in body style.
    bool found = false;
    for (const auto& item : items) {
        if (item["tail"] == "Duy trì và cải tiến …:") {
            found = true;
            EXPECT_EQ(item["kind"], "paragraph");
            EXPECT_EQ(item["style"], "KHBody");
        }
    }
    EXPECT_TRUE(found);
}

TEST(Outline, SixthKhoanDecimalLikeSeed003) {
    // Six khoản under II., the sixth with decimal children 6.1. … 6.5.
    json kids = json::array();
    for (int i = 0; i < 5; ++i) kids.push_back(json{{"title", "Khoản " + std::to_string(i + 1)}});
    json six = {{"title", "Hiện đại hóa"}, {"children_numbering", "decimal"}, {"children", json::array()}};
    for (int i = 0; i < 5; ++i) six["children"].push_back(json{{"title", "Nội dung " + std::to_string(i + 1)}});
    kids.push_back(six);
    const json items =
        flatten(json::array({json{{"title", "MỤC ĐÍCH"}}, json{{"title", "NHIỆM VỤ"}, {"children", kids}}}), nullptr);
    EXPECT_EQ(heading_labels(items), (std::vector<std::string>{"I.", "II.", "1.", "2.", "3.", "4.", "5.", "6.", "6.1.",
                                                               "6.2.", "6.3.", "6.4.", "6.5."}));
}

TEST(Outline, DiemLettersAndTheTwentyFourthIsAnError) {
    const json items = flatten(json::array({section_with_diem(23)}), json{{"levels", {"arabic", "letter"}}});
    const std::vector<std::string> expected{"1.", "a)", "b)", "c)", "d)", "đ)", "e)", "g)", "h)", "i)", "k)", "l)",
                                            "m)", "n)", "o)", "p)", "q)", "r)", "s)", "t)", "u)", "v)", "x)", "y)"};
    EXPECT_EQ(labels(items), expected);
    // 23 letters: the 11th điểm is "l" (as in seed 003's a) … l)), the 12th is "m", the 23rd "y".
    EXPECT_EQ(items[11]["label"], "l)");
    EXPECT_EQ(items[12]["label"], "m)");
    EXPECT_EQ(items[23]["label"], "y)");
    const std::string message = error_of(json::array({section_with_diem(24)}), json{{"levels", {"arabic", "letter"}}});
    EXPECT_EQ(message.rfind("/0/children/23: ", 0), 0u) << message;
    EXPECT_NE(message.find("24"), std::string::npos) << message;
}

TEST(Outline, KhoanWithoutTitleAndBareLabels) {
    const json body = json::parse(R"([{"title": "TỔ CHỨC THỰC HIỆN:", "children": [
        {"text": "Căn cứ kế hoạch này …"},
        {"text": ["Giao ", {"text": "Văn phòng", "bold": true}, " phối hợp …"]},
        {"children": [{"bullet": "x"}]}
    ]}])");
    const json items = flatten(body, nullptr);
    EXPECT_EQ(items[1]["head"], "");
    EXPECT_EQ(items[1]["tail"], "1. Căn cứ kế hoạch này …");
    EXPECT_EQ(items[2]["tail"],
              json::parse(R"([{"text": "2. "}, "Giao ", {"text": "Văn phòng", "bold": true}, " phối hợp …"])"));
    EXPECT_EQ(items[3]["tail"], "3.");
    EXPECT_EQ(items[4]["tail"], "- x");
}

TEST(Outline, SpansTitlesAndUppercase) {
    const json body =
        json::parse(R"([{"title": ["mục đích, ", {"text": "yêu cầu", "italic": true}, {"footnote": "ghi chú"}]},
                                     {"title": "tổ chức^[theo quyết định số 1]"}])");
    const json items = flatten(body, nullptr);
    EXPECT_EQ(items[0]["head"],
              json::parse(
                  R"([{"text": "I. "}, "MỤC ĐÍCH, ", {"text": "YÊU CẦU", "italic": true}, {"footnote": "ghi chú"}])"));
    // Footnote contents keep their case.
    EXPECT_EQ(items[1]["head"], "II. TỔ CHỨC^[theo quyết định số 1]");
    // uppercase: [] turns it off.
    const json plain = flatten(body, json{{"uppercase", json::array()}});
    EXPECT_EQ(plain[1]["head"], "II. tổ chức^[theo quyết định số 1]");
}

TEST(Outline, BulletSymbols) {
    const json body = json::parse(R"([
      {"bullet": "một", "children": [{"bullet": "hai", "children": [{"bullet": "ba"}]}]},
      {"bullet": "riêng", "symbol": "- +"},
      {"bullet": "sao", "symbol": "*"}
    ])");
    const json items = flatten(body, nullptr);
    EXPECT_EQ(labels(items), (std::vector<std::string>{"-", "+", "+", "- +", "*"}));
    EXPECT_EQ(items[2]["style"], "KHBullet2");
    EXPECT_EQ(items[3]["tail"], "- + riêng");
    EXPECT_EQ(items[4]["tail"], "\\* sao");  // markup characters in generated text are escaped
    const json custom = flatten(body, json{{"bullets", {"–", "•", "◦"}}});
    EXPECT_EQ(labels(custom), (std::vector<std::string>{"–", "•", "◦", "- +", "*"}));
}

TEST(Outline, NoneSchemeAndLevelsOption) {
    const json body = json::parse(R"([{"title": "Phần mở đầu", "children": [{"title": "Nội dung"}]}])");
    const json items = flatten(body, json{{"levels", {"none", "arabic"}}});
    EXPECT_EQ(items[0]["label"], "");
    EXPECT_EQ(items[0]["head"], "Phần mở đầu");
    EXPECT_EQ(items[1]["label"], "1.");
    EXPECT_EQ(items[0]["style"], "KHBody");
}

TEST(Outline, Errors) {
    EXPECT_EQ(
        error_of(
            json::parse(
                R"([{"title": "A", "children": [{"title": "B", "children": [{"title": "c"}, {"title": "d", "children": [{"title": "x"}]}]}]}])"))
            .rfind("/0/children/0/children/1/children/0: no numbering scheme for level 4", 0),
        0u);
    EXPECT_EQ(
        error_of(json::parse(R"([{"title": "A", "children_numbering": "decimal", "children": [{"title": "B"}]}])"))
            .rfind("/0/children/0: decimal numbering", 0),
        0u);
    EXPECT_EQ(
        error_of(json::parse(R"([{"title": "A", "children_numbering": "greek"}])")).rfind("/0/children_numbering: ", 0),
        0u);
    EXPECT_EQ(error_of(json::parse(R"([{"title": "A", "childs": []}])")).rfind("/0/childs: unknown key", 0), 0u);
    EXPECT_EQ(error_of(json::parse(R"([{"title": 5}])")).rfind("/0/title: ", 0), 0u);
    EXPECT_EQ(error_of(json::parse(R"([{"title": "A", "children": [42]}])")).rfind("/0/children/0: ", 0), 0u);
    EXPECT_EQ(error_of(json::parse(R"([{"title": "A", "children": {"x": 1}}])")).rfind("/0/children: ", 0), 0u);
    EXPECT_EQ(error_of(json::parse(R"([{"bullet": "x", "symbol": ""}])")).rfind("/0/symbol: ", 0), 0u);
    EXPECT_EQ(error_of(json::parse(R"([{}])")).rfind("/0: ", 0), 0u);
    EXPECT_EQ(error_of(json::parse(R"({"title": "A"})")).rfind(": the body must be", 0), 0u);
    EXPECT_EQ(error_of(json::array(), json{{"levels", {"greek"}}}).rfind("numbering/levels/0: ", 0), 0u);
    EXPECT_EQ(error_of(json::array(), json{{"colour", "red"}}).rfind("numbering/colour: ", 0), 0u);
    EXPECT_EQ(error_of(json::array(), json("roman")).rfind("numbering: ", 0), 0u);
}

// "(1), (2)" under a điểm: by children_numbering on the điểm or by a fourth level; laid out as a điểm.
TEST(Outline, ParenLevelUnderADiem) {
    const json body = json::parse(R"([{"title": "Nhiệm vụ", "children": [{"title": "Hạ tầng", "children": [
        {"text": "Nguồn điện, nước dự phòng, gồm:", "children_numbering": "paren", "children": [
          {"text": "Máy phát điện;"}, {"title": "Bể chứa nước:", "text": "dung tích 20 m3."}]},
        {"text": "Tập huấn."}]}]}])");
    const json items = flatten(body, nullptr);
    EXPECT_EQ(heading_labels(items), (std::vector<std::string>{"I.", "1.", "a)", "(1)", "(2)", "b)"}));
    EXPECT_EQ(items[3]["scheme"], "paren");
    EXPECT_EQ(items[3]["style"], "KHDiem");
    EXPECT_EQ(items[3]["head_style"], "KHDiemHead");
    EXPECT_EQ(items[3]["tail"], "(1) Máy phát điện;");
    EXPECT_EQ(items[4]["head"], "(2) Bể chứa nước:");
    EXPECT_EQ(items[4]["tail"], " dung tích 20 m3.");
    // The same from the numbering levels, without children_numbering.
    json plain = body;
    plain[0]["children"][0]["children"][0].erase("children_numbering");
    EXPECT_EQ(heading_labels(flatten(plain, json{{"levels", {"roman", "arabic", "letter", "paren"}}})),
              (std::vector<std::string>{"I.", "1.", "a)", "(1)", "(2)", "b)"}));
}

// A section's own label replaces its generated number only; the count of the others goes on (a source that
// skips đ prints a) b) c) d) e) g) where the data would print đ) e)).
TEST(Outline, OwnLabelReplacesTheGeneratedNumber) {
    json kids = json::array();
    for (const char* t : {"A", "B", "C", "D"}) kids.push_back(json{{"text", t}});
    kids.push_back(json{{"text", "E"}, {"label", "e)"}});
    kids.push_back(json{{"text", "G"}, {"label", "g)"}});
    kids.push_back(json{{"text", "H"}});
    const json items = flatten(
        json::array(
            {json{{"title", "Mục"}, {"children", json::array({json{{"title", "Khoản"}, {"children", kids}}})}}}),
        nullptr);
    // H has no label of its own: it prints its generated number, the 7th điểm g) (the count is not moved by labels,
    // which is why the import labels every typed number that is not the generated one).
    EXPECT_EQ(heading_labels(items), (std::vector<std::string>{"I.", "1.", "a)", "b)", "c)", "d)", "e)", "g)", "g)"}));
    EXPECT_EQ(items[6]["tail"], "e) E");
    // A label with markup characters stays literal; decimal children build on the printed label.
    const json decimal = flatten(json::parse(R"([{"title": "K", "label": "3*.", "children_numbering": "decimal",
                                                  "children": [{"title": "x"}]}])"),
                                 json{{"levels", {"arabic", "letter"}}});
    EXPECT_EQ(decimal[0]["head"], "3\\*. K");
    EXPECT_EQ(decimal[1]["label"], "3*.1.");
}

TEST(Outline, OwnLabelErrorsNameTheFieldInVietnamese) {
    for (const json& bad : {json(""), json("   "), json("a\nb"), json(5), json(std::string(97, 'x'))}) {
        try {
            flatten(json::array({json{{"title", "A"}, {"label", bad}}}), nullptr);
            ADD_FAILURE() << bad.dump();
        } catch (const vanban::outline::OutlineError& e) {
            EXPECT_EQ(e.pointer, "/0/label");
            EXPECT_NE(e.message_vi.find("\"Số thứ tự riêng\""), std::string::npos) << e.message_vi;
        }
    }
    EXPECT_EQ(heading_labels(flatten(json::parse(R"([{"title": "A", "label": null}])"), nullptr)),
              (std::vector<std::string>{"I."}));
}

TEST(Outline, EmptyBodyAndDefaults) {
    EXPECT_TRUE(flatten(json::array(), nullptr).empty());
    EXPECT_TRUE(flatten(json::array(), json::object()).empty());
}

}  // namespace
