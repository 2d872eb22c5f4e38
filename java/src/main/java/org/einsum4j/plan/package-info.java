/**
 * Compiled contraction plans: a contraction and its path (from {@code path}) lowered once to a {@link
 * org.einsum4j.plan.Plan} of steps — operand views as strides, pre-step sums, batched GEMMs with their label groups,
 * copies and r-splits, broadcast products (element-wise, broadcast, Hadamard-and-reduce), the final permutation —
 * with workspace and peak sizes and each intermediate's last use; then run many times with nothing derived per call
 * ({@code Lowering} decides, {@code Plan} runs, {@code Executor} compiles and runs once).
 *
 * <p>May use: {@code spec} (the bound contraction), {@code path} (the path and its per-step kept labels),
 * {@code tensor} (shapes, views, dtypes; no raw memory) and the {@link org.einsum4j.Backend} interface, through
 * which every allocation, copy, sum, product and GEMM goes. Must not use: {@code cpu} or any other backend
 * implementation, {@code Memory} or addresses, {@code gradsample}, {@code cli}.
 */
package org.einsum4j.plan;
