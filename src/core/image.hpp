// Images as values. A picture comes from the data — an object {"image": <data: URI | base64 | file path>, "width",
// "height", "description", "wrap", "x", "y"} or the `image` filter — and is recognised by its bytes: the format and
// the pixel size are read from the file's own header (PNG, JPEG, GIF; no pixel is decoded). Its size on the page is
// resolved here; the format adapters write the XML that shows it (DOCX w:drawing, ODT draw:frame) and the package code
// adds the media files, each stored once however often it is shown.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/expr.hpp"

namespace vanban::core {

enum class ImageFormat : std::uint8_t { png, jpeg, gif };
std::string_view image_extension(ImageFormat format);   // "png", "jpeg", "gif"
std::string_view image_media_type(ImageFormat format);  // "image/png", ...

struct ImageHeader {
    ImageFormat format = ImageFormat::png;
    std::uint32_t width = 0;  // pixels
    std::uint32_t height = 0;
    double dpi_x = 0;  // 0: the file does not say
    double dpi_y = 0;
};

// The format and pixel size from the bytes (PNG IHDR and pHYs, JPEG SOF and JFIF density, GIF screen descriptor); the
// chunk or segment structure is walked to its end so that a cut-off file is refused. Throws std::invalid_argument:
// "not an image …", "a WebP image …", "truncated PNG …".
ImageHeader read_image_header(std::string_view bytes);

// Lengths are kept in EMU, as DrawingML writes them: 914400 per inch, 36000 per millimetre, 12700 per point.
inline constexpr std::int64_t kEmuPerInch = 914400;
inline constexpr std::int64_t kEmuPerMm = 36000;
// The largest picture (and offset) accepted: 22 inches, the most Word allows for a side.
inline constexpr std::int64_t kMaxImageExtent = 22 * kEmuPerInch;
// Pixels per inch assumed when a file does not say (what Word and LibreOffice assume).
inline constexpr double kDefaultDpi = 96.0;

// "35mm", "3.5 cm", "1.2in", "100pt", "-12.5mm" → EMU; std::nullopt for anything else.
std::optional<std::int64_t> parse_length(std::string_view text);
// EMU as millimetres for ODF ("35mm", "12.346mm").
std::string odf_length(std::int64_t emu);

struct ImageData {
    std::string bytes;
    ImageHeader header;
};

enum class ImageWrap : std::uint8_t { inline_, front, behind };

// What the data or the template asked for. Unset fields are filled from the filter's arguments, then defaults.
struct ImageOptions {
    std::optional<std::int64_t> width, height;  // EMU
    std::optional<std::string> description;
    std::optional<ImageWrap> wrap;
    std::optional<std::int64_t> x, y;  // EMU: from the character where the tag stands / the top of its paragraph
    // Fills what this leaves unset from `defaults`; width and height go together (a size given by one wins whole).
    void fill_from(const ImageOptions& defaults);
};

// An image value: the picture with its size and placement resolved.
struct Image {
    std::shared_ptr<const ImageData> data;
    ImageOptions asked;           // as given, for an image(...) applied to this value again
    std::int64_t cx = 0, cy = 0;  // EMU
    ImageWrap wrap = ImageWrap::inline_;
    std::int64_t x = 0, y = 0;
    std::string description;
};

struct ImageSettings {
    // Where relative file paths in the data are read from; empty: a file path in the data is an error.
    std::string directory;
    std::uint64_t max_bytes = 16ull << 20;      // one picture
    std::uint64_t max_images = 1000;            // distinct pictures in one document
    std::int64_t text_width = 160 * kEmuPerMm;  // a picture without a size is made no wider than this
    int first_number = 1;                       // media files are named vanban_image<N>, from this N
};

// The pictures of one render: decoded once per distinct source, stored once per distinct content, numbered in the
// order they are first shown. Not thread-safe (one per render).
class ImageSession {
public:
    ImageSettings settings;

    // The picture a source text stands for (data: URI, base64, or a file path when settings.directory allows);
    // throws std::invalid_argument with the reason.
    std::shared_ptr<const ImageData> load(const std::string& source);

    // One placement of `data` in `part`: the media number of its stored copy. Throws EvalError past max_images.
    int place(const std::shared_ptr<const ImageData>& data, const std::string& part);
    // A fresh number for the name of one placed frame (unique in the document).
    int next_frame() { return ++frames_; }

    struct Stored {
        std::shared_ptr<const ImageData> data;
        int number = 0;
    };
    const std::vector<Stored>& stored() const noexcept { return stored_; }
    // The media numbers each part shows, in first-use order.
    const std::map<std::string, std::vector<int>>& parts() const noexcept { return parts_; }

    // "vanban_image3.png"
    static std::string media_name(int number, ImageFormat format);
    // Whether the template itself has a name of that form (its numbering must start after it).
    static int number_in_name(std::string_view name);

private:
    std::unordered_map<std::string, std::shared_ptr<const ImageData>> loaded_;
    std::unordered_multimap<std::size_t, std::size_t> by_hash_;  // content hash → index into stored_
    std::vector<Stored> stored_;
    std::map<std::string, std::vector<int>> parts_;
    int frames_ = 0;
};

// What a source text of the data stands for: a picture, or a DOCX sub-document ({"subdoc": …}).
enum class EmbeddedKind : std::uint8_t { picture, subdocument };
// The bytes a source text stands for — a data: URI, base64, or a file path (file:…) read from settings.directory —
// at most settings.max_bytes. Throws std::invalid_argument with the reason (is_embedded_limit() for a size limit).
std::string read_embedded_source(const std::string& source, const ImageSettings& settings, EmbeddedKind kind);
bool is_embedded_limit(const std::invalid_argument& e);

// The relationship id of media number N in a DOCX part's relationships: "rIdVanbanImage3".
std::string image_relationship_id(int number);

// An object of the data that stands for a sub-document: it has a "subdoc" key (docx/subdoc.hpp reads it).
bool is_subdoc_object(const json& j);

// An object of the data that stands for an image: it has an "image" text.
bool is_image_object(const json& j);

// The image a value stands for: an image value, an image object of the data or the source text itself (data: URI,
// base64, path); `defaults` fill what it does not say. Throws EvalError pointing into the data (the object or the
// offending field).
std::shared_ptr<const Image> to_image(const Value& value, const ImageOptions& defaults, EvalContext& ctx);

// The options given to the image filter (width, height, description, wrap, x, y). Throws EvalError.
ImageOptions image_options_from_arguments(std::span<const Value> args,
                                          std::span<const std::pair<std::string_view, Value>> kwargs, EvalContext& ctx);

// What a template may read from an image value: width_mm, height_mm, pixel_width, pixel_height, format, description.
Value image_attribute(const Image& image, std::string_view name, const std::string& what);

// The error for an image printed as text (in an attribute, joined with text, inside a printed list).
[[noreturn]] void throw_image_as_text();

}  // namespace vanban::core
