#include "batch/batch.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <semaphore>
#include <span>
#include <thread>
#include <utility>

#include "api/ordered_render.hpp"
#include "batch/columns.hpp"
#include "batch/records.hpp"
#include "core/ascii.hpp"
#include "core/expr.hpp"
#include "core/vn.hpp"
#include "io/fail.hpp"
#include "io/files.hpp"
#include "json/schema.hpp"
#include "vanban/vanban.hpp"
#include "zip/zip.hpp"

namespace vanban::batch {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

using io::fail;
using io::fail_errno;

// ----- the output-name template: literal text and {{ expressions }}

class NameTemplate {
public:
    explicit NameTemplate(const std::string& text) {
        std::size_t pos = 0;
        while (pos < text.size()) {
            const auto open = text.find("{{", pos);
            if (open == std::string::npos) {
                parts_.push_back({text.substr(pos), nullptr});
                break;
            }
            if (open > pos) parts_.push_back({text.substr(pos, open - pos), nullptr});
            const auto close = text.find("}}", open + 2);
            if (close == std::string::npos) fail(DiagnosticKind::usage, "--name: '{{' without '}}' in '" + text + "'");
            const std::string inner = text.substr(open + 2, close - open - 2);
            // loop.length, loop.revindex(0) and loop.last depend on how many records there are.
            for (const char* word : {"length", "revindex", "last"})
                needs_total_ = needs_total_ || inner.find(word) != std::string::npos;
            try {
                parts_.push_back({{}, core::parse_expression(inner)});
            } catch (const core::ParseError& e) {
                fail(DiagnosticKind::usage, "--name: " + std::string(e.what()) + " in {{" + inner + "}}");
            } catch (const Error& e) {
                fail(DiagnosticKind::usage, "--name: " + std::string(e.what()) + " in {{" + inner + "}}");
            }
            pos = close + 2;
        }
    }

    // Lenient: a missing value is empty text; an evaluation error leaves that part empty.
    std::string render(const json& data, std::size_t index0, std::size_t total) const {
        core::Scope scope(data);
        core::LoopState loop;
        loop.index0 = index0;
        loop.length = total;
        scope.bind("loop", core::Value::loop(&loop));
        core::EvalContext ctx{scope, true};
        std::string out;
        for (const auto& p : parts_) {
            if (!p.expr) {
                out += p.text;
                continue;
            }
            try {
                out += core::to_text(core::evaluate(*p.expr, ctx), ctx);
            } catch (const std::exception&) {
                // leave it empty: the record's own problems are reported by validation and rendering
            }
        }
        return out;
    }

    // Whether a name may say how many records there are (then they are counted before the first is named).
    bool needs_total() const noexcept { return needs_total_; }

private:
    struct Part {
        std::string text;
        core::ExprPtr expr;
    };
    std::vector<Part> parts_;
    bool needs_total_ = false;
};

// ----- unique, safe output names

class NameRegistry {
public:
    explicit NameRegistry(std::string extension) : extension_(std::move(extension)), slots_(1024, 0) {}

    std::string assign(std::string base, std::size_t index0) {
        if (core::ascii_lower(base).ends_with(extension_)) base.resize(base.size() - extension_.size());
        base = sanitize_name(base);
        if (base.empty()) base = std::to_string(index0 + 1);
        std::string candidate = base;
        for (int n = 2; !insert(core::ascii_lower(candidate)); ++n) candidate = base + "-" + std::to_string(n);
        return candidate + extension_;
    }

private:
    // Names are remembered as 64-bit hashes (16 bytes a record at most): two different names sharing a hash —
    // about one chance in 10^9 at 100,000 records — would only give one of them a "-2" it did not need.
    bool insert(const std::string& name) {
        std::uint64_t h = std::hash<std::string>{}(name);
        if (h == 0) h = 1;  // 0 marks an empty slot
        if ((used_ + 1) * 2 > slots_.size()) grow();
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            if (slots_[i] == h) return false;
            if (slots_[i] == 0) {
                slots_[i] = h;
                ++used_;
                return true;
            }
        }
    }
    void grow() {
        std::vector<std::uint64_t> old(slots_.size() * 2, 0);
        old.swap(slots_);
        const std::size_t mask = slots_.size() - 1;
        for (std::uint64_t h : old) {
            if (h == 0) continue;
            std::size_t i = h & mask;
            while (slots_[i] != 0) i = (i + 1) & mask;
            slots_[i] = h;
        }
    }

    std::string extension_;
    std::vector<std::uint64_t> slots_;  // lower-case names: they must differ on case-insensitive disks and in zips
    std::size_t used_ = 0;
};

