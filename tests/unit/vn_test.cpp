#include "core/vn.hpp"

#include <gtest/gtest.h>
#include <unicode/unorm2.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace vn = vanban::vn;

namespace {

const UNormalizer2* nfc_icu() {
    UErrorCode status = U_ZERO_ERROR;
    return unorm2_getNFCInstance(&status);
}

// Decomposed spellings, written with escapes so the source file itself stays NFC.
constexpr const char* kHoaDecomposed = "Hoa\xCC\x80";  // "Hoa" + U+0300 COMBINING GRAVE
constexpr const char* kDucDecomposed =
    "\xC4\x90u\xCC\x9B\xCC\x81"
    "c";  // "Đ" "u" U+031B U+0301 "c" = "Đức"

}  // namespace

// --- Normalisation -------------------------------------------------------------------------------------------

TEST(VnNfc, ComposesDecomposedVietnamese) {
    EXPECT_EQ(vn::nfc(kHoaDecomposed), "Hoà");
    EXPECT_EQ(vn::nfc("Hoà"), "Hoà");
    EXPECT_EQ(vn::nfc(kDucDecomposed), "Đức");
    // "ệ" typed as e + circumflex + dot below, and as e + dot below + circumflex: both compose to U+1EC7.
    EXPECT_EQ(vn::nfc("Vie\xCC\x82\xCC\xA3t"), "Việt");
    EXPECT_EQ(vn::nfc("Vie\xCC\xA3\xCC\x82t"), "Việt");
    EXPECT_EQ(vn::nfc(""), "");
}

