// The --max-* flags of `vanban render` and `vanban batch`: one per field of vanban::Limits.
#pragma once

#include <CLI/CLI.hpp>

#include <vanban/vanban.hpp>

namespace vanban::cli {

// Adds the flags to `command` (in a "Limits" group of its help), storing what they parse in `limits`, which keeps
// the library's defaults for flags not given. Sizes accept units: 64M, 1G, 512KiB.
void add_limit_options(CLI::App& command, Limits& limits);

// --compression-level: the deflate level of the rendered parts (CompileOptions::compression_level).
void add_compression_option(CLI::App& command, int& level);

}  // namespace vanban::cli
