#include "core/richtext.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

using nlohmann::json;
using vanban::parse_markup;
using vanban::rich_from_json;
using vanban::RichSpan;
using vanban::RichText;

namespace {

// Compact description of spans, compared against hand-written expectations:
// "[text]" plain, "[i:text]" italic, "[b:text]" bold, "[bi:text]", "[u:...]", "[br]", "[fn:<spans>]", "[tab]", "[para]" (\a),
// "[page]" (\f).
std::string describe(const std::vector<RichSpan>& spans) {
    std::string out;
    for (const RichSpan& span : spans) {
        switch (span.kind) {
            case RichSpan::Kind::text: {
                std::string flags;
                if (span.bold) flags += 'b';
                if (span.italic) flags += 'i';
                if (span.underline) flags += 'u';
                out += "[" + (flags.empty() ? "" : flags + ":") + span.text + "]";
                break;
            }
            case RichSpan::Kind::line_break: out += "[br]"; break;
            case RichSpan::Kind::footnote: out += "[fn:" + describe(span.footnote) + "]"; break;
            case RichSpan::Kind::tab: out += "[tab]"; break;
            case RichSpan::Kind::paragraph_break: out += "[para]"; break;
            case RichSpan::Kind::page_break: out += "[page]"; break;
        }
    }
    return out;
}

std::string markup(const std::string& text) { return describe(parse_markup(text).spans); }
std::string from_json(const json& value) { return describe(rich_from_json(value).spans); }

std::string json_error(const json& value) {
    try {
        rich_from_json(value);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no exception)";
}

}  // namespace

// --- Emphasis, from the seed documents -------------------------------------------------------------------------

TEST(RichMarkup, PlainText) {
    EXPECT_EQ(markup("Căn cứ Luật Thi đua, khen thưởng;"), "[Căn cứ Luật Thi đua, khen thưởng;]");
    EXPECT_EQ(markup(""), "");
}

TEST(RichMarkup, ItalicInParentheses) {
    EXPECT_EQ(markup("Hoàn thành giải ngân 100% vốn (*không xét khen thưởng*)."),
              "[Hoàn thành giải ngân 100% vốn (][i:không xét khen thưởng][).]");
}

TEST(RichMarkup, BoldItalic) {
    EXPECT_EQ(markup("đến trước ***ngày 30 tháng 12 năm 2022.***"), "[đến trước ][bi:ngày 30 tháng 12 năm 2022.]");
}

TEST(RichMarkup, ItalicLabelThenText) {
    EXPECT_EQ(markup("a) *Đợt thi đua:* Kể từ ngày ban hành"), "[a) ][i:Đợt thi đua:][ Kể từ ngày ban hành]");
}

TEST(RichMarkup, Bold) { EXPECT_EQ(markup("đến ngày **31/12/2025**"), "[đến ngày ][b:31/12/2025]"); }

TEST(RichMarkup, EmphasisAcrossLineBreak) {
    // Seed 002's signature block.
    EXPECT_EQ(markup("**KT.GIÁM ĐỐC\nPHÓ GIÁM ĐỐC**"), "[b:KT.GIÁM ĐỐC][br][b:PHÓ GIÁM ĐỐC]");
}

TEST(RichMarkup, NestedEmphasis) {
    EXPECT_EQ(markup("**đậm *và nghiêng***"), "[b:đậm ][bi:và nghiêng]");
    EXPECT_EQ(markup("*nghiêng **và đậm***"), "[i:nghiêng ][bi:và đậm]");
    EXPECT_EQ(markup("***cả hai** chỉ nghiêng*"), "[bi:cả hai][i: chỉ nghiêng]");
}

// --- Literal asterisks -----------------------------------------------------------------------------------------

