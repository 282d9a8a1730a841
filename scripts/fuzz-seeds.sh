#!/usr/bin/env bash
# Builds the fuzzing seed corpora from ../shared (models, images, arrays) and the repository's own example
# configurations, into fuzz/.cifuzz-corpus/<target class>/fuzz/ — the folder Jazzer's JUnit integration fuzzes from
# and adds to. Nothing here is committed (shared files stay in shared/); the committed seeds are the tiny hand-made ones
# under fuzz/src/test/resources/dev/infero/fuzz/*Inputs/. Large files are truncated: a fuzzer mutates small inputs
# faster, and a truncated file is itself a good bad input.
#
# Usage: scripts/fuzz-seeds.sh [--shared DIR] [--max-bytes N]     (defaults: ../shared, 65536)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="$root/../shared"
max=65536
while [[ $# -gt 0 ]]; do
  case "$1" in
    --shared) shared="$2"; shift 2 ;;
    --max-bytes) max="$2"; shift 2 ;;
    -h|--help) sed -n 2,8p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz-seeds.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
corpus="$root/fuzz/.cifuzz-corpus"
if [[ ! -d "$shared/models" ]]; then
  echo "fuzz-seeds.sh: no shared models at $shared: only the repository's examples are used" >&2
fi
python3 - "$shared" "$corpus" "$max" "$root" <<'PY'
import glob, hashlib, os, struct, sys
shared, corpus, limit, root = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
counts = {}

def add(target, data):
    d = os.path.join(corpus, "dev.infero.fuzz." + target, "fuzz")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)
    counts[target] = counts.get(target, 0) + 1

def read(path, n=None):
    with open(path, "rb") as f:
        return f.read(limit if n is None else n)

def files(pattern, count=None):
    found = sorted(glob.glob(os.path.join(shared, pattern), recursive=True))
    return found if count is None else found[:count]

def whole_and_cut(target, path):
    data = read(path, os.path.getsize(path))
    if len(data) <= limit:
        add(target, data)
    add(target, data[:min(len(data) // 2, limit)])

def pair(first, second):
    # The split format of Fuzz.split: 4-byte big-endian length of the first file, the first file, the second.
    return struct.pack(">I", len(first)) + first + second

for p in files("models/**/*.npy"):
    whole_and_cut("NpyFuzzTest", p)
for p in files("models/face/*.png") + files("data/lfw-faces/**/*.jpg", 4) + files("data/**/*.bmp", 2) + files("data/**/*.gif", 2):
    add("ImageFuzzTest", read(p))
for p in files("models/light/*.onnx") + files("conformance/onnx-node/*/model.onnx", 400) + files("conformance/onnx-simple/*/model.onnx", 100):
    whole_and_cut("OnnxFuzzTest", p)
for xml in files("models/ir/**/*.xml"):
    add("IrFuzzTest", pair(read(xml, os.path.getsize(xml)), read(xml[:-4] + ".bin")))
for p in files("models/frameworks/tflite/*.tflite"):
    add("TfliteFuzzTest", read(p, os.path.getsize(p)))
    add("TfliteFuzzTest", read(p))
for proto in files("models/frameworks/caffe/**/*.prototxt"):
    for weights in glob.glob(os.path.join(os.path.dirname(proto), "*.caffemodel")):
        if os.path.basename(weights).startswith(os.path.basename(proto)[:-len(".prototxt")]):
            add("CaffeFuzzTest", pair(read(proto), read(weights)))
for p in files("models/frameworks/tensorflow/*.pb"):
    add("TfFuzzTest", read(p))
for p in files("models/frameworks/tensorflow/*.pbtxt"):
    add("TfTextFuzzTest", read(p))
for symbol in files("models/frameworks/mxnet/**/*-symbol.json"):
    for params in glob.glob(os.path.join(os.path.dirname(symbol), "*.params")):
        add("MxnetFuzzTest", pair(read(symbol, os.path.getsize(symbol)), read(params)))
for p in sorted(glob.glob(os.path.join(root, "docs/accuracy/*.json"))):
    add("PotConfigFuzzTest", read(p))
for p in sorted(glob.glob(os.path.join(root, "docs/accuracy/*.yml"))):
    add("AccuracyConfigFuzzTest", read(p))
for target, n in sorted(counts.items()):
    print(f"{target}: {n} seeds")
PY
