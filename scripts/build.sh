#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures and builds one CMake preset (default: dev). Used by run-demo.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"
jobs="${TWINSPECT_JOBS:-$(nproc)}"
# ccache keeps rebuilds of an unchanged tree to seconds; give it room for several presets.
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
