#!/usr/bin/env bash
# The README's and docs/serving.md's curl calls against a real `infero serve` on 127.0.0.1: every endpoint, JSON and
# binary tensors, and the error statuses. Prints one line per check and "N passed, M failed".
#   scripts/serve-curl-check.sh            (BlazeFace from ../shared; MODEL=... for another 1x3x128x128 FP32 model)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
need_model serve-curl-check
PORT="${PORT:-18331}"
TMP="$(mktemp -d)"
"$ROOT/infero" serve -m "$MODEL" --name face --port "$PORT" --max-request-bytes 1048576 2>"$TMP/server.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null && break; sleep 0.5; done
URL="http://127.0.0.1:$PORT"
PASS=0; FAIL=0
check() { # name expected-status actual-status [body-grep body]
  if [ "$2" = "$3" ] && { [ -z "${4:-}" ] || grep -q -- "$4" <<<"${5:-}"; }; then
    PASS=$((PASS + 1)); echo "ok   $1 ($3)"
  else
    FAIL=$((FAIL + 1)); echo "FAIL $1: expected $2${4:+ with '$4'}, got $3 ${5:-}"
  fi
}
call() { curl -s -o "$TMP/body" -w '%{http_code}' "$@"; }

s=$(call "$URL/v2"); check "GET /v2" 200 "$s" '"binary_tensor_data"' "$(cat "$TMP/body")"
s=$(call "$URL/v2/health/live"); check "live" 200 "$s"
s=$(call "$URL/v2/health/ready"); check "ready" 200 "$s"
s=$(call "$URL/v2/models/face"); check "metadata" 200 "$s" '"shape":\[1,3,128,128\]' "$(cat "$TMP/body")"
INPUT=$(sed -E 's/.*"inputs":\[\{"name":"([^"]*)".*/\1/' "$TMP/body")
s=$(call "$URL/v2/models/face/versions/1"); check "metadata version 1" 200 "$s"
s=$(call "$URL/v2/models/face/ready"); check "model ready" 200 "$s" '"ready":true' "$(cat "$TMP/body")"
s=$(call "$URL/v2/models/face/versions/1/ready"); check "version ready" 200 "$s"
s=$(call "$URL/v2/models/face/versions/2/ready"); check "unknown version ready" 404 "$s"
s=$(call "$URL/v2/models/nope"); check "unknown model" 404 "$s" '"error"' "$(cat "$TMP/body")"

python3 - "$TMP" "$INPUT" <<'PY'
import json, random, struct, sys
d, name = sys.argv[1], sys.argv[2]
random.seed(5)
x = [random.random() for _ in range(3 * 128 * 128)]
json.dump({"id": "curl-1", "inputs": [{"name": name, "shape": [1, 3, 128, 128], "datatype": "FP32", "data": x}]},
          open(d + "/request.json", "w"))
open(d + "/input.bin", "wb").write(struct.pack("<%df" % len(x), *x))
PY
s=$(call -X POST "$URL/v2/models/face/infer" -H 'Content-Type: application/json' --data-binary @"$TMP/request.json")
check "infer JSON" 200 "$s" '"id":"curl-1"' "$(head -c 300 "$TMP/body")"
cp "$TMP/body" "$TMP/json-response"
HEADER="{\"inputs\":[{\"name\":\"$INPUT\",\"shape\":[1,3,128,128],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":196608}}],\"parameters\":{\"binary_data_output\":true}}"
s=$({ printf '%s' "$HEADER"; cat "$TMP/input.bin"; } | curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' \
    -X POST "$URL/v2/models/face/infer" -H "Inference-Header-Content-Length: ${#HEADER}" \
    -H 'Content-Type: application/octet-stream' --data-binary @-)
check "infer binary" 200 "$s" 'Inference-Header-Content-Length' "$(cat "$TMP/headers")"
# The binary outputs equal the JSON ones bit for bit.
python3 - "$TMP" <<'PY' && { PASS=$((PASS + 1)); echo "ok   binary outputs == JSON outputs"; } || { FAIL=$((FAIL + 1)); echo "FAIL binary outputs differ from JSON outputs"; }
import json, re, struct, sys
d = sys.argv[1]
j = json.load(open(d + "/json-response"))
headers = open(d + "/headers").read()
n = int(re.search(r"(?i)inference-header-content-length: (\d+)", headers).group(1))
body = open(d + "/body", "rb").read()
head = json.loads(body[:n])
off = n
for jo, bo in zip(j["outputs"], head["outputs"]):
    size = bo["parameters"]["binary_data_size"]
    vals = struct.unpack("<%df" % (size // 4), body[off:off + size])
    off += size
    assert [struct.pack("<f", v) for v in vals] == [struct.pack("<f", v) for v in jo["data"]], jo["name"]
PY
s=$(call -X POST "$URL/v2/models/face/infer" -d '{"inputs": ['); check "malformed JSON" 400 "$s" 'malformed JSON' "$(cat "$TMP/body")"
s=$(call -X POST "$URL/v2/models/face/infer" -d "{\"inputs\":[{\"name\":\"$INPUT\",\"shape\":[1,3,64,64],\"datatype\":\"FP32\",\"data\":[$(python3 -c 'print(",".join(["0"]*12288))')]}]}")
check "wrong shape" 400 "$s" 'expects' "$(cat "$TMP/body")"
s=$(call -X POST "$URL/v2/models/face/infer" -d "{\"inputs\":[{\"name\":\"$INPUT\",\"shape\":[1],\"datatype\":\"STRING\",\"data\":[1]}]}")
check "wrong datatype" 400 "$s" 'unknown datatype' "$(cat "$TMP/body")"
s=$(call -X POST "$URL/v2/models/face/versions/7/infer" --data-binary @"$TMP/request.json"); check "unknown version" 404 "$s"
head -c 2000000 /dev/zero > "$TMP/big"
s=$(call -X POST "$URL/v2/models/face/infer" --data-binary @"$TMP/big"); check "body over the limit" 413 "$s"
s=$(call "$URL/metrics"); check "metrics" 200 "$s" 'infero_requests_total{model="face"' "$(cat "$TMP/body")"
s=$(call "$URL/v2/health/ready"); check "still ready" 200 "$s"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
