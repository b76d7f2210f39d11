#!/usr/bin/env bash
# Sets up and runs every test of vanban:
#   1. release build with -Werror: unit tests, end-to-end tests (real templates rendered and opened with
#      validate-office and LibreOffice; `vanban serve` over HTTP), the benchmark built (not timed), and the page of
#      `vanban serve` driven in headless Chromium (tests/browser);
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build, with gcov coverage: the same tests again (the server,
#      pictures and docxtpl differential tests included), then the line coverage of src/ (gcovr; a figure, no gate);
#   3. ThreadSanitizer build of the multi-threaded tests (one template rendered from many threads with pictures, batch
#      workers, the C API's shared handles, zip reads, and `vanban serve` built with ThreadSanitizer under HTTP load);
#   4. fuzz smoke: the libFuzzer harnesses (clang, ASan + UBSan) replay their regression inputs and seeds, then fuzz
#      each parser for a short while (VANBAN_FUZZ_SECONDS in all, default 120; `bash fuzz/run.sh 3600` for an hour).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh --with-office

jobs=$(nproc)
export CTEST_OUTPUT_ON_FAILURE=1
stage() { echo "== $1 (at ${SECONDS}s)"; }

stage "release build (-Werror)"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DVANBAN_WERROR=ON >/dev/null
cmake --build build/release -j"$jobs"
ctest --test-dir build/release -j"$jobs" --timeout 900
stage "browser test of vanban serve (headless Chromium)"
bash tests/browser/run.sh build/release/vanban

stage "ASan + UBSan build (with coverage)"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DVANBAN_SANITIZE=ON -DVANBAN_COVERAGE=ON -DVANBAN_WERROR=ON \
  -DVANBAN_BUILD_BENCH=OFF >/dev/null
cmake --build build/asan -j"$jobs"
find build/asan -name '*.gcda' -delete  # counts of this run only
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan -j"$jobs" --timeout 900
stage "line coverage of src/ by the tests above (per file in build/asan/coverage.txt)"
# A figure, not a gate: a coverage report that cannot be made does not fail the tests above.
gcovr --root . --filter 'src/' --gcov-ignore-parse-errors --txt build/asan/coverage.txt --print-summary build/asan \
  || echo "line coverage: gcovr could not summarise (the tests above passed)"

stage "ThreadSanitizer build (the multi-threaded tests only)"
cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 -DVANBAN_TSAN=ON -DVANBAN_WERROR=ON \
  -DVANBAN_BUILD_BENCH=OFF >/dev/null
cmake --build build/tsan -j"$jobs" --target vanban-threads
TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" build/tsan/tests/vanban-threads --gtest_brief=1

stage "fuzz smoke"
bash fuzz/run.sh "${VANBAN_FUZZ_SECONDS:-120}"
stage "done"
