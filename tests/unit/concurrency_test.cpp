// One compiled Template rendered from many threads at once, each render with its own data; every output is checked
// against the data it was rendered from (no shared mutable state between renders).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"
#include "vanban/vanban.hpp"

namespace {

using nlohmann::json;

std::string P(const std::string& text) {
    return "<w:p><w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r></w:p>";
}

std::string footnotes() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:footnotes "
           "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
           "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
           "<w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:r><w:continuationSeparator/></w:r></w:p>"
           "</w:footnote></w:footnotes>";
}

json data_for(int thread, int round) {
    json items = json::array();
    const int n = (thread + round) % 4;  // 0..3 items, so some renders take the loop's else branch
    for (int i = 0; i < n; ++i)
        items.push_back("mục " + std::to_string(thread) + "." + std::to_string(round) + "." + std::to_string(i));
    return {{"name", "Người " + std::to_string(thread) + "-" + std::to_string(round)},
            {"n", thread * 1000 + round},
            {"items", items},
            {"note", "ghi chú " + std::to_string(round) + "^[chú thích " + std::to_string(thread) + "]"}};
}

std::vector<std::string> expected_for(const json& d) {
    std::vector<std::string> out = {d["name"].get<std::string>() + " | " + std::to_string(d["n"].get<int>() * 2)};
    if (d["items"].empty()) out.push_back("không có mục nào");
    int i = 1;
    for (const auto& item : d["items"]) out.push_back(std::to_string(i++) + ". " + item.get<std::string>());
    out.push_back(d["note"].get<std::string>().substr(0, d["note"].get<std::string>().find('^')));
    return out;
}

TEST(Concurrency, OneTemplateManyThreads) {
    const std::string body = P("{{ name }} | {{ n * 2 }}") + P("{% for it in items %}") +
                             P("{{ loop.index }}. {{ it }}") + P("{% else %}") + P("không có mục nào") +
                             P("{% endfor %}") + P("{{ note | rich }}");
    const auto tpl =
        vanban::Template::from_bytes(vanban::test::make_docx(body, {{"word/footnotes.xml", footnotes()}}), "t.docx");

    constexpr int kThreads = 8;
    constexpr int kRounds = 50;
    std::atomic<int> checked{0};
    std::vector<std::string> failures(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            try {
                for (int r = 0; r < kRounds; ++r) {
                    const json d = data_for(t, r);
                    const auto parts = vanban::test::read_zip(tpl.render(d));
                    const auto texts = vanban::test::paragraph_texts(parts.at("word/document.xml"));
                    if (texts != expected_for(d)) {
                        failures[static_cast<std::size_t>(t)] = "thread " + std::to_string(t) + " round " +
                                                                std::to_string(r) + ": wrong text, first paragraph '" +
                                                                (texts.empty() ? std::string() : texts[0]) + "'";
                        return;
                    }
                    // each render numbers its own footnotes from 1
                    const std::string& notes = parts.at("word/footnotes.xml");
                    const std::string want = "chú thích " + std::to_string(t);
                    if (notes.find("<w:footnote w:id=\"1\">") == std::string::npos ||
                        notes.find(want) == std::string::npos ||
                        notes.find("<w:footnote w:id=\"2\">") != std::string::npos) {
                        failures[static_cast<std::size_t>(t)] =
                            "thread " + std::to_string(t) + " round " + std::to_string(r) + ": wrong footnotes";
                        return;
                    }
                    ++checked;
                }
            } catch (const std::exception& e) {
                failures[static_cast<std::size_t>(t)] = std::string("thread ") + std::to_string(t) + ": " + e.what();
            }
        });
    }
    for (auto& th : threads) th.join();
    for (const auto& f : failures) EXPECT_EQ(f, "");
    EXPECT_EQ(checked.load(), kThreads * kRounds);
}

TEST(Concurrency, ErrorsInOneThreadDoNotLeakIntoOthers) {
    const auto tpl = vanban::Template::from_bytes(vanban::test::make_docx(P("{{ a.b }}")), "t.docx");
    constexpr int kThreads = 8;
    std::vector<int> ok(kThreads, 0), errors(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int r = 0; r < 20; ++r) {
                const bool good = (t + r) % 2 == 0;
                const json d =
                    good ? json{{"a", {{"b", "giá trị " + std::to_string(r)}}}} : json{{"a", json::object()}};
                try {
                    const auto parts = vanban::test::read_zip(tpl.render(d));
                    const auto texts = vanban::test::paragraph_texts(parts.at("word/document.xml"));
                    if (good && texts == std::vector<std::string>{"giá trị " + std::to_string(r)})
                        ++ok[static_cast<std::size_t>(t)];
                } catch (const vanban::Error& e) {
                    if (!good && e.diagnostics().size() == 1 &&
                        e.diagnostics()[0].message == "'a.b' is missing from the data")
                        ++errors[static_cast<std::size_t>(t)];
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < kThreads; ++t) {
        EXPECT_EQ(ok[static_cast<std::size_t>(t)], 10) << "thread " << t;
        EXPECT_EQ(errors[static_cast<std::size_t>(t)], 10) << "thread " << t;
    }
}

}  // namespace
