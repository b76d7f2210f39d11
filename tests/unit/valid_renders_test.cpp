// Valid ⇒ renders, over generated data for every bundled template (bench/valid_renders_bench.cpp runs 1,000+ each).
#include <gtest/gtest.h>

#include "../../bench/valid_renders.hpp"

namespace {

TEST(ValidRenders, GeneratedDataThatValidatesRendersForEveryBundledTemplate) {
    const auto all = vanban::bundled_templates();
    ASSERT_FALSE(all.empty());
    for (const auto& t : all) {
        const auto outcome = vanban::property::check_valid_renders(t.name, 150);
        EXPECT_EQ(outcome.documents, 150);
        EXPECT_GT(outcome.valid, 0) << t.name;             // the generator reaches valid documents ...
        EXPECT_LT(outcome.valid, outcome.documents) << t.name;  // ... and invalid ones
        for (const auto& v : outcome.violations) ADD_FAILURE() << v.substr(0, 3000);
    }
}

}  // namespace
