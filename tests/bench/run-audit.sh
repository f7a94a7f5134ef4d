#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Audit log benchmarks (issue: the signed audit trail). Release build; about 40 s for 1,000,000
# entries. tests/bench/run-audit.sh [ENTRIES]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
entries="${1:-1000000}"
bash scripts/install-deps.sh
bash scripts/build.sh release >/dev/null
mkdir -p build/bench
build/release/tests/bench/bench_audit "$entries" | tee build/bench/audit.json
