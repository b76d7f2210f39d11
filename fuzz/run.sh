#!/usr/bin/env bash
# Builds vanban's libFuzzer harnesses (clang, ASan + UBSan) and fuzzes every parser that takes outside input.
#
#   bash fuzz/run.sh              # 60 seconds in all: replay the regression inputs and seeds, then a short run each
#   bash fuzz/run.sh 3600         # an hour in all, split evenly between the targets
#   bash fuzz/run.sh 600 tags     # ten minutes of one target (template tags data records xlsx pictures import)
#
# Environment: FUZZ_JOBS=N runs N fuzzing processes per target (default 1); FUZZ_KEEP_GOING=1 keeps fuzzing after a
# crash, timeout or out-of-memory and collects every one (libFuzzer's fork mode) instead of stopping at the first;
# FUZZ_BUILD=DIR builds in DIR instead of build/fuzz.
# The corpus grows in build/fuzz/corpus/<target> (reused by later runs); crashes land in build/fuzz/crashes/<target>.
# A failure exits non-zero after printing the input to reproduce it with:
#   build/fuzz/fuzz/vanban-fuzz-<target> <crash file>
# Fix it, then keep the input as fuzz/regressions/<target>/<name> — every run (and the unit tests) replays those.
set -euo pipefail
cd "$(dirname "$0")/.."

total=${1:-60}
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(template tags data records xlsx pictures import)
jobs=${FUZZ_JOBS:-1}
build=${FUZZ_BUILD:-build/fuzz}

if ! command -v clang++-14 >/dev/null || [ ! -d /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux ]; then
  bash .ci/deps.sh
fi
echo "== fuzz build (clang, libFuzzer, ASan + UBSan)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DVANBAN_FUZZ=ON -DVANBAN_BUILD_TESTS=OFF -DVANBAN_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target vanban-fuzz
rm -rf "$build/seeds"
"$build/fuzz/vanban-fuzz-seeds" . "$build/seeds"
cat fuzz/tags.dict fuzz/xml.dict > "$build/template.dict"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
per_target=$(( total / ${#targets[@]} ))
[ "$per_target" -ge 1 ] || per_target=1
status=0
summary=()
for t in "${targets[@]}"; do
  exe="$build/fuzz/vanban-fuzz-$t"
  corpus="$build/corpus/$t"
  crashes="$build/crashes/$t"
  mkdir -p "$corpus" "$crashes" "fuzz/regressions/$t"
  extra=()
  case "$t" in
    template) extra=(-dict="$build/template.dict") ;;
    tags) extra=(-dict=fuzz/tags.dict -max_len=12288) ;;  # a tag's bugs live in short texts
    xlsx) extra=(-dict=fuzz/xml.dict) ;;
  esac
  seeds=(fuzz/corpus/"$t" fuzz/regressions/"$t")
  [ -d "$build/seeds/$t" ] && seeds+=("$build/seeds/$t")
  mode=()
  if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
    mode=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  elif [ "$jobs" -gt 1 ]; then
    mode=(-fork="$jobs")
  fi
  echo "== fuzz $t: ${per_target}s"
  log="$build/fuzz-$t.log"
  if ! "$exe" "${mode[@]}" "${extra[@]}" -max_total_time="$per_target" -timeout=20 -rss_limit_mb=2048 \
       -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" "${seeds[@]}" >"$log" 2>&1; then
    status=1
    tail -n 60 "$log"
    echo "vanban fuzz: $t FAILED; inputs in $crashes:" >&2
    ls -1 "$crashes" >&2 || true
  fi
  # The last status line: "#<executions> DONE cov: <edges> ft: <features> corp: <inputs>/<bytes> ..." (one process) or
  # "#<executions>: cov: <edges> ft: <features> corp: <inputs> ..." (fork mode).
  last=$(grep -E '^#[0-9]+(:|[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED))' "$log" | tail -n 1 || true)
  execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$last")
  stats=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' <<<"$last" || true)
  summary+=("$(printf '%-9s %10s executions  %s' "$t" "${execs:-0}" "$stats")")
done
echo "== fuzz summary (${per_target}s per target)"
printf '%s\n' "${summary[@]}"
exit "$status"
