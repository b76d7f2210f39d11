// vanban — command line front end. It uses only the library's public API (<vanban/...>, linked from libvanban.so),
// so everything it does, an embedding program can do too.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include <vanban/catalog.hpp>
#include <vanban/check.hpp>
#include <vanban/convert.hpp>
#include <vanban/vanban.hpp>

#include "../core/ascii.hpp"  // header-only (std only), like ../batch/batch.hpp: no internal symbol is linked
#include "batch.hpp"
#include "import.hpp"
#include "limits.hpp"
#include "serve.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int kOk = 0, kFailed = 1, kUsage = 2;

struct Output {
    bool json = false;
    bool quiet = false;  // no line for a success
    vanban::Language language = vanban::Language::vi;
};

std::string kind_vi(vanban::DiagnosticKind kind) {
    using K = vanban::DiagnosticKind;
    switch (kind) {
        case K::template_syntax: return "lỗi trong mẫu";
        case K::data:
        case K::schema: return "lỗi dữ liệu";
        case K::json_syntax: return "lỗi cú pháp JSON";
        case K::package: return "lỗi tệp mẫu";
        case K::io: return "lỗi đọc/ghi tệp";
        case K::limit: return "vượt giới hạn";
        case K::usage: return "lỗi câu lệnh";
    }
    return "lỗi";
}

void print_diagnostics(const std::vector<vanban::Diagnostic>& diagnostics, const Output& how) {
    if (how.json) {
        std::cerr << vanban::diagnostics_to_json(diagnostics, how.language).dump(2) << "\n";
        return;
    }
    const bool vi = how.language == vanban::Language::vi;
    for (const auto& d : diagnostics)
        std::cerr << "vanban: " << (vi ? kind_vi(d.kind) : std::string(vanban::to_string(d.kind)) + " error") << ": "
                  << d.to_string(how.language) << "\n";
    if (diagnostics.size() > 1)
        std::cerr << "vanban: " << diagnostics.size() << (vi ? " lỗi cần sửa\n" : " problems\n");
}

[[noreturn]] void usage_error(const std::string& message, const std::string& message_vi = {},
                              const std::string& code = "usage.command") {
    vanban::Diagnostic d;
    d.kind = vanban::DiagnosticKind::usage;
    d.code = code;
    d.message = message;
    d.message_vi = message_vi;
    throw vanban::Error(std::move(d));
}

using vanban::resolve_template;
using vanban::ResolvedTemplate;

vanban::Data load_data(const std::string& path, const vanban::DataLimits& limits = {}) {
    return vanban::Data::from_file(path, limits);
}

int validate_against(const nlohmann::json& schema, const std::string& schema_name, const vanban::Data& data,
                     const Output& how) {
    vanban::Schema compiled(schema, schema_name);
    auto problems = compiled.validate(data);
    if (problems.empty()) return kOk;
    print_diagnostics(problems, how);
    return kFailed;
}

// ----- commands

struct RenderRequest {
    std::string tpl, data, out, format;
    std::vector<std::string>
        template_dirs;  // --templates  // format: docx, odt, pdf or "" (from the output's extension)
    bool lenient = false, no_validate = false, pdf_a = false;
    int timeout = 120;
    vanban::Limits limits;
    int compression_level = vanban::kDefaultCompressionLevel;
};

// ".DOCX" → ".docx".
std::string lower_extension(const std::string& path) {
    return vanban::core::ascii_lower(fs::path(path).extension().string());
}

// The format from --format or the output's extension, which must be one vanban writes: a document saved as x.doc or
// x.pdfx would open as garbage, so that is refused before anything is written.
std::string output_format(const RenderRequest& r) {
    if (r.out == "-") return r.format.empty() ? "docx" : r.format;
    const std::string ext = lower_extension(r.out);
    if (ext != ".docx" && ext != ".odt" && ext != ".pdf")
        usage_error("the output '" + r.out + "' must end in .docx, .odt or .pdf (or be - with --format)",
                    "tệp kết quả \"" + r.out + "\" phải có đuôi .docx, .odt hoặc .pdf (hoặc ghi - cùng --format)",
                    "usage.output_extension");
    if (!r.format.empty() && r.format != ext.substr(1))
        usage_error("--format " + r.format + " does not match the output '" + r.out + "'",
                    "--format " + r.format + " không khớp với đuôi của tệp kết quả \"" + r.out + "\"",
                    "usage.output_extension");
    return ext.substr(1);
}

bool looks_like_data_file(const std::string& path) { return lower_extension(path) == ".json"; }

