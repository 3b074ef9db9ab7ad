package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.workunits.transition.Event;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Credibility-based acceptance over time (Sarmenta): judges again the units whose results wait for a
 * worker whose credibility rose, and gives one more replica to units whose results cannot become credible
 * in time. Starts no thread and reads time only from its clock.
 */
public final class CredibilityJudge {
    private final LocalIndex index;
    private final OwnedUnits owned;
    private final JobDirectory jobs;
    private final Checks checks;
    private final Clock clock;
    private final long waitMillis;

    CredibilityJudge(LocalIndex index, OwnedUnits owned, JobDirectory jobs, Checks checks, Clock clock, Duration wait) {
        this.index = index;
        this.owned = owned;
        this.jobs = jobs;
        this.checks = checks;
        this.clock = clock;
        this.waitMillis = wait.toMillis();
    }

    /**
     * Judges again the units owned here with results from {@code workerId} not judged yet, now that
     * the worker's credibility is {@code credibility}; durable before it returns. Returns how many changed.
     */
    public int revalidate(String workerId, double credibility) {
        List<String> keys = index.waitingOn(workerId);
        return keys.isEmpty() ? 0 : owned.apply(keys, new Event.Credible(workerId, credibility, clock.millis())).size();
    }

    /**
     * Units owned here whose results have waited for credibility too long get one more replica (or fail at
     * {@code maxResults}): after the credibility wait ({@link org.enjambre.workunits.trust.TrustRules#credibilityWait},
     * seconds, not the job's deadline) when spot-checks could still raise the credibility, at once when
     * nothing can (the job has no spot-checks, or this peer knows no answer to check its app with yet, as in
     * a fresh cluster: voting then produces the first known answers). A unit that already has
     * {@code maxResults} replicas keeps waiting for spot-checks until the job's deadline, then fails.
     * Returns how many changed.
     */
    public int unstick() {
        long now = clock.millis();
        Map<String, Long> waiting = index.waitingSince(now);
        if (waiting.isEmpty()) {
            return 0;
        }
        List<String> stalled = new ArrayList<>();
        Map<String, Optional<JobRecord>> found = new HashMap<>();
        waiting.forEach((key, since) -> {
            Optional<JobRecord> job = found.computeIfAbsent(OwnedUnits.jobOf(key), jobs::find);
            if (job.isEmpty() || job.get().state().terminal()) {
                return;
            }
            JobSpecs.Parsed spec = JobSpecs.of(job.get());
            boolean checkable = spec.redundancy().spotCheckRate() > 0 && checks.canCheck(job.get().app());
            long wait = index.atMaxResults(key) ? spec.deadlineMillis() : Math.min(waitMillis, spec.deadlineMillis());
            if (!checkable || since + wait <= now) {
                stalled.add(key);
            }
        });
        stalled.sort(null); // deterministic order (the index's map is not)
        return stalled.isEmpty() ? 0 : owned.apply(stalled, new Event.Stalled(now)).size();
    }
}
