// Signature and seal pictures end to end: KẾ HOẠCH and an award form rendered by the vanban command with pictures
// named by path (read relative to the data file, whatever the current directory) and given as data: URIs, to DOCX and
// ODT; every package passes validate-office --strict; media parts, relationships, content types and manifest entries
// are there; the drawings have the sizes asked for (EMU, mm); LibreOffice converts each to PDF and the PDF shows the
// pictures (pdfimages: count and proportions) at those sizes with the seal over the left third of the signature
// (pdftohtml: positions). A batch of JSON Lines records with pictures; a bad picture fails its record only.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_images.hpp"
#include "test_support.hpp"
#include "vanban/convert.hpp"

#ifndef VANBAN_CLI
#error "VANBAN_CLI must be defined (path of the vanban executable)"
#endif

namespace {

namespace fs = std::filesystem;
namespace t = vanban::test;
using nlohmann::json;

using vanban::test::quote;

json example(const std::string& name) {
    return json::parse(t::read_file(t::source_dir() + "/templates/" + name + "/example.json"));
}

std::vector<std::string> all(const std::string& text, const std::string& pattern) {
    std::vector<std::string> out;
    const std::regex re(pattern);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
        out.push_back((*it)[1]);
    return out;
}

// The pictures the fixtures use: a 300 × 100 px signature and a 200 × 200 px seal at 150 dpi; the templates place the
// signature 20 mm high (so 60 mm wide) and the seal 35 mm high, its right edge a third into the signature
// (x = 60/3 − 35 = −15 mm) and its centre level with the signature's (y = 29.63 − 10 − 17.5 = 2.13 mm).
struct Pictures {
    std::string dir = t::temp_dir();
    std::string signature = t::signature_png(), seal = t::seal_png();
    Pictures() {
        fs::create_directories(dir + "/scans");
        t::write_file(dir + "/scans/chu-ky.png", signature);
        t::write_file(dir + "/scans/con dau.png", seal);
    }
};

constexpr long kSigCx = 2160000, kSigCy = 720000, kSealSide = 1260000, kSealX = -540000, kSealY = 76680;

// The DOCX drawings and relationships of one signature block with its seal (the first `blocks` pairs in order).
void expect_docx_pictures(const std::string& docx, const Pictures& p, std::size_t blocks) {
    const auto parts = t::read_zip(docx);
    EXPECT_EQ(parts.at("word/media/vanban_image1.png"), p.seal);
    EXPECT_EQ(parts.at("word/media/vanban_image2.png"), p.signature);
    std::size_t media = 0;
    for (const auto& [name, bytes] : parts) media += name.starts_with("word/media/") ? 1 : 0;
    EXPECT_EQ(media, 2u) << "the same picture used again is stored once";
    const std::string& rels = parts.at("word/_rels/document.xml.rels");
    EXPECT_NE(
        rels.find(
            "Id=\"rIdVanbanImage1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" "
            "Target=\"media/vanban_image1.png\""),
        std::string::npos);
    EXPECT_NE(rels.find("Target=\"media/vanban_image2.png\""), std::string::npos);
    EXPECT_NE(parts.at("[Content_Types].xml").find("<Default Extension=\"png\" ContentType=\"image/png\"/>"),
              std::string::npos);
    const std::string& doc = parts.at("word/document.xml");
    std::vector<std::string> want_cx, want_cy, want_offsets;
    for (std::size_t k = 0; k < blocks; ++k) {
        want_cx.insert(want_cx.end(), {std::to_string(kSealSide), std::to_string(kSigCx)});
        want_cy.insert(want_cy.end(), {std::to_string(kSealSide), std::to_string(kSigCy)});
        want_offsets.insert(want_offsets.end(), {std::to_string(kSealX), std::to_string(kSealY)});
    }
    EXPECT_EQ(all(doc, "<wp:extent cx=\"(\\d+)\""), want_cx);
    EXPECT_EQ(all(doc, "<wp:extent cx=\"\\d+\" cy=\"(\\d+)\""), want_cy);
    EXPECT_EQ(all(doc, "<wp:posOffset>(-?\\d+)</wp:posOffset>"), want_offsets);
    EXPECT_EQ(all(doc, "<wp:anchor [^>]*behindDoc=\"(\\d)\"").size(), blocks) << "the seals float in front";
    EXPECT_EQ(all(doc, "<wp:positionH relativeFrom=\"(\\w+)\"").front(), "character");
    const auto ids = all(doc, "<wp:docPr id=\"(\\d+)\"");
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "wp:docPr ids unique";
    EXPECT_EQ(all(doc, "r:embed=\"(rIdVanbanImage\\d)\"").size(), 2 * blocks);
}

void expect_odt_pictures(const std::string& odt, const Pictures& p, std::size_t blocks) {
    const auto parts = t::read_zip(odt);
    EXPECT_EQ(parts.at("Pictures/vanban_image1.png"), p.seal);
    EXPECT_EQ(parts.at("Pictures/vanban_image2.png"), p.signature);
    const std::string& manifest = parts.at("META-INF/manifest.xml");
    EXPECT_NE(manifest.find("manifest:full-path=\"Pictures/vanban_image1.png\" manifest:media-type=\"image/png\""),
              std::string::npos);
    EXPECT_NE(manifest.find("manifest:full-path=\"Pictures/vanban_image2.png\" manifest:media-type=\"image/png\""),
              std::string::npos);
    const std::string& content = parts.at("content.xml");
    EXPECT_EQ(all(content, "(svg:x=\"-15mm\" svg:y=\"2.13mm\" svg:width=\"35mm\" svg:height=\"35mm\")").size(), blocks);
    EXPECT_EQ(all(content, "(text:anchor-type=\"as-char\" svg:width=\"60mm\" svg:height=\"20mm\")").size(), blocks);
}

void expect_valid(const std::vector<std::string>& files) {
    std::string cmd = quote(t::shared_dir() + "/tools/validate-office") + " --strict";
    for (const auto& f : files) cmd += " " + quote(f);
    std::string output;
    EXPECT_EQ(t::run_command(cmd, &output), 0) << output;
}

// One picture as pdftohtml -xml places it on its page, in millimetres.
struct Placed {
    int page = 0;
    double top = 0, left = 0, width = 0, height = 0;
};

std::vector<Placed> placed_pictures(const std::string& pdf) {
    std::string xml;
    EXPECT_EQ(t::run_command("pdftohtml -xml -stdout -q " + quote(pdf), &xml, false), 0);
    // pdftohtml's units are 1.5 per point
    constexpr double mm = 25.4 / 72 / 1.5;
    std::vector<Placed> out;
    int page = 0;
    const std::regex element(
        R"re(<page number="(\d+)"|<image top="(-?\d+)" left="(-?\d+)" width="(\d+)" height="(\d+)")re");
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), element); it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        if (m[1].matched) page = std::stoi(m[1]);
        else
            out.push_back(
                {page, std::stod(m[2]) * mm, std::stod(m[3]) * mm, std::stod(m[4]) * mm, std::stod(m[5]) * mm});
    }
    return out;
}

