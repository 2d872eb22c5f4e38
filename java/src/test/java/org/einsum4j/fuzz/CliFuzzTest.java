package org.einsum4j.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.einsum4j.cli.Main;

/**
 * Coverage-guided fuzzing (Jazzer) of the command line: random argument lists, built from the commands' own
 * words (commands, options, specs, shapes, layer hyperparameters) and random short strings, run through
 * {@link Main#run}. The contract: exit status 0, 1 or 2; on failure exactly one stderr line
 * {@code einsum4j...: error: ...}; never a stack trace or an "internal error".
 *
 * <p>The words keep the work small (sizes below 5, numbers below 1000): this fuzzes the parser and the checks, not
 * the kernels' speed. {@code --output} and {@code --inputs} are left out so that no run writes or reads files.
 */
class CliFuzzTest {
    private static final String[] WORDS = {
        "contract", "path", "demo", "gradsample", "help", "--help", "-h", "--version", "-V", "--", "-",
        "--dtype", "f32", "f64", "i64", "--backend", "cpu", "cuda", "--optimize", "auto", "optimal", "greedy",
        "branch-all", "dp", "dp-size", "auto-hq", "--max-time", "--memory-limit", "max_input", "-1", "--sizes",
        "a=2,b=3", "i=2,j=3,k=4", "--repeat", "--warmup", "--seed", "--json", "--B", "--K", "--T", "--reduction",
        "sum", "mean", "ij,jk->ik", "ij->", "->", "ii->i", "n...i,n...j->nij", "...,...->...", "ab,bc,cd->ad",
        "2x3", "3x4", "2x2", "scalar", "0x3", "3x", "x", "+2x3", "-1x2", "99999999999", "2147483648", "0", "1", "2",
        "1.5", "1e3", "Linear", "Conv1d", "Conv2d", "Conv3d", "Embedding", "LayerNorm", "GroupNorm",
        "InstanceNorm1d", "InstanceNorm2d", "RNN", "GRU", "LSTM", "SequenceBias", "in=2", "out=3", "bias", "T=2",
        "cin=2", "cout=2", "k=3", "k=1,2", "stride=2", "pad=1", "pad=same", "pad=-1", "dil=2", "groups=2", "L=4",
        "H=3", "W=3", "D=2", "V=5", "pad_idx=4", "pad_idx=-6", "sparse", "C=2", "eps=1e-5", "time_first",
        "bias=false", "padding_mode=reflect", "@x", "=", "--B=2", "--K=0", "--repeat=1",
    };

    @FuzzTest(maxDuration = "30s")
    void arguments(FuzzedDataProvider data) {
        int n = data.consumeInt(0, 10);
        String[] args = new String[n];
        for (int i = 0; i < n; i++) {
            args[i] = data.consumeBoolean() ? data.pickValue(WORDS) : small(data.consumeAsciiString(6));
        }
        // a bounded number of calls per run
        args = withCap(args);
        if (args.length > 0 && args[0].equals("bench")) {
            return; // runs whole benchmark suites (minutes): its options are tested in BenchCommandTest instead
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, o, e);
        }
        String errText = err.toString(StandardCharsets.UTF_8);
        String what = String.join(" ", args) + " -> " + status + ": " + errText;
        if (status < 0 || status > 2) {
            throw new AssertionError("exit status " + what);
        }
        if (errText.contains("\tat ") || errText.contains("internal error")) {
            throw new AssertionError("stack trace or internal error: " + what);
        }
        if (status != 0) {
            String[] lines = errText.strip().split("\n");
            if (lines.length != 1 || !lines[0].startsWith("einsum4j") || !lines[0].contains("error: ")) {
                throw new AssertionError("not one error line: " + what);
            }
        }
    }

    /** Digit runs longer than three are cut to three: no random string asks for a billion repeats. */
    private static String small(String s) {
        return s.replaceAll("([0-9]{3})[0-9]+", "$1");
    }

    /** --repeat and --warmup at most 3 calls, whatever the words say (the words above are at most 3 anyway). */
    private static String[] withCap(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if ((args[i].equals("--repeat") || args[i].equals("--warmup")) && args[i + 1].matches("[0-9]{2,}")) {
                args[i + 1] = "3";
            }
        }
        return args;
    }
}
