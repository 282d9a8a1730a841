#!/usr/bin/env bash
# Fuzzes Infero's parsers with Jazzer, one target after the other, each for a set time, and records the executions and
# findings of every target (docs/reliability.md).
#
# Usage: scripts/fuzz.sh [--seconds N] [--targets A,B,...] [--no-seeds] [--list]
#   --seconds N   fuzzing time per target (default 300)
#   --targets     fuzz test classes of the fuzz module, without the FuzzTest suffix (default: all)
#   --no-seeds    do not (re)build the seed corpora from ../shared first (scripts/fuzz-seeds.sh)
#   --list        print the targets and exit
# Needs the project installed (mvn -DskipTests install). Each target runs in its own JVM (-Xmx1g, so a forged size
# fails fast as OutOfMemoryError) with a 20 s per-input timeout; Jazzer goes on after a finding (keep_going) so that one
# crash does not hide the next. Findings are written by Jazzer into
# fuzz/src/test/resources/dev/infero/fuzz/<Target>FuzzTestInputs/fuzz/ (they become regression seeds once fixed),
# logs into fuzz/target/fuzz-logs/<Target>-<utc time>.log, and one line per target is appended to fuzz/target/fuzz-results.tsv:
#   utc-time  target  seconds  executions  findings  corpus-size
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds=300
targets=""
seeds=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --targets) targets="$2"; shift 2 ;;
    --no-seeds) seeds=0; shift ;;
    --list) ls fuzz/src/test/java/dev/infero/fuzz/ | sed -n 's/FuzzTest\.java$//p'; exit 0 ;;
    -h|--help) sed -n 2,16p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds must be a positive whole number, not '$seconds'" >&2; exit 2; }
if [[ -z "$targets" ]]; then
  targets="$(ls fuzz/src/test/java/dev/infero/fuzz/ | sed -n 's/FuzzTest\.java$//p' | paste -sd, -)"
fi
source scripts/find-jdk.sh >/dev/null
[[ $seeds == 1 ]] && scripts/fuzz-seeds.sh
logs="fuzz/target/fuzz-logs"
results="fuzz/target/fuzz-results.tsv"
mkdir -p "$logs"
# The whole-invocation JUnit timeout must outlast the run; -timeout (last libFuzzer flag wins) is the per-input one.
jvm="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+EnableDynamicAgentLoading -Xss16m -Xmx1g"
jvm+=" -Djazzer.max_duration=${seconds}s -Djazzer.keep_going=100 -Djazzer.internal.arg.1=-timeout=20"
jvm+=" -Djunit.jupiter.execution.timeout.testtemplate.method.default=$((seconds + 900))s"
total=0
IFS=, read -r -a list <<< "$targets"
for target in "${list[@]}"; do
  class="${target}FuzzTest"
  if [[ ! -f "fuzz/src/test/java/dev/infero/fuzz/$class.java" ]]; then
    echo "fuzz.sh: no target $target (see --list)" >&2; exit 2
  fi
  log="$logs/$target-$(date -u +%Y%m%dT%H%M%SZ).log"
  echo "fuzz.sh: $target for ${seconds}s (log $log)"
  JAZZER_FUZZ=1 mvn -o -B -ntp test -pl fuzz -Dtest="$class" -Dsurefire.failIfNoSpecifiedTests=false \
    -Dsurefire.jvm.args="$jvm" > "$log" 2>&1 || true
  execs="$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log" | tail -1)"
  findings="$(grep -c '^== Java Exception:' "$log" || true)"
  corpus="$(ls "fuzz/.cifuzz-corpus/dev.infero.fuzz.$class/fuzz" 2>/dev/null | wc -l)"
  if [[ -z "$execs" ]]; then
    echo "fuzz.sh: $target did not fuzz (see $log)" >&2
    execs=0
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$seconds" "$execs" "$findings" "$corpus" | tee -a "$results"
  total=$((total + execs))
done
echo "fuzz.sh: $total executions in this run; all runs: $(awk -F'\t' '{s += $4} END {print s + 0}' "$results") (in $results)"
