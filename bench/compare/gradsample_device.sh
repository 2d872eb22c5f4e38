#!/usr/bin/env bash
# Runs the layer suite side by side on one machine: `einsum4j gradsample ... --json` (every row, plus L07's sparse
# form), bench/compare/torch_gradsample.py (PyTorch, CPU and, when a GPU is there, CUDA), then JMH's
# GradSampleBenchmark (-f 1 -wi 2 -i 3). Meant for the GPU machine (16 quiet CPU cores, PyTorch, no Java): stage a
# Java runtime and the benchmarks jar (which holds the CLI too) first with
#   bash bench/compare/gradsample_device.sh --stage        # here: writes .gradsample-device/ (git-ignored)
# then run there with carry [".gradsample-device"]:
#   bash bench/compare/gradsample_device.sh "$OUT"
# On any machine with Java on the PATH, only the CLI rows (no PyTorch, no JMH), after `mvn -B -q -DskipTests package`:
#   bash bench/compare/gradsample_device.sh --cli-only OUT_DIR
# Environment: GS_CLI_FILE (default einsum4j_cli.jsonl), GS_SKIP_TORCH=1, GS_SKIP_CUDA=1, GS_SKIP_JMH=1; OpenBLAS
# honours OPENBLAS_CORETYPE (e.g. SkylakeX) where it misdetects a virtualized CPU.
set -euo pipefail
cli_file=${GS_CLI_FILE:-einsum4j_cli.jsonl}
cli_only=0
if [ "${1:-}" = "--cli-only" ]; then
  cli_only=1
  shift
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
dev=$root/.gradsample-device
if [ "${1:-}" = "--stage" ]; then
  cd "$root"
  grep -qxF '/.gradsample-device/' "$(git rev-parse --git-common-dir)/info/exclude" 2>/dev/null \
    || echo '/.gradsample-device/' >> "$(git rev-parse --git-common-dir)/info/exclude"
  mkdir -p "$dev"
  rm -f "$dev/einsum4j.jar"
  cp bench/target/benchmarks.jar "$dev/benchmarks.jar"
  if [ ! -f "$dev/jre.tar.xz" ]; then
    tmp=$(mktemp -d)
    jlink --add-modules java.base,jdk.unsupported,java.management,java.logging --strip-debug --no-header-files \
          --no-man-pages --output "$tmp/jre"
    tar -C "$tmp" -cf - jre | xz -T2 -6 > "$dev/jre.tar.xz"
    rm -rf "$tmp"
  fi
  ls -la "$dev"
  exit 0
fi
out=${1:?output folder}
mkdir -p "$out"
if [ "$cli_only" = 1 ]; then
  java=java
  jar=$root/bench/target/benchmarks.jar
else
  [ -x /tmp/jre/bin/java ] || tar -C /tmp -xJf "$dev/jre.tar.xz"
  java=/tmp/jre/bin/java
  jar=$dev/benchmarks.jar
fi
{ nproc; lscpu | grep -E 'Model name|^CPU\(s\)' || true
  echo "cpu flags: $(grep -o -w -E 'avx2|avx512f|avx512_bf16|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-}"
  OPENBLAS_VERBOSE=2 $java -cp "$jar" org.einsum4j.cli.Main gradsample Linear in=2 out=2 --repeat 1 2>&1 | grep -i core || true
} >> "$out/machine.txt"
nvidia-smi --query-gpu=name --format=csv,noheader >> "$out/machine.txt" 2>/dev/null || true
suite=$root/bench/src/main/resources/org/einsum4j/bench/layer_suite.tsv
: > "$out/$cli_file"
tail -n +2 "$suite" | while IFS=$'\t' read -r id layer B K hyper what; do
  for extra in "" sparse; do
    [ -n "$extra" ] && [ "$layer" != Embedding ] && continue
    sid=$id; [ -n "$extra" ] && sid=${id}s
    timeout 90 $java -Xmx8g -cp "$jar" org.einsum4j.cli.Main gradsample "$layer" --B "$B" --K "$K" $hyper $extra --repeat 5 --warmup 2 \
      --json | sed "s/^{/{\"id\": \"$sid\", /" >> "$out/$cli_file" || echo "{\"id\": \"$sid\", \"failed\": true}" >> "$out/$cli_file"
  done
done
[ "$cli_only" = 1 ] && exit 0
[ "${GS_SKIP_TORCH:-0}" = 1 ] || timeout 200 python3 "$root/bench/compare/torch_gradsample.py" --device cpu --threads "$(nproc)" --repeat 3 \
  > "$out/torch_cpu.jsonl" 2> "$out/torch_cpu.err" || true
if [ "${GS_SKIP_CUDA:-0}" != 1 ] && command -v nvidia-smi >/dev/null 2>&1; then
  timeout 120 python3 "$root/bench/compare/torch_gradsample.py" --device cuda --repeat 10 --warmup 3 \
    > "$out/torch_cuda.jsonl" 2> "$out/torch_cuda.err" || true
fi
[ "${GS_SKIP_JMH:-0}" = 1 ] || timeout 240 $java -Djmh.ignoreLock=true -jar "$dev/benchmarks.jar" GradSampleBenchmark -f 1 -wi 2 -i 3 \
  -rf json -rff "$out/jmh_gradsample.json" > "$out/jmh_gradsample.log" 2>&1 || true
