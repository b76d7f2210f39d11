// vanban benchmark: the peer workloads of ../shared/bench-peers, rendered with one compiled template.
//
//   vanban-bench plan  TEMPLATE DATA.json [N]           W1: render one plan N times in memory (after 3 warm-ups)
//   vanban-bench forms TEMPLATE FORMS.json OUTDIR       W2: one .docx per record of {"records": [...]}, written to OUTDIR
//   vanban-bench threads TEMPLATE FORMS.json THREADS    W2 in memory on THREADS threads sharing one compiled template
//   vanban-bench threads-text TEMPLATE FORMS.json THREADS   the same from each record's JSON text, as the C API
//                                                            renders it (Data::parse, then render)
//   vanban-bench compile TEMPLATE N                     compile the template N times (after 3 warm-ups), in one process
//
// TEMPLATE is a path or a bundled template name (bao-cao-thanh-tich).
//
// Prints one JSON line with the figures (and peak RSS from getrusage). No assertions: timing lives here, not in tests.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench_common.hpp"
#include "io/files.hpp"
#include "vanban/vanban.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using vanban::bench::peak_rss_kib;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

int usage() {
    std::cerr << "usage: vanban-bench plan TEMPLATE DATA.json [N]\n"
                 "       vanban-bench forms TEMPLATE FORMS.json OUTDIR\n"
                 "       vanban-bench threads TEMPLATE FORMS.json THREADS\n"
                 "       vanban-bench threads-text TEMPLATE FORMS.json THREADS\n"
                 "       vanban-bench compile TEMPLATE N\n";
    return 2;
}

// Compile time alone: the compiler's share of a template's life, without reading the package from disk each time.
int compile_loop(const std::string& template_path, int n) {
    const std::string bytes = vanban::io::read_file(template_path);
    for (int i = 0; i < 3; ++i) static_cast<void>(vanban::Template::from_bytes(bytes, template_path));
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) static_cast<void>(vanban::Template::from_bytes(bytes, template_path));
    double s = seconds_since(t0);
    std::printf("{\"workload\":\"compile\",\"compiles\":%d,\"ms_per_compile\":%.4f,\"peak_rss_kib\":%ld}\n", n,
                s * 1e3 / n, peak_rss_kib());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) return usage();
    std::string mode = argv[1];
    try {
        if (mode == "compile") return compile_loop(argv[2], std::max(1, std::atoi(argv[3])));
        auto t_compile = Clock::now();
        auto tpl = vanban::Template::from_file(vanban::bench::resolve(argv[2]).path);
        double compile_ms = seconds_since(t_compile) * 1e3;
        auto data = nlohmann::json::parse(vanban::io::read_file(argv[3]));

        if (mode == "plan") {
            int n = argc > 4 ? std::atoi(argv[4]) : 200;
            std::size_t bytes = 0;
            for (int i = 0; i < 3; ++i) bytes = tpl.render(data).size();
            auto t0 = Clock::now();
            for (int i = 0; i < n; ++i) bytes = tpl.render(data).size();
            double s = seconds_since(t0);
            std::printf(
                "{\"workload\":\"W1\",\"renders\":%d,\"ms_per_doc\":%.4f,\"docs_per_s\":%.0f,\"output_bytes\":%zu,"
                "\"compile_ms\":%.3f,\"peak_rss_kib\":%ld}\n",
                n, s * 1e3 / n, n / s, bytes, compile_ms, peak_rss_kib());
        } else if (mode == "forms" || mode == "threads" || mode == "threads-text") {
            const auto& records = data.at("records");
            if (mode == "forms") {
                std::string outdir = argv[4];
                auto t0 = Clock::now();
                std::size_t i = 0;
                char name[32];
                for (const auto& rec : records) {
                    std::string doc = tpl.render(rec);
                    std::snprintf(name, sizeof name, "/%04zu.docx", i++);
                    std::ofstream(outdir + name, std::ios::binary)
                        .write(doc.data(), static_cast<std::streamsize>(doc.size()));
                }
                double s = seconds_since(t0);
                std::printf(
                    "{\"workload\":\"W2\",\"docs\":%zu,\"docs_per_s\":%.0f,\"compile_ms\":%.3f,\"peak_rss_kib\":%ld}\n",
                    i, static_cast<double>(i) / s, compile_ms, peak_rss_kib());
            } else {
                int threads = std::max(1, std::atoi(argv[4]));
                const bool from_text = mode == "threads-text";
                std::vector<std::string> texts;  // threads-text: the records as a caller of the C API holds them
                if (from_text)
                    for (const auto& rec : records) texts.push_back(rec.dump());
                std::atomic<std::size_t> next{0}, total_bytes{0};
                auto t0 = Clock::now();
                std::vector<std::thread> pool;
                for (int t = 0; t < threads; ++t)
                    pool.emplace_back([&] {
                        for (std::size_t k; (k = next++) < records.size();)
                            total_bytes += from_text ? tpl.render(vanban::Data::parse(texts[k])).size()
                                                     : tpl.render(records[k]).size();
                    });
                for (auto& th : pool) th.join();
                double s = seconds_since(t0);
                std::printf(
                    "{\"workload\":\"W2-%s\",\"threads\":%d,\"docs\":%zu,\"docs_per_s\":%.0f,\"peak_rss_kib\":%ld}\n",
                    mode.c_str(), threads, records.size(), static_cast<double>(records.size()) / s, peak_rss_kib());
            }
        } else {
            return usage();
        }
    } catch (const vanban::Error& e) {
        for (const auto& d : e.diagnostics()) std::cerr << d.to_string() << "\n";
        return 1;
    }
    return 0;
}
