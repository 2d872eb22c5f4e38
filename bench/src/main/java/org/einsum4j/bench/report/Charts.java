package org.einsum4j.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.einsum4j.bench.report.SuiteResult.Peer;
import org.einsum4j.bench.report.SuiteResult.Row;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts of suite results with XChart, headless: speed-up per row against each peer (log scale, a line at 1×),
 * path-search time against the number of operands (log–log), time against work for the size sweep of E01/E02, and
 * the grad samplers' time and extra memory against PyTorch's two formulations. {@link #names} says which charts a
 * result has from the JSON alone, so the README can be rendered (and checked) without drawing them.
 */
public final class Charts {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 480;

    private Charts() {
    }

    /** The chart file names (in {@code bench/results/charts/}) that {@link #write} makes for this result. */
    public static List<String> names(SuiteResult r) {
        List<String> out = new ArrayList<>();
        if (hasSpeedups(r.rows())) {
            out.add(r.stem() + "-speedup.png");
        }
        if (r.suite().equals("paths") && !r.rows().isEmpty()) {
            out.add(r.stem() + "-time.png");
        }
        if (!r.sweep().isEmpty()) {
            out.add(r.stem() + "-sweep.png");
        }
        if (r.suite().equals("layers") && !r.rows().isEmpty()) {
            out.add(r.stem() + "-time.png");
            if (r.rows().stream().anyMatch(x -> x.einsum4jMib() != null)) {
                out.add(r.stem() + "-memory.png");
            }
        }
        return out;
    }

    /** Draws every chart of {@link #names} into {@code dir}. */
    public static void write(SuiteResult r, Path dir) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(dir);
            for (String name : names(r)) {
                Chart<?, ?> c;
                if (name.endsWith("-speedup.png")) {
                    c = speedup(r);
                } else if (name.endsWith("-sweep.png")) {
                    c = sweep(r);
                } else if (name.endsWith("-memory.png")) {
                    c = layerBars(r, true);
                } else if (r.suite().equals("paths")) {
                    c = pathTimes(r);
                } else {
                    c = layerBars(r, false);
                }
                BitmapEncoder.saveBitmap(c, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean hasSpeedups(List<Row> rows) {
        return rows.stream().anyMatch(x -> !x.speedup().isEmpty());
    }

    private static String subtitle(SuiteResult r) {
        SuiteResult.Machine m = r.machine();
        return m.id() + ", " + r.mode() + ", " + r.date().substring(0, Math.min(10, r.date().length()));
    }

    /** Bars per row and peer on a log axis, with the parity line at 1×. */
    static CategoryChart speedup(SuiteResult r) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("einsum4j speed-up over each peer, " + r.suite() + " suite (" + subtitle(r) + ")")
                .xAxisTitle(r.suite().equals("paths") ? "operands, optimizer" : "row")
                .yAxisTitle("peer time / einsum4j time (log)").build();
        style(c.getStyler());
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setXAxisLabelRotation(r.rows().size() > 14 ? 60 : 0);
        c.getStyler().setOverlapped(true);
        c.getStyler().setMarkerSize(11);
        c.getStyler().setYAxisDecimalPattern("#,##0.##");
        List<String> cats = r.rows().stream().map(Row::id).toList();
        double lo = 1;
        double hi = 1;
        for (Peer p : r.peers()) {
            List<Double> ys = new ArrayList<>();
            boolean any = false;
            for (Row x : r.rows()) {
                Double s = x.speedup().get(p.key());
                ys.add(s);
                if (s != null) {
                    any = true;
                    lo = Math.min(lo, s);
                    hi = Math.max(hi, s);
                }
            }
            if (any) { // markers, not bars: a bar on a log axis grows from the bottom, so 0.5× would look tall
                CategorySeries cs = c.addSeries(p.name(), cats, ys);
                cs.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
            }
        }
        List<Double> ones = new ArrayList<>();
        cats.forEach(x -> ones.add(1.0));
        CategorySeries parity = c.addSeries("1× (parity)", cats, ones);
        parity.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        parity.setMarker(SeriesMarkers.NONE);
        parity.setLineColor(Color.BLACK);
        parity.setLineStyle(new BasicStroke(2f));
        decades(c, List.of(List.of(lo, hi)));
        return c;
    }

    /** Path search time against operand count, log–log, one line per implementation and optimizer. */
    static XYChart pathTimes(SuiteResult r) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Path search time vs operands (" + subtitle(r) + ")")
                .xAxisTitle("operands (log); solid einsum4j, dashed numpy, dotted opt_einsum")
                .yAxisTitle("time per search, ms (log)").build();
        style(c.getStyler());
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setXAxisLogarithmicDecadeOnly(false);
        c.getStyler().setYAxisLogarithmic(true);
        Map<String, TreeMap<Integer, Double>> lines = new LinkedHashMap<>();
        for (Row x : r.rows()) {
            if (x.n() == null || !PATH_COLOURS.containsKey(x.optimizer())) {
                continue;
            }
            put(lines, "einsum4j " + x.optimizer(), x.n(), x.einsum4j());
            for (Peer p : r.peers()) {
                put(lines, p.key() + " " + x.optimizer(), x.n(), x.peers().get(p.key()));
            }
        }
        for (Map.Entry<String, TreeMap<Integer, Double>> e : lines.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            XYSeries s = c.addSeries(e.getKey(), new ArrayList<>(e.getValue().keySet()),
                    new ArrayList<>(e.getValue().values()));
            String impl = e.getKey().substring(0, e.getKey().indexOf(' '));
            s.setLineColor(PATH_COLOURS.get(e.getKey().substring(impl.length() + 1)));
            s.setMarkerColor(s.getLineColor());
            if (impl.equals("einsum4j")) {
                s.setLineStyle(new BasicStroke(2.5f));
                s.setMarker(SeriesMarkers.CIRCLE);
            } else {
                s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        impl.equals("numpy") ? new float[] {8f, 4f} : new float[] {2f, 3f}, 0f));
                s.setMarker(impl.equals("numpy") ? SeriesMarkers.SQUARE : SeriesMarkers.TRIANGLE_UP);
            }
        }
        return c;
    }

    /** One colour per implementation (einsum4j first, then the peers in their JSON order) across rows. */
    private static final Color[] IMPL_COLOURS = {new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x9467BD),
        new Color(0x2CA02C), new Color(0xD62728)};

    /** The optimizers drawn against operand count (the ones the peers have too), one colour each. */
    private static final Map<String, Color> PATH_COLOURS = Map.of("optimal", new Color(0xD62728), "dp",
            new Color(0x1F77B4), "greedy", new Color(0x2CA02C));

    private static void put(Map<String, TreeMap<Integer, Double>> lines, String key, int n, Double v) {
        TreeMap<Integer, Double> m = lines.computeIfAbsent(key, k -> new TreeMap<>());
        if (v != null && v > 0) {
            m.put(n, v);
        }
    }

    /** Time against multiply-adds for the size sweep, log–log: einsum4j and the fastest peer per row. */
    static XYChart sweep(SuiteResult r) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Time vs size, " + String.join(" and ", sweepIds(r)) + " (" + subtitle(r) + ")")
                .xAxisTitle("work: multiply-adds of the loop nest (log)").yAxisTitle("time per call, ms (log)").build();
        style(c.getStyler());
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setYAxisLogarithmic(true);
        for (String id : sweepIds(r)) {
            List<Row> pts = r.sweep().stream().filter(x -> x.id().equals(id))
                    .sorted((a, b) -> Double.compare(a.work(), b.work())).toList();
            XYSeries mine = c.addSeries("einsum4j " + id, pts.stream().map(Row::work).toList(),
                    pts.stream().map(Row::einsum4j).toList());
            mine.setLineColor(IMPL_COLOURS[0]);
            mine.setMarkerColor(IMPL_COLOURS[0]);
            mine.setLineStyle(new BasicStroke(2.5f));
            int k = 0;
            for (Peer p : r.peers()) {
                k++;
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (Row x : pts) {
                    Double t = x.peers().get(p.key());
                    if (t != null) {
                        xs.add(x.work());
                        ys.add(t);
                    }
                }
                if (!xs.isEmpty()) {
                    XYSeries s = c.addSeries(p.name() + " " + id, xs, ys);
                    Color colour = IMPL_COLOURS[k % IMPL_COLOURS.length];
                    s.setLineColor(colour);
                    s.setMarkerColor(colour);
                    s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                            new float[] {6f, 4f}, 0f));
                }
            }
        }
        return c;
    }

    private static List<String> sweepIds(SuiteResult r) {
        return r.sweep().stream().map(Row::id).distinct().toList();
    }

    /** Grad samplers: einsum4j and PyTorch's formulations per row, time (log) or extra MiB. */
    static CategoryChart layerBars(SuiteResult r, boolean memory) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title((memory ? "Grad samplers, extra memory per call" : "Grad samplers, time per call") + " ("
                        + subtitle(r) + (r.peers().stream().anyMatch(Peer::available) ? ""
                                : "; PyTorch: peer not available here") + ")")
                .xAxisTitle("row").yAxisTitle(memory ? "extra MiB (log)" : "ms per call (log)").build();
        style(c.getStyler());
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisDecimalPattern("#,##0.##");
        List<String> cats = r.rows().stream().map(Row::id).toList();
        List<List<Double>> all = new ArrayList<>();
        List<Double> mine = r.rows().stream().map(x -> positive(memory ? x.einsum4jMib() : x.einsum4j())).toList();
        c.addSeries("einsum4j", cats, mine);
        all.add(mine);
        for (Peer p : r.peers()) {
            List<Double> ys = r.rows().stream()
                    .map(x -> positive(memory ? x.peersMib().get(p.key()) : x.peers().get(p.key()))).toList();
            if (ys.stream().anyMatch(Objects::nonNull)) {
                c.addSeries(p.name(), cats, ys);
                all.add(ys);
            }
        }
        decades(c, all);
        return c;
    }

    /** Log-axis bounds at whole decades around the data: XChart's bars otherwise reach down to 0, which log refuses. */
    private static void decades(CategoryChart c, List<List<Double>> series) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (List<Double> s : series) {
            for (Double v : s) {
                if (v != null && v > 0) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (hi > 0) {
            c.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo))));
            c.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi) + 1e-9)));
        }
    }

    private static Double positive(Double v) {
        return v == null || v <= 0 ? null : v;
    }

    private static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendLayout(Styler.LegendLayout.Vertical);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setAntiAlias(true);
    }
}
