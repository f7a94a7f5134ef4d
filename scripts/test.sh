#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# README command 2: install, build and run the whole test suite (GUI tests under Xvfb).
# Extra arguments go to ctest, e.g. scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh dev

# One X server for the whole run; GUI tests are RUN_SERIAL because rendering takes both cores.
xvfb-run -a -s "-screen 0 1920x1080x24" \
    ctest --preset dev -j "$(nproc)" "$@"

# The optimised build warns about things the debug build cannot see (-O2 flow analysis), and it
# is what packages and benchmarks use: it must compile cleanly too.
if [ $# -eq 0 ]; then
    bash scripts/build.sh release >/dev/null
    echo "test.sh: release build compiles cleanly"
fi
