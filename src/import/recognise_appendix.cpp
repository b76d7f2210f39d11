// The appendices of a plan: each "PHỤ LỤC" with its title, its note in brackets and its task tables (columns found
// by their header: STT, Nội dung, Chủ trì, Phối hợp, Sản phẩm, Thời gian), rows grouped under Roman-numbered rows.
#include "import/recogniser.hpp"

#include <map>
#include <string>

#include "core/vn.hpp"

namespace vanban::import::plan {

void Recogniser::appendices(std::size_t begin, std::size_t end) {
    json list = json::array();
    std::size_t i = begin;
    while (i < end) {
        std::size_t next = i + 1;
        while (next < end &&
               !(ps_[next].table < 0 && vn::upper(clean(plain_text(ps_[next].spans))).starts_with("PHỤ LỤC") &&
                 word_count(clean(plain_text(ps_[next].spans))) <= 4))
            ++next;
        if (auto a = appendix(i + 1, next)) list.push_back(*a);
        i = next;
    }
    if (!list.empty()) data()["appendices"] = list;
}

std::optional<json> Recogniser::appendix(std::size_t begin, std::size_t end) {
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
        warn("import.missing_field",
             "an appendix has no title; the placeholder " + title + " was filled in: replace it",
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

std::string Recogniser::cell_markup(const std::vector<const Paragraph*>& ps) {
    std::string out;
    for (const Paragraph* p : ps) {
        const std::string m = to_markup(trim_spans(p->spans));
        if (m.empty()) continue;
        out += (out.empty() ? "" : "\n") + m;
    }
    return out;
}

void Recogniser::read_task_table(int table, const Cells& cells, json& tasks, json& groups) {
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

}  // namespace vanban::import::plan
