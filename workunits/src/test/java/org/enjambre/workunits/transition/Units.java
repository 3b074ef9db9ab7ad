package org.enjambre.workunits.transition;

import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Shorthands for building work units and events in transitioner tests. */
final class Units {
    static final String JOB = "job";
    static final long SENT_AT = 100;
    static final long DEADLINE = 1_000;
    static final long REPORTED_AT = 500;

    private Units() {
    }

    /** A fresh unit {@code job/0} with the policy replicas/quorum/maxErrors/maxResults. */
    static WorkUnit unit(int replicas, int quorum, int maxErrors, int maxResults) {
        return WorkUnit.create(JOB, 0, new Redundancy(replicas, quorum, maxErrors, maxResults, false));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Event.Issue issue(String workerId) {
        return new Event.Issue(WorkerRef.of(workerId), SENT_AT, DEADLINE);
    }

    static Event.Issue issue(WorkerRef worker) {
        return new Event.Issue(worker, SENT_AT, DEADLINE);
    }

    static Event.Success success(int replica, String workerId, String output) {
        return new Event.Success(replica, workerId, bytes(output), REPORTED_AT);
    }

    static Event.ClientError error(int replica, String workerId) {
        return new Event.ClientError(replica, workerId, "boom", REPORTED_AT);
    }

    /** Applies {@code event} with {@code t}, asserts it was accepted, and returns the new unit. */
    static WorkUnit accept(Transitioner t, WorkUnit unit, Event event) {
        Decision d = t.apply(unit, event);
        assertThat(d.rejection()).as("rejection of %s", event).isNull();
        return d.unit();
    }

    static WorkUnit accept(WorkUnit unit, Event event) {
        return accept(Transitioner.exact(), unit, event);
    }

    /** Issues one replica to each worker, in order. */
    static WorkUnit issued(WorkUnit unit, String... workerIds) {
        for (String w : workerIds) {
            unit = accept(unit, issue(w));
        }
        return unit;
    }
}