TEST(RichMarkup, UnbalancedMarkersStayLiteral) {
    EXPECT_EQ(markup("5 * 3 = 15"), "[5 * 3 = 15]");
    EXPECT_EQ(markup("*chưa đóng"), "[*chưa đóng]");
    EXPECT_EQ(markup("chưa mở*"), "[chưa mở*]");
    EXPECT_EQ(markup("* không *"), "[* không *]");
    EXPECT_EQ(markup("**đậm*"), "[*][i:đậm]");
    EXPECT_EQ(markup("a ** b"), "[a ** b]");
}

TEST(RichMarkup, IdenticalNeighboursMerge) {
    // The inner "**" cannot match (rule of three) and stays a literal inside the italic span, merged with it.
    EXPECT_EQ(markup("*a**b*"), "[i:a**b]");
}

TEST(RichMarkup, Escapes) {
    EXPECT_EQ(markup("\\*không nghiêng\\*"), "[*không nghiêng*]");
    EXPECT_EQ(markup("a \\\\ b"), "[a \\ b]");
    EXPECT_EQ(markup("\\^[không phải chú thích]"), "[^[không phải chú thích]]");
    EXPECT_EQ(markup("C:\\thu muc"), "[C:\\thu muc]");  // other backslashes are kept
    EXPECT_EQ(markup("*1 \\* 2*"), "[i:1 * 2]");
    EXPECT_EQ(markup("kết thúc \\"), "[kết thúc \\]");
}

// --- Footnotes -------------------------------------------------------------------------------------------------

TEST(RichMarkup, Footnote) {
    const RichText rich = parse_markup("Quyết định số 12^[Được sửa đổi bởi *Quyết định số 34*.] của UBND tỉnh");
    EXPECT_EQ(describe(rich.spans),
              "[Quyết định số 12][fn:[Được sửa đổi bởi ][i:Quyết định số 34][.]][ của UBND tỉnh]");
    EXPECT_EQ(rich.plain(), "Quyết định số 12 của UBND tỉnh");
}

TEST(RichMarkup, FootnoteBrackets) {
    EXPECT_EQ(markup("x^[xem [1] và [2]]"), "[x][fn:[xem [1] và [2]]]");
    EXPECT_EQ(markup("x^[dấu \\] đóng]"), "[x][fn:[dấu ] đóng]]");
    // Footnotes do not nest: inside a footnote "^[" is text.
    EXPECT_EQ(markup("x^[a ^[b]]"), "[x][fn:[a ^[b]]]");
}

TEST(RichMarkup, FootnoteNotClosedOrEmptyIsLiteral) {
    EXPECT_EQ(markup("x^[chưa đóng"), "[x^[chưa đóng]");
    EXPECT_EQ(markup("x^[]"), "[x^[]]");
    EXPECT_EQ(markup("2^3"), "[2^3]");
}

TEST(RichMarkup, FootnoteInsideEmphasis) {
    EXPECT_EQ(markup("*nghiêng^[chú thích] tiếp*"), "[i:nghiêng][fn:[chú thích]][i: tiếp]");
}

// --- Line breaks and normalisation ---------------------------------------------------------------------------

TEST(RichMarkup, LineBreaks) {
    const RichText rich = parse_markup("dòng 1\r\ndòng 2\ndòng 3");
    EXPECT_EQ(describe(rich.spans), "[dòng 1][br][dòng 2][br][dòng 3]");
    EXPECT_EQ(rich.plain(), "dòng 1\ndòng 2\ndòng 3");
}

TEST(RichMarkup, NfcNormalised) { EXPECT_EQ(markup("Hoa\xCC\x80n tha\xCC\x80nh *va\xCC\x80*"), "[Hoàn thành ][i:và]"); }

// --- JSON --------------------------------------------------------------------------------------------------------

TEST(RichJson, StringIsMarkup) { EXPECT_EQ(from_json(json("vốn (*không xét*)")), "[vốn (][i:không xét][)]"); }

