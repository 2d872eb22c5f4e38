package org.einsum4j.nn;

/** The learning rate at each optimizer step (counted from 0). */
@FunctionalInterface
public interface LearningRateSchedule {
    double at(long step);

    static LearningRateSchedule constant(double lr) {
        positive(lr);
        return step -> lr;
    }

    /** Cosine decay from {@code lr} to 0 over {@code totalSteps} (Loshchilov, Hutter 2017, no restarts). */
    static LearningRateSchedule cosine(double lr, long totalSteps) {
        positive(lr);
        if (totalSteps < 1) {
            throw new NnException("cosine schedule needs total steps >= 1, got " + totalSteps);
        }
        return step -> 0.5 * lr * (1 + Math.cos(Math.PI * Math.min(step, totalSteps) / totalSteps));
    }

    /** {@code lr·factor^⌊step/every⌋}. */
    static LearningRateSchedule stepDecay(double lr, double factor, long every) {
        positive(lr);
        if (!(factor > 0 && factor <= 1) || every < 1) {
            throw new NnException("step decay needs factor in (0, 1] and every >= 1, got " + factor + ", " + every);
        }
        return step -> lr * Math.pow(factor, step / every);
    }

    private static void positive(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new NnException("learning rate must be a positive number, got " + lr);
        }
    }
}
