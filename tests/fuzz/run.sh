#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the libFuzzer targets for a while: tests/fuzz/run.sh [SECONDS_PER_TARGET] (default 60).
# New crashes land in build/fuzz/crashes/<target>/; copy a reproducer into the target's corpus
# folder once fixed, so ctest replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
bash scripts/install-deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_plantloader fuzz_meshprobe fuzz_auditparsers fuzz_sparkplug fuzz_telemetry \
    fuzz_alarmoverrides
for target in plantloader:plant meshprobe:mesh auditparsers:audit sparkplug:sparkplug telemetry:telemetry alarmoverrides:alarms; do
    name="fuzz_${target%%:*}"
    corpus="tests/fuzz/corpus/${target##*:}"
    work="build/fuzz/work/$name"
    crashes="build/fuzz/crashes/$name"
    mkdir -p "$work" "$crashes"
    echo "== $name for ${seconds}s"
    QT_QPA_PLATFORM=offscreen "build/fuzz/tests/fuzz/$name" "$work" "$corpus" \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="$crashes/" -print_final_stats=1
done
