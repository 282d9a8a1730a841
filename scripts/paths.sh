# Sourced by the project's scripts: ROOT (this checkout), SHARED (the shared models and data: $INFERO_SHARED, else
# ../shared beside the checkout) and need_model, the one default and check of a script's model file.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${INFERO_SHARED:-$ROOT/../shared}"

# need_model SCRIPT: MODEL defaults to BlazeFace from the shared data; exits with 1 and says so when it is not a file.
need_model() {
  MODEL="${MODEL:-$SHARED/models/face/blazeface.onnx}"
  [ -f "$MODEL" ] || { echo "$1: model $MODEL not found (set MODEL=...)" >&2; exit 1; }
}
