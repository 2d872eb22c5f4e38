package org.einsum4j.nn;

import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/** Mean loss and accuracy of a classifier over a data set, in evaluation mode (no dropout, nothing captured). */
public record Evaluation(double loss, double accuracy, int examples) {

    /** Runs {@code model} over {@code data} in chunks of {@code chunk} rows. */
    public static Evaluation of(Sequential model, Dataset data, Loss loss, int chunk) {
        if (chunk < 1) {
            throw new NnException("evaluation chunk must be >= 1, got " + chunk);
        }
        double lossSum = 0;
        long correct = 0;
        for (int from = 0; from < data.size(); from += chunk) {
            int to = Math.min(data.size(), from + chunk);
            Device device = model.device();
            try (Dataset.Batch h = data.range(from, to); Dataset.Batch b = device.isHost() ? h : h.to(device)) {
                Tensor out = model.forward(b.inputs(), false);
                try (Loss.Result r = loss.evaluate(out, b.labels())) {
                    for (double v : r.rowLosses()) {
                        lossSum += v;
                    }
                }
                long[] pred;
                try (Tensor p = NnKernels.of(out).argmaxRows(out)) {
                    pred = p.toLongArray();
                }
                long[] y = h.labels().toLongArray(); // the host batch: no copy back from the device
                for (int i = 0; i < y.length; i++) {
                    correct += pred[i] == y[i] ? 1 : 0;
                }
            } finally {
                model.release();
            }
        }
        int n = data.size();
        return new Evaluation(n == 0 ? 0 : lossSum / n, n == 0 ? 0 : (double) correct / n, n);
    }
}
