#include "import/recognise.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "core/vn.hpp"

namespace vanban::import {
namespace {

using json = nlohmann::json;

// ----- text helpers

bool is_space_at(std::string_view s, std::size_t i, std::size_t& width) {
    width = 1;
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') return true;
    if (s.substr(i, 2) == "\xC2\xA0") {  // no-break space
        width = 2;
        return true;
    }
    return false;
}

// White space runs (no-break spaces and line breaks too) as one space, none at the ends.
std::string squash(std::string_view s) {
    std::string out;
    bool space = false;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t w = 1;
        if (is_space_at(s, i, w)) {
            space = true;
        } else {
            if (space && !out.empty()) out += ' ';
            space = false;
            out += s[i];
        }
        i += w;
    }
    return out;
}

std::string without_stars(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), '*'), s.end());
    return s;
}

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at <= s.size()) {
        std::size_t end = s.find('\n', at);
        if (end == std::string::npos) end = s.size();
        out.push_back(s.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

// The line as the recogniser compares it: emphasis marks of a text file dropped, white space squashed.
std::string clean(const std::string& line) { return squash(without_stars(line)); }

bool has_letter(const std::string& s) { return vn::lower(s) != vn::upper(s); }
bool is_upper_text(const std::string& s) { return has_letter(s) && vn::upper(s) == s; }
bool starts_with_lower(const std::string& s, std::string_view prefix) { return vn::lower(s).starts_with(prefix); }

std::size_t utf8_length_at(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

// The first words, for a person to find the place: at most about 60 bytes, cut between characters.
std::string first_words(const std::string& text) {
    const std::string s = squash(text);
    if (s.size() <= 60) return s;
    std::size_t end = 0;
    while (end < s.size() && end < 60) end += utf8_length_at(s, end);
    const std::size_t space = s.rfind(' ', end);
    if (space != std::string::npos && space > 30) end = space;
    return s.substr(0, std::min(end, s.size())) + "…";
}

int word_count(const std::string& s) {
    const std::string t = squash(s);
    return t.empty() ? 0 : static_cast<int>(std::count(t.begin(), t.end(), ' ')) + 1;
}

bool ends_sentence(const std::string& s) {
    const std::string t = squash(s);
    if (t.empty()) return true;
    const char c = t.back();
    return c == '.' || c == ';' || c == ':' || c == '!' || c == '?';
}

bool starts_lower_or_digit(const std::string& s) {
    if (s.empty()) return false;
    if (s[0] >= '0' && s[0] <= '9') return true;
    const std::string first = s.substr(0, utf8_length_at(s, 0));
    return vn::lower(first) == first && vn::upper(first) != first;
}

std::string digits_at(const std::string& s, std::size_t& i, std::size_t max) {
    std::string d;
    while (i < s.size() && d.size() < max && s[i] >= '0' && s[i] <= '9') d += s[i++];
    return d;
}

std::size_t skip_blanks(const std::string& s, std::size_t i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    return i;
}

// ----- labels typed (or printed by automatic numbering) in front of a paragraph

struct Label {
    enum class Kind { none, roman, arabic, decimal, letter, bullet, paren };
    Kind kind = Kind::none;
    int number = 0;       // roman, arabic, decimal (its last part), letter (1 = a … 5 = đ; 0: not a decree letter)
    int first = 0;        // decimal: the parent's number
    std::string symbol;   // bullet
    std::string printed;  // as printed, "2.1.", "đ)"
    std::size_t length = 0;  // bytes of the label and the spaces after it
};

int letter_number(const std::string& letter) {
    for (int n = 1; n <= 23; ++n)
        if (vn::diem_letter(n) == letter) return n;
    return 0;
}

std::optional<int> roman_value(const std::string& s) {
    if (s.empty() || s.size() > 8) return std::nullopt;
    for (int n = 1; n < 100; ++n)
        if (vn::roman(n) == s) return n;
    return std::nullopt;
}

Label finish_label(Label l, const std::string& s, std::size_t end) {
    const std::size_t after = skip_blanks(s, end);
    if (after == end || after >= s.size()) return {};  // a label needs a space and something after it
    l.printed = s.substr(0, end);
    l.length = after;
    return l;
}

Label parse_label(const std::string& s) {
    Label l;
    // Bullets: "-", "+", "- +" (seed 003), and the dashes and dots word processors type.
    for (const char* sym : {"-", "+", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\xA2", "\xC2\xB7", "\xE2\x88\x99"}) {
        const std::string symbol = sym;
        if (!s.starts_with(symbol)) continue;
        const std::size_t after = skip_blanks(s, symbol.size());
        if (after == symbol.size()) break;
        l.kind = Label::Kind::bullet;
        l.symbol = symbol;
        if (symbol == "-" && s.compare(after, 1, "+") == 0 && skip_blanks(s, after + 1) > after + 1) {
            l.symbol = "- +";
            return finish_label(l, s, after + 1);
        }
        return finish_label(l, s, symbol.size());
    }
    std::size_t i = 0;
    if (s[0] == '(') {
        i = 1;
        const std::string d = digits_at(s, i, 3);
        if (!d.empty() && i < s.size() && s[i] == ')') {
            l.kind = Label::Kind::paren;
            l.number = std::stoi(d);
            return finish_label(l, s, i + 1);
        }
        return {};
    }
    const std::string d1 = digits_at(s, i, 3);
    if (!d1.empty() && i < s.size() && s[i] == '.') {
        ++i;
        if (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            const std::string d2 = digits_at(s, i, 3);
            if (i < s.size() && s[i] == '.') ++i;
            l.kind = Label::Kind::decimal;
            l.first = std::stoi(d1);
            l.number = std::stoi(d2);
            return finish_label(l, s, i);
        }
        l.kind = Label::Kind::arabic;
        l.number = std::stoi(d1);
        return finish_label(l, s, i);
    }
    if (!d1.empty() && i < s.size() && s[i] == ')') {
        l.kind = Label::Kind::paren;
        l.number = std::stoi(d1);
        return finish_label(l, s, i + 1);
    }
    if (!d1.empty()) return {};
    std::size_t r = 0;
    while (r < s.size() && r < 8 && std::string_view("IVXLC").find(s[r]) != std::string_view::npos) ++r;
    if (r > 0 && r < s.size() && s[r] == '.') {
        if (const auto n = roman_value(s.substr(0, r))) {
            l.kind = Label::Kind::roman;
            l.number = *n;
            return finish_label(l, s, r + 1);
        }
    }
    const std::size_t w = s.starts_with("\xC4\x91") ? 2 : (s[0] >= 'a' && s[0] <= 'z') ? 1 : 0;  // đ or a–z
    if (w > 0 && w < s.size() && s[w] == ')') {
        l.kind = Label::Kind::letter;
        l.number = letter_number(s.substr(0, w));
        return finish_label(l, s, w + 1);
    }
    return {};
}

std::string scheme_of(Label::Kind k) {
    switch (k) {
        case Label::Kind::roman: return "roman";
        case Label::Kind::arabic: return "arabic";
        case Label::Kind::decimal: return "decimal";
        case Label::Kind::letter: return "letter";
        case Label::Kind::paren: return "paren";
        default: return "";
    }
}

int rank_of(const std::string& scheme) {
    return scheme == "roman" ? 0 : scheme == "arabic" ? 1 : scheme == "decimal" ? 2 : scheme == "letter" ? 3 : 4;
}

std::string label_for(const std::string& scheme, int n, int parent) {
    if (scheme == "roman") return vn::roman(n).value_or("?") + ".";
    if (scheme == "arabic") return std::to_string(n) + ".";
    if (scheme == "decimal") return std::to_string(parent) + "." + std::to_string(n) + ".";
    if (scheme == "paren") return "(" + std::to_string(n) + ")";
    return vn::diem_letter(n).value_or("?") + ")";
}

// ----- the body tree

struct Node {
    enum class Kind { text, bullet, paragraph, section };
    Kind kind = Kind::text;
    std::string rich;  // text, bullet, paragraph
    std::optional<std::string> title, text;
    std::string symbol;
    std::string scheme;       // section
    int number = 0;           // section: its number as the data generates it
    int level = 0;            // section: numbered level (decimal: its parent's)
    std::string child_scheme;  // the scheme its numbered children use
    std::string children_numbering;
    std::string label;  // section: the source's own number where it is not the generated one
    int numbered_children = 0;
    std::vector<std::unique_ptr<Node>> children;

    json to_json() const {
        json kids = json::array();
        for (const auto& c : children) kids.push_back(c->to_json());
        if (kind == Kind::text) return rich;
        json j = json::object();
        if (kind == Kind::bullet) {
            j["bullet"] = rich;
            if (!symbol.empty()) j["symbol"] = symbol;
        } else if (kind == Kind::paragraph) {
            j["paragraph"] = rich;
        } else {
            if (title) j["title"] = *title;
            if (text) j["text"] = *text;
            if (!label.empty()) j["label"] = label;
            if (!children_numbering.empty()) j["children_numbering"] = children_numbering;
        }
        if (!kids.empty()) j["children"] = std::move(kids);
        return j;
    }
};

struct Item {
    const Paragraph* p = nullptr;
    std::vector<RichSpan> spans;
    std::string plain;
    Label label;
    std::size_t bold = 0;  // bytes of plain from the start that look bold
};

json paragraphs_json(const std::vector<std::string>& paragraphs) {
    if (paragraphs.size() == 1) return paragraphs.front();
    return json(paragraphs);
}

class Recogniser {
public:
    Recogniser(std::vector<Paragraph> paragraphs, std::string source)
        : ps_(std::move(paragraphs)), source_(std::move(source)) {}

    ImportResult run() {
        result_.template_name = "ke-hoach";
        result_.data = json::object();
        std::erase_if(ps_, [](const Paragraph& p) { return clean(plain_text(p.spans)).empty(); });
        const std::size_t type = find_type_line();
        header(0, type);
        std::size_t body_begin = title(type);
        std::size_t tail_begin = ps_.size(), appendix_begin = ps_.size();
        for (std::size_t i = body_begin; i < ps_.size(); ++i) {
            if (starts_with_lower(clean(plain_text(ps_[i].spans)), "nơi nhận")) {
                tail_begin = i;
                break;
            }
        }
        for (std::size_t i = tail_begin == ps_.size() ? body_begin : tail_begin; i < ps_.size(); ++i) {
            const std::string t = clean(plain_text(ps_[i].spans));
            if (ps_[i].table < 0 && vn::upper(t).starts_with("PHỤ LỤC") && word_count(t) <= 4) {
                appendix_begin = i;
                break;
            }
        }
        body(body_begin, std::min(tail_begin, appendix_begin));
        if (tail_begin < appendix_begin) tail(tail_begin + 1, appendix_begin, ps_[tail_begin]);
        appendices(appendix_begin, ps_.size());
        finish();
        return std::move(result_);
    }

private:
    std::vector<Paragraph> ps_;
    std::string source_;
    ImportResult result_;
    std::vector<std::string> before_body_;  // unrecognised paragraphs of the header, kept at the opening's start
    std::vector<std::string> after_body_;   // unrecognised paragraphs after the body, kept in the closing
    std::vector<std::string> closing_;
    json& data() { return result_.data; }

    // ----- reporting

    void warn(const std::string& code, std::string en, std::string vi, const Paragraph* p, std::string pointer = {}) {
        Diagnostic d;
        d.kind = DiagnosticKind::data;
        d.code = code;
        d.message = std::move(en);
        d.message_vi = std::move(vi);
        d.source = source_;
        if (p) {
            d.part = p->part;
            d.paragraph = p->number;
        }
        d.json_pointer = std::move(pointer);
        result_.warnings.push_back(std::move(d));
    }

    void unrecognised(const Paragraph& p, const std::string& text, std::string reason) {
        result_.unrecognised.push_back(UnrecognisedPlace{p.part, p.number, first_words(text), std::move(reason)});
    }

    // ----- header

    std::size_t find_type_line() {
        for (std::size_t i = 0; i < ps_.size(); ++i) {
            const auto lines = lines_of(plain_text(ps_[i].spans));
            if (vn::upper(clean(lines.front())) == "KẾ HOẠCH") return i;
        }
        Diagnostic d;
        d.kind = DiagnosticKind::data;
        d.code = "import.not_a_plan";
        d.message = "no paragraph reads \"KẾ HOẠCH\": this does not look like a plan (Decree 30/2020, form 1.4); "
                    "the importer knows only the ke-hoach template";
        d.message_vi = "Không thấy dòng tên loại \"KẾ HOẠCH\" nên văn bản này không được nhận là một kế hoạch (Nghị định "
                       "30/2020/NĐ-CP, Mẫu 1.4). Hãy mở đúng tệp kế hoạch, hoặc thêm dòng \"KẾ HOẠCH\" phía trên trích yếu.";
        d.source = source_;
        throw Error(std::move(d));
    }

    struct AgencyLine {
        std::string text;
        bool bold = false;
    };

    void header(std::size_t begin, std::size_t end) {
        std::vector<AgencyLine> agency;
        for (std::size_t i = begin; i < end; ++i) {
            const Paragraph& p = ps_[i];
            const std::string plain = plain_text(p.spans);
            std::size_t offset = 0;
            for (const std::string& raw : lines_of(plain)) {
                const bool bold = p.bold_prefix >= offset + raw.size() && !raw.empty();
                offset += raw.size() + 1;
                const std::string line = clean(raw);
                if (line.empty() || line.find_first_not_of("_-=.~ \xE2\x80\x93\x94") == std::string::npos) continue;
                if (national_heading(line) || number_line(line, p) || date_line(line)) continue;
                if (is_upper_text(line)) {
                    agency.push_back({line, bold});
                    continue;
                }
                unrecognised(p, line, "a header line that is not an agency, Số, date, Quốc hiệu or Tiêu ngữ");
                before_body_.push_back(line);
            }
        }
        set_agencies(agency);
    }

    static bool national_heading(const std::string& line) {
        const std::string up = vn::upper(line);
        if (up.starts_with("CỘNG H") && up.find("XÃ HỘI CHỦ NGHĨA") != std::string::npos) return true;
        return up.find("ĐỘC LẬP") != std::string::npos && up.find("HẠNH PHÚC") != std::string::npos;
    }

    void set_agencies(const std::vector<AgencyLine>& lines) {
        if (lines.empty()) return;
        std::vector<std::string> parent, name;
        const bool some_bold = std::any_of(lines.begin(), lines.end(), [](const AgencyLine& l) { return l.bold; });
        const bool all_bold = std::all_of(lines.begin(), lines.end(), [](const AgencyLine& l) { return l.bold; });
        for (std::size_t i = 0; i < lines.size(); ++i) {
            bool is_parent = false;
            // The decree prints the parent agency regular and the issuing one bold: all bold is one name on several
            // lines ("ỦY BAN NHÂN DÂN" / "TỈNH NINH THUẬN").
            if (some_bold) is_parent = !all_bold && !lines[i].bold;
            // Without emphasis to tell them apart: the first of several lines is the parent agency, unless the
            // second continues it ("SỞ KHOA HỌC" / "VÀ CÔNG NGHỆ").
            else if (lines.size() >= 2 && i == 0) is_parent = !(lines.size() == 2 && lines[1].text.starts_with("VÀ "));
            (is_parent ? parent : name).push_back(lines[i].text);
        }
        auto as_lines = [](const std::vector<std::string>& v) { return v.size() == 1 ? json(v.front()) : json(v); };
        if (!parent.empty()) data()["agency"]["parent"] = as_lines(parent);
        if (!name.empty()) data()["agency"]["name"] = as_lines(name);
    }

    // "Số: 05/KH-SKHCN", "Số:     /KH-UBND".
    bool number_line(const std::string& line, const Paragraph& p) {
        if (!starts_with_lower(line, "số")) return false;
        std::size_t i = skip_blanks(line, std::string("Số").size());
        if (i < line.size() && line[i] == ':') i = skip_blanks(line, i + 1);
        const std::string digits = digits_at(line, i, 6);
        i = skip_blanks(line, i);
        if (i >= line.size() || line[i] != '/') return false;
        const std::string symbol = squash(line.substr(i + 1));
        if (symbol.empty() || symbol.find(' ') != std::string::npos) return false;
        if (!digits.empty() && std::stoi(digits) >= 1) data()["number"] = std::stoi(digits);
        // The agency's abbreviation is what follows the last dash ("KH-SKHCN", "KH-SYT-NVY" → "NVY").
        const std::size_t dash = symbol.rfind('-');
        const std::string abbreviation = dash == std::string::npos ? symbol : symbol.substr(dash + 1);
        const bool usable = !abbreviation.empty() && abbreviation.find('/') == std::string::npos;
        if (usable) data()["agency"]["abbreviation"] = abbreviation;
        if (symbol.starts_with("KH-") && symbol.size() > 3 && symbol.find('/') == std::string::npos) {
            if (usable && symbol != "KH-" + abbreviation) data()["symbol"] = symbol;
        } else {
            warn("import.schema_gap",
                 "the symbol \"" + symbol + "\" is not of the form \"KH-…\" the ke-hoach template prints; check the "
                 "agency abbreviation",
                 "Ký hiệu \"" + symbol + "\" không có dạng \"KH-…\" như mẫu kế hoạch in ra; hãy kiểm tra ô Chữ viết tắt "
                 "tên cơ quan.",
                 &p, "/agency/abbreviation");
        }
        return true;
    }

    // "Ninh Thuận, ngày 10 tháng 03 năm 2022", with blank day or month.
    bool date_line(const std::string& line) {
        const std::string low = vn::lower(line);
        const std::size_t at = low.find("ngày");
        if (at == std::string::npos) return false;
        std::vector<std::string> words;
        for (std::size_t i = at; i < low.size();) {
            const std::size_t sp = low.find(' ', i);
            const std::size_t end = sp == std::string::npos ? low.size() : sp;
            if (end > i) words.push_back(low.substr(i, end - i));
            i = end + 1;
        }
        if (!words.empty() && words.back().ends_with(".")) words.back().pop_back();
        std::size_t w = 0;
        auto take = [&](const char* word) { return w < words.size() && words[w] == word ? (++w, true) : false; };
        auto number = [&](std::size_t max_digits) -> std::string {
            if (w < words.size() && !words[w].empty() && words[w].size() <= max_digits &&
                words[w].find_first_not_of("0123456789") == std::string::npos)
                return words[w++];
            return {};
        };
        // A field left for hand filling may be typed as dots or an ellipsis ("ngày … tháng … năm 20…").
        auto dots = [&] {
            if (w < words.size() && !words[w].empty() && words[w].find_first_not_of(".\xE2\x80\xA6") == std::string::npos) ++w;
        };
        if (!take("ngày")) return false;
        const std::string day = number(2);
        if (day.empty()) dots();
        if (!take("tháng")) return false;
        const std::string month = number(2);
        if (month.empty()) dots();
        if (!take("năm")) return false;
        if (w + 1 == words.size() && draft_year(words[w])) {
            place_of(line, low.size() - at);
            data()["date"] = json{{"year", nullptr}};  // a draft whose year is not known yet
            return true;
        }
        const std::string year = number(4);
        if (year.size() != 4 || w != words.size()) return false;
        json date = {{"year", std::stoi(year)}};
        if (!month.empty() && std::stoi(month) >= 1 && std::stoi(month) <= 12) {
            date["month"] = std::stoi(month);
            if (month.size() == 2 && month[0] == '0' && std::stoi(month) >= 3) date["pad_month"] = true;
        }
        if (!day.empty() && std::stoi(day) >= 1 && std::stoi(day) <= 31) date["day"] = std::stoi(day);
        if (date["year"].get<int>() < 1900) return false;
        data()["date"] = date;
        place_of(line, low.size() - at);
        return true;
    }

    // "20…", "20...": the year of a draft, left for hand filling.
    static bool draft_year(const std::string& word) {
        return word.size() > 2 && word.starts_with("20") &&
               word.find_first_not_of(".\xE2\x80\xA6", 2) == std::string::npos;
    }

    // The place before "ngày" (the last `date_bytes` bytes of the line).
    void place_of(const std::string& line, std::size_t date_bytes) {
        std::string place = squash(line.substr(0, line.size() - date_bytes));
        while (!place.empty() && (place.back() == ',' || place.back() == ' ')) place.pop_back();
        if (!place.empty()) data()["place"] = place;
    }

    // The trích yếu: the rest of the KẾ HOẠCH paragraph, or the next paragraph. Returns where the body starts.
    std::size_t title(std::size_t type) {
        auto lines = lines_of(plain_text(ps_[type].spans));
        std::string title;
        std::size_t next = type + 1;
        if (lines.size() > 1) {
            lines.erase(lines.begin());
            for (const auto& l : lines) title += (title.empty() ? "" : " ") + clean(l);
        }
        if (clean(title).empty() && next < ps_.size()) title = clean(plain_text(ps_[next++].spans));
        // A trích yếu typed as two paragraphs: the next one all bold too, with no label (the body's start).
        while (next < ps_.size() && ps_[next].table < 0) {
            const std::string raw = plain_text(ps_[next].spans);
            const std::string t = clean(raw);
            if (ps_[next].bold_prefix < raw.find_last_not_of(" \t\n") + 1 ||
                parse_label(t).kind != Label::Kind::none || word_count(t) > 30 || legal_basis_like(t))
                break;
            title += " " + t;
            ++next;
        }
        title = clean(title);
        if (!title.empty()) data()["title"] = title;
        return next;
    }

    // ----- body

    std::vector<Item> body_items(std::size_t begin, std::size_t end) {
        std::vector<Item> items;
        for (std::size_t i = begin; i < end; ++i) {
            const Paragraph& p = ps_[i];
            Item item;
            item.p = &p;
            const std::string raw = plain_text(p.spans);
            const std::size_t lead = raw.find_first_not_of(" \t\n\r");
            item.spans = trim_spans(p.spans);
            item.plain = plain_text(item.spans);
            item.bold = p.bold_prefix > lead ? p.bold_prefix - lead : 0;
            if (p.table >= 0) {
                unrecognised(p, item.plain, "a table in the body: the ke-hoach template has none there, so its cells "
                                            "are kept as plain paragraphs");
            } else {
                item.label = parse_label(item.plain);
            }
            // A paragraph cut in two at a page break: the second part has no label, starts in lower case, and the
            // first does not end a sentence.
            if (!items.empty() && item.label.kind == Label::Kind::none && p.table < 0 && items.back().p->table < 0 &&
                starts_lower_or_digit(item.plain) && !ends_sentence(items.back().plain)) {
                Item& prev = items.back();
                append_text(prev.spans, " ", false, false, false);
                for (auto& s : item.spans) prev.spans.push_back(std::move(s));
                prev.plain += " " + item.plain;  // kept in step, not recomputed: many joins stay linear
                warn("import.joined_paragraphs",
                     "a paragraph starting in lower case after one that does not end a sentence was joined to it "
                     "(a paragraph cut at a page break)",
                     "Đoạn bắt đầu bằng chữ thường, nối tiếp một đoạn chưa hết câu, đã được ghép vào đoạn trước (đoạn bị "
                     "ngắt ở chỗ sang trang). Hãy kiểm tra lại chỗ này.",
                     &p);
                continue;
            }
            items.push_back(std::move(item));
        }
        return items;
    }

    static bool is_section(const Label& l) {
        return l.kind == Label::Kind::roman || l.kind == Label::Kind::arabic || l.kind == Label::Kind::decimal ||
               l.kind == Label::Kind::letter;
    }

    void body(std::size_t begin, std::size_t end) {
        std::vector<Item> items = body_items(begin, end);
        std::size_t first = items.size();
        for (std::size_t i = 0; i < items.size() && first == items.size(); ++i)
            if (is_section(items[i].label)) first = i;
        for (std::size_t i = 0; i < items.size() && first == items.size(); ++i)
            if (items[i].label.kind == Label::Kind::bullet) first = i;
        std::size_t stop = items.size();
        if (!items.empty() && items.back().label.kind == Label::Kind::none && items.back().p->table < 0) {
            const std::string last = squash(items.back().plain);
            if (last.ends_with("/.") && (items.size() - 1 >= first || first == items.size())) stop = items.size() - 1;
        }
        preamble(items, 0, std::min(first, stop));
        tree(items, std::min(first, stop), stop);
        if (stop < items.size()) closing_.push_back(to_markup(items.back().spans));
    }

    static bool legal_basis_like(const std::string& s) {
        for (const char* w : {"căn cứ", "thực hiện", "xét", "theo", "triển khai"})
            if (starts_with_lower(s, w)) return true;
        return false;
    }

    void preamble(const std::vector<Item>& items, std::size_t begin, std::size_t end) {
        std::vector<std::string> bases;
        std::vector<std::string> opening = before_body_;
        for (std::size_t i = begin; i < end; ++i) {
            const std::string t = squash(items[i].plain);
            const bool last = i + 1 == end;
            const bool basis = opening.size() == before_body_.size() &&
                               (t.ends_with(";") || (!last && legal_basis_like(t)));
            (basis ? bases : opening).push_back(to_markup(items[i].spans));
        }
        before_body_.clear();
        if (!bases.empty()) data()["legal_bases"] = bases;
        if (!opening.empty()) data()["opening"] = paragraphs_json(opening);
    }

    struct Open {
        Node* node;
        std::string scheme;
    };

    void tree(std::vector<Item>& items, std::size_t begin, std::size_t end) {
        Node root;  // the body itself
        root.kind = Node::Kind::section;
        root.level = -1;
        std::vector<std::string> levels{"roman", "arabic", "letter"};
        bool levels_set = false;
        std::vector<Open> stack;
        Node* last_bullet = nullptr;
        Node* last_para = nullptr;
        for (std::size_t i = begin; i < end; ++i) {
            Item& item = items[i];
            const Label& l = item.label;
            Node* container = stack.empty() ? &root : stack.back().node;
            // "(1)" is a level under a điểm; elsewhere it stays text with its number typed.
            const bool paren_item = l.kind == Label::Kind::paren && !stack.empty() &&
                                    (stack.back().scheme == "letter" || stack.back().scheme == "paren");
            if (is_section(l) || paren_item) {
                const std::string scheme = scheme_of(l.kind);
                if (!levels_set && scheme != "decimal") {
                    levels_set = true;
                    if (scheme == "arabic") levels = {"arabic", "letter"};
                    else if (scheme == "letter") levels = {"letter"};
                }
                if (section(item, scheme, levels, stack, root)) {
                    last_bullet = last_para = nullptr;
                    continue;
                }
                container = stack.empty() ? &root : stack.back().node;
                last_para = add_text(container, item);
                last_bullet = nullptr;
                continue;
            }
            if (l.kind == Label::Kind::bullet) {
                auto node = std::make_unique<Node>();
                node->kind = Node::Kind::bullet;
                node->rich = to_markup(trim_spans(split_spans(item.spans, l.length).second));
                const bool nested = l.symbol == "+" || l.symbol == "- +";
                if (l.symbol == "- +") node->symbol = l.symbol;
                if (nested && last_bullet) {
                    last_bullet->children.push_back(std::move(node));
                } else if (nested && last_para) {
                    last_para->kind = Node::Kind::paragraph;
                    last_para->children.push_back(std::move(node));
                } else {
                    if (l.symbol != "-") node->symbol = l.symbol;
                    last_bullet = node.get();
                    last_para = nullptr;
                    container->children.push_back(std::move(node));
                }
                continue;
            }
            if (l.kind == Label::Kind::paren)
                warn("import.schema_gap",
                     "the label \"" + l.printed + "\" has no numbering scheme in the ke-hoach template; the paragraph "
                     "is kept as plain text with its label typed",
                     "Mẫu kế hoạch chưa có kiểu đánh số \"" + l.printed + "\"; đoạn này được giữ nguyên là đoạn văn "
                     "thường, số thứ tự gõ tay trong chữ.",
                     item.p);
            last_para = add_text(container, item);
            last_bullet = nullptr;
        }
        json body = json::array();
        for (const auto& c : root.children) body.push_back(c->to_json());
        data()["body"] = std::move(body);
        if (levels_set && levels.front() != "roman") data()["numbering"] = {{"levels", levels}};
    }

    static Node* add_text(Node* container, const Item& item) {
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::text;
        node->rich = to_markup(item.spans);
        Node* raw = node.get();
        container->children.push_back(std::move(node));
        return raw;
    }

    // Places a numbered paragraph in the tree; null when it cannot be (kept as plain text by the caller).
    Node* section(const Item& item, const std::string& scheme, const std::vector<std::string>& levels,
                  std::vector<Open>& stack, Node& root) {
        const Label& l = item.label;
        while (!stack.empty() && rank_of(stack.back().scheme) >= rank_of(scheme)) stack.pop_back();
        Node* parent = stack.empty() ? &root : stack.back().node;
        if (scheme == "decimal" && (stack.empty() || stack.back().scheme != "arabic")) {
            unrecognised(*item.p, item.plain, "a \"" + l.printed + "\" number without a khoản above it");
            return nullptr;
        }
        const int level = scheme == "decimal" ? parent->level : parent->level + 1;
        const std::string by_level =
            level >= 0 && static_cast<std::size_t>(level) < levels.size() ? levels[static_cast<std::size_t>(level)] : "";
        const std::string expected = !parent->children_numbering.empty() ? parent->children_numbering : by_level;
        if (!parent->child_scheme.empty() && parent->child_scheme != scheme) {
            unrecognised(*item.p, item.plain,
                         "numbered \"" + l.printed + "\" among siblings numbered another way; kept as a plain paragraph");
            return nullptr;
        }
        if (scheme != expected) {
            if (parent == &root) {
                unrecognised(*item.p, item.plain, "a top-level \"" + l.printed + "\" in a body numbered " + levels.front());
                return nullptr;
            }
            parent->children_numbering = scheme;
        }
        if (scheme == "letter" && parent->numbered_children >= 23) {
            unrecognised(*item.p, item.plain, "a 24th điểm: the decree's letters end at y)");
            return nullptr;
        }
        parent->child_scheme = scheme;
        const int n = ++parent->numbered_children;
        if (scheme == "decimal" && l.first != parent->number)
            warn("import.numbering_mismatch",
                 "\"" + l.printed + "\" stands under khoản " + std::to_string(parent->number) +
                     "; the data keeps it as its own label (generated: " + label_for(scheme, n, parent->number) + ")",
                 "Số \"" + l.printed + "\" nằm dưới khoản " + std::to_string(parent->number) + "; dữ liệu giữ nguyên \"" +
                     l.printed + "\" làm số thứ tự riêng (số tự sinh sẽ là " + label_for(scheme, n, parent->number) +
                     "). Hãy kiểm tra lại số thứ tự.",
                 item.p);
        else if (l.number != n)
            numbering_warning(item, scheme, n, parent->number);
        auto node = std::make_unique<Node>();
        // The source's own number is kept where it differs from the generated one ("e)" where the decree has đ)),
        // so the plan prints as the source does; automatic numbering's letters are the list's, not the source's.
        if (!item.p->numbered_automatically && l.printed != label_for(scheme, n, parent->number)) node->label = l.printed;
        node->kind = Node::Kind::section;
        node->scheme = scheme;
        node->number = n;
        node->level = level;
        split_title(item, scheme, *node);
        Node* raw = node.get();
        parent->children.push_back(std::move(node));
        stack.push_back({raw, scheme});
        return raw;
    }

    void numbering_warning(const Item& item, const std::string& scheme, int expected, int parent_number) {
        const std::string want = label_for(scheme, expected, parent_number);
        const bool repeat = item.label.number != 0 && item.label.number < expected;
        const bool automatic = item.p->numbered_automatically;
        warn(repeat ? "import.numbering_repeat" : "import.numbering_skip",
             "the document prints \"" + item.label.printed + "\" where \"" + want + "\" comes next (" +
                 (repeat ? "a repeated number" : "a skipped number") + "); " +
                 (automatic ? "the data numbers it \"" + want + "\""
                            : "the data keeps \"" + item.label.printed + "\" as its own label"),
             "Văn bản gốc ghi \"" + item.label.printed + "\" ở chỗ lẽ ra là \"" + want + "\" (" +
                 (repeat ? "số bị lặp" : "số bị bỏ qua") + "); " +
                 (automatic ? "dữ liệu tự đánh số lại thành \"" + want + "\"."
                            : "dữ liệu giữ \"" + item.label.printed + "\" làm số thứ tự riêng của mục này (ô \"Số thứ tự "
                              "riêng\"); xóa ô đó nếu muốn đánh số lại."),
             item.p);
    }

    // A section's title (printed in the level's emphasis) and its run-in text: what looks bold after the label is
    // the title; without emphasis, a short lead ending in ":" before more text, or a short line, is the title.
    static void split_title(const Item& item, const std::string& scheme, Node& node) {
        const std::vector<RichSpan> rest = trim_spans(split_spans(item.spans, item.label.length).second);
        const std::string plain = plain_text(rest);
        std::size_t bold = 0;
        if (item.bold >= item.label.length) {
            bold = std::min(item.bold - item.label.length, plain.size());
        } else {
            for (const auto& s : rest) {
                if (s.kind != RichSpan::Kind::text || !s.bold) break;
                bold += s.text.size();
            }
        }
        std::optional<std::size_t> cut;
        if (bold > 0 && plain.find_first_not_of(" \t\n", bold) == std::string::npos) {
            cut = plain.size();
        } else if (bold > 0 && plain.find_first_not_of(" \t\n") < bold) {
            cut = bold;
        } else {
            const std::size_t colon = plain.find(": ");
            if (colon != std::string::npos && word_count(plain.substr(0, colon)) <= 10 &&
                plain.substr(0, colon).find('.') == std::string::npos)
                cut = colon + 1;
            else if (scheme == "roman" || ((!ends_sentence(plain) || squash(plain).ends_with(":")) && word_count(plain) <= 25))
                cut = plain.size();
        }
        if (!cut) {
            node.text = to_markup(rest);
            return;
        }
        auto [title, text] = split_spans(rest, *cut);
        title = trim_spans(std::move(title));
        // Mục, khoản and 2.1. titles are printed bold by the template: bold typed on the whole title is not kept
        // as markup (a điểm's title is regular, so bold there is the writer's choice and stays).
        const bool all_bold = std::all_of(title.begin(), title.end(), [](const RichSpan& s) {
            return s.kind != RichSpan::Kind::text || s.bold || s.text.find_first_not_of(" \t") == std::string::npos;
        });
        if (all_bold && scheme != "letter")
            for (auto& s : title) s.bold = false;
        node.title = to_markup(title);
        const auto after = trim_spans(std::move(text));
        if (!after.empty()) node.text = to_markup(after);
    }

    // ----- Nơi nhận and signature

    struct Line {
        std::string text;
        const Paragraph* p;
    };

    void tail(std::size_t begin, std::size_t end, const Paragraph& label) {
        std::vector<Line> lines;
        // Items may follow "Nơi nhận:" in the same paragraph (line breaks).
        const auto first = lines_of(plain_text(label.spans));
        for (std::size_t k = 1; k < first.size(); ++k) lines.push_back({clean(first[k]), &label});
        for (std::size_t i = begin; i < end; ++i)
            for (const auto& raw : lines_of(plain_text(ps_[i].spans))) lines.push_back({clean(raw), &ps_[i]});
        std::erase_if(lines, [](const Line& l) { return l.text.empty(); });
        std::vector<std::string> recipients;
        std::vector<Line> signer;
        bool in_list = true;
        for (const Line& l : lines) {
            const Label bullet = parse_label(l.text);
            // Items are "- X;" lines; some agencies leave the dash out ("Như trên;", "Lưu: VT, VP.").
            const bool item_line = bullet.kind == Label::Kind::bullet || l.text.ends_with(";") || starts_with_lower(l.text, "lưu");
            if (in_list && item_line) {
                std::string item = squash(bullet.kind == Label::Kind::bullet ? l.text.substr(bullet.length) : l.text);
                if (starts_with_lower(item, "lưu")) {
                    archive(item);
                    continue;
                }
                // The schema wants the bare name: no dash in front, no ";" after.
                while (!item.empty() && (item.back() == ';' || item.back() == ',' || item.back() == '.' || item.back() == ' '))
                    item.pop_back();
                while (!item.empty() && (item.front() == '-' || item.front() == ' ')) item.erase(0, 1);
                if (!item.empty()) recipients.push_back(item);
                continue;
            }
            in_list = false;
            signer.push_back(l);
        }
        if (!recipients.empty()) data()["recipients"] = recipients;
        signature(signer);
    }

    void archive(const std::string& item) {
        std::string rest = item.substr(std::string("Lưu").size());
        rest = squash(rest);
        if (!rest.empty() && rest.front() == ':') rest = squash(rest.substr(1));
        while (!rest.empty() && (rest.back() == '.' || rest.back() == ';')) rest.pop_back();
        std::vector<std::string> units;
        for (std::size_t at = 0; at <= rest.size();) {
            std::size_t comma = rest.find(',', at);
            if (comma == std::string::npos) comma = rest.size();
            const std::string u = squash(rest.substr(at, comma - at));
            if (!u.empty()) units.push_back(u);
            at = comma + 1;
        }
        if (units.empty() || units.front() != "VT") {
            // Another wording ("Lưu: Văn thư, Phòng KH (02b)."): kept whole as the free archive line.
            data()["archive"] = json{{"line", item}};
            return;
        }
        units.erase(units.begin());
        if (units.empty()) return;
        // "VP02": the number of copies printed right after the drafting unit.
        std::string& last = units.back();
        std::size_t digits = last.size();
        while (digits > 0 && last[digits - 1] >= '0' && last[digits - 1] <= '9') --digits;
        json a = json::object();
        if (digits > 0 && digits < last.size()) {
            a["copies"] = last.substr(digits);
            last.erase(digits);
        }
        a["units"] = units.size() == 1 ? json(units.front()) : json(units);
        data()["archive"] = a;
    }

    void signature(std::vector<Line> lines) {
        if (lines.empty()) return;
        json s = json::object();
        s["name"] = lines.back().text;
        lines.pop_back();
        std::size_t i = 0;
        if (i < lines.size()) {
            const std::string& t = lines[i].text;
            for (const char* a : {"TM.", "KT.", "TUQ.", "TL.", "Q."}) {
                if (!t.starts_with(a)) continue;
                const std::string authority = a;
                const std::string rest = squash(t.substr(authority.size()));
                if (rest.empty()) break;
                s["authority"] = authority;
                s["on_behalf_of"] = rest;
                if (t.size() > authority.size() && t[authority.size()] != ' ') s["compact_authority"] = true;
                ++i;
                break;
            }
        }
        if (i < lines.size()) s["position"] = lines[i++].text;
        for (; i < lines.size(); ++i) {
            unrecognised(*lines[i].p, lines[i].text, "a line in the signature block besides authority, position and name");
            after_body_.push_back(lines[i].text);
        }
        data()["signer"] = s;
    }

    // ----- appendices

    void appendices(std::size_t begin, std::size_t end) {
        json list = json::array();
        std::size_t i = begin;
        while (i < end) {
            std::size_t next = i + 1;
            while (next < end && !(ps_[next].table < 0 && vn::upper(clean(plain_text(ps_[next].spans))).starts_with("PHỤ LỤC") &&
                                   word_count(clean(plain_text(ps_[next].spans))) <= 4))
                ++next;
            if (auto a = appendix(i + 1, next)) list.push_back(*a);
            i = next;
        }
        if (!list.empty()) data()["appendices"] = list;
    }

    std::optional<json> appendix(std::size_t begin, std::size_t end) {
        json a = json::object();
        std::string title;
        std::map<std::tuple<int, int, int>, std::vector<const Paragraph*>> cells;
        std::vector<int> tables;
        for (std::size_t i = begin; i < end; ++i) {
            const Paragraph& p = ps_[i];
            const std::string t = clean(plain_text(p.spans));
            if (p.table >= 0) {
                if (tables.empty() || tables.back() != p.table) tables.push_back(p.table);
                cells[{p.table, p.row, p.cell}].push_back(&p);
            } else if (t.starts_with("(") && t.ends_with(")") && !a.contains("note") && !title.empty()) {
                a["note"] = t;
            } else if (!a.contains("note") && tables.empty() && is_upper_text(t)) {
                title += (title.empty() ? "" : " ") + t;
            } else if (t.find_first_not_of("_-=.~ ") != std::string::npos) {
                unrecognised(p, t, "a paragraph of an appendix besides its title, note and task table");
                after_body_.push_back(to_markup(trim_spans(p.spans)));
            }
        }
        if (title.empty()) {
            title = "[TÊN PHỤ LỤC]";
            warn("import.missing_field", "an appendix has no title; the placeholder " + title + " was filled in: replace it",
                 "Một phụ lục không có tên; đã điền tạm \"" + title + "\", hãy sửa lại cho đúng.",
                 begin > 0 ? &ps_[begin - 1] : nullptr);
        }
        a["title"] = title;
        json tasks = json::array(), groups = json::array();
        for (int t : tables) read_task_table(t, cells, tasks, groups);
        if (!groups.empty()) {
            if (!tasks.empty()) groups.insert(groups.begin(), json{{"title", ""}, {"tasks", tasks}});
            a["groups"] = groups;
        } else {
            a["tasks"] = tasks;
        }
        return a;
    }

    using Cells = std::map<std::tuple<int, int, int>, std::vector<const Paragraph*>>;

    static std::string cell_markup(const std::vector<const Paragraph*>& ps) {
        std::string out;
        for (const Paragraph* p : ps) {
            const std::string m = to_markup(trim_spans(p->spans));
            if (m.empty()) continue;
            out += (out.empty() ? "" : "\n") + m;
        }
        return out;
    }

    void read_task_table(int table, const Cells& cells, json& tasks, json& groups) {
        std::map<int, std::map<int, std::string>> rows;  // row → column → markup
        std::map<int, const Paragraph*> first_of_row;
        for (const auto& [key, ps] : cells) {
            const auto& [t, r, c] = key;
            if (t != table) continue;
            rows[r][c] = cell_markup(ps);
            if (!first_of_row.count(r)) first_of_row[r] = ps.front();
        }
        std::map<std::string, int> column;
        bool header_seen = false;
        int expected = 1;
        for (const auto& entry : rows) {
            const int r = entry.first;
            const auto& row = entry.second;  // (not a structured binding: clang 14 cannot capture those)
            if (!header_seen) {
                for (const auto& [c, text] : row) {
                    const std::string low = vn::lower(squash(without_stars(text)));
                    if (low == "stt" || low == "tt") column["number"] = c;
                    else if (low.find("nội dung") != std::string::npos) column["content"] = c;
                    else if (low.find("chủ trì") != std::string::npos) column["lead"] = c;
                    else if (low.find("phối hợp") != std::string::npos) column["partners"] = c;
                    else if (low.find("sản phẩm") != std::string::npos) column["product"] = c;
                    else if (low.find("thời gian") != std::string::npos || low.find("thời hạn") != std::string::npos ||
                             low.find("tiến độ") != std::string::npos)
                        column["deadline"] = c;
                }
                header_seen = column.count("content") > 0;
                if (!header_seen)
                    unrecognised(*first_of_row.at(r), row.empty() ? "" : row.begin()->second,
                                 "a table row before a header row naming \"Nội dung\"");
                continue;
            }
            std::vector<std::string> filled;
            for (const auto& [c, text] : row)
                if (!squash(text).empty()) filled.push_back(text);
            if (filled.empty()) continue;
            auto cell = [&](const char* name) -> std::string {
                const auto col = column.find(name);
                if (col == column.end()) return {};
                const auto it = row.find(col->second);
                return it == row.end() ? std::string() : it->second;
            };
            const std::string number = squash(without_stars(cell("number")));
            const bool group_row = filled.size() <= 2 && (roman_value(number).has_value() || filled.size() == 1) &&
                                   squash(cell("lead")).empty();
            if (group_row) {
                const std::string title = filled.size() == 1 ? filled.front() : filled.back();
                groups.push_back(json{{"title", title}, {"tasks", json::array()}});
                expected = 1;
                continue;
            }
            json task = {{"content", cell("content")}, {"lead", squash(without_stars(cell("lead")))}};
            for (const char* optional : {"partners", "deadline"})
                if (!squash(cell(optional)).empty()) task[optional] = squash(without_stars(cell(optional)));
            if (!squash(cell("product")).empty()) task["product"] = cell("product");
            if (!number.empty() && number != std::to_string(expected))
                warn("import.numbering_skip",
                     "the task table prints number " + number + " where " + std::to_string(expected) +
                         " comes next; the data numbers it " + std::to_string(expected),
                     "Bảng nhiệm vụ ghi số " + number + " ở chỗ lẽ ra là " + std::to_string(expected) +
                         "; dữ liệu tự đánh số lại.",
                     first_of_row.at(r));
            ++expected;
            (groups.empty() ? tasks : groups.back()["tasks"]).push_back(task);
        }
    }

    // ----- what the document lacks

    void missing(const std::string& pointer, const json& placeholder, const std::string& en_label,
                 const std::string& vi_label) {
        json::json_pointer ptr(pointer);
        if (data().contains(ptr)) return;
        data()[ptr] = placeholder;
        const std::string shown = placeholder.is_string() ? placeholder.get<std::string>() : placeholder.dump();
        warn("import.missing_field",
             "the document has no " + en_label + "; the placeholder " + shown + " was filled in: replace it",
             "Văn bản gốc không có " + vi_label + "; đã điền tạm \"" + shown + "\", hãy sửa lại cho đúng.", nullptr,
             pointer);
    }

    static int current_year() {
        const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
        return static_cast<int>(today.year());
    }

    int year_from_title() const {
        const std::string t = result_.data.value("title", std::string());
        const std::size_t at = t.rfind("năm ");
        if (at != std::string::npos && at + 8 <= t.size()) {
            const std::string y = t.substr(at + std::string("năm ").size(), 4);
            if (y.find_first_not_of("0123456789") == std::string::npos && y[0] != '0') return std::stoi(y);
        }
        return 0;
    }

    void finish() {
        if (!before_body_.empty()) {  // a header without a body after it
            data()["opening"] = paragraphs_json(before_body_);
            before_body_.clear();
        }
        if (!after_body_.empty()) {
            // Kept before the closing sentence ("…./."), which stays last.
            closing_.insert(closing_.end() - (closing_.empty() ? 0 : 1), after_body_.begin(), after_body_.end());
        }
        if (!closing_.empty()) data()["closing"] = paragraphs_json(closing_);
        if (!data().contains("body")) data()["body"] = json::array();
        missing("/title", "[Trích yếu]", "trích yếu (title)", "trích yếu nội dung");
        missing("/agency/name", "[TÊN CƠ QUAN BAN HÀNH]", "issuing agency", "tên cơ quan ban hành");
        missing("/agency/abbreviation", "VIETTAT", "agency abbreviation (from the symbol \"KH-…\")",
                "chữ viết tắt tên cơ quan (trong ký hiệu \"KH-…\")");
        missing("/place", "[Địa danh]", "place (\"…, ngày … tháng … năm …\")", "địa danh (dòng \"…, ngày … tháng … năm …\")");
        if (!data().contains("date")) {
            const int year = year_from_title();
            missing("/date", json{{"year", year > 0 ? year : current_year()}}, "date line",
                    "dòng ngày tháng năm ban hành");
        }
        missing("/recipients", json::array({"[Nơi nhận]"}), "Nơi nhận (recipients)", "phần Nơi nhận");
        missing("/archive", json{{"units", "[đơn vị soạn thảo]"}}, "archive line \"Lưu: VT, …\"",
                "dòng \"Lưu: VT, …\" (đơn vị soạn thảo)");
        if (!data().contains("signer")) {
            missing("/signer", json{{"position", "[CHỨC VỤ]"}, {"name", "[Họ và tên]"}}, "signature block",
                    "phần chữ ký (chức vụ, họ tên người ký)");
        } else if (!data()["signer"].contains("position") && !data()["signer"].contains("authority")) {
            missing("/signer/position", "[CHỨC VỤ]", "signer's position", "chức vụ người ký");
        }
    }
};

}  // namespace

ImportResult recognise_plan(std::vector<Paragraph> paragraphs, const std::string& source) {
    return Recogniser(std::move(paragraphs), source).run();
}

}  // namespace vanban::import
