// Values as people type them in a spreadsheet cell: numbers with Vietnamese or English separators ("1.234,5",
// "1,234.5", "1 234", "12,5%"), dates written day first ("5/3/2024", "05-03-24", "05.03.2024") and enum values in any
// case or by their Vietnamese label ("nữ" → "Nữ", "Cá nhân" → "individual").
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch/columns.hpp"
#include "core/vn.hpp"

namespace vanban::batch {

// A number written with a decimal comma or point, thousands separators (".", ",", spaces) and an optional "%"
// (a percentage is the fraction: "12,5%" → 0.125). With both marks the later one is the decimal mark. A lone ","
// is the decimal mark ("1,5" → 1.5, as written in Vietnam); a lone "." followed by exactly three digits separates
// thousands ("1.234" → 1234), otherwise it is the decimal mark ("0.5", "1.72"). Several of the same mark separate
// thousands ("1.234.567", "1,234,567").
std::optional<double> parse_cell_number(std::string_view text);

// A date written "yyyy-mm-dd", "d/m/yyyy", "d-m-yyyy", "d.m.yyyy" or with a two-digit year ("5/3/24": 2024; years
// 50–99 are the 1900s). nullopt when it is no real calendar date.
std::optional<vn::Date> parse_cell_date(std::string_view text);

// The enum value a cell means: the value itself, the value in another case, or its label; nullopt when none.
std::optional<nlohmann::json> match_enum(std::string_view text, const std::vector<EnumChoice>& choices);

}  // namespace vanban::batch
