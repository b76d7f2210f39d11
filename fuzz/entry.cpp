// One libFuzzer harness: the target named by VANBAN_FUZZ_TARGET (a function of targets.hpp).
#include "targets.hpp"

#ifndef VANBAN_FUZZ_TARGET
#error "VANBAN_FUZZ_TARGET must name a function of fuzz/targets.hpp"
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return vanban::fuzz::VANBAN_FUZZ_TARGET(data, size);
}
