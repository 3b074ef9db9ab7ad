package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.metrics.Metrics;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs many seeds and sums them up by mix. Also a main class for long runs from a shell:
 * {@code java -cp <test classpath> org.enjambre.coordinator.sim.SimRunner SEEDS [FIRST] [MIX]}.
 */
final class SimRunner {
    /** The mixes a run without a fixed mix cycles through, seed by seed. */
    static final List<Set<Fault>> MIXES = List.of(
            Fault.NONE,
            EnumSet.of(Fault.PEER_KILL),
            EnumSet.of(Fault.PEER_KILL, Fault.SLOW_TIMERS),
            EnumSet.of(Fault.FULL_RESTART),
            EnumSet.of(Fault.WORKER_CHURN),
            EnumSet.of(Fault.SABOTEURS),
            EnumSet.of(Fault.NETWORK),
            EnumSet.of(Fault.PARTITION_MOVE, Fault.SLOW_TIMERS),
            EnumSet.allOf(Fault.class));

    static final Metrics METRICS = new Metrics();

    /** What many seeds gave. */
    record Summary(String table, List<SimFailure> failures) {
    }

    private SimRunner() {
    }

    static Set<Fault> mixOf(long seed, String fixed) {
        return fixed != null ? Fault.parse(fixed) : MIXES.get((int) Math.floorMod(seed, (long) MIXES.size()));
    }

    static Summary run(long start, int seeds, String fixedMix) {
        Map<String, long[]> byMix = new TreeMap<>(); // runs, failures, completed, failed, wrong units, wrong jobs, events
        List<SimFailure> failures = new ArrayList<>();
        List<SimFailure> known = new ArrayList<>();
        Map<String, long[]> byPolicy = new TreeMap<>(); // completed jobs, wrong ones
        long t0 = System.nanoTime();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        for (long seed = start; seed < start + seeds; seed++) {
            Set<Fault> mix = mixOf(seed, fixedMix);
            long[] row = byMix.computeIfAbsent(mix.size() == Fault.values().length ? "all" : SimFailure.mix(mix), k -> new long[8]);
            row[0]++;
            try {
                Swarm.Result r = new Swarm(seed, mix, METRICS).run();
                row[2] += r.stats().completed();
                row[3] += r.stats().failed();
                row[4] += r.stats().wrongUnits();
                row[5] += r.stats().wrongJobs();
                row[6] += r.events();
                r.stats().byPolicy().forEach((policy, n) -> {
                    long[] p = byPolicy.computeIfAbsent(policy, k -> new long[2]);
                    p[0] += n[0];
                    p[1] += n[1];
                });
            } catch (SimFailure f) {
                if (f.known) {
                    row[7]++;
                    known.add(f);
                } else {
                    row[1]++;
                    failures.add(f);
                }
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
        StringBuilder b = new StringBuilder(String.format("simulation: %d seeds from %d in %.1f s (%.1f s of CPU, %.1f ms per seed)%n",
                seeds, start, secs, cpu, 1000 * cpu / Math.max(1, seeds)));
        b.append(String.format("  %-42s %6s %5s %6s %9s %6s %6s %6s %10s%n", "mix", "runs", "fail", "stuck", "jobs done", "failed",
                "wrongU", "wrongJ", "events"));
        byMix.forEach((mix, r) -> b.append(String.format("  %-42s %6d %5d %6d %9d %6d %6d %6d %10d%n",
                mix, r[0], r[1], r[7], r[2], r[3], r[4], r[5], r[6])));
        byPolicy.forEach((policy, n) -> b.append(String.format("  policy %-62s jobs completed %6d  wrong %5d (%.2f %%)%n",
                policy, n[0], n[1], 100.0 * n[1] / Math.max(1, n[0]))));
        for (SimFailure f : known) {
            b.append("  stuck seed ").append(f.seed).append(": ").append(f.what, 0, Math.min(90, f.what.length())).append('\n');
        }
        for (SimFailure f : failures) {
            b.append("  FAILED seed ").append(f.seed).append(": ").append(f.what.lines().findFirst().orElse("")).append('\n');
        }
        return new Summary(b.toString(), failures);
    }

    public static void main(String[] args) {
        int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        long start = args.length > 1 ? Long.parseLong(args[1]) : 1;
        String mix = args.length > 2 ? args[2] : null;
        Summary s = run(start, seeds, mix);
        System.out.println(s.table());
        if (!s.failures().isEmpty()) {
            System.out.println(s.failures().get(0).getMessage());
            System.exit(1);
        }
    }
}
