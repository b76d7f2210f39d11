#include "http_load.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

namespace vanban::test {

namespace {

using Clock = std::chrono::steady_clock;

int connect_loopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{30, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

struct Answer {
    int status = -1;
    bool server_closes = false;
};

// Reads one answer (headers and a Content-Length body); status -1 when the connection ended first.
Answer read_answer(int fd) {
    std::string data;
    char buffer[16384];
    std::size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return {};
        data.append(buffer, static_cast<std::size_t>(n));
    }
    std::string head = data.substr(0, head_end);
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    Answer answer;
    if (head.rfind("http/1.1 ", 0) != 0 || head.size() < 12) return {};
    answer.status = std::atoi(head.c_str() + 9);
    answer.server_closes = head.find("\r\nconnection: close") != std::string::npos;
    std::size_t length = 0;
    if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos)
        length = std::strtoull(head.c_str() + at + 17, nullptr, 10);
    std::size_t have = data.size() - head_end - 4;
    while (have < length) {
        const ssize_t n = ::recv(fd, buffer, std::min(sizeof buffer, length - have), 0);
        if (n <= 0) return {};
        have += static_cast<std::size_t>(n);
    }
    return answer;
}

}  // namespace

int raw_status(int port, const std::string& request) {
    const int fd = connect_loopback(port);
    if (fd < 0) return -1;
    const int status = send_all(fd, request) ? read_answer(fd).status : -1;
    ::close(fd);
    return status;
}

double LoadResult::percentile(double q) const {
    if (latencies_ms.empty()) return 0;
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(latencies_ms.size())));
    return latencies_ms[std::min(latencies_ms.size() - 1, i == 0 ? 0 : i - 1)];
}

LoadResult http_load(int port, const std::string& request, int total, int concurrency, bool keep_alive) {
    std::atomic<int> next{0};
    std::mutex mutex;
    LoadResult result;
    const auto start = Clock::now();
    {
        std::vector<std::jthread> clients;
        for (int c = 0; c < concurrency; ++c) {
            clients.emplace_back([&] {
                std::vector<double> mine;
                int failures = 0;
                int fd = -1;
                while (next++ < total) {
                    const auto begin = Clock::now();
                    if (fd < 0) fd = connect_loopback(port);
                    Answer answer;
                    if (fd >= 0 && send_all(fd, request)) answer = read_answer(fd);
                    if (answer.status == 200)
                        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
                    else ++failures;
                    if (fd >= 0 && (!keep_alive || answer.server_closes || answer.status < 0)) {
                        ::close(fd);
                        fd = -1;
                    }
                }
                if (fd >= 0) ::close(fd);
                std::lock_guard lock(mutex);
                result.failures += failures;
                result.latencies_ms.insert(result.latencies_ms.end(), mine.begin(), mine.end());
            });
        }
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
    return result;
}

Slowloris::Slowloris(int port, int count, int interval_ms) {
    for (int i = 0; i < count; ++i) {
        const int fd = connect_loopback(port);
        if (fd < 0) continue;
        if (send_all(fd, "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n"))
            sockets_.push_back(fd);
        else ::close(fd);
    }
    open_ = static_cast<int>(sockets_.size());
    thread_ = std::thread([this, interval_ms] {
        int line = 0;
        while (!stop_) {
            const auto wake = Clock::now() + std::chrono::milliseconds(interval_ms);
            while (!stop_ && Clock::now() < wake) std::this_thread::sleep_for(std::chrono::milliseconds(20));
            int open = 0;
            for (int fd : sockets_)
                open += send_all(fd, "X-Slow-" + std::to_string(line) + ": " + std::string(8, 'a') + "\r\n") ? 1 : 0;
            open_ = open;
            ++line;
        }
    });
}

Slowloris::~Slowloris() {
    stop_ = true;
    thread_.join();
    for (int fd : sockets_) ::close(fd);
}

int Slowloris::open() const { return open_; }

}  // namespace vanban::test
