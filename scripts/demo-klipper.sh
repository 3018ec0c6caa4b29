#!/usr/bin/env bash
# make demo-klipper: the method on real manuals nobody here wrote — the Klipper documentation in
# ../shared/corpora/klipper (read there, never copied) — then a grounded answer with its sources.
set -euo pipefail
cd "$(dirname "$0")/.."
GEMBA=${1:-build/release/bin/gemba}
RECIPE=${RECIPE:-recipes/klipper.yaml}
start=$(date +%s)
if [[ ! -d ../shared/corpora/klipper/raw/en ]]; then
  echo "demo-klipper: ../shared/corpora/klipper is not here; this demo reads the Klipper docs from it" >&2
  exit 1
fi

"$GEMBA" pipeline "$RECIPE"

run_name=$(sed -n '/^name: */{s///p;q;}' "$RECIPE")
final="runs/$run_name/export/model-q4_0.gguf"
index="runs/$run_name/index/passages.db"
for f in "$final" "$index"; do
  if [[ ! -f "$f" ]]; then
    echo "demo-klipper: $f was not produced; see runs/$run_name/logs/" >&2
    exit 1
  fi
done
question="What is the default baud rate of the micro-controller's serial port?"
echo
echo "== The final Q4_0 model ($final) answering from the manuals ($index) =="
echo "Q: $question"
"$GEMBA" run -m "$final" --index "$index" -p "$question" --temp 0 -n 96 2>/dev/null
echo
echo "demo-klipper finished in $(( $(date +%s) - start )) s; full report: runs/$run_name/report.md"
