package org.einsum4j.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.einsum4j.dp.NormMode;
import org.einsum4j.dp.PrivacySpent;
import org.einsum4j.dp.RdpAccountant;
import org.einsum4j.tensor.Tensor;

/**
 * DP-SGD (Abadi et al. 2016) and DP-Adam: after a backward pass of a {@link GradSampleModule}, each sample's
 * gradient (the mean over its K augmented copies) is clipped to norm C, the clipped gradients are summed, Gaussian
 * noise {@code N(0, (σC)²)} is added per coordinate, and the sum is divided by the sampler's expected batch size
 * {@code q·N} (B distinct samples, not B·K, and never the realized size); the inner {@link Optimizer} then takes the
 * step. An empty Poisson batch still takes a step of pure noise. Every step is recorded in an RDP accountant at
 * (σ, q), so {@link #spent(double)} gives ε after any number of steps.
 */
public final class DpOptimizer {
    private final Sequential model;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final double noiseMultiplier;
    private final double maxGradNorm;
    private final double sampleRate;
    private final double expectedBatchSize;
    private final NoisyGradients noisy;
    private final RdpAccountant accountant = new RdpAccountant();
    private long steps;

    /** What one step did: samples B, the mean and largest per-sample norm before clipping, the fraction clipped. */
    public record StepStats(int samples, double meanNorm, double maxNorm, double clippedFraction, double lr) {
    }

    private DpOptimizer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.schedule = b.schedule;
        this.noiseMultiplier = b.sigma;
        this.maxGradNorm = b.clip;
        this.sampleRate = b.sampler.rate();
        this.expectedBatchSize = b.sampler.expectedBatchSize();
        this.noisy = new NoisyGradients(b.noiseSeed, b.sigma, b.clip, expectedBatchSize, b.mode);
    }

    public static Builder builder(Sequential model) {
        return new Builder(model);
    }

    public double noiseMultiplier() {
        return noiseMultiplier;
    }

    public double maxGradNorm() {
        return maxGradNorm;
    }

    public long steps() {
        return steps;
    }

    /**
     * One step on what {@code module}'s last forward and backward passes captured (B distinct examples,
     * {@code B·K} rows). An empty Poisson batch is a pass over zero rows: the step is then pure noise.
     */
    public StepStats step(GradSampleModule module) {
        if (module.model() != model) {
            throw new NnException("the GradSampleModule wraps another model than this optimizer's");
        }
        double lr = schedule.at(steps);
        NoisyGradients.Result r = noisy.compute(module);
        int samples = r.norms().length;
        try {
            Map<Parameter, Tensor> grads = new LinkedHashMap<>(r.gradients());
            optimizer.step(grads, lr);
        } finally {
            r.gradients().values().forEach(Tensor::close);
        }
        accountant.step(noiseMultiplier, sampleRate);
        steps++;
        double[] norms = r.norms();
        double sum = 0;
        double max = 0;
        int clipped = 0;
        for (double n : norms) {
            sum += n;
            max = Math.max(max, n);
            clipped += n > maxGradNorm ? 1 : 0;
        }
        return new StepStats(samples, norms.length == 0 ? 0 : sum / norms.length, max,
                norms.length == 0 ? 0 : (double) clipped / norms.length, lr);
    }

    /** ε at δ (and the best Rényi order) after the steps taken so far. */
    public PrivacySpent spent(double delta) {
        return accountant.spent(delta);
    }

    /** Options of a {@link DpOptimizer}; σ, C and the sampler are required. */
    public static final class Builder {
        private final Sequential model;
        private Optimizer optimizer = Optimizer.sgd(0);
        private LearningRateSchedule schedule = LearningRateSchedule.constant(0.1);
        private double sigma = Double.NaN;
        private double clip = Double.NaN;
        private PoissonSampler sampler;
        private Long noiseSeed;
        private NormMode mode = NormMode.MATERIALIZED;

        private Builder(Sequential model) {
            if (model == null) {
                throw new NnException("model is null");
            }
            this.model = model;
        }

        public Builder optimizer(Optimizer o) {
            this.optimizer = o;
            return this;
        }

        public Builder learningRate(LearningRateSchedule s) {
            this.schedule = s;
            return this;
        }

        public Builder noiseMultiplier(double s) {
            if (!(s >= 0) || Double.isInfinite(s)) {
                throw new NnException("noise multiplier σ must be a number >= 0, got " + s);
            }
            this.sigma = s;
            return this;
        }

        public Builder maxGradNorm(double c) {
            if (!(c > 0) || Double.isInfinite(c)) {
                throw new NnException("clipping threshold C must be a positive number, got " + c);
            }
            this.clip = c;
            return this;
        }

        public Builder sampler(PoissonSampler s) {
            this.sampler = s;
            return this;
        }

        /** Reproducible noise from this seed (for experiments and tests); without it, noise from SecureRandom. */
        public Builder noiseSeed(long seed) {
            this.noiseSeed = seed;
            return this;
        }

        /**
         * How per-sample norms are found (default {@link NormMode#MATERIALIZED}): {@link NormMode#GHOST} clips
         * without per-sample gradient tensors, {@link NormMode#AUTO} lets the cost model choose per layer.
         */
        public Builder normMode(NormMode m) {
            if (m == null) {
                throw new NnException("norm mode is null");
            }
            this.mode = m;
            return this;
        }

        public DpOptimizer build() {
            if (Double.isNaN(sigma) || Double.isNaN(clip) || sampler == null) {
                throw new NnException("DP optimizer needs the noise multiplier, the clipping threshold and the"
                        + " Poisson sampler");
            }
            if (optimizer == null || schedule == null) {
                throw new NnException("optimizer and learning-rate schedule must not be null");
            }
            return new DpOptimizer(this);
        }
    }
}
