package org.einsum4j.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.einsum4j.Einsum4jException;
import org.einsum4j.InvalidOperandException;
import org.einsum4j.path.SearchLimitException;
import org.einsum4j.spec.EinsumSyntaxException;
import org.einsum4j.spec.OperandCountException;
import org.einsum4j.spec.ShapeMismatchException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code einsum4j} command, parsed by picocli: one annotated class per subcommand, typed and strict options,
 * generated help ({@code --help} on every subcommand, {@code einsum4j help CMD}) and {@code --version}. Every
 * failure becomes one line on stderr, {@code einsum4j CMD: error: ...}, and an exit status: 0 ok, 1 the work
 * failed, 2 the command line (or an input it names) cannot be run as written — never a stack trace unless the
 * environment variable {@code EINSUM4J_DEBUG=1} asks for it.
 *
 * <p>Adding a subcommand: an {@code @Command(name = "x", mixinStandardHelpOptions = true, ...)} class in this
 * package implementing {@code Callable<Integer>} (returning {@link #OK} or {@link #FAILED}, throwing
 * {@link UsageException} for a bad command line), listed in {@code subcommands} below.
 */
@Command(name = "einsum4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        header = "einsum4j: einsum contractions on the JVM%n",
        synopsisHeading = "", customSynopsis = {
            "Usage: einsum4j COMMAND [ARGS...]",
            "       einsum4j COMMAND --help",
            "       einsum4j --version"},
        commandListHeading = "%nCommands:%n",
        footer = {"", "Exit status: 0 success, 1 failure, 2 bad command line."},
        subcommands = {BenchCommand.class, ContractCommand.class, DemoCommand.class, DpCommand.class,
            EpsilonCommand.class, GradsampleCommand.class, PathCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    @Override
    public Integer call() {
        throw new UsageException("no command given (commands: " + names() + "; see einsum4j --help)");
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /** Runs the command line in-process (for tests): returns the exit status instead of exiting. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(out, true);
        try {
            CommandLine cl = commandLine();
            cl.setOut(o);
            cl.setErr(new PrintWriter(err, true));
            cl.setParameterExceptionHandler((ex, a) -> usageError(ex, err));
            cl.setExecutionExceptionHandler((ex, c, parsed) -> report(prefix(c), ex, err));
            return cl.execute(args == null ? new String[0] : args);
        } catch (Throwable t) {
            return report("einsum4j", t, err);
        } finally {
            o.flush();
        }
    }

    /** The command tree (also what the tests walk to check every subcommand's help). */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOverwrittenOptionsAllowed(false);
        cl.setUsageHelpWidth(110);
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().descriptionHeading("%n").parameterListHeading("%nArguments:%n")
                    .optionListHeading("%nOptions:%n");
        }
        // the gradsample help lists each layer kind's own help line (one layer, one place)
        CommandLine.Model.UsageMessageSpec gs = cl.getSubcommands().get("gradsample").getCommandSpec().usageMessage();
        List<String> footer = new java.util.ArrayList<>();
        for (String line : gs.footer()) {
            if (line.equals("@LAYERS@")) {
                footer.addAll(List.of(GradsampleWorkload.layerHelp().stripTrailing().split("\n")));
            } else {
                footer.add(line);
            }
        }
        gs.footer(footer.toArray(new String[0]));
        cl.setExpandAtFiles(false); // an argument starting with '@' is not a file of more arguments
        // specs such as '->i' and shapes such as '-1x2' start with a dash: the commands read them (and reject
        // what is really an unknown option) instead of picocli calling them unknown options
        cl.getSubcommands().get("contract").setUnmatchedOptionsArePositionalParams(true);
        cl.getSubcommands().get("path").setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }

    /** {@code einsum4j} or {@code einsum4j contract}: the prefix of a command's error lines. */
    private static String prefix(CommandLine c) {
        return c.getCommandSpec().qualifiedName();
    }

    /** One line for a command line picocli could not parse (exit 2). */
    private static int usageError(ParameterException ex, PrintStream err) {
        CommandLine c = ex.getCommandLine();
        String message = ex.getMessage();
        if (ex instanceof UnmatchedArgumentException u && c.getCommandSpec().userObject() instanceof Main
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            message = "unknown command '" + u.getUnmatched().get(0) + "' (commands: " + names()
                    + "; see einsum4j --help)";
        } else if (c.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
            return report("einsum4j", new UsageException(message + " (commands: " + names() + ")"), err);
        } else {
            message = message + " (see " + prefix(c) + " --help)";
        }
        return report(prefix(c), new UsageException(message), err);
    }

    /** Prints one line for a failure and returns its exit status. */
    static int report(String prefix, Throwable t, PrintStream err) {
        int status;
        String message;
        if (t instanceof UsageException || t instanceof EinsumSyntaxException || t instanceof ShapeMismatchException
                || t instanceof OperandCountException || t instanceof InvalidOperandException
                || t instanceof SearchLimitException) {
            status = USAGE;
            message = "error: " + t.getMessage();
        } else if (t instanceof Einsum4jException) {
            status = FAILED;
            message = "error: " + t.getMessage();
        } else if (t instanceof UnsupportedOperationException) {
            status = FAILED;
            message = "error: not implemented yet: " + t.getMessage();
        } else if (t instanceof OutOfMemoryError) {
            status = FAILED;
            message = "error: out of memory (" + t.getMessage() + "); try smaller shapes or a larger -Xmx";
        } else {
            status = FAILED;
            message = "internal error: " + t + " (set EINSUM4J_DEBUG=1 for the stack trace)";
        }
        // a usage message is ours and one line, but echoes the user's text: keep it whole (escaped below);
        // other messages may carry a multi-line picture (spec carets) and keep their first line
        String line = t instanceof UsageException ? message : oneLine(message);
        if (t instanceof EinsumSyntaxException se && se.spec() != null) {
            // the caret picture is multi-line; one line names the spec instead
            line += " in spec '" + se.spec() + "'";
        }
        line = escapeControls(line);
        err.println(prefix + ": " + line);
        String debug = System.getenv("EINSUM4J_DEBUG");
        if (debug != null && !debug.isEmpty() && !debug.equals("0")) {
            t.printStackTrace(err);
        }
        err.flush();
        return status;
    }

    /**
     * Control characters (newlines, tabs, ...) that arguments may carry are written as escapes, so that the error
     * stays one line and cannot pass for a stack trace (found by CliFuzzTest: an argument "+\tat ").
     */
    static String escapeControls(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029
                            || c == 0x85) {
                        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.toString();
    }

    /** Messages with a caret line (spec errors) keep only their first line: the contract is one line. */
    private static String oneLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    /** The version from the runnable jar's manifest; classes outside the jar (tests, IDE) have none. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    /** picocli's {@code --version} on every command. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"einsum4j " + version()};
        }
    }

    /** The subcommands' names (without {@code help}), in --help order. */
    static List<String> commandNames() {
        return commandLine().getSubcommands().keySet().stream().filter(n -> !n.equals("help")).toList();
    }

    private static String names() {
        return String.join(", ", commandNames());
    }
}
