// Recognising a KẾ HOẠCH (Decree 30/2020/NĐ-CP, Mẫu 1.4) in the paragraphs of a document: header, title, căn cứ,
// opening, the numbered body, closing, Nơi nhận, signature and appendix tables, into data for
// templates/ke-hoach/schema.json. See docs/import.md for every rule.
#pragma once

#include <string>
#include <vector>

#include "import/document.hpp"
#include "vanban/import.hpp"

namespace vanban::import {

// Throws vanban::Error (code "import.not_a_plan") when no paragraph reads "KẾ HOẠCH".
ImportResult recognise_plan(std::vector<Paragraph> paragraphs, const std::string& source);

}  // namespace vanban::import
