#include "core/line_balance.hpp"

#include <set>
#include <string>
#include <vector>

#include "core/vn.hpp"

namespace vanban::vn {
namespace {

// Word processors measure with hinting and kerning the metrics do not model: a line is planned this much narrower
// than the box so that it does not wrap again.
constexpr double kSafety = 0.97;
constexpr std::size_t kSearchBudget = 5000;  // sets of breaks the exact search may try
constexpr std::size_t kSearchWords = 40;     // titles, names and captions; longer text is planned by the DP alone
constexpr std::size_t kSearchLines = 4;
constexpr const char* kNoBreakSpace = "\xC2\xA0";  // U+00A0 in UTF-8

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

// Words that lead what follows them: a line does not end with one, and a break before one is a good break.
bool leads_next(const std::string& word) {
    static const std::set<std::string> kLeading{"và",    "của",  "về",  "cho",   "với",  "tại",
                                                "trong", "theo", "các", "những", "thuộc"};
    return kLeading.count(lower(word)) > 0;
}

std::vector<bool> leading_flags(const std::vector<std::string>& words) {
    std::vector<bool> flags;
    flags.reserve(words.size());
    for (const auto& word : words) flags.push_back(leads_next(word));
    return flags;
}

// How much worse a line is than its width says, in ems of the font. Vietnamese words are mostly two syllables, so a
// line of an odd number of syllables (leading words not counted) has likely split one ("CÔNG TY ĐIỆN / LỰC NINH
// BÌNH"), unless it ends at a comma or before a leading word, or starts with one; a line that ends on a leading word,
// or one word after it ("… CỦA BỘ / TRƯỞNG …"), cuts the phrase the leading word opens.
double line_penalty(const std::vector<std::string>& words, const std::vector<bool>& leading, std::size_t from,
                    std::size_t to) {
    const std::string& last = words[to - 1];
    const bool more = to < words.size();
    const bool sense_ends = more && (last.back() == ',' || last.back() == ';' || leading[to]);
    std::size_t syllables = 0;  // of its content words: a leading word stands alone
    for (std::size_t k = from; k < to; ++k) syllables += leading[k] ? 0 : 1;
    double penalty = 0;
    if (syllables % 2 == 1 && !sense_ends && !leading[from]) penalty += 2.5;
    if (more && leading[to - 1]) penalty += 4;
    if (more && to - from >= 2 && leading[to - 2]) penalty += 2.5;  // "… CỦA BỘ / TRƯỞNG …"
    if (sense_ends) penalty -= 1;
    return penalty;
}

// How good a set of lines is, compared in this order: fewer lone words, fewer lines, a shorter longest line counting
// its penalty, a shorter longest line.
struct Cost {
    std::size_t lone = 0;
    std::size_t lines = 0;
    double judged = 0;
    double longest = 0;
    bool operator<(const Cost& o) const {
        if (lone != o.lone) return lone < o.lone;
        if (lines != o.lines) return lines < o.lines;
        if (judged != o.judged) return judged < o.judged;
        return longest < o.longest;
    }
};

using Ends = std::vector<std::size_t>;  // where each line ends (word index past its last word)

// The lines of a part and what they are measured by. Widths are sums of advances (text_width_twips models no
// kerning), so a line's width is its words' widths and its spaces': each word is measured once.
class Plan {
public:
    Plan(const std::vector<std::string>& part_words, const LineBox& line_box)
        : words(part_words),
          box(line_box),
          room(line_box.width_twips * kSafety),
          leading(leading_flags(part_words)),
          space_(text_width_twips(" ", line_box.size_pt, line_box.bold, line_box.italic)) {
        prefix_.reserve(words.size() + 1);
        prefix_.push_back(0);
        for (const auto& word : words)
            prefix_.push_back(prefix_.back() + text_width_twips(word, box.size_pt, box.bold, box.italic));
    }

    const std::vector<std::string>& words;
    const LineBox& box;
    const double room;
    const std::vector<bool> leading;  // leads_next of each word, asked once (it lower-cases with ICU)

