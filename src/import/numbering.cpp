#include "import/numbering.hpp"

#include <algorithm>

#include "core/ascii.hpp"
#include "core/vn.hpp"
#include "docx/ooxml_names.hpp"
#include "import/xml_util.hpp"

namespace vanban::import {
namespace {

using ooxml::kW;
constexpr int kMaxNumber = 100'000;  // larger counters are printed as they are, never expanded (roman, letters)

bool is_w(const xmlNode* n, const char* local) { return is_element(n, kW, local); }
std::string w_val(const xmlNode* n, const char* name = "val") { return attribute(n, kW, name).value_or(""); }

}  // namespace

std::string format_number(int n, const std::string& format) {
    if (n < 1 || n > kMaxNumber) return std::to_string(n);
    if (format == "I" || format == "upperRoman") return vn::roman(n).value_or(std::to_string(n));
    if (format == "i" || format == "lowerRoman") {
        return core::ascii_lower(vn::roman(n).value_or(std::to_string(n)));
    }
    if (format == "a" || format == "A" || format == "lowerLetter" || format == "upperLetter") {
        const char base = format == "A" || format == "upperLetter" ? 'A' : 'a';
        // Word and LibreOffice: a … z, then aa … zz, aaa …
        const int repeat = (n - 1) / 26 + 1;
        return std::string(static_cast<std::size_t>(std::min(repeat, 10)), static_cast<char>(base + (n - 1) % 26));
    }
    if (format == "none" || format.empty()) return "";
    return std::to_string(n);
}

std::string bullet_symbol(const std::string& printed, int level) {
    if (printed == "-" || printed == "+") return printed;
    if (printed == "\xE2\x80\x93" || printed == "\xE2\x80\x94") return "-";  // – —
    return level == 0 ? "-" : "+";
}

void Numbering::read_docx(const xmlNode* root) {
    if (!root) return;
    for (const xmlNode* n = root->children; n; n = n->next) {
        if (is_w(n, "abstractNum")) {
            Abstract a;
            for (const xmlNode* l = n->children; l; l = l->next) {
                if (!is_w(l, "lvl")) continue;
                const int ilvl = small_number(w_val(l, "ilvl"), -1);
                if (ilvl < 0 || ilvl > 8) continue;
                Level& level = a.levels[static_cast<std::size_t>(ilvl)];
                for (const xmlNode* p = l->children; p; p = p->next) {
                    if (is_w(p, "start")) level.start = small_number(w_val(p), 1);
                    else if (is_w(p, "numFmt")) level.format = w_val(p);
                    else if (is_w(p, "lvlText")) level.text = w_val(p);
                }
            }
            abstracts_[small_number(w_val(n, "abstractNumId"), -1)] = a;
        } else if (is_w(n, "num")) {
            Instance inst;
            for (const xmlNode* c = n->children; c; c = c->next) {
                if (is_w(c, "abstractNumId")) inst.abstract_id = small_number(w_val(c), -1);
                if (!is_w(c, "lvlOverride")) continue;
                for (const xmlNode* o = c->children; o; o = o->next)
                    if (is_w(o, "startOverride"))
                        inst.start_overrides[small_number(w_val(c, "ilvl"), 0)] = small_number(w_val(o), 1);
            }
            instances_[small_number(w_val(n, "numId"), -1)] = inst;
        }
    }
}

std::optional<std::string> Numbering::docx_label(int num_id, int ilvl) {
    const auto inst = instances_.find(num_id);
    if (inst == instances_.end() || ilvl < 0 || ilvl > 8) return std::nullopt;
    const auto abs = abstracts_.find(inst->second.abstract_id);
    if (abs == abstracts_.end()) return std::nullopt;
    Abstract& a = abs->second;
    // Instances of one abstract list share its counters (as in Word); an instance that overrides a start restarts
    // those levels when it is first used.
    if (!inst->second.used) {
        inst->second.used = true;
        for (const auto& [level, start] : inst->second.start_overrides)
            if (level >= 0 && level <= 8) a.counters[static_cast<std::size_t>(level)] = start - 1;
    }
    const auto at = static_cast<std::size_t>(ilvl);
    const Level& level = a.levels[at];
    if (a.counters[at] == 0 && level.start != 1) a.counters[at] = level.start - 1;
    if (a.counters[at] < kMaxNumber) ++a.counters[at];
    for (std::size_t k = at + 1; k < a.counters.size(); ++k) a.counters[k] = 0;
    if (level.format == "bullet") return bullet_symbol(level.text, ilvl);
    if (level.format == "none") return std::nullopt;
    std::string label;
    for (std::size_t i = 0; i < level.text.size(); ++i) {
        const char c = level.text[i];
        if (c == '%' && i + 1 < level.text.size() && level.text[i + 1] >= '1' && level.text[i + 1] <= '9') {
            const auto k = static_cast<std::size_t>(level.text[i + 1] - '1');
            const int value = a.counters[k] == 0 ? a.levels[k].start : a.counters[k];
            label += format_number(value, a.levels[k].format);
            ++i;
        } else {
            label += c;
        }
    }
    if (label.empty()) return std::nullopt;
    return label;
}

}  // namespace vanban::import
