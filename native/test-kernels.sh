#!/usr/bin/env bash
# Builds and runs the host test harness of the CUDA kernels (native/test/harness.cu): every kernel's
# __host__ __device__ thread function over a simulated grid against a reference loop, no GPU needed. The Maven
# build runs it before the unit tests (java/pom.xml, process-test-classes), and leaves the binary at
# BUILD_DIR/kernel_harness for the JUnit comparison with the Java im2col (org.einsum4j.gradsample.KernelHarnessTest).
# Without nvcc on the PATH it prints one line and succeeds. A mismatch fails the build.
#
# Usage: native/test-kernels.sh BUILD_DIR [SEED]
set -euo pipefail

build="${1:?usage: test-kernels.sh BUILD_DIR [SEED]}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/test"

if ! command -v nvcc >/dev/null 2>&1; then
  echo "einsum4j: nvcc not found on PATH, skipping the kernel harness (host tests of native/*.cuh not built or run)"
  rm -f "$build/kernel_harness" "$build/nn_harness"
  exit 0
fi
if ! command -v cmake >/dev/null 2>&1; then
  echo "einsum4j: error: nvcc is on the PATH but cmake is not; install cmake >= 3.25 to build the kernel harness" >&2
  exit 1
fi

mkdir -p "$build"
log="$build/build.log"
cmake -S "$src" -B "$build" -DCMAKE_CUDA_COMPILER="$(command -v nvcc)" >"$log" 2>&1 \
  || { cat "$log" >&2; echo "einsum4j: error: cmake configure of the kernel harness failed (log above)" >&2; exit 1; }
cmake --build "$build" >>"$log" 2>&1 \
  || { cat "$log" >&2; echo "einsum4j: error: building the kernel harness failed (log above)" >&2; exit 1; }
"$build/kernel_harness" ${2:+"$2"}
"$build/nn_harness"
