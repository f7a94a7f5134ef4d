#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Telemetry benchmarks (issue: live telemetry). Release build; a real mosquitto on 127.0.0.1 with
# TLS and client certificates (started by bench_telemetry itself, on free ports); publishers are
# Paho clients in the same process, so broker, publishers and the workstation share the 2 cores.
#   tests/bench/run-telemetry.sh [SECONDS_PER_PHASE]     (default 8; about 6 minutes in all)
# Writes build/bench/telemetry.jsonl and prints a Markdown table for docs/PERFORMANCE.md.
# Run it on an otherwise idle machine: every figure is wall-clock.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-8}"
bash scripts/install-deps.sh
bash scripts/build.sh release >/dev/null
bench=build/release/tests/bench/bench_telemetry
out=build/bench
mkdir -p "$out"
: >"$out/telemetry.jsonl"

run() {
    echo "bench: $*" >&2
    xvfb-run -a -s "-screen 0 1920x1080x24" env QT3D_RENDERER=opengl "$bench" --seconds "$seconds" "$@" 2>/dev/null |
        tail -n 1 >>"$out/telemetry.jsonl"
}

# Throughput and latency to the tag store, per connection and over several.
for rate in 10000 20000 30000; do run --rate "$rate" --connections 1; done
for rate in 50000 60000; do run --rate "$rate" --connections 3; done
# With the workstation's window rendering continuously: frame rate idle vs loaded, latency to screen.
run --gui --rate 10000 --connections 1
run --gui --rate 50000 --connections 3

python3 - "$out/telemetry.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print("| offered (msg/s) | connections | GUI | sent (msg/s) | into tag store (msg/s) | dropped | store p50 / p99 (ms) | screen p50 / p99 (ms) | fps idle / loaded |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    screen = f"{r['latency_screen_p50_ms']:.1f} / {r['latency_screen_p99_ms']:.1f}" if r.get("gui") else "–"
    fps = f"{r['fps_idle']:.1f} / {r['fps_load']:.1f} ({100 * r['fps_ratio']:.0f} %)" if r.get("gui") else "–"
    print(f"| {r['rate_target']:.0f} | {r['connections']} | {'yes' if r['gui'] else 'no'} | {r['sent_per_s']:.0f} | "
          f"{r['ingested_per_s']:.0f} | {r['dropped']:.0f} | {r['latency_store_p50_ms']:.1f} / {r['latency_store_p99_ms']:.1f} | "
          f"{screen} | {fps} |")
PY
