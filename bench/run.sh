#!/usr/bin/env bash
# End-to-end engine bench: `gemba bench` (llama-bench's figures) on GGUF files.
#   bash bench/run.sh GEMBA [MODEL.gguf ...]
# Without models it creates random llm-jp-3-1.8b-shaped models at q4_0, q8_0 and f16 under
# $BENCH_DIR (default build/bench-models) once, and benches those. Any GGUF works, e.g. a
# llama.cpp file, so the two engines can be compared on the same file.
# Environment: PP (prompt tokens, 512), TG (generated tokens, 128), REPS (3),
# THREADS ("1 2"), PRESET (llm-jp-3-1.8b), TYPES ("q4_0 q8_0 f16"), OUT (JSON lines file).
set -euo pipefail
GEMBA=${1:?usage: bench/run.sh GEMBA [MODEL.gguf ...]}
shift
PP=${PP:-512}
TG=${TG:-128}
REPS=${REPS:-3}
THREADS=${THREADS:-"1 2"}
PRESET=${PRESET:-llm-jp-3-1.8b}
TYPES=${TYPES:-"q4_0 q8_0 f16"}
BENCH_DIR=${BENCH_DIR:-build/bench-models}
OUT=${OUT:-build/bench-results.jsonl}

models=("$@")
if [ ${#models[@]} -eq 0 ]; then
  mkdir -p "$BENCH_DIR"
  for type in $TYPES; do
    f="$BENCH_DIR/$PRESET-random-$type.gguf"
    if [ ! -f "$f" ]; then
      echo "creating $f" >&2
      "$GEMBA" model init --preset "$PRESET" --random --seed 1 --type "$type" -o "$f"
    fi
    models+=("$f")
  done
fi

mkdir -p "$(dirname "$OUT")"
: > "$OUT"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" >&2
for m in "${models[@]}"; do
  for t in $THREADS; do
    # Each run is its own process so peak_rss_bytes belongs to that model and thread count.
    "$GEMBA" bench -m "$m" -p "$PP" -n "$TG" -t "$t" -r "$REPS" --json | tee -a "$OUT"
  done
done
# A readable summary of the JSON lines (t/CPU-s: tokens per process CPU-second, meaningful on a shared machine).
python3 - "$OUT" <<'PY' || true
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| model | size GiB | threads | test | t/s (wall) | t/CPU-s | ttft ms | peak RSS GiB | load avg |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    test = f"pp{r['n_prompt']}" if r['n_prompt'] else f"tg{r['n_gen']}"
    ttft = f"{r['ttft_ms']:.0f}" if 'ttft_ms' in r else ""
    print(f"| {r['model_type']} | {r['model_size']/2**30:.2f} | {r['n_threads']} | {test} | "
          f"{r['avg_ts']:.2f} ± {r['stddev_ts']:.2f} | {r.get('avg_ts_per_cpu_s', 0):.2f} | {ttft} | "
          f"{r['peak_rss_bytes']/2**30:.2f} | {r.get('load_average', 0):.1f} |")
PY
