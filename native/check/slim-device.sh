#!/usr/bin/env bash
# Shrinks .device/ (made by ../shared/tools/device-prep.sh) under the device tool's 64 MiB limit for what travels:
# drops the shaded CLI jar and every jar whose classes are all inside the shaded benchmarks.jar (which bench/gpu.sh
# needs and which holds einsum4j, JavaCPP, OpenBLAS and CUDA with their natives), and ArchUnit (not run there).
# Without benchmarks.jar (bench/ not built) it keeps the thin jars and drops only the CLI jar.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
lib=$root/.device/lib
[ -d "$lib" ] || { echo "slim-device: $lib missing: run ../shared/tools/device-prep.sh first" >&2; exit 1; }
rm -f "$lib/einsum4j.jar"
if [ -f "$lib/benchmarks.jar" ]; then
  inside=$(mktemp)
  unzip -Z1 "$lib/benchmarks.jar" | sort -u > "$inside"
  for j in "$lib"/*.jar; do
    [ "$(basename "$j")" = benchmarks.jar ] && continue
    missing=$( { unzip -Z1 "$j" | grep -v -e '/$' -e '^META-INF/' || true; } | sort -u | comm -23 - "$inside" | wc -l)
    [ "$missing" -eq 0 ] && rm -f "$j"
  done
  rm -f "$inside"
fi
# test-only libraries of suites that do not run there (architecture rules, fuzzing)
rm -f "$lib"/archunit*.jar "$lib"/jazzer*.jar
du -sh "$root/.device" | sed 's/^/slimmed: /'
