/**
 * Contraction path planning, as opt_einsum does it and with its cost model (ALGORITHMS.md §1–2).
 *
 * <ul>
 *   <li>{@link org.einsum4j.path.Planner#plan(org.einsum4j.spec.Contraction, org.einsum4j.ContractOptions)} —
 *       the entry point: a bound contraction and options in, a {@link org.einsum4j.path.PathInfo} out.</li>
 *   <li>{@link org.einsum4j.path.PathOptimizer} — the one optimizer signature
 *       {@code (inputs, output, sizes, memoryLimit) → path} on integer label ids; built-ins by name from
 *       {@link org.einsum4j.path.PathOptimizers} (optimal, branch-all/2/1, greedy, random-greedy(-128), dp with
 *       its objectives, auto, auto-hq), user optimizers registered there or passed in ContractOptions.</li>
 *   <li>{@link org.einsum4j.path.PathInfo} — opt_einsum's report and printed table, exact integer costs, and the
 *       per-step data an executor needs; {@link org.einsum4j.path.BlasClass} — opt_einsum's can_blas.</li>
 * </ul>
 *
 * <p>Internally the exhaustive searches work on 64-bit label masks (labels on the same operands merged into one
 * class, which is exact for this cost model) with saturating {@code long} costs; greedy works on label sets of
 * any size. Reports recompute every cost exactly with {@link java.math.BigInteger}.
 */
package org.einsum4j.path;
