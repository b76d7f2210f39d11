// Every seed of fuzz/corpus and every input a fuzzer once broke vanban with (fuzz/regressions), replayed through the
// same fuzz targets with this build (release, ASan + UBSan). The targets abort on anything but a clean vanban::Error —
// a sanitizer report, another exception, a rendered part that is not well-formed XML — so each of these inputs is a
// test of its own.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "targets.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_of(const std::string& target, const char* kind) {
    std::vector<fs::path> files;
    const fs::path dir = fs::path(vanban::test::source_dir()) / "fuzz" / kind / target;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

void replay(const vanban::fuzz::Target& target, const char* kind) {
    for (const auto& file : inputs_of(std::string(target.name), kind)) {
        const std::string bytes = vanban::test::read_file(file.string());
        SCOPED_TRACE(file.string());
        EXPECT_NO_THROW(target.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    }
}

TEST(FuzzReplay, SeedCorpora) {
    for (const auto& target : vanban::fuzz::targets()) {
        EXPECT_FALSE(inputs_of(std::string(target.name), "corpus").empty()) << target.name << " has no seeds";
        replay(target, "corpus");
    }
}

TEST(FuzzReplay, RegressionInputs) {
    for (const auto& target : vanban::fuzz::targets()) replay(target, "regressions");
}

}  // namespace