// Per-document times in logarithmic buckets (1% apart, 1 µs to ~2 h): percentiles without keeping every sample.
class Histogram {
public:
    void add(double ms) {
        const double x = std::max(ms, 0.001) / 0.001;
        const auto b = static_cast<std::size_t>(std::log(x) / std::log(1.01));
        ++counts_[std::min(b, counts_.size() - 1)];
        ++n_;
    }
    double percentile(double q) const {
        if (n_ == 0) return 0;
        const auto want = static_cast<std::uint64_t>(q * static_cast<double>(n_ - 1)) + 1;
        std::uint64_t seen = 0;
        for (std::size_t b = 0; b < counts_.size(); ++b) {
            seen += counts_[b];
            if (seen >= want) return 0.001 * std::pow(1.01, static_cast<double>(b) + 0.5);
        }
        return 0;
    }

private:
    std::array<std::uint64_t, 2300> counts_{};
    std::uint64_t n_ = 0;
};

// ----- the report, streamed in record order into a temporary file

json issue_to_json(const RecordIssue& issue) {
    const Diagnostic& d = issue.diagnostic;
    json j = {{"kind", std::string(to_string(d.kind))}, {"message", d.message}};
    if (!d.json_pointer.empty() || d.kind == DiagnosticKind::schema || d.kind == DiagnosticKind::data)
        j["json_pointer"] = d.json_pointer;
    if (d.line) j["line"] = d.line;
    if (d.column) j["column"] = d.column;
    if (!issue.field.empty()) j["field"] = issue.field;
    if (!issue.cell.empty()) j["cell"] = issue.cell;
    if (!d.part.empty()) j["part"] = d.part;
    if (d.paragraph) j["paragraph"] = d.paragraph;
    if (!d.tag.empty()) j["tag"] = d.tag;
    if (!d.hint.empty()) j["hint"] = d.hint;
    return j;
}

json result_to_json(const RecordResult& r) {
    json j = {{"index", r.index}};
    if (r.line) j["line"] = r.line;
    if (r.row) j["row"] = r.row;
    j["status"] = to_string(r.status);
    if (!r.output.empty()) j["output"] = r.output;
    if (r.status == Status::ok) j["ms"] = std::round(r.milliseconds * 1000.0) / 1000.0;
    if (!r.errors.empty()) {
        json errors = json::array();
        for (const auto& e : r.errors) errors.push_back(issue_to_json(e));
        j["errors"] = std::move(errors);
    }
    return j;
}

class ReportWriter {
public:
    ReportWriter(const std::string& path, const json& header) : out_(path) {
        std::string text = header.dump(2);
        text.resize(text.rfind('}'));  // leave the object open
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        out_.write(text + (header.empty() ? "\n  \"results\": [" : ",\n  \"results\": ["));
    }
    void add(const RecordResult& r) {
        out_.write((first_ ? "\n    " : ",\n    ") + result_to_json(r).dump());
        first_ = false;
    }
    void finish(const json& summary, const std::vector<SkippedRow>& skipped_rows, io::Sync sync) {
        std::string s = summary.dump(2);
        std::string indented;
        for (char c : s) {
            indented += c;
            if (c == '\n') indented += "  ";
        }
        std::string rows;
        for (const SkippedRow& r : skipped_rows) {
            json j = {{"status", "skipped"},
                      {"code", r.why.code},
                      {"message", r.why.message},
                      {"message_vi", r.why.message_vi},
                      {"text", r.text}};
            if (r.line) j["line"] = r.line;
            if (r.row) j["row"] = r.row;
            rows += (rows.empty() ? "\n    " : ",\n    ") + j.dump();
        }
        out_.write(std::string(first_ ? "" : "\n  ") + "],\n  \"skipped_rows\": [" + rows +
                   (rows.empty() ? "" : "\n  ") + "],\n  \"summary\": " + indented + "\n}\n");
        out_.commit(sync);
    }

private:
    io::AtomicFile out_;
    bool first_ = true;
};

// ----- a bounded queue between the reader and the workers

struct Job {
    Record record;
    std::string name;  // file name (or archive entry) with extension
    std::string path;  // folder mode: where it goes
    bool skip = false;
};

class JobQueue {
public:
    explicit JobQueue(std::size_t capacity) : capacity_(capacity) {}
    // Waits for room; gives up (returns false) when `stop` says so.
    bool push(Job&& job, const std::function<bool()>& stop) {
        std::unique_lock lock(m_);
        while (q_.size() >= capacity_) {
            if (stop()) return false;
            not_full_.wait_for(lock, std::chrono::milliseconds(50));
        }
        q_.push_back(std::move(job));
        not_empty_.notify_one();
        return true;
    }
    // Waits for a job, then takes it and up to `most - 1` more that are already there. Empty: closed and drained.
    std::vector<Job> pop_some(std::size_t most) {
        std::unique_lock lock(m_);
        not_empty_.wait(lock, [&] { return !q_.empty() || closed_; });
        std::vector<Job> jobs;
        while (!q_.empty() && jobs.size() < most) {
            jobs.push_back(std::move(q_.front()));
            q_.pop_front();
        }
        not_full_.notify_all();
        return jobs;
    }
    void close() {
        std::lock_guard lock(m_);
        closed_ = true;
        not_empty_.notify_all();
    }

private:
    std::size_t capacity_;
    std::mutex m_;
    std::condition_variable not_empty_, not_full_;
    std::deque<Job> q_;
    bool closed_ = false;
};

