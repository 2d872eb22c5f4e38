/**
 * DP training end to end on einsum4j's contractions: a {@link org.einsum4j.nn.Sequential} of modules whose forward
 * and backward passes are {@code Einsum.contract} calls plus a small element-wise kernel interface, a
 * {@link org.einsum4j.nn.GradSampleModule} (Opacus's {@code GradSampleModuleAugmented}) that hands each layer's
 * activations and backprops, with the augmentation multiplicity K, to the grad samplers or the ghost norms,
 * {@link org.einsum4j.nn.PoissonSampler Poisson sampling}, K augmented copies per example
 * ({@link org.einsum4j.nn.Dataset#batch}), and {@link org.einsum4j.nn.DpOptimizer DP-SGD / DP-Adam} with the RDP
 * accountant.
 *
 * <pre>{@code
 * Dataset.Split data = Digits.load().split(0.8, 1);
 * Sequential model = new Sequential(Conv.conv2d(1, 16, 3, 1, 1, DType.FLOAT32, 1), Activation.relu(),
 *         Pool2d.max(2), new Flatten(), new Linear(256, 10, 2));
 * PoissonSampler sampler = new PoissonSampler(128.0 / data.train().size(), data.train().size(), 3);
 * DpOptimizer opt = DpOptimizer.builder(model).optimizer(Optimizer.sgd(0.9))
 *         .learningRate(LearningRateSchedule.constant(0.5)).noiseMultiplier(1.5).maxGradNorm(1.0)
 *         .sampler(sampler).build();
 * GradSampleModule gsm = new GradSampleModule(model, 4);                    // K = 4
 * SplittableRandom random = new SplittableRandom(2);
 * for (int step = 0; step < 10; step++) {
 *     try (Dataset.Batch b = data.train().batch(sampler.next(), 4, Augmentation.shift(1), random)) {
 *         Tensor logits = gsm.forward(b.inputs());                          // [B·K, 10]
 *         try (Loss.Result r = Loss.crossEntropy().evaluate(logits, b.labels())) {
 *             gsm.backward(r.gradient());                                   // per-row loss gradients
 *         }
 *         opt.step(gsm);                                                    // clip, sum, noise, / (q·N), update
 *     } finally {
 *         model.release();
 *     }
 * }
 * double epsilon = opt.spent(1e-5).epsilon();
 * }</pre>
 *
 * Element-wise work goes through {@link org.einsum4j.nn.NnKernels}, which every backend supplies
 * ({@code Backend.nnKernels()}), and the linear maps are contractions, so a model moved with
 * {@link org.einsum4j.nn.Sequential#to} trains on that device without copying tensors to the host (only the
 * batches, made on the host, are copied over). {@code einsum4j train-demo [--backend cuda]} is this loop on the
 * bundled digits. Users add modules by extending {@link org.einsum4j.nn.Module}.
 */
package org.einsum4j.nn;
