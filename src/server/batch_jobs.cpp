#include "server/batch_jobs.hpp"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <thread>
#include <vector>

#include <vanban/data.hpp>

#include "../batch/batch.hpp"
#include "server/http_util.hpp"

namespace vanban::server {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxListedFailures = 500;  // in the status; the report has every record
constexpr std::size_t kMaxListedIssues = 20;     // per failed record, in the status
constexpr std::size_t kMaxWaiting = 8;           // jobs queued behind the running ones

std::string make_workspace() {
    std::string tmpl = (fs::temp_directory_path() / "vanban-serve-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
        throw HttpError(500, DiagnosticKind::io, "cannot create the server's temporary directory");
    return tmpl;
}

nlohmann::json failure_json(const batch::RecordResult& r) {
    nlohmann::json j = {{"index", r.index}};
    if (r.line) j["line"] = r.line;
    if (r.row) j["row"] = r.row;
    std::vector<Diagnostic> diagnostics;
    for (const auto& issue : r.errors) diagnostics.push_back(issue.diagnostic);
    nlohmann::json errors = diagnostics_json(diagnostics, kMaxListedIssues);
    for (std::size_t i = 0; i < std::min({errors.size(), r.errors.size(), kMaxListedIssues}); ++i) {
        if (!r.errors[i].field.empty()) errors[i]["field"] = r.errors[i].field;
        if (!r.errors[i].cell.empty()) errors[i]["cell"] = r.errors[i].cell;
    }
    j["errors"] = std::move(errors);
    return j;
}

// The runner's options for one uploaded list (the converters are the server's, set by the caller).
batch::Options batch_options(const BatchRequest& request, const std::string& dir, const std::string& records_path) {
    batch::Options o;
    o.template_path = request.bundled->variant_path(request.format);
    if (auto schema = request.bundled->schema()) {
        o.schema = std::move(schema);
        o.schema_name = request.bundled->schema_path;
    }
    o.records_path = records_path;
    o.zip_path = (fs::path(dir) / "documents.zip").string();
    o.report_path = (fs::path(dir) / "report.json").string();
    o.name_expression = request.name_expression;
    o.defaults = request.defaults;
    o.output = request.format == "pdf"   ? batch::OutputKind::pdf
               : request.format == "odt" ? batch::OutputKind::odt
                                         : batch::OutputKind::docx;
    return o;
}

// What a batch came to: its state, what stopped it, the rows the reader skipped (as the page shows them).
struct Outcome {
    std::string state;
    std::vector<Diagnostic> errors;
    nlohmann::json skipped = nlohmann::json::array();
};

Outcome run_batch(const batch::Options& o) {
    Outcome out;
    try {
        const batch::Summary s = batch::run(o);
        out.state = s.interrupted ? "cancelled" : "done";
        for (const auto& row : s.skipped_rows) {
            nlohmann::json r = diagnostics_json({row.why}).at(0);
            r["code"] = row.why.code;
            r["message_vi"] = row.why.message_vi;
            r["text"] = row.text;
            if (row.row) r["row"] = row.row;
            out.skipped.push_back(std::move(r));
        }
    } catch (const Error& e) {
        out.state = "failed";
        out.errors = e.diagnostics();
    } catch (const std::exception& e) {
        out.state = "failed";
        Diagnostic d;
        d.kind = DiagnosticKind::io;
        d.message = e.what();
        out.errors.push_back(std::move(d));
    }
    return out;
}

}  // namespace

// How many jobs may render at once; shared with the job threads so it outlives the BatchJobs being destroyed.
struct BatchJobs::Gate {
    std::mutex m;
    std::condition_variable cv;
    unsigned free = 1;
};

struct BatchJobs::Job {
    std::string id, dir, template_name, format;
    std::size_t order = 0;
    std::atomic<bool> cancelled{false};

    mutable std::mutex m;
    std::string state = "queued";
    batch::Progress progress;
    nlohmann::json failures = nlohmann::json::array();
    std::size_t failures_not_listed = 0;
    std::vector<Diagnostic> errors;
    nlohmann::json skipped_rows = nlohmann::json::array();  // rows of the list that are not records
    bool finished = false;
    std::string zip, report;

    std::jthread thread;  // last member: joined before the rest is destroyed

