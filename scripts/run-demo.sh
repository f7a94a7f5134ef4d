#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# README command 1: install, build, start a live authenticated demo feed (a local mosquitto with a
# throwaway PKI and mutual TLS, twinspect-sim publishing the demo plant's tags with signed
# payloads and scripted faults) and the workstation connected to it, on the bundled demo plant.
# With no display it renders under Xvfb, saves screenshots and says where they are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh dev

app=build/dev/app/twinspect/twinspect
plant=resources/plants/demo-boiler.plant.json
demo="$(pwd)/build/demo"
data="$demo/data"

stop_feed() {
    if [ -f "$demo/pids" ]; then
        # shellcheck disable=SC2046
        kill $(cat "$demo/pids") 2>/dev/null || true
        rm -f "$demo/pids"
    fi
}
trap stop_feed EXIT
stop_feed
feed_started=$(date +%s)
bash scripts/demo-feed.sh build/dev "$demo" "$data"

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    "$app" --plant "$plant" --data-dir "$data" "$@"
    exit $?
fi

out="$(pwd)/build/screenshots"
mkdir -p "$out"
echo "run-demo: the feed as a client sees it (twinspect-feed tail, 6 samples):"
build/dev/app/twinspect-feed/twinspect-feed tail --backend "$data/backends.json" --count 6 --duration 15 2>/dev/null || true
echo "run-demo: no display; rendering the demo plant with its live values under Xvfb"
xvfb-run -a -s "-screen 0 1920x1080x24" "$app" --plant "$plant" --data-dir "$data" \
    --screenshot "$out/demo-view.png" --window-screenshot "$out/demo-window.png" --select PCV01 "$@"
echo "run-demo: the 3D view is in $out/demo-view.png, the whole window in $out/demo-window.png"
# The simulator's scripted faults start 20 s in: a pump trips and the water overheats (2 s on-delay).
wait_until=$((feed_started + 24))
now=$(date +%s)
if [ "$now" -lt "$wait_until" ]; then sleep $((wait_until - now)); fi
echo "run-demo: the simulator's faults are on; rendering the alarmed assets in their priority colours"
xvfb-run -a -s "-screen 0 1920x1080x24" "$app" --plant "$plant" --data-dir "$data" \
    --screenshot "$out/demo-alarms.png" --window-screenshot "$out/demo-alarms-window.png" "$@"
echo "run-demo: alarms on the twin in $out/demo-alarms.png, with the alarm counts in $out/demo-alarms-window.png"
