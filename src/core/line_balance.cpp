#include "core/line_balance.hpp"

#include <limits>
#include <vector>

#include "core/vn.hpp"

namespace vanban::vn {
namespace {

// Word processors measure with hinting and kerning the metrics do not model: a line is planned this much narrower
// than the box so that it does not wrap again.
constexpr double kSafety = 0.97;

std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r') {
            if (!word.empty()) words.push_back(std::move(word));
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

std::string joined(const std::vector<std::string>& words, std::size_t from, std::size_t to) {
    std::string line;
    for (std::size_t k = from; k < to; ++k) line += (k == from ? "" : " ") + words[k];
    return line;
}

// How good a set of lines is, compared in this order: fewer lone words, fewer lines, a shorter longest line.
struct Cost {
    std::size_t lone = 0;
    std::size_t lines = 0;
    double longest = 0;
    bool operator<(const Cost& o) const {
        if (lone != o.lone) return lone < o.lone;
        if (lines != o.lines) return lines < o.lines;
        return longest < o.longest;
    }
};

std::string balance_part(std::string_view part, const LineBox& box) {
    const std::vector<std::string> words = words_of(part);
    const double room = box.width_twips * kSafety;
    const auto width = [&](std::size_t from, std::size_t to) {
        return text_width_twips(joined(words, from, to), box.size_pt, box.bold, box.italic);
    };
    const std::size_t n = words.size();
    if (n < 2 || n > kMaxBalancedWords || width(0, n) <= room) return std::string(part);
    // best[i]: the best way to set words[i..n); next[i]: where its first line ends.
    std::vector<Cost> best(n + 1);
    std::vector<std::size_t> next(n + 1, n);
    std::vector<bool> reachable(n + 1, false);
    reachable[n] = true;
    for (std::size_t i = n; i-- > 0;) {
        for (std::size_t j = i + 1; j <= n; ++j) {
            const double w = width(i, j);
            if (w > room && j > i + 1) break;  // longer lines only get wider (one over-long word still takes a line)
            if (!reachable[j]) continue;
            Cost c = best[j];
            c.lone += (j == i + 1) ? 1 : 0;
            c.lines += 1;
            c.longest = std::max(c.longest, w);
            if (!reachable[i] || !(best[i] < c)) {  // on a tie the later break: a centred title's first line the longer
                best[i] = c;
                next[i] = j;
                reachable[i] = true;
            }
        }
    }
    std::string out;
    for (std::size_t i = 0; i < n; i = next[i]) out += (i == 0 ? "" : "\n") + joined(words, i, next[i]);
    return out;
}

}  // namespace

std::string balance_lines(std::string_view text, const LineBox& box) {
    std::string out;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find('\n', start);
        out += balance_part(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start), box);
        if (end == std::string_view::npos) break;
        out += '\n';
        start = end + 1;
    }
    return out;
}

}  // namespace vanban::vn
