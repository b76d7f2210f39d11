// `vanban sheet TEMPLATE -o mau.xlsx`: the workbook to fill for a template's batch, generated from its JSON Schema
// with libxlsxwriter: a "Danh sách" sheet with one column per field (Vietnamese headers the batch reader recognises,
// a comment holding the field's help, drop-down lists for enums, date-formatted date columns, required columns marked
// with *, the header row frozen) and the template's example as the first row; one more sheet per list field
// (achievements, emulation titles, awards …) keyed by the "STT" column; and a "Hướng dẫn" sheet saying how to fill it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "vanban/export.h"

namespace vanban::batch {

struct SheetOptions {
    nlohmann::json schema;       // the template's JSON Schema
    std::string schema_text;     // the same as written: its order of fields is the order of the columns
    nlohmann::json example;      // a filled-in record (the template's example): it chooses the optional fields shown
                                 // and fills the first row; null: every field, no example row
    std::string template_name;   // "bao-cao-thanh-tich-ca-nhan", for the instructions
    std::string template_title;  // "Báo cáo thành tích cá nhân"
};

// The .xlsx bytes. Throws vanban::Error (io when libxlsxwriter cannot write its temporary file).
VANBAN_API std::string make_sheet(const SheetOptions& options);

// The workbook for a bundled template (or a template file/directory with `schema_path`): its schema, its example as
// the first row. Throws vanban::Error (usage, code batch.no_schema) when there is no schema to build it from.
VANBAN_API std::string make_template_sheet(const std::string& template_name_or_path,
                                           const std::string& schema_path = {});

}  // namespace vanban::batch