TEST(RichJson, ArrayOfItems) {
    const json value = json::parse(R"([
        "Kế ",
        "hoạch ",
        {"text": "đậm", "bold": true},
        {"text": " gạch *chân*", "underline": true, "italic": false},
        {"footnote": "chú thích *nghiêng*"},
        {"footnote": ["a", {"text": "b", "bold": true}]}
    ])");
    EXPECT_EQ(from_json(value), "[Kế hoạch ][b:đậm][u: gạch *chân*][fn:[chú thích ][i:nghiêng]][fn:[a][b:b]]");
}

// A footnote printed with the form's own mark "(1)" instead of its number (the award forms).
TEST(RichJson, FootnoteWithItsOwnMark) {
    const auto rich =
        rich_from_json(json::parse(R"J(["Đề nghị", {"footnote": "Ghi hình thức khen thưởng.", "mark": "(1)"}])J"));
    ASSERT_EQ(rich.spans.size(), 2u);
    EXPECT_EQ(rich.spans[1].kind, RichSpan::Kind::footnote);
    EXPECT_EQ(rich.spans[1].mark, "(1)");
    EXPECT_TRUE(rich_from_json(json::parse(R"J([{"footnote": "x"}])J")).spans[0].mark.empty());
    for (const char* bad :
         {R"J([{"footnote": "x", "mark": 1}])J", R"J([{"footnote": "x", "mark": ""}])J",
          R"J([{"footnote": "x", "mark": "a\nb"}])J", R"J([{"footnote": "x", "mark": "(12345678901234567)"}])J",
          R"J([{"footnote": "x", "mark": "(1)", "bold": true}])J"})
        EXPECT_NE(json_error(json::parse(bad)).find("item 0"), std::string::npos) << bad;
}

TEST(RichJson, ObjectTextNewlinesAndNfc) {
    EXPECT_EQ(from_json(json::parse(R"([{"text": "a\nb", "italic": true}])")), "[i:a][br][i:b]");
    EXPECT_EQ(from_json(json::array({json::object({{"text", "Hoa\xCC\x80"}})})), "[Hoà]");
}

TEST(RichJson, ErrorsNameTheItem) {
    EXPECT_THROW(rich_from_json(json(42)), std::invalid_argument);
    EXPECT_THROW(rich_from_json(json(nullptr)), std::invalid_argument);
    EXPECT_NE(json_error(json::parse(R"(["a", 5])")).find("item 1"), std::string::npos);
    EXPECT_NE(json_error(json::parse(R"(["a", "b", {"text": "c", "bold": "yes"}])")).find("item 2"), std::string::npos);
    EXPECT_NE(json_error(json::parse(R"([{"texte": "x"}])")).find("item 0"), std::string::npos);
    EXPECT_NE(json_error(json::parse(R"([{"bold": true}])")).find("item 0"), std::string::npos);
    EXPECT_NE(json_error(json::parse(R"([{"text": 1}])")).find("item 0"), std::string::npos);
    EXPECT_NE(json_error(json::parse(R"(["ok", {"footnote": "x", "bold": true}])")).find("item 1"), std::string::npos);
    EXPECT_NE(json_error(json::parse(R"([{"footnote": [{"footnote": "x"}]}])")).find("item 0"), std::string::npos);
    EXPECT_NE(json_error(json::parse(R"([{"footnote": ""}])")).find("item 0"), std::string::npos);
    EXPECT_NE(json_error(json::parse(R"([{"footnote": 3}])")).find("item 0"), std::string::npos);
}

// --- docxtpl's objects ---------------------------------------------------------------------------------------------

TEST(RichJson, TabsParagraphAndPageBreaksAreSpans) {
    EXPECT_EQ(markup("a\tb\ac\fd"), "[a][tab][b][para][c][page][d]");
    EXPECT_EQ(from_json(json::parse(R"([{"text": "a\tb\u0007c\fd\ne", "bold": true}])")),
              "[b:a][tab][b:b][para][b:c][page][b:d][br][b:e]");
    EXPECT_EQ(rich_from_json(json::parse(R"([{"text": "a\tb", "color": "red"}])")).spans[1].look.color, "FF0000");
}

