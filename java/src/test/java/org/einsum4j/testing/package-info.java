/**
 * Test support: the checked device ({@link org.einsum4j.testing.CheckedBackend}, registered for the tests
 * through ServiceLoader) and {@link org.einsum4j.testing.UnderTest}, which runs a contraction or grad-sampler
 * call on the device named by {@code einsum4j.test.device} and brings results back. May use the public API
 * and the CPU backend through {@code Backend.cpu()}.
 */
package org.einsum4j.testing;
