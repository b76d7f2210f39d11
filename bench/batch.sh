#!/usr/bin/env bash
# `vanban batch` on the peers' award-form workload (../shared/bench-peers: same data generator, same docxtpl
# template):
#   1. 1,000 forms to 1,000 files (checked by the peers' verify.py), REPEAT times, with the default --sync end (one
#      flush of the output when the batch ends), then once with --sync each (fsync per document, for comparison);
#   2. 10,000 and BIG (100,000) records from the JSON file to one zip;
#   3. 10 and BIG records from an XLSX workbook (made from the same data by tools/csv2xlsx.py) to one zip — the sheet
#      is streamed from the archive, so the peak RSS of the two shows memory does not grow with the rows.
# Every archive is opened and counted with Python's zipfile. Prints JSON lines (docs/s, p50/p95 ms per document,
# peak RSS). Environment: PEERS, JOBS (default 0: automatic), BIG (default 100000), REPEAT (default 3), BUILD
# (default build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=${PEERS:-../shared/bench-peers}
BIG=${BIG:-100000}
REPEAT=${REPEAT:-3}
JOBS=${JOBS:-0}  # 0: the runner's default (the cores)
BUILD=${BUILD:-build/release}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DVANBAN_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target vanban-batch-bench >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$PEERS/scripts/gen_templates.py" "$work/tpl" >/dev/null
bench=$BUILD/bench/vanban-batch-bench
tpl="$work/tpl/docxtpl/form.docx"

check_zip() {  # archive, expected entries
  python3 - "$1" "$2" <<'PY'
import io, random, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
assert len(names) == int(sys.argv[2]), (len(names), sys.argv[2])
for n in random.Random(1).sample(names, min(200, len(names))):   # every sampled entry is a complete DOCX
    doc = zipfile.ZipFile(io.BytesIO(z.read(n)))
    assert doc.testzip() is None and "word/document.xml" in doc.namelist(), n
PY
}

# The peers' records as a spreadsheet list: one column per field, achievements[i].field for the rows.
to_csv() {  # forms.json, out.csv
  python3 - "$1" "$2" <<'PY'
import csv, json, sys
records = json.load(open(sys.argv[1], encoding="utf-8"))["records"]
def flat(value, path, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flat(v, f"{path}.{k}" if path else k, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            flat(v, f"{path}[{i}]", out)
    else:
        out[path] = value
rows = []
header = {}
for r in records:
    row = {}
    flat(r, "", row)
    rows.append(row)
    header.update(dict.fromkeys(row))
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(header)
    for row in rows:
        w.writerow([row.get(h, "") for h in header])
PY
}

N_FORMS=1000 python3 "$PEERS/scripts/gen_data.py" "$work/d1k" >/dev/null
for run in $(seq "$REPEAT"); do
  mkdir -p "$work/out1k-$run"
  "$bench" files "$tpl" "$work/d1k/forms.json" "$work/out1k-$run" "$JOBS" end
done
python3 "$PEERS/scripts/verify.py" form "$work/out1k-1" "$work/d1k/forms.json"  # the peers' own checker
mkdir -p "$work/out1k-each"
"$bench" files "$tpl" "$work/d1k/forms.json" "$work/out1k-each" "$JOBS" each
rm -rf "$work"/out1k-*

for n in 10000 "$BIG"; do
  N_FORMS=$n python3 "$PEERS/scripts/gen_data.py" "$work/d$n" >/dev/null
  "$bench" zip "$tpl" "$work/d$n/forms.json" "$work/all-$n.zip" "$JOBS"
  check_zip "$work/all-$n.zip" "$n"
  echo "{\"zip_entries_checked\":$n,\"zip_bytes\":$(stat -c %s "$work/all-$n.zip")}"
  rm -f "$work/all-$n.zip"
  [ "$n" = "$BIG" ] || rm -rf "$work/d$n"
done

N_FORMS=10 python3 "$PEERS/scripts/gen_data.py" "$work/d10" >/dev/null
for n in 10 "$BIG"; do
  to_csv "$work/d$n/forms.json" "$work/list-$n.csv"
  python3 tools/csv2xlsx.py "$work/list-$n.csv" "$work/list-$n.xlsx"
  rm -rf "$work/d$n" "$work/list-$n.csv"
  "$bench" zip "$tpl" "$work/list-$n.xlsx" "$work/xlsx-$n.zip" "$JOBS"
  check_zip "$work/xlsx-$n.zip" "$n"
  echo "{\"xlsx_rows\":$n,\"xlsx_bytes\":$(stat -c %s "$work/list-$n.xlsx")}"
  rm -f "$work/xlsx-$n.zip" "$work/list-$n.xlsx"
done

# 4. PDF: the bundled award forms (the 22 nominees of examples/award-forms, PDF_COPIES times over) through LibreOffice,
# which `vanban batch` hands a group of documents per run. Default 5 copies: 110 documents.
if command -v soffice >/dev/null 2>&1; then
  for _ in $(seq "${PDF_COPIES:-5}"); do cat examples/award-forms/nominees.jsonl; done > "$work/pdf.jsonl"
  n=$(wc -l < "$work/pdf.jsonl")
  start=$(date +%s.%N)
  "$BUILD/vanban" batch bao-cao-thanh-tich "$work/pdf.jsonl" -o "$work/pdf" --format pdf --quiet
  end=$(date +%s.%N)
  [ "$(ls "$work/pdf" | wc -l)" = "$n" ] || { echo "batch PDF: expected $n files" >&2; exit 1; }
  python3 -c 'import sys; n, s = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]); print("{\"pdf_documents\": %d, \"seconds\": %.1f, \"docs_per_s\": %.2f}" % (n, s, n / s))' "$n" "$start" "$end"
fi
