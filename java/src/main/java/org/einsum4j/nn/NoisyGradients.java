package org.einsum4j.nn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.dp.DpResult;
import org.einsum4j.dp.DpStep;
import org.einsum4j.dp.GaussianNoise;
import org.einsum4j.dp.LayerBatch;
import org.einsum4j.dp.NormMode;
import org.einsum4j.tensor.Tensor;

/**
 * The clipped, noised mean gradient of one step: the captures of a {@link GradSampleModule} handed to the dp
 * package's {@link DpStep} (flat clipping at C, noise {@code N(0, (σC)²)}, division by the expected batch size),
 * its results keyed back to the model's parameters. Layers are named by their index in the {@link Sequential}, so
 * the step's {@code 3.weight} is the parameter {@code 3.weight}.
 */
final class NoisyGradients {
    private final double sigma;
    private final double clip;
    private final double expectedBatch;
    private final NormMode mode;
    private final GaussianNoise noise;
    private final Map<Integer, DpStep> steps = new HashMap<>();

    record Result(Map<Parameter, Tensor> gradients, double[] norms) {
    }

    NoisyGradients(Long seed, double sigma, double clip, double expectedBatch, NormMode mode) {
        this.noise = seed == null ? GaussianNoise.secure() : GaussianNoise.seeded(seed);
        this.sigma = sigma;
        this.clip = clip;
        this.expectedBatch = expectedBatch;
        this.mode = mode;
    }

    /** One DpStep per K (immutable; the module's K reduction is always MEAN). */
    private DpStep step(GradSampleModule module) {
        return steps.computeIfAbsent(module.multiplicity(), k -> DpStep.builder().maxGradNorm(clip)
                .noiseMultiplier(sigma).noise(noise).multiplicity(k).kReduction(module.reduction())
                .meanLoss(expectedBatch).normMode(mode).build());
    }

    Result compute(GradSampleModule module) {
        List<LayerBatch> layers = new ArrayList<>();
        Map<String, Parameter> byName = new HashMap<>();
        List<Module> ms = module.model().modules();
        for (int i = 0; i < ms.size(); i++) {
            Module m = ms.get(i);
            if (m.layer().isEmpty()) {
                continue;
            }
            if (m.capturedInput() == null || m.capturedGradOut() == null) {
                throw new NnException(m + ": no activations or backprops captured (run forward and backward first)");
            }
            layers.add(LayerBatch.of(Integer.toString(i), m.layer().get(), m.capturedInput(), m.capturedGradOut()));
            for (Parameter p : m.parameters()) {
                byName.put(p.name(), p);
            }
        }
        try (DpResult r = step(module).run(layers)) {
            Map<Parameter, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : r.gradients().entrySet()) {
                Parameter p = byName.get(e.getKey());
                if (p == null) {
                    throw new NnException("DP step returned a gradient for unknown parameter " + e.getKey());
                }
                out.put(p, e.getValue().copy());
            }
            return new Result(out, r.norms().flat().clone());
        }
    }
}
