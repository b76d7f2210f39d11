// The figures of `vanban serve` under slow and many clients (issue 25; docs/reliability.md), against a server
// already listening on 127.0.0.1:PORT (bench/serve.sh starts one):
//   1. 200 slowloris connections (a header line every second, never the end of the headers) held open while three
//      normal requests are timed — goal: each answered in < 1 s;
//   2. 2,000 GET /api/status at concurrency 64, a connection per request and then keep-alive — goal: 0 failures,
//      p99 < 200 ms.
// Prints one JSON line per measurement and exits 1 when a goal is missed.
#include <chrono>
#include <cstdio>
#include <string>

#include "http_load.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: vanban-serve-bench PORT\n");
        return 2;
    }
    const int port = std::stoi(argv[1]);
    const std::string host = "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    bool met = true;
    {
        vanban::test::Slowloris slow(port, 200, 1000);
        for (int i = 0; i < 3; ++i) {
            const auto start = std::chrono::steady_clock::now();
            const int status =
                vanban::test::raw_status(port, "GET /api/status HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n");
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            met = met && status == 200 && ms < 1000;
            std::printf(
                "{\"case\": \"request beside 200 slowloris\", \"slowloris_open\": %d, \"status\": %d, \"ms\": %.1f}\n",
                slow.open(), status, ms);
        }
    }
    for (const bool keep_alive : {false, true}) {
        const auto r =
            vanban::test::http_load(port, "GET /api/status HTTP/1.1\r\n" + host + "\r\n", 2000, 64, keep_alive);
        met = met && r.failures == 0 && r.percentile(0.99) < 200;
        std::printf(
            "{\"case\": \"2000 requests, concurrency 64\", \"keep_alive\": %s, \"failures\": %d, \"p50_ms\": %.1f, "
            "\"p99_ms\": %.1f, \"max_ms\": %.1f, \"seconds\": %.2f}\n",
            keep_alive ? "true" : "false", r.failures, r.percentile(0.5), r.percentile(0.99), r.percentile(1.0),
            r.seconds);
    }
    return met ? 0 : 1;
}
