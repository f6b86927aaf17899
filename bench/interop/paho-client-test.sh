#!/usr/bin/env bash
# The Eclipse Paho MQTT 3.1.1 interoperability client (client_test.py of eclipse/paho.mqtt.testing) against our broker.
#
#   PAHO_TESTING_DIR=/path/to/paho.mqtt.testing bash bench/interop/paho-client-test.sh [client_test.py options]
#
# PAHO_TESTING_DIR is an unmodified checkout (or copy) of eclipse/paho.mqtt.testing: the script runs
# $PAHO_TESTING_DIR/interoperability/client_test.py and never writes there. Third-party code is not part of this repo;
# docs/aedes-upstream.md ("Eclipse Paho interoperability suite") names the revision used and explains each result.
#
# It starts `ruong broker` from the sources (node --import tsx, so no build is needed) on a free loopback port, with
# anonymous clients allowed (the suite's clients send no credentials) in a temporary DATA_DIR, runs the suite, prints
# one line per test and the pass count, then stops the broker and removes the DATA_DIR. Default suite options:
# -z -d -s (zero-length client id, $ topics and subscribe-failure tests, i.e. all 10 tests). The suite takes ~45 s
# (its keepalive test sleeps 15 s). Exit status: 0 when the suite ran (whatever it found), 2 when it could not run.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ -z "${PAHO_TESTING_DIR:-}" ]]; then echo "set PAHO_TESTING_DIR to a checkout of eclipse/paho.mqtt.testing" >&2; exit 2; fi
paho="$PAHO_TESTING_DIR"
suite_dir="$paho/interoperability"
if [[ ! -f "$suite_dir/client_test.py" ]]; then
  echo "no $suite_dir/client_test.py: PAHO_TESTING_DIR must be the root of eclipse/paho.mqtt.testing" >&2
  exit 2
fi
if [[ $# -gt 0 ]]; then suite_opts=("$@"); else suite_opts=(-z -d -s); fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
data_dir="$(mktemp -d "${TMPDIR:-/tmp}/ruong-paho.XXXXXX")"
broker_log="$data_dir/broker.log"
suite_log="${TMPDIR:-/tmp}/paho-client-test.$port.log"
broker_pid=""

stop_broker() {
  if [[ -n "$broker_pid" ]] && kill -0 "$broker_pid" 2>/dev/null; then
    kill -TERM "$broker_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$broker_pid" 2>/dev/null || true
  fi
  rm -rf "$data_dir"
}
trap stop_broker EXIT

cd "$repo"
DATA_DIR="$data_dir" MQTT_HOST=127.0.0.1 MQTT_PORT="$port" MQTT_WS_PORT=0 MQTT_ALLOW_ANONYMOUS=true \
  SIM=false DEMO=false LOG_LEVEL=warn \
  node --import tsx cli/main.ts broker >"$broker_log" 2>&1 &
broker_pid=$!

# Up once the MQTT port accepts a connection (a cold tsx start takes a few seconds).
for _ in $(seq 1 300); do
  if ! kill -0 "$broker_pid" 2>/dev/null; then
    echo "ruong broker exited before listening:" >&2; cat "$broker_log" >&2; exit 2
  fi
  if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" 2>/dev/null; then
    break
  fi
  sleep 0.1
done

echo "ruong broker on 127.0.0.1:$port (anonymous allowed, memory persistence); suite: $suite_dir/client_test.py ${suite_opts[*]}"
# Long options: the suite tests `o in ("--help")`, a substring test, so a short -h would print its usage instead.
(cd "$suite_dir" && python3 client_test.py --hostname=127.0.0.1 --port="$port" "${suite_opts[@]}") >"$suite_log" 2>&1 || true

grep -E '^This server ' "$suite_log" | sed 's/^/  note: /' || true
results="$(grep -E ' test (succeeded|failed)$' "$suite_log" || true)"
if [[ -z "$results" ]]; then
  echo "the suite printed no test result; its output:" >&2; cat "$suite_log" >&2; exit 2
fi
echo "$results"
passed="$(grep -c ' succeeded$' <<<"$results" || true)"
total="$(grep -c . <<<"$results")"
echo "passed $passed of $total (full output, with the tracebacks of failures: $suite_log)"
