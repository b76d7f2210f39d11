// cpp-httplib's server with a front that gives no thread to a connection until a whole request head has arrived.
//
// httplib hands every accepted connection to a worker thread that then waits for the client: eight clients sending a
// header line every few seconds (slowloris) or idle keep-alive connections hold every worker. Here one thread
// (epoll) holds the connections while their request line and headers arrive, bounded in bytes and time, and a worker
// takes a connection only to handle a request whose head is complete; after a keep-alive answer the connection goes
// back to the front. The listen backlog is widened (httplib's is 5) and small writes are not delayed (TCP_NODELAY).
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>

namespace vanban::server {

struct GateLimits {
    unsigned workers = 8;                       // requests handled at once
    std::size_t max_connections = 2048;         // connections held (and below the open-file limit); past it the one
                                                // waiting longest is dropped
    std::size_t max_head_bytes = 32u << 10;     // request line and headers
    std::chrono::seconds head_timeout{10};      // from the first byte of a request to the end of its headers
    std::chrono::seconds idle_timeout{5};       // a keep-alive connection with no new request
    std::chrono::seconds read_timeout{20};      // one read of a body
    std::chrono::seconds request_timeout{120};  // reading one whole request (a 32 MiB upload needs ~2.2 Mbit/s)
    std::chrono::seconds write_timeout{20};     // one write of an answer
    unsigned max_requests_per_connection = 100;
};

class GatedServer : public httplib::Server {
public:
    explicit GatedServer(GateLimits limits);
    ~GatedServer() override;
    GatedServer(const GatedServer&) = delete;
    GatedServer& operator=(const GatedServer&) = delete;

    // After bind_to_port: a backlog sized for load, then accept connections (handed to the front) until
    // stop_serving(). False if the socket cannot listen.
    bool serve();
    // From any thread (or before serve()): serve() returns once requests in progress are answered.
    void stop_serving();

    struct Connection;  // (opaque; public for the stream that reads it)

private:
    struct Front;

    void accept_until_stopped(int listening);
    // Each new connection is handed to the front; never blocks.
    bool process_and_close_socket(socket_t sock) override;
    // A worker: the requests whose heads have arrived, then back to the front or closed.
    void handle(std::shared_ptr<Connection> connection);

    // Gives memory freed by large requests back to the system (at most once a second).
    void return_free_memory();

    GateLimits limits_;
    const int stop_event_;  // an eventfd: written by stop_serving(), watched beside the listening socket
    std::unique_ptr<Front> front_;
    std::atomic<std::chrono::steady_clock::rep> last_trim_{0};
};

}  // namespace vanban::server
