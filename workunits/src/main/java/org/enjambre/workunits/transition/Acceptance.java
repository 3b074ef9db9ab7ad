package org.enjambre.workunits.transition;

import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.spec.Redundancy;

import java.util.List;

/**
 * The rule that decides when a work unit's agreeing results are enough to accept one of them, and
 * how many more replicas it needs when they are not. The {@link Transitioner} asks it every time a
 * unit that is not terminal changes; the default is BOINC's plain quorum, {@link #quorum()}.
 *
 * <p>Implementations must be thread-safe and must not change anything: the transitioner may call
 * them from any thread, as often as it likes.
 */
public interface Acceptance {

    /**
     * Judges a unit that is not terminal.
     *
     * @param policy the unit's redundancy policy
     * @param tasks  all its replicas, as they are now
     * @param groups its successful results that still carry an output, grouped by agreement with each
     *               group's first member (every success is a candidate; groups may overlap under a
     *               tolerance, and are never repeated), in candidate order
     * @return which group to accept, or how many more replicas to create
     */
    Verdict judge(Redundancy policy, List<Task> tasks, List<List<Task>> groups);

    /** What a unit needs to be accepted, for failure messages, e.g. {@code "2 agreeing results"}. */
    String requirement(Redundancy policy);

    /**
     * The outcome of {@link #judge}: accept group {@code accept}, or (when it is -1) create
     * {@code moreReplicas} replicas (0: wait for the results in progress, or for credibility).
     */
    record Verdict(int accept, int moreReplicas) {
        public Verdict {
            if (accept < -1 || moreReplicas < 0 || (accept >= 0 && moreReplicas != 0)) {
                throw new IllegalArgumentException("invalid verdict: accept " + accept + ", moreReplicas " + moreReplicas);
            }
        }

        /** Accept group {@code group} as the canonical result. */
        public static Verdict accept(int group) {
            return new Verdict(group, 0);
        }

        /** Accept nothing yet; create {@code replicas} more (0 to wait). */
        public static Verdict pending(int replicas) {
            return new Verdict(-1, replicas);
        }

        public boolean accepted() {
            return accept >= 0;
        }
    }

    /**
     * BOINC's rule: the largest group of at least {@code quorum} agreeing results wins (the first one on
     * a tie); otherwise create enough replicas to keep {@code replicas} results coming and to make a
     * quorum possible.
     */
    static Acceptance quorum() {
        return Quorum.INSTANCE;
    }

    /** The plain quorum rule; see {@link Acceptance#quorum()}. */
    enum Quorum implements Acceptance {
        INSTANCE;

        @Override
        public Verdict judge(Redundancy p, List<Task> tasks, List<List<Task>> groups) {
            int best = -1;
            int largest = 0;
            for (int i = 0; i < groups.size(); i++) {
                int size = groups.get(i).size();
                if (size >= p.quorum() && (best < 0 || size > groups.get(best).size())) {
                    best = i;
                }
                largest = Math.max(largest, size);
            }
            if (best >= 0) {
                return Verdict.accept(best);
            }
            long live = 0;
            long successes = 0;
            for (Task t : tasks) {
                if (t.state() != TaskState.OVER) {
                    live++;
                } else if (t.success()) {
                    successes++;
                }
            }
            // Without these, a quorum is out of reach even if every live replica agrees with the largest group.
            long forQuorum = p.quorum() - largest - live;
            if (Transitioner.counted(tasks) + forQuorum > p.maxResults()) {
                return Verdict.pending((int) forQuorum); // more than maxResults allows: the unit fails
            }
            // These keep `replicas` results done or under way; only as many as maxResults still allows.
            long forTarget = p.replicas() - (successes + live);
            long needed = Math.min(Math.max(forQuorum, forTarget), p.maxResults() - Transitioner.counted(tasks));
            return Verdict.pending((int) Math.max(0, needed));
        }

        @Override
        public String requirement(Redundancy p) {
            return p.quorum() + " agreeing results";
        }
    }
}
