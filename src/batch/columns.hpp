// Columns named as people name them: a header cell of a CSV/XLSX list may be a field's dotted path
// ("person.full_name"), its Vietnamese title from the schema ("Họ tên"), an alias the schema lists
// (`x-vanban-aliases`: "Họ và tên"), or a path whose steps are any of these ("Thành tích đạt được.1.Tiêu đề", with
// 1-based numbers for list items). Matching ignores case, spacing, punctuation and NFC/NFD differences
// (vn::match_key). The same schema walk lists the fields for the generated workbook (sheet.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vanban/diagnostic.hpp"

namespace vanban::batch {

// A Diagnostic with its stable code and both texts (every message this code adds has all three).
Diagnostic make_diagnostic(DiagnosticKind kind, std::string code, std::string message, std::string message_vi,
                           std::string source = {});

// ----- the schema seen as columns (the walk itself: json/schema_walk.hpp)

struct SchemaProperty {
    std::string key;
    const nlohmann::json* node = nullptr;  // $ref followed
    std::string title;                     // from the property itself, else from what it refers to
    std::vector<std::string> aliases;      // x-vanban-aliases
    bool required = false;                 // listed in a `required` of the object
};
// The properties an object node can have, from every branch (allOf/anyOf/oneOf/if-then-else, $refs followed), in
// schema order, each key once.
std::vector<SchemaProperty> schema_properties(const nlohmann::json& root, const nlohmann::json* node);
// The item schema of a list node (`items`), or nullptr when the node accepts no list.
const nlohmann::json* schema_items(const nlohmann::json& root, const nlohmann::json* node);
// The JSON types a node accepts (from every branch; "null" left out).
std::vector<std::string> schema_types(const nlohmann::json& root, const nlohmann::json* node);
// Whether the object node refuses properties it does not list (additionalProperties: false in a branch).
bool schema_closed(const nlohmann::json& root, const nlohmann::json* node);
// The enum values of a node and their Vietnamese labels (x-enum-labels, same order; empty strings when none).
struct EnumChoice {
    nlohmann::json value;
    std::string label;
};
std::vector<EnumChoice> schema_enum(const nlohmann::json& root, const nlohmann::json* node);

// ----- header cells → field paths

// The column that numbers the rows ("STT", "TT", "Số TT", "Số thứ tự"): not a field; it keys a record's rows on a
// list sheet.
bool is_row_number_header(std::string_view header);

class ColumnNamer {
public:
    // `schema` may be null (every header is then a dotted path). `base`: the node the columns are inside (a list's
    // item schema for a list sheet); null: the schema's root.
    explicit ColumnNamer(const nlohmann::json* schema, const nlohmann::json* base = nullptr);

    struct Resolution {
        enum class Kind { field, row_number, unknown, ambiguous } kind = Kind::unknown;
        nlohmann::json path;                  // field: segments (keys, 0-based list indexes)
        std::vector<std::string> candidates;  // ambiguous: the fields it could be (label and path)
    };
    // Throws vanban::Error (usage) for a malformed path when there is no schema to name the field otherwise.
    Resolution resolve(std::string_view header) const;

    // Up to three headers close to an unknown one ("Họ tên (person.full_name)"), closest first.
    std::vector<std::string> suggest(std::string_view header) const;
    // The headers a list could use, required fields first (for "no header row found").
    std::vector<std::string> expected(std::size_t max) const;
    bool has_schema() const noexcept { return schema_ != nullptr; }

    // The diagnostics for the unusable headers of a header row: one per unknown or ambiguous column, all at once.
    struct Problem {
        std::string header;
        std::string cell;  // "C3" or "column 3"
        Resolution resolution;
    };
    std::vector<Diagnostic> describe(const std::vector<Problem>& problems, const std::string& source) const;

private:
    struct Entry {
        std::string key;  // vn::match_key of a name
        int rank = 0;     // 0: path or alias, 1: title, 2: title with the parent's title
        std::string dotted;
        nlohmann::json path;
        std::string name;   // the name as the schema writes it
        std::string shown;  // the field as an English message shows it: "Họ tên (person.full_name)"
    };
    void collect(const nlohmann::json* node, const nlohmann::json& path, const std::string& dotted,
                 const std::string& parent_title, int depth);
    std::optional<Resolution> by_name(std::string_view header) const;
    std::optional<Resolution> by_path(std::string_view header) const;

    const nlohmann::json* schema_ = nullptr;
    const nlohmann::json* base_ = nullptr;
    std::vector<Entry> entries_;
    std::vector<std::string> required_, optional_, rest_;  // expected(): the names to write, required fields first
};

}  // namespace vanban::batch
