#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in their own build directory and fuzzes each in turn.
#
#   scripts/fuzz.sh [-t SECONDS] [-m MAX_LEN] [--merge] [TARGET...]
#
# Every target (all of tests/fuzz/fuzz_*.cpp when none is named) runs for SECONDS (default
# 60), one after another, with length control off (-len_control=0) so long lines are tried
# from the start. Each works on build-fuzz/corpus/NAME, seeded from tests/fuzz/corpus/NAME:
# new inputs are kept there between runs. --merge then adds the new inputs that reach new
# coverage and are small (at most 4 KiB) to the committed corpus, which CTest replays.
# Crashes, leaks, timeouts and out-of-memory inputs are written to build-fuzz/crashes/NAME/.
# Needs clang and libclang-rt-14-dev (Debian 12); fuzzing is not part of the normal tests.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
max_len=70000
merge=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    -t) seconds=$2; shift 2 ;;
    -m) max_len=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi

build=${MAILSIM_FUZZ_BUILD_DIR:-build-fuzz}
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DMAILSIM_FUZZ=ON -DMAILSIM_TESTS=OFF -DMAILSIM_GUI=OFF -DMAILSIM_BENCH=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j "${MAILSIM_FUZZ_JOBS:-2}" --target "${targets[@]}"

failed=()
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  crashes="$build/crashes/$t"
  seeds="tests/fuzz/corpus/$t"
  mkdir -p "$work" "$crashes"
  if [ -d "$seeds" ]; then cp -n "$seeds"/* "$work"/ 2>/dev/null || true; fi
  len=$max_len
  # A whole run per input: shorter inputs keep it to a useful number of runs per minute.
  if [ "$t" = fuzz_scenario_run ] && [ "$len" -gt 16384 ]; then len=16384; fi
  echo "== $t: ${seconds}s, max_len $len"
  if ! ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$build/tests/fuzz/$t" -max_total_time="$seconds" \
      -len_control=0 -max_len="$len" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
      -artifact_prefix="$crashes/" "$work" 2>"$build/$t.log"; then
    failed+=("$t")
    tail -n 40 "$build/$t.log"
  else
    grep -E '^stat::(number_of_executed_units|new_units_added)' "$build/$t.log" || true
  fi
  if [ "$merge" = 1 ] && [ -d "$seeds" ]; then
    "$build/tests/fuzz/$t" -merge=1 -max_len=4096 "$seeds" "$work" 2>>"$build/$t.log" || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs in $build/crashes/)" >&2
  exit 1
fi
echo "fuzzed ${#targets[@]} target(s) for ${seconds}s each: no crash"