// `vanban render plan.json ke-hoach`: the template and the data the wrong way round.
void refuse_swapped_arguments(const RenderRequest& r) {
    std::error_code ec;
    if (!looks_like_data_file(r.tpl) || looks_like_data_file(r.data) || fs::exists(r.data, ec)) return;
    if (!vanban::find_bundled_template(r.data) && !fs::exists(r.tpl, ec)) return;
    usage_error("the template comes first, then the data: vanban render " + r.data + " " + r.tpl + " -o " + r.out,
                "hai tham số đang bị đảo: tên mẫu đứng trước, tệp dữ liệu đứng sau — vanban render " + r.data + " " +
                    r.tpl + " -o " + r.out,
                "usage.swapped_arguments");
}

// "13 KB" (at least 1 KB), and for a PDF the number of pages (its /Type /Page objects); DOCX and ODT do not know
// their page count until a word processor lays them out, so none is claimed for them.
std::string size_and_pages(const std::string& bytes, const std::string& format, vanban::Language language) {
    std::string out;
    if (format == "pdf") {
        std::size_t pages = 0;
        for (std::size_t at = bytes.find("/Type"); at != std::string::npos; at = bytes.find("/Type", at + 5)) {
            std::size_t i = at + 5;
            while (i < bytes.size() && bytes[i] == ' ') ++i;
            if (bytes.compare(i, 5, "/Page") == 0 && (i + 5 >= bytes.size() || bytes[i + 5] != 's')) ++pages;
        }
        if (pages > 0) out += std::to_string(pages) + (language == vanban::Language::vi ? " trang, " : " pages, ");
    }
    return out + std::to_string(std::max<std::size_t>(1, (bytes.size() + 512) / 1024)) + " KB";
}

int cmd_render(const RenderRequest& req, const Output& how) {
    const std::string format = output_format(req);
    refuse_swapped_arguments(req);
    // PDF comes from a bundled template's ODT variant when it has one (BundledTemplate::pdf_variant), or from whatever
    // a user's own template is, through LibreOffice.
    ResolvedTemplate rt = resolve_template(req.tpl, format, req.template_dirs);
    vanban::Data data = load_data(req.data, req.limits.data);
    if (rt.schema && !req.no_validate) {
        if (int rc = validate_against(*rt.schema, rt.schema_name, data, how); rc != kOk) return rc;
    }
    vanban::CompileOptions compile;
    compile.limits = req.limits;
    compile.compression_level = req.compression_level;
    auto tpl = vanban::Template::from_file(rt.path, compile);
    const std::string tpl_format = tpl.format() == vanban::Format::odt ? "odt" : "docx";
    if (format != "pdf" && format != tpl_format)
        usage_error("'" + req.tpl + "' is a " + tpl_format + " template: it renders " + tpl_format + " or pdf, not " +
                    format);
    vanban::RenderOptions options;
    options.lenient = req.lenient;
    options.image_directory =
        vanban::cli::image_directory_for(req.data);  // a picture given by path is the user's own file
    // Rendering Data (not a bare JSON value) makes data problems point into the data file: JSON pointer → line:column.
    std::string bytes = tpl.render(data, options);
    if (format == "pdf") {
        vanban::PdfOptions pdf;
        pdf.pdf_a = req.pdf_a;
        pdf.timeout_seconds = req.timeout;
        bytes = vanban::convert_to_pdf(bytes, tpl_format, pdf);
    }
    const std::string& out_path = req.out;
    vanban::write_file_atomic(out_path, bytes);
    if (out_path != "-" && !how.quiet) {
        if (how.language == vanban::Language::vi)
            std::cerr << "đã tạo " << out_path << " — " << size_and_pages(bytes, format, how.language) << "\n";
        else std::cerr << "wrote " << out_path << " (" << size_and_pages(bytes, format, how.language) << ")\n";
    }
    return kOk;
}

int cmd_inspect(const std::string& tpl_arg, bool as_json, const std::vector<std::string>& template_dirs) {
    ResolvedTemplate rt = resolve_template(tpl_arg, "docx", template_dirs);
    auto tpl = vanban::Template::from_file(rt.path);
    vanban::Inspection info = tpl.inspect();
    // A bundled form whose wording is not yet checked against the official appendix says so wherever it is shown.
    const bool unverified = rt.bundled && rt.bundled->manifest.value("unverified_layout", false);
    if (as_json) {
        nlohmann::json j = {{"skeleton", info.skeleton}, {"loops", info.loops}, {"conditions", info.conditions}};
        if (rt.bundled) j["unverified_layout"] = unverified;
        std::cout << j.dump(2) << "\n";
        return kOk;
    }
    if (unverified)
        std::cerr << "note: the layout and fixed wording of '" << rt.bundled->name
                  << "' are not verified against the official form; check them before use\n";
    std::cout << info.skeleton.dump(2) << "\n";
    if (!info.loops.empty()) {
        std::cerr << "loops:\n";
        for (auto& l : info.loops) std::cerr << "  for " << l << "\n";
    }
    if (!info.conditions.empty()) {
        std::cerr << "conditions:\n";
        for (auto& c : info.conditions) std::cerr << "  if " << c << "\n";
    }
    return kOk;
}