TEST(VnNfc, InvalidUtf8BecomesReplacementCharacter) {
    EXPECT_EQ(vn::nfc("a\xFF"
                      "b"),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(vn::nfc("x\xE1\xBB"), "x\xEF\xBF\xBD");  // truncated "ệ"
}

// The fast path's claim, checked against ICU's own tables: every character it lets through is NFC_Quick_Check=Yes
// with combining class 0 (so no neighbour can compose with it or reorder around it), and the byte test agrees with
// the character test on each of them.
TEST(VnNfc, PlainCharactersAreNfcStableByIcusTables) {
    for (char32_t cp = 1; cp < 0x2000; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        std::string text;
        vn::append_utf8(text, cp);
        const bool plain = cp < 0x300 || (cp >= 0x1E00 && cp <= 0x1EFF);  // the ranges vn.hpp documents
        ASSERT_EQ(vn::is_plain_nfc(text), plain) << std::hex << static_cast<unsigned>(cp);
        if (!plain) continue;
        EXPECT_EQ(unorm2_getCombiningClass(nfc_icu(), static_cast<UChar32>(cp)), 0)
            << std::hex << static_cast<unsigned>(cp);
        const std::u16string unit = cp > 0xFFFF ? std::u16string() : std::u16string(1, static_cast<char16_t>(cp));
        UErrorCode status = U_ZERO_ERROR;
        EXPECT_EQ(unorm2_quickCheck(nfc_icu(), unit.data(), static_cast<int32_t>(unit.size()), &status), UNORM_YES)
            << std::hex << static_cast<unsigned>(cp);
    }
    EXPECT_TRUE(vn::is_plain_nfc("Cộng hòa xã hội chủ nghĩa Việt Nam, Độc lập"));
    EXPECT_FALSE(vn::is_plain_nfc("Việt Nam — Độc lập"));  // U+2014: not in the fast ranges
    EXPECT_FALSE(vn::is_plain_nfc(kHoaDecomposed));        // a combining mark
    EXPECT_FALSE(vn::is_plain_nfc("\xC0\xAF"));            // overlong: ill-formed text goes to ICU
    EXPECT_FALSE(vn::is_plain_nfc("x\xE1\xBB"));           // truncated "ệ"
    EXPECT_EQ(vn::nfc("Độc lập — Tự do"), "Độc lập — Tự do");
}

TEST(VnNfc, ValidUtf8) {
    EXPECT_TRUE(vn::valid_utf8(""));
    EXPECT_TRUE(vn::valid_utf8("Cộng hòa xã hội chủ nghĩa Việt Nam"));
    EXPECT_TRUE(vn::valid_utf8("\xF0\x9F\x98\x80"));   // U+1F600
    EXPECT_FALSE(vn::valid_utf8("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(vn::valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
    EXPECT_FALSE(vn::valid_utf8("\xE1\xBB"));          // truncated
    EXPECT_FALSE(vn::valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
    EXPECT_FALSE(vn::valid_utf8("abc\x80"));           // stray continuation byte
}

// --- Case mapping ----------------------------------------------------------------------------------------------

TEST(VnCase, Upper) {
    EXPECT_EQ(vn::upper("đại hội"), "ĐẠI HỘI");
    EXPECT_EQ(vn::upper("Ủy ban nhân dân tỉnh Ninh Thuận"), "ỦY BAN NHÂN DÂN TỈNH NINH THUẬN");
    EXPECT_EQ(vn::upper("cộng hòa xã hội chủ nghĩa việt nam"), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    EXPECT_EQ(vn::upper(kHoaDecomposed), "HOÀ");  // result is NFC: U+00C0
    EXPECT_EQ(vn::upper(kDucDecomposed), "ĐỨC");
    EXPECT_EQ(vn::upper("ơ ư ă â ê ô"), "Ơ Ư Ă Â Ê Ô");
    EXPECT_EQ(vn::upper(""), "");
}

TEST(VnCase, Lower) {
    EXPECT_EQ(vn::lower("ĐẠI HỘI ĐẢNG"), "đại hội đảng");
    EXPECT_EQ(vn::lower("KẾ HOẠCH"), "kế hoạch");
    EXPECT_EQ(vn::lower("HOA\xCC\x80"), "hoà");
}

TEST(VnCase, Title) {
    EXPECT_EQ(vn::title("nguyễn văn đức"), "Nguyễn Văn Đức");
    EXPECT_EQ(vn::title("ỦY BAN NHÂN DÂN tỉnh"), "Ủy Ban Nhân Dân Tỉnh");
    EXPECT_EQ(vn::title("hoa\xCC\x80 bi\xCC\x80nh"), "Hoà Bình");
    // Jinja's separators: whitespace and - ( { [ <. A word starting with a digit is only lower-cased.
    EXPECT_EQ(vn::title("kế hoạch số 12/KH-UBND"), "Kế Hoạch Số 12/kh-Ubnd");
    EXPECT_EQ(vn::title("phường (xã) đông hà"), "Phường (Xã) Đông Hà");
    // Leading quotes do not stop the first letter from being capitalised.
    EXPECT_EQ(vn::title("“thi đua” năm 2022"), "“Thi Đua” Năm 2022");
    EXPECT_EQ(vn::title("  hai  khoảng  "), "  Hai  Khoảng  ");
}

TEST(VnCase, Capitalize) {
    EXPECT_EQ(vn::capitalize("PHÁT ĐỘNG phong trào thi đua"), "Phát động phong trào thi đua");
    EXPECT_EQ(vn::capitalize("đại hội"), "Đại hội");
    EXPECT_EQ(vn::capitalize("o\xCC\x9B\xCC\x80 đây"), "Ờ đây");  // decomposed "ờ"
    EXPECT_EQ(vn::capitalize("“kế hoạch”"), "“Kế hoạch”");
    EXPECT_EQ(vn::capitalize("2022 là NĂM"), "2022 là năm");
    EXPECT_EQ(vn::capitalize(""), "");
}

// --- Dates -----------------------------------------------------------------------------------------------------

namespace {
void expect_date(const std::optional<vn::Date>& d, int year, int month, int day) {
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->year, year);
    EXPECT_EQ(d->month, month);
    EXPECT_EQ(d->day, day);
}
}  // namespace

TEST(VnDate, ParsesTheAcceptedForms) {
    expect_date(vn::parse_date("2022-03-10"), 2022, 3, 10);
    expect_date(vn::parse_date("2022-03"), 2022, 3, 0);
    expect_date(vn::parse_date("10/3/2022"), 2022, 3, 10);
    expect_date(vn::parse_date("10/03/2022"), 2022, 3, 10);
    expect_date(vn::parse_date("5/1/2020"), 2020, 1, 5);
    expect_date(vn::parse_date("  27/10/2021 "), 2021, 10, 27);
}

TEST(VnDate, ChecksTheCalendar) {
    expect_date(vn::parse_date("29/02/2020"), 2020, 2, 29);  // leap year
    expect_date(vn::parse_date("2000-02-29"), 2000, 2, 29);  // divisible by 400
    EXPECT_FALSE(vn::parse_date("29/02/2021"));
    EXPECT_FALSE(vn::parse_date("1900-02-29"));  // divisible by 100, not 400
    EXPECT_FALSE(vn::parse_date("31/04/2022"));
    EXPECT_FALSE(vn::parse_date("2022-13-01"));
    EXPECT_FALSE(vn::parse_date("2022-00-10"));
    EXPECT_FALSE(vn::parse_date("00/03/2022"));
    EXPECT_FALSE(vn::parse_date("32/1/2022"));
}

TEST(VnDate, RejectsOtherShapes) {
    EXPECT_FALSE(vn::parse_date(""));
    EXPECT_FALSE(vn::parse_date("2022"));
    EXPECT_FALSE(vn::parse_date("2022-3-1"));
    EXPECT_FALSE(vn::parse_date("1/1/22"));
    EXPECT_FALSE(vn::parse_date("10/3/2022/1"));
    EXPECT_FALSE(vn::parse_date("100/3/2022"));
    EXPECT_FALSE(vn::parse_date("ngày 10 tháng 3 năm 2022"));
    EXPECT_FALSE(vn::parse_date("2022-03-10T00:00"));
    EXPECT_FALSE(vn::parse_date("+1/3/2022"));
}

TEST(VnDate, DecreeFormat) {
    // The decree's own samples (ND30 Phụ lục I, see specs/nd30-layout.md §2.4).
    EXPECT_EQ(vn::decree_date({2020, 1, 5}), "ngày 05 tháng 01 năm 2020");
    EXPECT_EQ(vn::decree_date({2022, 3, 10}), "ngày 10 tháng 3 năm 2022");
    EXPECT_EQ(vn::decree_date({2019, 6, 29}), "ngày 29 tháng 6 năm 2019");
    EXPECT_EQ(vn::decree_date({2021, 2, 1}), "ngày 01 tháng 02 năm 2021");
    EXPECT_EQ(vn::decree_date({2022, 12, 31}), "ngày 31 tháng 12 năm 2022");
    EXPECT_EQ(vn::decree_date({2024, 10, 9}), "ngày 09 tháng 10 năm 2024");
}

TEST(VnDate, DecreeFormatBlanksAndPadding) {
    EXPECT_EQ(vn::kBlankDateField, "     ");
    EXPECT_EQ(vn::decree_date({2022, 3, 0}), "ngày       tháng 3 năm 2022");
    EXPECT_EQ(vn::decree_date({2022, 0, 0}), "ngày       tháng       năm 2022");
    EXPECT_EQ(vn::decree_date({2022, 1, 0}), "ngày       tháng 01 năm 2022");
    // A source that padded every month (seed 000: "tháng 03").
    EXPECT_EQ(vn::decree_date({2022, 3, 10}, true), "ngày 10 tháng 03 năm 2022");
    EXPECT_EQ(vn::decree_date({2022, 11, 0}, true), "ngày       tháng 11 năm 2022");
    EXPECT_THROW(vn::decree_date({2022, 13, 1}), std::invalid_argument);
    EXPECT_THROW(vn::decree_date({2021, 2, 29}), std::invalid_argument);
    EXPECT_THROW(vn::decree_date({0, 1, 1}), std::invalid_argument);
}

// A draft whose year is not known yet: everything left to be filled in by hand, the year's first digits printed.
TEST(VnDate, DraftWithoutItsYear) {
    EXPECT_EQ(vn::decree_date({0, 0, 0}), "ngày       tháng       năm 20…");
    EXPECT_EQ(vn::short_date({0, 0, 0}), "     /     /20…");
    EXPECT_THROW(vn::decree_date({0, 3, 0}), std::invalid_argument);  // a month without a year is no draft date
}

TEST(VnDate, ShortDate) {
    EXPECT_EQ(vn::short_date({2020, 1, 5}), "05/01/2020");
    EXPECT_EQ(vn::short_date({2021, 10, 27}), "27/10/2021");
    EXPECT_EQ(vn::short_date({2022, 3, 0}), "     /03/2022");
    EXPECT_THROW(vn::short_date({2022, 4, 31}), std::invalid_argument);
}

// --- Numbering -------------------------------------------------------------------------------------------------

TEST(VnNumbering, DiemLetters) {
    std::string all;
    for (int n = 1; n <= 23; ++n) {
        const auto letter = vn::diem_letter(n);
        ASSERT_TRUE(letter.has_value()) << n;
        all += *letter;
        all += ' ';
    }
    EXPECT_EQ(all, "a b c d đ e g h i k l m n o p q r s t u v x y ");
    EXPECT_EQ(vn::diem_letter(5), "đ");
    EXPECT_EQ(vn::diem_letter(7), "g");
    EXPECT_FALSE(vn::diem_letter(0));
    EXPECT_FALSE(vn::diem_letter(-1));
    EXPECT_FALSE(vn::diem_letter(24));
}

TEST(VnNumbering, Roman) {
    EXPECT_EQ(vn::roman(1), "I");
    EXPECT_EQ(vn::roman(2), "II");
    EXPECT_EQ(vn::roman(4), "IV");
    EXPECT_EQ(vn::roman(5), "V");
    EXPECT_EQ(vn::roman(9), "IX");
    EXPECT_EQ(vn::roman(14), "XIV");
    EXPECT_EQ(vn::roman(40), "XL");
    EXPECT_EQ(vn::roman(90), "XC");
    EXPECT_EQ(vn::roman(400), "CD");
    EXPECT_EQ(vn::roman(1994), "MCMXCIV");
    EXPECT_EQ(vn::roman(2022), "MMXXII");
    EXPECT_EQ(vn::roman(3999), "MMMCMXCIX");
    EXPECT_FALSE(vn::roman(0));
    EXPECT_FALSE(vn::roman(4000));
    EXPECT_FALSE(vn::roman(-3));
}

// --- Slugs -----------------------------------------------------------------------------------------------------

TEST(VnSlug, Slugs) {
    EXPECT_EQ(vn::slug("Nguyễn Văn Đức"), "nguyen-van-duc");
    EXPECT_EQ(vn::slug(kDucDecomposed), "duc");
    EXPECT_EQ(vn::slug("Kế hoạch số 12/KH-UBND"), "ke-hoach-so-12-kh-ubnd");
    EXPECT_EQ(vn::slug("  Ưu tiên — Phường Ỷ La!  "), "uu-tien-phuong-y-la");
    EXPECT_EQ(vn::slug("ĐẠI HỘI đảng"), "dai-hoi-dang");
    EXPECT_EQ(vn::slug(""), "x");
    EXPECT_EQ(vn::slug(" -- ? "), "x");
    EXPECT_EQ(vn::slug("中文"), "x");
}

// --- Text widths -----------------------------------------------------------------------------------------------
// Expected values are computed by hand from the published Adobe font metrics of Times Roman / Times Bold
// (1/1000 em), which Times New Roman and Liberation Serif follow to within rounding (they use 2048 units per em,
// e.g. 722/1000 vs 1479/2048 = 0.72217). Precomposed Vietnamese capitals have their base letter's advance.

TEST(VnWidth, SimpleExactValues) {
    // Space is 1/4 em, figures 1/2 em (exact in both 1000- and 2048-unit fonts).
    EXPECT_DOUBLE_EQ(vn::text_width_twips(" ", 12), 60.0);            // 0.25 * 12 pt * 20
    EXPECT_DOUBLE_EQ(vn::text_width_twips("2022", 13), 520.0);        // 4 * 0.5 * 13 * 20
    EXPECT_DOUBLE_EQ(vn::text_width_twips("2022", 13, true), 520.0);  // bold figures are 1/2 em too
    EXPECT_DOUBLE_EQ(vn::text_width_twips("", 13), 0.0);
}

TEST(VnWidth, QuocHieuAt13PtBold) {
    // CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM: C×2 O×3 N×3 G×2 H×4 A×4 X I×3 U V E T M and 7 spaces.
    // Times Bold: C722 O778 N722 G778 H778 A722 X722 I389 U722 V722 E667 T667 M944 space250
    //   = 1444+2334+2166+1556+3112+2888+722+1167+722+722+667+667+944+1750 = 20861 / 1000 em.
    // At 13 pt: 20.861 * 13 * 20 = 5423.86 twips (3.77 in).
    const double bold = vn::text_width_twips("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, true);
    EXPECT_NEAR(bold, 5423.86, 5423.86 * 0.003);
    // It must fit on one line in Mẫu 1.4's right header column: 5670 twips minus 2 × 85 twips cell margins.
    EXPECT_LT(bold, 5670.0 - 2 * 85.0);

    // Times Roman: C667 O722 N722 G722 H722 A722 X722 I333 U722 V722 E611 T611 M889 space250
    //   = 1334+2166+2166+1444+2888+2888+722+999+722+722+611+611+889+1750 = 19912 / 1000 em -> 5177.12 twips.
    const double regular = vn::text_width_twips("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13);
    EXPECT_NEAR(regular, 5177.12, 5177.12 * 0.003);
    EXPECT_GT(bold, regular);
}

TEST(VnWidth, ScalesLinearlyAndNormalises) {
    const std::string text = "Độc lập - Tự do - Hạnh phúc";
    const double w13 = vn::text_width_twips(text, 13, true);
    const double w26 = vn::text_width_twips(text, 26, true);
    EXPECT_NEAR(w26, 2 * w13, 1e-9);
    EXPECT_GT(vn::text_width_twips(text, 14, true), vn::text_width_twips(text, 14, false));
    // Decomposed input measures the same as precomposed.
    EXPECT_DOUBLE_EQ(vn::text_width_twips(kHoaDecomposed, 14), vn::text_width_twips("Hoà", 14));
    // A Vietnamese capital has its base letter's width ("Ộ" = "O").
    EXPECT_DOUBLE_EQ(vn::text_width_twips("Ộ", 14, true), vn::text_width_twips("O", 14, true));
    // Characters without metrics count as 'n'.
    EXPECT_DOUBLE_EQ(vn::text_width_twips("中", 14), vn::text_width_twips("n", 14));
    EXPECT_DOUBLE_EQ(vn::text_width_twips("a\xFF", 14), vn::text_width_twips("an", 14));
    // Italic 'n' in Times Italic is 500/1000 em as in the upright face.
    EXPECT_NEAR(vn::text_width_twips("n", 10, false, true), 100.0, 0.1);
}

// --- Thread safety ----------------------------------------------------------------------------------------------

TEST(VnThreads, ConcurrentUse) {
    std::vector<std::thread> threads;
    std::vector<int> failures(8, 0);
    for (std::size_t t = 0; t < failures.size(); ++t) {
        threads.emplace_back([t, &failures] {
            for (int i = 0; i < 200; ++i) {
                if (vn::upper("đại hội") != "ĐẠI HỘI") ++failures[t];
                if (vn::title("nguyễn văn đức") != "Nguyễn Văn Đức") ++failures[t];
                if (vn::slug("Nguyễn Văn Đức") != "nguyen-van-duc") ++failures[t];
                if (vn::text_width_twips(" ", 12) != 60.0) ++failures[t];
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    for (const int f : failures) EXPECT_EQ(f, 0);
}
