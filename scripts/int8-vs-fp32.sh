#!/usr/bin/env bash
# INT8 against FP32 latency, alternating rounds, one JVM per measurement (the machine is shared: medians of rounds).
# Usage: scripts/int8-vs-fp32.sh ROUNDS SECONDS FP32_MODEL INT8_MODEL [extra benchmark options...]
# Prints each round's medians, then the median of the rounds' medians and their ratio FP32 / INT8 (speed-up).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="$1"; seconds="$2"; fp32="$3"; int8="$4"; shift 4
median_of() {
  "$ROOT/infero" benchmark -m "$1" -t "$seconds" -api sync -nthreads 1 "${@:2}" 2>/dev/null \
    | awk '/Median:/ { print $(NF-1); exit }'
}
f=(); i=()
for r in $(seq 1 "$rounds"); do
  a="$(median_of "$fp32" "$@")"; b="$(median_of "$int8" "$@")"
  f+=("$a"); i+=("$b")
  echo "round $r: FP32 $a ms, INT8 $b ms"
done
mf="$(printf '%s\n' "${f[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
mi="$(printf '%s\n' "${i[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
echo "$(basename "$fp32") vs $(basename "$int8"): FP32 median $mf ms, INT8 median $mi ms, INT8 speed-up $(awk -v a="$mf" -v b="$mi" 'BEGIN { printf "%.2f", a / b }')x"
