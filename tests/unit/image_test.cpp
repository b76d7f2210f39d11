// Pictures from the data (core/image.hpp): the header readers on real PNG, JPEG and GIF bytes made by the test
// (tests/support/test_images.cpp), lengths, loading (data: URI, base64, files only when allowed), sizes, the image
// filter and image values in expressions, and the packages a render makes with them (DOCX drawings, media parts,
// relationships and content types; ODT frames, Pictures/ and the manifest), errors located and all at once.
#include "core/image.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>

#include "test_images.hpp"
#include "test_support.hpp"
#include "vanban/vanban.hpp"

namespace {

using nlohmann::json;
using vanban::core::EvalContext;
using vanban::core::EvalError;
using vanban::core::ImageFormat;
using vanban::core::ImageSession;
using vanban::core::kEmuPerMm;
using vanban::core::parse_length;
using vanban::core::read_image_header;
using vanban::core::Scope;
using vanban::test::data_uri;
using vanban::test::make_docx;
using vanban::test::make_gif;
using vanban::test::make_jpeg;
using vanban::test::make_odt;
using vanban::test::make_png;
using vanban::test::read_zip;
using vanban::test::seal_png;
using vanban::test::signature_png;

std::string header_error(const std::string& bytes) {
    try {
        read_image_header(bytes);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

// ----- header readers -----------------------------------------------------------------------------------------------

TEST(ImageHeader, PngSizeAndDensity) {
    const auto h = read_image_header(signature_png(300, 100, 150));
    EXPECT_EQ(h.format, ImageFormat::png);
    EXPECT_EQ(h.width, 300u);
    EXPECT_EQ(h.height, 100u);
    EXPECT_DOUBLE_EQ(h.dpi_x, 150);
    EXPECT_DOUBLE_EQ(h.dpi_y, 150);
    const auto plain = read_image_header(make_png(7, 3, [](auto, auto) { return vanban::test::Rgba{0, 0, 0, 255}; }));
    EXPECT_EQ(plain.width, 7u);
    EXPECT_EQ(plain.height, 3u);
    EXPECT_EQ(plain.dpi_x, 0) << "no pHYs: the file does not say";
}

TEST(ImageHeader, JpegSizeAndDensity) {
    const auto h = read_image_header(make_jpeg(640, 480, 300));
    EXPECT_EQ(h.format, ImageFormat::jpeg);
    EXPECT_EQ(h.width, 640u);
    EXPECT_EQ(h.height, 480u);
    EXPECT_DOUBLE_EQ(h.dpi_x, 300);
    EXPECT_EQ(read_image_header(make_jpeg(17, 9)).dpi_x, 0) << "JFIF units 0: an aspect ratio, not a density";
    std::string dpcm = make_jpeg(16, 16, 118);  // the JFIF units byte is at offset 13
    dpcm[13] = 2;
    EXPECT_DOUBLE_EQ(read_image_header(dpcm).dpi_x, 300) << "118 dots per cm";
    // A segment Word-made files carry before the frame (an Exif APP1) is skipped by its length.
    std::string exif = make_jpeg(32, 8);
    exif.insert(2, std::string("\xFF\xE1\x00\x08"
                               "Exif",
                               8) +
                       std::string(2, '\0'));
    EXPECT_EQ(read_image_header(exif).width, 32u);
}

TEST(ImageHeader, Gif) {
    const auto h = read_image_header(make_gif(12, 5));
    EXPECT_EQ(h.format, ImageFormat::gif);
    EXPECT_EQ(h.width, 12u);
    EXPECT_EQ(h.height, 5u);
}

TEST(ImageHeader, TruncatedFilesAreRefused) {
    const std::string png = signature_png();
    EXPECT_NE(header_error(png.substr(0, 20)).find("truncated PNG header"), std::string::npos);
    EXPECT_NE(header_error(png.substr(0, png.size() - 12)).find("truncated PNG"), std::string::npos) << "no IEND";
    EXPECT_NE(header_error(png.substr(0, png.size() / 2)).find("cut off"), std::string::npos);
    const std::string jpeg = make_jpeg(64, 64, 96);
    EXPECT_NE(header_error(jpeg.substr(0, 10)).find("truncated JPEG header"), std::string::npos);
    EXPECT_NE(header_error(jpeg.substr(0, jpeg.size() - 2)).find("truncated JPEG"), std::string::npos) << "no EOI";
    const std::string gif = make_gif(4, 4);
    EXPECT_NE(header_error(gif.substr(0, 10)).find("truncated GIF"), std::string::npos);
    EXPECT_NE(header_error(gif.substr(0, gif.size() - 1)).find("truncated GIF"), std::string::npos);
}

TEST(ImageHeader, OtherFilesAreNamed) {
    EXPECT_NE(header_error("").find("empty"), std::string::npos);
    EXPECT_NE(header_error("hello, world").find("not an image"), std::string::npos);
    EXPECT_NE(header_error("%PDF-1.7\n...").find("a PDF document"), std::string::npos);
    EXPECT_NE(header_error(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)).find("WebP"), std::string::npos);
    EXPECT_NE(header_error("BM\x36\0\0\0").find("BMP"), std::string::npos);
    EXPECT_NE(header_error("<svg xmlns=\"http://www.w3.org/2000/svg\"/>").find("SVG"), std::string::npos);
    EXPECT_NE(header_error("PK\x03\x04").find("zip"), std::string::npos);
    // A name never decides: PNG bytes are a PNG whatever they are called; these are recognised by content only.
    std::string zero = signature_png();
    for (int k = 16; k < 24; ++k) zero[static_cast<std::size_t>(k)] = 0;  // width and height 0
    EXPECT_NE(header_error(zero).find("0 × 0"), std::string::npos);
}

// ----- lengths ------------------------------------------------------------------------------------------------------

TEST(ImageLength, UnitsAndErrors) {
    EXPECT_EQ(parse_length("35mm"), 35 * kEmuPerMm);
    EXPECT_EQ(parse_length(" 3.5 cm "), 35 * kEmuPerMm);
    EXPECT_EQ(parse_length("1in"), 914400);
    EXPECT_EQ(parse_length("72pt"), 914400);
    EXPECT_EQ(parse_length(".5in"), 457200);
    EXPECT_EQ(parse_length("-12.5mm"), -450000);
    for (const char* bad : {"35", "35px", "mm", "3,5mm", "1e3mm", "--3mm", "3.5.1mm", "", "35 MM", "inf mm"})
        EXPECT_FALSE(parse_length(bad).has_value()) << bad;
    EXPECT_EQ(vanban::core::odf_length(35 * kEmuPerMm), "35mm");
    EXPECT_EQ(vanban::core::odf_length(-450000), "-12.5mm");
    EXPECT_EQ(vanban::core::odf_length(1), "0mm");
}

// ----- loading ------------------------------------------------------------------------------------------------------

std::string load_error(ImageSession& s, const std::string& source) {
    try {
        s.load(source);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(ImageLoad, DataUriAndBase64) {
    ImageSession s;
    const std::string png = signature_png();
    const auto a = s.load(data_uri(png));
    EXPECT_EQ(a->bytes, png);
    EXPECT_EQ(s.load(data_uri(png)), a) << "decoded once per source";
    std::string wrapped = vanban::test::base64(png);
    for (std::size_t at = 76; at < wrapped.size(); at += 77) wrapped.insert(at, "\n");
    EXPECT_EQ(s.load(wrapped)->bytes, png) << "base64 with line breaks";
    EXPECT_EQ(s.load("DATA:image/png;BASE64," + vanban::test::base64(png))->bytes, png);
    // The declared media type is not trusted: the bytes decide.
    EXPECT_EQ(s.load(data_uri(make_jpeg(8, 8), "image/png"))->header.format, ImageFormat::jpeg);
    EXPECT_NE(load_error(s, "data:image/png,%89PNG").find("base64"), std::string::npos);
    EXPECT_NE(load_error(s, "data:image/png;base64").find("','"), std::string::npos);
    EXPECT_NE(load_error(s, "data:image/png;base64," + vanban::test::base64("not a picture")).find("not an image"),
              std::string::npos);
    EXPECT_NE(load_error(s, "data:image/png;base64,iVBORw0KGgo*AAA").find("'*'"), std::string::npos);
    EXPECT_NE(load_error(s, "QUJDR").find("cut off"), std::string::npos) << "5 base64 characters cannot be";
}

TEST(ImageLoad, TooLargeIsRefusedBeforeDecoding) {
    ImageSession s;
    s.settings.max_bytes = 1000;
    const std::string big = make_png(200, 200, [](auto x, auto y) {
        return vanban::test::Rgba{static_cast<std::uint8_t>(x * 7), static_cast<std::uint8_t>(y * 13), 0, 255};
    });
    ASSERT_GT(big.size(), 1000u);
    const std::string e = load_error(s, data_uri(big));
    EXPECT_NE(e.find("a picture may be at most 1000 bytes"), std::string::npos) << e;
}

TEST(ImageLoad, FilePathsOnlyWhenAllowed) {
    const std::string dir = vanban::test::temp_dir();
    vanban::test::write_file(dir + "/chu ky.png", signature_png());
    std::filesystem::create_directories(dir + "/sub");
    ImageSession refused;
    const std::string e = load_error(refused, "chu ky.png");
    EXPECT_NE(e.find("'chu ky.png' is a file path, and pictures are not read from files here"), std::string::npos) << e;
    EXPECT_NE(load_error(refused, dir + "/chu ky.png").find("not read from files"), std::string::npos)
        << "absolute too";
    EXPECT_NE(load_error(refused, "file:/etc/passwd").find("not read from files"), std::string::npos);

    ImageSession allowed;
    allowed.settings.directory = dir;
    EXPECT_EQ(allowed.load("chu ky.png")->header.width, 300u);
    EXPECT_EQ(allowed.load("sub/../chu ky.png")->header.width, 300u);
    EXPECT_EQ(allowed.load(dir + "/chu ky.png")->header.width, 300u);
    EXPECT_NE(load_error(allowed, "missing.png").find("no picture file"), std::string::npos);
    EXPECT_NE(load_error(allowed, "file:sub").find("is not a file"), std::string::npos);
    EXPECT_NE(load_error(allowed, "sub").find("if 'sub' is a file name, give it with its extension or as file:sub"),
              std::string::npos)
        << "a name in the base64 alphabet is read as base64";
    EXPECT_NE(load_error(allowed, "-").find("not a file path"), std::string::npos) << "never standard input";
    EXPECT_NE(load_error(allowed, "file:/dev/zero").find("is not a file"), std::string::npos);
    allowed.settings.max_bytes = 100;
    EXPECT_NE(load_error(allowed, "file:" + dir + "/chu ky.png").find("at most 100 bytes"), std::string::npos);
}

TEST(ImageLoad, StoredOncePerContent) {
    ImageSession s;
    s.settings.first_number = 4;
    const std::string png = signature_png();
    const auto a = s.load(data_uri(png));
    const auto b = s.load(vanban::test::base64(png));  // another source, the same bytes
    const auto c = s.load(data_uri(seal_png()));
    EXPECT_EQ(s.place(a, "word/document.xml"), 4);
    EXPECT_EQ(s.place(b, "word/header1.xml"), 4);
    EXPECT_EQ(s.place(c, "word/document.xml"), 5);
    EXPECT_EQ(s.place(a, "word/document.xml"), 4);
    EXPECT_EQ(s.stored().size(), 2u);
    EXPECT_EQ(s.parts().at("word/document.xml"), (std::vector<int>{4, 5}));
    EXPECT_EQ(s.parts().at("word/header1.xml"), (std::vector<int>{4}));
    s.settings.max_images = 2;
    EXPECT_THROW(s.place(s.load(data_uri(make_gif(2, 2))), "word/document.xml"), EvalError);
    EXPECT_EQ(ImageSession::media_name(5, ImageFormat::jpeg), "vanban_image5.jpeg");
    EXPECT_EQ(ImageSession::number_in_name("word/media/vanban_image12.png"), 12);
}

// ----- the image filter and image values ----------------------------------------------------------------------------

struct Eval {
    json data;
    ImageSession images;
    vanban::core::Value run(const std::string& expression) {
        expr = vanban::core::parse_expression(expression);
        scope = std::make_unique<Scope>(data);
        ctx = std::make_unique<EvalContext>(EvalContext{*scope, false, {}, 0, &images});
        return vanban::core::evaluate(*expr, *ctx);
    }
    const vanban::core::Image& image(const std::string& expression) {
        value = run(expression);
        if (!value.is_image()) throw std::runtime_error("not an image value: " + expression);
        return *value.image_ptr();
    }
    std::string error(const std::string& expression) {
        try {
            value = run(expression);
            if (value.is_image()) return "(an image)";
            return "(no error) " + vanban::core::to_text(value, *ctx);
        } catch (const EvalError& e) {
            std::string pointer = e.parent ? vanban::core::pointer_of(data, e.parent) : "";
            if (!e.key.empty()) pointer += "/" + e.key;
            return std::string(e.what()) + (pointer.empty() ? "" : " @" + pointer);
        }
    }
    vanban::core::ExprPtr expr;
    std::unique_ptr<Scope> scope;
    std::unique_ptr<EvalContext> ctx;
    vanban::core::Value value;
};

TEST(ImageFilter, SizesFromTheArgumentsAndTheImage) {
    Eval e;
    e.data = {{"sig", data_uri(signature_png(300, 100, 150))},         // 50.8 × 16.93 mm at its own density
              {"photo", {{"image", data_uri(make_jpeg(400, 300))}}}};  // no density: 96 dpi
    EXPECT_EQ(e.image("sig | image(width='35mm')").cx, 35 * kEmuPerMm);
    EXPECT_EQ(e.image("sig | image(width='35mm')").cy, 35 * kEmuPerMm / 3);
    EXPECT_EQ(e.image("sig | image(height='20mm')").cx, 60 * kEmuPerMm);
    EXPECT_EQ(e.image("sig | image('30mm', '10mm')").cy, 10 * kEmuPerMm) << "positional width, height";
    const auto& natural = e.image("sig | image");
    EXPECT_EQ(natural.cx, 300 * 914400 / 150);
    EXPECT_EQ(natural.cy, 100 * 914400 / 150);
    const auto& photo = e.image("photo | image");
    EXPECT_EQ(photo.cx, 400 * 914400 / 96);
    EXPECT_EQ(photo.cy, 300 * 914400 / 96);
    // Without a size, no wider than the text (settings.text_width).
    e.images.settings.text_width = 100 * kEmuPerMm;
    const auto& capped = e.image("photo | image");
    EXPECT_EQ(capped.cx, 100 * kEmuPerMm);
    EXPECT_EQ(capped.cy, 75 * kEmuPerMm);
    EXPECT_EQ(e.image("photo | image(width='150mm')").cx, 150 * kEmuPerMm) << "an explicit size is kept";
    const auto& attrs = e.run("(sig | image(height='20mm')).width_mm");
    EXPECT_EQ(attrs.j(), 60.0);
    EXPECT_EQ(e.run("(sig | image).pixel_width").j(), 300);
    EXPECT_EQ(e.run("(photo | image).format").j(), "jpeg");
    EXPECT_TRUE(e.run("(sig | image).nothing").is_undefined());
}

TEST(ImageFilter, TheValueSaysFirstTheArgumentsFillTheRest) {
    Eval e;
    e.data = {{"seal", {{"image", data_uri(seal_png())}, {"width", "40mm"}, {"wrap", "behind"}}}};
    const auto& seal = e.image("seal | image(height='35mm', wrap='front', x='-10mm', y='2mm', description='Con dấu')");
    EXPECT_EQ(seal.cx, 40 * kEmuPerMm) << "the data's width wins, the height follows it";
    EXPECT_EQ(seal.cy, 40 * kEmuPerMm);
    EXPECT_EQ(seal.wrap, vanban::core::ImageWrap::behind);
    EXPECT_EQ(seal.x, -10 * kEmuPerMm);
    EXPECT_EQ(seal.y, 2 * kEmuPerMm);
    EXPECT_EQ(seal.description, "Con dấu");
    // An image value given to image() again keeps what it has and takes the rest.
    const auto& again = e.image("seal | image | image(height='10mm', wrap='front')");
    EXPECT_EQ(again.cx, 40 * kEmuPerMm);
    EXPECT_EQ(again.wrap, vanban::core::ImageWrap::behind);
    e.data = {{"seal", {{"image", data_uri(seal_png())}}}};
    const auto& refined = e.image("(seal | image(height='35mm')) | image(wrap='front', x='-5mm')");
    EXPECT_EQ(refined.cy, 35 * kEmuPerMm);
    EXPECT_EQ(refined.wrap, vanban::core::ImageWrap::front);
    EXPECT_EQ(refined.x, -5 * kEmuPerMm);
}

TEST(ImageFilter, ErrorsPointIntoTheData) {
    Eval e;
    e.data =
        json::parse(R"({"signer": {"sig": {"image": "", "width": 35}, "bad": {"image": "data:image/png;base64,AAAA"},
                                        "odd": {"image": "x", "colour": "red"}, "size": {"image": "x", "height": "2 em"},
                                        "none": null, "text": "chu-ky.png", "word": "chuky", "wide": {"image": "x", "width": "600mm"},
                                        "wrap": {"image": "x", "wrap": "around"}, "obj": {"picture": "x"}}})");
    EXPECT_EQ(e.error("signer.sig | image"),
              "filter 'image': \"width\" must be text with a unit, e.g. \"35mm\" @/signer/sig/width");
    EXPECT_NE(e.error("signer.bad | image").find("not an image: the data is not a PNG, JPEG or GIF file"),
              std::string::npos);
    EXPECT_TRUE(e.error("signer.bad | image").ends_with(" @/signer/bad/image"));
    EXPECT_NE(e.error("signer.odd | image").find("unknown key \"colour\" in a picture"), std::string::npos);
    EXPECT_NE(e.error("signer.odd | image").find("@/signer/odd/colour"), std::string::npos);
    EXPECT_NE(e.error("signer.size | image").find("\"height\" is '2 em': give a length with its unit"),
              std::string::npos);
    EXPECT_NE(e.error("signer.wide | image").find("at most 558.8mm"), std::string::npos);
    EXPECT_NE(e.error("signer.wrap | image").find("\"wrap\" is 'around'"), std::string::npos);
    EXPECT_NE(e.error("signer.obj | image").find("a picture is an object with \"image\""), std::string::npos);
    EXPECT_NE(
        e.error("signer.text | image").find("'chu-ky.png' is a file path, and pictures are not read from files here"),
        std::string::npos);
    EXPECT_TRUE(e.error("signer.text | image").ends_with(" @/signer/text"));
    EXPECT_NE(e.error("signer.word | image").find("or, if 'chuky' is a file name, give it with its extension"),
              std::string::npos)
        << "a word in the base64 alphabet";
    EXPECT_EQ(e.error("signer.none | image"), "(no error) ") << "none prints nothing";
    EXPECT_NE(e.error("signer.missing | image").find("missing"), std::string::npos)
        << "strict: a missing picture is an error";
    EXPECT_NE(e.error("'x' | image(width=35)").find("\"width\" must be text with a unit"), std::string::npos);
    EXPECT_NE(e.error("signer.sig | image(wrap=['front'])").find("\"wrap\" must be text"), std::string::npos);
    try {
        vanban::core::parse_expression("x | image(widht='35mm')");
        ADD_FAILURE() << "an unknown argument is a template error";
    } catch (const vanban::core::ParseError& p) {
        EXPECT_NE(std::string(p.what()).find(
                      "filter 'image' has no argument 'widht' (it takes width, height, description, wrap, x, y)"),
                  std::string::npos);
    }
    // Outside a render (a batch file-name expression) there is nowhere to put a picture.
    Scope scope(e.data);
    EvalContext none{scope, false};
    EXPECT_THROW(vanban::core::evaluate(*vanban::core::parse_expression("'AAAA' | image"), none), EvalError);
}

TEST(ImageFilter, APictureIsNeverPrintedAsText) {
    Eval e;
    e.data = {{"photo", {{"image", data_uri(signature_png())}}},
              {"people", {{{"name", "A"}, {"photo", {{"image", "x"}}}}}}};
    for (const char* expression :
         {"'Ảnh: ' ~ photo", "photo | string", "people", "[photo] | join(',')", "(photo | image) | string",
          "'Ảnh: ' ~ (photo | image)", "people | map(attribute='photo') | join"}) {
        const std::string error = e.error(expression);
        EXPECT_NE(error.find("a picture cannot be printed as text here"), std::string::npos)
            << expression << ": " << error;
        EXPECT_EQ(error.find("iVBOR"), std::string::npos) << expression;
    }
    EXPECT_TRUE(vanban::core::truthy(e.run("photo | image"), *e.ctx));
}

// ----- packages -----------------------------------------------------------------------------------------------------

std::string P(const std::string& text) {
    return "<w:p><w:r><w:t xml:space=\"preserve\">" + vanban::test::xml_escape(text) + "</w:t></w:r></w:p>";
}

std::vector<std::string> all(const std::string& text, const std::string& pattern) {
    std::vector<std::string> out;
    const std::regex re(pattern);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
        out.push_back((*it)[1]);
    return out;
}

std::vector<vanban::Diagnostic> render_errors(const vanban::Template& t, const json& data) {
    try {
        t.render(vanban::Data(data, "data.json"));
    } catch (const vanban::Error& e) {
        return e.diagnostics();
    }
    return {};
}

TEST(ImagePackage, DocxDrawingsMediaRelationshipsAndContentTypes) {
    const std::string header =
        std::string(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/"
            "wordprocessingml/2006/main\">") +
        P("Logo {{ logo | image(height='10mm') }}") + "</w:hdr>";
    const auto tpl = vanban::Template::from_bytes(
        make_docx(
            P("{{ photo }}") + P("{% for p in people %}{{ p.name }}: {{ p.sig | image(width='30mm') }} {% endfor %}") +
                P("{{ seal | image(height='35mm', wrap='front', x='-12mm', y='-3mm') }}{{ seal | image(height='20mm', wrap='behind') }}"),
            {{"word/header1.xml", header}}),
        "images.docx");
    const std::string sig = signature_png(), seal = seal_png();
    const json data = {
        {"photo", {{"image", data_uri(make_jpeg(400, 300, 200))}, {"description", "Ảnh \"chân dung\""}}},
        {"logo", data_uri(sig)},
        {"people", {{{"name", "An"}, {"sig", data_uri(sig)}}, {{"name", "Bình"}, {"sig", vanban::test::base64(sig)}}}},
        {"seal", {{"image", data_uri(seal)}}}};
    const auto parts = read_zip(tpl.render(data));
    const std::string& doc = parts.at("word/document.xml");

    // Media: one file per distinct picture, named by the bytes' own format.
    std::set<std::string> media;
    for (const auto& [name, bytes] : parts)
        if (name.starts_with("word/media/")) media.insert(name);
    EXPECT_EQ(media, (std::set<std::string>{"word/media/vanban_image1.jpeg", "word/media/vanban_image2.png",
                                            "word/media/vanban_image3.png"}));
    EXPECT_EQ(parts.at("word/media/vanban_image2.png"), sig);
    // Relationships of the part that shows each picture; the header gets its own rels part.
    const std::string& rels = parts.at("word/_rels/document.xml.rels");
    EXPECT_NE(
        rels.find(
            "Id=\"rIdVanbanImage1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" "
            "Target=\"media/vanban_image1.jpeg\""),
        std::string::npos);
    EXPECT_NE(rels.find("rIdVanbanImage3"), std::string::npos);
    EXPECT_NE(rels.find("Target=\"styles.xml\""), std::string::npos) << "the template's relationships are kept";
    const std::string& header_rels = parts.at("word/_rels/header1.xml.rels");
    EXPECT_NE(header_rels.find("Target=\"media/vanban_image2.png\""), std::string::npos);
    EXPECT_EQ(header_rels.find("vanban_image1"), std::string::npos);
    EXPECT_NE(parts.at("word/header1.xml").find("r:embed=\"rIdVanbanImage2\""), std::string::npos);
    const std::string& types = parts.at("[Content_Types].xml");
    EXPECT_NE(types.find("<Default Extension=\"png\" ContentType=\"image/png\"/>"), std::string::npos);
    EXPECT_NE(types.find("<Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>"), std::string::npos);

    // Drawings: inline with the requested sizes (EMU), floating ones with their offsets, ids unique in the package.
    EXPECT_EQ(all(doc, "<wp:extent cx=\"(\\d+)\""),
              (std::vector<std::string>{"1828800", "1080000", "1080000", "1260000", "720000"}))
        << "400 px at 200 dpi = 2 in; 30 mm; 35 mm; 20 mm";
    EXPECT_EQ(all(doc, "<wp:extent cx=\"\\d+\" cy=\"(\\d+)\""),
              (std::vector<std::string>{"1371600", "360000", "360000", "1260000", "720000"}));
    EXPECT_EQ(all(doc, "<wp:posOffset>(-?\\d+)</wp:posOffset>"),
              (std::vector<std::string>{"-432000", "-108000", "0", "0"}));
    EXPECT_EQ(all(doc, "behindDoc=\"(\\d)\""), (std::vector<std::string>{"0", "1"}));
    EXPECT_NE(doc.find("descr=\"Ảnh &quot;chân dung&quot;\""), std::string::npos);
    std::vector<std::string> ids = all(doc, "<wp:docPr id=\"(\\d+)\"");
    for (const auto& id : all(parts.at("word/header1.xml"), "<wp:docPr id=\"(\\d+)\"")) ids.push_back(id);
    EXPECT_EQ(ids.size(), 6u);
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "wp:docPr ids are unique";
    EXPECT_NE(doc.find("An: </w:t><w:drawing><wp:inline"), std::string::npos)
        << "the picture stands where the tag stood";
    for (const auto& [name, xml] : parts) {
        if (name.ends_with(".xml") || name.ends_with(".rels")) {
            EXPECT_EQ(xml.find("{{"), std::string::npos) << name;
        }
    }
}

TEST(ImagePackage, WithoutPicturesNothingChanges) {
    const std::string docx = make_docx(P("{{ photo | image if photo else 'không có ảnh' }}"));
    const auto tpl = vanban::Template::from_bytes(docx, "t.docx");
    const auto parts = read_zip(tpl.render(json{{"photo", nullptr}}));
    const auto source = read_zip(docx);
    EXPECT_EQ(parts.at("[Content_Types].xml").find("image/png"), std::string::npos);
    EXPECT_EQ(parts.at("word/_rels/document.xml.rels").find("rIdVanbanImage"), std::string::npos);
    for (const auto& [name, bytes] : parts) EXPECT_FALSE(name.starts_with("word/media/")) << name;
}

TEST(ImagePackage, NumbersStartAfterTheTemplatesOwn) {
    // A template made from a document vanban rendered already holds vanban_image1: new pictures do not collide.
    const auto tpl = vanban::Template::from_bytes(
        make_docx(P("{{ photo }}"), {{"word/media/vanban_image1.png", seal_png()}}), "again.docx");
    const auto parts = read_zip(tpl.render(json{{"photo", {{"image", data_uri(signature_png())}}}}));
    EXPECT_EQ(parts.at("word/media/vanban_image1.png"), seal_png());
    EXPECT_EQ(parts.at("word/media/vanban_image2.png"), signature_png());
}

TEST(ImagePackage, ErrorsAreLocatedAndAllReported) {
    const auto tpl = vanban::Template::from_bytes(
        make_docx(P("A {{ a }}") + P("B {{ b | image(width='1 cm') }}") +
                  "<w:p><w:pPr><w:pStyle w:val=\"{{ c }}\"/></w:pPr><w:r><w:t>C</w:t></w:r></w:p>" +
                  P("D {{ 'x' ~ d }}")),
        "errors.docx");
    const json data = {{"a", {{"image", "data:image/png;base64," + vanban::test::base64("GIF89a")}}},
                       {"b", {{"image", data_uri(signature_png())}, {"height", "2 em"}}},
                       {"c", {{"image", data_uri(signature_png())}}},
                       {"d", {{"image", data_uri(signature_png())}}}};
    const auto errors = render_errors(tpl, data);
    ASSERT_EQ(errors.size(), 4u);
    EXPECT_NE(errors[0].message.find("truncated GIF header"), std::string::npos);
    EXPECT_EQ(errors[0].json_pointer, "/a/image");
    EXPECT_EQ(errors[0].tag, "{{ a }}");
    EXPECT_EQ(errors[0].paragraph, 1);
    EXPECT_EQ(errors[1].kind, vanban::DiagnosticKind::data);
    EXPECT_NE(errors[1].message.find("\"height\" is '2 em'"), std::string::npos) << errors[1].message;
    EXPECT_EQ(errors[1].json_pointer, "/b/height");
    EXPECT_EQ(errors[2].message, "a picture cannot stand in an XML attribute");
    EXPECT_EQ(errors[2].json_pointer, "/c");
    EXPECT_EQ(errors[3].message, "a picture cannot be printed as text here");
    for (const auto& d : errors) EXPECT_EQ(d.part, "word/document.xml");
}

TEST(ImagePackage, LimitOnPicturesPerDocument) {
    const auto tpl =
        vanban::Template::from_bytes(make_docx(P("{% for p in photos %}{{ p }}{% endfor %}")), "many.docx");
    json photos = json::array();
    for (std::uint32_t k = 1; k <= 4; ++k) photos.push_back({{"image", data_uri(make_gif(k, 1))}});
    vanban::RenderOptions options;
    options.max_images = 3;
    try {
        tpl.render(json{{"photos", photos}}, options);
        ADD_FAILURE() << "four pictures, three allowed";
    } catch (const vanban::Error& e) {
        EXPECT_EQ(e.diagnostics().front().message, "more than 3 different pictures in one document");
    }
    options.max_images = 4;
    EXPECT_NO_THROW(tpl.render(json{{"photos", photos}}, options));
    options.max_image_size = 20;
    EXPECT_THROW(tpl.render(json{{"photos", photos}}, options), vanban::Error);
}

TEST(ImagePackage, OdtFramesPicturesAndManifest) {
    const auto tpl = vanban::Template::from_bytes(
        make_odt("<text:p text:style-name=\"P\">{{ seal | image(height='35mm', wrap='front', x='-12mm', y='1.5mm') }}"
                 "<text:span>{{ sig | image(height='20mm') }}</text:span></text:p><text:p>{{ sig }}</text:p>",
                 "<style:header><text:p>{{ sig | image(width='10mm') }}</text:p></style:header>"),
        "images.odt");
    const json data = {{"sig", {{"image", data_uri(signature_png())}, {"description", "Chữ ký & dấu"}}},
                       {"seal", {{"image", data_uri(seal_png())}}}};
    const auto parts = read_zip(tpl.render(data));
    const std::string& content = parts.at("content.xml");
    EXPECT_EQ(parts.at("Pictures/vanban_image1.png"), seal_png());
    EXPECT_EQ(parts.at("Pictures/vanban_image2.png"), signature_png());
    const std::string& manifest = parts.at("META-INF/manifest.xml");
    EXPECT_NE(
        manifest.find(
            "<manifest:file-entry manifest:full-path=\"Pictures/vanban_image1.png\" manifest:media-type=\"image/png\"/>"),
        std::string::npos);
    EXPECT_NE(manifest.find("Pictures/vanban_image2.png"), std::string::npos);
    EXPECT_NE(
        content.find("draw:style-name=\"vanban_img_front\" draw:name=\"vanban_image_1\" text:anchor-type=\"char\" "
                     "svg:x=\"-12mm\" svg:y=\"1.5mm\" svg:width=\"35mm\" svg:height=\"35mm\""),
        std::string::npos);
    EXPECT_NE(content.find("text:anchor-type=\"as-char\" svg:width=\"60mm\" svg:height=\"20mm\""), std::string::npos);
    EXPECT_NE(content.find("<svg:desc>Chữ ký &amp; dấu</svg:desc>"), std::string::npos);
    EXPECT_NE(content.find("xlink:href=\"Pictures/vanban_image2.png\""), std::string::npos);
    EXPECT_NE(content.find("<style:style style:name=\"vanban_img_front\" style:family=\"graphic\">"),
              std::string::npos);
    EXPECT_NE(parts.at("styles.xml").find("svg:width=\"10mm\""), std::string::npos) << "a picture in the header";
    EXPECT_NE(parts.at("styles.xml").find("style:name=\"vanban_img\""), std::string::npos);
    EXPECT_EQ(all(content + parts.at("styles.xml"), "draw:name=\"(vanban_image_\\d+)\"").size(), 4u);
}

}  // namespace
