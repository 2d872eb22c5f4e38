package org.einsum4j.bench.report;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One suite's results on one machine, as bench/compare/suite.py writes them to
 * {@code bench/results/<suite>-<machine>.json}: the machine, versions, thread counts, date and exact command, then
 * per row einsum4j's time and each peer's time with the speed-up (peer time / einsum4j time, above 1: einsum4j
 * faster). Every table, chart and README figure is rendered from these files, so this record is their schema.
 * Times are in milliseconds; a null peer time is a peer that did not run (see {@link Peer#why} or the row's notes).
 */
public record SuiteResult(int schema, String suite, String title, Machine machine, String date, String command,
        String mode, String backend, String env, Map<String, String> versions, Map<String, String> threads,
        String einsum4jMethod, String peerMethod, List<Peer> peers, List<Row> rows, List<Row> sweep, String note) {

    /** The machine: a short id (file names), the CPU model and core count or the GPU card, and how loaded it was. */
    public record Machine(String id, String cpu, Integer cores, String card, String load, String note) {
    }

    /** A peer implementation: its key in {@link Row#peers}, its display name, how it was timed, or why not. */
    public record Peer(String key, String name, String method, boolean available, String why) {
    }

    /**
     * One measured row. {@code n}/{@code optimizer} are set on the path suite, {@code scale}/{@code work}
     * (multiply-adds of the loop nest) on the size sweep, the MiB fields on the layer suite.
     */
    public record Row(String id, String label, String detail, Double einsum4j, Double einsum4jErr, Double einsum4jMib,
            Map<String, Double> peers, Map<String, Double> peersMib, Map<String, String> peerNotes,
            Map<String, Double> speedup, Map<String, Double> speedupAtLeast, String bestPeer, Double speedupBest,
            Integer n, String optimizer, Double scale, Double work) {
        public Map<String, Double> peers() {
            return peers == null ? Map.of() : peers;
        }

        public Map<String, Double> peersMib() {
            return peersMib == null ? Map.of() : peersMib;
        }

        public Map<String, String> peerNotes() {
            return peerNotes == null ? Map.of() : peerNotes;
        }

        public Map<String, Double> speedup() {
            return speedup == null ? Map.of() : speedup;
        }

        public Map<String, Double> speedupAtLeast() {
            return speedupAtLeast == null ? Map.of() : speedupAtLeast;
        }
    }

    private static final Gson GSON = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

    public List<Peer> peers() {
        return peers == null ? List.of() : peers;
    }

    public List<Row> rows() {
        return rows == null ? List.of() : rows;
    }

    public List<Row> sweep() {
        return sweep == null ? List.of() : sweep;
    }

    public Map<String, String> versions() {
        return versions == null ? Map.of() : versions;
    }

    public Map<String, String> threads() {
        return threads == null ? Map.of() : threads;
    }

    /** The file stem of this result and its tables and charts: {@code <suite>-<machine id>}. */
    public String stem() {
        return suite + "-" + machine.id();
    }

    public static SuiteResult read(Path file) {
        try {
            SuiteResult r = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), SuiteResult.class);
            if (r == null || r.suite() == null || r.machine() == null || r.machine().id() == null) {
                throw new IllegalArgumentException(file + ": not a suite result (suite and machine.id are required)");
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Every {@code *.json} result in a folder, in suite order (einsum, paths, layers, dp) then by machine id. */
    public static List<SuiteResult> readAll(Path dir) {
        List<SuiteResult> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                out.add(read(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparingInt((SuiteResult r) -> SUITE_ORDER.indexOf(r.suite()) < 0 ? 99
                : SUITE_ORDER.indexOf(r.suite())).thenComparing(SuiteResult::stem));
        return out;
    }

    static final List<String> SUITE_ORDER = List.of("einsum", "paths", "layers", "dp");
}
