package org.enjambre.coordinator.cluster;

import org.enjambre.workunits.model.WorkerRef;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One question a coordinator peer asks (or tells) the others, answered by each from what it owns. One named
 * record per question, each with a fixed kind id ({@link PeerCodec}) and an answer type; nothing else (no
 * lambdas, no strings to parse) crosses the network between peers.
 *
 * @param <A> the answer's type ({@link Void} for a tell); Hazelcast-native ({@code long[]}, {@code String[]},
 *            {@code Integer}) or registered in {@link Serializers}
 */
public sealed interface PeerQuestion<A> {

    /** Answers this question with {@code peer}'s handler. */
    A answer(Handler peer);

    /** What a peer answers with: one method per question. Called on the peer's executor threads. */
    interface Handler {
        long[] unitCounts(String jobId);

        long[] taskCounts(String jobId);

        /** Unit and task counts of those of {@code jobIds} this peer owns units of (others left out). */
        JobCounts jobCounts(Set<String> jobIds);

        PeerStatus status();

        String[] readyUnits(WorkerRef worker, Set<String> apps, int max);

        void credibilityRaised(String workerId, double credibility);

        int releaseReplicas(String workerId, Set<String> keep, String reason);
    }

    /** Units of a job this peer owns, by state ordinal, then the {@code jobs/UnitCounts} slots (waiting, no eligible worker). */
    record CountUnits(String jobId) implements PeerQuestion<long[]> {
        @Override
        public long[] answer(Handler peer) {
            return peer.unitCounts(jobId);
        }
    }

    /** Task counters of a job's units this peer owns ({@code JobCounters} indexes). */
    record CountTasks(String jobId) implements PeerQuestion<long[]> {
        @Override
        public long[] answer(Handler peer) {
            return peer.taskCounts(jobId);
        }
    }

    /**
     * Unit and task counts of many jobs at once (job views: one question per peer for the whole list, not two per
     * job). Answered with the counts of those jobs this peer owns units of.
     */
    record CountJobs(Set<String> jobIds) implements PeerQuestion<JobCounts> {
        public CountJobs {
            jobIds = Set.copyOf(jobIds);
        }

        @Override
        public JobCounts answer(Handler peer) {
            return peer.jobCounts(jobIds);
        }
    }

    /** This peer's identity and load (cluster view, stats). */
    record Describe() implements PeerQuestion<PeerStatus> {
        @Override
        public PeerStatus answer(Handler peer) {
            return peer.status();
        }
    }

    /** Keys of up to {@code max} ready units this peer owns that {@code worker} may take (work stealing). */
    record FindReady(WorkerRef worker, Set<String> apps, int max) implements PeerQuestion<String[]> {
        public FindReady {
            apps = Set.copyOf(apps);
        }

        @Override
        public String[] answer(Handler peer) {
            return peer.readyUnits(worker, apps, max);
        }
    }

    /** A worker passed spot-checks: judge again the results of it that wait for credibility (a tell). */
    record CredibilityRaised(String workerId, double credibility) implements PeerQuestion<Void> {
        @Override
        public Void answer(Handler peer) {
            peer.credibilityRaised(workerId, credibility);
            return null;
        }
    }

    /**
     * Release every replica {@code workerId} holds in progress on units this peer owns, except those whose task id
     * is in {@code keep}: they are reissued at once, not the worker's fault (blacklisting, revocation,
     * deregistration, a worker's sync). Answered with how many were released here.
     */
    record ReleaseReplicas(String workerId, Set<String> keep, String reason) implements PeerQuestion<Integer> {
        public ReleaseReplicas {
            keep = Set.copyOf(keep);
        }

        @Override
        public Integer answer(Handler peer) {
            return peer.releaseReplicas(workerId, keep, reason);
        }
    }

    /**
     * A peer's identity and load; {@code workers}: distinct workers whose fetch or report reached this peer in the
     * last minute (a worker that talks to two peers counts on both).
     */
    record PeerStatus(String id, long units, long readyUnits, long tasksReported, String http, long workers) {
    }

    /** One job's counts on one peer: units by {@code UnitState} ordinal, tasks by {@code JobCounters} index. */
    record Counts(long[] units, long[] tasks) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Counts c && java.util.Arrays.equals(units, c.units) && java.util.Arrays.equals(tasks, c.tasks);
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Arrays.hashCode(units) + java.util.Arrays.hashCode(tasks);
        }

        @Override
        public String toString() {
            return "Counts" + java.util.Arrays.toString(units) + java.util.Arrays.toString(tasks);
        }
    }

    /** The answer to {@link CountJobs}: job id to that job's counts on the answering peer. */
    record JobCounts(Map<String, Counts> byJob) {
        public JobCounts {
            byJob = Map.copyOf(byJob);
        }
    }

    /** All questions, for tests that go through every kind. */
    static List<Class<?>> kinds() {
        return List.of(CountUnits.class, CountTasks.class, Describe.class, FindReady.class, CredibilityRaised.class,
                ReleaseReplicas.class, CountJobs.class);
    }
}
