#!/usr/bin/env bash
# The firmware simulator's fleet benchmark (docs/benchmarks.md, "Firmware simulator fleet").
# 10,000 devices hold one TCP connection each, and so does the broker: both processes need more file
# descriptors than the usual soft limit of 1024 — raise it to the hard limit (20,000 on the bench machine).
set -euo pipefail
cd "$(dirname "$0")/../.."
ulimit -n "$(ulimit -Hn)"
echo "bench: ulimit -n $(ulimit -n)" >&2
exec node --import tsx bench/sim-fleet/run.ts "$@"