std::filesystem::file_time_type newest_mtime(const std::string& path) {
    std::error_code ec;
    auto newest = fs::last_write_time(path, ec);
    if (ec) return fs::file_time_type::min();
    if (fs::is_directory(path, ec)) {
        for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            auto t = it->last_write_time(ec);
            if (!ec) newest = std::max(newest, t);
        }
    }
    return newest;
}

// Whether an earlier output ends as a finished file of its kind does: a zip's end-of-central-directory record (the
// outputs vanban writes carry no archive comment), a PDF's %%EOF. A power cut after the rename but before the data
// reached the disk can leave an empty or cut file with a new date; such a file is rendered again, not skipped.
bool looks_complete(const std::string& path, OutputKind kind) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    char tail[1024];
    ssize_t n = -1;
    if (::fstat(fd, &st) == 0 && st.st_size >= 22) {
        const auto size =
            static_cast<off_t>(std::min<std::int64_t>(st.st_size, static_cast<std::int64_t>(sizeof tail)));
        n = ::pread(fd, tail, static_cast<std::size_t>(size), st.st_size - size);
    }
    ::close(fd);
    if (n < 22) return false;
    const std::string_view end(tail, static_cast<std::size_t>(n));
    if (kind == OutputKind::pdf) return end.find("%%EOF") != std::string_view::npos;
    return end.substr(end.size() - 22, 4) == std::string_view("PK\x05\x06", 4);
}

RecordIssue to_issue(RecordError e) {
    return RecordIssue{std::move(e.diagnostic), std::move(e.field), std::move(e.cell)};
}

// Everything the workers and the result sink share for one run.
class Runner {
public:
    explicit Runner(const Options& o) : o_(o) {}

    Summary run();

private:
    // What feed() needs of run()'s set-up.
    struct FeedPlan {
        const NameTemplate& names;
        NameRegistry& registry;
        const nlohmann::json& defaults;
        std::filesystem::file_time_type newest;  // outputs newer than this are up to date
        unsigned jobs = 1;                       // worker threads
        std::size_t window = 1;                  // records at most between the reader and the sink
    };
    std::string prepare_template();
    ReaderOptions reader_options() const;
    nlohmann::json record_defaults(const ReaderOptions& ro) const;
    void count_beside(const ReaderOptions& ro);
    void open_outputs(const std::string& extension);
    std::exception_ptr feed(RecordReader& reader, const FeedPlan& plan);
    Summary finish(const RecordReader& reader, std::exception_ptr reader_error);

    struct Done {
        RecordResult result;
        std::optional<zip::PreparedEntry> entry;
    };

    bool stopping() const noexcept { return stop_.load(std::memory_order_relaxed); }
    // The archive and the report are single files: synced unless the caller wants no syncing at all.
    io::Sync whole_file_sync() const noexcept { return o_.sync == SyncMode::none ? io::Sync::none : io::Sync::file; }
    void poll_stop() {
        if (!stopping() && o_.should_stop && o_.should_stop()) {
            stop_ = true;
            interrupted_ = true;
        }
    }

    void work(const FeedPlan& plan);
    void prepare(std::vector<Job>& jobs, const FeedPlan& plan);
    void name_in_order(std::vector<Job>& jobs, const std::vector<std::string>& bases, const FeedPlan& plan);
    bool up_to_date(const Job& job, const FeedPlan& plan) const;
    std::optional<std::string> render(Job& job, Done& done);
    void to_pdf(PdfConverter& converter, const std::vector<Job>& jobs, std::vector<std::optional<std::string>>& bytes,
                std::vector<Done>& done);
    void store(Job& job, std::string bytes, Done& done);
    void fail_record(const Record& record, Done& done, std::vector<RecordError> errors);
    void fail_record(const Record& record, Done& done, const std::vector<Diagnostic>& diagnostics);
    void deliver(std::span<Done> done);
    void flush(Done& done);

    const Options& o_;
    std::optional<Template> template_;
    std::optional<vanban::json_data::Schema> schema_;
    std::string format_hint_;
    zip::Method entry_method_ = zip::Method::stored;
    std::optional<std::counting_semaphore<64>> converters_;
    std::size_t group_ = 1;  // records a worker takes at once (PDF: a LibreOffice run's worth)

    std::atomic<bool> stop_{false};
    std::atomic<bool> interrupted_{false};
    std::optional<JobQueue> queue_;
    // Output names are given in record order (collisions resolved the same way every run): a worker names its group
    // once every record before it is named.
    std::mutex names_m_;
    std::condition_variable names_cv_;
    std::size_t named_ = 0;  // records named so far

