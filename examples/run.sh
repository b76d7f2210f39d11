#!/usr/bin/env bash
# Sets up vanban and renders every bundled example into a real document under out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DVANBAN_BUILD_TESTS=OFF -DVANBAN_BUILD_BENCH=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target vanban-cli
vanban=build/release/vanban
mkdir -p out
status=0
for data in examples/*/*.json; do
  [ -e "$data" ] || continue
  template=$(basename "$(dirname "$data")")
  name="$template-$(basename "$data" .json)"
  if "$vanban" render "$template" "$data" -o "out/$name.docx"; then
    echo "rendered out/$name.docx"
  else
    status=1
  fi
done
for dir in templates/*/docx; do
  [ -d "$dir" ] || continue
  name=$(basename "$(dirname "$dir")")
  "$vanban" pack "$dir" -o "out/$name-template.docx" && echo "packed  out/$name-template.docx"
done
exit $status