// pdfimages -list: the pictures (not their soft masks) as "width height" in pixels, one per placement.
std::vector<std::pair<int, int>> listed_pictures(const std::string& pdf) {
    std::string list;
    EXPECT_EQ(t::run_command("pdfimages -list " + quote(pdf), &list, false), 0);
    std::vector<std::pair<int, int>> out;
    const std::regex row(R"re(\n\s*\d+\s+\d+\s+image\s+(\d+)\s+(\d+)\s)re");
    for (auto it = std::sregex_iterator(list.begin(), list.end(), row); it != std::sregex_iterator(); ++it)
        out.emplace_back(std::stoi((*it)[1]), std::stoi((*it)[2]));
    return out;
}

// The PDF LibreOffice makes shows each signature 60 × 20 mm and each seal 35 mm across, over the signature's left
// third and level with it.
void expect_pdf_pictures(const std::string& pdf, std::size_t blocks) {
    const auto listed = listed_pictures(pdf);
    ASSERT_EQ(listed.size(), 2 * blocks);
    for (const auto& [w, h] : listed) {
        const double ratio = static_cast<double>(w) / h;
        EXPECT_TRUE(std::abs(ratio - 3.0) < 0.05 || std::abs(ratio - 1.0) < 0.02) << w << " × " << h;
    }
    const auto shown = placed_pictures(pdf);
    std::vector<Placed> signatures, seals;
    for (const auto& p : shown) (std::abs(p.width - 35) < 1 ? seals : signatures).push_back(p);
    ASSERT_EQ(signatures.size(), blocks);
    ASSERT_EQ(seals.size(), blocks);
    for (std::size_t k = 0; k < blocks; ++k) {
        const Placed& sig = signatures[k];
        const Placed& seal = seals[k];
        SCOPED_TRACE("signature block " + std::to_string(k + 1));
        EXPECT_NEAR(sig.width, 60, 0.7);
        EXPECT_NEAR(sig.height, 20, 0.7);
        EXPECT_NEAR(seal.height, 35, 0.7);
        EXPECT_EQ(seal.page, sig.page);
        EXPECT_NEAR(seal.left + seal.width, sig.left + sig.width / 3, 1.0)
            << "the seal covers the signature's left third";
        EXPECT_NEAR(seal.top + seal.height / 2, sig.top + sig.height / 2, 3.0) << "level with the signature";
    }
}

