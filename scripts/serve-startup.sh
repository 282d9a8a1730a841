#!/usr/bin/env bash
# Start-up time of `infero serve`: starts the server RUNS times with one model (BlazeFace by default), reads the
# "infero serve ready in N ms from JVM start" line each prints (models loaded and listeners up; /v2/health/ready
# answers 200 from then on), stops it with SIGTERM, and prints the median. One extra first run is not counted: it
# writes the launcher's class-data archive for `serve` (cli/target/infero-serve.jsa) when the jar is new.
#
#   scripts/serve-startup.sh                      # 7 runs, BlazeFace, REST only
#   RUNS=11 GRPC=1 scripts/serve-startup.sh       # with the gRPC listener too
#   MODEL=model.xml scripts/serve-startup.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
need_model serve-startup
RUNS="${RUNS:-7}"
PORT="${PORT:-18331}"
"$ROOT/infero" --version >/dev/null   # builds when sources changed
EXTRA=()
[ -n "${GRPC:-}" ] && EXTRA=(--grpc-port "$((PORT + 1))")
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
times=()
for run in $(seq 0 "$RUNS"); do
  "$ROOT/infero" serve -m "$MODEL" --name startup --host 127.0.0.1 --port "$PORT" --poll-seconds 0 "${EXTRA[@]}" \
      2>"$LOG" &
  server=$!
  for _ in $(seq 1 600); do
    grep -q "ready in" "$LOG" && break
    kill -0 "$server" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
    sleep 0.05
  done
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v2/health/ready")"
  kill -TERM "$server"; wait "$server" 2>/dev/null || true
  line="$(grep "ready in" "$LOG")"
  ms="$(sed -E 's/.*ready in ([0-9]+) ms.*/\1/' <<<"$line")"
  [ "$code" = 200 ] || { echo "serve-startup: /v2/health/ready answered $code after: $line" >&2; exit 1; }
  if [ "$run" -gt 0 ]; then
    times+=("$ms")
    echo "run $run: $line"
  fi
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "median ready time over $RUNS runs: ${sorted[$(((RUNS - 1) / 2))]} ms (min ${sorted[0]}, max ${sorted[$((RUNS - 1))]})"
