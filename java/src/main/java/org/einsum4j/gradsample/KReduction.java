package org.einsum4j.gradsample;

/**
 * How a sample's K augmented copies combine into its per-sample gradient.
 *
 * <ul>
 *   <li>{@link #SUM}: the sum over the K copies (the seed's K-folded contraction; the default, and plain Opacus
 *       when K = 1);</li>
 *   <li>{@link #MEAN}: the sum divided by K (jax_privacy's and TAN's per-sample gradient when the backprops come
 *       from a per-row loss).</li>
 * </ul>
 */
public enum KReduction {
    SUM,
    MEAN
}
