// "Valid ⇒ renders", as a property over generated data: for a bundled template, documents made from its example
// (optional fields removed, edge dates, deep bodies, long texts, every numbering scheme, numbering shorter than the
// body) are validated and rendered; whenever validate says valid the render must succeed, and whenever the render
// fails on data validate must have named a problem. Used by tests/unit/valid_renders_test.cpp (a few documents) and
// bench/valid_renders_bench.cpp (as many as asked).
#pragma once

#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <vanban/catalog.hpp>
#include <vanban/vanban.hpp>

namespace vanban::property {

using nlohmann::json;

struct Outcome {
    int documents = 0, valid = 0, rendered = 0;
    std::vector<std::string> violations;  // what broke the property, with the data
};

// Every (pointer, value) in `j`, for picking a place to change.
inline void places(const json& j, const std::string& at, std::vector<std::string>& out, int depth = 0) {
    out.push_back(at);
    if (depth > 12) return;
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it) places(*it, at + "/" + it.key(), out, depth + 1);
    if (j.is_array())
        for (std::size_t i = 0; i < j.size(); ++i) places(j[i], at + "/" + std::to_string(i), out, depth + 1);
}

inline json mutate(json data, std::mt19937& rng) {
    const auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    static const std::vector<json> dates = {"2025-02-30", "2024-02-29", "2023-02-29", "2025-04-31", "2025-12-31",
                                            "2025-02", "2025-01-01", json{{"year", 2023}, {"month", 2}, {"day", 29}},
                                            json{{"year", 2024}, {"month", 2}, {"day", 29}},
                                            json{{"year", 2025}, {"month", 4}, {"day", 31}},
                                            json{{"year", 2025}, {"month", nullptr}, {"day", nullptr}}};
    static const std::vector<std::string> schemes = {"roman", "arabic", "decimal", "letter", "none"};
    const int changes = 1 + static_cast<int>(pick(3));
    for (int c = 0; c < changes; ++c) {
        std::vector<std::string> all;
        places(data, "", all);
        const json::json_pointer at(all[pick(all.size())]);
        switch (pick(7)) {
            case 0:  // an optional field removed (or a required one: validate must say so)
                if (!at.empty() && data.contains(at)) data[at.parent_pointer()].is_object()
                                                           ? static_cast<void>(data[at.parent_pointer()].erase(at.back()))
                                                           : static_cast<void>(0);
                break;
            case 1:  // edge dates
                for (const char* key : {"/date", "/report_date", "/person/birth_date"})
                    if (data.contains(json::json_pointer(key)) && pick(2)) data[json::json_pointer(key)] = dates[pick(dates.size())];
                break;
            case 2: {  // numbering: any schemes, possibly fewer levels than the body is deep
                json levels = json::array();
                for (std::size_t n = 1 + pick(3); n > 0; --n) levels.push_back(schemes[pick(schemes.size())]);
                data[data.contains("achievements") ? "achievements_numbering" : "numbering"] = {{"levels", levels}};
                break;
            }
            case 3: {  // a deep body
                const char* key = data.contains("body") ? "body" : "achievements";
                json node = {{"title", "Cấp sâu nhất"}};
                for (std::size_t d = 1 + pick(5); d > 0; --d) node = {{"title", "Cấp " + std::to_string(d)}, {"children", {node}}};
                if (data[key].is_array()) data[key].push_back(node);
                break;
            }
            case 4:  // a long text
                if (data.contains(at) && data[at].is_string()) data[at] = std::string(2000 + pick(3000), 'x') + " dài";
                break;
            case 5: {  // many sections at one level (past y, the 23rd điểm letter)
                const char* key = data.contains("body") ? "body" : "achievements";
                json many = json::array();
                for (std::size_t n = 20 + pick(8); n > 0; --n) many.push_back({{"title", "Mục " + std::to_string(n)}});
                if (data[key].is_array() && !data[key].empty() && data[key][0].is_object()) data[key][0]["children"] = many;
                break;
            }
            default:  // a value of another type
                if (!at.empty() && data.contains(at)) data[at] = pick(2) ? json(42) : json("văn bản");
                break;
        }
    }
    return data;
}

// `count` generated documents for bundled template `name` (seeded: the same documents every run).
inline Outcome check_valid_renders(const std::string& name, int count, unsigned seed = 18) {
    Outcome outcome;
    const auto bundled = find_bundled_template(name);
    if (!bundled || !bundled->schema()) {
        outcome.violations.push_back(name + ": no bundled template with a schema");
        return outcome;
    }
    const Schema schema(*bundled->schema(), name);
    const Template tpl = Template::from_file(bundled->variant_path("docx"));
    const json example = json::parse(bundled->example());
    std::mt19937 rng(seed);
    for (int i = 0; i < count; ++i) {
        const json data = i == 0 ? example : mutate(example, rng);
        const Data parsed = Data::parse(data.dump(), "generated.json");
        const bool valid = schema.validate(parsed).empty();
        ++outcome.documents;
        outcome.valid += valid;
        try {
            static_cast<void>(tpl.render(parsed));
            ++outcome.rendered;
        } catch (const Error& e) {
            const bool on_data = !e.diagnostics().empty() && e.diagnostics().front().kind != DiagnosticKind::limit;
            if (valid && on_data && outcome.violations.size() < 5)
                outcome.violations.push_back(name + ": valid but the render failed: " + e.what() + "\n" + data.dump());
        }
    }
    return outcome;
}

}  // namespace vanban::property
