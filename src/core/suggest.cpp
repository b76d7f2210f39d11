#include "vanban/diagnostic.hpp"

#include <algorithm>

#include "core/vn.hpp"

namespace vanban {

namespace {

// Letters and digits only, lower case, diacritics dropped: vn::slug without its dashes.
std::string folded(std::string_view name) {
    std::string s = vn::slug(name);
    std::erase(s, '-');
    return s;
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours ("titel") cost 1.
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest_name(std::string_view typed, const std::vector<std::string>& known) {
    constexpr std::size_t kLongest = 200;  // names longer than this are not names: no suggestion, bounded work
    if (typed.size() > kLongest || std::find(known.begin(), known.end(), typed) != known.end()) return std::nullopt;
    const std::string wanted = folded(typed);
    std::optional<std::string> best;
    std::size_t best_distance = wanted.size() / 3 + 1;
    for (const auto& name : known) {
        if (name.size() > kLongest) continue;
        const std::size_t d = edit_distance(wanted, folded(name));
        if (d < best_distance) {
            best = name;
            best_distance = d;
        }
    }
    return best;
}

}  // namespace vanban