int cmd_validate(const std::vector<std::string>& args, const std::string& template_opt, const Output& how,
                 const std::vector<std::string>& template_dirs) {
    std::string tpl_name = template_opt, data_path;
    if (args.size() == 2) {
        tpl_name = args[0];
        data_path = args[1];
    } else if (args.size() == 1) {
        data_path = args[0];
    } else {
        usage_error("give DATA.json, or TEMPLATE DATA.json");
    }
    vanban::Data data = load_data(data_path);
    const nlohmann::json& value = data.value();
    if (tpl_name.empty() && value.is_object() && value.contains("template") && value["template"].is_string())
        tpl_name = value["template"].get<std::string>();
    if (tpl_name.empty())
        usage_error("which template is this data for? name it: vanban validate ke-hoach " + data_path);
    ResolvedTemplate rt = resolve_template(tpl_name, "docx", template_dirs);
    if (!rt.schema) usage_error("template '" + tpl_name + "' has no JSON Schema");
    int rc = validate_against(*rt.schema, rt.schema_name, data, how);
    if (rc == kOk) std::cerr << "vanban: " << data_path << " is valid for " << tpl_name << "\n";
    return rc;
}

int cmd_templates(const std::vector<std::string>& template_dirs) {
    auto all = vanban::bundled_templates(template_dirs);
    if (all.empty()) {
        std::cerr << "vanban: no bundled templates found\n";
        return kFailed;
    }
    // One line per template: name, formats, then the description; a form whose wording is not verified against the
    // official text ("unverified_layout" in its template.json) is marked before its description.
    std::size_t width = 0;
    for (auto& b : all) width = std::max(width, b.name.size());
    for (auto& b : all) {
        std::string formats;
        for (const char* f : {"docx", "odt"})
            if (b.manifest.contains(f)) formats += (formats.empty() ? "" : ",") + std::string(f);
        std::cout << b.name << std::string(width + 2 - b.name.size(), ' ') << formats
                  << std::string(formats.size() < 10 ? 10 - formats.size() : 1, ' ')
                  << (b.manifest.value("unverified_layout", false) ? "[unverified layout] " : "") << b.description
                  << "\n";
        if (b.source != "bundled")
            std::cout << std::string(width + 12, ' ') << "(" << b.source
                      << (b.extends.empty() ? "" : ", extends " + b.extends) << ")\n";
    }
    return kOk;
}

int cmd_new(const std::string& name, const std::vector<std::string>& template_dirs) {
    auto b = vanban::find_bundled_template(name, template_dirs);
    if (!b) usage_error("no bundled template named '" + name + "' ('vanban templates' lists them)");
    std::cout << b->example();
    return kOk;
}

int cmd_check_template(const std::string& what, const std::vector<std::string>& template_dirs, const Output& how) {
    const vanban::TemplateCheck c = vanban::check_template(what, template_dirs);
    // Each record with its stable code and Vietnamese text (whatever diagnostics_to_json already writes).
    const auto records = [](const std::vector<vanban::Diagnostic>& list) {
        nlohmann::json out = vanban::diagnostics_to_json(list);
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (!list[i].code.empty()) out[i]["code"] = list[i].code;
            if (!list[i].message_vi.empty()) out[i]["message_vi"] = list[i].message_vi;
        }
        return out;
    };
    if (how.json) {
        nlohmann::json j = {{"checked", c.checked}, {"errors", records(c.errors)}, {"warnings", records(c.warnings)}};
        std::cout << j.dump(2) << "\n";
    } else {
        for (const auto& d : c.errors) std::cerr << "vanban: error: " << d.to_string() << "\n";
        for (const auto& d : c.warnings) std::cerr << "vanban: warning: " << d.to_string() << "\n";
        std::cerr << "vanban: checked " << c.checked.size() << " variant(s) of " << what << ": " << c.errors.size()
                  << " error(s), " << c.warnings.size() << " warning(s)\n";
    }
    return c.ok() ? kOk : kFailed;
}

