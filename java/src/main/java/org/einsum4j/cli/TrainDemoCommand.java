package org.einsum4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import org.einsum4j.Backend;
import org.einsum4j.BackendUnavailableException;
import org.einsum4j.tensor.Device;
import org.einsum4j.dp.DpException;
import org.einsum4j.dp.NormMode;
import org.einsum4j.dp.PrivacySpent;
import org.einsum4j.dp.RdpAccountant;
import org.einsum4j.nn.Activation;
import org.einsum4j.nn.Augmentation;
import org.einsum4j.nn.Conv;
import org.einsum4j.nn.Dataset;
import org.einsum4j.nn.Digits;
import org.einsum4j.nn.DpOptimizer;
import org.einsum4j.nn.Evaluation;
import org.einsum4j.nn.Flatten;
import org.einsum4j.nn.GradSampleModule;
import org.einsum4j.nn.LearningRateSchedule;
import org.einsum4j.nn.Linear;
import org.einsum4j.nn.Loss;
import org.einsum4j.nn.Optimizer;
import org.einsum4j.nn.Parameter;
import org.einsum4j.nn.PoissonSampler;
import org.einsum4j.nn.Pool2d;
import org.einsum4j.nn.Sequential;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code einsum4j train-demo}: DP training end to end on the bundled handwritten digits (an 80/20 split), with
 * Poisson sampling, K augmented copies (random ±1-pixel shifts) per sampled example, DP-SGD or DP-Adam, and the
 * RDP accountant's ε after every epoch; or, with {@code --sweep-k}, the table of test accuracy and ε for several K
 * at the same σ, C, batch size, steps and seeds, which measures what augmentation multiplicity buys.
 */
@Command(name = "train-demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, description = "DP training on the digits data set; what augmentation multiplicity K buys",
        synopsisHeading = "", customSynopsis = {
            "Usage: einsum4j train-demo (--sigma S | --epsilon E | --non-private) [--model mlp|cnn] [--K N]",
            "                           [--epochs N] [--clip C] [--batch B] [--lr LR] [--backend cpu|cuda]",
            "                           [--seed S] [--ghost] [--sweep-k K1,K2,... [--seeds N] [--baseline]]",
            "                           [--json] [options]"},
        footer = {"",
            "Trains a classifier on the bundled handwritten digits (1,797 8x8 images, UCI / scikit-learn,",
            "CC BY 4.0; a fixed 80/20 split) with DP-SGD: Poisson sampling at rate q = B/N, each sampled",
            "image expanded to K copies by random shifts of +-1 pixel (augmentation multiplicity), each",
            "sample's gradient the mean over its K copies, clipped to norm C, summed, noised with",
            "N(0, (sigma*C)^2) and divided by B (not B*K); the RDP accountant's epsilon after every epoch.",
            "Prints per epoch: loss, train and test accuracy, epsilon at delta, time per step (a progress",
            "bar on a terminal). --sweep-k trains every K listed with seeds S..S+N-1 at the same sigma, C,",
            "B and steps and prints the table of test accuracy and epsilon.",
            "",
            "Examples:",
            "  einsum4j train-demo --non-private --lr 0.2 --momentum 0.9",
            "  einsum4j train-demo --K 4 --sigma 1.5",
            "  einsum4j train-demo --K 4 --epsilon 3 --ghost",
            "  einsum4j train-demo --sweep-k 1,2,4,8 --seeds 3 --sigma 1.5 --baseline"})
