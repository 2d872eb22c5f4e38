#!/usr/bin/env bash
# The GPU machine's part of the benchmarks, in one prepared script (that machine has CUDA, PyTorch, JAX and
# opt_einsum but no Maven): einsum4j's einsum suite on the card (JMH ContractBenchmark, backend cuda, GPU shapes)
# beside torch.einsum and JAX, then the layer suite's PyTorch peers on the CPU and the card, and the CPU suites with
# their numpy/opt_einsum peers on the 16 host cores. Results go to $OUT/results/*.json (the format of
# bench/results); copy them into bench/results here and run `bench/run --render-only` for the tables and charts
# (the jlink'd runtime there has no java.desktop, so no charts are drawn on that machine).
#
# Here, first:   mvn -B -q -DskipTests package && ../shared/tools/device-prep.sh
# There (device tool, carry [".device"]):   bash bench/gpu.sh [--quick] [--cpu-suites]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
: "${OUT:?OUT must name the output folder (the device tool sets it)}"
quick=() cpu_suites=0
for a in "$@"; do
  case "$a" in --quick) quick=(--quick) ;; --cpu-suites) cpu_suites=1 ;;
    *) echo "bench/gpu.sh: unknown option $a" >&2; exit 2 ;; esac
done
[ -f .device/env.sh ] || { echo "bench/gpu.sh: .device/ missing: run ../shared/tools/device-prep.sh here first" >&2; exit 1; }
# shellcheck disable=SC1091
source .device/env.sh
jar=$(ls .device/lib/benchmarks.jar 2>/dev/null || true)
[ -n "$jar" ] || { echo "bench/gpu.sh: .device/lib/benchmarks.jar missing (build bench/ before device-prep.sh)" >&2; exit 1; }
mkdir -p "$OUT/results" "$OUT/logs"
nvidia-smi > "$OUT/logs/nvidia-smi.txt" 2>&1 || true
python3 -c 'import torch, sys; print("torch", torch.__version__, torch.cuda.get_device_name(0))' \
    > "$OUT/logs/peers.txt" 2>&1 || true
python3 -c 'import jax; print("jax", jax.__version__, jax.devices())' >> "$OUT/logs/peers.txt" 2>&1 || true

# bench/run does the rest with the staged jar and runtime; --no-build: no Maven there
export BENCH_JAR=$jar BENCH_RESULTS=$OUT/results JAVA=java
status=0
bash bench/run "${quick[@]}" --suite einsum --backend cuda --no-build --no-render --load "GPU machine, quiet" \
    > "$OUT/logs/einsum-cuda.log" 2>&1 || status=$?
if [ "$cpu_suites" = 1 ]; then
  for s in einsum paths layers; do
    bash bench/run "${quick[@]}" --suite $s --no-build --no-render --load "host CPU of the GPU machine, quiet" \
        > "$OUT/logs/$s-cpu.log" 2>&1 || status=$?
  done
fi
# torch.einsum / JAX alone as well, so the peers' figures survive an einsum4j CUDA failure
python3 bench/compare/torch_einsum.py --device cuda > "$OUT/logs/torch_einsum_cuda.jsonl" 2>&1 || true
python3 bench/compare/torch_gradsample.py --device cuda --repeat 10 --warmup 3 \
    > "$OUT/logs/torch_gradsample_cuda.jsonl" 2>&1 || true
ls -la "$OUT/results" "$OUT/logs"
exit $status
