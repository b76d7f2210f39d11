#!/usr/bin/env bash
# `vanban serve` under slow and many clients: starts the release build on a free loopback port, runs
# vanban-serve-bench against it, stops it. Figures and goals: docs/reliability.md, "vanban serve under hostile requests".
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j2 --target vanban-cli vanban-serve-bench >/dev/null
out=$(mktemp)
build/release/vanban serve --port 0 --quiet >"$out" &
server=$!
trap 'kill "$server" 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q http "$out" && break; sleep 0.1; done
port=$(grep -o '127\.0\.0\.1:[0-9]*' "$out" | cut -d: -f2)
build/release/bench/vanban-serve-bench "$port"
