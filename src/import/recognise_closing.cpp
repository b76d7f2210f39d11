// The closing block of a plan: the Nơi nhận list (with or without dashes), the archive line "Lưu: VT, VP02." (units
// and copies) and the signature block (TM./KT./TUQ./TL./Q. authority, position, name).
#include "import/recogniser.hpp"

#include <string>
#include <vector>

namespace vanban::import::plan {

void Recogniser::tail(std::size_t begin, std::size_t end, const Paragraph& label) {
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
        const bool item_line =
            bullet.kind == Label::Kind::bullet || l.text.ends_with(";") || starts_with_lower(l.text, "lưu");
        if (in_list && item_line) {
            std::string item = squash(bullet.kind == Label::Kind::bullet ? l.text.substr(bullet.length) : l.text);
            if (starts_with_lower(item, "lưu")) {
                archive(item);
                continue;
            }
            // The schema wants the bare name: no dash in front, no ";" after.
            while (!item.empty() &&
                   (item.back() == ';' || item.back() == ',' || item.back() == '.' || item.back() == ' '))
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

void Recogniser::archive(const std::string& item) {
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

void Recogniser::signature(std::vector<Line> lines) {
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

}  // namespace vanban::import::plan
