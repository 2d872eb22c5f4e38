/**
 * The CUDA backend: {@code cuda:N} devices through JavaCPP's CUDA 13 bindings (driver API and cuBLAS) and
 * einsum4j's own kernels (native/*.cu, launch contract in native/KERNELS.md), registered as a
 * {@link org.einsum4j.BackendProvider} for device type {@code cuda}.
 *
 * <p>Layers: {@code CudaDriver} is the thin interface to the GPU (memory, copies, modules, launches, cuBLAS,
 * streams, events) with {@code JavaCppDriver} as the real implementation and a recording fake in the tests;
 * {@code CudaAllocator} caches device blocks per stream; {@code CudaBackend} and {@code CudaSamplerKernels} map the
 * device-neutral {@link org.einsum4j.Backend} and {@link org.einsum4j.gradsample.SamplerKernels} onto launches and
 * strided-batched GEMMs. Public here: {@link org.einsum4j.cuda.Cuda} (allocator figures, {@code emptyCache}, TF32
 * opt-in, streams, event timing), {@link org.einsum4j.cuda.CudaStream}, the exceptions, {@link
 * org.einsum4j.cuda.Kernels} and the provider; the rest is package-private.
 */
package org.einsum4j.cuda;
