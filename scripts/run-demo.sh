#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# README command 1: install, build, and start the workstation on the bundled demo plant.
# With no display it renders under Xvfb, saves screenshots and says where they are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh dev

app=build/dev/app/twinspect/twinspect
plant=resources/plants/demo-boiler.plant.json
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    exec "$app" --plant "$plant" "$@"
fi

out="$(pwd)/build/screenshots"
mkdir -p "$out"
echo "run-demo: no display; rendering the demo plant under Xvfb"
xvfb-run -a -s "-screen 0 1920x1080x24" "$app" --plant "$plant" --data-dir "$out/data" \
    --screenshot "$out/demo-view.png" --window-screenshot "$out/demo-window.png" --select TK01 "$@"
echo "run-demo: the 3D view is in $out/demo-view.png, the whole window in $out/demo-window.png"
