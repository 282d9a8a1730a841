#!/usr/bin/env bash
# Runs every class of bad input of docs/reliability.md's table through the CLI and prints, per case, the exit code
# and the first line of stderr (the error Infero gives). Bad files are generated in a temporary folder by
# scripts/reliability/MakeBadInputs.java; cases that need ../shared (a real JPEG, the SqueezeNet IR) are skipped
# without it.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
source "$ROOT/scripts/find-jdk.sh"
INFERO="$ROOT/infero"
"$INFERO" --version >/dev/null # builds when needed
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$INFERO_JAVA" --add-modules jdk.incubator.vector -cp "$ROOT/cli/target/infero-cli.jar" \
  "$ROOT/scripts/reliability/MakeBadInputs.java" "$WORK/m" 2> >(grep -v 'incubator' >&2)
M="$WORK/m"

run_case() { # name, then the infero arguments
  local name="$1"; shift
  local err rc line
  err="$("$INFERO" "$@" 2>&1 >/dev/null)"; rc=$?
  line="$(printf '%s\n' "$err" | grep -v '^infero: building' | head -1)"
  printf '| %s | %s | `%s` |\n' "$name" "$rc" "${line//|/\\|}"
}

echo "| case | exit | first line of stderr |"
echo "|---|---|---|"
head -c 60 "$M/small.onnx" > "$M/truncated.onnx"
run_case "truncated ONNX" run "$M/truncated.onnx"
head -c 3000 /dev/urandom > "$M/random.onnx"
run_case "random bytes as .onnx" run "$M/random.onnx"
run_case "ConstantOfShape of [100000,100000,100] at load" run "$M/constant_of_shape_huge.onnx"
run_case "Range of 2e9 elements at load" run "$M/range_huge.onnx"
run_case "IR Parameter [100000,100000,100]" run "$M/huge_parameter.xml"
run_case "shape tensor from a .npy makes a huge output" run "$M/shape_from_input.onnx" -i "$M/huge_shape_vector.npy"
run_case "duplicate producers of one tensor" run "$M/duplicate_producers.onnx"
run_case "ONNX opset 99 (warning, then runs)" run "$M/opset99.onnx"
run_case "unsupported operator" run "$M/unsupported_op.onnx"
run_case "external data path ../../etc/passwd" run "$M/external_outside.onnx"
ln -s /etc/passwd "$M/weights.bin"
run_case "external data file: a symlink in the folder to /etc/passwd" run "$M/external_symlink.onnx"
run_case "IR with DOCTYPE / external entity (XXE)" run "$M/xxe.xml"
run_case ".npy declaring [100000,100000,100]" run "$M/small.onnx" -i "$M/huge_shape.npy"
run_case "truncated .npy" run "$M/small.onnx" -i "$M/truncated.npy"
run_case ".npy of the wrong shape" run "$M/small.onnx" -i "$M/wrong_shape.npy"
run_case "not a .npy" run "$M/small.onnx" -i "$M/not_npy.npy"
run_case "corrupt JPEG" run "$M/small.onnx" -i "$M/corrupt.jpg"
run_case "20000x20000 PNG (subsampled to the model's size, runs)" run "$M/small.onnx" -i "$M/huge_20000x20000.png"
run_case "20000x20000 PNG into an input of dynamic height and width" run "$M/dynamic_hw.onnx" -i "$M/huge_20000x20000.png"
if [ -d "$SHARED/data/imagenet-samples" ]; then
  JPG="$(ls "$SHARED"/data/imagenet-samples/*.JPEG | head -1)"
  head -c 4000 "$JPG" > "$M/truncated.jpg"
  run_case "truncated JPEG" run "$M/small.onnx" -i "$M/truncated.jpg"
  run_case "run --scale-values 0,0,0" run "$M/small.onnx" -i "$JPG" --scale-values 0,0,0
  run_case "run --mean-values NaN" run "$M/small.onnx" -i "$JPG" --mean-values NaN
fi
IR="$SHARED/models/ir/squeezenet1.1"
if [ -d "$IR" ]; then
  XML="$(ls "$IR"/*.xml | head -1)"; BIN="${XML%.xml}.bin"
  mkdir -p "$M/ir_nan" "$M/ir_bin"
  sed 's/rounding_type="[a-z]*"/rounding_type="nan"/' "$XML" > "$M/ir_nan/m.xml"; cp "$BIN" "$M/ir_nan/m.bin"
  run_case "IR rounding_type=\"nan\"" run "$M/ir_nan/m.xml"
  cp "$XML" "$M/ir_bin/m.xml"; head -c 100000 "$BIN" > "$M/ir_bin/m.bin"
  run_case "IR .bin truncated (offsets out of range)" run "$M/ir_bin/m.xml"
  "$INFERO" convert --input_model "$XML" --output_dir "$M/ir_new" --model_name m >/dev/null 2>&1
  cp "$M/ir_new/m.xml" "$M/ir_bin/m.xml"; cp "$M/ir_new/m.bin" "$M/ir_bin/m.bin"
  printf '\x01' | dd of="$M/ir_bin/m.bin" bs=1 seek=5000 conv=notrunc status=none # one byte changed
  run_case "IR .xml beside another model's .bin (hash)" run "$M/ir_bin/m.xml"
fi
run_case "convert --model_name ../x" convert --input_model "$M/small.onnx" --output_dir "$M/out" --model_name ../x
run_case "convert to an unwritable folder" convert --input_model "$M/small.onnx" --output_dir /proc/infero-out
run_case "benchmark -nthreads 100000" benchmark -m "$M/small.onnx" -nthreads 100000 -t 1
run_case "benchmark -nstreams 100000" benchmark -m "$M/small.onnx" -hint throughput -nstreams 100000 -t 1
run_case "benchmark -nireq 100000" benchmark -m "$M/small.onnx" -nireq 100000 -t 1
run_case "benchmark -nireq -1" benchmark -m "$M/small.onnx" -nireq -1 -t 1
INFERO_JAVA_OPTS="-Xmx256m" run_case "1 GB input with a 256 MB heap (limit from the heap)" run "$M/big_input.onnx"
INFERO_JAVA_OPTS="-Xmx256m -Dinfero.maxTensorBytes=8G -Dinfero.maxModelBytes=8G" \
  run_case "same, limits raised past the heap (OutOfMemoryError)" run "$M/big_input.onnx"
