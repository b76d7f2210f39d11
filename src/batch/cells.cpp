#include "batch/cells.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

namespace vanban::batch {

namespace {

bool digits_only(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Every group after the first has three digits ("1.234.567").
bool thousands_groups(std::string_view s, char separator) {
    std::size_t start = 0;
    bool first = true;
    while (true) {
        const auto end = s.find(separator, start);
        const auto group = s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!digits_only(group) || (first ? group.size() > 3 || group.front() == '0' : group.size() != 3)) return false;
        first = false;
        if (end == std::string_view::npos) return true;
        start = end + 1;
    }
}

std::optional<double> plain_number(const std::string& s) {
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<int> small_number(std::string_view s, std::size_t min_digits, std::size_t max_digits) {
    if (!digits_only(s) || s.size() < min_digits || s.size() > max_digits) return std::nullopt;
    int v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::optional<double> parse_cell_number(std::string_view text) {
    std::string s;
    for (char c : text)
        if (c != ' ' && c != '\t') s += c;
    // A no-break space (U+00A0) or narrow no-break space (U+202F) between groups, as spreadsheets format them.
    for (const char* nbsp : {"\xC2\xA0", "\xE2\x80\xAF"})
        for (std::size_t p; (p = s.find(nbsp)) != std::string::npos;) s.erase(p, std::char_traits<char>::length(nbsp));
    bool percent = false;
    if (!s.empty() && s.back() == '%') {
        percent = true;
        s.pop_back();
    }
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.erase(0, 1);
    }
    if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
    const auto dot = s.rfind('.'), comma = s.rfind(',');
    std::string integer, fraction;
    if (dot != std::string::npos && comma != std::string::npos) {
        // Both: the later one is the decimal mark, the other separates thousands.
        const char decimal = dot > comma ? '.' : ',';
        const char group = decimal == '.' ? ',' : '.';
        const auto at = s.rfind(decimal);
        if (!thousands_groups(std::string_view(s).substr(0, at), group)) return std::nullopt;
        integer = s.substr(0, at);
        integer.erase(std::remove(integer.begin(), integer.end(), group), integer.end());
        fraction = s.substr(at + 1);
    } else if (dot != std::string::npos || comma != std::string::npos) {
        const char mark = dot != std::string::npos ? '.' : ',';
        const auto count = std::count(s.begin(), s.end(), mark);
        const auto at = s.rfind(mark);
        if (count > 1 || (mark == '.' && s.size() - at - 1 == 3)) {
            if (!thousands_groups(s, mark)) {
                if (count > 1) return std::nullopt;
                integer = s.substr(0, at);  // "0.125": a leading zero is never a thousands group
                fraction = s.substr(at + 1);
            } else {
                integer = s;
                integer.erase(std::remove(integer.begin(), integer.end(), mark), integer.end());
            }
        } else {
            integer = s.substr(0, at);
            fraction = s.substr(at + 1);
        }
    } else {
        integer = s;
    }
    if (integer.empty()) integer = "0";
    if (!digits_only(integer) || (!fraction.empty() && !digits_only(fraction))) return std::nullopt;
    auto v = plain_number(integer + (fraction.empty() ? "" : "." + fraction));
    if (!v) return std::nullopt;
    double value = negative ? -*v : *v;
    if (percent) value /= 100;
    return value;
}

std::optional<vn::Date> parse_cell_date(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (auto d = vn::parse_date(text); d && d->day != 0) return d;
    const auto separator = text.find_first_of("/-.");
    if (separator == std::string_view::npos) return std::nullopt;
    const char mark = text[separator];
    const auto second = text.find(mark, separator + 1);
    if (second == std::string_view::npos || text.find(mark, second + 1) != std::string_view::npos) return std::nullopt;
    const auto day = small_number(text.substr(0, separator), 1, 2);
    const auto month = small_number(text.substr(separator + 1, second - separator - 1), 1, 2);
    const std::string_view year_text = text.substr(second + 1);
    auto year = small_number(year_text, 2, 4);
    if (!day || !month || !year || year_text.size() == 3) return std::nullopt;
    if (year_text.size() == 2) *year += *year < 50 ? 2000 : 1900;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (*month < 1 || *month > 12 || *day < 1 || *year < 1) return std::nullopt;
    const int last = kDays[*month - 1] + (*month == 2 && leap(*year) ? 1 : 0);
    if (*day > last) return std::nullopt;
    return vn::Date{*year, *month, *day};
}

std::optional<nlohmann::json> match_enum(std::string_view text, const std::vector<EnumChoice>& choices) {
    for (const auto& c : choices)
        if (c.value.is_string() && c.value.get<std::string>() == text) return c.value;
    const std::string key = vn::match_key(text);
    if (key.empty()) return std::nullopt;
    for (const auto& c : choices)
        if (c.value.is_string() && vn::match_key(c.value.get<std::string>()) == key) return c.value;
    for (const auto& c : choices)
        if (!c.label.empty() && vn::match_key(c.label) == key) return c.value;
    return std::nullopt;
}

}  // namespace vanban::batch
