#!/usr/bin/env bash
# Regenerates device-cpu/src/test/resources/jit/golden.txt: the bytes GNU as (binutils) produces for every case of
# the JIT assembler's golden-byte test (device-cpu/src/test/java/dev/infero/cpu/jit/GoldenCases.java). Test-only:
# the unit test compares against the committed file and never needs binutils.
# Needs: binutils (apt-get install -y binutils), a JDK >= 25, Maven.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/find-jdk.sh"
command -v as >/dev/null && command -v objdump >/dev/null || {
  echo "jit-golden: needs binutils (apt-get install -y binutils)" >&2; exit 3; }
(cd "$ROOT" && mvn -q -B -ntp -pl device-cpu -am -DskipTests test-compile >&2)
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
CP="$ROOT/device-cpu/target/test-classes:$ROOT/device-cpu/target/classes"
"$JAVA_HOME/bin/java" -cp "$CP" dev.infero.cpu.jit.GoldenCases > "$TMP/cases.txt"
{ echo ".intel_syntax noprefix"; cat "$TMP/cases.txt"; } > "$TMP/cases.s"
as --64 -o "$TMP/cases.o" "$TMP/cases.s"
# One instruction per case, in order: objdump's byte columns, then the case text.
objdump -d -M intel --insn-width=16 "$TMP/cases.o" \
  | awk -F'\t' '/^ *[0-9a-f]+:\t/ { gsub(/ +$/, "", $2); print $2 }' > "$TMP/bytes.txt"
if [ "$(wc -l < "$TMP/bytes.txt")" != "$(wc -l < "$TMP/cases.txt")" ]; then
  echo "jit-golden: $(wc -l < "$TMP/cases.txt") cases but $(wc -l < "$TMP/bytes.txt") instructions decoded" >&2
  exit 1
fi
OUT="$ROOT/device-cpu/src/test/resources/jit/golden.txt"
{ echo "# GNU as $(as --version | head -n 1 | sed 's/.* //'): bytes<TAB>instruction (Intel syntax). Regenerate: scripts/jit-golden.sh"
  paste "$TMP/bytes.txt" "$TMP/cases.txt"; } > "$OUT"
echo "wrote $(wc -l < "$TMP/cases.txt") cases to $OUT"