    // The sink: results in record order.
    std::mutex sink_m_;
    std::condition_variable sink_cv_;
    std::map<std::size_t, Done> pending_;
    std::size_t next_ = 0;
    std::atomic<std::size_t> total_{0};  // records in the file; 0 while they are being counted
    Summary summary_;
    Histogram durations_;
    std::optional<zip::StreamWriter> zip_;
    std::optional<io::Directory> out_dir_;  // -o DIR: every file is created, linked and renamed relative to it
    std::optional<ReportWriter> report_;
    std::exception_ptr fatal_;
    Clock::time_point t0_;
};

// PDF: documents go to LibreOffice in groups of this many, one run per group. A run's start is what costs: measured
// (2026-12-07, loaded machine) 5.2 CPU-seconds for a run of one award form, 5.9 for a run of eight — 0.09 for each
// further form. 64 forms a run (~11 CPU-seconds) amortise the start, yet Ctrl-C waits seconds, not minutes, for the
// run under way; a list shorter than that per converter is shared evenly, one run each.
constexpr std::size_t kPdfGroup = 64;
// DOCX/ODT: a worker takes this many records at once and delivers them together, so that the queue's and the sink's
// locks are taken once per group rather than once per document (a document takes about 0.1 ms to render).
constexpr std::size_t kDocumentGroup = 8;

void Runner::work(const FeedPlan& plan) {
    const bool pdf = o_.output == OutputKind::pdf;
    std::optional<PdfConverter> converter;  // this worker's LibreOffice profile, kept across its groups
    for (auto jobs = queue_->pop_some(group_); !jobs.empty(); jobs = queue_->pop_some(group_)) {
        prepare(jobs, plan);
        std::vector<Done> done(jobs.size());
        std::vector<std::optional<std::string>> bytes(jobs.size());
        for (std::size_t i = 0; i < jobs.size(); ++i) bytes[i] = render(jobs[i], done[i]);
        if (pdf) {
            if (!converter) converter.emplace(o_.pdf);
            to_pdf(*converter, jobs, bytes, done);
        }
        for (std::size_t i = 0; i < jobs.size(); ++i)
            if (bytes[i]) store(jobs[i], std::move(*bytes[i]), done[i]);
        deliver(done);
    }
}

// A group of records as the reader found them, made ready to render: parsed (JSON: the reader only found where each
// record is, so that parsing is shared by the workers), merged over the common values, named, and checked for an
// up-to-date output. Everything but the naming runs in parallel.
void Runner::prepare(std::vector<Job>& jobs, const FeedPlan& plan) {
    std::vector<std::string> bases;
    bases.reserve(jobs.size());
    for (Job& job : jobs) {
        job.record.parse();
        if (!plan.defaults.empty()) merge_defaults(job.record.data.value, plan.defaults);
        bases.push_back(plan.names.render(job.record.data.value, job.record.index, total_));
    }
    name_in_order(jobs, bases, plan);
    if (o_.output_dir.empty()) return;
    for (Job& job : jobs) {
        job.path = (fs::path(o_.output_dir) / job.name).string();
        job.skip = !o_.force && up_to_date(job, plan);
    }
}

// Groups leave the queue in record order, one worker each, and every worker names its group before taking another,
// so the group waited for is always being prepared: the wait is the length of a few parses.
void Runner::name_in_order(std::vector<Job>& jobs, const std::vector<std::string>& bases, const FeedPlan& plan) {
    std::unique_lock lock(names_m_);
    names_cv_.wait(lock, [&] { return named_ == jobs.front().record.index; });
    for (std::size_t i = 0; i < jobs.size(); ++i) jobs[i].name = plan.registry.assign(bases[i], jobs[i].record.index);
    named_ = jobs.back().record.index + 1;
    names_cv_.notify_all();
}

