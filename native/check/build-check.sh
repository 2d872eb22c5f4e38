#!/usr/bin/env bash
# Stages the GPU smoke test of the kernels into OUTDIR (default .device/kernel-check, ignored by git): the
# kernels.fatbin built from native/*.cu and the kernel_check binary (needs nvcc, g++ and CUDA's cuda.h here; no GPU).
# Then, on a GPU machine: OUTDIR/kernel_check OUTDIR/kernels.fatbin   (prints ok/FAIL per kernel and a timing)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/.device/kernel-check}"
mkdir -p "$out"
"$root/native/build-kernels.sh" "$out/kernels.fatbin" "$out/build"
cuda_include="${CUDA_HOME:-/usr/local/cuda}/include"
[ -f "$cuda_include/cuda.h" ] || cuda_include="$(dirname "$(readlink -f "$(command -v nvcc)")")/../include"
g++ -O2 -std=c++17 -Wall -static-libstdc++ -static-libgcc -I"$cuda_include" \
  "$root/native/check/kernel_check.cpp" -ldl -o "$out/kernel_check"
rm -rf "$out/build" "$out/build.log"
echo "staged $out: run $out/kernel_check $out/kernels.fatbin on a GPU machine"
