/**
 * Per-sample gradients with augmentation multiplicity K: one file per built-in layer kind ({@code <Kind>Layer.java}:
 * the layer record and its package-private sampler; {@code EmbeddingSampler} keeps its own public file for its
 * sparse API), the registry and {@link org.einsum4j.gradsample.GradSampler}, and
 * {@link org.einsum4j.gradsample.SamplerKernels}, the device-neutral interface of the kernels that are not
 * contractions. Samplers compute only through {@code SampleKernels} (contractions via {@link org.einsum4j.Einsum},
 * kernels via the operands' backend), so they run unchanged on every device. May use the facade,
 * {@code Backend} and {@code tensor}; never raw memory or an implementation package.
 */
package org.einsum4j.gradsample;
