package org.einsum4j.path;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A network as single-word label masks, for the exhaustive searches (optimal, branch, dp). Labels that sit on
 * exactly the same operands (and equally in or out of the output) are merged into one label class whose size is
 * the product of theirs: every cost and size in the model is a product over a union of label sets, so this is
 * exact, and it keeps most networks within 64 classes.
 */
final class MaskNetwork {
    final long[] inputs;
    final long output;
    final long[] sizes;
    final int numClasses;
    /** Per class, the smallest size of the labels merged into it (dp's cost-cap increment needs it). */
    final long[] minLabelSize;

    private MaskNetwork(long[] inputs, long output, long[] sizes, int numClasses, long[] minLabelSize) {
        this.inputs = inputs;
        this.output = output;
        this.sizes = sizes;
        this.numClasses = numClasses;
        this.minLabelSize = minLabelSize;
    }

    /** The network as masks, or null when it has more than 64 label classes. */
    static MaskNetwork of(int[][] inputs, int[] output, long[] sizes) {
        int n = inputs.length;
        Map<BitSet, Integer> classOf = new HashMap<>();
        List<Long> classSizes = new ArrayList<>();
        List<Long> classMin = new ArrayList<>();
        int[] labelClass = new int[sizes.length];
        java.util.Arrays.fill(labelClass, -1);
        BitSet[] sig = new BitSet[sizes.length];
        for (int i = 0; i < n; i++) {
            for (int l : inputs[i]) {
                if (sig[l] == null) {
                    sig[l] = new BitSet(n + 1);
                }
                sig[l].set(i);
            }
        }
        for (int l : output) {
            if (sig[l] == null) {
                sig[l] = new BitSet(n + 1);
            }
            sig[l].set(n);
        }
        for (int l = 0; l < sizes.length; l++) {
            if (sig[l] == null) {
                continue;
            }
            Integer c = classOf.get(sig[l]);
            if (c == null) {
                c = classSizes.size();
                classOf.put(sig[l], c);
                classSizes.add(1L);
                classMin.add(Long.MAX_VALUE);
            }
            classSizes.set(c, Costs.mul(classSizes.get(c), sizes[l]));
            classMin.set(c, Math.min(classMin.get(c), sizes[l]));
            labelClass[l] = c;
        }
        if (classSizes.size() > 64) {
            return null;
        }
        long[] in = new long[n];
        for (int i = 0; i < n; i++) {
            for (int l : inputs[i]) {
                in[i] |= 1L << labelClass[l];
            }
        }
        long out = 0;
        for (int l : output) {
            out |= 1L << labelClass[l];
        }
        long[] cs = new long[classSizes.size()];
        long[] cm = new long[classSizes.size()];
        for (int c = 0; c < cs.length; c++) {
            cs[c] = classSizes.get(c);
            cm[c] = classMin.get(c);
        }
        return new MaskNetwork(in, out, cs, cs.length, cm);
    }

    long size(long mask) {
        return Costs.sizeOfMask(mask, sizes);
    }

    /** flop_count of a pairwise (or n-term) contraction over {@code labels}. */
    long flops(long labels, boolean inner, int numTerms) {
        return Costs.mul(size(labels), Costs.opFactor(inner, numTerms));
    }
}