TEST(Images, KeHoachWithSignatureAndSealToDocxOdtAndPdf) {
    const Pictures p;
    json plan = example("ke-hoach");
    plan["signer"]["signature_image"] = {{"image", "scans/chu-ky.png"}};  // read relative to the data file
    plan["signer"]["seal_image"] = {{"image", "scans/con dau.png"}};
    t::write_file(p.dir + "/plan.json", plan.dump(2));
    const std::string docx = p.dir + "/plan.docx", odt = p.dir + "/plan.odt";
    std::string output;
    for (const auto& out : {docx, odt})
        ASSERT_EQ(t::run_command("cd / && " + quote(VANBAN_CLI) + " render ke-hoach " + quote(p.dir + "/plan.json") +
                                     " -o " + quote(out),
                                 &output),
                  0)
            << output;
    expect_valid({docx, odt});
    expect_docx_pictures(t::read_file(docx), p, 1);
    expect_odt_pictures(t::read_file(odt), p, 1);
    for (const auto& [file, format] : {std::pair{docx, "docx"}, {odt, "odt"}}) {
        SCOPED_TRACE(format);
        const std::string pdf = file + ".pdf";
        t::write_file(pdf, vanban::convert_to_pdf(t::read_file(file), format));
        expect_pdf_pictures(pdf, 1);
    }
    // Without pictures the block is as before: no room paragraph, no media.
    plan["signer"].erase("signature_image");
    plan["signer"].erase("seal_image");
    t::write_file(p.dir + "/plain.json", plan.dump());
    ASSERT_EQ(t::run_command(quote(VANBAN_CLI) + " render ke-hoach " + quote(p.dir + "/plain.json") + " -o " +
                                 quote(p.dir + "/plain.docx"),
                             &output),
              0)
        << output;
    const auto parts = t::read_zip(t::read_file(p.dir + "/plain.docx"));
    EXPECT_EQ(parts.at("word/document.xml").find("KHChuKy"), std::string::npos);
    EXPECT_EQ(parts.at("word/document.xml").find("<w:drawing>"), std::string::npos);
    EXPECT_NE(parts.at("word/document.xml").find("w:val=\"KHNguoiKy\""), std::string::npos);
}

TEST(Images, AwardFormWithTwoSignatureBlocks) {
    const Pictures p;
    json record = example("bao-cao-thanh-tich-tap-the");
    record["confirmer"]["signature_image"] = {{"image", t::data_uri(p.signature)}};
    record["confirmer"]["seal_image"] = {{"image", "scans/con dau.png"}};
    record["signer"]["signature_image"] = {{"image", "scans/chu-ky.png"}};
    record["signer"]["seal_image"] = {{"image", t::data_uri(p.seal)}, {"description", "Dấu của trường"}};
    t::write_file(p.dir + "/record.json", record.dump(2));
    const std::string docx = p.dir + "/record.docx", odt = p.dir + "/record.odt";
    std::string output;
    for (const auto& out : {docx, odt})
        ASSERT_EQ(t::run_command(quote(VANBAN_CLI) + " render bao-cao-thanh-tich " + quote(p.dir + "/record.json") +
                                     " -o " + quote(out),
                                 &output),
                  0)
            << output;
    expect_valid({docx, odt});
    expect_docx_pictures(t::read_file(docx), p, 2);
    expect_odt_pictures(t::read_file(odt), p, 2);
    EXPECT_NE(t::read_zip(t::read_file(docx)).at("word/document.xml").find("descr=\"Dấu của trường\""),
              std::string::npos)
        << "the data's description wins over the template's";
    for (const auto& [file, format] : {std::pair{docx, "docx"}, {odt, "odt"}}) {
        SCOPED_TRACE(format);
        const std::string pdf = file + ".pdf";
        t::write_file(pdf, vanban::convert_to_pdf(t::read_file(file), format));
        expect_pdf_pictures(pdf, 2);
        // The two names stay level with each other, pictures or not.
        std::string text;
        ASSERT_EQ(t::run_command("pdftotext -layout " + quote(pdf) + " -", &text, false), 0);
        EXPECT_TRUE(std::regex_search(text, std::regex("Trần Văn Thắng +Đỗ Thị Minh Nguyệt")))
            << text.substr(text.size() - 600);
    }
}

