#!/usr/bin/env bash
# Runs vanban on the peer workloads of ../shared/bench-peers (same data generator, same docxtpl-syntax templates),
# checks every output with the peers' own verifier, then times it. Prints JSON lines; the figures and how to read them are in README.md, "Speed".
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=${PEERS:-../shared/bench-peers}
RUNS=${RUNS:-5}
bash .ci/deps.sh
dpkg -s python3-docxtpl >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-docxtpl >/dev/null; }
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DVANBAN_BUILD_BENCH=ON >/dev/null
cmake --build build/release -j"$(nproc)" --target vanban-bench >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$PEERS/scripts/gen_data.py" "$work/data" >/dev/null
python3 "$PEERS/scripts/gen_templates.py" "$work/tpl" >/dev/null
bench=build/release/bench/vanban-bench
tpl="$work/tpl/docxtpl"

# correctness first: the same verifier the peers passed
mkdir -p "$work/w2"
"$bench" forms "$tpl/form.docx" "$work/data/forms.json" "$work/w2" >/dev/null
python3 "$PEERS/scripts/verify.py" form "$work/w2" "$work/data/forms.json"
build/release/vanban render "$tpl/plan.docx" "$work/data/plan.json" -o "$work/plan.docx"
python3 "$PEERS/scripts/verify.py" plan "$work/plan.docx" "$work/data/plan.json"

for run in $(seq 1 "$RUNS"); do
  "$bench" plan "$tpl/plan.docx" "$work/data/plan.json" 500
  rm -rf "$work/w2" && mkdir -p "$work/w2"
  "$bench" forms "$tpl/form.docx" "$work/data/forms.json" "$work/w2"
done
"$bench" threads "$tpl/form.docx" "$work/data/forms.json" "$(nproc)"
