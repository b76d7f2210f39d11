#include "core/image.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>

#include "core/ascii.hpp"
#include "core/base64.hpp"
#include "io/files.hpp"
#include "vanban/diagnostic.hpp"

namespace vanban::core {

std::string_view image_extension(ImageFormat format) {
    switch (format) {
        case ImageFormat::png: return "png";
        case ImageFormat::jpeg: return "jpeg";
        case ImageFormat::gif: return "gif";
    }
    return "bin";
}

std::string_view image_media_type(ImageFormat format) {
    switch (format) {
        case ImageFormat::png: return "image/png";
        case ImageFormat::jpeg: return "image/jpeg";
        case ImageFormat::gif: return "image/gif";
    }
    return "application/octet-stream";
}

// ---------------------------------------------------------------------------------------------------------------
// Headers

namespace {

[[noreturn]] void bad(const std::string& message) { throw std::invalid_argument(message); }

// A picture past a safety limit (too large): reported as a `limit` error, like the engine's other limits.
struct PictureLimit : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};
[[noreturn]] void over_limit(const std::string& message) { throw PictureLimit(message); }

std::uint32_t be16(std::string_view b, std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 8) | static_cast<unsigned char>(b[at + 1]);
}
std::uint32_t be32(std::string_view b, std::size_t at) { return (be16(b, at) << 16) | be16(b, at + 2); }
std::uint32_t le16(std::string_view b, std::size_t at) {
    return static_cast<unsigned char>(b[at]) | (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8);
}

// What a file that is not a picture vanban places most likely is, for the message.
std::string not_an_image(std::string_view b) {
    const auto starts = [&](std::string_view prefix, std::size_t at = 0) {
        return b.size() >= at + prefix.size() && b.substr(at, prefix.size()) == prefix;
    };
    std::string what;
    if (starts("RIFF") && starts("WEBP", 8)) what = "a WebP image";
    else if (starts("BM")) what = "a BMP image";
    else if (starts(std::string_view("II*\0", 4)) || starts(std::string_view("MM\0*", 4))) what = "a TIFF image";
    else if (starts("ftypheic", 4) || starts("ftypmif1", 4) || starts("ftypavif", 4)) what = "a HEIC/AVIF image";
    else if (starts("%PDF")) what = "a PDF document";
    else if (starts("<svg") || starts("<?xml")) what = "an SVG or other XML file";
    else if (starts("PK")) what = "a zip file (a Word or OpenDocument file?)";
    if (!what.empty())
        return "the picture is " + what + ": vanban places PNG, JPEG and GIF images; save it as PNG or JPEG";
    if (b.empty()) return "the picture is empty (0 bytes)";
    return "not an image: the data is not a PNG, JPEG or GIF file (they are recognised by their first bytes)";
}

constexpr std::string_view kPngSignature = "\x89PNG\r\n\x1a\n";

ImageHeader read_png(std::string_view b) {
    ImageHeader h;
    h.format = ImageFormat::png;
    if (b.size() < 8 + 8 + 13 + 4 || b.substr(12, 4) != "IHDR" || be32(b, 8) != 13)
        bad("truncated PNG header: no IHDR chunk after the signature");
    h.width = be32(b, 16);
    h.height = be32(b, 20);
    // Walk the chunks to IEND: lengths only, no data is inflated. pHYs may stand anywhere before IDAT.
    std::size_t at = 8;
    bool end = false;
    while (at + 12 <= b.size()) {
        const std::uint64_t length = be32(b, at);
        const std::string_view type = b.substr(at + 4, 4);
        if (at + 12 + length > b.size()) break;
        if (type == "pHYs" && length == 9 && b[at + 16] == 1) {  // unit 1: pixels per metre
            h.dpi_x = std::round(be32(b, at + 8) * 0.0254);
            h.dpi_y = std::round(be32(b, at + 12) * 0.0254);
        }
        at += 12 + length;
        if (type == "IEND") {
            end = true;
            break;
        }
    }
    if (!end) bad("truncated PNG: the file ends before its last chunk (IEND) — was the upload cut off?");
    return h;
}

