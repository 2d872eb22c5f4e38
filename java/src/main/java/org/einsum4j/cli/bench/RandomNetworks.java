package org.einsum4j.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random tensor networks for the path-search benchmarks, after opt_einsum's {@code rand_equation}: each
 * of {@code n·reg/2} summed labels joins two random operands, {@code nOut} output labels sit on one operand each,
 * sizes uniform in [dMin, dMax]. The same seed gives the same network, and {@link #main} writes them to a TSV
 * that bench/compare/suite.py reads (bench/run), so numpy and opt_einsum are timed on identical networks.
 */
public final class RandomNetworks {
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /** The operand counts benchmarked. */
    public static final int[] SIZES = {6, 8, 10, 12, 16, 30, 60};

    /** A network: label ids per operand, output labels, label sizes, and an einsum spec when it fits 52 letters. */
    public record Network(String name, int[][] inputs, int[] output, long[] sizes) {
        public int[][] shapes() {
            int[][] s = new int[inputs.length][];
            for (int i = 0; i < inputs.length; i++) {
                s[i] = new int[inputs[i].length];
                for (int d = 0; d < inputs[i].length; d++) {
                    s[i][d] = (int) sizes[inputs[i][d]];
                }
            }
            return s;
        }

        /** The spec in letters, or null when it has more than 52 labels. */
        public String spec() {
            if (sizes.length > LETTERS.length()) {
                return null;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < inputs.length; i++) {
                sb.append(i > 0 ? "," : "");
                for (int l : inputs[i]) {
                    sb.append(LETTERS.charAt(l));
                }
            }
            sb.append("->");
            for (int l : output) {
                sb.append(LETTERS.charAt(l));
            }
            return sb.toString();
        }
    }

    private RandomNetworks() {
    }

    /** The benchmark network with n operands (regular degree 3, 2 output labels, sizes 2–8, seed n). */
    public static Network forSize(int n) {
        return generate(n, 3, 2, 2, 8, n);
    }

    public static Network generate(int n, int reg, int nOut, int dMin, int dMax, long seed) {
        Random rnd = new Random(seed);
        int numSummed = n * reg / 2;
        int numLabels = numSummed + nOut;
        long[] sizes = new long[numLabels];
        for (int l = 0; l < numLabels; l++) {
            sizes[l] = dMin + rnd.nextInt(dMax - dMin + 1);
        }
        List<List<Integer>> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ops.add(new ArrayList<>());
        }
        int[] out = new int[nOut];
        for (int k = 0; k < nOut; k++) {
            out[k] = k;
            ops.get(rnd.nextInt(n)).add(k);
        }
        // a ring first, so the network is connected, then random pairs
        for (int l = nOut; l < numLabels; l++) {
            int e = l - nOut;
            int a;
            int b;
            if (e < n) {
                a = e;
                b = (e + 1) % n;
            } else {
                a = rnd.nextInt(n);
                do {
                    b = rnd.nextInt(n);
                } while (b == a);
            }
            ops.get(a).add(l);
            ops.get(b).add(l);
        }
        int[][] inputs = new int[n][];
        for (int i = 0; i < n; i++) {
            java.util.Collections.shuffle(ops.get(i), rnd);
            inputs[i] = ops.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return new Network("n" + n, inputs, out, sizes);
    }

    /** Writes the benchmark networks as TSV: name, n, spec, shapes (e.g. {@code 2x3;4;...}). */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "networks.tsv");
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            w.println("name\tn\tspec\tshapes");
            for (int n : SIZES) {
                Network net = forSize(n);
                StringBuilder shapes = new StringBuilder();
                int[][] s = net.shapes();
                for (int i = 0; i < s.length; i++) {
                    shapes.append(i > 0 ? ";" : "");
                    for (int d = 0; d < s[i].length; d++) {
                        shapes.append(d > 0 ? "x" : "").append(s[i][d]);
                    }
                }
                String spec = net.spec();
                w.println(net.name() + "\t" + n + "\t" + (spec == null ? "-" : spec) + "\t" + shapes);
            }
        }
        System.out.println("wrote " + file);
    }
}
