// The bundled KẾ HOẠCH template (DOCX and ODT), each compiled once and rendered from 16 threads for a fixed number of
// iterations (half of the plans with signature and seal pictures), together with JSON Schema validation against one shared Schema. Every output is checked: each render
// must produce exactly the parts that a render of the same data alone produces (the data carries a marker unique to
// the thread and iteration, which must appear where the reference has its own), and failing renders must fail with the
// same diagnostics. Built into the ThreadSanitizer stage of tests/run.sh too.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "test_images.hpp"
#include "test_support.hpp"
#include "vanban/vanban.hpp"

namespace {

using nlohmann::json;
namespace t = vanban::test;

constexpr int kThreads = 16;
constexpr int kIterations = 30;
const std::string kReferenceMarker = "#00-000";

std::string marker(int thread, int iteration) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "#%02d-%03d", thread, iteration);  // as long as kReferenceMarker, same glyph widths
    return buf;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
        s.replace(p, from.size(), to);
    return s;
}

json example(int k) {
    static const char* names[] = {"000", "002", "003", "004"};
    return json::parse(t::read_file(t::source_dir() + "/examples/ke-hoach/" + names[k] + ".json"));
}

// Example k with `mark` in its title; `broken` drops a required value (a strict render fails, validation reports it).
// Examples 1 and 3 carry the signer's signature and seal as pictures (each render has its own ImageSession; the
// compiled template's package data is shared).
json variant(int k, const std::string& mark, bool broken) {
    static const std::string signature = t::data_uri(t::signature_png()), seal = t::data_uri(t::seal_png());
    json d = example(k);
    d["title"] = d["title"].get<std::string>() + " " + mark;
    if (k % 2 == 1) {
        d["signer"]["signature_image"] = {{"image", signature}};
        d["signer"]["seal_image"] = {{"image", seal}, {"height", "35mm"}};
    }
    if (broken) d.erase("place");
    return d;
}

std::string diagnostics_text(const std::vector<vanban::Diagnostic>& ds) {
    std::string s;
    for (const auto& d : ds) s += d.to_string() + "\n";
    return s;
}

struct Outcome {
    std::map<std::string, std::string> parts;  // a successful render, unzipped
    std::string errors;                        // or the diagnostics of a failed one
    std::string validation;                    // the schema's verdict
};

Outcome run_once(const vanban::Template& tpl, const vanban::Schema& schema, const json& value) {
    Outcome o;
    const vanban::Data data(value, "plan.json");
    o.validation = diagnostics_text(schema.validate(data));
    try {
        o.parts = t::read_zip(tpl.render(data));
    } catch (const vanban::Error& e) {
        o.errors = diagnostics_text(e.diagnostics());
    }
    return o;
}

void stress(const std::string& variant_dir) {
    const std::string dir = t::source_dir() + "/templates/ke-hoach/";
    const auto tpl = vanban::Template::from_file(dir + variant_dir);
    const auto schema = vanban::Schema::parse(t::read_file(dir + "schema.json"), "schema.json");

    // References, one render at a time: four examples, good and broken.
    std::map<std::pair<int, bool>, Outcome> reference;
    for (int k = 0; k < 4; ++k)
        for (bool broken : {false, true})
            reference[std::make_pair(k, broken)] = run_once(tpl, schema, variant(k, kReferenceMarker, broken));
    const std::string main_part = variant_dir == "odt" ? "content.xml" : "word/document.xml";
    for (int k = 0; k < 4; ++k) {
        const Outcome& good = reference[std::make_pair(k, false)];
        const Outcome& bad = reference[std::make_pair(k, true)];
        ASSERT_TRUE(good.errors.empty()) << good.errors;
        ASSERT_TRUE(good.validation.empty()) << good.validation;
        ASSERT_FALSE(bad.errors.empty());
        ASSERT_FALSE(bad.validation.empty());
        ASSERT_NE(good.parts.at(main_part).find(kReferenceMarker), std::string::npos);
        const std::string media = variant_dir == "odt" ? "Pictures/vanban_image1.png" : "word/media/vanban_image1.png";
        ASSERT_EQ(good.parts.count(media), k % 2 == 1 ? 1u : 0u) << "example " << k;
    }

    std::vector<std::string> failures(kThreads);
    std::vector<int> checked(kThreads, 0);
    std::vector<std::thread> threads;
    for (int th = 0; th < kThreads; ++th) {
        threads.emplace_back([&, th] {
            std::string& failure = failures[static_cast<std::size_t>(th)];
            try {
                for (int i = 0; i < kIterations && failure.empty(); ++i) {
                    const int k = (th + i) % 4;
                    const bool broken = (th * kIterations + i) % 5 == 0;
                    const std::string mark = marker(th, i);
                    const Outcome got = run_once(tpl, schema, variant(k, mark, broken));
                    const Outcome& want = reference.at(std::make_pair(k, broken));
                    const std::string where = "thread " + std::to_string(th) + " iteration " + std::to_string(i) + ": ";
                    if (got.validation != replace_all(want.validation, kReferenceMarker, mark))
                        failure = where + "validation differs:\n" + got.validation;
                    else if (got.errors != replace_all(want.errors, kReferenceMarker, mark))
                        failure = where + "errors differ:\n" + got.errors;
                    else if (got.parts.size() != want.parts.size()) failure = where + "a different set of parts";
                    for (const auto& [name, content] : want.parts) {
                        if (!failure.empty()) break;
                        const auto it = got.parts.find(name);
                        if (it == got.parts.end() || it->second != replace_all(content, kReferenceMarker, mark))
                            failure = where + name + " differs from the reference";
                    }
                    if (failure.empty()) ++checked[static_cast<std::size_t>(th)];
                }
            } catch (const std::exception& e) {
                failure = "thread " + std::to_string(th) + ": " + e.what();
            }
        });
    }
    for (auto& th : threads) th.join();
    int total = 0;
    for (int th = 0; th < kThreads; ++th) {
        EXPECT_EQ(failures[static_cast<std::size_t>(th)], "");
        total += checked[static_cast<std::size_t>(th)];
    }
    EXPECT_EQ(total, kThreads * kIterations);
}

TEST(Stress, KeHoachDocxFromSixteenThreads) { stress("docx"); }
TEST(Stress, KeHoachOdtFromSixteenThreads) { stress("odt"); }

}  // namespace
