#!/usr/bin/env bash
# The browser test of `vanban serve`: installs puppeteer-core from the lock file (npm ci) and drives Debian's
# headless Chromium through the page (page.test.mjs).
#   bash tests/browser/run.sh build/release/vanban [screenshot-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vanban="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shots="${2:-}"
cd "$here"
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
exec node page.test.mjs "$vanban" $shots
