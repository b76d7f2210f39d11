#!/bin/sh
# ctest's python.package: installs this build into a temporary prefix and runs tests/python/test_package.py with
# Debian's python3 in isolated mode (-I: no PYTHONPATH, no user site, no script folder), so only the prefix's
# package and the system's packages (python3-docxtpl, the oracle) are seen, with no VANBAN_* variable set. Then
# installs python/ with pip offline (--no-build-isolation --no-index) into a folder and renders with it, the
# library found through VANBAN_PREFIX.
#   run.sh CMAKE BUILD_DIR SOURCE_DIR [PYTHON]
set -eu
cmake=$1 build=$2 source=$3 py=${4:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$cmake" --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
env -u VANBAN_LIBRARY -u VANBAN_PREFIX -u LD_LIBRARY_PATH "$py" -I "$source/tests/python/test_package.py" "$work/prefix"

if ! "$py" -m pip --version >/dev/null 2>&1; then
  echo "python3-pip is not installed: the pip install is not tested"
  exit 0
fi
cp -r "$source/python" "$work/src"  # pip builds in the folder it is given: keep the source tree clean
rm -rf "$work/src/vanban/__pycache__"
"$py" -m pip install --quiet --no-build-isolation --no-index --no-deps --target "$work/site" "$work/src" \
  >"$work/pip.log" 2>&1 || { cat "$work/pip.log"; exit 1; }
test ! -e "$work/site/vanban/_install.py"
cd "$work"
env -u VANBAN_LIBRARY -u LD_LIBRARY_PATH VANBAN_PREFIX="$work/prefix" "$py" -I -c '
import io, sys, zipfile
sys.path.insert(0, sys.argv[1])
import vanban
assert vanban.__file__.startswith(sys.argv[1]), vanban.__file__
plan = vanban.Template.bundled("ke-hoach")
with open(vanban.bundled_path("ke-hoach", "") + "example.json", "rb") as f:
    docx = plan.render(f.read())
assert "KẾ HOẠCH".encode() in zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")
print("pip-installed package: rendered", len(docx), "bytes")
' "$work/site"
