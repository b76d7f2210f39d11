#include "server/server.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <httplib.h>

#include <vanban/catalog.hpp>
#include <vanban/convert.hpp>
#include <vanban/import.hpp>
#include <vanban/vanban.hpp>

#include "../batch/sheet.hpp"
#include "core/ascii.hpp"
#include "core/base64.hpp"
#include "server/batch_jobs.hpp"
#include "server/gated_server.hpp"
#include "server/host_check.hpp"
#include "server/http_util.hpp"
#include "server/store.hpp"
#include "server/web_assets.hpp"

namespace vanban::server {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kJsonType = "application/json; charset=utf-8";
constexpr const char* kTemplateName = "([a-z0-9][a-z0-9-]{0,63})";
constexpr const char* kJobId = "([0-9a-f]{32})";

const char* media_type(std::string_view format) {
    if (format == "odt") return "application/vnd.oasis.opendocument.text";
    if (format == "pdf") return "application/pdf";
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
}

// The format query parameter: docx (default), odt or pdf.
std::string format_param(const httplib::Request& req, const std::string& fallback = "docx") {
    if (!req.has_param("format")) return fallback;
    std::string f = req.get_param_value("format");
    if (f != "docx" && f != "odt" && f != "pdf")
        throw HttpError(400, DiagnosticKind::usage, "format must be docx, odt or pdf, not '" + f + "'");
    return f;
}

bool flag_param(const httplib::Request& req, const char* name, bool fallback) {
    if (!req.has_param(name)) return fallback;
    const std::string v = req.get_param_value(name);
    return v == "1" || v == "true" || v == "yes";
}

json template_json(const BundledTemplate& t) {
    json j = {{"name", t.name},
              {"title", t.title},
              {"description", t.description},
              {"formats", t.formats},
              {"has_schema", !t.schema_path.empty()},
              {"has_example", !t.example_path.empty()},
              {"source", t.source},
              {"unverified_layout", t.manifest.value("unverified_layout", false)}};
    j["formats"].push_back("pdf");
    return j;
}

}  // namespace

struct Server::Impl {
    Options options;
    GatedServer http;
    TemplateStore store;
    ConverterPool converters;
    BatchJobs jobs;
    bool form_library = false;
    int port = 0;
    std::optional<HostPolicy> hosts;  // set once bound (it needs the port), read-only while serving

    explicit Impl(Options o)
        : options(std::move(o)),
          http(gate_limits(options)),
          store(options.template_dirs),
          converters(options.converters, options.converter_wait_seconds, pdf_options()),
          jobs(options.max_running_batches, options.max_kept_batches, options.converters, pdf_options()) {}

    static GateLimits gate_limits(const Options& o) {
        GateLimits g;
        g.workers = o.threads ? o.threads : std::max(8u, 2 * std::max(1u, std::thread::hardware_concurrency()));
        g.read_timeout = g.write_timeout = std::chrono::seconds(o.read_timeout_seconds);
        return g;
    }

    PdfOptions pdf_options() const {
        PdfOptions p;
        p.timeout_seconds = options.pdf_timeout_seconds;
        return p;
    }

    // ----- request checks

    // Runs `body`, turning every failure into a JSON error answer.
    template <class Body>
    void guarded(httplib::Response& res, Body body) {
        try {
            body();
        } catch (const HttpError& e) {
            fail(res, e.status(), e.diagnostics());
        } catch (const Error& e) {
            fail(res, status_for(e.diagnostics()), e.diagnostics());
        } catch (const std::bad_alloc&) {
            fail(res, 413,
                 {HttpError(413, DiagnosticKind::limit, "the request needs more memory than the server has")
                      .diagnostics()});
        } catch (const std::exception& e) {
            fail(res, 500, HttpError(500, DiagnosticKind::io, e.what()).diagnostics());
        }
    }

    static void fail(httplib::Response& res, int status, const std::vector<Diagnostic>& diagnostics) {
        res.status = status;
        res.set_content(errors_body(diagnostics), kJsonType);
    }

