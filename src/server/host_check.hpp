// Which Host and Origin headers `vanban serve` answers to: the defence against DNS rebinding (a page on another site
// whose name is made to resolve to this computer) and cross-site posts. Names are matched exactly, never by prefix.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vanban::server {

// A Host header or the authority of an Origin, parsed strictly: a DNS name, an IPv4 literal or a bracketed IPv6
// literal, then an optional port. `name` is lower case; an IPv6 literal keeps its brackets.
struct HostPort {
    std::string name;
    std::optional<int> port;
    bool ip_literal = false;
};

// nullopt for anything else: userinfo (`a@b`), paths, spaces, empty labels, numeric names that are no IPv4 address,
// IPv6 zones, ports that are not 1–65535.
std::optional<HostPort> parse_host_port(std::string_view text);

class HostPolicy {
public:
    // `bound_host` as given to --host, `port` the port actually bound; `allowed` the --allow-host values (NAME, or
    // NAME:PORT for one port only). Throws std::invalid_argument naming a value that is not a host.
    HostPolicy(const std::string& bound_host, int port, const std::vector<std::string>& allowed);

    // A Host header (no port: 80).
    bool allows_host(std::string_view header) const;
    // An Origin header: http (or https behind a proxy) and an allowed host and port; "null" and paths refused.
    bool allows_origin(std::string_view header) const;

private:
    bool allows(const HostPort& host, int default_port) const;

    struct Allowed {
        std::string name;
        std::optional<int> port;  // none: the bound port, or none given (a proxy on its default port)
    };
    std::optional<HostPort> bound_;  // nullopt when bound to a wildcard address (0.0.0.0, ::)
    bool loopback_ = false;
    int port_ = 0;
    std::vector<Allowed> allowed_;
};

}  // namespace vanban::server
