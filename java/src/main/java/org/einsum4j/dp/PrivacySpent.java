package org.einsum4j.dp;

/**
 * The (ε, δ) guarantee an RDP accountant reports: ε for the δ asked for, and the Rényi order α at which the
 * conversion from RDP to (ε, δ) was tightest (Opacus's {@code best_alpha}). {@code epsilon} is
 * {@link Double#POSITIVE_INFINITY} (and {@code bestOrder} NaN) when the mechanism gives no privacy (σ = 0).
 */
public record PrivacySpent(double epsilon, double bestOrder, double delta) {
}
