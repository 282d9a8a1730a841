#!/usr/bin/env bash
# Load test of `infero serve` on 127.0.0.1 only: starts a server with BlazeFace (or MODEL=...), then runs the load
# generator (dev.infero.serve.client.LoadGenerator) twice: BELOW clients (fewer than the queue holds: expect zero
# errors) and ABOVE clients (more than the queue holds: expect quick 503s and no wrong answers). Every request carries
# an id and is checked against locally computed outputs, bit for bit.
#
#   scripts/serve-load.sh                      # 16 then 64 clients, 60 s each
#   PHASE_SECONDS=20 scripts/serve-load.sh     # shorter on a busy machine
#   MODEL=ir/model.xml ENCODING=json scripts/serve-load.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
need_model serve-load
PHASE_SECONDS="${PHASE_SECONDS:-60}"
PORT="${PORT:-18321}"
QUEUE="${QUEUE:-32}"
BELOW="${BELOW:-16}"
ABOVE="${ABOVE:-64}"
ENCODING="${ENCODING:-binary}"
HINT="${HINT:-THROUGHPUT}"
source "$ROOT/scripts/find-jdk.sh"
"$ROOT/infero" --version >/dev/null   # builds when sources changed

"$ROOT/infero" serve -m "$MODEL" --name load --host 127.0.0.1 --port "$PORT" --queue-size "$QUEUE" \
    --plugin_config "{\"PERFORMANCE_HINT\": \"$HINT\"}" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null || { echo "serve-load: server not ready" >&2; exit 1; }

run() {
  "$INFERO_JAVA" --add-modules jdk.incubator.vector -Xmx2g -XX:+UseParallelGC \
    -cp "$ROOT/cli/target/infero-cli.jar:$ROOT/cli/target/lib/*" dev.infero.serve.client.LoadGenerator \
    --url "http://127.0.0.1:$PORT" --model load --model-file "$MODEL" --clients "$1" --seconds "$PHASE_SECONDS" \
    --encoding "$ENCODING" --plugin-config "PERFORMANCE_HINT=$HINT" 2> >(grep -v 'WARNING' >&2)
}
# The server's used heap right after a full GC (jcmd on the server we started): what a leak would grow.
heap() {
  "$(dirname "$INFERO_JAVA")/jcmd" "$SERVER" GC.run >/dev/null 2>&1 || true
  curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^jvm_memory_used_bytes\{area="heap"/ {s += $NF} END {printf "%.1f MB\n", s / 1e6}'
}
echo "== server heap after a full GC, before the load: $(heap)"
echo "== below saturation: $BELOW clients, queue $QUEUE"
run "$BELOW"
echo "== server heap after a full GC: $(heap)"
echo "== above saturation: $ABOVE clients, queue $QUEUE"
run "$ABOVE"
echo "== server heap after a full GC: $(heap)"
echo "== server metrics"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^infero_(requests_total|request_duration_seconds_count|inference_duration_seconds_(count|sum))'
