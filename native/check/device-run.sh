#!/usr/bin/env bash
# The one prepared GPU run for the CUDA backend (issue 8). Run it on the GPU machine from the repository root.
#
# Here, first (needs nvcc, no GPU):
#   ../shared/tools/device-prep.sh          # .device/: Java runtime, jars (fatbin inside), test classes, junit.sh
#   native/check/build-check.sh             # .device/kernel-check/: kernels.fatbin and the kernel_check binary
#   native/check/slim-device.sh              # .device/ under the 64 MiB a device call carries
# Then one device call, carry [".device"], timeout_s 600 (the steps are capped at 540 s together):
#   bash native/check/device-run.sh
#
# It runs, each under its own time limit, logs under $OUT (two files come back: summary.txt, gpu-logs.tar.gz):
#   1. kernel_check: every kernel family against CPU loops, plus copy/outer bandwidth
#   2. JUnit, package org.einsum4j.cuda: CudaDeviceTest (oracle ≤ 1e-5 without TF32, TF32 bound, FLOAT16/BFLOAT16
#      bounds and the device's 16-bit conversions bit-exact with the host, copies, streams, leak test 10,000 + 1,000
#      calls, fault test) and the fake-driver tests (streams, events, staging, 16-bit GEMM types)
#   3. JUnit, every contraction, grad-sampler and nn suite on cuda:0 (-Deinsum4j.test.device=cuda:0 through UnderTest:
#      golden and property tests against the float64 oracle, FLOAT16/BFLOAT16 golden cases within their bounds,
#      no host copy inside a call; nn: NnDeviceTest, ModuleGradientTest, GradSampleModuleTest,
#      UserModuleTrainingTest: the modules' kernels (native/nn.cu) against the host, finite differences and
#      per-sample loops)
#   4. einsum4j contract / gradsample --backend cuda --json (CUDA-event time, peak device memory), and
#      train-demo --backend cuda (one epoch of the DP CNN on the GPU: loss, accuracy, ε, time per step; ≤ 60 s)
#   5. bench/gpu.sh (engineer "bench": gpu_shapes vs torch.einsum, the layer suite vs PyTorch) when present
set -uo pipefail
OUT=${OUT:-/tmp/einsum4j-gpu-out}
mkdir -p "$OUT"
work=$(mktemp -d)
logs=$work/logs
mkdir -p "$logs"
summary=$OUT/summary.txt
: > "$summary"
t0=$(date +%s)
# jqwik keeps its failure database under target/ (junit-platform.properties): make it there
mkdir -p target

step() { # name limit_s command...
  local name=$1 limit=$2; shift 2
  local s=$(date +%s)
  timeout "$limit" "$@" > "$logs/$name.log" 2>&1
  local rc=$?
  printf '%-22s rc=%-3s %4ss\n' "$name" "$rc" "$(( $(date +%s) - s ))" | tee -a "$summary"
}

nvidia-smi > "$logs/nvidia-smi.log" 2>&1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/gpu: /' \
  | tee -a "$summary"

if [ -x .device/kernel-check/kernel_check ]; then
  step kernel_check 90 .device/kernel-check/kernel_check .device/kernel-check/kernels.fatbin
else
  echo "kernel_check: not staged (run native/check/build-check.sh here first)" | tee -a "$summary"
fi

# the JUnit reports of each run go to their own folder (junit.sh writes to $OUT/junit)
step junit_cuda 150 env OUT="$work/cuda" bash .device/junit.sh --select-package org.einsum4j.cuda

suites=(org.einsum4j.ContractGoldenTest org.einsum4j.HalfContractTest org.einsum4j.ContractPropertyTest org.einsum4j.ContractRejectionPropertyTest
        org.einsum4j.EinsumTest org.einsum4j.BackendTest org.einsum4j.NoLeakTest
        org.einsum4j.path.EveryOptimizerContractTest org.einsum4j.plan.ExecutorTest
        org.einsum4j.plan.MultiplyStepTest org.einsum4j.plan.MultiplyStepPropertyTest
        org.einsum4j.gradsample.GoldenGradSampleTest org.einsum4j.gradsample.GradSamplePropertyTest
        org.einsum4j.gradsample.GradSampleRejectsTest org.einsum4j.gradsample.GradSamplerBehaviourTest
        org.einsum4j.nn.NnDeviceTest org.einsum4j.nn.ModuleGradientTest org.einsum4j.nn.GradSampleModuleTest
        org.einsum4j.nn.usermodule.UserModuleTrainingTest)
