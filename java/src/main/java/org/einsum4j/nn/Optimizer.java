package org.einsum4j.nn;

import java.util.HashMap;
import java.util.Map;
import org.einsum4j.Backend;
import org.einsum4j.tensor.Tensor;

/**
 * A first-order update of parameters from their gradients (for DP training: the clipped, noised mean gradient
 * of {@link DpOptimizer}). Implementations keep their state (momenta) per parameter.
 */
public interface Optimizer {

    /** Updates every parameter that has a gradient in {@code gradients}, at learning rate {@code lr}. */
    void step(Map<Parameter, Tensor> gradients, double lr);

    /** SGD with heavy-ball momentum {@code μ} ({@code v ← μv + g; θ ← θ − lr·v}); μ = 0 is plain SGD. */
    static Optimizer sgd(double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new NnException("SGD momentum must be in [0, 1), got " + momentum);
        }
        Map<Parameter, Tensor> velocity = new HashMap<>();
        return (gradients, lr) -> gradients.forEach((p, g) -> {
            NnKernels k = NnKernels.of(g);
            Tensor step = g;
            if (momentum > 0) {
                Tensor v = velocity.get(p);
                Tensor nv = v == null ? g.copy() : k.axpy(g, momentum, v);
                if (v != null) {
                    v.close();
                }
                velocity.put(p, nv);
                step = nv;
            }
            p.setValue(k.axpy(p.value(), -lr, step));
        });
    }

    /** Adam (Kingma, Ba 2015) with bias correction; DP-Adam when fed the noised gradient. */
    static Optimizer adam(double beta1, double beta2, double eps) {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0)) {
            throw new NnException("Adam needs beta1, beta2 in [0, 1) and eps > 0, got " + beta1 + ", " + beta2 + ", "
                    + eps);
        }
        Map<Parameter, Tensor[]> moments = new HashMap<>();
        Map<Parameter, Long> steps = new HashMap<>();
        return (gradients, lr) -> gradients.forEach((p, g) -> {
            Tensor[] mv = moments.computeIfAbsent(p, q -> new Tensor[] {
                Backend.forDevice(g.device()).zeros(g.dtype(), p.dims()),
                Backend.forDevice(g.device()).zeros(g.dtype(), p.dims())});
            long t = steps.merge(p, 1L, Long::sum);
            Tensor[] r = NnKernels.of(g).adam(p.value(), g, mv[0], mv[1], lr, beta1, beta2, eps, t);
            mv[0].close();
            mv[1].close();
            mv[0] = r[1];
            mv[1] = r[2];
            p.setValue(r[0]);
        });
    }
}
