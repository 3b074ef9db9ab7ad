package org.enjambre.workunits.trust.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prints the tables of SABOTAGE.md: error rate and cost of every policy in {@link Policies} against
 * saboteurs, and with {@code --update FILE} rewrites them in that file between its
 * {@code <!-- sabotage-table:begin -->} and {@code <!-- sabotage-table:end -->} markers.
 *
 * <p>Options: {@code --workers N} (default 1000), {@code --units N} (default 100000), {@code --seed N}
 * (default 1), {@code --threads N} (default: the processors; each simulation runs on one thread, and
 * the tables do not depend on it), {@code --update FILE}.
 */
public final class SabotageTable {
    static final String BEGIN = "<!-- sabotage-table:begin -->";
    static final String END = "<!-- sabotage-table:end -->";
    private static final double[] FRACTIONS = {0.05, 0.1, 0.2};
    private static final double[] RATES = {1, 0.5, 0.1, 0.01};
    private static final double[] REJOIN_RATES = {1, 0.1};

    private SabotageTable() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int workers = 1000;
        int units = 100_000;
        long seed = 1;
        int threads = Runtime.getRuntime().availableProcessors();
        Path update = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!List.of("--workers", "--units", "--seed", "--threads", "--update").contains(a)) {
                throw new IllegalArgumentException("unknown option " + a + " (known: --workers, --units, --seed, --threads, --update)");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--workers" -> workers = Integer.parseInt(v);
                case "--units" -> units = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--threads" -> threads = Integer.parseInt(v);
                default -> update = Path.of(v);
            }
        }
        String tables = tables(workers, units, seed, threads);
        System.out.print(tables);
        if (update != null) {
            String text = Files.readString(update, StandardCharsets.UTF_8);
            int b = text.indexOf(BEGIN);
            int e = text.indexOf(END);
            if (b < 0 || e < b) {
                throw new IllegalArgumentException(update + " has no " + BEGIN + " ... " + END + " markers");
            }
            Files.writeString(update, text.substring(0, b + BEGIN.length()) + "\n" + tables + text.substring(e),
                    StandardCharsets.UTF_8);
            System.out.println("updated " + update);
        }
    }

    /** The three tables, in Markdown. */
    static String tables(int workers, int units, long seed, int threads) throws InterruptedException {
        List<Policy> policies = Policies.all();
        List<Scenario> byF = new ArrayList<>();
        for (double f : FRACTIONS) {
            byF.add(Scenario.colluding(workers, units, f, 1, seed));
        }
        List<Scenario> byS = new ArrayList<>();
        for (double s : RATES) {
            byS.add(Scenario.colluding(workers, units, 0.1, s, seed));
        }
        List<Scenario> rejoin = new ArrayList<>();
        for (double s : REJOIN_RATES) {
            rejoin.add(new Scenario(workers, units, 0.1, s, true, true, seed));
        }
        List<Scenario> all = new ArrayList<>(byF);
        all.addAll(byS);
        all.addAll(rejoin);
        Report[][] reports = runAll(policies, all, threads);

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%d workers, %d units, seed %d. Each cell: error rate (wrong accepted results "
                + "/ accepted results) · results computed per unit, spot-checks included.%n%n", workers, units, seed));
        out.append("**Colluding saboteurs that always lie (s = 1), by saboteur fraction f:**\n\n");
        table(out, policies, reports, 0, byF.size(), c -> "f = " + fmt(byF.get(c).saboteurFraction()));
        out.append("\n**Colluding saboteurs, f = 0.1, by sabotage rate s** (a saboteur that lies less often is caught later):\n\n");
        table(out, policies, reports, byF.size(), byS.size(), c -> "s = " + fmt(byS.get(c).sabotageRate()));
        out.append("\n**Sybil attack: a blacklisted saboteur comes straight back under a new identity** (colluding, f = 0.1):\n\n");
        table(out, policies, reports, byF.size() + byS.size(), rejoin.size(), c -> "s = " + fmt(rejoin.get(c).sabotageRate()));
        return out.toString();
    }

    private static Report[][] runAll(List<Policy> policies, List<Scenario> scenarios, int threads) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<List<Future<Report>>> futures = new ArrayList<>();
            int total = policies.size() * scenarios.size();
            AtomicInteger finished = new AtomicInteger();
            for (Policy p : policies) {
                List<Future<Report>> row = new ArrayList<>();
                for (Scenario s : scenarios) {
                    row.add(pool.submit(() -> {
                        Report r = Simulation.run(s, p);
                        System.err.printf(Locale.ROOT, "[%d/%d] %s, f=%s s=%s%s: %s%n", finished.incrementAndGet(), total,
                                p.name(), fmt(s.saboteurFraction()), fmt(s.sabotageRate()), s.rejoin() ? " rejoin" : "", cell(r));
                        return r;
                    }));
                }
                futures.add(row);
            }
            Report[][] out = new Report[policies.size()][scenarios.size()];
            for (int p = 0; p < out.length; p++) {
                for (int s = 0; s < out[p].length; s++) {
                    try {
                        out[p][s] = futures.get(p).get(s).get();
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("simulation failed: " + e.getCause(), e.getCause());
                    }
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void table(StringBuilder out, List<Policy> policies, Report[][] reports, int from, int count,
                              java.util.function.IntFunction<String> header) {
        out.append("| policy |");
        for (int c = 0; c < count; c++) {
            out.append(' ').append(header.apply(c)).append(" |");
        }
        out.append("\n|---|").append("---|".repeat(count)).append('\n');
        for (int p = 0; p < policies.size(); p++) {
            out.append("| ").append(policies.get(p).name()).append(" |");
            for (int c = 0; c < count; c++) {
                out.append(' ').append(cell(reports[p][from + c])).append(" |");
            }
            out.append('\n');
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** One cell: the error rate (2 significant digits, or 0), the cost, and failed units if any. */
    static String cell(Report r) {
        String error = r.wrong() == 0 ? "0" : String.format(Locale.ROOT, "%.2g", r.errorRate());
        String failed = r.failed() == 0 ? "" : String.format(Locale.ROOT, " (%d failed)", r.failed());
        return String.format(Locale.ROOT, "%s · %.2f%s", error, r.redundancy(), failed);
    }
}
