/**
 * Tensors and where their memory lives: {@link org.einsum4j.tensor.Tensor} (dtype, shape, strides, views),
 * {@link org.einsum4j.tensor.Device}, the sealed storage (host storage from {@code HostAllocator}, or a
 * backend's {@link org.einsum4j.tensor.DeviceStorage}), {@code .npy} files. Copies and conversions are the
 * device's backend's kernels ({@link org.einsum4j.Backend}); element access and Java arrays work on host
 * memory only and copy device tensors explicitly. Raw addresses leave this package only through
 * {@link org.einsum4j.tensor.HostAccess}, for {@code cpu} (an ArchUnit rule enforces it). May use JavaCPP for
 * host memory and the {@code Backend} interface; never {@code cpu}.
 */
package org.einsum4j.tensor;
