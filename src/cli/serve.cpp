#include "serve.hpp"

#include <pthread.h>
#include <signal.h>

#include <csignal>
#include <iostream>
#include <thread>

#include <vanban/vanban.hpp>

namespace vanban::cli {

CLI::App* add_serve_command(CLI::App& app, server::Options& o) {
    auto* cmd =
        app.add_subcommand("serve", "a web page to fill in, check, preview and download documents, and an HTTP API");
    cmd->add_option("--host", o.host,
                    "the address to listen on (default 127.0.0.1: this computer only; 0.0.0.0: the network)");
    cmd->add_option(
           "--allow-host", o.allowed_hosts,
           "a host name the server answers to besides its address, NAME or NAME:PORT (repeatable; e.g. behind a proxy)")
        ->allow_extra_args(false);
    cmd->add_option("--port", o.port, "the port (default 8080; 0: any free port)")->check(CLI::Range(0, 65535));
    cmd->add_option("--json-editor-dir", o.json_editor_dir, "where libjs-json-editor is installed")
        ->capture_default_str();
    cmd->add_option_function<double>(
           "--max-json-mb", [&o](double mb) { o.max_json_bytes = static_cast<std::size_t>(mb * 1048576); },
           "largest JSON request, in MB (default 4)")
        ->check(CLI::Range(0.01, 1024.0));
    cmd->add_option_function<double>(
           "--max-upload-mb", [&o](double mb) { o.max_upload_bytes = static_cast<std::size_t>(mb * 1048576); },
           "largest upload (nominee list, template), in MB (default 32)")
        ->check(CLI::Range(0.01, 4096.0));
    cmd->add_option_function<double>(
           "--max-image-mb", [&o](double mb) { o.max_image_bytes = static_cast<std::size_t>(mb * 1048576); },
           "largest picture (signature, seal) in the data, in MB (default 2)")
        ->check(CLI::Range(0.01, 1024.0));
    cmd->add_option("--converters", o.converters, "LibreOffice conversions at once (PDF, preview; default 2)")
        ->check(CLI::Range(1u, 64u));
    cmd->add_option("--pdf-timeout", o.pdf_timeout_seconds, "seconds one LibreOffice conversion may take (default 120)")
        ->check(CLI::Range(1, 3600));
    cmd->add_option("--threads", o.threads, "HTTP worker threads (default: max(8, 2 x cores))")
        ->check(CLI::Range(1u, 1024u));
    cmd->add_flag(
        "-q,--quiet", [&o](std::int64_t) { o.log_requests = false; }, "do not print a line per request");
    cmd->footer(
        "Open the address it prints in a browser. Stop with Ctrl-C.\n"
        "Examples:\n"
        "  vanban serve                     # http://127.0.0.1:8080/\n"
        "  vanban serve --port 0            # any free port\n"
        "  curl -H 'Content-Type: application/json' --data-binary @plan.json \\\n"
        "       'http://127.0.0.1:8080/api/render/ke-hoach?format=docx' -o plan.docx");
    return cmd;
}

int run_serve(const server::Options& options) {
    // Ctrl-C and SIGTERM are taken by one thread with sigwait, which stops the server: every other thread (the
    // HTTP workers, batch jobs) is started with them blocked.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
    struct Restore {
        sigset_t mask;
        ~Restore() { pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
    } restore{previous};

    // A browser that closes a connection while an answer is being written must not take the server down.
    std::signal(SIGPIPE, SIG_IGN);
    server::Server server(options);
    std::cout << "vanban serve: mở " << server.url() << " trong trình duyệt (open it in a browser); Ctrl-C để dừng"
              << std::endl;
    if (!server.has_form_library())
        std::cerr << "vanban serve: warning: the form library is missing (apt-get install libjs-json-editor; looked in "
                  << options.json_editor_dir << "); the API works, the page cannot show forms\n";

    std::jthread waiter([&server, stop_signals](std::stop_token token) {
        while (!token.stop_requested()) {
            timespec tick{0, 200'000'000};
            if (sigtimedwait(&stop_signals, nullptr, &tick) > 0) {
                server.stop();
                return;
            }
        }
    });
    server.run();
    waiter.request_stop();
    std::cerr << "vanban serve: stopped\n";
    return 0;
}

}  // namespace vanban::cli