sel=()
for c in "${suites[@]}"; do sel+=(--select-class "$c"); done
if grep -q 'no CUDA device:' "$logs/junit_cuda.log"; then
  # every suite would only be skipped (rejection tests would even report the skip as a wrong exception)
  echo "junit_on_cuda0: skipped, CUDA cannot be used here (see junit_cuda.log)" | tee -a "$summary"
else
  step junit_on_cuda0 200 env OUT="$work/device" JAVA_TOOL_OPTIONS=-Deinsum4j.test.device=cuda:0 \
    bash .device/junit.sh "${sel[@]}"
fi

cli() { source .device/env.sh && java -cp "$CP" org.einsum4j.cli.Main "$@"; }
step cli_cuda 60 bash -c "$(declare -f cli); set -e
  cli contract 'bij,bjk->bik' 64x256x256 64x256x256 --backend cuda --repeat 20 --json
  cli contract 'ni,nj->nij' 1024x1024 1024x1024 --backend cuda --repeat 20 --json
  cli contract 'bij,bjk->bik' 64x256x256 64x256x256 --backend cuda --dtype float16 --repeat 20 --json
  cli contract 'bij,bjk->bik' 64x256x256 64x256x256 --backend cuda --dtype bfloat16 --repeat 20 --json
  cli gradsample Conv2d --B 64 --K 4 cin=16 cout=32 k=3 stride=1 pad=1 H=32 W=32 bias --backend cuda --json
  cli gradsample Embedding --B 32 --K 2 T=64 V=30000 D=128 sparse --backend cuda --json"
left=$(( 540 - ($(date +%s) - t0) ))
if [ "$left" -gt 30 ]; then
  step cli_train_cuda $(( left < 60 ? left : 60 )) bash -c "$(declare -f cli); set -e
    cli train-demo --model cnn --epochs 1 --sigma 1 --K 2 --backend cuda --json"
else
  echo "cli_train_cuda: skipped, ${left}s left" | tee -a "$summary"
fi

if [ -f bench/gpu.sh ]; then
  left=$(( 540 - ($(date +%s) - t0) ))
  if [ "$left" -gt 60 ]; then
    step bench_gpu "$left" env OUT="$work/bench" bash bench/gpu.sh --quick
    cp -r "$work/bench" "$logs/bench" 2>/dev/null || true
  else
    echo "bench_gpu: skipped, ${left}s left" | tee -a "$summary"
  fi
else
  echo "bench_gpu: bench/gpu.sh not in this tree" | tee -a "$summary"
fi

for r in cuda device; do
  [ -d "$work/$r/junit" ] && cp -r "$work/$r/junit" "$logs/junit-$r"
done
{
  echo "--- JUnit totals"
  for f in junit_cuda junit_on_cuda0; do
    echo "$f: $(grep -E 'tests (successful|failed|aborted|skipped)' "$logs/$f.log" 2>/dev/null | tr -s ' []' ' ' | paste -sd,)"
  done
  echo "--- failures (first 40 lines)"
  grep -h -E '✘' "$logs"/junit_*.log 2>/dev/null | cut -c1-300 | head -40
  echo "--- CLI on CUDA"
  grep -h '^{' "$logs/cli_cuda.log" 2>/dev/null | cut -c1-400
  echo "--- train-demo on CUDA (last lines)"
  tail -n 12 "$logs/cli_train_cuda.log" 2>/dev/null | cut -c1-300
  echo "--- kernel_check tail"
  tail -n 25 "$logs/kernel_check.log" 2>/dev/null
  echo "--- CudaDeviceTest output"
  grep -h -E '^(CUDA device:|FLOAT32 |FLOAT16 |BFLOAT16 |512³ GEMM|leak test:|fault test:)' "$logs/junit_cuda.log" 2>/dev/null | sort -u
  grep -h -E 'conversions on the device' "$logs/junit_cuda.log" 2>/dev/null | sort -u
  grep -h -E '(FLOAT16|BFLOAT16): [0-9]+ golden cases' "$logs/junit_on_cuda0.log" 2>/dev/null | sort -u
  grep -h -m1 -o 'no CUDA device: .\{0,300\}' "$logs/junit_cuda.log" 2>/dev/null
  echo "total $(( $(date +%s) - t0 ))s"
} >> "$summary"
tar -C "$work" -czf "$OUT/gpu-logs.tar.gz" logs
cat "$summary"