TEST(RichJson, DocxtplPropertiesAreRead) {
    const RichText rt = rich_from_json(json::parse(R"([{"text": "x", "color": "#00ff7f", "highlight": "darkBlue",
        "size": 10.5, "font": "eastAsia:MS Mincho", "underline": "wave", "strike": true, "subscript": true,
        "style": "Strong"}])"));
    ASSERT_EQ(rt.spans.size(), 1u);
    const vanban::RunLook& look = rt.spans[0].look;
    EXPECT_EQ(look.color, "00ff7f");  // as typed, as docxtpl writes it
    EXPECT_EQ(look.highlight, "darkBlue");
    EXPECT_EQ(look.half_points, 21);
    EXPECT_EQ(look.font, "MS Mincho");
    EXPECT_EQ(look.font_region, "eastAsia");
    EXPECT_EQ(look.underline_style, "wave");
    EXPECT_TRUE(rt.spans[0].underline);
    EXPECT_TRUE(look.strike);
    EXPECT_EQ(look.vert_align, vanban::RunLook::VertAlign::subscript);
    EXPECT_EQ(look.style, "Strong");
    // Spans with different looks stay apart.
    EXPECT_EQ(rich_from_json(json::parse(R"([{"text": "a", "color": "red"}, {"text": "b"}])")).spans.size(), 2u);
}

TEST(RichJson, InvalidPropertiesNameTheFieldInBothLanguages) {
    const auto vi_error = [](const json& span) -> std::pair<std::string, std::string> {
        try {
            rich_from_json(json::array({span}));
        } catch (const vanban::RichTextError& e) {
            return {e.what(), e.message_vi};
        }
        return {"(no exception)", ""};
    };
    for (const auto& [span, word] :
         std::vector<std::pair<json, std::string>>{{{{"text", "a"}, {"color", "blurple"}}, "blurple"},
                                                   {{{"text", "a"}, {"color", "#12345"}}, "#12345"},
                                                   {{{"text", "a"}, {"size", 0}}, "size"},
                                                   {{{"text", "a"}, {"size", "12"}}, "size"},
                                                   {{{"text", "a"}, {"highlight", "pink"}}, "pink"},
                                                   {{{"text", "a"}, {"underline", "zigzag"}}, "zigzag"},
                                                   {{{"text", "a"}, {"strike", "yes"}}, "strike"},
                                                   {{{"text", "a"}, {"font", ""}}, "font"},
                                                   {{{"text", "a"}, {"url_id", "rId3"}}, "url_id"}}) {
        const auto [en, vi] = vi_error(span);
        EXPECT_NE(en.find(word), std::string::npos) << en;
        EXPECT_NE(en.find("item 0"), std::string::npos) << en;
        EXPECT_NE(vi.find(word), std::string::npos) << vi;
    }
}

