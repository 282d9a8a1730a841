#!/usr/bin/env bash
# Produces the accuracy tables of docs/accuracy.md: FP32 / FP16 / INT8 variants of the shared models, each measured
# with its Accuracy Checker config. Usage: scripts/accuracy-tables.sh [OUT_DIR]   (default /tmp/infero-accuracy)
# Needs ../shared. Takes several minutes (CIFAR-10 is subsampled to 2,000 photos; the rest run on their full sets
# or the subsample_size of their config). Variants already in OUT_DIR are reused.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-/tmp/infero-accuracy}"
S="$ROOT/../shared"
cd "$ROOT"
mkdir -p "$OUT"
run() { echo "\$ $*"; "$@"; echo; }

# SqueezeNet 1.1: the OMZ IR as shipped (FP16 weights, computed in FP32) and INT8 by DefaultQuantization
[ -f "$OUT/squeezenet1.1_int8.xml" ] || run ./infero quantize -c docs/accuracy/squeezenet1.1-imagenet-int8.json --output-dir "$OUT" -d
[ -f "$OUT/squeezenet1.1_fp32.xml" ] || run ./infero convert -m "$S/models/ir/squeezenet1.1/squeezenet1.1.xml" \
    --data_type FP32 -n squeezenet1.1_fp32 -o "$OUT"
run ./infero accuracy -c docs/accuracy/squeezenet1.1-imagenet.yml -m "$OUT/squeezenet1.1_fp32.xml" \
    -m "$S/models/ir/squeezenet1.1/squeezenet1.1.xml" -m "$OUT/squeezenet1.1_int8.xml" --json "$OUT/squeezenet1.1.json"

# MNIST, CIFAR-10, FaceMesh, BlazeFace: ONNX FP32, IR FP16, IR INT8
for m in mnist:mnist-8:$S/data/mnist/mnist-8.onnx facemesh-lfw:facemesh:$S/models/face/facemesh.onnx \
         blazeface-lfw:blazeface:$S/models/face/blazeface.onnx cifar10:squeezenet_cifar10:$S/data/cifar10/squeezenet_cifar10.onnx; do
  IFS=: read cfg name model <<< "$m"
  [ -f "$OUT/${name}_fp16.xml" ] || run ./infero convert -m "$model" -n "${name}_fp16" --data_type FP16 -o "$OUT"
  [ -f "$OUT/${name}_int8.xml" ] || run ./infero quantize -c "docs/accuracy/${cfg}-int8.json" --output-dir "$OUT" -d
  extra=()
  [ "$cfg" = cifar10 ] && extra=(-n 2000)
  run ./infero accuracy -c "docs/accuracy/${cfg}.yml" -m "$model" -m "$OUT/${name}_fp16.xml" -m "$OUT/${name}_int8.xml" \
      "${extra[@]}" --json "$OUT/${name}.json"
done
