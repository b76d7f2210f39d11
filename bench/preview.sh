#!/usr/bin/env bash
# The page's instant-preview latency (bench/preview.mjs): keystroke → updated preview, seeds 000 and 003, median of 20.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target vanban-cli >/dev/null
(cd tests/browser && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
exec node bench/preview.mjs build/release/vanban