int cmd_pack(const std::string& dir, const std::string& out, const std::vector<std::string>& template_dirs) {
    // A template's name packs its variant of the output's kind: the starting point of an agency's own copy.
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        if (auto t = vanban::find_bundled_template(dir, template_dirs)) {
            const std::string variant = t->variant_path(fs::path(out).extension() == ".odt" ? "odt" : "docx");
            if (!fs::is_directory(variant, ec)) {
                vanban::write_file_atomic(out, vanban::read_file(variant));
                return kOk;
            }
            vanban::write_file_atomic(out, vanban::pack_directory(variant));
            return kOk;
        }
    vanban::write_file_atomic(out, vanban::pack_directory(dir));
    return kOk;
}

CLI::App* add_render_command(CLI::App& app, RenderRequest& req) {
    auto* render = app.add_subcommand("render", "render a template with JSON data into a document");
    render
        ->add_option("template", req.tpl,
                     "a .docx/.odt file, a template directory, or a bundled template name (ke-hoach)")
        ->required();
    render->add_option("data", req.data, "the JSON data file, or - for standard input")->required();
    render->add_option("-o,--output", req.out, "the document to write (.docx, .odt or .pdf), or - for standard output")
        ->required();
    render->add_option("--format", req.format, "docx, odt or pdf (default: from the output's extension)")
        ->check(CLI::IsMember({"docx", "odt", "pdf"}));
    render->add_flag("--pdf-a", req.pdf_a, "PDF/A-2b for archiving (with .pdf output)");
    render->add_option("--pdf-timeout", req.timeout, "seconds LibreOffice may take for a PDF (default 120)");
    render->add_flag("--lenient", req.lenient, "render missing values as empty instead of failing");
    render->add_flag("--no-validate", req.no_validate, "skip the JSON Schema check of bundled templates");
    vanban::cli::add_compression_option(*render, req.compression_level);
    vanban::cli::add_limit_options(*render, req.limits);
    render->footer(
        "Examples:\n  vanban render ke-hoach examples/ke-hoach/000.json -o ke-hoach-000.docx\n"
        "  vanban render ke-hoach plan.json -o plan.odt\n"
        "  vanban render ke-hoach plan.json -o plan.pdf --pdf-a   (needs LibreOffice)");
    return render;
}

CLI::App* add_pack_command(CLI::App& app, std::string& dir, std::string& out) {
    auto* pack = app.add_subcommand("pack", "zip a template directory into a .docx or .odt");
    pack->add_option("directory", dir, "the unzipped template, or a template's name (its .docx or .odt variant)")
        ->required();
    pack->add_option("-o,--output", out, "the package to write")->required();
    pack->footer(
        "Examples:\n  vanban pack templates/ke-hoach/docx -o ke-hoach.docx\n"
        "  vanban pack ke-hoach -o ke-hoach-so-y-te.docx   (a copy of the bundled template to edit in Word)");
    return pack;
}

