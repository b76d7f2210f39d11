// How the plan recogniser reads one line of text: white space squashed, emphasis marks dropped, letter case, word
// counts, and the label typed (or printed by automatic numbering) in front of a paragraph ("II.", "2.1.", "đ)",
// "- +"). Takes text; gives cleaned text, facts about it, or a Label. Shared by the recogniser's parts
// (recognise.cpp, recognise_header.cpp, recognise_body.cpp, recognise_closing.cpp, recognise_appendix.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vanban::import::plan {

// White space runs (no-break spaces and line breaks too) as one space, none at the ends.
std::string squash(std::string_view s);
std::string without_stars(std::string s);
std::vector<std::string> lines_of(const std::string& s);
// The line as the recogniser compares it: emphasis marks of a text file dropped, white space squashed.
std::string clean(const std::string& line);

bool has_letter(const std::string& s);
bool is_upper_text(const std::string& s);
bool starts_with_lower(const std::string& s, std::string_view prefix);
// The first words, for a person to find the place: at most about 60 bytes, cut between characters.
std::string first_words(const std::string& text);
int word_count(const std::string& s);
bool ends_sentence(const std::string& s);
bool starts_lower_or_digit(const std::string& s);
// The ASCII digits at byte `i` (at most `max`), `i` moved past them.
std::string digits_at(const std::string& s, std::size_t& i, std::size_t max);
std::size_t skip_blanks(const std::string& s, std::size_t i);
// "Căn cứ …", "Thực hiện …": a paragraph that reads like a legal basis or the instruction a plan carries out.
bool legal_basis_like(const std::string& s);

struct Label {
    enum class Kind { none, roman, arabic, decimal, letter, bullet, paren };
    Kind kind = Kind::none;
    int number = 0;       // roman, arabic, decimal (its last part), letter (1 = a … 5 = đ; 0: not a decree letter)
    int first = 0;        // decimal: the parent's number
    std::string symbol;   // bullet
    std::string printed;  // as printed, "2.1.", "đ)"
    std::size_t length = 0;  // bytes of the label and the spaces after it
};

std::optional<int> roman_value(const std::string& s);
// The label in front of `s`; Kind::none when there is none (a label needs a space and text after it).
Label parse_label(const std::string& s);
// The data's numbering scheme of a label kind ("roman", "arabic", "decimal", "letter", "paren"); "" for the others.
std::string scheme_of(Label::Kind k);
// Outer schemes first: roman 0 … paren 4.
int rank_of(const std::string& scheme);
// The label the ke-hoach template generates for number `n` of `scheme` (`parent`: the khoản of a decimal).
std::string label_for(const std::string& scheme, int n, int parent);

}  // namespace vanban::import::plan
