// Helpers shared by the zip reader and writer (not part of the public interface).
#pragma once

#include "vanban/diagnostic.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace vanban::zip::detail {

// Why `name` is not a safe entry name (path traversal, absolute, backslash, drive letter, empty, bad UTF-8), or
// nullopt when it is fine. Directory entries end with '/'.
std::optional<std::string> name_problem(std::string_view name);

// ASCII lower case: package part names are compared case-insensitively (OPC), and every real clash is ASCII.
std::string ascii_lower(std::string_view s);

bool is_ascii(std::string_view s) noexcept;

[[noreturn]] void fail(DiagnosticKind kind, std::string message);

}  // namespace vanban::zip::detail
