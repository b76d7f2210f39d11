#!/usr/bin/env bash
# One command, one run: how close `vanban batch` comes to the engine alone, and to a plain program writing the same
# files. ROUNDS rounds, each running back to back (so that the load of a shared machine falls on all of them alike):
#   engine      vanban-bench threads: the W2 forms rendered in memory on JOBS threads (records parsed beforehand)
#   engine-text vanban-bench threads-text: the same from each record's JSON text, as the C API renders (Data::parse)
#   batch-zip   vanban batch of the same records (streamed from the JSON file) into one zip
#   batch-files vanban batch of the same records into a folder, --sync none
#   writeloop-python  the files batch-files wrote, read into memory, written again (temporary name, rename) by a
#               Python loop (bench/writeloop.py): the plain loop of issue 24's target
#   writeloop   the same in C on one thread (vanban-batch-bench writeloop); writeloop-jobs the same on JOBS threads
#   floor       the peers' zlib floor (../shared/bench-peers/floor/zipfloor.c, one thread, deflate 6 of every part) on
#               the parts of the median document batch-files wrote, N documents to files
#   award-*     engine and batch-zip for the bundled award forms (bao-cao-thanh-tich, validated by their schema)
# then, once: BIG (100,000) W2 records to a zip under /usr/bin/time -v (peak RSS), and PDF_N award forms to PDF
# through LibreOffice. Ratios are taken within each round, then their median and range are printed; the last lines
# say whether each target of issue 24 is met. Environment: N (default 20000), ROUNDS (5), BIG (100000), PDF_N (110,
# 0 skips), JOBS (the cores), BUILD (build/release), PEERS (../shared/bench-peers).
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=$(readlink -f "${PEERS:-../shared/bench-peers}")
N=${N:-20000}
ROUNDS=${ROUNDS:-5}
BIG=${BIG:-100000}
PDF_N=${PDF_N:-110}
JOBS=${JOBS:-$(nproc)}
BUILD=${BUILD:-build/release}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DVANBAN_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target vanban-bench vanban-batch-bench vanban-cli >/dev/null
engine=$(readlink -f "$BUILD/bench/vanban-bench")
batch=$(readlink -f "$BUILD/bench/vanban-batch-bench")
vanban=$(readlink -f "$BUILD/vanban")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/zipfloor" "$PEERS/floor/zipfloor.c" -lz
python3 "$PEERS/scripts/gen_templates.py" "$work/tpl" >/dev/null
N_FORMS=$N python3 "$PEERS/scripts/gen_data.py" "$work/d" >/dev/null
tpl="$work/tpl/docxtpl/form.docx"
forms="$work/d/forms.json"
python3 - "$N" examples/award-forms/nominees.jsonl "$work/award.json" <<'PY'
import json, sys
n, src, dest = int(sys.argv[1]), sys.argv[2], sys.argv[3]
base = [json.loads(l) for l in open(src, encoding="utf-8") if l.strip()]
json.dump({"records": [base[i % len(base)] for i in range(n)]}, open(dest, "w", encoding="utf-8"), ensure_ascii=False)
PY
echo "# $(date -u '+%F %H:%M') UTC, $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg); N=$N, JOBS=$JOBS"

field() { python3 -c 'import json, sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])[sys.argv[1]])' "$1"; }
: > "$work/results.txt"
record() { echo "$1 $2 $3" | tee -a "$work/results.txt"; }  # round, name, docs/s
# Each writer gets a folder of its own, and a round's folders are removed together (the batch's at the start of the
# next round, before the engine): ext4 is slow to create inodes right after many were removed, and no writer should
# start after 20,000 removals while another does not.
for r in $(seq "$ROUNDS"); do
  rm -rf "$work/files"
  record "$r" engine "$("$engine" threads "$tpl" "$forms" "$JOBS" | field docs_per_s)"
  record "$r" engine-text "$("$engine" threads-text "$tpl" "$forms" "$JOBS" | field docs_per_s)"
  record "$r" batch-zip "$("$batch" zip "$tpl" "$forms" "$work/all.zip" "$JOBS" none | field docs_per_s)"
  rm -f "$work/all.zip"
  mkdir "$work/files" "$work/loop-python" "$work/loop" "$work/loop-jobs" "$work/floor-out"
  record "$r" batch-files "$("$batch" files "$tpl" "$forms" "$work/files" "$JOBS" none | field docs_per_s)"
  record "$r" writeloop-python "$(python3 bench/writeloop.py "$work/files" "$work/loop-python" | field docs_per_s)"
  record "$r" writeloop "$("$batch" writeloop "$work/files" "$work/loop" 1 | field docs_per_s)"
  record "$r" writeloop-jobs "$("$batch" writeloop "$work/files" "$work/loop-jobs" "$JOBS" | field docs_per_s)"
  [ -d "$work/parts" ] || python3 "$PEERS/floor/extract_parts.py" --median "$work/files" "$work/parts" >/dev/null
  record "$r" floor "$("$work/zipfloor" "$work/parts" "$N" "$work/floor-out" | field docs_per_s)"
  rm -rf "$work/loop-python" "$work/loop" "$work/loop-jobs" "$work/floor-out"
  record "$r" award-engine "$("$engine" threads bao-cao-thanh-tich "$work/award.json" "$JOBS" | field docs_per_s)"
  record "$r" award-batch-zip "$("$batch" zip bao-cao-thanh-tich "$work/award.json" "$work/award.zip" "$JOBS" none | field docs_per_s)"
  rm -f "$work/award.zip"
