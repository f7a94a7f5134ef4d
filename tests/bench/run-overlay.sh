#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Telemetry overlay benchmark (issue: telemetry on the twin). Release build, real Qt 3D on llvmpipe
# under Xvfb. One run per plant size: the frame rate with no updates and with RATE value updates
# per second spread over the plant's tags (alternating, twice each), then the time from a value
# crossing an alarm limit to the asset's colour on screen. The values go straight into the tag
# store (the broker path has its own benchmark, run-telemetry.sh).
#   tests/bench/run-overlay.sh [SECONDS_PER_PHASE] [RATE]     (defaults 8 and 50000; ~3 minutes)
# Writes build/bench/overlay.jsonl and prints a Markdown table for docs/PERFORMANCE.md.
# Run it on an otherwise idle machine: every figure is wall-clock.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-8}"
rate="${2:-50000}"
bash scripts/install-deps.sh
bash scripts/build.sh release >/dev/null
bench=build/release/tests/bench/bench_overlay
out=build/bench
mkdir -p "$out"
: >"$out/overlay.jsonl"

run() {
    echo "bench: $*" >&2
    xvfb-run -a -s "-screen 0 1920x1080x24" env QT3D_RENDERER=opengl \
        "$bench" --rate "$rate" --seconds "$seconds" --crossings 30 "$@" 2>/dev/null | tail -n 1 >>"$out/overlay.jsonl"
}
run --assets 10000            # a busy plant: every value moves a little, a few cross their limits
run --assets 10000 --storm    # an alarm storm: values jump anywhere, a fifth of samples over the limit
run --assets 1000

python3 - "$out/overlay.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print("| assets | feed | updates/s offered / applied | fps idle | fps updating | ratio (per round) | overlay applications/s | assets restyled/s | alarm to instance buffer, median | alarm to pixel: frames median / max, ms median |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    busy = [p for p in r["phases"] if p["phase"] == "updates"]
    applied = sum(p["updates_per_s"] for p in busy) / len(busy)
    apps = sum(p["overlay_applications_per_s"] for p in busy) / len(busy)
    restyled = sum(p["assets_restyled_per_s"] for p in busy) / len(busy)
    print(f"| {r['assets']} | {r['feed']} | {r['rate']} / {applied:.0f} | {r['idle_fps']:.1f} | {r['updates_fps']:.1f} | "
          f"{100 * r['fps_ratio']:.0f} % ({', '.join(f'{100 * x:.0f}' for x in r['fps_ratio_per_round'])}) | {apps:.1f} | {restyled:.0f} | {r['alarm_to_buffer_ms_median']:.2f} ms | "
          f"{r['alarm_to_pixel_frames_median']:.0f} / {r['alarm_to_pixel_frames_max']:.0f}, {r['alarm_to_pixel_ms_median']:.0f} ms |")
PY
