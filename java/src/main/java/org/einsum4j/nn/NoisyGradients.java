package org.einsum4j.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.security.SecureRandom;
import org.einsum4j.Einsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * The clipped, noised mean gradient of one step, from the captures of a {@link GradSampleModule}: per-sample
 * gradients materialized by the grad samplers, flat norms over all parameters ({@code na,na->n}), clip factors
 * {@code min(1, C/(‖G_n‖ + 1e-6))}, the clipped sum as one weighted contraction per parameter ({@code na,n->a}),
 * noise {@code N(0, (σC)²)}, all divided by the expected batch size.
 */
class NoisyGradients {
    final Random random;
    final double sigma;
    final double clip;
    final double expectedBatch;

    record Result(Map<Parameter, Tensor> gradients, double[] norms) {
    }

    NoisyGradients(Long seed, double sigma, double clip, double expectedBatch) {
        this.random = seed == null ? new SecureRandom() : new Random(seed);
        this.sigma = sigma;
        this.clip = clip;
        this.expectedBatch = expectedBatch;
    }

    static NoisyGradients create(boolean ghost, Long seed, double sigma, double clip, double expectedBatch) {
        if (ghost) {
            throw new NnException("ghost clipping needs the dp package's DpStep (not merged yet)");
        }
        return new NoisyGradients(seed, sigma, clip, expectedBatch);
    }

    Result compute(GradSampleModule module) {
        Map<Parameter, Tensor> perSample = module.perSampleGradients();
        try {
            int b = module.samples();
            double[] sq = new double[b];
            for (Tensor g : perSample.values()) {
                try (Tensor n = Einsum.contract("na,na->n", g.reshape(b, (int) (g.numel() / b)),
                        g.reshape(b, (int) (g.numel() / b)))) {
                    double[] v = n.toDoubleArray();
                    for (int i = 0; i < b; i++) {
                        sq[i] += v[i];
                    }
                }
            }
            double[] norms = new double[b];
            double[] factors = new double[b];
            for (int i = 0; i < b; i++) {
                norms[i] = Math.sqrt(sq[i]);
                factors[i] = Math.min(1, clip / (norms[i] + 1e-6)) / expectedBatch;
            }
            Map<Parameter, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<Parameter, Tensor> e : perSample.entrySet()) {
                Tensor g = e.getValue();
                int a = (int) (g.numel() / b);
                try (Tensor c = CpuNnKernels.out(factors, g.dtype(), b);
                     Tensor sum = Einsum.contract("na,n->a", g.reshape(b, a), c);
                     Tensor noise = noise(g.dtype(), e.getKey().dims())) {
                    out.put(e.getKey(), NnKernels.of(g).axpy(sum.reshape(e.getKey().dims()), 1, noise));
                }
            }
            return new Result(out, norms);
        } finally {
            perSample.values().forEach(Tensor::close);
        }
    }

    private Tensor noise(DType dtype, int[] dims) {
        return CpuNnKernels.INSTANCE.gaussian(dtype, dims, sigma * clip / expectedBatch, random);
    }

    Result noiseOnly(List<Parameter> params) {
        Map<Parameter, Tensor> out = new LinkedHashMap<>();
        for (Parameter p : params) {
            out.put(p, NnKernels.of(p.value()).gaussian(p.value().dtype(), p.dims(), sigma * clip / expectedBatch,
                    random));
        }
        return new Result(out, new double[0]);
    }
}