bool is_sof(unsigned char m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

ImageHeader read_jpeg(std::string_view b) {
    ImageHeader h;
    h.format = ImageFormat::jpeg;
    std::size_t at = 2;
    bool frame = false;
    while (true) {
        while (at < b.size() && static_cast<unsigned char>(b[at]) == 0xFF && at + 1 < b.size() &&
               static_cast<unsigned char>(b[at + 1]) == 0xFF)
            ++at;  // fill bytes
        if (at + 2 > b.size()) bad("truncated JPEG header: the file ends before the image data");
        if (static_cast<unsigned char>(b[at]) != 0xFF)
            bad("broken JPEG header: a segment does not start with a marker");
        const auto marker = static_cast<unsigned char>(b[at + 1]);
        at += 2;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // markers without a length
        if (marker == 0xD9) bad("broken JPEG: the file ends before its image data");
        if (at + 2 > b.size()) bad("truncated JPEG header: the file ends inside a segment");
        const std::size_t length = be16(b, at);
        if (length < 2 || at + length > b.size()) bad("truncated JPEG header: the file ends inside a segment");
        const std::string_view segment = b.substr(at + 2, length - 2);
        if (marker == 0xE0 && segment.size() >= 12 && segment.substr(0, 5) == std::string_view("JFIF\0", 5)) {
            const unsigned units = static_cast<unsigned char>(segment[7]);
            const double x = be16(segment, 8), y = be16(segment, 10);
            if (units == 1) h.dpi_x = x, h.dpi_y = y;
            if (units == 2) h.dpi_x = std::round(x * 2.54), h.dpi_y = std::round(y * 2.54);
        } else if (is_sof(marker)) {
            if (segment.size() < 6) bad("broken JPEG frame header");
            h.height = be16(segment, 1);
            h.width = be16(segment, 3);
            if (h.height == 0)
                bad("this JPEG gives its height only after the image data (DNL): save it again as an ordinary JPEG");
            frame = true;
        } else if (marker == 0xDA) {  // start of scan: the headers are over
            if (!frame) bad("broken JPEG: image data without a frame header");
            const auto last = b.rfind("\xFF\xD9");
            if (last == std::string_view::npos || last < at)
                bad("truncated JPEG: the file ends inside its image data — was the upload cut off?");
            return h;
        }
        at += length;
    }
}

ImageHeader read_gif(std::string_view b) {
    ImageHeader h;
    h.format = ImageFormat::gif;
    if (b.size() < 13) bad("truncated GIF header");
    h.width = le16(b, 6);
    h.height = le16(b, 8);
    if (b.back() != ';') bad("truncated GIF: the file does not end with its trailer — was the upload cut off?");
    return h;
}

}  // namespace

ImageHeader read_image_header(std::string_view bytes) {
    ImageHeader h;
    if (bytes.substr(0, 8) == kPngSignature) h = read_png(bytes);
    else if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xFF\xD8\xFF") h = read_jpeg(bytes);
    else if (bytes.substr(0, 6) == "GIF87a" || bytes.substr(0, 6) == "GIF89a") h = read_gif(bytes);
    else bad(not_an_image(bytes));
    if (h.width == 0 || h.height == 0 || h.width > 0x7FFFFFFF || h.height > 0x7FFFFFFF)
        bad("the picture's header gives a size of " + std::to_string(h.width) + " × " + std::to_string(h.height) +
            " pixels");
    return h;
}

// ---------------------------------------------------------------------------------------------------------------
// Lengths

std::optional<std::int64_t> parse_length(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    static constexpr std::pair<std::string_view, double> units[] = {
        {"mm", 36000.0}, {"cm", 360000.0}, {"in", 914400.0}, {"pt", 12700.0}};
    for (auto [unit, emu] : units) {
        if (!text.ends_with(unit)) continue;
        std::string_view number = text.substr(0, text.size() - unit.size());
        while (!number.empty() && number.back() == ' ') number.remove_suffix(1);
        const bool negative = !number.empty() && number.front() == '-';
        if (negative) number.remove_prefix(1);
        bool digits = false, point = false;
        for (char c : number) {
            if (c >= '0' && c <= '9') digits = true;
            else if (c == '.' && !point) point = true;
            else return std::nullopt;
        }
        if (!digits || number.size() > 20) return std::nullopt;
        const double value = std::strtod(std::string(number).c_str(), nullptr) * emu;
        if (value > 1e15) return std::nullopt;
        const auto rounded = static_cast<std::int64_t>(std::llround(value));
        return negative ? -rounded : rounded;
    }
    return std::nullopt;
}

