package org.einsum4j.dp;

/** How a DP step gets a layer's per-sample gradient norms. */
public enum NormMode {
    /** Ghost norms where the layer has them and the cost model says they are cheaper, else materialized. */
    AUTO,
    /** Ghost norms (no per-sample gradient tensor); an error for a layer without a registered {@link GhostNorm}. */
    GHOST,
    /** Materialize the per-sample gradients {@code [B, *param]} with the layer's grad sampler, take their norms. */
    MATERIALIZED
}
