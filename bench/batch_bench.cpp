// vanban-batch-bench — the batch runner (src/batch) on the peers' award-form workload.
//
//   vanban-batch-bench files TEMPLATE RECORDS OUTDIR [JOBS [SYNC]]    one document per record into OUTDIR
//   vanban-batch-bench zip   TEMPLATE RECORDS OUT.zip [JOBS [SYNC]]   every document into one archive
//
// RECORDS is anything `vanban batch` reads (the peers' forms.json is {"records": [...]}, streamed element by
// element; an XLSX sheet is streamed row by row). JOBS 0 is the runner's default; SYNC is end (default), each or
// none, as `vanban batch --sync`. Prints one JSON line: documents, docs/s, p50/p95 milliseconds per document (validate + render + write),
// and the peak RSS from getrusage — run it with 10k and 100k records to see that memory does not grow with the
// number of records. No assertions: timing lives here, not in the tests.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "batch/batch.hpp"

namespace {

long peak_rss_kib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int usage() {
    std::cerr << "usage: vanban-batch-bench files TEMPLATE RECORDS OUTDIR [JOBS [SYNC]]\n"
                 "       vanban-batch-bench zip TEMPLATE RECORDS OUT.zip [JOBS [SYNC]]\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) return usage();
    const std::string mode = argv[1];
    if (mode != "files" && mode != "zip") return usage();
    vanban::batch::Options o;
    o.template_path = argv[2];
    o.records_path = argv[3];
    (mode == "zip" ? o.zip_path : o.output_dir) = argv[4];
    o.jobs = argc > 5 ? static_cast<unsigned>(std::atoi(argv[5])) : 0;
    const std::string sync = argc > 6 ? argv[6] : "end";
    if (sync != "end" && sync != "each" && sync != "none") return usage();
    o.sync = sync == "each" ? vanban::batch::SyncMode::each
             : sync == "none" ? vanban::batch::SyncMode::none
                              : vanban::batch::SyncMode::end;
    o.force = true;
    // Files are named as the peers' verifier expects (0000.docx, ...); archive entries show a slugged name.
    o.name_expression = mode == "files" ? "{{ '%04d' | format(loop.index0) }}" : "{{ loop.index }}-{{ ho_ten | slug }}";
    try {
        const auto s = vanban::batch::run(o);
        std::printf("{\"workload\":\"batch-%s\",\"sync\":\"%s\",\"records\":%zu,\"ok\":%zu,\"failed\":%zu,\"seconds\":%.3f,"
                    "\"docs_per_s\":%.0f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"peak_rss_kib\":%ld}\n",
                    mode.c_str(), sync.c_str(), s.total, s.ok, s.failed, s.seconds, static_cast<double>(s.ok) / s.seconds, s.p50_ms,
                    s.p95_ms, peak_rss_kib());
        return s.failed ? 1 : 0;
    } catch (const vanban::Error& e) {
        for (const auto& d : e.diagnostics()) std::cerr << d.to_string() << "\n";
        return 1;
    }
}
