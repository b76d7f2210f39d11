// Throwing one located problem: the small helpers the I/O and batch code share (not part of the public interface).
#pragma once

#include <cstring>
#include <string>
#include <utility>

#include "vanban/diagnostic.hpp"

namespace vanban::io {

// Throws vanban::Error holding one Diagnostic; `source` names the file the problem is in (may be empty).
[[noreturn]] inline void fail(DiagnosticKind kind, std::string message, std::string source = {}) {
    Diagnostic d;
    d.kind = kind;
    d.message = std::move(message);
    d.source = std::move(source);
    throw Error(std::move(d));
}

// "what: <strerror(error)>" as an I/O problem.
[[noreturn]] inline void fail_errno(const std::string& what, int error) {
    fail(DiagnosticKind::io, what + ": " + std::strerror(error));
}

}  // namespace vanban::io
