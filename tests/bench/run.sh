#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Rendering benchmarks (issue: the spine). Release build, Xvfb + Mesa llvmpipe, 1280x720 view.
#   tests/bench/run.sh [SECONDS_PER_RUN]     (default 8; the whole matrix takes ~10 minutes)
# Writes build/bench/results.jsonl and prints a Markdown table for docs/PERFORMANCE.md.
# Run it on an otherwise idle machine: every figure is wall-clock.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-8}"
bash scripts/install-deps.sh
bash scripts/build.sh release >/dev/null
bench=build/release/tests/bench/bench_render
out=build/bench
mkdir -p "$out"
: >"$out/results.jsonl"

run() {
    echo "bench: $*" >&2
    xvfb-run -a -s "-screen 0 1920x1080x24" "$bench" --seconds "$seconds" "$@" 2>/dev/null | tail -n 1 >>"$out/results.jsonl"
}

for n in 1000 10000 100000; do run --assets "$n"; done
for n in 10000 100000; do run --assets "$n" --zoom 0.15; done
for n in 1000 10000; do run --assets "$n" --mode naive; done
for i in 1 2 3; do run --plant resources/plants/demo-boiler.plant.json --main-window --seconds 2; done

python3 - "$out/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print("| plant | items | mode | view | fps | first frame (ms) | load (ms) | build (ms) | peak RSS (MiB) | pick median / max (ms) | draws |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    view = "fit all" if r["zoom"] == 1 else "close-up (zoom %g)" % r["zoom"]
    print("| %s | %d | %s | %s | %.1f | %.0f | %.0f | %.0f | %.0f | %.3f / %.3f | %d |" % (
        r["plant"].split("/")[-1], r["items"], r["mode"], view, r["fps"], r["first_frame_ms"], r["load_ms"],
        r["build_ms"], r["peak_mib"], r["pick_median_ms"], r["pick_max_ms"], r["draw_entities"]))
PY