std::string odf_length(std::int64_t emu) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(emu) / kEmuPerMm);
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s + "mm";
}

void ImageOptions::fill_from(const ImageOptions& d) {
    if (!width && !height) {
        width = d.width;
        height = d.height;
    }
    if (!description) description = d.description;
    if (!wrap) wrap = d.wrap;
    if (!x) x = d.x;
    if (!y) y = d.y;
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

namespace {

std::string human_size(std::uint64_t bytes) {
    char buf[32];
    if (bytes >= (1u << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1u << 20));
    else if (bytes >= 1024) std::snprintf(buf, sizeof buf, "%.0f KiB", static_cast<double>(bytes) / 1024);
    else std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
    return buf;
}

// The noun of what a source text stands for, in messages.
std::string_view noun(EmbeddedKind kind) { return kind == EmbeddedKind::picture ? "picture" : "sub-document"; }

void check_size(std::uint64_t bytes, std::uint64_t max, EmbeddedKind kind) {
    if (bytes > max)
        over_limit("the " + std::string(noun(kind)) + " is " + human_size(bytes) + "; a " + std::string(noun(kind)) +
                   " may be at most " + human_size(max) +
                   (kind == EmbeddedKind::picture
                        ? " (make it smaller, e.g. scan at 200–300 dpi and save as PNG or JPEG)"
                        : " (raise the picture size limit, --max-image-size, if this is intended)"));
}

// The bytes from base64 text, their size checked before anything is decoded.
std::string decode_base64(std::string_view text, std::uint64_t max, EmbeddedKind kind) {
    const auto size = core::base64_decoded_size(text);
    if (!size) bad("the base64 text is cut off (its length is not possible for base64)");
    check_size(*size, max, kind);
    std::size_t at = 0;
    auto bytes = core::base64_decode(text, &at);
    if (!bytes)
        bad("not base64: the character '" + std::string(1, text[at]) + "' at position " + std::to_string(at + 1));
    return std::move(*bytes);
}

std::string read_source_file(const std::string& path, const ImageSettings& settings, EmbeddedKind kind) {
    namespace fs = std::filesystem;
    const std::string what(noun(kind));
    if (settings.directory.empty())
        bad("'" + path + "' is a file path, and " + what + "s are not read from files here: give the " + what +
            " itself, as a data: URI (\"data:" +
            (kind == EmbeddedKind::picture
                 ? "image/png"
                 : "application/vnd.openxmlformats-officedocument.wordprocessingml.document") +
            ";base64,…\") or base64 text");
    if (path.empty() || path == "-") bad("'" + path + "' is not a file path");
    fs::path p(path);
    if (p.is_relative()) p = fs::path(settings.directory) / p;
    std::error_code ec;
    const auto status = fs::status(p, ec);
    if (!fs::exists(status))
        bad("no " + what + " file '" + p.string() + "' (relative paths are read from the data file's folder)");
    if (!fs::is_regular_file(status)) bad("'" + p.string() + "' is not a file");
    const auto size = fs::file_size(p, ec);
    if (ec) bad("cannot read '" + p.string() + "': " + ec.message());
    check_size(size, settings.max_bytes, kind);
    try {
        return io::read_file(p.string(), settings.max_bytes);
    } catch (const vanban::Error& e) {
        const Diagnostic& d = e.diagnostics().front();
        if (d.kind == DiagnosticKind::limit) over_limit(d.message);  // (the file grew since its size was read)
        bad(d.message);
    }
}

// Whether short base64 text really is the thing it should stand for (else it may be a file name).
bool plausible(std::string_view bytes, EmbeddedKind kind) {
    if (kind == EmbeddedKind::subdocument) return bytes.starts_with("PK");
    read_image_header(bytes);
    return true;
}

}  // namespace

std::string read_embedded_source(const std::string& source, const ImageSettings& settings, EmbeddedKind kind) {
    std::string bytes;
    const std::string_view text = source;
    const auto scheme = [&](std::string_view name) {  // URI schemes are case-insensitive
        if (text.size() < name.size()) return false;
        for (std::size_t i = 0; i < name.size(); ++i)
            if (ascii_lower(text[i]) != name[i]) return false;
        return true;
    };
    if (scheme("data:")) {
        const auto comma = text.find(',');
        if (comma == std::string_view::npos) bad("a data: URI without ',' before its data");
        const std::string meta = ascii_lower(text.substr(5, comma - 5));
        if (!meta.ends_with(";base64"))
            bad("a data: URI must carry base64 data (\"data:image/png;base64,…\"), not '" +
                std::string(text.substr(0, std::min<std::size_t>(comma, 40))) + "'");
        bytes = decode_base64(text.substr(comma + 1), settings.max_bytes, kind);
    } else if (scheme("file:")) {
        bytes = read_source_file(std::string(text.substr(5)), settings, kind);
    } else if (core::looks_base64(text)) {
        try {
            bytes = decode_base64(text, settings.max_bytes, kind);
            if (text.size() < 100 && !plausible(bytes, kind)) bad("not a DOCX package");
        } catch (const std::invalid_argument& e) {
            // A short word in the base64 alphabet may have been meant as a file name.
            if (text.size() >= 100) throw;
            bad(std::string(e.what()) + " (or, if '" + source +
                "' is a file name, give it with its extension or as file:" + source + ")");
        }
    } else {
        bytes = read_source_file(source, settings, kind);
    }
    check_size(bytes.size(), settings.max_bytes, kind);
    return bytes;
}

bool is_embedded_limit(const std::invalid_argument& e) { return dynamic_cast<const PictureLimit*>(&e) != nullptr; }

std::shared_ptr<const ImageData> ImageSession::load(const std::string& source) {
    if (auto it = loaded_.find(source); it != loaded_.end()) return it->second;
    std::string bytes = read_embedded_source(source, settings, EmbeddedKind::picture);
    auto data = std::make_shared<ImageData>();
    data->header = read_image_header(bytes);
    data->bytes = std::move(bytes);
    std::shared_ptr<const ImageData> shared = std::move(data);
    loaded_.emplace(source, shared);
    return shared;
}

int ImageSession::place(const std::shared_ptr<const ImageData>& data, const std::string& part) {
    const std::size_t hash = std::hash<std::string_view>{}(data->bytes);
    int number = 0;
    for (auto [it, end] = by_hash_.equal_range(hash); it != end && !number; ++it) {
        const Stored& s = stored_[it->second];
        if (s.data == data || s.data->bytes == data->bytes) number = s.number;
    }
    if (!number) {
        if (stored_.size() >= settings.max_images)
            throw_limit("more than " + std::to_string(settings.max_images) + " different pictures in one document",
                        "raise the limit on pictures per document (Limits::max_images)");
        number = settings.first_number + static_cast<int>(stored_.size());
        by_hash_.emplace(hash, stored_.size());
        stored_.push_back({data, number});
    }
    auto& used = parts_[part];
    if (std::find(used.begin(), used.end(), number) == used.end()) used.push_back(number);
    return number;
}

std::string ImageSession::media_name(int number, ImageFormat format) {
    return "vanban_image" + std::to_string(number) + "." + std::string(image_extension(format));
}

int ImageSession::number_in_name(std::string_view name) {
    const auto at = name.rfind("vanban_image");
    if (at == std::string_view::npos) return 0;
    int n = 0;
    for (std::size_t i = at + 12; i < name.size() && name[i] >= '0' && name[i] <= '9' && n < 1'000'000; ++i)
        n = n * 10 + (name[i] - '0');
    return n;
}

std::string image_relationship_id(int number) { return "rIdVanbanImage" + std::to_string(number); }

// ---------------------------------------------------------------------------------------------------------------
// Image values

bool is_subdoc_object(const json& j) { return j.is_object() && j.contains("subdoc"); }

bool is_image_object(const json& j) {
    if (!j.is_object()) return false;
    const auto it = j.find("image");
    return it != j.end() && it->is_string();
}

[[noreturn]] void throw_image_as_text() {
    throw EvalError("a picture cannot be printed as text here",
                    "print it alone in a tag in the text ({{ photo }} or {{ photo | image(width=\"35mm\") }}), "
                    "not in an attribute, joined with text or inside a list");
}

namespace {

constexpr std::string_view kFields[] = {"image", "width", "height", "description", "wrap", "x", "y"};

std::string length_text(double emu) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f mm", emu / kEmuPerMm);
    return buf;
}

// Reads one option from a json field or argument; `where` names it in messages. Throws std::invalid_argument.
void read_option(ImageOptions& o, std::string_view name, const json& v) {
    const auto text = [&]() -> const std::string& {
        if (!v.is_string())
            bad("\"" + std::string(name) + "\" must be text" +
                (v.is_number()
                     ? std::string(" with a unit, e.g. \"") + (name == "x" || name == "y" ? "-12mm" : "35mm") + "\""
                     : ""));
        return v.get_ref<const std::string&>();
    };
    if (name == "width" || name == "height" || name == "x" || name == "y") {
        const std::string& t = text();
        const auto length = parse_length(t);
        if (!length)
            bad("\"" + std::string(name) + "\" is '" + t +
                "': give a length with its unit, e.g. \"35mm\", \"3.5cm\", \"1.4in\" or \"100pt\"");
        const bool offset = name == "x" || name == "y";
        if (offset ? std::abs(*length) > kMaxImageExtent : (*length <= 0 || *length > kMaxImageExtent))
            bad("\"" + std::string(name) + "\" is '" + t + "': " +
                (offset ? std::string("an offset may be at most 558.8mm either way")
                        : std::string("a side must be more than 0 and at most 558.8mm (22 in)")));
        (name == "width" ? o.width : name == "height" ? o.height : name == "x" ? o.x : o.y) = *length;
    } else if (name == "description") {
        o.description = text();
    } else if (name == "wrap") {
        const std::string& t = text();
        if (t == "inline") o.wrap = ImageWrap::inline_;
        else if (t == "front") o.wrap = ImageWrap::front;
        else if (t == "behind") o.wrap = ImageWrap::behind;
        else
            bad("\"wrap\" is '" + t +
                "': it is \"inline\" (in the line of text), \"front\" (floating in front of the text) or \"behind\" (behind it)");
    }
}

// Resolves size and placement.
std::shared_ptr<const Image> resolve(std::shared_ptr<const ImageData> data, ImageOptions asked,
                                     const ImageSettings& settings) {
    auto image = std::make_shared<Image>();
    const ImageHeader& h = data->header;
    const double dpi_x = h.dpi_x > 0 ? h.dpi_x : h.dpi_y > 0 ? h.dpi_y : kDefaultDpi;
    const double dpi_y = h.dpi_y > 0 ? h.dpi_y : dpi_x;
    const double natural_w = h.width / dpi_x * kEmuPerInch, natural_h = h.height / dpi_y * kEmuPerInch;
    double cx = 0, cy = 0;
    if (asked.width && asked.height) {
        cx = static_cast<double>(*asked.width);
        cy = static_cast<double>(*asked.height);
    } else if (asked.width) {
        cx = static_cast<double>(*asked.width);
        cy = cx * natural_h / natural_w;
    } else if (asked.height) {
        cy = static_cast<double>(*asked.height);
        cx = cy * natural_w / natural_h;
    } else {
        cx = natural_w;
        cy = natural_h;
        if (cx > static_cast<double>(settings.text_width)) {  // no wider than the text
            cy = cy * static_cast<double>(settings.text_width) / cx;
            cx = static_cast<double>(settings.text_width);
        }
    }
    if (cx > kMaxImageExtent || cy > kMaxImageExtent)
        bad("keeping the picture's proportions (" + std::to_string(h.width) + " × " + std::to_string(h.height) +
            " pixels) makes it " + length_text(cx) + " × " + length_text(cy) +
            ", more than a page allows: give both width and height");
    image->cx = std::max<std::int64_t>(1, std::llround(cx));
    image->cy = std::max<std::int64_t>(1, std::llround(cy));
    image->wrap = asked.wrap.value_or(ImageWrap::inline_);
    image->x = asked.x.value_or(0);
    image->y = asked.y.value_or(0);
    image->description = asked.description.value_or("");
    image->data = std::move(data);
    image->asked = std::move(asked);
    return image;
}

// The settings of the render, or the error for a place that renders no document (a batch file-name expression).
ImageSession& session_of(EvalContext& ctx) {
    if (!ctx.images) throw EvalError("a picture cannot be used here");
    return *ctx.images;
}

}  // namespace