final class TrainDemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Option(names = "--model", paramLabel = "mlp|cnn", defaultValue = "cnn",
            description = "model (default cnn: two 3x3 convolutions, max and average pooling, Linear)")
    String model;

    @Option(names = "--K", paramLabel = "N", defaultValue = "1", description = "augmentation multiplicity (default 1)")
    int k;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "15",
            description = "epochs of round(1/q) steps (default 15)")
    int epochs;

    @Option(names = "--sigma", paramLabel = "S", description = "noise multiplier")
    Double sigma;

    @Option(names = "--epsilon", paramLabel = "E",
            description = "target epsilon at --delta after all steps: sigma is computed from it")
    Double epsilon;

    @Option(names = "--non-private", description = "plain SGD on the mean loss: no clipping, no noise, no accountant")
    boolean nonPrivate;

    @Option(names = "--clip", paramLabel = "C", defaultValue = "1.0",
            description = "per-sample clipping threshold (default 1.0)")
    double clip;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "128",
            description = "expected batch size q*N (default 128)")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "4.0",
            description = "peak learning rate, cosine decay to 0 (default 4.0, tuned for DP-SGD at C = 1;"
                    + " non-private training wants about 0.2 with momentum 0.9)")
    double lr;

    @Option(names = "--optimizer", paramLabel = "sgd|adam", defaultValue = "sgd",
            description = "DP-SGD with momentum or DP-Adam (default sgd)")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0", description = "SGD momentum (default 0)")
    double momentum;

    @Option(names = "--delta", paramLabel = "D", defaultValue = "1e-5",
            description = "delta of the reported epsilon (default 1e-5)")
    double delta;

    @Option(names = "--backend", paramLabel = "cpu|cuda", defaultValue = "cpu",
            description = "where the model runs (default cpu; cuda or cuda:N: the modules, losses, DP step and"
                    + " optimizer on the GPU, batches copied there)")
    String backend;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "seed of the initialization, sampling, augmentation and noise (default 0)")
    long seed;

    @Option(names = "--ghost", description = "ghost clipping: per-sample norms without per-sample gradient tensors")
    boolean ghost;

    @Option(names = "--shift", paramLabel = "N", defaultValue = "1",
            description = "augmentation: random shifts of up to N pixels (default 1; 0: K identical copies)")
    int shift;

    @Option(names = "--sweep-k", paramLabel = "K", split = ",",
            description = "the K table: comma-separated multiplicities, e.g. 1,2,4,8")
    List<Integer> sweepK;

    @Option(names = "--seeds", paramLabel = "N", description = "seeds per K in a sweep (default 1)")
    Integer seeds;

    @Option(names = "--baseline", description = "a first sweep row: K = 1 without augmentation")
    boolean baseline;

    @Option(names = "--no-progress", description = "no progress bar even on a terminal")
    boolean noProgress;

    @Option(names = "--json", description = "JSON instead of text")
    boolean json;

    @Override
    public Integer call() {
        if (seeds != null && sweepK == null) {
            throw new UsageException("--seeds only applies to --sweep-k");
        }
        if (baseline && sweepK == null) {
            throw new UsageException("--baseline only applies to --sweep-k");
        }
        Options o = new Options();
        o.model = model;
        o.k = k;
        o.epochs = epochs;
        o.sigma = sigma;
        o.epsilon = epsilon;
        o.nonPrivate = nonPrivate;
        o.clip = clip;
        o.batch = batch;
        o.lr = lr;
        o.optimizer = optimizer;
        o.momentum = momentum;
        o.delta = delta;
        o.backend = backend;
        o.seed = seed;
        o.ghost = ghost;
        o.shift = shift;
        o.sweepK = sweepK == null ? null : List.copyOf(sweepK);
        o.seeds = seeds == null ? 1 : seeds;
        o.baseline = baseline;
        o.progress = !noProgress;
        o.json = json;
        return run(o, command.commandLine().getOut());
    }

    /** The demo's settings; {@link #validate()} refuses bad ones before any work. */
    static final class Options {
        String model = "cnn";
        int k = 1;
        int epochs = 15;
        Double sigma;
        Double epsilon;
        double clip = 1.0;
        int batch = 128;
        double lr = 4.0;
        String optimizer = "sgd";
        double momentum = 0.0;
        String backend = "cpu";
        long seed = 0;
        boolean ghost;
        boolean json;
        boolean nonPrivate;
        double delta = 1e-5;
        List<Integer> sweepK;
        int seeds = 1;
        int shift = 1;
        boolean baseline;
        boolean progress = true;

        /**
         * The device of --backend, its backend opened here so that a GPU that cannot be used is one line before
         * any work ({@link BackendUnavailableException} says why).
         */
        Device device() {
            Device d;
            try {
                d = Device.parse(backend);
            } catch (RuntimeException e) {
                throw new UsageException("--backend must be cpu or cuda[:N], got '" + backend + "'");
            }
            if (!d.isHost() && !d.type().contains("cuda")) {
                throw new UsageException("--backend must be cpu or cuda[:N], got '" + backend + "'");
            }
            Backend.forDevice(d);
            return d;
        }

        void validate() {
            if (!model.equals("mlp") && !model.equals("cnn")) {
                throw new UsageException("--model must be mlp or cnn, got '" + model + "'");
            }
            device();
            if (k < 1) {
                throw new UsageException("--K must be >= 1, got " + k);
            }
            if (epochs < 1) {
                throw new UsageException("--epochs must be >= 1, got " + epochs);
            }
            if (batch < 1) {
                throw new UsageException("--batch must be >= 1 (the expected batch size q·N), got " + batch);
            }
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new UsageException("--lr must be a positive number, got " + lr);
            }
            if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
                throw new UsageException("--optimizer must be sgd or adam, got '" + optimizer + "'");
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new UsageException("--momentum must be in [0, 1), got " + momentum);
            }
            if (!(delta > 0 && delta < 1)) {
                throw new UsageException("--delta must be in (0, 1), got " + delta);
            }
            if (shift < 0 || shift > 7) {
                throw new UsageException("--shift must be between 0 and 7 pixels, got " + shift);
            }
            if (seeds < 1) {
                throw new UsageException("--seeds must be >= 1, got " + seeds);
            }
            if (nonPrivate) {
                if (sigma != null || epsilon != null || ghost) {
                    throw new UsageException("--non-private takes no --sigma, --epsilon or --ghost");
                }
            } else {
                if (sigma != null && epsilon != null) {
                    throw new UsageException("give --sigma or --epsilon, not both");
                }
                if (sigma == null && epsilon == null) {
                    throw new UsageException("give --sigma S or --epsilon E (or --non-private)");
                }
                if (sigma != null && (!(sigma >= 0) || sigma.isInfinite())) {
                    throw new UsageException("--sigma must be a number >= 0, got " + sigma);
                }
                if (epsilon != null && (!(epsilon > 0) || epsilon.isInfinite())) {
                    throw new UsageException("--epsilon must be a positive number, got " + epsilon);
                }
                if (!(clip > 0) || Double.isInfinite(clip)) {
                    throw new UsageException("--clip must be a positive number, got " + clip);
                }
            }
            if (sweepK != null) {
                if (sweepK.isEmpty() || sweepK.stream().anyMatch(x -> x < 1)) {
                    throw new UsageException("--sweep-k needs multiplicities >= 1, got " + sweepK);
                }
            }
        }
    }

    /**
     * One epoch's figures. {@code msPerStep} is the median wall time over the epoch's steps (robust on a shared
     * machine), {@code cpuMsPerStep} the mean process CPU time (the OS counts it in ticks: a mean is unbiased);
     * {@code meanNorm} and {@code clippedFraction} average the per-sample gradient norms (before clipping) and the
     * share of samples clipped over the epoch's steps (NaN without DP).
     */
    record Epoch(int epoch, double loss, double trainAccuracy, double testAccuracy, double epsilon,
                 double msPerStep, double cpuMsPerStep, int steps, double meanNorm, double clippedFraction) {
    }

    /** A finished run. */
    record Run(int k, int shift, long seed, double sigma, double q, List<Epoch> epochs) {
        Epoch last() {
            return epochs.get(epochs.size() - 1);
        }
    }

    private TrainDemoCommand() {
    }

    static Sequential model(String kind, long seed) {
        DType f = DType.FLOAT32;
        if (kind.equals("mlp")) {
            return new Sequential(new Flatten(), new Linear(64, 128, true, f, seed), Activation.relu(),
                    new Linear(128, 10, true, f, seed + 1));
        }
        return new Sequential(Conv.conv2d(1, 16, 3, 1, 1, f, seed), Activation.relu(), Pool2d.max(2),
                Conv.conv2d(16, 32, 3, 1, 1, f, seed + 1), Activation.relu(), Pool2d.avg(2), new Flatten(),
                new Linear(128, 10, true, f, seed + 2));
    }

    /** The split every run uses: 80/20, fixed seed, whatever --seed is (the seed varies the training only). */
    static Dataset.Split split() {
        return Digits.load().split(0.8, 20221);
    }

    /** σ from --sigma, or the σ that reaches --epsilon after the run's steps; refuses unreachable targets. */
    static double sigma(Options o, double q, long steps) {
        if (o.nonPrivate) {
            return 0;
        }
        if (o.sigma != null) {
            return o.sigma;
        }
        try {
            return RdpAccountant.noiseMultiplier(o.epsilon, o.delta, q, steps);
        } catch (DpException e) {
            throw new UsageException("--epsilon " + o.epsilon + " cannot be reached: " + e.getMessage());
        }
    }

    /** Trains one model with multiplicity k and seed; {@code onEpoch} sees each epoch, {@code onStep} each step. */
    static Run train(Options o, Dataset.Split data, int k, int shift, long seed, double sigma,
                     java.util.function.Consumer<Epoch> onEpoch, IntConsumer onStep) {
        Dataset train = data.train();
        int n = train.size();
        double q = Math.min(1.0, (double) o.batch / n);
        PoissonSampler sampler = new PoissonSampler(q, n, seed * 31 + 7);
        int stepsPerEpoch = sampler.stepsPerEpoch();
        Device device = o.device();
        Sequential model = model(o.model, seed * 1000 + 1).to(device);
        model.checkInput(1, 1, 8, 8);
        Optimizer inner = o.optimizer.equals("adam") ? Optimizer.adam(0.9, 0.999, 1e-8) : Optimizer.sgd(o.momentum);
        LearningRateSchedule lr = LearningRateSchedule.cosine(o.lr, (long) o.epochs * stepsPerEpoch);
        DpOptimizer dp = o.nonPrivate ? null : DpOptimizer.builder(model).optimizer(inner).learningRate(lr)
                .noiseMultiplier(sigma).maxGradNorm(o.clip).sampler(sampler).noiseSeed(seed * 131 + 3)
                .normMode(o.ghost ? NormMode.GHOST : NormMode.MATERIALIZED).build();
        GradSampleModule gsm = new GradSampleModule(model, k);
        Augmentation aug = shift == 0 ? Augmentation.identity() : Augmentation.shift(shift);
        SplittableRandom augRandom = new SplittableRandom(seed * 17 + 5);
        Loss loss = Loss.crossEntropy();
        List<Epoch> epochs = new ArrayList<>();
        long step = 0;
        for (int e = 1; e <= o.epochs; e++) {
            double lossSum = 0;
            long rows = 0;
            double[] ms = new double[stepsPerEpoch];
            double[] cpu = new double[stepsPerEpoch];
            double normSum = 0;
            double clippedSum = 0;
            int dpSteps = 0;
            for (int s = 0; s < stepsPerEpoch; s++, step++) {
                int[] idx = sampler.next();
                long t0 = System.nanoTime();
                long c0 = processCpuNanos();
                if (idx.length > 0 || dp != null) { // an empty Poisson batch is still a DP step (pure noise)
                    try (Dataset.Batch h = train.batch(idx, k, aug, augRandom);
                         Dataset.Batch b = device.isHost() ? h : h.to(device)) {
                        if (dp != null) {
                            Tensor out = gsm.forward(b.inputs());
                            try (Loss.Result r = loss.evaluate(out, b.labels())) {
                                lossSum += sum(r.rowLosses());
                                rows += r.rowLosses().length;
                                gsm.backward(r.gradient());
                            }
                            DpOptimizer.StepStats st = dp.step(gsm);
                            if (st.samples() > 0) {
                                normSum += st.meanNorm();
                                clippedSum += st.clippedFraction();
                                dpSteps++;
                            }
                        } else {
                            lossSum += nonPrivateStep(model, inner, lr.at(step), loss, b);
                            rows += b.labels().dim(0);
                        }
                    } finally {
                        model.release();
                    }
                }
                ms[s] = (System.nanoTime() - t0) / 1e6;
                cpu[s] = c0 < 0 ? Double.NaN : (processCpuNanos() - c0) / 1e6;
                onStep.accept(1);
            }
            // Poisson batches vary in size, so the allocator's cache of freed blocks collects many sizes (400 MB
            // after 30 steps at K = 8, with 90 MB live at most): hand them back once an epoch
            org.einsum4j.tensor.HostAllocator.trim();
            Evaluation tr = Evaluation.of(model, train, loss, 512);
            Evaluation te = Evaluation.of(model, data.test(), loss, 512);
            double eps = dp == null ? Double.POSITIVE_INFINITY : dp.spent(o.delta).epsilon();
            Epoch ep = new Epoch(e, rows == 0 ? Double.NaN : lossSum / rows, tr.accuracy(), te.accuracy(), eps,
                    median(ms), java.util.Arrays.stream(cpu).average().orElse(Double.NaN), stepsPerEpoch, dpSteps == 0 ? Double.NaN : normSum / dpSteps,
                    dpSteps == 0 ? Double.NaN : clippedSum / dpSteps);
            epochs.add(ep);
            onEpoch.accept(ep);
        }
        for (Parameter p : model.parameters()) {
            p.value().close();
        }
        return new Run(k, shift, seed, sigma, q, epochs);
    }

    /** A plain gradient step on the mean loss over the B·K rows; returns the rows' summed loss. */
    private static double nonPrivateStep(Sequential model, Optimizer opt, double lr, Loss loss, Dataset.Batch b) {
        Tensor out = model.forward(b.inputs(), true);
        double total;
        try (Loss.Result r = loss.evaluate(out, b.labels())) {
            try (Tensor g = r.meanGradient()) {
                model.backward(g, true);
            }
            total = sum(r.rowLosses());
        }
        java.util.Map<Parameter, Tensor> grads = new java.util.LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            grads.put(p, p.grad());
        }
        opt.step(grads, lr);
        return total;
    }

    /**
     * CPU time of the whole process (every thread: ours, OpenBLAS's, the collector's), or -1 where the JVM does
     * not report it. On a shared machine it measures the work of a step, which wall time does not.
     */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean b ? b.getProcessCpuTime() : -1;
    }

    static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        int n = c.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    static String epochLine(Epoch e, int epochs, double delta) {
        String line = String.format(Locale.ROOT,
                "epoch %2d/%d  loss %.4f  train %5.1f%%  test %5.1f%%  ε %s (δ %s)  %.1f ms/step (CPU %.1f)",
                e.epoch(), epochs, e.loss(), 100 * e.trainAccuracy(), 100 * e.testAccuracy(),
                Double.isInfinite(e.epsilon()) ? "∞" : String.format(Locale.ROOT, "%.3f", e.epsilon()),
                delta, e.msPerStep(), e.cpuMsPerStep());
        if (!Double.isNaN(e.meanNorm())) {
            line += String.format(Locale.ROOT, "  mean ‖g‖ %.3f, %.0f%% clipped", e.meanNorm(),
                    100 * e.clippedFraction());
        }
        return line;
    }

    /** Runs the demo (one run, or the K sweep) and prints as text or JSON; returns the exit status. */
    static int run(Options o, PrintWriter out) {
        o.validate();
        Dataset.Split data = split();
        int n = data.train().size();
        double q = Math.min(1.0, (double) o.batch / n);
        long steps = (long) o.epochs * new PoissonSampler(q, n, 0).stepsPerEpoch();
        double sigma = sigma(o, q, steps);
        if (o.sweepK != null) {
            return sweep(o, data, sigma, q, steps, out);
        }
        if (!o.json) {
            out.printf(Locale.ROOT, "train-demo: %s, K = %d, %s, %d train / %d test, q = %.4f (B = %d), %d steps%n",
                    o.model, o.k, o.nonPrivate ? "non-private" : String.format(Locale.ROOT,
                            "σ = %.4f, C = %s%s", sigma, o.clip, o.ghost ? ", ghost clipping" : ""),
                    n, data.test().size(), q, o.batch, steps);
            out.flush();
        }
        Progress bar = Progress.start(o.progress && !o.json, "train", steps);
        Run r;
        try {
            r = train(o, data, o.k, o.shift, o.seed, sigma, e -> {
                if (!o.json) {
                    bar.println(epochLine(e, o.epochs, o.delta), out);
                }
            }, bar::step);
        } finally {
            bar.close();
        }
        if (o.json) {
            out.println(json(o, r));
        }
        return 0;
    }

    private static String json(Options o, Run r) {
        StringBuilder b = new StringBuilder();
        b.append("{\"model\": ").append(Json.string(o.model)).append(", \"K\": ").append(r.k())
                .append(", \"seed\": ").append(r.seed())
                .append(", \"private\": ").append(!o.nonPrivate)
                .append(", \"sigma\": ").append(Json.number(r.sigma()))
                .append(", \"clip\": ").append(Json.number(o.clip))
                .append(", \"q\": ").append(Json.number(r.q()))
                .append(", \"expected_batch\": ").append(o.batch)
                .append(", \"delta\": ").append(Json.number(o.delta))
                .append(", \"ghost\": ").append(o.ghost)
                .append(", \"shift\": ").append(r.shift())
                .append(", \"epochs\": [");
        for (int i = 0; i < r.epochs().size(); i++) {
            Epoch e = r.epochs().get(i);
            b.append(i > 0 ? ", " : "").append("{\"epoch\": ").append(e.epoch())
                    .append(", \"loss\": ").append(Json.number(e.loss()))
                    .append(", \"train_accuracy\": ").append(Json.number(e.trainAccuracy()))
                    .append(", \"test_accuracy\": ").append(Json.number(e.testAccuracy()))
                    .append(", \"epsilon\": ").append(Json.number(e.epsilon()))
                    .append(", \"ms_per_step\": ").append(Json.number(e.msPerStep()))
                    .append(", \"cpu_ms_per_step\": ").append(Json.number(e.cpuMsPerStep()))
                    .append(", \"mean_norm\": ").append(Json.number(e.meanNorm()))
                    .append(", \"clipped_fraction\": ").append(Json.number(e.clippedFraction()))
                    .append(", \"steps\": ").append(e.steps()).append('}');
        }
        return b.append("]}").toString();
    }

    /**
     * One untimed epoch at the largest K before the timed runs, so the first row of the table does not pay for
     * the JIT compiler and the first calls' planning.
     */
    private static void warmUp(Options o, Dataset.Split data, double sigma, int k) {
        Options w = new Options();
        w.model = o.model;
        w.epochs = 1;
        w.batch = o.batch;
        w.lr = o.lr;
        w.optimizer = o.optimizer;
        w.momentum = o.momentum;
        w.clip = o.clip;
        w.ghost = o.ghost;
        w.nonPrivate = o.nonPrivate;
        w.delta = o.delta;
        train(w, data, k, o.shift, o.seed, sigma, e -> { }, n -> { });
    }

    /** One row of the K table: a multiplicity and the shift its copies get. */
    private record Arm(int k, int shift, String label) {
    }

    /**
     * K = each of --sweep-k, seeds seed … seed+seeds−1, same σ, C, B, steps: a markdown table (or JSON). With
     * --baseline a first row trains K = 1 without augmentation: what the shifts themselves cost or buy.
     */
    private static int sweep(Options o, Dataset.Split data, double sigma, double q, long steps, PrintWriter out) {
        List<Arm> arms = new ArrayList<>();
        if (o.baseline) {
            arms.add(new Arm(1, 0, "1, no augmentation"));
        }
        for (int k : o.sweepK) {
            arms.add(new Arm(k, o.shift, Integer.toString(k)));
        }
        List<List<Run>> rows = new ArrayList<>();
        Progress bar = Progress.start(o.progress && !o.json, "sweep", steps * arms.size() * o.seeds);
        try {
            warmUp(o, data, sigma, arms.stream().mapToInt(Arm::k).max().orElse(1));
            for (Arm arm : arms) {
                List<Run> rs = new ArrayList<>();
                for (int s = 0; s < o.seeds; s++) {
                    rs.add(train(o, data, arm.k(), arm.shift(), o.seed + s, sigma, e -> { }, bar::step));
                }
                rows.add(rs);
            }
        } finally {
            bar.close();
        }
        List<Run> runs = rows.stream().flatMap(List::stream).toList();
        if (o.json) {
            out.println("[" + String.join(", ", runs.stream().map(r -> json(o, r)).toList()) + "]");
            return 0;
        }
        out.printf(Locale.ROOT, "%s, %s, C = %s, expected batch B = %d (q = %.4f), %d epochs = %d steps, seeds %d..%d,"
                + " lr %s (%s, cosine), δ = %s, shifts ±%d%s%n%n", o.model, o.nonPrivate ? "non-private"
                : String.format(Locale.ROOT, "σ = %.4f", sigma), o.clip, o.batch, q, o.epochs, steps, o.seed,
                o.seed + o.seeds - 1, o.lr, o.optimizer, o.delta, o.shift, o.ghost ? ", ghost clipping" : "");
        out.println("| K | test accuracy (mean ± sd) | per seed | train accuracy | ε | mean ‖g_n‖ | clipped"
                + " | ms/step | CPU ms/step |");
        out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        for (int row = 0; row < arms.size(); row++) {
            List<Run> rs = rows.get(row);
            double[] acc = rs.stream().mapToDouble(r -> r.last().testAccuracy()).toArray();
            double mean = java.util.Arrays.stream(acc).average().orElse(0);
            double sd = Math.sqrt(java.util.Arrays.stream(acc).map(a -> (a - mean) * (a - mean)).sum()
                    / Math.max(1, acc.length - 1));
            double train = rs.stream().mapToDouble(r -> r.last().trainAccuracy()).average().orElse(0);
            double ms = median(rs.stream().flatMap(r -> r.epochs().stream()).mapToDouble(Epoch::msPerStep)
                    .toArray());
            double cpuMs = rs.stream().flatMap(r -> r.epochs().stream()).mapToDouble(Epoch::cpuMsPerStep).average()
                    .orElse(Double.NaN);
            double norm = rs.stream().flatMap(r -> r.epochs().stream()).mapToDouble(Epoch::meanNorm).average()
                    .orElse(Double.NaN);
            double clipped = rs.stream().flatMap(r -> r.epochs().stream()).mapToDouble(Epoch::clippedFraction)
                    .average().orElse(Double.NaN);
            StringBuilder per = new StringBuilder();
            for (double a : acc) {
                per.append(per.length() > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.1f", 100 * a));
            }
            double eps = rs.get(0).last().epsilon();
            out.printf(Locale.ROOT, "| %s | %.1f%% ± %.1f | %s | %.1f%% | %s | %s | %s | %.1f | %.1f |%n",
                    arms.get(row).label(),
                    100 * mean,
                    100 * sd, per, 100 * train,
                    Double.isInfinite(eps) ? "∞" : String.format(Locale.ROOT, "%.3f", eps),
                    Double.isNaN(norm) ? "–" : String.format(Locale.ROOT, "%.3f", norm),
                    Double.isNaN(clipped) ? "–" : String.format(Locale.ROOT, "%.0f%%", 100 * clipped), ms, cpuMs);
        }
        return 0;
    }
}
