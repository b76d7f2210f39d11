#include "limits.hpp"

namespace vanban::cli {

void add_limit_options(CLI::App& command, Limits& limits) {
    const std::string group = "Limits (hostile or broken input fails cleanly past these; see docs/reliability.md)";
    auto size = [&](const char* flag, auto& field, const char* what) {
        command.add_option(flag, field, what)->transform(CLI::AsSizeValue(false))->capture_default_str()->group(group);
    };
    auto count = [&](const char* flag, auto& field, const char* what) {
        command.add_option(flag, field, what)->check(CLI::PositiveNumber)->capture_default_str()->group(group);
    };
    size("--max-output-size", limits.max_output_size, "bytes of the rendered document");
    count("--max-loop-iterations", limits.max_loop_iterations, "loop iterations in one document");
    size("--max-value-size", limits.max_value_size, "bytes of one value a tag computes");
    count("--max-work", limits.max_work, "units of expression work in one document");
    size("--max-package-size", limits.max_package_size, "uncompressed bytes of the template package");
    size("--max-part-size", limits.max_part_size, "uncompressed bytes of one part of the template package");
    count("--max-package-entries", limits.max_package_entries, "entries in the template package");
    count("--max-compression-ratio", limits.max_compression_ratio, "uncompressed/compressed size of a package entry");
    size("--max-data-size", limits.data.max_size, "bytes of the JSON data");
    count("--max-data-depth", limits.data.max_depth, "nesting of objects and arrays in the JSON data");
    size("--max-image-size", limits.max_image_size, "bytes of one picture from the data");
    count("--max-images", limits.max_images, "different pictures in one document");
}

void add_compression_option(CLI::App& command, int& level) {
    command
        .add_option("--compression-level", level,
                    "deflate level of the rendered parts: 1 fastest (files ~5% larger) … 12 smallest (default 6)")
        ->check(CLI::Range(1, 12));
}

}  // namespace vanban::cli
