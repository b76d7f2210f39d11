// vanban — document generation for Vietnamese administrative documents.
//
//   auto tpl = vanban::Template::from_file("ke-hoach.docx");   // parse and compile once
//   std::string docx = tpl.render(data);                        // render many times, from many threads
//
// Errors are thrown as vanban::Error carrying every Diagnostic found (see diagnostic.hpp). Data files with
// positions, JSON Schema validation and file helpers are in data.hpp; the C API is vanban.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vanban/data.hpp"
#include "vanban/diagnostic.hpp"
#include "vanban/export.h"
#include "vanban/version.h"

namespace vanban {

enum class Format { docx, odt };

// Safety limits: what a template, a package or a render may cost. Hostile or broken input that would go past one
// fails with a DiagnosticKind::limit error naming the limit; raise a limit when a real document needs more. The
// defaults (documented in docs/reliability.md) are far above what administrative documents need. The CLI exposes
// each as a flag of render and batch (--max-output-size, ...), the C API as vanban_limits.
struct Limits {
    // Reading the package (zip bombs and their like).
    std::uint64_t max_package_entries = 10'000;
    std::uint64_t max_part_size = 256ull << 20;      // uncompressed bytes of one package entry
    std::uint64_t max_package_size = 1024ull << 20;  // uncompressed bytes of the whole package
    double max_compression_ratio = 1000.0;           // uncompressed / compressed, per entry of 64 KiB or more
    // Rendering.
    std::uint64_t max_output_size = 512ull << 20;    // bytes of the rendered parts of one document, together
    std::uint64_t max_loop_iterations = 10'000'000;  // loop iterations in one render
    std::uint64_t max_value_size = 64ull << 20;      // bytes of one computed value (text, list, mapping)
    std::uint64_t max_work = 100'000'000;            // units of expression work in one render (see reliability.md)
    // Reading data (where vanban parses it: the C API, the CLI, vanban batch).
    DataLimits data;
    // Pictures from the data (RenderOptions::max_image_size and max_images, when not 0, replace these for one render).
    std::uint64_t max_image_size = 16ull << 20;  // bytes of one picture
    std::uint64_t max_images = 1000;             // different pictures in one document
};

inline constexpr int kDefaultCompressionLevel = 6;  // what office suites write

struct CompileOptions {
    Limits limits;
    int compression_level = kDefaultCompressionLevel;  // deflate level for rendered parts (1 fastest … 12 smallest)
};

struct RenderOptions {
    // Strict (default): a value missing from the data is an error. Lenient: it renders as empty text, a missing or
    // null list as no repetitions, and a missing condition as false.
    bool lenient = false;
    // Pictures given in the data as file paths ({"image": "chu-ky.png"}) are read relative to this directory. Empty
    // (the default): a file path in the data is an error, so data from a web form or another program never makes
    // vanban read a file. The vanban command sets it to the data file's directory.
    std::string image_directory;
    // Limits on the pictures of this render; 0: the template's (Limits::max_image_size, Limits::max_images).
    std::uint64_t max_image_size = 0;
    std::uint64_t max_images = 0;
};

// What `vanban inspect` shows: the data a template reads, as a JSON skeleton to fill in.
struct Inspection {
    nlohmann::json skeleton;
    std::vector<std::string> loops;
    std::vector<std::string> conditions;
    std::vector<std::string> outputs;
};

namespace detail {
struct TemplateImpl;
struct OrderedRender;  // the batch runner's way to render a record in its file's key order (src/api/ordered_render.hpp)
}  // namespace detail
namespace json_data {
class KeyOrder;  // the data file's order of keys (src/json/json_source.hpp)
}

// A compiled template. Cheap to copy (shared, immutable); render() is const and safe to call from many threads.
class VANBAN_API Template {
public:
    // A .docx/.odt file, or a directory holding the unzipped package (a template kept as reviewable XML).
    static Template from_file(const std::string& path, const CompileOptions& options = {});
    // A package in memory; `name` is used in messages.
    static Template from_bytes(std::string bytes, std::string name, const CompileOptions& options = {});

    // Renders to the bytes of a finished document. Throws vanban::Error with all problems found.
    std::string render(const nlohmann::json& data, const RenderOptions& options = {}) const;
    // The same, with data problems located in the data file too (source, line:column from the JSON pointer).
    std::string render(const Data& data, const RenderOptions& options = {}) const;

    Inspection inspect() const;
    Format format() const;
    const std::string& name() const;

private:
    friend struct detail::OrderedRender;
    explicit Template(std::shared_ptr<const detail::TemplateImpl> impl) : impl_(std::move(impl)) {}
    // render(), with mappings iterated in the data file's key order where it is known (null: key order).
    std::string render_ordered(const nlohmann::json& data, const RenderOptions& options,
                               const json_data::KeyOrder* key_order) const;
    std::shared_ptr<const detail::TemplateImpl> impl_;
};

// The version of the library actually loaded ("0.1.0"); VANBAN_VERSION_STRING is the headers' version.
VANBAN_API std::string_view version() noexcept;

// Packs a template directory (unzipped package) into a .docx/.odt archive in the order Office expects.
VANBAN_API std::string pack_directory(const std::string& directory);

}  // namespace vanban
