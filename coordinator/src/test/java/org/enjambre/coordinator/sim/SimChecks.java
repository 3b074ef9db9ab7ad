package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.sched.Checks;
import org.enjambre.coordinator.sched.Scheduler;
import org.enjambre.coordinator.sched.SpotChecks;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.App;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Spot-checks for the simulation: one known primes answer (from the {@link Oracle}), pending checks
 * cluster-wide (like the {@code spotchecks} map: lost when the whole cluster restarts), randomness from the
 * run's seed. A test double for {@link SpotChecks}, whose pending map is a Hazelcast map.
 */
final class SimChecks implements Checks {
    private record Pending(String workerId, byte[] expected, long deadline) {
    }

    private final App app;
    private final SplittableRandom random;
    private final byte[] input;
    private final TreeMap<String, Pending> pending = new TreeMap<>();
    private long next;

    SimChecks(App primes, SplittableRandom random) {
        this.app = primes;
        this.random = random;
        this.input = "{\"from\":2,\"to\":3000}".getBytes(StandardCharsets.UTF_8);
    }

    /** Forgets every pending check (the cluster map is not stored). */
    void clear() {
        pending.clear();
    }

    @Override
    public boolean canCheck(String appName) {
        return appName.equals(app.name());
    }

    @Override
    public boolean due(WorkerRecord worker, double rate) {
        return rate > 0 && random.nextDouble() < rate;
    }

    @Override
    public Optional<Scheduler.Assignment> create(WorkerRecord worker, long now, long deadline) {
        if (!worker.apps().contains(app.name())) {
            return Optional.empty();
        }
        String id = SpotChecks.PREFIX + (next++) + "/0/0";
        pending.put(id, new Pending(worker.id(), Oracle.answer(app, input), deadline));
        return Optional.of(new Scheduler.Assignment(id, app.name(), input, deadline, 0.001, null));
    }

    @Override
    public SpotChecks.Verdict judge(String id, String workerId, byte[] output) {
        Pending p = pending.get(id);
        if (p == null) {
            return SpotChecks.Verdict.UNKNOWN;
        }
        if (!p.workerId().equals(workerId)) {
            return SpotChecks.Verdict.NOT_YOURS;
        }
        pending.remove(id);
        if (output == null) {
            return SpotChecks.Verdict.ERRORED;
        }
        return Arrays.equals(output, p.expected()) ? SpotChecks.Verdict.PASSED : SpotChecks.Verdict.FAILED;
    }
}
