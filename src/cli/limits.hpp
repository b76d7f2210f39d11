// The --max-* flags of `vanban render` and `vanban batch`: one per field of vanban::Limits.
#pragma once

#include <CLI/CLI.hpp>

#include <vanban/vanban.hpp>

namespace vanban::cli {

// Adds the flags to `command` (in a "Limits" group of its help), storing what they parse in `limits`, which keeps
// the library's defaults for flags not given. Sizes accept units: 64M, 1G, 512KiB.
void add_limit_options(CLI::App& command, Limits& limits);

}  // namespace vanban::cli
