#!/usr/bin/env bash
# Runs JMH benchmarks (default: all) with a JDK >= 25 and prints GFLOPS for the GEMM and convolution shapes.
# Usage: benchmarks/run.sh [JMH regex and options]   e.g. benchmarks/run.sh JitGemmBenchmark -p shape=96x256x256
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/find-jdk.sh"
(cd "$ROOT" && mvn -q -B -ntp -DskipTests install -pl benchmarks -am >&2)
CP="$ROOT/benchmarks/target/classes:$(ls "$ROOT"/benchmarks/target/lib/*.jar | tr '\n' ':')"
OUT="$(mktemp)"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$CP" org.openjdk.jmh.Main -rf csv -rff "$OUT" "$@"
echo
echo "Convolution throughput (GFLOPS for conv, GB/s of input+output for depthwise):"
awk -F, 'NR > 1 && $1 ~ /ConvBenchmark/ { gsub(/"/, ""); us = $5; split($8, kl, ":"); split(kl[2], io, "->");
  split(io[1], d, "x"); px = d[2] * d[3];
  if (kl[1] ~ /depthwise/) printf "  %-26s threads=%s %9.1f us  %6.1f GB/s\n", $8, $9, us, 2 * d[1] * px * 4 / (us * 1e3);
  else { k = kl[1] ~ /3x3/ ? 9 : 1; printf "  %-26s threads=%s %9.1f us  %6.1f GFLOPS\n", $8, $9, us, 2 * d[1] * io[2] * k * px / (us * 1e3) } }' "$OUT"
echo "JIT GEMM (one thread; the peak: FmaPeakBenchmark, a generated loop of independent FMAs):"
awk -F, '{ sub(/\r$/, "") }
  NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); col[h] = i }; next }
  $1 ~ /FmaPeakBenchmark/ { gsub(/"/, ""); isa = $col["Param: isa"]; us = $col["Score"];
    lanes = isa == "avx2" ? 8 : 16; peak = 1000000 * 12 * 2 * lanes / (us * 1e3);
    if (isa == "avx512") { best = peak }
    printf "  fma peak %-10s %9.1f us  %6.1f GFLOPS\n", isa, us, peak }
  $1 ~ /JitGemmBenchmark/ { gsub(/"/, ""); impl = $col["Param: impl"]; sh = $col["Param: shape"]; us = $col["Score"];
    split(sh, d, "x"); g = 2 * d[1] * d[2] * d[3] / (us * 1e3); rows[++nr] = sprintf("%s %s %.1f %.1f", impl, sh, us, g) }
  END { for (i = 1; i <= nr; i++) { split(rows[i], f, " "); share = (best > 0) ? 100 * f[4] / best : 0;
      printf "  gemm %-10s %-14s %9.1f us  %6.1f GFLOPS  %5.1f %% of the AVX-512 FMA peak\n", f[1], f[2], f[3], f[4], share } }' "$OUT"
echo "INT8 vs FP32 layers (ops/s = 2·MACs / time):"
awk -F, 'NR > 1 && $1 ~ /Int8ConvBenchmark/ { gsub(/"/, ""); us = $5; split($8, kl, ":"); split(kl[2], io, "->");
  split(io[1], d, "x"); k = kl[1] ~ /3x3/ ? 9 : 1;
  printf "  %-26s %-12s %9.1f us  %6.1f Gops/s\n", $8, $9, us, 2 * d[1] * io[2] * k * d[2] * d[3] / (us * 1e3) }' "$OUT"
