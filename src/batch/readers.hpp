// The record readers of each format, opened by open_records (records.cpp). Each takes the records file and the
// reader options and gives a RecordReader; `count_only` readers skip building the records (a fast counting pass).
// Each throws vanban::Error before any record is read when the file cannot be used at all.
#pragma once

#include <memory>
#include <string>

#include "batch/records.hpp"

namespace vanban::batch::detail {

std::unique_ptr<RecordReader> open_csv(const std::string& path, const ReaderOptions& options, bool count_only);
std::unique_ptr<RecordReader> open_json_array(const std::string& path, const ReaderOptions& options, bool count_only);
std::unique_ptr<RecordReader> open_json_lines(const std::string& path, const ReaderOptions& options, bool count_only);
std::unique_ptr<RecordReader> open_xlsx(const std::string& path, const ReaderOptions& options, bool count_only);

}  // namespace vanban::batch::detail
