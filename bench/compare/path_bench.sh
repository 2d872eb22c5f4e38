#!/usr/bin/env bash
# Path search: einsum4j (JMH, PathSearchBenchmark) and numpy.einsum_path on the same seeded networks, in one run.
# Usage: bash bench/compare/path_bench.sh [JMH options]   (default: -f 1 -wi 3 -i 5 -w 1 -r 1: 1 s iterations)
# Prints the comparison table (markdown) at the end; JMH results go to target/path-bench/*.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=bench/target/benchmarks.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests package
OUT=target/path-bench
mkdir -p "$OUT"
JMH_OPTS=("$@")
[ ${#JMH_OPTS[@]} -gt 0 ] || JMH_OPTS=(-f 1 -wi 3 -i 5 -w 1 -r 1)
java -cp "$JAR" org.einsum4j.bench.RandomNetworks "$OUT/networks.tsv"
# exhaustive optimizers only where they finish: optimal/branch-all to 12, branch-2/dp to 16
java -jar "$JAR" PathSearchBenchmark -p n=6,8,10,12 -p optimizer=optimal,branch-all "${JMH_OPTS[@]}" \
    -rf json -rff "$OUT/jmh_exhaustive.json"
java -jar "$JAR" PathSearchBenchmark -p n=6,8,10,12,16 -p optimizer=branch-2,dp "${JMH_OPTS[@]}" \
    -rf json -rff "$OUT/jmh_dp.json"
java -jar "$JAR" PathSearchBenchmark -p n=6,8,10,12,16,30,60 -p optimizer=greedy,random-greedy,auto,auto-hq \
    "${JMH_OPTS[@]}" -rf json -rff "$OUT/jmh_heuristic.json"
python3 bench/compare/numpy_path.py "$OUT/networks.tsv" "$OUT"/jmh_*.json | tee "$OUT/table.md"