// An output newer than every input, and complete, is not rendered again.
bool Runner::up_to_date(const Job& job, const FeedPlan& plan) const {
    struct stat st {};
    if (::lstat(job.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    std::error_code ec;
    return fs::last_write_time(job.path, ec) > plan.newest && !ec && looks_complete(job.path, o_.output);
}

namespace {

// Whatever a record's step throws, as the diagnostics of that record.
template <class Step>
std::optional<std::vector<Diagnostic>> diagnostics_of(Step&& step) {
    try {
        step();
        return std::nullopt;
    } catch (const Error& e) {
        return e.diagnostics();
    } catch (const std::exception& e) {
        Diagnostic d;
        d.kind = DiagnosticKind::io;
        d.message = e.what();
        return std::vector<Diagnostic>{d};
    }
}

}  // namespace

void Runner::fail_record(const Record& record, Done& done, std::vector<RecordError> errors) {
    done.result.status = Status::failed;
    for (auto& e : errors) {
        record.locate(e);
        done.result.errors.push_back(to_issue(std::move(e)));
    }
}

void Runner::fail_record(const Record& record, Done& done, const std::vector<Diagnostic>& diagnostics) {
    std::vector<RecordError> errors;
    for (const auto& d : diagnostics) errors.push_back(RecordError{d, {}, {}});
    fail_record(record, done, std::move(errors));
}

// Checks and renders one record: its document, or nothing when the record is cancelled, skipped or failed (`done`
// says which).
std::optional<std::string> Runner::render(Job& job, Done& done) {
    const auto t0 = Clock::now();
    RecordResult& r = done.result;
    Record& rec = job.record;
    r.index = rec.index;
    r.line = rec.line;
    r.row = rec.row;
    if (job.skip) {
        r.status = Status::skipped;
        r.output = job.path;
        return std::nullopt;
    }
    if (stopping()) {
        r.status = Status::cancelled;
        return std::nullopt;
    }
    std::vector<RecordError> errors = std::move(rec.errors);
    std::optional<std::string> bytes;
    const auto problems = diagnostics_of([&] {
        const bool unreadable = std::any_of(errors.begin(), errors.end(), [](const RecordError& e) {
            return e.diagnostic.kind != DiagnosticKind::data;
        });
        if (!unreadable && schema_) {
            auto found = schema_->validate(rec.data);
            // Located (and ordered by place) once the record's positions are found: only records with a problem pay.
            if (!found.empty() && rec.find_positions()) found = schema_->validate(rec.data);
            for (auto& d : found) {
                // A cell that could not be typed is already reported, with its value; the schema would say it again.
                const bool known = std::any_of(errors.begin(), errors.end(), [&](const RecordError& e) {
                    return e.diagnostic.json_pointer == d.json_pointer && d.kind == DiagnosticKind::schema &&
                           !e.diagnostic.json_pointer.empty();
                });
                if (!known) errors.push_back(RecordError{std::move(d), {}, {}});
            }
        }
        if (!errors.empty()) return;
        RenderOptions ro;
        ro.lenient = o_.lenient;
        ro.image_directory = o_.image_directory;
        // Mappings iterate in the order the record's file writes them, as `vanban render` does.
        bytes = vanban::detail::OrderedRender::render(*template_, rec.data.value, ro, &rec.data.key_order);
    });
    if (problems || !errors.empty()) rec.find_positions();
    if (problems) fail_record(rec, done, *problems);
    else if (!errors.empty()) fail_record(rec, done, std::move(errors));
    r.milliseconds = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    return r.status == Status::failed ? std::nullopt : std::move(bytes);
}

// The group's rendered documents to PDF in one LibreOffice run, while holding one of the converter slots.
void Runner::to_pdf(PdfConverter& converter, const std::vector<Job>& jobs,
                    std::vector<std::optional<std::string>>& bytes, std::vector<Done>& done) {
    std::vector<std::size_t> which;
    std::vector<std::string_view> documents;
    for (std::size_t i = 0; i < bytes.size(); ++i)
        if (bytes[i]) {
            which.push_back(i);
            documents.push_back(*bytes[i]);
        }
    if (documents.empty()) return;
    const auto t0 = Clock::now();
    std::vector<PdfResult> pdfs;
    {
        converters_->acquire();
        struct Release {
            std::counting_semaphore<64>& s;
            ~Release() { s.release(); }
        } release{*converters_};
        pdfs = converter.convert(documents, format_hint_);
    }
    const double share = std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / documents.size();
    for (std::size_t k = 0; k < which.size(); ++k) {
        const std::size_t i = which[k];
        done[i].result.milliseconds += share;
        if (pdfs[k].pdf.empty()) {
            fail_record(jobs[i].record, done[i], pdfs[k].diagnostics);
            bytes[i].reset();
        } else {
            bytes[i] = std::move(pdfs[k].pdf);
        }
    }
}

// Writes one record's document: into the archive's next entry, or atomically to its file.
void Runner::store(Job& job, std::string bytes, Done& done) {
    const auto t0 = Clock::now();
    RecordResult& r = done.result;
    const auto problems = diagnostics_of([&] {
        if (!o_.zip_path.empty()) {
            done.entry = zip::prepare(job.name, bytes, entry_method_);
            r.output = job.name;
            return;
        }
        // An existing symbolic link is refused, not written through.
        out_dir_->write_atomic(job.name, bytes, o_.sync == SyncMode::each ? io::Sync::file : io::Sync::none);
        r.output = job.path;
    });
    if (problems) fail_record(job.record, done, *problems);
    else r.status = Status::ok;
    r.milliseconds += std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Results arrive out of order (a group at a time); they are handed on in record order.
void Runner::deliver(std::span<Done> done) {
    std::lock_guard lock(sink_m_);
    for (Done& d : done) {
        const std::size_t index = d.result.index;
        pending_.emplace(index, std::move(d));
    }
    while (!pending_.empty() && pending_.begin()->first == next_) {
        auto node = pending_.extract(pending_.begin());
        if (!fatal_) {
            try {
                flush(node.mapped());
            } catch (...) {
                fatal_ = std::current_exception();
                stop_ = true;
            }
        }
        ++next_;
    }
    sink_cv_.notify_all();
}

void Runner::flush(Done& done) {
    RecordResult& r = done.result;
    if (r.status == Status::ok && zip_) zip_->add(*done.entry);
    switch (r.status) {
        case Status::ok:
            ++summary_.ok;
            durations_.add(r.milliseconds);
            break;
        case Status::failed: ++summary_.failed; break;
        case Status::skipped: ++summary_.skipped; break;
        case Status::cancelled: ++summary_.cancelled; break;
    }
    if (report_) report_->add(r);
    if (o_.on_record) o_.on_record(r);
    if (o_.on_progress) {
        Progress p;
        p.done = summary_.ok + summary_.failed + summary_.skipped;
        p.total = total_;
        p.ok = summary_.ok;
        p.failed = summary_.failed;
        p.skipped = summary_.skipped;
        p.elapsed_seconds = std::chrono::duration<double>(Clock::now() - t0_).count();
        o_.on_progress(p);
    }
}

// Counts a long list while its first records are rendered. A file that cannot be read is reported by the reader.
void Runner::count_beside(const ReaderOptions& ro) {
    try {
        const std::size_t n =
            count_records(o_.records_path, ro, std::numeric_limits<std::size_t>::max(), [this] { return stopping(); });
        if (!stopping()) total_ = n;
    } catch (...) {}
}

// Compiles the template and checks it renders the asked format; the output files' extension.
std::string Runner::prepare_template() {
    CompileOptions compile;
    compile.limits = o_.limits;
    compile.compression_level = o_.compression_level;
    template_ = Template::from_file(o_.template_path, compile);
    const bool odt = template_->format() == Format::odt;
    format_hint_ = odt ? "odt" : "docx";
    if ((o_.output == OutputKind::docx && odt) || (o_.output == OutputKind::odt && !odt))
        fail(DiagnosticKind::usage, "the template is " + std::string(odt ? "ODT" : "DOCX") + "; it renders " +
                                        (odt ? "odt" : "docx") + " or pdf, not " + (odt ? "docx" : "odt"));
    std::string extension = o_.output == OutputKind::pdf ? ".pdf" : odt ? ".odt" : ".docx";
    if (o_.output == OutputKind::pdf) {
        entry_method_ = zip::Method::deflated;
        if (find_soffice(o_.pdf.soffice).empty())
            fail(DiagnosticKind::usage, "PDF output needs LibreOffice (soffice), which was not found");
        converters_.emplace(static_cast<std::ptrdiff_t>(std::clamp(o_.converters, 1u, 64u)));
    }

    if (o_.schema && o_.validate) schema_.emplace(*o_.schema, o_.schema_name);
    return extension;
}

// How to read the records file, from the options.
ReaderOptions Runner::reader_options() const {
    ReaderOptions ro;
    if (o_.records_format == "json") ro.format = RecordFormat::json;
    else if (o_.records_format == "jsonl") ro.format = RecordFormat::jsonl;
    else if (o_.records_format == "csv") ro.format = RecordFormat::csv;
    else if (o_.records_format == "xlsx") ro.format = RecordFormat::xlsx;
    else if (!o_.records_format.empty())
        fail(DiagnosticKind::usage, "unknown records format '" + o_.records_format + "'");
    ro.sheet = o_.sheet;
    ro.header_row = o_.header_row;
    ro.schema = o_.schema ? &*o_.schema : nullptr;
    ro.defer_parsing = true;  // parsed by the workers (Runner::prepare)
    return ro;
}

// The values every record gets where it has none: --defaults, then each --set.
json Runner::record_defaults(const ReaderOptions& ro) const {
    json defaults = o_.defaults.is_null() ? json::object() : o_.defaults;
    if (!defaults.is_object())
        throw Error(make_diagnostic(DiagnosticKind::usage, "batch.bad_defaults", "the defaults must be a JSON object",
                                    "Giá trị chung (defaults) phải là một đối tượng JSON {…}."));
    for (const auto& assignment : o_.set_values) apply_set_value(defaults, assignment, ro.schema);
    return defaults;
}

// The output directory or archive, and the report with its header.
void Runner::open_outputs(const std::string& extension) {
    std::error_code ec;
    if (!o_.output_dir.empty()) {
        fs::create_directories(o_.output_dir, ec);
        if (!fs::is_directory(o_.output_dir))
            fail(DiagnosticKind::io, "cannot create the output directory '" + o_.output_dir + "'" +
                                         (ec ? ": " + ec.message() : std::string()));
        summary_.output = o_.output_dir;
        out_dir_.emplace(o_.output_dir);
    } else {
        zip_.emplace(o_.zip_path);
        summary_.output = o_.zip_path;
    }
    if (!o_.report_path.empty()) {
        json header = {{"vanban", std::string(version())},
                       {"template", o_.template_path},
                       {"records", o_.records_path},
                       {"output", summary_.output},
                       {"format", extension.substr(1)}};
        if (o_.report_header.is_object()) header.update(o_.report_header);
        report_.emplace(o_.report_path, header);
    }
}

// Starts the workers and hands them the records in order, at most `window` ahead of the sink, until the file ends or
// the run stops; then waits until every record handed out has been delivered. An error of the records file is
// returned (the records done before it still count).
std::exception_ptr Runner::feed(RecordReader& reader, const FeedPlan& plan) {
    std::vector<std::jthread> workers;
    std::exception_ptr reader_error;
    {
        struct Joiner {
            Runner& r;
            std::vector<std::jthread>& w;
            ~Joiner() {
                r.queue_->close();
                w.clear();
            }
        } joiner{*this, workers};
        for (unsigned i = 0; i < plan.jobs; ++i) workers.emplace_back([this, &plan] { work(plan); });

        std::size_t produced = 0;
        const auto stop = [this] {
            poll_stop();
            return stopping();
        };
        try {
            while (!stop()) {
                {
                    std::unique_lock lock(sink_m_);
                    while (produced - next_ >= plan.window && !stop())
                        sink_cv_.wait_for(lock, std::chrono::milliseconds(50));
                }
                if (stopping()) break;
                // The reader only finds the record (JSON: its text, unparsed); the worker that takes it does the rest.
                Job job;
                if (!reader.next(job.record)) break;
                const std::size_t index = job.record.index;
                if (!queue_->push(std::move(job), stop)) {
                    // Stopped while waiting for room: the record is reported as cancelled.
                    Done d;
                    d.result.index = index;
                    d.result.status = Status::cancelled;
                    deliver(std::span(&d, 1));
                }
                ++produced;
            }
        } catch (...) {
            reader_error = std::current_exception();
            stop_ = true;
        }
        queue_->close();
        // Keep listening for Ctrl-C while the workers finish: queued records are then cancelled, not rendered.
        std::unique_lock lock(sink_m_);
        while (next_ < produced) {
            lock.unlock();
            poll_stop();
            lock.lock();
            sink_cv_.wait_for(lock, std::chrono::milliseconds(50));
        }
    }
    return reader_error;
}

// The summary once every record is delivered: the report finished (also when the records file broke half-way), the
// archive closed, the outputs made durable.
Summary Runner::finish(const RecordReader& reader, std::exception_ptr reader_error) {
    if (reader_error && report_ && !fatal_) {
        // The records file broke half-way (e.g. malformed sheet XML): the records done so far are still reported.
        json s = {{"ok", summary_.ok},
                  {"failed", summary_.failed},
                  {"skipped", summary_.skipped},
                  {"cancelled", summary_.cancelled},
                  {"interrupted", false}};
        try {
            std::rethrow_exception(reader_error);
        } catch (const std::exception& e) {
            s["error"] = e.what();
        }
        try {
            report_->finish(s, reader.skipped_rows(), whole_file_sync());
        } catch (...) {
            // the records file's error is the one to report
        }
    }
    if (reader_error) std::rethrow_exception(reader_error);
    if (fatal_) std::rethrow_exception(fatal_);
    summary_.skipped_rows = reader.skipped_rows();
    summary_.skipped_rows_total = summary_.skipped_rows.size() + reader.skipped_rows_unlisted();

    summary_.total = summary_.ok + summary_.failed + summary_.skipped + summary_.cancelled;
    summary_.interrupted = interrupted_;
    summary_.p50_ms = durations_.percentile(0.50);
    summary_.p95_ms = durations_.percentile(0.95);
    if (zip_) zip_->finish(whole_file_sync());
    // Documents were written without a sync of their own: one flush of the file system makes them all durable, before
    // the report says they are written.
    if (!o_.output_dir.empty() && o_.sync == SyncMode::end && summary_.ok > 0) io::sync_filesystem(o_.output_dir);
    summary_.seconds = std::chrono::duration<double>(Clock::now() - t0_).count();
    if (report_) {
        json s = {{"total", summary_.total},
                  {"ok", summary_.ok},
                  {"failed", summary_.failed},
                  {"skipped", summary_.skipped},
                  {"cancelled", summary_.cancelled},
                  {"interrupted", summary_.interrupted},
                  {"records_in_file", total_.load()},
                  {"seconds", summary_.seconds},
                  {"p50_ms", summary_.p50_ms},
                  {"p95_ms", summary_.p95_ms},
                  {"rows_skipped", summary_.skipped_rows_total}};
        report_->finish(s, summary_.skipped_rows, whole_file_sync());
    }
    return summary_;
}

Summary Runner::run() {
    t0_ = Clock::now();
    if (o_.output_dir.empty() == o_.zip_path.empty())
        fail(DiagnosticKind::usage, "give an output directory (-o DIR) or an archive (--zip OUT.zip), not both");
    if (o_.template_path.empty()) fail(DiagnosticKind::usage, "no template given");
    if (o_.records_path.empty()) fail(DiagnosticKind::usage, "no records file given");
    const NameTemplate names(o_.name_expression.empty() ? kDefaultName : o_.name_expression);
    const std::string extension = prepare_template();
    const ReaderOptions ro = reader_options();
    const json common = record_defaults(ro);
    auto reader = open_records(o_.records_path, ro);  // wrong shape, bad header: before anything is written

    // Outputs newer than every input are up to date.
    auto newest = std::max(newest_mtime(o_.template_path), newest_mtime(o_.records_path));
    for (const auto& p : o_.extra_inputs) newest = std::max(newest, newest_mtime(p));
    open_outputs(extension);

    // Rendering is CPU-bound; with --sync each, writing files waits on two fsyncs per document, and more threads than
    // cores overlap those waits.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const bool waits_on_disk = !o_.output_dir.empty() && o_.sync == SyncMode::each;
    const unsigned jobs = o_.jobs ? o_.jobs : waits_on_disk ? std::min(4 * cores, 64u) : cores;
    // Workers take their records in groups, shared evenly when the list is short, with room for two groups each.
    const std::size_t most = o_.output == OutputKind::pdf ? kPdfGroup : kDocumentGroup;
    // A short list is shared evenly, so its length is needed first; a long one starts at once and is counted beside
    // the workers (a sheet of 100,000 rows takes seconds to count), unless the names say how many records there are.
    const std::size_t enough = names.needs_total() ? std::numeric_limits<std::size_t>::max() : std::size_t{jobs} * most;
    const std::size_t counted = count_records(o_.records_path, ro, enough);
    std::jthread counter;
    if (counted < enough) total_ = counted;
    else counter = std::jthread([this, ro] { count_beside(ro); });
    group_ = std::clamp<std::size_t>((counted + jobs - 1) / jobs, 1, most);
    const std::size_t capacity = std::size_t{jobs} * std::max<std::size_t>(2 * group_, 4);
    const std::size_t window = capacity + jobs * group_ + 4;  // bound on records between the reader and the sink
    queue_.emplace(capacity);
    NameRegistry registry(extension);

    FeedPlan plan{names, registry, common, newest, jobs, window};
    const std::exception_ptr reader_error = feed(*reader, plan);
    if (counter.joinable()) counter.join();
    return finish(*reader, reader_error);
}

}  // namespace

const char* to_string(Status status) noexcept {
    switch (status) {
        case Status::ok: return "ok";
        case Status::failed: return "failed";
        case Status::skipped: return "skipped";
        case Status::cancelled: return "cancelled";
    }
    return "failed";
}

Summary run(const Options& options) {
    Runner runner(options);
    return runner.run();
}

std::string sanitize_name(std::string_view name, std::size_t max_bytes) {
    std::string out;
    for (std::size_t i = 0, next = 0; i < name.size(); i = next) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (!vn::next_code_point(name, next)) continue;  // ill-formed bytes: dropped
        const std::size_t len = next - i;
        if (len == 1) {
            if (c < 0x20 || c == 0x7F) out += (c == '\n' || c == '\t' || c == '\r') ? "-" : "";
            else if (std::strchr("/\\:*?\"<>|", static_cast<char>(c))) out += '-';
            else out += static_cast<char>(c);
        } else if (len == 2 && c == 0xC2 && static_cast<unsigned char>(name[i + 1]) < 0xA0) {
            // C1 control characters: dropped
        } else {
            out.append(name.substr(i, len));
        }
    }
    // No "..": a file name must never mean "the parent", even to tools that split on other separators.
    for (std::size_t p; (p = out.find("..")) != std::string::npos;) out.erase(p, 1);
    auto trim_edges = [&] {
        std::size_t b = 0;
        while (b < out.size() && (out[b] == '.' || out[b] == ' ' || out[b] == '-')) ++b;
        out.erase(0, b);
        while (!out.empty() && (out.back() == '.' || out.back() == ' ' || out.back() == '-')) out.pop_back();
    };
    trim_edges();
    if (out.size() > max_bytes) {
        out.resize(vn::utf8_prefix(out, max_bytes).size());
        trim_edges();
    }
    // Names Windows reserves for devices.
    static constexpr const char* kReserved[] = {"con",  "prn",  "aux",  "nul",  "com1", "com2", "com3", "com4",
                                                "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3",
                                                "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9"};
    const std::string l = core::ascii_lower(out);
    for (const char* r : kReserved)
        if (l == r) out += '_';
    return out;
}

}  // namespace vanban::batch
