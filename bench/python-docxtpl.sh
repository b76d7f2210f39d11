#!/usr/bin/env bash
# docxtpl against vanban.docxtpl (the Python package, docs/python.md) on the same machine in one run: W2 of
# ../shared/bench-peers (1,000 award forms, one .docx file each, the peers' data and docxtpl template), the peers'
# own docxtpl runner against bench/python_docxtpl_runner.py (the same program with `from vanban.docxtpl import
# DocxTemplate`), RUNS rounds interleaved so the load of a shared machine falls on both. This build is installed
# into a temporary prefix and the package imported from there; ../shared is not written to. Both outputs are
# checked with the peers' verify.py (every paragraph of every document). Prints one line per run, the medians and
# the ratio. Environment: PEERS, RUNS (default 5), BUILD (default build/release), PY (default /usr/bin/python3,
# Debian's, with python3-docxtpl).
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$PWD
PEERS=$(readlink -f "${PEERS:-../shared/bench-peers}")
RUNS=${RUNS:-5}
BUILD=${BUILD:-build/release}
PY=${PY:-/usr/bin/python3}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target vanban vanban-cli >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$BUILD" --prefix "$work/prefix" >/dev/null
site="$work/prefix/lib/python3/dist-packages"
cp -r "$PEERS/runners" "$PEERS/scripts" "$work/"
cd "$work"
"$PY" scripts/gen_data.py >/dev/null
"$PY" scripts/gen_templates.py >/dev/null

rate() { "$PY" -c 'import json, sys; d = json.loads(sys.stdin.read()); print(sys.argv[1], round(d["docs_per_s"]))' "$1"; }
: > results.txt
for run in $(seq "$RUNS"); do
  rm -rf out/w2/docxtpl out/w2/vanban
  "$PY" runners/docxtpl_runner.py w2 out/w2/docxtpl | rate docxtpl | tee -a results.txt
  PYTHONPATH="$site" "$PY" "$source_dir/bench/python_docxtpl_runner.py" "$work" out/w2/vanban | rate vanban.docxtpl |
    tee -a results.txt
  "$PY" scripts/verify.py form out/w2/docxtpl >/dev/null
  "$PY" scripts/verify.py form out/w2/vanban >/dev/null
done
"$PY" - <<'PY'
import statistics
runs = {}
for line in open("results.txt"):
    name, rate = line.split()
    runs.setdefault(name, []).append(int(rate))
for name, rates in runs.items():
    print(f"median {name}: {statistics.median(rates):.0f} docs/s  [{min(rates)}–{max(rates)}]")
print(f"vanban.docxtpl / docxtpl (medians): {statistics.median(runs['vanban.docxtpl']) / statistics.median(runs['docxtpl']):.1f}x")
PY