TEST(Images, PicturesInBatchRecords) {
    const Pictures p;
    json good = example("bao-cao-thanh-tich-ca-nhan");
    good["person"]["signature_image"] = {{"image", "scans/chu-ky.png"}, {"height", "15mm"}};
    json inline_picture = good;
    inline_picture["person"]["full_name"] = "Lê Thị Hai";
    inline_picture["person"]["signature_image"] = {{"image", t::data_uri(p.signature)}};
    json bad = good;
    bad["person"]["full_name"] = "Phạm Văn Ba";
    bad["person"]["signature_image"] = {{"image", "scans/missing.png"}};
    t::write_file(p.dir + "/records.jsonl", good.dump() + "\n" + inline_picture.dump() + "\n" + bad.dump() + "\n");
    std::string output;
    const int rc = t::run_command("cd / && " + quote(VANBAN_CLI) + " batch bao-cao-thanh-tich-ca-nhan " +
                                      quote(p.dir + "/records.jsonl") + " -o " + quote(p.dir + "/out") +
                                      " --quiet --report " + quote(p.dir + "/report.json"),
                                  &output);
    EXPECT_EQ(rc, 1) << output;
    const json report = json::parse(t::read_file(p.dir + "/report.json"));
    ASSERT_EQ(report["results"].size(), 3u);
    EXPECT_EQ(report["results"][0]["status"], "ok");
    EXPECT_EQ(report["results"][1]["status"], "ok");
    const json& failed = report["results"][2];
    EXPECT_EQ(failed["status"], "failed");
    EXPECT_EQ(failed["line"], 3);
    EXPECT_EQ(failed["errors"][0]["json_pointer"], "/person/signature_image/image");
    EXPECT_NE(failed["errors"][0]["message"].get<std::string>().find("no picture file"), std::string::npos)
        << failed.dump();
    for (const char* name : {"1.docx", "2.docx"}) {
        const auto parts = t::read_zip(t::read_file(p.dir + "/out/" + name));
        EXPECT_EQ(parts.at("word/media/vanban_image1.png"), p.signature) << name;
        EXPECT_EQ(all(parts.at("word/document.xml"), "<wp:extent cx=\"\\d+\" cy=\"(\\d+)\"").front(),
                  std::string(name) == "1.docx" ? "540000" : "720000")
            << "15 mm from the record, else the template's 20 mm";
    }
    EXPECT_FALSE(fs::exists(p.dir + "/out/3.docx"));
    expect_valid({p.dir + "/out/1.docx"});
}

TEST(Images, DataErrorsOfPicturesThroughTheCommand) {
    const Pictures p;
    json plan = example("ke-hoach");
    plan["signer"]["signature_image"] = {{"image", "scans/notes.txt"}, {"width", "35"}};
    plan["signer"]["seal_image"] = {{"image", "scans/notes.txt"}};
    t::write_file(p.dir + "/scans/notes.txt", "not a picture");
    t::write_file(p.dir + "/plan.json", plan.dump(2));
    std::string output;
    EXPECT_EQ(t::run_command(quote(VANBAN_CLI) + " --errors json render ke-hoach " + quote(p.dir + "/plan.json") +
                                 " -o " + quote(p.dir + "/plan.docx"),
                             &output),
              1);
    const json errors = json::parse(output);
    ASSERT_EQ(errors.size(), 1u) << output;
    EXPECT_EQ(errors[0]["json_pointer"], "/signer/signature_image/width");
    EXPECT_EQ(errors[0]["kind"], "schema") << "the schema catches a width without its unit first";
    plan["signer"]["signature_image"]["width"] = "35mm";
    t::write_file(p.dir + "/plan.json", plan.dump(2));
    EXPECT_EQ(t::run_command(quote(VANBAN_CLI) + " --errors json render ke-hoach " + quote(p.dir + "/plan.json") +
                                 " -o " + quote(p.dir + "/plan.docx"),
                             &output),
              1);
    const json render_errors = json::parse(output);
    ASSERT_EQ(render_errors.size(), 2u) << output;
    for (const auto& e : render_errors) {
        EXPECT_EQ(e["kind"], "data");
        EXPECT_NE(e["message"].get<std::string>().find("not an image"), std::string::npos);
        EXPECT_EQ(e["source"], p.dir + "/plan.json");
        EXPECT_GT(e.value("line", 0), 1);
        EXPECT_EQ(e["part"], "word/document.xml");
    }
    EXPECT_EQ(render_errors[0]["json_pointer"], "/signer/signature_image/image");
    EXPECT_EQ(render_errors[1]["json_pointer"], "/signer/seal_image/image");
    EXPECT_FALSE(fs::exists(p.dir + "/plan.docx")) << "a failed render writes nothing";
}

}  // namespace
