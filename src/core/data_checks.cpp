#include "core/data_checks.hpp"

#include <stdexcept>

#include "core/outline.hpp"

namespace vanban::core {

using nlohmann::json;

vn::Date date_value(const json& j) {
    if (j.is_string()) {
        auto d = vn::parse_date(j.get_ref<const std::string&>());
        if (!d) throw std::invalid_argument("'" + j.get<std::string>() + "' is not a date");
        return *d;
    }
    if (j.is_object()) {
        vn::Date d;
        auto num = [&](const char* k) -> int {
            auto it = j.find(k);
            if (it == j.end() || it->is_null()) return 0;
            if (it->is_number_integer() && it->get<long long>() >= -100000 && it->get<long long>() <= 100000)
                return it->get<int>();
            if (it->is_string() && it->get_ref<const std::string&>().empty()) return 0;
            throw std::invalid_argument(std::string("date.") + k + " must be a whole number or blank");
        };
        d.year = num("year");
        d.month = num("month");
        d.day = num("day");
        // {"year": null}: a draft whose year is not known yet ("năm 20…"); its day and month are blank too.
        const auto year = j.find("year");
        const bool draft = year != j.end() && year->is_null();
        if (draft && (d.month != 0 || d.day != 0))
            throw std::invalid_argument("a date with a day or month needs a year");
        if (d.year <= 0 && !draft) throw std::invalid_argument("a date needs a year");
        if (d.month < 0 || d.month > 12) throw std::invalid_argument("month must be 1–12 or blank");
        if (d.day < 0 || d.day > 31) throw std::invalid_argument("day must be 1–31 or blank");
        return d;
    }
    throw std::invalid_argument("a date must be a string YYYY-MM-DD or an object {year, month, day}");
}

std::optional<DataProblem> date_problem(const json& value) {
    try {
        static_cast<void>(vn::decree_date(date_value(value)));
        return std::nullopt;
    } catch (const std::invalid_argument& e) {
        std::string shown = value.is_string() ? "\"" + value.get<std::string>() + "\"" : value.dump();
        const bool yearless = value.is_object() && value.contains("year") && value["year"].is_null();
        if (yearless) {
            return DataProblem{"", "data.date", e.what(),
                               "bản dự thảo chưa có năm thì ngày và tháng cũng để trống (in ra \"ngày … tháng … năm "
                               "20…\") — hãy xóa ngày, tháng hoặc điền năm"};
        }
        return DataProblem{"", "data.date", e.what(),
                           "ngày " + shown +
                               " không có trong lịch — hãy kiểm tra lại ngày và tháng (ví dụ tháng 2 "
                               "chỉ có 28 ngày, hoặc 29 ngày vào năm nhuận)"};
    }
}

std::optional<DataProblem> outline_problem(const json& body, const json& numbering) {
    try {
        static_cast<void>(outline::flatten(body.is_array() ? body : json::array({body}), numbering));
        return std::nullopt;
    } catch (const outline::OutlineError& e) {
        return DataProblem{body.is_array() ? e.pointer : "", "data.outline", e.what(),
                           e.message_vi.empty() ? "cách ghi phần nội dung này chưa đúng" : e.message_vi};
    } catch (const std::invalid_argument& e) {
        return DataProblem{"", "data.outline", e.what(), "cách đánh số phần nội dung chưa đúng"};
    }
}

}  // namespace vanban::core
