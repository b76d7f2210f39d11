// Raw HTTP/1.1 on loopback for the server's abuse tests and bench/serve_bench.cpp: exact request bytes (hostile Host
// headers), many clients at once with or without keep-alive, and slowloris clients that never finish their headers.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace vanban::test {

// The status of one request sent as raw bytes on a fresh connection to 127.0.0.1:port; -1 when none came.
int raw_status(int port, const std::string& request);

struct LoadResult {
    int failures = 0;                  // no answer, a broken answer, or a status other than 200
    std::vector<double> latencies_ms;  // of the answered requests, sorted
    double seconds = 0;
    double percentile(double q) const;  // q in [0, 1]
};

// `total` copies of `request` (which must not say Connection: close) from `concurrency` clients; with keep-alive
// each client reuses its connection (and reconnects when the server closes it), else one connection per request.
LoadResult http_load(int port, const std::string& request, int total, int concurrency, bool keep_alive);

// `count` connections that send a request line and then one header line every `interval_ms`, never the blank line
// that ends the headers; held until destruction.
class Slowloris {
public:
    Slowloris(int port, int count, int interval_ms);
    ~Slowloris();
    Slowloris(const Slowloris&) = delete;
    Slowloris& operator=(const Slowloris&) = delete;
    int open() const;  // connections the server has not closed yet

private:
    std::vector<int> sockets_;
    std::atomic<bool> stop_{false};
    std::atomic<int> open_{0};
    std::thread thread_;
};

}  // namespace vanban::test
