#!/bin/sh
# What libvanban.so shows the world (issue 23), checked on the built library:
#   1. its dynamic symbols are the API: at most 20 outside vanban_* (C) and vanban:: (C++, with their typeinfo and
#      vtables) — the version script cmake/vanban.map keeps std:: and nlohmann:: instantiations local;
#   2. no path of the source or build tree is embedded in it (the binary does not depend on where it was built);
#   3. vanban.pc (the C API's pkg-config file) requires nothing of C++: nlohmann_json is vanban-cpp.pc's business.
# Usage: check_boundary.sh LIBRARY SOURCE_DIR BINARY_DIR VANBAN_PC
set -eu
lib=$1 source_dir=$2 binary_dir=$3 pc=$4
status=0

for tool in nm c++filt strings; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

# 1. Symbols: "T vanban_render", "T vanban::Template::render(...) const", "V typeinfo for vanban::Error".
outside=$(nm -D --defined-only "$lib" | c++filt | awk '{ $1 = ""; $2 = ""; sub(/^  /, ""); print }' |
  grep -v -e '^vanban_' -e '^vanban::' -e '^typeinfo for vanban::' -e '^typeinfo name for vanban::' \
          -e '^vtable for vanban::' -e '^VTT for vanban::' -e '^non-virtual thunk to vanban::' \
          -e '^virtual thunk to vanban::' -e '^guard variable for vanban::' -e '^_init$' -e '^_fini$' || true)
count=$(printf '%s' "$outside" | grep -c . || true)
echo "exported symbols outside vanban_* and vanban::: $count (at most 20)"
if [ "$count" -gt 20 ]; then
  printf '%s\n' "$outside" | head -40
  status=1
fi

# 2. Paths: the source and build directories, as given and as the shell resolves them.
for dir in "$source_dir" "$binary_dir" "$(cd "$source_dir" && pwd -P)" "$(cd "$binary_dir" && pwd -P)"; do
  found=$(strings -n 8 "$lib" | grep -F -e "$dir" | head -5 || true)
  if [ -n "$found" ]; then
    echo "the library embeds the path $dir:"
    printf '%s\n' "$found"
    status=1
  fi
done

# 3. vanban.pc: no Requires on nlohmann_json (nor any C++ package).
if grep -i -E '^Requires(\.private)?:.*nlohmann' "$pc"; then
  echo "$pc requires nlohmann_json: C programs would need a C++ library's package"
  status=1
fi

[ "$status" -eq 0 ] && echo "library boundary: ok"
exit "$status"
