#!/bin/sh
# ctest's python.package: installs this build into a temporary prefix and runs tests/python/test_package.py with
# Debian's python3 in isolated mode (-I: no PYTHONPATH, no user site, no script folder), so only the prefix's
# package and the system's packages (python3-docxtpl, the oracle) are seen, with no VANBAN_* variable set. Then
# installs python/ with pip offline (--no-build-isolation --no-index) into a folder and renders with it, the
# library found through VANBAN_PREFIX.
#   run.sh CMAKE BUILD_DIR SOURCE_DIR [PYTHON [SANITIZER_CC]]
# SANITIZER_CC (sanitizer builds): the compiler whose ASan/UBSan runtimes must be loaded into Python before the
# sanitized library; Python itself is not leak-clean, so leak detection is off for it.
set -eu
cmake=$1 build=$2 source=$3 py=${4:-/usr/bin/python3} sanitizer_cc=${5:-}
runtime=""
if [ -n "$sanitizer_cc" ]; then
  runtime="LD_PRELOAD=$("$sanitizer_cc" -print-file-name=libasan.so):$("$sanitizer_cc" -print-file-name=libubsan.so)"
  runtime="$runtime ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
# Python with no variable that could point it at the library, plus the sanitizer runtimes when needed.
clean_python() { env -u VANBAN_LIBRARY -u VANBAN_PREFIX -u LD_LIBRARY_PATH $runtime "$py" "$@"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$cmake" --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
clean_python -I "$source/tests/python/test_package.py" "$work/prefix"

if ! "$py" -m pip --version >/dev/null 2>&1; then
  echo "python3-pip is not installed (.ci/deps.sh installs it): the pip install is not tested"
  exit 0
fi
cp -r "$source/python" "$work/src"  # pip builds in the folder it is given: keep the source tree clean
rm -rf "$work/src/vanban/__pycache__"
"$py" -m pip install --quiet --no-build-isolation --no-index --no-deps --target "$work/site" "$work/src" \
  >"$work/pip.log" 2>&1 || { cat "$work/pip.log"; exit 1; }
test ! -e "$work/site/vanban/_install.py"
cd "$work"
clean_python -I -c '
import io, os, sys, zipfile
sys.path.insert(0, sys.argv[1])
os.environ["VANBAN_PREFIX"] = sys.argv[2]
import vanban
assert vanban.__file__.startswith(sys.argv[1]), vanban.__file__
plan = vanban.Template.bundled("ke-hoach")
with open(os.path.join(vanban.templates_directory(), "ke-hoach", "example.json"), "rb") as f:
    docx = plan.render(f.read())
assert "KẾ HOẠCH".encode() in zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")
print("pip-installed package: rendered", len(docx), "bytes")
' "$work/site" "$work/prefix"