    double width(std::size_t from, std::size_t to) const {
        return prefix_[to] - prefix_[from] + static_cast<double>(to - from - 1) * space_;
    }
    bool fits(std::size_t from, std::size_t to) const { return to == from + 1 || width(from, to) <= room; }
    Cost cost(const Ends& ends) const {
        Cost c;
        std::size_t from = 0;
        for (std::size_t to : ends) {
            const double w = width(from, to);
            c.lone += to == from + 1 ? 1 : 0;
            c.lines += 1;
            c.judged = std::max(c.judged, w + line_penalty(words, leading, from, to) * box.size_pt * 20);
            c.longest = std::max(c.longest, w);
            from = to;
        }
        return c;
    }

private:
    double space_;
    std::vector<double> prefix_;  // width of words[0..k)
};

// Few lone words and few lines, by dynamic programming over where the first line of each suffix ends (the width
// terms are then close, not exact): the plan for long text and the number of lines the exact search keeps to.
Ends plan_quickly(const Plan& plan) {
    const std::size_t n = plan.words.size();
    std::vector<Cost> best(n + 1);
    std::vector<std::size_t> next(n + 1, n);
    std::vector<bool> reachable(n + 1, false);
    reachable[n] = true;
    for (std::size_t i = n; i-- > 0;) {
        for (std::size_t j = i + 1; j <= n && plan.fits(i, j); ++j) {  // longer lines only get wider
            if (!reachable[j]) continue;
            Cost c = best[j];
            const double w = plan.width(i, j);
            c.lone += j == i + 1 ? 1 : 0;
            c.lines += 1;
            c.judged = std::max(c.judged, w + line_penalty(plan.words, plan.leading, i, j) * plan.box.size_pt * 20);
            c.longest = std::max(c.longest, w);
            if (!reachable[i] || !(best[i] < c)) {  // on a tie the later break: a centred title's first line the longer
                best[i] = c;
                next[i] = j;
                reachable[i] = true;
            }
        }
    }
    Ends ends;
    for (std::size_t i = 0; i < n; i = next[i]) ends.push_back(next[i]);
    return ends;
}

// Every way of setting the words in `lines` lines, the best kept in *best (on a tie the later first break); false
// when there are more than `budget` of them to try.
bool search(const Plan& plan, std::size_t from, std::size_t lines, Ends& ends, Ends& best, Cost& best_cost,
            std::size_t& budget) {
    const std::size_t n = plan.words.size();
    if (lines == 1) {
        if (!plan.fits(from, n)) return true;
        if (budget == 0) return false;
        --budget;
        ends.push_back(n);
        const Cost c = plan.cost(ends);
        if (best.empty() || !(best_cost < c)) {
            best = ends;
            best_cost = c;
        }
        ends.pop_back();
        return true;
    }
    for (std::size_t to = from + 1; to + lines - 1 <= n && plan.fits(from, to); ++to) {
        ends.push_back(to);
        const bool within = search(plan, to, lines - 1, ends, best, best_cost, budget);
        ends.pop_back();
        if (!within) return false;
    }
    return true;
}

std::string balance_part(std::string_view part, const LineBox& box) {
    const std::vector<std::string> words = words_of(part);
    const Plan plan(words, box);
    const std::size_t n = words.size();
    if (n < 2 || n > kMaxBalancedWords || plan.width(0, n) <= plan.room) return std::string(part);
    Ends ends = plan_quickly(plan);
    // Titles, names and captions are short: try every set of breaks with that many lines, within a bounded budget.
    Ends exact, trial;
    Cost exact_cost;
    std::size_t budget = kSearchBudget;
    const bool short_text = n <= kSearchWords && ends.size() <= kSearchLines;
    if (short_text && search(plan, 0, ends.size(), trial, exact, exact_cost, budget) && !exact.empty()) ends = exact;
    // The planned lines are glued with no-break spaces and joined by ordinary ones: the word processor can break only
    // between them, and the text stays one line of text (search, copy, import see the words as they are).
    std::string out;
    std::size_t from = 0;
    for (std::size_t to : ends) {
        if (from > 0) out += ' ';
        for (std::size_t k = from; k < to; ++k) out += (k == from ? "" : kNoBreakSpace) + words[k];
        from = to;
    }
    return out;
}

}  // namespace

std::string balance_lines(std::string_view text, const LineBox& box) {
    std::string out;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find('\n', start);
        const std::size_t length = end == std::string_view::npos ? std::string_view::npos : end - start;
        out += balance_part(text.substr(start, length), box);
        if (end == std::string_view::npos) break;
        out += '\n';
        start = end + 1;
    }
    return out;
}

}  // namespace vanban::vn
