package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.trust.TrustRules;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one fetch may still hand a worker on probation ({@link TrustRules#inProgressLimit}): the jobs the limit
 * applies to (they spot-check, and this peer has an answer to check their app with: a job whose workers can never be
 * checked must not hold them at four units forever), and how many units of them the worker may take now, given
 * the units of those jobs it holds in progress on this peer. Units held on other peers are not counted: in a
 * cluster the limit is per peer. One instance per fetch; not thread-safe.
 */
final class Probation {
    /** No limit at all: the worker passed its warm-up, or no candidate job spot-checks. */
    static final Probation NONE = new Probation(Set.of(), Long.MAX_VALUE);

    private final Set<String> jobs;
    private long left;

    private Probation(Set<String> jobs, long left) {
        this.jobs = jobs;
        this.left = left;
    }

    /** The probation of {@code worker} for a fetch among {@code candidates}. */
    static Probation of(WorkerRecord worker, List<JobRecord> candidates, TrustRules rules, Checks checks, LocalIndex index) {
        long limit = Long.MAX_VALUE;
        Set<String> limited = new HashSet<>();
        org.enjambre.workunits.trust.Reputation trust = worker.trust();
        for (JobRecord j : candidates) {
            long l = rules.inProgressLimit(trust, JobSpecs.of(j).redundancy());
            if (l != Long.MAX_VALUE && checks.canCheck(j.app())) {
                limited.add(j.id());
                limit = Math.min(limit, l);
            }
        }
        if (limited.isEmpty()) {
            return NONE;
        }
        long held = index.holding(worker.id()).keySet().stream().filter(k -> limited.contains(OwnedUnits.jobOf(k))).count();
        return new Probation(limited, Math.max(0, limit - held));
    }

    /** How many of {@code want} units of {@code jobId} the worker may take now. */
    int allow(String jobId, int want) {
        return jobs.contains(jobId) ? (int) Math.min(want, left) : want;
    }

    /** Notes that the worker took {@code n} units of {@code jobId}. */
    void took(String jobId, int n) {
        if (jobs.contains(jobId)) {
            left = Math.max(0, left - n);
        }
    }
}
