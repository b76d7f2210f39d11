// Valid ⇒ renders over generated data: 1,000 documents for every bundled template (bench/valid_renders_bench.cpp: any number).
#include <gtest/gtest.h>

#include "../../bench/valid_renders.hpp"

namespace {

TEST(ValidRenders, GeneratedDataThatValidatesRendersForEveryBundledTemplate) {
    const auto all = vanban::bundled_templates();
    ASSERT_FALSE(all.empty());
    for (const auto& t : all) {
        const auto outcome = vanban::property::check_valid_renders(t.name, 1000);
        EXPECT_EQ(outcome.documents, 1000);
        EXPECT_GT(outcome.valid, 0) << t.name;                  // the generator reaches valid documents ...
        EXPECT_LT(outcome.valid, outcome.documents) << t.name;  // ... and invalid ones
        for (const auto& v : outcome.violations) ADD_FAILURE() << v.substr(0, 3000);
    }
}

}  // namespace
