// JSON Schema validation (valijson) with errors located in the data file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "json/json_source.hpp"
#include "vanban/diagnostic.hpp"

namespace vanban::json_data {

// A compiled schema; immutable and safe to share between threads.
class Schema {
public:
    // Throws vanban::Error when `schema` is not a usable JSON Schema (draft 4/6/7).
    explicit Schema(const nlohmann::json& schema, std::string name = "schema");
    ~Schema();
    Schema(Schema&&) noexcept;
    Schema& operator=(Schema&&) noexcept;

    // Every violation, each with DiagnosticKind::schema, json_pointer, line:column (from `data.positions`), and a
    // message that uses the property's Vietnamese "title" from the schema when it has one.
    std::vector<Diagnostic> validate(const Document& data) const;

    const nlohmann::json& source() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vanban::json_data
