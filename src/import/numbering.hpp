// Automatic numbering as a word processor prints it: Word's numbering.xml (abstract lists, instances, start
// overrides, counters that restart below a higher level) and OpenDocument list styles. The label comes out as
// text ("II.", "2.1.", "a)", "-"), so a list numbered by Word reads like one typed by hand.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>

#include <libxml/tree.h>

namespace vanban::import {

// "1" decimal, "I"/"i" roman, "A"/"a" Latin letters (a b c … z, aa …) as Word and LibreOffice count.
std::string format_number(int n, const std::string& format);
// A bullet character as the plan's symbols: "-" at the first level, "+" deeper, unless it is already one of them.
std::string bullet_symbol(const std::string& printed, int level);

class Numbering {
public:
    void read_docx(const xmlNode* numbering_root);
    // The label of the next paragraph of list `num_id` at level `ilvl` (counting it); none for an unknown list.
    std::optional<std::string> docx_label(int num_id, int ilvl);

private:
    struct Level {
        int start = 1;
        std::string format = "decimal";
        std::string text;  // lvlText, "%1.%2."
    };
    struct Abstract {
        std::array<Level, 9> levels;
        std::array<int, 9> counters{};  // 0: not counted yet
    };
    struct Instance {
        int abstract_id = -1;
        std::map<int, int> start_overrides;
        bool used = false;
    };
    std::map<int, Abstract> abstracts_;
    std::map<int, Instance> instances_;
};

}  // namespace vanban::import
