package org.einsum4j.nn;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/**
 * Labelled examples held on the heap: {@code size()} rows of {@code rowShape} floats and an int class label each.
 * Makes batches of {@code B·K} rows (each chosen example expanded to K augmented copies, sample-major) as tensors.
 */
public final class Dataset {
    private final float[] data;
    private final int[] labels;
    private final int[] rowShape;
    private final int rowSize;
    private final int classes;

    /** {@code data} holds {@code labels.length} rows of {@code rowShape}; labels lie in {@code [0, classes)}. */
    public Dataset(float[] data, int[] labels, int[] rowShape, int classes) {
        int rs = 1;
        for (int d : rowShape) {
            if (d < 1) {
                throw new NnException("row shape " + Arrays.toString(rowShape) + " has a size < 1");
            }
            rs *= d;
        }
        if ((long) rs * labels.length != data.length) {
            throw new NnException("dataset: " + data.length + " values are not " + labels.length + " rows of "
                    + Arrays.toString(rowShape));
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new NnException("dataset: label " + labels[i] + " of row " + i + " out of [0, " + classes + ")");
            }
        }
        this.data = data;
        this.labels = labels;
        this.rowShape = rowShape.clone();
        this.rowSize = rs;
        this.classes = classes;
    }

    public int size() {
        return labels.length;
    }

    public int classes() {
        return classes;
    }

    public int[] rowShape() {
        return rowShape.clone();
    }

    public int label(int i) {
        return labels[i];
    }

    /** A copy of row {@code i}. */
    public float[] row(int i) {
        return Arrays.copyOfRange(data, i * rowSize, (i + 1) * rowSize);
    }

    /** The rows at {@code indices}, in that order. */
    public Dataset subset(int[] indices) {
        float[] d = new float[indices.length * rowSize];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(data, indices[i] * rowSize, d, i * rowSize, rowSize);
            l[i] = labels[indices[i]];
        }
        return new Dataset(d, l, rowShape, classes);
    }

    /** A train/test split: a seeded shuffle, the first {@code round(trainFraction·size)} rows for training. */
    public Split split(double trainFraction, long seed) {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new NnException("train fraction must be in (0, 1), got " + trainFraction);
        }
        int[] p = new int[size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = p.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        int n = (int) Math.round(trainFraction * p.length);
        return new Split(subset(Arrays.copyOf(p, n)), subset(Arrays.copyOfRange(p, n, p.length)));
    }

    /** Training and test rows. */
    public record Split(Dataset train, Dataset test) {
    }

    /**
     * The examples at {@code indices}, each as K copies made by {@code augmentation} (rows {@code n·K … n·K+K−1}
     * are example n's), as FLOAT32 inputs {@code [B·K, *rowShape]} and INT64 labels {@code [B·K]}.
     */
    public Batch batch(int[] indices, int k, Augmentation augmentation, SplittableRandom random) {
        if (k < 1) {
            throw new NnException("augmentation multiplicity K must be >= 1, got " + k);
        }
        int rows = Math.multiplyExact(indices.length, k);
        float[] x = new float[Math.multiplyExact(rows, rowSize)];
        long[] y = new long[rows];
        for (int n = 0; n < indices.length; n++) {
            if (indices[n] < 0 || indices[n] >= size()) {
                throw new NnException("batch index " + indices[n] + " out of [0, " + size() + ")");
            }
            float[] row = row(indices[n]);
            for (int c = 0; c < k; c++) {
                float[] a = augmentation.apply(row, rowShape, random);
                System.arraycopy(a, 0, x, (n * k + c) * rowSize, rowSize);
                y[n * k + c] = labels[indices[n]];
            }
        }
        int[] dims = new int[rowShape.length + 1];
        dims[0] = rows;
        System.arraycopy(rowShape, 0, dims, 1, rowShape.length);
        return new Batch(Tensor.of(x, dims), Tensor.ofLongs(y, rows), indices.length);
    }

    /** All rows, unaugmented, from {@code from} to {@code to}: for evaluation. */
    public Batch range(int from, int to) {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return batch(idx, 1, Augmentation.identity(), new SplittableRandom(0));
    }

    /** Inputs {@code [B·K, …]}, labels {@code [B·K]} and the number of distinct examples B; closes both tensors. */
    public record Batch(Tensor inputs, Tensor labels, int samples) implements AutoCloseable {
        /** This batch's tensors copied to {@code device} (a new batch the caller closes; this one stays open). */
        public Batch to(Device device) {
            Tensor x = inputs.to(device);
            try {
                return new Batch(x, labels.to(device), samples);
            } catch (RuntimeException e) {
                x.close();
                throw e;
            }
        }

        @Override
        public void close() {
            inputs.close();
            labels.close();
        }
    }
}
