# Sourced by the project's scripts: ROOT (this checkout), SHARED (the shared models and data: $INFERO_SHARED, else
# ../shared beside the checkout) and need_model, the one check that a script's model file is there.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${INFERO_SHARED:-$ROOT/../shared}"

# need_model SCRIPT: exits with 1 and says so when "$MODEL" is not a file.
need_model() {
  [ -f "$MODEL" ] || { echo "$1: model $MODEL not found (set MODEL=...)" >&2; exit 1; }
}
