// vanban-batch-bench — the batch runner (src/batch) on the peers' award-form workload, and the loop it is held to.
//
//   vanban-batch-bench files TEMPLATE RECORDS OUTDIR [JOBS [SYNC]]    one document per record into OUTDIR
//   vanban-batch-bench zip   TEMPLATE RECORDS OUT.zip [JOBS [SYNC]]   every document into one archive
//   vanban-batch-bench writeloop SRCDIR OUTDIR [JOBS]                 the files of SRCDIR, read into memory first,
//                                                                     written again with open/write/close/rename
//
// TEMPLATE is a path or a bundled template name (its schema then validates every record, as `vanban batch` does).
// RECORDS is anything `vanban batch` reads (the peers' forms.json is {"records": [...]}, streamed element by
// element; an XLSX sheet is streamed row by row). JOBS 0 is the runner's default; SYNC is end (default), each or
// none, as `vanban batch --sync`. Prints one JSON line: documents, docs/s, p50/p95 milliseconds per document (validate + render + write),
// and the peak RSS from getrusage — run it with 10k and 100k records to see that memory does not grow with the
// number of records. No assertions: timing lives here, not in the tests.
//
// writeloop is the plain program a batch to a folder is compared with: no rendering, the same bytes, the same number
// of threads, each file written to a temporary name beside it and renamed (no fsync, as --sync none).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "batch/batch.hpp"
#include "bench_common.hpp"
#include "io/files.hpp"

namespace {

int usage() {
    std::cerr << "usage: vanban-batch-bench files TEMPLATE RECORDS OUTDIR [JOBS [SYNC]]\n"
                 "       vanban-batch-bench zip TEMPLATE RECORDS OUT.zip [JOBS [SYNC]]\n"
                 "       vanban-batch-bench writeloop SRCDIR OUTDIR [JOBS]\n";
    return 2;
}

bool write_and_rename(const std::string& path, const std::string& bytes) {
    const std::string temp = path + ".tmp";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    const bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
    return ::close(fd) == 0 && written && ::rename(temp.c_str(), path.c_str()) == 0;
}

int write_loop(const std::string& from, const std::string& to, unsigned jobs) {
    std::vector<std::pair<std::string, std::string>> files;  // name, bytes
    for (const auto& entry : std::filesystem::directory_iterator(from))
        files.emplace_back(to + "/" + entry.path().filename().string(), vanban::io::read_file(entry.path().string()));
    std::atomic<std::size_t> next{0}, failed{0};
    const auto t0 = std::chrono::steady_clock::now();
    {
        std::vector<std::jthread> pool;
        for (unsigned t = 0; t < std::max(1u, jobs); ++t)
            pool.emplace_back([&] {
                for (std::size_t k; (k = next++) < files.size();)
                    if (!write_and_rename(files[k].first, files[k].second)) ++failed;
            });
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("{\"workload\":\"writeloop\",\"files\":%zu,\"failed\":%zu,\"seconds\":%.3f,\"docs_per_s\":%.0f}\n",
                files.size(), failed.load(), s, static_cast<double>(files.size()) / s);
    return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) return usage();
    const std::string mode = argv[1];
    const auto number = [&](int i) { return argc > i ? static_cast<unsigned>(std::atoi(argv[i])) : 0u; };
    if (mode == "writeloop")
        return write_loop(argv[2], argv[3], number(4) ? number(4) : std::thread::hardware_concurrency());
    if (argc < 5 || (mode != "files" && mode != "zip")) return usage();
    vanban::batch::Options o;
    try {
        auto resolved = vanban::bench::resolve(argv[2]);
        o.template_path = resolved.path;
        if (resolved.schema) {
            o.schema = std::move(resolved.schema);
            o.schema_name = resolved.schema_name;
        }
    } catch (const vanban::Error& e) {
        std::cerr << e.what() << "\n";
        return 2;
    }
    o.records_path = argv[3];
    (mode == "zip" ? o.zip_path : o.output_dir) = argv[4];
    o.jobs = number(5);
    const std::string sync = argc > 6 ? argv[6] : "end";
    if (sync != "end" && sync != "each" && sync != "none") return usage();
    o.sync = sync == "each"   ? vanban::batch::SyncMode::each
             : sync == "none" ? vanban::batch::SyncMode::none
                              : vanban::batch::SyncMode::end;
    o.force = true;
    // Files are named as the peers' verifier expects (0000.docx, ...); archive entries show a slugged name.
    o.name_expression = mode == "files" ? "{{ '%04d' | format(loop.index0) }}" : "{{ loop.index }}-{{ ho_ten | slug }}";
    try {
        const auto s = vanban::batch::run(o);
        std::printf(
            "{\"workload\":\"batch-%s\",\"sync\":\"%s\",\"records\":%zu,\"ok\":%zu,\"failed\":%zu,\"seconds\":%.3f,"
            "\"docs_per_s\":%.0f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"peak_rss_kib\":%ld}\n",
            mode.c_str(), sync.c_str(), s.total, s.ok, s.failed, s.seconds, static_cast<double>(s.ok) / s.seconds,
            s.p50_ms, s.p95_ms, vanban::bench::peak_rss_kib());
        return s.failed ? 1 : 0;
    } catch (const vanban::Error& e) {
        for (const auto& d : e.diagnostics()) std::cerr << d.to_string() << "\n";
        return 1;
    }
}
