#include "server/host_check.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "core/ascii.hpp"

namespace vanban::server {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || c == '-' || c == '.'; }

std::string lower(std::string_view text) { return core::ascii_lower(text); }

// "1"–"65535", digits only.
std::optional<int> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), is_digit)) return std::nullopt;
    const int port = std::stoi(std::string(text));
    if (port < 1 || port > 65535) return std::nullopt;
    return port;
}

// The IPv6 address between brackets, written the one canonical way ("[0:0::1]" → "[::1]").
std::optional<std::string> canonical_ipv6(std::string_view inside) {
    std::array<unsigned char, 16> bytes{};
    if (inet_pton(AF_INET6, std::string(inside).c_str(), bytes.data()) != 1) return std::nullopt;
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (!inet_ntop(AF_INET6, bytes.data(), text.data(), text.size())) return std::nullopt;
    return "[" + std::string(text.data()) + "]";
}

// Labels of 1–63 letters, digits and inner hyphens. A name whose last label is a number is taken as an IPv4
// address, as browsers do, and must then be one in dotted-decimal form.
std::optional<HostPort> parse_name(const std::string& name) {
    if (name.empty() || name.size() > 253 || !std::all_of(name.begin(), name.end(), is_name_char)) return std::nullopt;
    std::size_t start = 0;
    std::string_view last;
    while (start <= name.size()) {
        const std::size_t dot = std::min(name.find('.', start), name.size());
        last = std::string_view(name).substr(start, dot - start);
        if (last.empty() || last.size() > 63 || last.front() == '-' || last.back() == '-') return std::nullopt;
        start = dot + 1;
    }
    if (!std::all_of(last.begin(), last.end(), is_digit)) return HostPort{name, std::nullopt, false};
    std::array<unsigned char, 4> bytes{};
    if (inet_pton(AF_INET, name.c_str(), bytes.data()) != 1) return std::nullopt;
    return HostPort{name, std::nullopt, true};
}

bool is_wildcard(const std::string& host) {
    return host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]";
}

}  // namespace

std::optional<HostPort> parse_host_port(std::string_view text) {
    std::optional<HostPort> host;
    std::string_view rest;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const auto ipv6 = canonical_ipv6(text.substr(1, close - 1));
        if (!ipv6) return std::nullopt;
        host = HostPort{*ipv6, std::nullopt, true};
        rest = text.substr(close + 1);
    } else {
        const auto colon = text.find(':');
        host = parse_name(lower(text.substr(0, colon)));
        if (colon != std::string_view::npos) rest = text.substr(colon);
    }
    if (!host) return std::nullopt;
    if (!rest.empty()) {
        if (rest.front() != ':' || !(host->port = parse_port(rest.substr(1)))) return std::nullopt;
    }
    return host;
}

HostPolicy::HostPolicy(const std::string& bound_host, int port, const std::vector<std::string>& allowed) : port_(port) {
    if (!is_wildcard(bound_host)) {
        const bool bare_ipv6 = bound_host.find(':') != std::string::npos && bound_host.front() != '[';
        bound_ = parse_host_port(bare_ipv6 ? "[" + bound_host + "]" : bound_host);
        if (!bound_ || bound_->port) throw std::invalid_argument("'" + bound_host + "' is not a host name or address");
        loopback_ = bound_->name == "localhost" || bound_->name == "[::1]" ||
                    (bound_->ip_literal && bound_->name.rfind("127.", 0) == 0);
    }
    for (const auto& value : allowed) {
        const auto parsed = parse_host_port(value);
        if (!parsed) throw std::invalid_argument("'" + value + "' is not a host name, NAME:PORT or address");
        allowed_.push_back({parsed->name, parsed->port});
    }
}

bool HostPolicy::allows(const HostPort& host, int default_port) const {
    const int port = host.port.value_or(default_port);
    for (const auto& a : allowed_) {
        if (a.name == host.name && (a.port ? port == *a.port : !host.port || port == port_)) return true;
    }
    if (port != port_) return false;
    if (bound_ && host.name == bound_->name) return true;
    if (loopback_ && (host.name == "localhost" || host.name == "127.0.0.1" || host.name == "[::1]")) return true;
    // Bound to every address: any address literal is ours to answer (rebinding needs a name that resolves here).
    return !bound_ && host.ip_literal;
}

bool HostPolicy::allows_host(std::string_view header) const {
    const auto host = parse_host_port(header);
    return host && allows(*host, 80);
}

bool HostPolicy::allows_origin(std::string_view header) const {
    for (const auto& [scheme, default_port] : {std::pair<std::string_view, int>{"http://", 80}, {"https://", 443}}) {
        if (header.substr(0, scheme.size()) != scheme) continue;
        const auto host = parse_host_port(header.substr(scheme.size()));
        return host && allows(*host, default_port);
    }
    return false;  // "null" (a sandboxed frame, a file: page), other schemes
}

}  // namespace vanban::server
