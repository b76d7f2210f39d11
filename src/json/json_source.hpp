// Reading data files: JSON with a map from every value's JSON pointer to its line:column, so that schema
// violations and render errors can point into the file the secretary edits.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "vanban/diagnostic.hpp"

namespace vanban::json_data {

struct Position {
    int line = 0;    // 1-based
    int column = 0;  // 1-based, counted in Unicode code points
};

struct JsonLimits {
    std::size_t max_depth = 512;
    std::uint64_t max_size = 512ull << 20;
    std::size_t max_values = 1'000'000;  // each value held costs 16 to 100 bytes, whatever its text
};

// The order in which the data file writes the keys of its objects. nlohmann::json keeps keys sorted (lookups stay
// logarithmic in objects of a million keys); Jinja iterates a mapping in the order the data gives it. Only objects
// written in another order than the sorted one are recorded. An object is found by its set of keys, so a copy of it
// (an item of `people | sort`) iterates as the original does; objects with the same keys share the first order seen.
class KeyOrder {
public:
    // Records the keys of one object as the file writes them (called by the reader for unsorted objects only).
    void note(std::vector<std::string> keys_in_file_order);
    // The same for an object being read, whose keys in file order are asked of `file_order` only when its set of keys
    // is new (the first order seen of a set of keys is the one kept).
    void note(const nlohmann::json& object, const std::function<std::vector<std::string>()>& file_order);
    // The keys of `object` in file order, or null when its sorted order is the file's or it is not from the file.
    const std::vector<std::string>* of(const nlohmann::json& object) const;
    bool empty() const noexcept { return orders_.empty(); }

private:
    std::unordered_map<std::uint64_t, std::vector<std::string>> orders_;  // by the hash of the sorted keys
};

struct Document {
    nlohmann::json value;
    KeyOrder key_order;
    std::string source;                                   // file name for messages ("-" for stdin)
    std::unordered_map<std::string, Position> positions;  // JSON pointer -> where that value starts

    // Position of `pointer`, or of its nearest ancestor that has one; {0,0} when unknown.
    Position position_of(std::string_view pointer) const;
    // Fills source/line/column of a diagnostic from its json_pointer.
    void locate(Diagnostic& diagnostic) const;
};

// Whether parse() records every value's line:column (Document::positions). A reader of many small documents that
// needs them only for the rare one with a problem parses without, and again with them for that one.
enum class Positions { every_value, none };

// Parses UTF-8 JSON. A leading BOM is skipped; every string (keys and values) is NFC-normalised.
// Errors (all of them reported at once where the parser can go on: duplicate keys, invalid UTF-8 in strings, NaN/
// Infinity literals; a syntax error stops parsing) are thrown as vanban::Error with DiagnosticKind::json_syntax and
// line:column.
Document parse(std::string_view text, std::string source, const JsonLimits& limits = {},
               Positions positions = Positions::every_value);

}  // namespace vanban::json_data