// A mistyped command ("rendr") gets the closest one suggested, in the chosen language.
bool is_unknown_command(CLI::App& app, int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool takes_value = arg == "--errors" || arg == "--lang" || arg == "--templates";
        if (takes_value) ++i;
        if (arg.empty() || arg[0] == '-') continue;
        std::vector<std::string> commands;
        for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
            commands.push_back(sub->get_name());
        if (std::find(commands.begin(), commands.end(), arg) != commands.end()) break;
        const bool english =
            std::any_of(argv + 1, argv + argc, [](const char* a) { return std::string(a) == "--lang=en"; }) ||
            std::adjacent_find(argv + 1, argv + argc, [](const char* a, const char* b) {
                return std::string(a) == "--lang" && std::string(b) == "en";
            }) != argv + argc;
        const auto close = vanban::closest_name(arg, commands);
        if (english)
            std::cerr << "vanban: unknown command '" << arg << "'" << (close ? "; did you mean '" + *close + "'?" : "")
                      << " (vanban --help lists them)\n";
        else
            std::cerr << "vanban: lỗi: không có lệnh \"" << arg << "\""
                      << (close ? " — có phải ý bạn là \"" + *close + "\"?" : "")
                      << " (vanban --help liệt kê các lệnh)\n";
        return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"vanban — văn bản hành chính từ dữ liệu JSON (Vietnamese administrative documents from JSON data)"};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "help for every command");
    app.fallthrough();  // global options (--errors, --lang, --quiet) may also follow the subcommand
    Output how;
    std::string error_format = "text", language = "vi";
    app.add_option("--errors", error_format, "how to print problems: text or json")
        ->check(CLI::IsMember({"text", "json"}));
    std::vector<std::string> template_dirs;
    app.add_option(
        "--templates", template_dirs,
        "a folder of your own templates, searched before the bundled ones (repeatable; also VANBAN_TEMPLATES)");
    app.add_option("--lang", language, "language of messages: vi (default) or en")->check(CLI::IsMember({"vi", "en"}));
    app.add_flag("-q,--quiet", how.quiet, "print nothing when all went well");

    std::string tpl, template_opt;
    bool as_json = false;
    std::vector<std::string> validate_args;

    RenderRequest req;
    auto* render = add_render_command(app, req);

    auto* inspect = app.add_subcommand("inspect", "show the data a template expects, as a JSON skeleton");
    inspect->add_option("template", tpl, "a .docx file, a template directory or a bundled template name")->required();
    inspect->add_flag("--json", as_json, "print skeleton, loops and conditions as one JSON object");
    inspect->footer("Example:\n  vanban inspect my-template.docx > data.json");

    auto* validate = app.add_subcommand("validate", "check data against a template's JSON Schema");
    validate->add_option("args", validate_args, "[TEMPLATE] DATA.json")->required()->expected(1, 2);
    validate->add_option("-t,--template", template_opt, "bundled template whose schema to use");
    validate->footer("Example:\n  vanban validate ke-hoach plan.json");

    auto* templates =
        app.add_subcommand("templates", "list the templates: bundled, and your own (--templates, VANBAN_TEMPLATES)");
    templates->footer(
        "One line each: name, formats (docx, odt), description. [unverified layout] marks a form whose wording follows\n"
        "its known structure but is not verified against the official appendix (edit the template's text to fix it).\n"
        "Your own templates (docs/templates.md) show their folder on the next line.\n"
        "Example:\n  vanban templates");
    std::string new_name;
    auto* make_new = app.add_subcommand("new", "print a filled-in example for a bundled template");
    make_new->add_option("template", new_name, "bundled template name")->required();
    make_new->footer("Example:\n  vanban new ke-hoach > plan.json");

    std::string pack_dir, pack_out;
    std::string check_what;
    auto* check = app.add_subcommand("check-template",
                                     "check a template before use: tags, schema fields, styles, fonts, "
                                     "and what Word or LibreOffice would break");
    check->add_option("template", check_what, "a template name, a template folder, or a .docx/.odt file or directory")
        ->required();
    check->footer(
        "Errors (exit status 1): tags that do not parse, tags inside XML attributes, styles not defined.\n"
        "Warnings: fields the schema does not define, required fields no tag reads, fonts not installed.\n"
        "Example:\n  vanban check-template --templates ~/mau-co-quan ke-hoach-so-y-te");
    vanban::cli::BatchArgs batch_args;
    auto* batch = vanban::cli::add_batch_command(app, batch_args);
    vanban::cli::SheetArgs sheet_args;
    auto* sheet = vanban::cli::add_sheet_command(app, sheet_args);

    vanban::server::Options serve_options;
    auto* serve = vanban::cli::add_serve_command(app, serve_options);

    vanban::cli::ImportArgs import_args;
    auto* import = vanban::cli::add_import_command(app, import_args);

    auto* pack = add_pack_command(app, pack_dir, pack_out);

    if (is_unknown_command(app, argc, argv)) return kUsage;
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? kOk : kUsage;
    }
    how.json = error_format == "json";
    how.language = language == "en" ? vanban::Language::en : vanban::Language::vi;
    try {
        req.template_dirs = batch_args.template_dirs = serve_options.template_dirs = template_dirs;
        if (*render) return cmd_render(req, how);
        if (*inspect) return cmd_inspect(tpl, as_json, template_dirs);
        if (*validate) return cmd_validate(validate_args, template_opt, how, template_dirs);
        if (*templates) return cmd_templates(template_dirs);
        if (*make_new) return cmd_new(new_name, template_dirs);
        if (*pack) return cmd_pack(pack_dir, pack_out, template_dirs);
        if (*check) return cmd_check_template(check_what, template_dirs, how);
        if (*batch) {
            batch_args.quiet = batch_args.quiet || how.quiet;
            return vanban::cli::run_batch(batch_args, how.json);
        }
        if (*sheet) return vanban::cli::run_sheet(sheet_args);
        if (*serve) return vanban::cli::run_serve(serve_options);
        if (*import) return vanban::cli::run_import(import_args);
    } catch (const vanban::Error& e) {
        print_diagnostics(e.diagnostics(), how);
        bool usage = !e.diagnostics().empty() && e.diagnostics().front().kind == vanban::DiagnosticKind::usage;
        return usage ? kUsage : kFailed;
    } catch (const std::exception& e) {
        std::cerr << "vanban: error: " << e.what() << "\n";
        return kFailed;
    }
    return kUsage;
}
