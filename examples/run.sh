#!/usr/bin/env bash
# Sets up vanban and renders every bundled example into a real document under out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh
if [ -f build/release/CMakeCache.txt ]; then
  cmake -S . -B build/release >/dev/null  # keep the options of an existing build (tests/run.sh's, with its tests)
else
  cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DVANBAN_BUILD_TESTS=OFF -DVANBAN_BUILD_BENCH=OFF >/dev/null
fi
cmake --build build/release -j"$(nproc)" --target vanban-cli
vanban=build/release/vanban
mkdir -p out
status=0
for data in examples/*/*.json; do
  [ -e "$data" ] || continue
  # examples/<template>/*.json, or examples/<group>/<template>.json (one example per form)
  template=$(basename "$(dirname "$data")")
  [ -f "templates/$template/template.json" ] || template=$(basename "$data" .json)
  name="$(basename "$(dirname "$data")")-$(basename "$data" .json)"
  formats=docx
  grep -q '"odt"' "templates/$template/template.json" 2>/dev/null && formats="docx odt"
  for format in $formats; do
    if "$vanban" render "$template" "$data" -o "out/$name.$format"; then
      echo "rendered out/$name.$format"
    else
      status=1
    fi
  done
done
# The bundled templates are not packed into out/: they compute some attribute values (the lengths of the rules under
# the header, indents) with tags, which no word processor keeps, so they are edited as XML under templates/ (`vanban
# pack DIR` zips one when needed). Everything in out/ is a finished document that passes validate-office.
# A whole nominee list at once, one báo cáo thành tích per record, the form chosen by each record: the same 22
# nominees as JSON Lines, CSV and XLSX. The XLSX is made here from the CSV (tools/csv2xlsx.py), so that no binary
# workbook is kept in the repository; the JSON Lines list is also rendered as ODT into one archive.
nominees=examples/award-forms/nominees
if [ -f "$nominees.jsonl" ]; then
  if python3 tools/csv2xlsx.py "$nominees.csv" out/award-forms-nominees.xlsx; then
    echo "made    out/award-forms-nominees.xlsx (from $nominees.csv)"
  else
    status=1
  fi
  for list in "$nominees.jsonl" "$nominees.csv" out/award-forms-nominees.xlsx; do
    kind=${list##*.}
    if "$vanban" batch bao-cao-thanh-tich "$list" -o "out/award-forms-batch-$kind" --quiet \
         --name '{{ loop.index }}-{{ person.full_name | default(collective.name) | slug }}' \
         --report "out/award-forms-batch-$kind.json"; then
      echo "rendered out/award-forms-batch-$kind/ from $list (report: out/award-forms-batch-$kind.json)"
    else
      status=1
    fi
  done
  if "$vanban" batch bao-cao-thanh-tich "$nominees.jsonl" --zip out/award-forms-odt.zip --format odt --quiet \
       --name '{{ loop.index }}-{{ person.full_name | default(collective.name) | slug }}'; then
    echo "rendered out/award-forms-odt.zip (ODT)"
  else
    status=1
  fi
fi
# A signed copy of plan 002: a drawn signature and a red seal added to its JSON as PNG data: URIs (made here by
# tools/sign-example.py, so that no picture is kept in the repository).
signed=out/ke-hoach-002-signed.json
if python3 tools/sign-example.py examples/ke-hoach/002.json "$signed"; then
  for format in docx odt; do
    "$vanban" render ke-hoach "$signed" -o "out/ke-hoach-002-signed.$format" && echo "rendered out/ke-hoach-002-signed.$format" || status=1
  done
else
  status=1
fi
# PDF needs LibreOffice; rendered when it is installed (tests/run.sh installs it).
if command -v soffice >/dev/null 2>&1; then
  [ -f "$signed" ] && { "$vanban" render ke-hoach "$signed" -o out/ke-hoach-002-signed.pdf && echo "rendered out/ke-hoach-002-signed.pdf" || status=1; }
  for data in examples/ke-hoach/*.json; do
    name="ke-hoach-$(basename "$data" .json)"
    "$vanban" render ke-hoach "$data" -o "out/$name.pdf" && echo "rendered out/$name.pdf" || status=1
  done
fi
# The command itself stays in the build tree; say how to type it as `vanban` (the README's tour does).
echo
echo "vanban is $PWD/$vanban — to run it as 'vanban' in this shell:"
echo "  export PATH=\"$PWD/build/release:\$PATH\""
echo "(or install it: cmake --install build/release --prefix ~/.local, with ~/.local/bin on PATH)"
exit $status