// docxtpl's RichText(url_id=…): a span's "url" makes it a hyperlink. Only web and mail addresses: a javascript:,
// file: or relative target is a data error naming the field, in both languages.
TEST(RichJson, HyperlinksTakeWebAndMailAddressesOnly) {
    const RichText rt =
        rich_from_json(json::parse(R"([{"text": "Cổng\tthông tin", "url": "https://chinhphu.vn/?a=1&b=2", "bold": true},
        {"text": " và "}, {"text": "thư", "url": "mailto:vanthu@example.gov.vn"}, {"text": "Cổng", "url": "HTTP://Example.org"}])"));
    ASSERT_EQ(rt.spans.size(), 6u);
    EXPECT_EQ(describe(rt.spans), "[b:Cổng][tab][b:thông tin][ và ][thư][Cổng]");
    EXPECT_EQ(rt.spans[0].url, "https://chinhphu.vn/?a=1&b=2");
    EXPECT_EQ(rt.spans[1].url, "https://chinhphu.vn/?a=1&b=2");  // the tab belongs to the link
    EXPECT_EQ(rt.spans[2].url, "https://chinhphu.vn/?a=1&b=2");
    EXPECT_EQ(rt.spans[3].url, "");
    EXPECT_EQ(rt.spans[4].url, "mailto:vanthu@example.gov.vn");
    EXPECT_EQ(rt.spans[5].url, "HTTP://Example.org");  // as typed
    // Spans with the same look but different targets stay apart; the same target merges.
    EXPECT_EQ(
        rich_from_json(json::parse(R"([{"text": "a", "url": "https://a.vn"}, {"text": "b", "url": "https://b.vn"}])"))
            .spans.size(),
        2u);
    EXPECT_EQ(
        rich_from_json(json::parse(R"([{"text": "a", "url": "https://a.vn"}, {"text": "b", "url": "https://a.vn"}])"))
            .spans.size(),
        1u);
    // A new paragraph ends the link (the break is no part of it).
    const RichText broken = rich_from_json(json::parse(R"([{"text": "a\u0007b", "url": "https://a.vn"}])"));
    ASSERT_EQ(broken.spans.size(), 3u);
    EXPECT_EQ(broken.spans[1].url, "");

    for (const std::string bad :
         {"javascript:alert(1)", "file:///etc/passwd", "/relative/page", "trang.html", "https://", "https:///path",
          "ftp://example.org", "https://a b.vn", "mailto:", "http:example.org", "https://a.vn/\n", ""}) {
        SCOPED_TRACE(bad);
        try {
            rich_from_json(json::array({{{"text", "a"}, {"url", bad}}}));
            ADD_FAILURE() << "accepted";
        } catch (const vanban::RichTextError& e) {
            EXPECT_NE(std::string(e.what()).find("\"url\""), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("item 0"), std::string::npos) << e.what();
            EXPECT_NE(e.message_vi.find("url"), std::string::npos) << e.message_vi;
        }
    }
    EXPECT_THROW(rich_from_json(json::array({{{"text", "a"}, {"url", 3}}})), vanban::RichTextError);
    EXPECT_THROW(rich_from_json(json::array({{{"text", "a"}, {"url", "https://" + std::string(3000, 'a') + ".vn"}}})),
                 vanban::RichTextError);
}

TEST(DocxtplObject, Forms) {
    using vanban::docxtpl_object;
    EXPECT_FALSE(docxtpl_object(json("text"), true));
    EXPECT_FALSE(docxtpl_object(json::array({"a"}), false));  // a list in {{ x }} prints as a list
    EXPECT_FALSE(docxtpl_object(json{{"listing", "a"}, {"other", 1}}, true));
    EXPECT_EQ(describe(docxtpl_object(json::array({"*a*"}), true)->spans), "[i:a]");
    EXPECT_EQ(describe(docxtpl_object(json{{"rich", json::array({"b"})}}, false)->spans), "[b]");
    // A listing is literal text: no markup.
    EXPECT_EQ(describe(docxtpl_object(json{{"listing", "*a*\tb\ac"}}, false)->spans), "[*a*][tab][b][para][c]");
    const auto paragraphs =
        docxtpl_object(json::parse(R"({"paragraphs": [{"text": "A", "style": "Heading1"}, "B"]})"), false);
    ASSERT_TRUE(paragraphs);
    EXPECT_EQ(describe(paragraphs->spans), "[A][para][B]");
    EXPECT_EQ(paragraphs->paragraph_styles, (std::vector<std::string>{"Heading1", ""}));
    EXPECT_THROW(docxtpl_object(json{{"listing", 3}}, false), vanban::RichTextError);
    EXPECT_THROW(docxtpl_object(json{{"paragraphs", json::array()}}, false), vanban::RichTextError);
    EXPECT_THROW(docxtpl_object(json::parse(R"({"paragraphs": [{"text": "A", "styl": "x"}]})"), false),
                 vanban::RichTextError);
}