    ~Job() {
        cancelled = true;
        if (thread.joinable()) thread.join();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

BatchJobs::BatchJobs(unsigned max_running, unsigned max_kept, unsigned converters, PdfOptions pdf)
    : workspace_(make_workspace()),
      max_kept_(std::max(1u, max_kept)),
      converters_(converters),
      pdf_(std::move(pdf)),
      gate_(std::make_shared<Gate>()) {
    gate_->free = std::max(1u, max_running);
}

BatchJobs::~BatchJobs() {
    cancel_all();
    {
        std::lock_guard lock(m_);
        jobs_.clear();  // joins every job thread
    }
    std::error_code ec;
    fs::remove_all(workspace_, ec);
}

std::string BatchJobs::start(BatchRequest request) {
    static const char* const kExtensions[] = {".csv", ".tsv", ".txt", ".xlsx", ".json", ".jsonl", ".ndjson"};
    if (std::none_of(std::begin(kExtensions), std::end(kExtensions),
                     [&](const char* e) { return request.records_extension == e; }))
        throw HttpError(400, DiagnosticKind::usage, "the nominee list must be a .csv, .xlsx, .json or .jsonl file");
    if (request.records.empty()) throw HttpError(400, DiagnosticKind::usage, "the nominee list is empty");

    auto job = std::make_shared<Job>();
    job->id = random_id();
    job->template_name = request.bundled->name;
    job->format = request.format;
    job->dir = (fs::path(workspace_) / job->id).string();
    std::error_code ec;
    fs::create_directory(job->dir, ec);
    if (ec) throw HttpError(500, DiagnosticKind::io, "cannot create a directory for the batch: " + ec.message());
    const std::string records_path = (fs::path(job->dir) / ("records" + request.records_extension)).string();
    write_file_atomic(records_path, request.records);

    batch::Options o = batch_options(request, job->dir, records_path);
    o.converters = converters_;
    o.pdf = pdf_;

    {
        std::lock_guard lock(m_);
        const auto waiting = std::count_if(jobs_.begin(), jobs_.end(), [](const auto& kv) {
            std::lock_guard job_lock(kv.second->m);
            return kv.second->state == "queued";
        });
        if (static_cast<std::size_t>(waiting) >= kMaxWaiting)
            throw HttpError(429, DiagnosticKind::limit,
                            "too many batches are waiting; try again when one has finished");
        job->order = ++started_;
        jobs_[job->id] = job;
        prune();
    }

    Job* j = job.get();  // the thread never outlives its Job (~Job joins it)
    job->thread = std::jthread([j, o = std::move(o), gate = gate_]() mutable {
        {
            std::unique_lock lock(gate->m);
            while (gate->free == 0 && !j->cancelled) gate->cv.wait_for(lock, std::chrono::milliseconds(100));
            if (j->cancelled) {
                std::lock_guard job_lock(j->m);
                j->state = "cancelled";
                j->finished = true;
                return;
            }
            --gate->free;
        }
        {
            std::lock_guard job_lock(j->m);
            j->state = "running";
        }
        o.should_stop = [j] { return j->cancelled.load(); };
        o.on_progress = [j](const batch::Progress& p) {
            std::lock_guard job_lock(j->m);
            j->progress = p;
        };
        o.on_record = [j](const batch::RecordResult& r) {
            if (r.status != batch::Status::failed) return;
            std::lock_guard job_lock(j->m);
            if (j->failures.size() < kMaxListedFailures) j->failures.push_back(failure_json(r));
            else ++j->failures_not_listed;
        };
        Outcome outcome = run_batch(o);
        {
            std::lock_guard job_lock(j->m);
            j->state = outcome.state;
            j->errors = std::move(outcome.errors);
            j->skipped_rows = std::move(outcome.skipped);
            std::error_code e2;
            if (j->state == "done" && fs::is_regular_file(o.zip_path, e2)) j->zip = o.zip_path;
            if (fs::is_regular_file(o.report_path, e2)) j->report = o.report_path;
            j->finished = true;
        }
        {
            std::lock_guard lock(gate->m);
            ++gate->free;
        }
        gate->cv.notify_all();
    });
    return job->id;
}

// Called with m_ held: forgets the oldest finished jobs beyond max_kept_.
void BatchJobs::prune() {
    std::vector<std::shared_ptr<Job>> finished;
    for (const auto& [id, job] : jobs_) {
        std::lock_guard lock(job->m);
        if (job->finished) finished.push_back(job);
    }
    if (finished.size() <= max_kept_) return;
    std::sort(finished.begin(), finished.end(), [](const auto& a, const auto& b) { return a->order < b->order; });
    for (std::size_t i = 0; i + max_kept_ < finished.size(); ++i) jobs_.erase(finished[i]->id);
}

std::shared_ptr<BatchJobs::Job> BatchJobs::find(const std::string& id) const {
    std::lock_guard lock(m_);
    const auto it = jobs_.find(id);
    return it == jobs_.end() ? nullptr : it->second;
}

std::optional<nlohmann::json> BatchJobs::status(const std::string& id) const {
    const auto job = find(id);
    if (!job) return std::nullopt;
    std::lock_guard lock(job->m);
    nlohmann::json j = {{"id", job->id},
                        {"state", job->state},
                        {"template", job->template_name},
                        {"format", job->format},
                        {"total", job->progress.total},
                        {"done", job->progress.done},
                        {"ok", job->progress.ok},
                        {"failed", job->progress.failed},
                        {"failures", job->failures},
                        {"failures_not_listed", job->failures_not_listed},
                        {"errors", diagnostics_json(job->errors)},
                        {"skipped_rows", job->skipped_rows}};
    j["zip"] = job->zip.empty() ? nlohmann::json(nullptr) : nlohmann::json("/api/batch/" + job->id + "/zip");
    j["report"] = job->report.empty() ? nlohmann::json(nullptr) : nlohmann::json("/api/batch/" + job->id + "/report");
    return j;
}

std::optional<std::string> BatchJobs::zip_path(const std::string& id) const {
    const auto job = find(id);
    if (!job) return std::nullopt;
    std::lock_guard lock(job->m);
    return job->zip;
}

std::optional<std::string> BatchJobs::report_path(const std::string& id) const {
    const auto job = find(id);
    if (!job) return std::nullopt;
    std::lock_guard lock(job->m);
    return job->report;
}

bool BatchJobs::cancel(const std::string& id) {
    std::shared_ptr<Job> job;
    {
        std::lock_guard lock(m_);
        const auto it = jobs_.find(id);
        if (it == jobs_.end()) return false;
        job = it->second;
        jobs_.erase(it);
    }
    job->cancelled = true;
    return true;  // the job is joined and its directory removed when the last reference goes
}

void BatchJobs::cancel_all() {
    std::lock_guard lock(m_);
    for (auto& [id, job] : jobs_) job->cancelled = true;
}

}  // namespace vanban::server
