// `vanban serve [--host 127.0.0.1] [--port 8080]`: the web page and HTTP API (src/server, docs/serve.md).
#pragma once

#include <CLI/CLI.hpp>

#include "../server/server.hpp"

namespace vanban::cli {

// Adds the `serve` subcommand to `app`, storing what it parses in `options` (which must outlive parsing).
CLI::App* add_serve_command(CLI::App& app, server::Options& options);

// Serves until Ctrl-C / SIGTERM. Returns the exit status: 0 stopped cleanly, 2 cannot listen (usage).
int run_serve(const server::Options& options);

}  // namespace vanban::cli
