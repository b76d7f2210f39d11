// Checks the render makes on data values, as functions `validate` calls too: what validate calls valid renders.
// The filters (decree_date, short_date, outline) use the same functions, so the two cannot drift apart.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/vn.hpp"

namespace vanban::core {

struct DataProblem {
    std::string pointer;     // relative to the value checked ("" = the value itself)
    std::string code;        // docs/messages.md
    std::string message;     // English
    std::string message_vi;  // Vietnamese, without the field's label (the caller puts it in front)
};

// The date a value stands for, as decree_date and short_date read it: "2022-03-10", "2022-03", "10/3/2022", or
// {year, month, day} with a blank (null, "") day or month. Throws std::invalid_argument (English) when it is none.
vn::Date date_value(const nlohmann::json& value);

// Why decree_date/short_date cannot print `value` (a date that does not exist, such as 30/02); nullopt when they can.
std::optional<DataProblem> date_problem(const nlohmann::json& value);

// Why the outline filter cannot number `body` with `numbering` (more levels than schemes, a 24th điểm, …); nullopt
// when it can. A text body counts as one paragraph, as the templates print it.
std::optional<DataProblem> outline_problem(const nlohmann::json& body, const nlohmann::json& numbering);

}  // namespace vanban::core
