#!/usr/bin/env bash
# Scores the 1,000 LFW photos with BlazeFace on an embedded Spark (local[2] by default) through `infero spark-batch`,
# then compares every Parquet row with local inference bit for bit. Not part of CI (about a minute or two).
# Usage: scripts/spark-lfw.sh [master]      e.g. scripts/spark-lfw.sh 'local[2]'
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
MODEL="$SHARED/models/face/blazeface.onnx"
PHOTOS="$SHARED/data/lfw-faces"
MASTER="${1:-local[2]}"
OUT="$(mktemp -d)/lfw-scores.parquet"
[ -f "$MODEL" ] && [ -d "$PHOTOS" ] || { echo "needs $MODEL and $PHOTOS" >&2; exit 2; }
cd "$ROOT"
echo "== infero spark-batch on $PHOTOS (master $MASTER)"
start=$(date +%s.%N)
./infero spark-batch --model "$MODEL" --input "$PHOTOS" --recursive --glob '*.jpg' --output "$OUT" \
  --master "$MASTER" --json
end=$(date +%s.%N)
echo "wall time including JVM and Spark start: $(echo "$end - $start" | bc) s"
echo "== comparing $OUT with local inference"
source scripts/find-jdk.sh
mvn -B -ntp -q -pl spark surefire:test -Dtest=LfwComparison -Dsurefire.failIfNoSpecifiedTests=false \
  -Dinfero.spark.compare="$OUT" -Dinfero.spark.model="$MODEL" 2>&1 | grep -E "LFW comparison|MISMATCH|FAIL|ERROR" || true
rm -rf "$(dirname "$OUT")"
