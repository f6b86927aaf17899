#!/usr/bin/env bash
# `npm run bench:efficiency` — every figure issue 19 asks for, from one sitting on one machine state, each step's
# output kept in $OUT (default /tmp/ruong-efficiency-<time>) with the load average before and after it:
#   1. pipeline (built code, as `npm run build` ships it): the corrected raw ceiling, msg/s, CPU µs per message of
#      broker, ingest and influxd — 1,000 devices × 300 QoS 1 messages of 4 readings, 3 rounds;
#   2. batching: today's default (adaptive) vs the old batcher with its default (500/200) and its best fixed
#      setting (5000/50), same rounds (through tsx: the old batcher runs from a copy of the tree);
#   3. broker memory and connect read as an operator would: 10,000 authenticated devices on one `ruong broker`
#      (as `node dist/cli/main.js broker` and deploy/ start it), and on Mosquitto 2 with the same
#      devices and passwords (the peer: connect time as a ratio that holds from one hour to the next), rounds
#      interleaved;
#   4. 50,000 devices on 3 brokers over Redis with `ruong ingest`, `rules` and `api` running;
#   5. the 30-day field chart at 10M readings, InfluxDB then SQLite (stores kept in $API_DIR: filling them the first
#      time takes ≈ 7 min for InfluxDB and ≈ 1 h for SQLite on a 2-core VM; later runs reuse them; API_DIR_INFLUX and
#      API_DIR_SQLITE may name two different kept directories).
# Steps can be chosen: STEPS="1 3" npm run bench:efficiency. Needs influxd, redis-server (step 4), mosquitto (step 3), a built tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/ruong-efficiency-$(date -u +%Y%m%dT%H%MZ)}
API_DIR=${API_DIR:-/tmp/ruong-bench-ab}
API_DIR_INFLUX=${API_DIR_INFLUX:-$API_DIR}
API_DIR_SQLITE=${API_DIR_SQLITE:-$API_DIR}
STEPS=${STEPS:-1 2 3 4 5}
mkdir -p "$OUT"
failed=0
echo "efficiency: output in $OUT (commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"

step() { # step N name command…
  local n=$1 name=$2; shift 2
  case " $STEPS " in *" $n "*) ;; *) return 0 ;; esac
  echo "== step $n: $name — $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
  "$@" > "$OUT/$n-$name.log" 2>&1 || { echo "step $n FAILED: see $OUT/$n-$name.log" | tee -a "$OUT/summary.txt"; tail -20 "$OUT/$n-$name.log"; failed=1; }
  grep -E '^\{"(summary|round)"|^(\||round|tree|  )| round [0-9]+: ' "$OUT/$n-$name.log" | tail -40 | tee -a "$OUT/summary.txt" || true
  echo "   ended $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
}

old_batcher() { # a copy of core + ingest with the batcher before issue 19 (commit dfa2a99~1)
  local d=$OUT/old-batcher
  rm -rf "$d" && mkdir -p "$d" && cp -r core ingest "$d"/ && ln -s "$PWD/node_modules" "$d/node_modules"
  git show dfa2a99~1:ingest/batcher.ts > "$d/ingest/batcher.ts"
  echo "$d"
}

case " $STEPS " in *" 3 "*|*" 4 "*) npm run build > "$OUT/build.log" 2>&1 ;; esac

step 1 pipeline npm run bench:pipeline -- --devices 1000 --messages 300 --no-storm --rounds 3 --ceiling-points 1000000
case " $STEPS " in *" 2 "*) OLD=$(old_batcher) ;; esac
step 2 batching npm run bench:pipeline -- --devices 1000 --messages 300 --no-storm --tsx --rounds 3 --ceiling-points 0 \
  --variant default --variant "old-500/200:BENCH_SRC=${OLD:-},BATCH_SIZE=500,BATCH_MS=200" \
  --variant "old-5000/50:BENCH_SRC=${OLD:-},BATCH_SIZE=5000,BATCH_MS=50"
# `ruong broker` as deploy/ starts it (no node flags), and the peer.
# No --heap: it sets METRICS_PORT, which also turns on node's process metrics (a broker with metrics on, a larger base).
step 3 broker-10k npm run bench:broker-operator -- --tree main=. --tree mosquitto=@mosquitto --devices 10000 --rounds 2 --json "$OUT/broker-10k.json"
step 4 platform-50k npm run bench:broker-operator -- --tree main=. --devices 50000 --brokers 3 --platform --json "$OUT/platform-50k.json"
step 5 chart-influx npm run bench:api-ab -- --dir "$API_DIR_INFLUX" --store influx --rounds 3 --requests 100 --variant main --write-readings 0
step 5 chart-sqlite npm run bench:api-ab -- --dir "$API_DIR_SQLITE" --store sqlite --rounds 3 --requests 100 --variant main --write-readings 0
echo "efficiency: done — $OUT/summary.txt"
exit $failed
