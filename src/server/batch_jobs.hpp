// Batch jobs started from the page: an uploaded nominee list rendered by vanban::batch::run into a ZIP in the
// server's private workspace, with progress, the failed records (index, line or row, errors) and the report.
//
// Nothing the client sends becomes a path: the records file is stored as "records.<ext>" (the extension picked from
// a fixed list) in a directory named by a random id; jobs are looked up by that id in memory.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <vanban/catalog.hpp>
#include <vanban/convert.hpp>

namespace vanban::server {

struct BatchRequest {
    const BundledTemplate* bundled = nullptr;
    std::string format = "docx";                         // docx | odt | pdf
    std::string records_extension;                       // ".csv", ".tsv", ".xlsx", ".json", ".jsonl", ".ndjson"
    std::string records;                                 // the uploaded bytes
    std::string name_expression;                         // output names; empty: the default
    nlohmann::json defaults = nlohmann::json::object();  // values common to every record, merged under each
};

class BatchJobs {
public:
    BatchJobs(unsigned max_running, unsigned max_kept, unsigned converters, PdfOptions pdf);
    ~BatchJobs();  // cancels running jobs, waits for them, removes the workspace
    BatchJobs(const BatchJobs&) = delete;
    BatchJobs& operator=(const BatchJobs&) = delete;

    // Starts a job; returns its id. Throws HttpError (400 bad request, 429 too many jobs waiting).
    std::string start(BatchRequest request);
    // {"id","state":"queued|running|done|failed|cancelled","template","format","total","done","ok","failed",
    //  "failures":[{"index","line","row","errors":[...]}],"errors":[...],"zip","report"}; nullopt: no such job.
    std::optional<nlohmann::json> status(const std::string& id) const;
    // The finished archive / report ("" while not ready); nullopt: no such job.
    std::optional<std::string> zip_path(const std::string& id) const;
    std::optional<std::string> report_path(const std::string& id) const;
    bool cancel(const std::string& id);  // cancels (when running) and forgets the job
    void cancel_all();

private:
    struct Job;
    std::shared_ptr<Job> find(const std::string& id) const;
    void prune();

    std::string workspace_;
    unsigned max_kept_;
    unsigned converters_;
    PdfOptions pdf_;
    struct Gate;
    std::shared_ptr<Gate> gate_;  // running jobs at once
    mutable std::mutex m_;
    std::map<std::string, std::shared_ptr<Job>> jobs_;
    std::size_t started_ = 0;
};

}  // namespace vanban::server
