#include "server/gated_server.hpp"

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace vanban::server {

namespace {

using Clock = std::chrono::steady_clock;

// Best effort: a short answer to a client about to be dropped (it may not be reading).
void answer_and_drop(int fd, const char* status_line) {
    const std::string answer =
        std::string("HTTP/1.1 ") + status_line + "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    [[maybe_unused]] const auto sent = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

int milliseconds_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1'000'000));
}

std::string address_text(const sockaddr_storage& address, int& port) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(address);
        ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
        port = ntohs(a.sin_port);
    } else if (address.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(address);
        ::inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
        port = ntohs(a.sin6_port);
    }
    return text;
}

}  // namespace

struct GatedServer::Connection {
    explicit Connection(int socket) : fd(socket) {}
    ~Connection() {
        ::shutdown(fd, SHUT_RDWR);
        ::close(fd);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    std::size_t buffered() const { return head.size() - consumed; }
    bool head_complete() const { return head.find("\r\n\r\n", consumed) != std::string::npos; }
    // Starts a wait for the next request (its deadline counts from its first byte).
    void wait_again() {
        head.erase(0, consumed);
        consumed = 0;
        since = Clock::now();
        started = !head.empty();
    }

    int fd;
    std::string head;          // bytes received and not yet read by a request
    std::size_t consumed = 0;  // of `head`
    Clock::time_point since = Clock::now();
    bool started = false;  // some bytes of the next request have arrived
    unsigned served = 0;
};

namespace {

// One request read from a connection: first what the front has buffered, then the socket, within the timeouts.
class RequestStream : public httplib::Stream {
public:
    RequestStream(GatedServer::Connection& c, const GateLimits& limits)
        : c_(c), limits_(limits), request_deadline_(Clock::now() + limits.request_timeout) {}

    bool is_readable() const override { return c_.buffered() > 0 || wait(POLLIN, limits_.read_timeout); }
    bool is_writable() const override { return wait(POLLOUT, limits_.write_timeout); }

    ssize_t read(char* ptr, size_t size) override {
        if (c_.buffered() > 0) {
            const std::size_t n = std::min(size, c_.buffered());
            std::copy_n(c_.head.data() + c_.consumed, n, ptr);
            c_.consumed += n;
            return static_cast<ssize_t>(n);
        }
        if (!wait(POLLIN, limits_.read_timeout)) return -1;
        return retry([&] { return ::recv(c_.fd, ptr, size, MSG_DONTWAIT); });
    }
    ssize_t write(const char* ptr, size_t size) override {
        if (!is_writable()) return -1;
        return retry([&] { return ::send(c_.fd, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT); });
    }
    void get_remote_ip_and_port(std::string& ip, int& port) const override { name_of(::getpeername, ip, port); }
    void get_local_ip_and_port(std::string& ip, int& port) const override { name_of(::getsockname, ip, port); }
    socket_t socket() const override { return c_.fd; }

private:
    template <class Call>
    static ssize_t retry(Call call) {
        ssize_t n;
        do n = call();
        while (n < 0 && errno == EINTR);
        return n;
    }
    // Reads wait at most `timeout`, and never past the deadline of the whole request (slow bodies).
    bool wait(short events, std::chrono::seconds timeout) const {
        const auto deadline =
            events == POLLIN ? std::min(Clock::now() + timeout, request_deadline_) : Clock::now() + timeout;
        pollfd p{c_.fd, events, 0};
        int n;
        do n = ::poll(&p, 1, milliseconds_until(deadline));
        while (n < 0 && errno == EINTR);
        return n > 0;
    }
    void name_of(int (*get)(int, sockaddr*, socklen_t*), std::string& ip, int& port) const {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        port = 0;
        if (get(c_.fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) ip = address_text(address, port);
    }

    GatedServer::Connection& c_;
    const GateLimits& limits_;
    Clock::time_point request_deadline_;
};

}  // namespace

// The connections waiting for a request head, watched by one epoll thread; complete heads go to the workers.
struct GatedServer::Front {
    Front(GatedServer& owner, const GateLimits& gate_limits)
        : server(owner),
          limits(gate_limits),
          epoll(::epoll_create1(EPOLL_CLOEXEC)),
          wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
          workers(gate_limits.workers) {
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.fd = wake;
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &e);
        thread = std::thread([this] { run(); });
    }
    ~Front() {
        stop();
        ::close(wake);
        ::close(epoll);
    }

    void stop() {
        if (stopping.exchange(true)) return;
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto n = ::write(wake, &one, sizeof one);
        thread.join();
        {
            std::lock_guard lock(mutex);
            waiting.clear();
        }
        workers.shutdown();  // requests in progress finish; queued ones see `stopping` and close
    }

    // A new connection, or one back from a worker after a keep-alive answer.
    void hold(std::shared_ptr<Connection> c) {
        std::lock_guard lock(mutex);
        if (stopping) return;
        if (waiting.size() >= limits.max_connections) drop_longest_waiting();
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.fd = c->fd;
        if (::epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &e) == 0) waiting.emplace(c->fd, std::move(c));
    }

    void run() {
        epoll_event events[64];
        while (!stopping) {
            const int n = ::epoll_wait(epoll, events, 64, 200);
            std::lock_guard lock(mutex);
            for (int i = 0; i < n; ++i) {
                if (events[i].data.fd != wake) receive(events[i].data.fd);
            }
            expire();
        }
    }

