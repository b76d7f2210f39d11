// vanban — data files, JSON Schema validation and file helpers.
//
//   vanban::Data data = vanban::Data::from_file("plan.json");       // JSON + where every value is (line:column)
//   vanban::Schema schema(nlohmann::json::parse(schema_text), "schema.json");
//   for (const auto& d : schema.validate(data)) std::cerr << d.to_string() << "\n";   // every violation
//   vanban::write_file_atomic("out.docx", tpl.render(data));         // render errors point into plan.json
//
// Data and Schema are immutable after construction, cheap to copy (shared), and safe to use from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vanban/diagnostic.hpp"
#include "vanban/export.h"

namespace vanban {

namespace detail {
struct DataImpl;
struct SchemaImpl;
}  // namespace detail

// Limits on a JSON data text. Past them parsing fails with a DiagnosticKind::limit error.
struct DataLimits {
    std::uint64_t max_size = 64ull << 20;  // bytes of JSON text (one document's data; pictures inside count)
    std::size_t max_depth = 512;           // nesting of objects and arrays
    std::size_t max_values = 1'000'000;    // values (objects, arrays, texts, numbers, …): memory follows their count
};

// A parsed JSON data document that remembers the line:column of every value, so that diagnostics carrying a JSON
// pointer (schema violations, render errors) can point into the file the user edits.
class VANBAN_API Data {
public:
    // Parses UTF-8 JSON (a leading BOM is skipped; strings are NFC-normalised). `source` names the data in messages.
    // Throws vanban::Error (DiagnosticKind::json_syntax, with line:column) listing every problem found.
    static Data parse(std::string_view text, std::string source = "data");
    static Data parse(std::string_view text, std::string source, const DataLimits& limits);
    // Reads and parses a file; "-" reads standard input (named "<stdin>" in messages).
    static Data from_file(const std::string& path);
    static Data from_file(const std::string& path, const DataLimits& limits);
    // Wraps a value built in code; it has no positions (locate() leaves line:column at 0).
    explicit Data(nlohmann::json value, std::string source = "data");

    const nlohmann::json& value() const noexcept;
    const std::string& source() const noexcept;

    // Fills source, line and column of a diagnostic from its json_pointer (nearest located ancestor); diagnostics
    // without a pointer, or of another data source, are left alone.
    void locate(Diagnostic& diagnostic) const;
    void locate(std::vector<Diagnostic>& diagnostics) const;

private:
    friend class Schema;
    friend class Template;  // renders with the data file's key order (Jinja iterates mappings in the data's order)
    explicit Data(std::shared_ptr<const detail::DataImpl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const detail::DataImpl> impl_;
};

// A compiled JSON Schema (draft 4/6/7).
class VANBAN_API Schema {
public:
    // Throws vanban::Error when `schema` is not a usable JSON Schema.
    explicit Schema(const nlohmann::json& schema, std::string name = "schema");
    // Parses and compiles schema text; JSON syntax errors are thrown with line:column in `name`.
    static Schema parse(std::string_view text, std::string name = "schema");

    // Every violation (DiagnosticKind::schema) with json_pointer and line:column in `data`; empty when valid.
    std::vector<Diagnostic> validate(const Data& data) const;

    const nlohmann::json& source() const;

private:
    std::shared_ptr<const detail::SchemaImpl> impl_;
};

// Reads a whole file ("-": standard input). Throws vanban::Error (DiagnosticKind::io) naming the path.
VANBAN_API std::string read_file(const std::string& path, std::uint64_t max_size = 1ull << 31);

// Writes atomically (temporary file in the same directory, fsync, rename): on error the target is untouched and
// nothing is left behind. "-" writes to standard output. Throws vanban::Error (DiagnosticKind::io).
VANBAN_API void write_file_atomic(const std::string& path, std::string_view bytes);

// Diagnostics as a JSON array of objects (kind, code, message, message_en, message_vi, and part, paragraph, tag,
// context, json_pointer, source, line, column, hint when known) — the format of `vanban --errors json`. `message` is
// the text in `language` (Vietnamese falls back to English where no Vietnamese text is written); `message_en` and
// `message_vi` are both texts (`message_vi` only when written), `code` the stable id (docs/messages.md).
VANBAN_API nlohmann::json diagnostics_to_json(const std::vector<Diagnostic>& diagnostics);  // English `message`
VANBAN_API nlohmann::json diagnostics_to_json(const std::vector<Diagnostic>& diagnostics, Language language);

}  // namespace vanban
