#!/usr/bin/env bash
# A long run of the API (docs/reliability.md, "Soak and stress"): several models in one JVM, 20 ms of
# each in turn, one model closed and compiled again every --reload-seconds, and a plain-Java calibration workload in
# the rotation; per block of --block-seconds the median wall and thread CPU time per inference, allocation per
# inference and heap of each model; the summary gives each model's drift (last quarter's block medians over the first
# quarter's) and spread (largest block over smallest), raw and divided by the calibration's factor per block.
#
# Usage: scripts/soak.sh [--minutes M] [--block-seconds S] [--warmup-seconds W] [--reload-seconds R] [--threads T]
#                        [--out PREFIX] [MODEL...]
#   defaults: 30 minutes, 10 s blocks, 30 s warm-up, a reload every 60 s, 1 inference thread, out=soak-<utc time>;
#   models: the embedded demo, plus (when ../shared is there and no model is named) BlazeFace, FaceMesh and the light
#   ONNX models. Writes PREFIX.csv (a row per block and model) and PREFIX.json (the summary, also printed).
#   SOAK_JAVA_OPTS adds JVM options: a flight recording, -Xlog:jit+compilation=debug:file=jit.log:uptime, ...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/find-jdk.sh" >/dev/null
args=()
models=0
out_given=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) sed -n 2,13p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --out) out_given=1; args+=("$1" "$2"); shift 2 ;;
    --*) [[ $# -ge 2 ]] || { echo "soak.sh: $1 needs a value" >&2; exit 2; }; args+=("$1" "$2"); shift 2 ;;
    *) models=1; args+=("$1"); shift ;;
  esac
done
[[ $out_given == 1 ]] || args+=(--out "soak-$(date -u +%Y%m%dT%H%M%SZ)")
shared="$root/../shared/models"
if [[ $models == 0 && -d "$shared" ]]; then
  args+=("$shared/face/blazeface.onnx" "$shared/face/facemesh.onnx" "$shared"/light/*.onnx)
fi
(cd "$root" && mvn -q -B -ntp -DskipTests install -pl benchmarks >&2)
cp="$root/benchmarks/target/classes:$(ls "$root"/benchmarks/target/lib/*.jar | tr '\n' ':')"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g ${SOAK_JAVA_OPTS:-} \
  -cp "$cp" dev.infero.benchmarks.Soak "${args[@]}"
