// `vanban batch`: options, Ctrl-C handling, progress display and messages around
// vanban::batch::run. Uses only the public API (the batch runner's header uses only public types).
#include "batch.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <vanban/catalog.hpp>
#include <vanban/vanban.hpp>

#include "../batch/batch.hpp"
#include "../batch/sheet.hpp"
#include "limits.hpp"

namespace vanban::cli {

namespace {

constexpr int kOk = 0, kFailed = 1, kUsage = 2, kInterrupted = 130;

// The one piece of global mutable state: set by the SIGINT/SIGTERM handler, read by the batch between documents.
volatile std::sig_atomic_t g_stop_requested = 0;

extern "C" void on_stop_signal(int) { g_stop_requested = 1; }

// Installs the handler for the duration of a batch and restores the previous one.
class StopSignals {
public:
    StopSignals() {
        g_stop_requested = 0;
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    ~StopSignals() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

[[noreturn]] void usage_error(const std::string& message) {
    Diagnostic d;
    d.kind = DiagnosticKind::usage;
    d.message = message;
    throw Error(std::move(d));
}

// ----- progress

std::string duration_text(double seconds) {
    if (!(seconds >= 0) || seconds > 360000) return "?";
    const long s = static_cast<long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

class ProgressDisplay {
public:
    ProgressDisplay(bool enabled, bool tty) : enabled_(enabled), tty_(tty) {}

    void update(const batch::Progress& p, bool force = false) {
        if (!enabled_) return;
        const auto now = std::chrono::steady_clock::now();
        const auto interval = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000);
        if (!force && now - last_ < interval) return;
        last_ = now;
        const double rate = p.elapsed_seconds > 0 ? static_cast<double>(p.done) / p.elapsed_seconds : 0;
        const double eta = rate > 0 && p.total >= p.done ? static_cast<double>(p.total - p.done) / rate : -1;
        std::ostringstream line;
        if (tty_) {
            const int width = 28;
            const int filled =
                p.total ? static_cast<int>(width * static_cast<double>(p.done) / static_cast<double>(p.total)) : 0;
            line << "\r\033[K[" << std::string(static_cast<std::size_t>(std::clamp(filled, 0, width)), '#')
                 << std::string(static_cast<std::size_t>(width - std::clamp(filled, 0, width)), '.') << "] ";
        } else {
            line << "vanban: ";
        }
        line << p.done << "/" << (p.total ? std::to_string(p.total) : std::string("?"));
        char rate_text[32];
        std::snprintf(rate_text, sizeof rate_text, "%.1f", rate);
        line << "  " << rate_text << " docs/s  ETA " << duration_text(eta);
        if (p.failed) line << "  " << p.failed << " failed";
        if (p.skipped) line << "  " << p.skipped << " up to date";
        std::cerr << line.str() << (tty_ ? "" : "\n") << std::flush;
        drawn_ = tty_;
    }
    // Clears the bar before other output.
    void clear() {
        if (drawn_) std::cerr << "\r\033[K";
        drawn_ = false;
    }

private:
    bool enabled_, tty_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_{};
};

std::string record_place(const batch::RecordResult& r, const std::string& records) {
    std::string s = records;
    if (r.line) s += ":" + std::to_string(r.line);
    else if (r.row) s += " row " + std::to_string(r.row);
    return s + ": record[" + std::to_string(r.index) + "]";
}

void print_failure(const batch::RecordResult& r, const std::string& records) {
    std::cerr << "vanban: " << record_place(r, records) << " failed\n";
    for (const auto& e : r.errors) {
        std::string text = e.diagnostic.to_string();
        if (!e.cell.empty() && text.find(e.cell) == std::string::npos) text += " [" + e.cell + "]";
        if (!e.field.empty() && text.find("'" + e.field + "'") == std::string::npos)
            text += " [column '" + e.field + "']";
        std::cerr << "  " << to_string(e.diagnostic.kind) << " error: " << text << "\n";
    }
}

}  // namespace

CLI::App* add_batch_command(CLI::App& app, BatchArgs& a) {
    auto* cmd = app.add_subcommand("batch", "render one document per record of a JSON, JSON Lines, CSV or XLSX file");
    cmd->add_option("template", a.template_arg, "a .docx/.odt file, a template directory, or a bundled template name")
        ->required();
    cmd->add_option("records", a.records, "records: a JSON array, JSON Lines (.jsonl), CSV or XLSX")->required();
    auto* out = cmd->add_option("-o,--output", a.output_dir, "the directory to write one document per record into");
    auto* zip = cmd->add_option("--zip", a.zip, "put every document into this archive instead of a directory");
    out->excludes(zip);
    cmd->add_option("--name", a.name,
                    "output name (without extension) as a template text; default '{{ loop.index }}', "
                    "e.g. '{{ loop.index }}-{{ person.full_name | slug }}'");
    cmd->add_option("--sheet", a.sheet, "XLSX: the sheet to read (default: the first)");
    cmd->add_option("--header-row", a.header_row,
                    "CSV/XLSX: the row holding the column names (default: the first row naming the template's fields)")
        ->check(CLI::Range(1, 1 << 20));
    cmd->add_option("--defaults", a.defaults,
                    "a JSON object of values common to every record (unit, place, signer), merged under each record");
    cmd->add_option(
        "--set", a.set_values,
        "path=value: a value common to every record, e.g. --set place='Ninh Bình' --set report_date=15/06/2024 "
        "(repeatable; the path may be a column title; the record's own value wins)");
    cmd->add_option("--format", a.format, "output format: docx, odt (ODT templates) or pdf (through LibreOffice)")
        ->check(CLI::IsMember({"docx", "odt", "pdf"}));
    cmd->add_option("--records-format", a.records_format, "how to read RECORDS when the extension does not say")
        ->check(CLI::IsMember({"json", "jsonl", "csv", "xlsx"}));
    cmd->add_option("--schema", a.schema, "a JSON Schema file to validate records and type CSV/XLSX cells with");
    cmd->add_option("-j,--jobs", a.jobs, "worker threads (default: the cores; 4x the cores with --sync each)")
        ->check(CLI::Range(1u, 1024u));
    cmd->add_option("--sync", a.sync,
                    "when documents reach the disk: end (one flush of the output when the batch ends, the default), "
                    "each (fsync every document before it counts as written; slower) or none (leave it to the system)")
        ->check(CLI::IsMember({"end", "each", "none"}));
    cmd->add_option("--converters", a.converters, "PDF: LibreOffice processes at once (default 2)")
        ->check(CLI::Range(1u, 64u));
    cmd->add_option("--report", a.report, "write every record's status, output and errors to this JSON file");
    cmd->add_flag("--force", a.force, "re-render outputs that are newer than the template and the records");
    cmd->add_flag("-q,--quiet", a.quiet, "no progress display and no summary line (failures are still printed)");
    cmd->add_flag("--lenient", a.lenient, "render missing values as empty instead of failing the record");
    cmd->add_flag("--no-validate", a.no_validate, "skip JSON Schema validation (cells are still typed by it)");
    add_compression_option(*cmd, a.compression_level);
    add_limit_options(*cmd, a.limits);
    cmd->footer(
        "Exit status: 0 every record written or up to date, 1 some record failed, 2 usage error, 130 interrupted.\n"
        "Examples:\n"
        "  vanban batch form.docx people.xlsx -o out --name '{{ loop.index }}-{{ person.full_name | slug }}'\n"
        "  vanban batch ke-hoach plans.jsonl --zip plans.zip --report report.json");
    return cmd;
}

int run_batch(const BatchArgs& a, bool json_errors) {
    const bool tty = isatty(STDERR_FILENO) != 0;
    ProgressDisplay progress(!a.quiet, tty);
    try {
        if (a.output_dir.empty() == a.zip.empty())
            usage_error("give an output directory (-o DIR) or an archive (--zip OUT.zip)");
        ResolvedTemplate t = resolve_template(a.template_arg, a.format, a.template_dirs);
        batch::Options o;
        o.template_path = t.path;
        if (!a.schema.empty()) {
            t.schema = nlohmann::json::parse(read_file(a.schema));
            t.schema_name = a.schema;
        }
        if (t.schema) {
            o.schema = std::move(t.schema);
            o.schema_name = t.schema_name;
            o.extra_inputs.push_back(t.schema_name);
        }
        o.validate = !a.no_validate;
        o.records_path = a.records;
        o.records_format = a.records_format;
        o.sheet = a.sheet;
        o.header_row = a.header_row;
        if (!a.defaults.empty()) {
            o.defaults = Data::from_file(a.defaults).value();  // JSON errors located by line:column
            if (!o.defaults.is_object())
                usage_error("--defaults " + a.defaults + ": the file must hold a JSON object {…}");
        }
        o.set_values = a.set_values;
        o.output_dir = a.output_dir;
        o.zip_path = a.zip;
        o.name_expression = a.name;
        o.output = a.format == "pdf"   ? batch::OutputKind::pdf
                   : a.format == "odt" ? batch::OutputKind::odt
                                       : batch::OutputKind::docx;
        o.jobs = a.jobs;
        o.sync = a.sync == "each"   ? batch::SyncMode::each
                 : a.sync == "none" ? batch::SyncMode::none
                                    : batch::SyncMode::end;
        o.converters = a.converters;
        o.lenient = a.lenient;
        o.image_directory = image_directory_for(a.records);  // pictures named by path in the records
        o.limits = a.limits;
        o.compression_level = a.compression_level;
        o.force = a.force;
        o.report_path = a.report;
        if (t.bundled && t.bundled->manifest.value("unverified_layout", false))
            o.report_header["unverified_layout"] = true;

        StopSignals signals;
        bool told = false;
        o.should_stop = [&] {
            if (!g_stop_requested) return false;
            if (!told) {
                progress.clear();
                std::cerr << "vanban: interrupted; finishing the documents in progress\n";
                told = true;
            }
            return true;
        };
        o.on_record = [&](const batch::RecordResult& r) {
            if (r.status != batch::Status::failed) return;
            progress.clear();
            print_failure(r, a.records);
        };
        o.on_progress = [&](const batch::Progress& p) { progress.update(p); };

        const batch::Summary s = batch::run(o);
        progress.clear();
        for (const auto& row : s.skipped_rows) std::cerr << "vanban: " << row.why.to_string() << "\n";
        if (s.skipped_rows_total > s.skipped_rows.size())
            std::cerr << "vanban: " << s.skipped_rows_total - s.skipped_rows.size()
                      << " more rows skipped (see the report)\n";
        if (!a.quiet) {
            const double rate = s.seconds > 0 ? static_cast<double>(s.ok) / s.seconds : 0;
            char rate_text[32];
            std::snprintf(rate_text, sizeof rate_text, "%.1f", rate);
            std::cerr << "vanban: " << s.ok << " written, " << s.failed << " failed, " << s.skipped << " up to date";
            if (s.cancelled) std::cerr << ", " << s.cancelled << " cancelled";
            std::cerr << " in " << duration_text(s.seconds) << " (" << rate_text << " docs/s) → " << s.output;
            if (!a.report.empty()) std::cerr << "; report: " << a.report;
            std::cerr << "\n";
        }
        if (s.interrupted) return kInterrupted;
        return s.failed ? kFailed : kOk;
    } catch (const Error& e) {
        progress.clear();
        if (json_errors) {
            std::cerr << diagnostics_to_json(e.diagnostics()).dump(2) << "\n";
        } else {
            for (const auto& d : e.diagnostics())
                std::cerr << "vanban: " << to_string(d.kind) << " error: " << d.to_string() << "\n";
        }
        const bool usage = !e.diagnostics().empty() && e.diagnostics().front().kind == DiagnosticKind::usage;
        return usage ? kUsage : kFailed;
    } catch (const std::exception& e) {
        progress.clear();
        std::cerr << "vanban: error: " << e.what() << "\n";
        return kFailed;
    }
}

CLI::App* add_sheet_command(CLI::App& app, SheetArgs& a) {
    auto* cmd =
        app.add_subcommand("sheet", "write the Excel workbook to fill for `vanban batch` (headers, help, drop-downs)");
    cmd->add_option("template", a.template_arg, "a bundled template name (or a template file with --schema)")
        ->required();
    cmd->add_option("-o,--output", a.output, "the .xlsx to write")->required();
    cmd->add_option("--schema", a.schema, "a JSON Schema file, for a template that does not bring one");
    cmd->footer(
        "Example:\n  vanban sheet bao-cao-thanh-tich-ca-nhan -o mau.xlsx\n"
        "  (fill it, then: vanban batch bao-cao-thanh-tich-ca-nhan mau.xlsx -o out --report report.json)");
    return cmd;
}

int run_sheet(const SheetArgs& a) {
    write_file_atomic(a.output, batch::make_template_sheet(a.template_arg, a.schema));
    std::cerr << "vanban: wrote " << a.output << "\n";
    return kOk;
}

}  // namespace vanban::cli
