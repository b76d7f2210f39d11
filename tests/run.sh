#!/usr/bin/env bash
# Sets up and runs every test of vanban:
#   1. release build with -Werror: unit tests, end-to-end tests (real templates rendered and opened with
#      validate-office and LibreOffice; `vanban serve` over HTTP), the benchmark built (not timed), and the page of
#      `vanban serve` driven in headless Chromium (tests/browser);
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build: the same tests again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh --with-office

jobs=$(nproc)
export CTEST_OUTPUT_ON_FAILURE=1

echo "== release build (-Werror)"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DVANBAN_WERROR=ON >/dev/null
cmake --build build/release -j"$jobs"
ctest --test-dir build/release -j"$jobs" --timeout 900
echo "== browser test of vanban serve (headless Chromium)"
bash tests/browser/run.sh build/release/vanban

echo "== ASan + UBSan build"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DVANBAN_SANITIZE=ON -DVANBAN_WERROR=ON -DVANBAN_BUILD_BENCH=OFF >/dev/null
cmake --build build/asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan -j"$jobs" --timeout 900
