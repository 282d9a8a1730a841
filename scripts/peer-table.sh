#!/usr/bin/env bash
# The FP32 peer table of docs/performance.md: every model of the shared data against ONNX Runtime, Infero and ORT
# alternating in one run per group (`benchmark --compare-with ORT`), at 1 and 2 threads, then any further models given
# as arguments (held-out and own models; an argument "FILE@SHAPE" adds -shape SHAPE for that file).
# Usage: scripts/peer-table.sh [-t SECONDS] [MODEL[@SHAPE]...]     (default 3 s per side and round)
# Prints the table rows only: model | threads | Infero median | ORT median | ratio (below 1: Infero is faster).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
seconds=3
if [ "${1:-}" = "-t" ]; then seconds="$2"; shift 2; fi
M="$SHARED/models"; F="$M/frameworks"
[ -d "$M" ] || { echo "peer-table.sh: no shared models at $M (set INFERO_SHARED=DIR)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

rows() {
  local out
  # stderr apart: its progress lines would otherwise interleave with the table's rows.
  out="$("$ROOT/infero" benchmark --compare-with ORT --threads 1,2 -t "$seconds" "$@" 2>"$work/stderr")" || {
    echo "peer-table.sh: benchmark $* failed:" >&2; grep -v 'W:onnxruntime' "$work/stderr" | tail -3 >&2
    echo "$out" | tail -3 >&2; return 1; }
  echo "$out" | grep '^| [A-Za-z0-9]' | grep -v '^| model '
}

# The published MTCNN prototxts are swapped against the weights: R-Net = det3.prototxt + det2.caffemodel, O-Net =
# det2.prototxt + det3.caffemodel (frameworks/README). MobileFaceNet runs as an IR converted at 112×112.
ln -s "$F/caffe/mtcnn/det3.prototxt" "$work/rnet.prototxt"; ln -s "$F/caffe/mtcnn/det2.caffemodel" "$work/rnet.caffemodel"
ln -s "$F/caffe/mtcnn/det2.prototxt" "$work/onet.prototxt"; ln -s "$F/caffe/mtcnn/det3.caffemodel" "$work/onet.caffemodel"
"$ROOT/infero" convert -m "$F/mxnet/mobilefacenet/model-symbol.json" --input_shape '[1,3,112,112]' -o "$work" \
  -n mobilefacenet >/dev/null

echo "| model | threads | Infero ms | ORT ms | ratio |"
rows -m "$M/face/blazeface.onnx" -m "$M/face/facemesh.onnx" -m "$M/light/light_squeezenet.onnx" \
  -m "$M/light/light_resnet50.onnx" -m "$M/light/light_shufflenet.onnx" -m "$M/light/light_inception_v1.onnx" \
  -m "$M/ir/squeezenet1.1/squeezenet1.1.xml" -m "$F/tflite/face_landmark.tflite" \
  -m "$F/caffe/lenet-mnist/lenet.prototxt" -m "$work/rnet.prototxt" -m "$work/onet.prototxt" \
  -m "$work/mobilefacenet.xml"
rows -m "$F/tensorflow/opencv_face_detector_uint8.pb" -shape 'data[1,300,300,3]'
rows -m "$F/caffe/mtcnn/det1.prototxt" -shape 'data[1,3,240,320]'
for arg in "$@"; do
  if [[ "$arg" == *@* ]]; then rows -m "${arg%%@*}" -shape "${arg#*@}"; else rows -m "$arg"; fi
done
