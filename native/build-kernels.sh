#!/usr/bin/env bash
# Builds native/*.cu into one kernels.fatbin with CMake + nvcc, for the Maven build (java/pom.xml runs it in
# generate-resources). Without nvcc on the PATH it prints one line and succeeds: the jar then has no kernels and
# the CUDA backend reports that they were not built.
#
# Usage: native/build-kernels.sh OUTPUT_FATBIN BUILD_DIR
set -euo pipefail

out="${1:?usage: build-kernels.sh OUTPUT_FATBIN BUILD_DIR}"
build="${2:?usage: build-kernels.sh OUTPUT_FATBIN BUILD_DIR}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v nvcc >/dev/null 2>&1; then
  echo "einsum4j: nvcc not found on PATH, skipping CUDA kernels (kernels.fatbin not built)"
  # a stale fatbin from an earlier build with nvcc must not be packed by this one
  rm -f "$out"
  exit 0
fi
if ! command -v cmake >/dev/null 2>&1; then
  echo "einsum4j: error: nvcc is on the PATH but cmake is not; install cmake >= 3.25 to build the CUDA kernels" >&2
  exit 1
fi

echo "einsum4j: building CUDA kernels with $(command -v nvcc) into $out"
cmake -S "$src" -B "$build" -DEINSUM4J_FATBIN_OUTPUT="$out" -DEINSUM4J_NVCC="$(command -v nvcc)" >"$build.log" 2>&1 \
  || { cat "$build.log" >&2; echo "einsum4j: error: cmake configure failed (log above)" >&2; exit 1; }
cmake --build "$build" >>"$build.log" 2>&1 \
  || { cat "$build.log" >&2; echo "einsum4j: error: building kernels.fatbin failed (log above)" >&2; exit 1; }
echo "einsum4j: built $out ($(wc -c <"$out") bytes)"