    // The request body as JSON data with positions: size, nesting and syntax checked (all 4xx).
    Data request_data(const std::string& text, const std::string& source) const {
        if (text.size() > options.max_json_bytes)
            throw HttpError(
                413, DiagnosticKind::limit,
                "the JSON is larger than the limit of " + std::to_string(options.max_json_bytes) + " bytes");
        if (auto deep = check_nesting(text, options.max_json_depth, source)) throw HttpError(413, {*deep});
        DataLimits limits;
        limits.max_values = options.max_json_values;
        return Data::parse(text, source, limits);
    }

    void require_json(const httplib::Request& req) const {
        const std::string type = req.get_header_value("Content-Type");
        if (type.rfind("application/json", 0) != 0)
            throw HttpError(415, DiagnosticKind::usage, "send the data as JSON with Content-Type: application/json");
    }

    // Schema problems (every one, located in the request body); empty when valid or when there is no schema.
    std::vector<Diagnostic> schema_problems(const BundledTemplate& t, const Data& data) {
        const auto schema = store.schema(t);
        return schema ? schema->validate(data) : std::vector<Diagnostic>{};
    }

    // Pictures come only inside the JSON (a file path in it is refused: RenderOptions::image_directory stays empty).
    RenderOptions render_options(const httplib::Request& req) const {
        RenderOptions ro;
        ro.lenient = flag_param(req, "lenient", false);
        ro.max_image_size = options.max_image_bytes;
        return ro;
    }

    std::string render_bundled(const BundledTemplate& t, const Data& data, const std::string& format,
                               const httplib::Request& req) {
        if (flag_param(req, "validate", true)) {
            auto problems = schema_problems(t, data);
            if (!problems.empty()) throw HttpError(422, std::move(problems));
        }
        const RenderOptions ro = render_options(req);
        const std::string variant = format == "pdf" ? t.pdf_variant() : format == "odt" ? "odt" : "docx";
        std::string bytes = store.compiled(t, variant).render(data, ro);
        return format == "pdf" ? converters.to_pdf(bytes, variant) : bytes;
    }

    static void send_document(httplib::Response& res, std::string bytes, const std::string& format,
                              const std::string& stem) {
        res.set_header("Content-Disposition", attachment(stem + "." + format));
        res.set_content(std::move(bytes), media_type(format));
    }

    // ----- bodies

    // Largest body read to the end (and thrown away) to answer 413 properly: a client still sending when the server
    // hangs up never sees the answer. Larger bodies are cut off when their Content-Length is seen.
    std::size_t drain_limit() const {
        return std::max<std::size_t>(64u << 20, 2 * std::max(options.max_json_bytes, options.max_upload_bytes));
    }

    // A POST route whose body is read here, bounded: `upload` routes take multipart bodies up to max_upload_bytes,
    // the others JSON up to max_json_bytes. Over the limit, the rest of the body is read and dropped and the answer
    // is 413; the handler then never runs.
    template <class Handler>
    void post(const std::string& pattern, bool upload, Handler handler) {
        http.Post(pattern, [this, upload, handler](const httplib::Request& req, httplib::Response& res,
                                                   const httplib::ContentReader& reader) {
            const std::size_t limit = upload ? options.max_upload_bytes : options.max_json_bytes;
            const std::size_t drain = drain_limit();
            httplib::Request full = req;
            std::size_t seen = 0;
            bool too_big = false;
            const auto take = [&](std::string& into, const char* data, std::size_t n) {
                seen += n;
                if (seen > limit) too_big = true;
                if (!too_big) into.append(data, n);
                return seen <= drain;
            };
            if (req.is_multipart_form_data()) {
                std::string* current = nullptr;
                reader(
                    [&](const httplib::MultipartFormData& part) {
                        current = &full.files.emplace(part.name, part)->second.content;
                        return full.files.size() <= 16;
                    },
                    [&](const char* data, std::size_t n) { return current != nullptr && take(*current, data, n); });
            } else {
                reader([&](const char* data, std::size_t n) { return take(full.body, data, n); });
            }
            if (too_big) {
                fail(res, 413,
                     HttpError(
                         413, DiagnosticKind::limit,
                         "the request is larger than the limit of " + std::to_string(limit) + " bytes",
                         upload ? "vanban serve --max-upload-mb raises it" : "vanban serve --max-json-mb raises it")
                         .diagnostics());
                if (seen > drain) res.set_header("Connection", "close");
                return;
            }
            handler(full, res);
        });
    }

