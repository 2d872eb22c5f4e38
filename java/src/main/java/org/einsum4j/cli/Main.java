package org.einsum4j.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.einsum4j.Einsum4jException;
import org.einsum4j.InvalidOperandException;
import org.einsum4j.spec.EinsumSyntaxException;
import org.einsum4j.spec.OperandCountException;
import org.einsum4j.spec.ShapeMismatchException;

/**
 * The {@code einsum4j} command: dispatches to one subcommand class per verb and turns every failure into one line
 * on stderr and an exit status (0 ok, 1 failed, 2 bad command line), never a stack trace. Set the environment
 * variable {@code EINSUM4J_DEBUG=1} to get the stack trace as well.
 *
 * <p>Adding a subcommand: write {@code XCommand} in this package with {@code static final String SUMMARY} (one line
 * for the top-level help), a help text starting {@code "Usage: einsum4j x"}, and
 * {@code static int run(String[] args, PrintStream out, PrintStream err)} that parses with {@link Args}, prints
 * its help on {@code --help}, throws {@link UsageException} for a bad command line and returns {@link #OK} or
 * {@link #FAILED}; then add its one line to {@link #COMMANDS}. MainTest checks every registered command's help.
 */
public final class Main {
    /** What every subcommand implements: run with its own arguments, write to out/err, return the exit status. */
    @FunctionalInterface
    interface Runner {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    /** One row of the command table. */
    record Command(String name, String summary, Runner runner) {
    }

    /** The command table, in --help order. Adding a subcommand is one line here. */
    static final List<Command> COMMANDS = List.of(
            new Command("bench", BenchCommand.SUMMARY, BenchCommand::run),
            new Command("contract", ContractCommand.SUMMARY, ContractCommand::run),
            new Command("demo", DemoCommand.SUMMARY, DemoCommand::run),
            new Command("gradsample", GradsampleCommand.SUMMARY, GradsampleCommand::run),
            new Command("path", PathCommand.SUMMARY, PathCommand::run));

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /** Runs the command line in-process (for tests): returns the exit status instead of exiting. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String prefix = "einsum4j";
        try {
            if (args.length == 0) {
                throw new UsageException("no command given (commands: " + names() + "; see einsum4j --help)");
            }
            String first = args[0];
            if (first.equals("--version")) {
                out.println("einsum4j " + version());
                return OK;
            }
            if (first.equals("--help") || first.equals("-h") || first.equals("help")) {
                if (first.equals("help") && args.length > 1) {
                    Command c = find(args[1]).orElseThrow(() -> unknown(args[1]));
                    return c.runner().run(new String[] {"--help"}, out, err);
                }
                out.print(usage());
                return OK;
            }
            Command c = find(first).orElseThrow(() -> unknown(first));
            prefix = "einsum4j " + c.name();
            return c.runner().run(Arrays.copyOfRange(args, 1, args.length), out, err);
        } catch (Throwable t) {
            return report(prefix, t, err);
        }
    }

    /** Prints one line for a failure and returns its exit status. */
    static int report(String prefix, Throwable t, PrintStream err) {
        int status;
        String message;
        if (t instanceof UsageException || t instanceof EinsumSyntaxException || t instanceof ShapeMismatchException
                || t instanceof OperandCountException || t instanceof InvalidOperandException) {
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
        String line = oneLine(message);
        if (t instanceof EinsumSyntaxException se && se.spec() != null) {
            // the caret picture is multi-line; one line names the spec instead
            line += " in spec '" + se.spec() + "'";
        }
        err.println(prefix + ": " + line);
        String debug = System.getenv("EINSUM4J_DEBUG");
        if (debug != null && !debug.isEmpty() && !debug.equals("0")) {
            t.printStackTrace(err);
        }
        err.flush();
        return status;
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

    private static Optional<Command> find(String name) {
        return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private static UsageException unknown(String name) {
        return new UsageException("unknown command '" + name + "' (commands: " + names() + "; see einsum4j --help)");
    }

    private static String names() {
        return String.join(", ", COMMANDS.stream().map(Command::name).toList());
    }

    static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("einsum4j: einsum contractions on the JVM\n\n");
        sb.append("Usage: einsum4j COMMAND [ARGS...]\n");
        sb.append("       einsum4j COMMAND --help\n");
        sb.append("       einsum4j --version\n\n");
        sb.append("Commands:\n");
        for (Command c : COMMANDS) {
            sb.append(String.format(Locale.ROOT, "  %-12s %s%n", c.name(), c.summary()));
        }
        sb.append("\nExit status: 0 success, 1 failure, 2 bad command line.\n");
        return sb.toString();
    }
}
