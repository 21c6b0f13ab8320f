#!/usr/bin/env bash
# Writes every lesson's --trace file and its reports (text en/ja, JSON) into OUTDIR, to compare
# two builds byte for byte (`diff -r A B`): a refactor of the trace or the simulator must not
# change them (docs/performance.md, docs/trace.md).
#   bash scripts/dump-lessons.sh BUILD/cli/mailsim OUTDIR [SCENARIO_DIR]
set -u
if (($# < 2)); then sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 2; fi
ms=$1 out=$2 root=${3:-$(dirname "$0")/../scenarios}
mkdir -p "$out"
while IFS= read -r f; do
  n=$(echo "${f#"$root"/}" | tr / _)
  "$ms" run "$f" --trace "$out/$n.jsonl" > "$out/$n.report.txt" 2>&1; echo "exit $?" >> "$out/$n.report.txt"
  "$ms" run "$f" --lang ja > "$out/$n.report.ja.txt" 2>&1
  "$ms" run "$f" --json > "$out/$n.report.json" 2>&1
done < <(find "$root" -name '*.json' ! -name '*schema*' | sort)
echo "$(ls "$out" | wc -l) files in $out"
