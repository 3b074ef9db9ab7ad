package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.WorkerRecord;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Spot-checks with one known answer ("42") for the noop app; due always or never. */
final class FakeChecks implements Checks {
    private final boolean due;
    private final Map<String, String> sent = new HashMap<>();
    private int next;

    FakeChecks(boolean due) {
        this.due = due;
    }

    @Override
    public boolean canCheck(String app) {
        return true;
    }

    @Override
    public boolean due(WorkerRecord worker, double rate) {
        return due && rate > 0;
    }

    @Override
    public Optional<Scheduler.Assignment> create(WorkerRecord worker, long now, long deadline) {
        String id = SpotChecks.PREFIX + (next++) + "/0/0";
        sent.put(id, worker.id());
        return Optional.of(new Scheduler.Assignment(id, "noop", "42".getBytes(), deadline, 0.001, null));
    }

    @Override
    public SpotChecks.Verdict judge(String id, String workerId, byte[] output) {
        String to = sent.get(id);
        if (to == null) {
            return SpotChecks.Verdict.UNKNOWN;
        }
        if (!to.equals(workerId)) {
            return SpotChecks.Verdict.NOT_YOURS;
        }
        sent.remove(id);
        if (output == null) {
            return SpotChecks.Verdict.ERRORED;
        }
        return new String(output).equals("42") ? SpotChecks.Verdict.PASSED : SpotChecks.Verdict.FAILED;
    }
}
