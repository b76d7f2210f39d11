// The header block of a plan: agency lines (parent regular, issuing agency bold), "Số: 05/KH-SKHCN", the place and
// date line, Quốc hiệu and Tiêu ngữ (recognised and dropped: the template prints them), then the KẾ HOẠCH line and
// the trích yếu after it.
#include "import/recogniser.hpp"

#include <algorithm>

#include "core/vn.hpp"

namespace vanban::import::plan {

std::size_t Recogniser::find_type_line() {
    for (std::size_t i = 0; i < ps_.size(); ++i) {
        const auto lines = lines_of(plain_text(ps_[i].spans));
        if (vn::upper(clean(lines.front())) == "KẾ HOẠCH") return i;
    }
    Diagnostic d;
    d.kind = DiagnosticKind::data;
    d.code = "import.not_a_plan";
    d.message =
        "no paragraph reads \"KẾ HOẠCH\": this does not look like a plan (Decree 30/2020, form 1.4); "
        "the importer knows only the ke-hoach template";
    d.message_vi =
        "Không thấy dòng tên loại \"KẾ HOẠCH\" nên văn bản này không được nhận là một kế hoạch (Nghị định "
        "30/2020/NĐ-CP, Mẫu 1.4). Hãy mở đúng tệp kế hoạch, hoặc thêm dòng \"KẾ HOẠCH\" phía trên trích yếu.";
    d.source = source_;
    throw Error(std::move(d));
}

void Recogniser::header(std::size_t begin, std::size_t end) {
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

bool Recogniser::national_heading(const std::string& line) {
    const std::string up = vn::upper(line);
    if (up.starts_with("CỘNG H") && up.find("XÃ HỘI CHỦ NGHĨA") != std::string::npos) return true;
    return up.find("ĐỘC LẬP") != std::string::npos && up.find("HẠNH PHÚC") != std::string::npos;
}

void Recogniser::set_agencies(const std::vector<AgencyLine>& lines) {
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
bool Recogniser::number_line(const std::string& line, const Paragraph& p) {
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
             "the symbol \"" + symbol +
                 "\" is not of the form \"KH-…\" the ke-hoach template prints; check the "
                 "agency abbreviation",
             "Ký hiệu \"" + symbol +
                 "\" không có dạng \"KH-…\" như mẫu kế hoạch in ra; hãy kiểm tra ô Chữ viết tắt "
                 "tên cơ quan.",
             &p, "/agency/abbreviation");
    }
    return true;
}

// "Ninh Thuận, ngày 10 tháng 03 năm 2022", with blank day or month.
bool Recogniser::date_line(const std::string& line) {
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
        if (w < words.size() && !words[w].empty() && words[w].find_first_not_of(".\xE2\x80\xA6") == std::string::npos)
            ++w;
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
bool Recogniser::draft_year(const std::string& word) {
    return word.size() > 2 && word.starts_with("20") && word.find_first_not_of(".\xE2\x80\xA6", 2) == std::string::npos;
}

// The place before "ngày" (the last `date_bytes` bytes of the line).
void Recogniser::place_of(const std::string& line, std::size_t date_bytes) {
    std::string place = squash(line.substr(0, line.size() - date_bytes));
    while (!place.empty() && (place.back() == ',' || place.back() == ' ')) place.pop_back();
    if (!place.empty()) data()["place"] = place;
}

// The trích yếu: the rest of the KẾ HOẠCH paragraph, or the next paragraph. Returns where the body starts.
std::size_t Recogniser::title(std::size_t type) {
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
        if (ps_[next].bold_prefix < raw.find_last_not_of(" \t\n") + 1 || parse_label(t).kind != Label::Kind::none ||
            word_count(t) > 30 || legal_basis_like(t))
            break;
        title += " " + t;
        ++next;
    }
    title = clean(title);
    if (!title.empty()) data()["title"] = title;
    return next;
}

}  // namespace vanban::import::plan