done
python3 "$PEERS/scripts/verify.py" form "$work/files" "$forms" | tail -1  # the last batch-files output, checked

rss=none
if [ "$BIG" -gt 0 ]; then
  N_FORMS=$BIG python3 "$PEERS/scripts/gen_data.py" "$work/big" >/dev/null
  /usr/bin/time -v "$batch" zip "$tpl" "$work/big/forms.json" "$work/big.zip" "$JOBS" none >"$work/big.out" 2>"$work/big.time"
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/big.time")
  echo "$BIG records -> zip: $(field docs_per_s < "$work/big.out") docs/s, peak RSS $rss KiB ($(stat -c %s "$work/big.zip") bytes)"
  rm -rf "$work/big" "$work/big.zip"
fi

pdf=none
if [ "$PDF_N" -gt 0 ] && command -v soffice >/dev/null 2>&1; then
  python3 - "$PDF_N" examples/award-forms/nominees.jsonl "$work/pdf.jsonl" <<'PY'
import sys
n, src, dest = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lines = [l for l in open(src, encoding="utf-8") if l.strip()]
open(dest, "w", encoding="utf-8").writelines(lines[i % len(lines)] for i in range(n))
PY
  start=$(date +%s.%N)
  "$vanban" batch bao-cao-thanh-tich "$work/pdf.jsonl" -o "$work/pdf" --format pdf --quiet --converters "$JOBS"
  end=$(date +%s.%N)
  [ "$(ls "$work/pdf" | wc -l)" = "$PDF_N" ] || { echo "batch PDF: expected $PDF_N files" >&2; exit 1; }
  pdf=$(python3 -c 'import sys; print("%.2f" % (int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))' "$PDF_N" "$start" "$end")
  echo "PDF: $PDF_N award forms in $(python3 -c "print(round($end - $start, 1))") s: $pdf docs/s ($JOBS LibreOffice processes)"
fi
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$work/results.txt" "$rss" "$pdf" <<'PY'
import statistics, sys
rounds = {}
for line in open(sys.argv[1]):
    r, name, rate = line.split()
    rounds.setdefault(r, {})[name] = float(rate)
def show(name, values, unit=""):
    print(f"{name:34s} median {statistics.median(values):8.2f}{unit}  [{min(values):.2f}–{max(values):.2f}]")
    return statistics.median(values)
names = list(next(iter(rounds.values())))
for n in names:
    show(n + " docs/s", [rs[n] for rs in rounds.values()])
def ratio(a, b):
    return show(f"{a} / {b}", [rs[a] / rs[b] for rs in rounds.values()], "×")
zip_ratio = ratio("batch-zip", "engine")
ratio("batch-zip", "engine-text")
files_ratio = ratio("batch-files", "writeloop-python")
ratio("batch-files", "writeloop")
ratio("batch-files", "writeloop-jobs")
ratio("batch-files", "engine")
ratio("batch-zip", "floor")
ratio("award-batch-zip", "award-engine")
zip_rate = statistics.median(rs["batch-zip"] for rs in rounds.values())
rss, pdf = sys.argv[2], sys.argv[3]
def target(ok, text):
    print(("met     " if ok else "NOT met ") + text)
target(zip_ratio >= 0.8 and zip_rate >= 7500, f"zip >= 0.8 x engine and >= 7,500 docs/s: {zip_ratio:.2f}x, {zip_rate:.0f} docs/s")
target(files_ratio >= 0.8, f"files --sync none >= 0.8 x the plain write loop (Python, issue 24's): {files_ratio:.2f}x")
if rss != "none":
    target(int(rss) <= 32 * 1024, f"100k records <= 32 MiB peak RSS: {int(rss) / 1024:.1f} MiB")
if pdf != "none":
    target(float(pdf) >= 4, f"PDF >= 4 docs/s: {pdf}")
PY
