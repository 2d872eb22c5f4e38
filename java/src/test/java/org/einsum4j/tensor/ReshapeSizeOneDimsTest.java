package org.einsum4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Regression: reshape must not treat dims as mergeable across a size-1 dim that sits between non-contiguous dims
 * (found by the contract property test: {@code Q,MLQR->LMR} with shapes (2),(2,1,2,2) gave wrong values).
 */
class ReshapeSizeOneDimsTest {

    @Test
    void reshapeOfPermutedViewWithSizeOneDimKeepsTheValues() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 2, 1, 3)) {
            Tensor p = a.permute(2, 1, 0); // (3, 1, 2), strides (1, 3, 3): not mergeable
            try (Tensor c = p.copy()) {
                Tensor r = p.viewAs(6).orElseGet(() -> p.reshape(6));
                try {
                    assertArrayEquals(c.toDoubleArray(), r.toDoubleArray());
                } finally {
                    r.close();
                }
            }
        }
    }

    @Test
    void randomPermutedViewsReshapeLikeTheirCopies() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int t = 0; t < 300; t++) {
            int rank = 1 + rnd.nextInt(4);
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) {
                dims[i] = 1 + rnd.nextInt(3);
            }
            int[] perm = new int[rank];
            for (int i = 0; i < rank; i++) {
                perm[i] = i;
            }
            for (int i = rank - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int x = perm[i];
                perm[i] = perm[j];
                perm[j] = x;
            }
            try (Tensor a = Tensor.random(DType.FLOAT64, t, dims)) {
                Tensor p = a.permute(perm);
                // merge a random run of adjacent dims of the permuted view
                int[] pd = p.dims();
                int from = rnd.nextInt(rank);
                int to = from + rnd.nextInt(rank - from);
                int[] nd = new int[rank - (to - from)];
                int k = 0;
                for (int i = 0; i < rank; i++) {
                    if (i > from && i <= to) {
                        nd[k - 1] *= pd[i];
                    } else {
                        nd[k++] = pd[i];
                    }
                }
                try (Tensor c = p.copy(); Tensor r = p.viewAs(nd).orElseGet(() -> p.reshape(nd))) {
                    assertArrayEquals(c.toDoubleArray(), r.toDoubleArray(),
                            "dims " + java.util.Arrays.toString(dims) + " perm " + java.util.Arrays.toString(perm)
                                    + " -> " + java.util.Arrays.toString(nd));
                }
            }
        }
    }
}