std::shared_ptr<const Image> to_image(const Value& value, const ImageOptions& defaults, EvalContext& ctx) {
    if (value.is_image()) {
        const Image& given = *value.image_ptr();
        ImageOptions asked = given.asked;
        asked.fill_from(defaults);
        return resolve(given.data, std::move(asked), session_of(ctx).settings);
    }
    if (!value.is_json()) throw EvalError("this value is not a picture");
    const json& j = value.j();
    const json* located = &j;  // where in the data a problem is
    std::string key;
    try {
        ImageOptions asked;
        const json* source = &j;
        if (j.is_object()) {
            if (!is_image_object(j)) {
                key = "image";
                bad(j.contains("image") ? "\"image\" must be text: a data: URI, base64 or a file path"
                                        : "a picture is an object with \"image\" (a data: URI, base64 or a file path)");
            }
            for (const auto& [name, field] : j.items()) {
                key = name;
                if (std::find(std::begin(kFields), std::end(kFields), name) == std::end(kFields))
                    bad("unknown key \"" + name +
                        "\" in a picture (it has image, width, height, description, wrap, x, y)");
                read_option(asked, name, field);
            }
            source = &j["image"];
            key = "image";
        } else if (!j.is_string()) {
            bad("expected a picture: an object {\"image\": …} or the picture's data: URI or base64 text, not " +
                std::string(j.type_name()));
        }
        auto data = session_of(ctx).load(source->get_ref<const std::string&>());
        key.clear();
        asked.fill_from(defaults);
        return resolve(std::move(data), std::move(asked), session_of(ctx).settings);
    } catch (const std::invalid_argument& e) {
        EvalError error(e.what());
        error.parent = located;
        error.key = key;
        error.limit = dynamic_cast<const PictureLimit*>(&e) != nullptr;
        throw error;
    }
}

