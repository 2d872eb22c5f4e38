package org.einsum4j.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;

/**
 * Random element-wise, broadcast and Hadamard-and-reduce contractions of two operands (one operand's labels a
 * subset of the other's, any output subset in any order, sizes 0 to 9, operands held transposed or not) on the
 * device under test against the float64 oracle. The case is drawn from the property's seed, printed on failure.
 */
class MultiplyStepPropertyTest {
    private static final String LABELS = "abcd";

    @Property(tries = 300, seed = "2026")
    void randomBroadcastProductsMatchTheOracle(@ForAll long seed) {
        Random r = new Random(seed);
        List<Character> pool = new ArrayList<>();
        for (char ch : LABELS.toCharArray()) {
            pool.add(ch);
        }
        Collections.shuffle(pool, r);
        int rankA = 1 + r.nextInt(LABELS.length());
        List<Character> la = new ArrayList<>(pool.subList(0, rankA));
        List<Character> lb = new ArrayList<>(la);
        Collections.shuffle(lb, r);
        lb = new ArrayList<>(lb.subList(0, 1 + r.nextInt(rankA)));
        List<Character> out = new ArrayList<>(la);
        Collections.shuffle(out, r);
        if (r.nextBoolean()) {
            out = new ArrayList<>(out.subList(0, r.nextInt(rankA + 1)));
        }
        int[] size = new int[128];
        for (char ch : LABELS.toCharArray()) {
            size[ch] = r.nextInt(20) == 0 ? 0 : 1 + r.nextInt(9);
        }
        boolean swap = r.nextBoolean();
        String spec = (swap ? join(lb) + "," + join(la) : join(la) + "," + join(lb)) + "->" + join(out);
        DType dt = r.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64;
        List<Tensor> owned = new ArrayList<>();
        try {
            Tensor a = operand(la, size, dt, r, owned);
            Tensor b = operand(lb, size, dt, r, owned);
            Tensor[] ops = swap ? new Tensor[] {b, a} : new Tensor[] {a, b};
            try (Tensor got = UnderTest.contract(spec, ops); Tensor want = ReferenceEinsum.evaluate(spec, ops)) {
                Close.assertClose(want, got, dt == DType.FLOAT32 ? 1e-5 : 1e-12, spec + " " + dt + " seed " + seed);
            }
        } finally {
            owned.forEach(Tensor::close);
        }
    }

    private static String join(List<Character> labels) {
        StringBuilder b = new StringBuilder();
        labels.forEach(b::append);
        return b.toString();
    }

    /** A random operand with these labels, contiguous or (half the time) held in reversed axis order. */
    private static Tensor operand(List<Character> labels, int[] size, DType dt, Random r, List<Tensor> owned) {
        int rank = labels.size();
        int[] dims = new int[rank];
        int[] rev = new int[rank];
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = size[labels.get(i)];
            rev[i] = size[labels.get(rank - 1 - i)];
            perm[i] = rank - 1 - i;
        }
        Tensor t = Tensor.random(dt, r.nextLong(), r.nextBoolean() ? dims : rev);
        owned.add(t);
        return Arrays.equals(t.dims(), dims) ? t : t.permute(perm);
    }
}
