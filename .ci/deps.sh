#!/usr/bin/env bash
# Installs the Debian packages vanban needs to build, test and render (only the missing ones).
# Used by examples/run.sh and tests/run.sh; safe to run again.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libxml2-dev nlohmann-json3-dev libgtest-dev libgmock-dev
  libzip-dev libdeflate-dev libicu-dev libcli11-dev libvalijson-dev libfreetype-dev
  libcpp-httplib-dev libjs-json-editor libfontconfig-dev
  libxlsxwriter-dev  # vanban sheet: the generated workbook to fill
  fonts-liberation2 python3 unzip
  python3-pip python3-setuptools  # the Python package's offline pip install (tests/python/run.sh)
  gcovr  # tests/run.sh: line coverage of src/ from the ASan build
  clang-14 libclang-rt-14-dev  # libFuzzer harnesses (fuzz/run.sh) and the ThreadSanitizer build
)
if [ "${1:-}" = "--with-office" ]; then
  # LibreOffice for the end-to-end checks (conversion, text extraction; Calc reads and writes the XLSX nominee
  # lists); the shared tools would install it themselves, doing it once here keeps parallel tests from queueing on
  # apt. python3-docxtpl is the oracle of the differential tests (tests/e2e/docxtpl_test.cpp).
  packages+=(libreoffice-writer-nogui libreoffice-calc-nogui libxml2-utils jing default-jre-headless poppler-utils
             python3-docxtpl python3-openpyxl)  # openpyxl: the batch tests build and fill messy workbooks
  # The browser test of `vanban serve` (tests/browser): Debian's Chromium, driven by puppeteer-core from npm.
  packages+=(chromium)
  # Node.js and npm: Debian's, unless a node with npm is already installed (another packaging would conflict).
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "vanban: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  for attempt in 1 2 3; do
    if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      break
    fi
    [ "$attempt" -eq 3 ] && { echo "vanban: apt-get install failed" >&2; exit 2; }
    sleep 5
  done
fi