ImageOptions image_options_from_arguments(std::span<const Value> args,
                                          std::span<const std::pair<std::string_view, Value>> kwargs,
                                          EvalContext& ctx) {
    ImageOptions o;
    const auto take = [&](std::string_view name, const Value& v) {
        if (v.is_undefined()) {
            if (!ctx.lenient) throw_missing(v);
            return;
        }
        if (!v.is_json()) throw EvalError("the image filter's " + std::string(name) + " must be text");
        if (v.j().is_null()) return;  // image(width=none): not given
        try {
            read_option(o, name, v.j());
        } catch (const std::invalid_argument& e) {
            throw EvalError(e.what());
        }
    };
    static constexpr std::string_view positional[] = {"width", "height"};
    for (std::size_t i = 0; i < args.size() && i < 2; ++i) take(positional[i], args[i]);
    for (const auto& [name, v] : kwargs) {
        if (name == "image" || std::find(std::begin(kFields), std::end(kFields), name) == std::end(kFields))
            throw EvalError("the image filter has no argument '" + std::string(name) + "'",
                            "its arguments are width, height, description, wrap, x, y");
        take(name, v);
    }
    return o;
}

Value image_attribute(const Image& image, std::string_view name, const std::string& what) {
    const auto mm = [](std::int64_t emu) { return std::round(static_cast<double>(emu) / kEmuPerMm * 1000) / 1000; };
    if (name == "width_mm") return Value::owned(mm(image.cx));
    if (name == "height_mm") return Value::owned(mm(image.cy));
    if (name == "pixel_width") return Value::owned(image.data->header.width);
    if (name == "pixel_height") return Value::owned(image.data->header.height);
    if (name == "format") return Value::owned(std::string(image_extension(image.data->header.format)));
    if (name == "description") return Value::owned(image.description);
    return Value::undefined(what);
}

}  // namespace vanban::core