    // ----- routes

    void routes() {
        template_routes();
        document_routes();
        batch_routes();
        page_routes();
    }

    // GET /api/status and /api/templates…: what this server offers (templates, their schemas, sheets, examples).
    void template_routes() {
        http.Get("/api/status", [this](const httplib::Request&, httplib::Response& res) {
            json j = {{"version", std::string(version())},
                      {"form_library", form_library},
                      {"office", converters.has_office()},
                      {"limits",
                       {{"max_json_bytes", options.max_json_bytes},
                        {"max_upload_bytes", options.max_upload_bytes},
                        {"max_image_bytes", options.max_image_bytes},
                        {"max_json_depth", options.max_json_depth}}}};
            if (!form_library)
                j["form_library_hint"] =
                    "apt-get install libjs-json-editor (looked in " + options.json_editor_dir + ")";
            res.set_content(j.dump(), kJsonType);
        });

        http.Get("/api/templates", [this](const httplib::Request&, httplib::Response& res) {
            json list = json::array();
            for (const auto& t : store.all()) list.push_back(template_json(t));
            res.set_content(list.dump(), kJsonType);
        });
        http.Get(std::string("/api/templates/") + kTemplateName, [this](const httplib::Request& req,
                                                                        httplib::Response& res) {
            guarded(res, [&] { res.set_content(template_json(store.get(req.matches[1].str())).dump(), kJsonType); });
        });
        http.Get(std::string("/api/templates/") + kTemplateName + "/schema",
                 [this](const httplib::Request& req, httplib::Response& res) {
                     guarded(res, [&] {
                         const auto& t = store.get(req.matches[1].str());
                         if (t.schema_path.empty())
                             throw HttpError(404, DiagnosticKind::usage, "template '" + t.name + "' has no schema");
                         // The file as written: its property order is the form's order (a parsed value would sort keys).
                         res.set_content(read_file(t.schema_path), "application/schema+json; charset=utf-8");
                     });
                 });
        http.Get(std::string("/api/templates/") + kTemplateName + "/sheet",
                 [this](const httplib::Request& req, httplib::Response& res) {
                     guarded(res, [&] {
                         const auto& t = store.get(req.matches[1].str());
                         if (t.schema_path.empty())
                             throw HttpError(404, DiagnosticKind::usage, "template '" + t.name + "' has no schema");
                         res.set_header("Content-Disposition", "attachment; filename=\"mau-" + t.name + ".xlsx\"");
                         res.set_content(batch::make_template_sheet(t.name),
                                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
                     });
                 });
        http.Get(std::string("/api/templates/") + kTemplateName + "/example",
                 [this](const httplib::Request& req, httplib::Response& res) {
                     guarded(res, [&] { res.set_content(store.get(req.matches[1].str()).example(), kJsonType); });
                 });
    }

    // POST /api/validate, /api/render, /api/import, /api/preview: data in, a verdict, a document or a preview out.
    void document_routes() {
        post(std::string("/api/validate/") + kTemplateName, false,
             [this](const httplib::Request& req, httplib::Response& res) {
                 guarded(res, [&] {
                     require_json(req);
                     const auto& t = store.get(req.matches[1].str());
                     const Data data = request_data(req.body, "request");
                     const auto problems = schema_problems(t, data);
                     res.set_content(json{{"valid", problems.empty()}, {"errors", diagnostics_json(problems)}}.dump(),
                                     kJsonType);
                 });
             });

        post(std::string("/api/render/") + kTemplateName, false,
             [this](const httplib::Request& req, httplib::Response& res) {
                 guarded(res, [&] {
                     require_json(req);
                     const auto& t = store.get(req.matches[1].str());
                     const std::string format = format_param(req);
                     const Data data = request_data(req.body, "request");
                     send_document(res, render_bundled(t, data, format, req), format, t.name);
                 });
             });

        // A template of the caller's own, kept in memory for this request only.
        post("/api/render", true, [this](const httplib::Request& req, httplib::Response& res) {
            guarded(res, [&] { render_upload(req, res); });
        });

        // An existing plan (the file's bytes as the body, its name in ?filename=) read back into data to edit.
        post("/api/import", true, [this](const httplib::Request& req, httplib::Response& res) {
            guarded(res, [&] {
                if (!req.has_param("filename") || req.get_param_value("filename").empty())
                    throw HttpError(
                        400, DiagnosticKind::usage,
                        "name the file in the query: /api/import?filename=ke-hoach.docx (.docx, .odt, .txt, .md)");
                // `template` names what the page is editing; the importer reads plans (ke-hoach) only, so another
                // existing template still gets the plan, and the answer's "template" says which it is.
                if (req.has_param("template"))
                    store.get(req.get_param_value("template"));  // 404 when it does not exist
                const std::string& bytes = req.is_multipart_form_data() && req.has_file("file")
                                               ? req.get_file_value("file").content
                                               : req.body;
                const ImportResult result = import_document(bytes, req.get_param_value("filename"));
                res.set_content(import_result_json(result).dump(), kJsonType);
            });
        });

        post(std::string("/api/preview/") + kTemplateName, false,
             [this](const httplib::Request& req, httplib::Response& res) {
                 guarded(res, [&] {
                     require_json(req);
                     const auto& t = store.get(req.matches[1].str());
                     const Data data = request_data(req.body, "request");
                     const std::string as = req.has_param("as") ? req.get_param_value("as") : "png";
                     if (as != "png" && as != "pdf" && as != "html")
                         throw HttpError(400, DiagnosticKind::usage, "as must be png, pdf or html");
                     if (as == "html") {  // the page's instant preview: no LibreOffice, milliseconds
                         res.set_content(json{{"html", docx_to_html(render_bundled(t, data, "docx", req))}}.dump(),
                                         kJsonType);
                         return;
                     }
                     if (as == "pdf") {
                         res.set_header("Content-Disposition", "inline");
                         res.set_content(render_bundled(t, data, "pdf", req), media_type("pdf"));
                         return;
                     }
                     int dpi = 60;
                     if (req.has_param("dpi")) dpi = std::clamp(std::atoi(req.get_param_value("dpi").c_str()), 20, 150);
                     // Pages drawn from what the PDF is made of, so that the preview shows what the download prints.
                     const std::string variant = t.pdf_variant();
                     const std::string document = render_bundled(t, data, variant, req);
                     json pages = json::array();
                     for (const auto& png : converters.to_png(document, variant, dpi, 40))
                         pages.push_back(core::base64_encode(png));
                     res.set_content(json{{"pages", pages}}.dump(), kJsonType);
                 });
             });
    }

    // /api/batch: a list of records in, a job to follow, then its zip and report.
    void batch_routes() {
        post(std::string("/api/batch/") + kTemplateName, true,
             [this](const httplib::Request& req, httplib::Response& res) {
                 guarded(res, [&] {
                     const auto& t = store.get(req.matches[1].str());
                     if (!req.is_multipart_form_data() || !req.has_file("records"))
                         throw HttpError(400, DiagnosticKind::usage,
                                         "send the nominee list as the multipart field 'records'");
                     const auto file = req.get_file_value("records");
                     BatchRequest b;
                     b.bundled = &t;
                     b.format = format_param(req);
                     if (b.format == "odt" && std::find(t.formats.begin(), t.formats.end(), "odt") == t.formats.end())
                         throw HttpError(400, DiagnosticKind::usage, "template '" + t.name + "' has no odt variant");
                     b.records_extension = core::ascii_lower(fs::path(file.filename).extension().string());
                     b.records = file.content;
                     if (req.has_file("name")) b.name_expression = req.get_file_value("name").content;
                     if (req.has_file("defaults")) {
                         try {
                             b.defaults = json::parse(req.get_file_value("defaults").content);
                         } catch (const json::exception&) {
                             throw HttpError(400, DiagnosticKind::usage, "the field 'defaults' is not JSON");
                         }
                         if (!b.defaults.is_object())
                             throw HttpError(400, DiagnosticKind::usage, "the field 'defaults' must be a JSON object");
                     }
                     const std::string id = jobs.start(std::move(b));
                     res.status = 202;
                     res.set_content(json{{"id", id}, {"status", "/api/batch/" + id}}.dump(), kJsonType);
                 });
             });
        http.Get(std::string("/api/batch/") + kJobId, [this](const httplib::Request& req, httplib::Response& res) {
            guarded(res, [&] {
                const auto status = jobs.status(req.matches[1].str());
                if (!status)
                    throw HttpError(404, DiagnosticKind::usage,
                                    "no such batch (finished batches are kept for a while)");
                res.set_content(status->dump(), kJsonType);
            });
        });
        http.Get(std::string("/api/batch/") + kJobId + "/zip",
                 [this](const httplib::Request& req, httplib::Response& res) {
                     guarded(res, [&] {
                         send_job_file(res, jobs.zip_path(req.matches[1].str()), "application/zip", "van-ban.zip");
                     });
                 });
        http.Get(std::string("/api/batch/") + kJobId + "/report",
                 [this](const httplib::Request& req, httplib::Response& res) {
                     guarded(res, [&] {
                         send_job_file(res, jobs.report_path(req.matches[1].str()), kJsonType, "bao-cao.json");
                     });
                 });
        http.Delete(std::string("/api/batch/") + kJobId, [this](const httplib::Request& req, httplib::Response& res) {
            guarded(res, [&] {
                if (!jobs.cancel(req.matches[1].str())) throw HttpError(404, DiagnosticKind::usage, "no such batch");
                res.set_content(json{{"cancelled", true}}.dump(), kJsonType);
            });
        });
    }

    void page_routes() {
        // The page's own files, embedded at build time.
        http.Get(R"(/([A-Za-z0-9._-]*))", [](const httplib::Request& req, httplib::Response& res) {
            const std::string path = req.path == "/" ? "/index.html" : req.path;
            for (std::size_t i = 0; i < kWebAssetCount; ++i) {
                if (path != kWebAssets[i].path) continue;
                res.set_header("Cache-Control", "no-cache");
                res.set_content(reinterpret_cast<const char*>(kWebAssets[i].data), kWebAssets[i].size,
                                kWebAssets[i].content_type);
                return;
            }
            fail(res, 404, HttpError(404, DiagnosticKind::usage, "no page at " + req.path).diagnostics());
        });
        if (!form_library) {
            http.Get("/vendor/json-editor/.*", [this](const httplib::Request&, httplib::Response& res) {
                fail(res, 404,
                     HttpError(404, DiagnosticKind::io, "the form library libjs-json-editor is not installed",
                               "apt-get install libjs-json-editor (looked in " + options.json_editor_dir + ")")
                         .diagnostics());
            });
        }
    }

    void render_upload(const httplib::Request& req, httplib::Response& res) {
        if (!req.is_multipart_form_data() || !req.has_file("template") || !req.has_file("data"))
            throw HttpError(400, DiagnosticKind::usage,
                            "send multipart fields 'template' (a .docx or .odt file) and 'data' (the JSON)");
        const auto tpl_file = req.get_file_value("template");
        const auto data_file = req.get_file_value("data");
        // The name is only used in messages; it never reaches the file system.
        std::string name = fs::path(tpl_file.filename).filename().string();
        if (name.empty() || name.size() > 100) name = "upload";
        const Template tpl = Template::from_bytes(tpl_file.content, name, server_compile_options());
        const std::string own = tpl.format() == Format::odt ? "odt" : "docx";
        const std::string format = format_param(req, own);
        if (format != "pdf" && format != own)
            throw HttpError(400, DiagnosticKind::usage,
                            "the template is " + own + ": it renders " + own + " or pdf, not " + format);
        const Data data = request_data(data_file.content, "data");
        std::string bytes = tpl.render(data, render_options(req));
        if (format == "pdf") bytes = converters.to_pdf(bytes, own);
        send_document(res, std::move(bytes), format, "van-ban");
    }

    static void send_job_file(httplib::Response& res, const std::optional<std::string>& path, const char* type,
                              const std::string& download_name) {
        if (!path) throw HttpError(404, DiagnosticKind::usage, "no such batch");
        if (path->empty()) throw HttpError(409, DiagnosticKind::usage, "the batch has not finished yet");
        auto file = std::make_shared<std::ifstream>(*path, std::ios::binary);
        std::error_code ec;
        const auto size = fs::file_size(*path, ec);
        if (!*file || ec) throw HttpError(410, DiagnosticKind::io, "the batch's files are gone");
        res.set_header("Content-Disposition", attachment(download_name));
        res.set_content_provider(static_cast<std::size_t>(size), type,
                                 [file](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                     std::string buffer(std::min<std::size_t>(length, 1u << 16), '\0');
                                     file->seekg(static_cast<std::streamoff>(offset));
                                     file->read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
                                     const auto n = static_cast<std::size_t>(file->gcount());
                                     return n > 0 && sink.write(buffer.data(), n);
                                 });
    }

    // Before a request's body is read: which hosts and origins may talk to us, and how large a body may be.
    httplib::Server::HandlerResponse screen(const httplib::Request& req, httplib::Response& res) {
        const auto refuse = [&](int status, DiagnosticKind kind, std::string code, std::string message,
                                std::string message_vi, std::string hint = {}) {
            auto diagnostics = HttpError(status, kind, std::move(message), std::move(hint)).diagnostics();
            diagnostics.front().code = std::move(code);
            diagnostics.front().message_vi = std::move(message_vi);
            fail(res, status, diagnostics);
            res.set_header("Connection", "close");  // the unread body must not be taken for the next request
            return httplib::Server::HandlerResponse::Handled;
        };
        // DNS rebinding (a page on another site whose name is made to resolve here) and cross-site posts.
        if (!req.has_header("Host"))
            return refuse(400, DiagnosticKind::usage, "server.host_missing", "the request has no Host header",
                          "yêu cầu thiếu tiêu đề Host");
        const std::string host = req.get_header_value("Host");
        if (!parse_host_port(host))
            return refuse(400, DiagnosticKind::usage, "server.host_malformed",
                          "the Host header is not a host name and port", "tiêu đề Host không phải là tên máy và cổng");
        if (!hosts->allows_host(host))
            return refuse(
                403, DiagnosticKind::usage, "server.host_refused",
                "this server does not answer to the name '" + host.substr(0, 100) + "'",
                "máy chủ không trả lời theo tên '" + host.substr(0, 100) + "'; hãy mở đúng địa chỉ vanban serve in ra",
                "open the address vanban serve printed, or start it with --allow-host NAME");
        if (req.method != "GET" && req.method != "HEAD" && req.has_header("Origin") &&
            !hosts->allows_origin(req.get_header_value("Origin")))
            return refuse(403, DiagnosticKind::usage, "server.cross_site", "requests from another site are refused",
                          "yêu cầu gửi từ trang web khác bị từ chối");
        if (req.has_header("Content-Length")) {
            const unsigned long long length =
                std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10);
            if (length > drain_limit())
                return refuse(
                    413, DiagnosticKind::limit, "server.body_too_large",
                    "the request is larger than the limit of " + std::to_string(options.max_upload_bytes) + " bytes",
                    "yêu cầu lớn hơn giới hạn " + std::to_string(options.max_upload_bytes) + " byte");
        }
        return httplib::Server::HandlerResponse::Unhandled;
    }

