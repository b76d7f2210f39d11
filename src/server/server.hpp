// `vanban serve`: an HTTP server (cpp-httplib) with a Vietnamese page to fill in a bundled template's form, check
// it, preview it and download DOCX/ODT/PDF, batch rendering from an uploaded nominee list, and a JSON API for other
// programs (docs/http-api.md). A thin front end like the CLI: it uses only the public API (<vanban/...>) and the
// batch runner's header.
//
//   vanban::server::Options o;            // 127.0.0.1:8080
//   vanban::server::Server server(o);
//   std::cout << server.url() << "\n";    // bound in the constructor (port 0: any free port)
//   server.run();                          // until stop() (from another thread or a signal handler thread)
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace vanban::server {

struct Options {
    std::string host = "127.0.0.1";
    int port = 8080;  // 0: any free port (see Server::port())
    // Host names the server answers to besides its address (and 127.0.0.1, localhost, [::1] when on loopback):
    // "NAME" (the bound port, or none: a proxy in front) or "NAME:PORT". Anything else gets 403 (DNS rebinding).
    std::vector<std::string> allowed_hosts;
    // Where Debian's libjs-json-editor installs the form library; served at /vendor/json-editor/.
    std::string json_editor_dir = "/usr/share/javascript/json-editor";
    std::size_t max_json_bytes = 4u << 20;     // a JSON request body (render, validate, preview)
    std::size_t max_upload_bytes = 32u << 20;  // a multipart upload (nominee list, template + data)
    int max_json_depth = 64;                   // nesting of arrays/objects in request JSON
    std::size_t max_json_values = 250'000;     // values in request JSON (each held costs up to ~100 bytes)
    std::size_t max_image_bytes = 2u << 20;    // one picture in the data (a signature, a seal), before base64
    unsigned threads = 0;                      // HTTP worker threads; 0: max(8, 2 × cores)
    unsigned converters = 2;                   // LibreOffice conversions at once (PDF, preview)
    int pdf_timeout_seconds = 120;             // one conversion
    int converter_wait_seconds = 60;           // waiting for a free converter before answering 503
    unsigned max_running_batches = 2;          // batch jobs rendering at once; more wait in line
    unsigned max_kept_batches = 20;            // finished jobs kept for download (oldest removed first)
    int read_timeout_seconds = 20;             // a client that stops sending is dropped
    bool log_requests = true;                  // one line per request on stderr
    std::vector<std::string> template_dirs;  // agency templates, searched before VANBAN_TEMPLATES and the bundled ones
};

class Server {
public:
    // Binds the address; throws vanban::Error (DiagnosticKind::usage) when it cannot.
    explicit Server(Options options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    int port() const;
    std::string url() const;        // "http://127.0.0.1:8080/"
    bool has_form_library() const;  // libjs-json-editor found

    void run();   // serves until stop()
    void stop();  // thread-safe; running batch jobs are cancelled

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vanban::server
