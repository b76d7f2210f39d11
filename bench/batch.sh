#!/usr/bin/env bash
# `vanban batch` on the peers' award-form workload (../shared/bench-peers: same data generator, same docxtpl
# template): 1,000 forms to 1,000 files, then 10,000 and 100,000 records to one zip (peak RSS of the two shows that
# memory does not grow with the number of records). Every archive is opened and counted with Python's zipfile.
# Prints JSON lines (docs/s, p50/p95 ms per document, peak RSS). Environment: PEERS, JOBS (default: automatic),
# BIG (default 100000), BUILD (default build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=${PEERS:-../shared/bench-peers}
BIG=${BIG:-100000}
JOBS=${JOBS:-0}  # 0: the runner's default (the cores for a zip, 4x the cores for files)
BUILD=${BUILD:-build/release}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
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

N_FORMS=1000 python3 "$PEERS/scripts/gen_data.py" "$work/d1k" >/dev/null
mkdir -p "$work/out1k"
"$bench" files "$tpl" "$work/d1k/forms.json" "$work/out1k" "$JOBS"
python3 "$PEERS/scripts/verify.py" form "$work/out1k" "$work/d1k/forms.json"  # the peers' own checker
rm -rf "$work/out1k"

for n in 10000 "$BIG"; do
  N_FORMS=$n python3 "$PEERS/scripts/gen_data.py" "$work/d$n" >/dev/null
  "$bench" zip "$tpl" "$work/d$n/forms.json" "$work/all-$n.zip" "$JOBS"
  check_zip "$work/all-$n.zip" "$n"
  echo "{\"zip_entries_checked\":$n,\"zip_bytes\":$(stat -c %s "$work/all-$n.zip")}"
  rm -rf "$work/d$n" "$work/all-$n.zip"
done