    // Reads what has arrived (never blocking); a complete head goes to a worker.
    void receive(int fd) {
        const auto found = waiting.find(fd);
        if (found == waiting.end()) return;
        Connection& c = *found->second;
        char buffer[16384];
        bool closed = false;
        while (!c.head_complete() && !closed) {
            const std::size_t room = limits.max_head_bytes - std::min(limits.max_head_bytes, c.buffered());
            if (room == 0) {
                answer_and_drop(fd, "431 Request Header Fields Too Large");
                return forget(found);
            }
            const ssize_t n = ::recv(fd, buffer, std::min(room, sizeof buffer), MSG_DONTWAIT);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
            closed = n <= 0;
            if (closed) break;
            if (!c.started) {
                c.started = true;
                c.since = Clock::now();
            }
            c.head.append(buffer, static_cast<std::size_t>(n));
        }
        // A client may close its side once it has sent a request: it is still answered.
        if (!c.head_complete()) {
            if (closed) forget(found);
            return;
        }
        auto ready = std::move(found->second);
        forget(found);
        workers.enqueue([this, ready] { server.handle(ready); });
    }

    // Heads that take too long, keep-alive connections idle too long.
    void expire() {
        const auto now = Clock::now();
        for (auto it = waiting.begin(); it != waiting.end();) {
            const Connection& c = *it->second;
            const bool late = c.started ? now - c.since > limits.head_timeout : now - c.since > limits.idle_timeout;
            if (!late) {
                ++it;
                continue;
            }
            if (c.started) answer_and_drop(c.fd, "408 Request Timeout");
            ::epoll_ctl(epoll, EPOLL_CTL_DEL, c.fd, nullptr);
            it = waiting.erase(it);
        }
    }

    void drop_longest_waiting() {
        const auto oldest = std::min_element(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) {
            return a.second->since < b.second->since;
        });
        if (oldest != waiting.end()) forget(oldest);
    }

    void forget(std::unordered_map<int, std::shared_ptr<Connection>>::iterator it) {
        ::epoll_ctl(epoll, EPOLL_CTL_DEL, it->first, nullptr);
        waiting.erase(it);
    }

    GatedServer& server;
    const GateLimits& limits;
    const int epoll;
    const int wake;
    std::mutex mutex;
    std::unordered_map<int, std::shared_ptr<Connection>> waiting;
    std::atomic<bool> stopping{false};
    httplib::ThreadPool workers;
    std::thread thread;
};

GatedServer::GatedServer(GateLimits limits) : limits_(limits), stop_event_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY)
        limits_.max_connections =
            std::min<std::size_t>(limits_.max_connections, files.rlim_cur > 128 ? files.rlim_cur - 64 : 64);
}

GatedServer::~GatedServer() { ::close(stop_event_); }

bool GatedServer::serve() {
    const int listening = svr_sock_;
    // Not httplib's 5: a burst of clients would otherwise wait for SYN retries (about a second each).
    if (listening < 0 || ::listen(listening, SOMAXCONN) != 0) return false;
    front_ = std::make_unique<Front>(*this, limits_);
    accept_until_stopped(listening);
    front_->stop();
    // Closed by the thread that accepted on it: closing it from the stopping thread would race with accept().
    ::close(svr_sock_.exchange(INVALID_SOCKET));
    return true;
}

void GatedServer::accept_until_stopped(int listening) {
    pollfd watched[2] = {{stop_event_, POLLIN, 0}, {listening, POLLIN, 0}};
    for (;;) {
        if (::poll(watched, 2, -1) < 0) {
            if (errno == EINTR) continue;  // revents are stale: a blocking accept4 could then miss the stop
            return;
        }
        if (watched[0].revents != 0) return;
        if (watched[1].revents == 0) continue;
        const int connection = ::accept4(listening, nullptr, nullptr, SOCK_CLOEXEC);
        if (connection >= 0) {
            process_and_close_socket(connection);
        } else if (errno == EMFILE || errno == ENFILE) {
            // Out of descriptors: the front drops idle connections as new ones come; give it a moment.
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
}

void GatedServer::stop_serving() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(stop_event_, &one, sizeof one);
}

bool GatedServer::process_and_close_socket(socket_t sock) {
    // Answers are written in a few pieces (status and headers, then the body): Nagle's algorithm would hold the
    // second piece for the client's delayed ACK, about 40 ms per keep-alive request.
    int yes = 1;
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    if (!front_) {
        Connection dropped(sock);
        return false;
    }
    front_->hold(std::make_shared<Connection>(sock));
    return true;
}

void GatedServer::handle(std::shared_ptr<Connection> c) {
    for (;;) {
        if (front_->stopping) return;
        const bool last = ++c->served >= limits_.max_requests_per_connection;
        bool client_closes = false;
        RequestStream stream(*c, limits_);
        const bool handled = process_request(stream, last, client_closes, {});
        return_free_memory();
        if (!handled || client_closes || last) return;
        c->wait_again();
        if (!c->head_complete()) break;  // else a pipelined request is already here
    }
    front_->hold(std::move(c));
}

void GatedServer::return_free_memory() {
    // glibc keeps what a large request freed (a template of many tags, a big upload) as the process's high-water
    // mark, per thread arena; handing it back costs a walk of the heap, so it is looked at once a second at most.
    const auto now = Clock::now().time_since_epoch().count();
    auto last = last_trim_.load();
    if (now - last < std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)).count() ||
        !last_trim_.compare_exchange_strong(last, now))
        return;
    if (::mallinfo2().fordblks > (32u << 20)) ::malloc_trim(0);
}

}  // namespace vanban::server