    void configure() {
        std::error_code ec;
        form_library = fs::is_regular_file(fs::path(options.json_editor_dir) / "jsoneditor.min.js", ec);
        http.set_payload_max_length(drain_limit());
        // httplib's default adds SO_REUSEPORT, which would let a second `vanban serve` share the port silently.
        http.set_socket_options([](socket_t sock) {
            int yes = 1;
            ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        });
        // What httplib announces in Keep-Alive headers; the front (GatedServer) enforces them.
        const GateLimits gate = gate_limits(options);
        http.set_keep_alive_max_count(gate.max_requests_per_connection);
        http.set_keep_alive_timeout(gate.idle_timeout.count());
        http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                                  {"X-Frame-Options", "SAMEORIGIN"},
                                  {"Referrer-Policy", "no-referrer"},
                                  {"Content-Security-Policy",
                                   "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                                   "frame-src 'self' blob:; object-src 'self' blob:; frame-ancestors 'self'"}});
        http.set_pre_routing_handler(
            [this](const httplib::Request& req, httplib::Response& res) { return screen(req, res); });
        // Error records carry both texts with Vietnamese `message`; one place, as every answer leaves, gives English to
        // a client whose Accept-Language asks for it — whichever route or error handler made the answer.
        http.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
            if (preferred_language(req.get_header_value("Accept-Language")) != Language::en) return;
            if (res.get_header_value("Content-Type").rfind("application/json", 0) != 0) return;
            if (res.body.find("\"message_en\"") == std::string::npos) return;
            auto answer = nlohmann::json::parse(res.body, nullptr, false);
            if (answer.is_discarded()) return;
            use_english_messages(answer);
            res.body = answer.dump();
            // httplib has counted the body already (0.11: before this handler runs)
            if (res.has_header("Content-Length")) {
                res.headers.erase("Content-Length");
                res.set_header("Content-Length", std::to_string(res.body.size()));
            }
        });
        // Errors httplib answers itself (no route, body too large, malformed request) get a JSON body too.
        http.set_error_handler(
            httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
                if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
                std::string message = "the request could not be handled";
                DiagnosticKind kind = DiagnosticKind::usage;
                if (res.status == 404) message = "nothing at " + req.method + " " + req.path;
                if (res.status == 405) message = req.method + " is not allowed here";
                if (res.status == 413) {
                    message = "the request is larger than the server accepts";
                    kind = DiagnosticKind::limit;
                }
                if (res.status == 400) message = "malformed HTTP request";
                res.set_content(errors_body(HttpError(res.status, kind, message).diagnostics()), kJsonType);
                return httplib::Server::HandlerResponse::Handled;
            }));
        http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
            fail(res, 500, HttpError(500, DiagnosticKind::io, "internal error").diagnostics());
        });
        if (options.log_requests) {
            http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
                std::fprintf(stderr, "vanban serve: %s %s %d\n", req.method.c_str(), req.path.c_str(), res.status);
            });
        }
        if (form_library) {
            http.set_mount_point("/vendor/json-editor", options.json_editor_dir, {{"Cache-Control", "max-age=3600"}});
        }
        routes();
    }

    void bind() {
        if (options.port == 0) {
            port = http.bind_to_any_port(options.host);
        } else {
            port = http.bind_to_port(options.host, options.port) ? options.port : -1;
        }
        if (port <= 0)
            throw HttpError(400, DiagnosticKind::usage,
                            "cannot listen on " + options.host + ":" + std::to_string(options.port),
                            "is another program using the port? try --port 0 for any free port");
        try {
            hosts.emplace(options.host, port, options.allowed_hosts);
        } catch (const std::invalid_argument& e) {
            throw HttpError(400, DiagnosticKind::usage, std::string("--host or --allow-host: ") + e.what());
        }
    }
};

Server::Server(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {
    impl_->configure();
    try {
        impl_->bind();
    } catch (const HttpError& e) {
        throw Error(e.diagnostics());
    }
}

Server::~Server() { stop(); }

int Server::port() const { return impl_->port; }

std::string Server::url() const {
    const std::string& h = impl_->options.host;
    const std::string shown = h == "0.0.0.0" ? "127.0.0.1" : h.find(':') != std::string::npos ? "[" + h + "]" : h;
    return "http://" + shown + ":" + std::to_string(impl_->port) + "/";
}

bool Server::has_form_library() const { return impl_->form_library; }

void Server::run() { impl_->http.serve(); }

void Server::stop() {
    impl_->jobs.cancel_all();
    impl_->http.stop_serving();
}

}  // namespace vanban::server
