/**
 * The DP-SGD step on top of the grad samplers (ALGORITHMS.md §5): {@link org.einsum4j.dp.DpStep} takes each
 * layer's activations and backprops ({@link org.einsum4j.dp.LayerBatch}) and returns the clipped, noised gradient
 * and the per-sample norms ({@link org.einsum4j.dp.DpResult}). Norms come from {@link org.einsum4j.dp.GhostNorm}s
 * (registered per layer kind in a {@link org.einsum4j.dp.GhostNormRegistry}) or from materialized per-sample
 * gradients ({@link org.einsum4j.dp.PerSampleNorms}); {@link org.einsum4j.dp.Clipping} and
 * {@link org.einsum4j.dp.GaussianNoise} are the other two parts of a step, and
 * {@link org.einsum4j.dp.RdpAccountant} says what the steps cost in privacy.
 *
 * <p>Memory is touched only through {@link org.einsum4j.Einsum#contract} and the public Tensor API, so every
 * backend that the contraction engine reaches runs the step; the {@code [B]} norm and clip-factor vectors are read
 * to the host (B values), and the noise is drawn and added on the host (one parameter-sized copy each way).
 */
package org.einsum4j.dp;
