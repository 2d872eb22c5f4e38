/**
 * The CPU backend: OpenBLAS GEMM, Java kernels for copies, sums and the grad samplers' kernels, and
 * {@code Memory}, the only user of {@code Unsafe}. Registered through {@link org.einsum4j.cpu.CpuBackendProvider}
 * (ServiceLoader); everything else here is package-private. May use {@code tensor} (host tensors through
 * {@link org.einsum4j.tensor.HostAccess}), the {@code Backend} and {@code SamplerKernels} interfaces, JavaCPP
 * and OpenBLAS.
 */
package org.einsum4j.cpu;
