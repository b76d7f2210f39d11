#!/usr/bin/env bash
# vanban batch against the peer engines on the same machine, at the same time: W2 of ../shared/bench-peers (1,000
# award forms, one .docx file each, the peers' own data, templates and runners), RUNS rounds interleaved round-robin
# (docxtemplater, easy-template-x, docxtpl, then `vanban batch` to a folder), so that the load of a shared machine
# falls on all of them. The harness is copied to a temporary directory (its npm packages installed there), so
# ../shared is not written to. Prints one line per run and the medians. Needs node/npm and python3-docxtpl, as the
# harness does. Environment: PEERS, RUNS (default 5), BUILD (default build/release), PY (the Python with docxtpl,
# default Debian's /usr/bin/python3, as the harness).
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=$(readlink -f "${PEERS:-../shared/bench-peers}")
RUNS=${RUNS:-5}
BUILD=${BUILD:-build/release}
PY=${PY:-/usr/bin/python3}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DVANBAN_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target vanban-batch-bench >/dev/null
bench=$(readlink -f "$BUILD/bench/vanban-batch-bench")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$PEERS/runners" "$PEERS/scripts" "$PEERS/package.json" "$PEERS/package-lock.json" "$work/"
cd "$work"
npm ci --no-audit --no-fund >/dev/null 2>&1
python3 scripts/gen_data.py >/dev/null
python3 scripts/gen_templates.py >/dev/null

: > results.txt
for run in $(seq "$RUNS"); do
  for engine in docxtemplater easy-template-x docxtpl; do
    rm -rf "out/w2/$engine"
    if [ "$engine" = docxtpl ]; then
      "$PY" runners/docxtpl_runner.py w2 "out/w2/$engine"
    else
      node "runners/$engine.js" w2 "out/w2/$engine"
    fi | python3 -c 'import json, sys; d = json.loads(sys.stdin.read()); print(sys.argv[1], round(d["docs_per_s"]))' "$engine" | tee -a results.txt
  done
  python3 scripts/verify.py form out/w2/easy-template-x >/dev/null  # the fastest peer's output is complete
  rm -rf out/w2/vanban && mkdir -p out/w2/vanban
  "$bench" files templates/docxtpl/form.docx out/data/forms.json out/w2/vanban 0 end |
    python3 -c 'import json, sys; d = json.loads(sys.stdin.read()); print("vanban", round(d["docs_per_s"]), d["p50_ms"], d["p95_ms"], d["peak_rss_kib"])' |
    tee -a results.txt
  python3 scripts/verify.py form out/w2/vanban >/dev/null
done
python3 - <<'PY'
import statistics
runs = {}
for line in open("results.txt"):
    name, rate, *_ = line.split()
    runs.setdefault(name, []).append(int(rate))
for name, rates in runs.items():
    print(f"median {name}: {statistics.median(rates):.0f} docs/s  [{min(rates)}–{max(rates)}]")
best_peer = max(statistics.median(r) for n, r in runs.items() if n != "vanban")
print(f"vanban / fastest peer (medians): {statistics.median(runs['vanban']) / best_peer:.1f}x")
PY
