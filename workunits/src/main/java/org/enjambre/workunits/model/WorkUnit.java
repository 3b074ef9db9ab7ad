package org.enjambre.workunits.model;

import org.enjambre.workunits.spec.Redundancy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One work unit with all its replicas: the aggregate that is changed in one place, atomically,
 * by {@link org.enjambre.workunits.transition.Transitioner}. Immutable.
 *
 * @param jobId     the job it belongs to
 * @param index     its position in the job, 0-based; outputs merge in this order
 * @param policy    the job's redundancy policy
 * @param state     needs replicas, in progress, done, failed
 * @param tasks     its replicas, indexed by replica number
 * @param canonical the replica whose output is the accepted result, or -1
 * @param failure   why it failed, when {@link UnitState#FAILED}
 * @param version   incremented on every change; storage keeps the highest
 */
public record WorkUnit(String jobId, int index, Redundancy policy, UnitState state, List<Task> tasks,
                       int canonical, String failure, long version) {
    public WorkUnit {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(state, "state");
        tasks = List.copyOf(tasks);
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i).replica() != i) {
                throw new IllegalArgumentException("task " + i + " has replica number " + tasks.get(i).replica());
            }
        }
        if ((state == UnitState.DONE) != (canonical >= 0)) {
            throw new IllegalArgumentException("a unit has a canonical result exactly when it is done");
        }
        if (canonical >= tasks.size() || canonical < -1) {
            throw new IllegalArgumentException("canonical replica " + canonical + " is not one of the unit's "
                    + tasks.size() + " replicas");
        }
    }

    /** A new unit with {@code policy.replicas()} unsent replicas. */
    public static WorkUnit create(String jobId, int index, Redundancy policy) {
        Task[] tasks = new Task[policy.replicas()];
        for (int i = 0; i < tasks.length; i++) {
            tasks[i] = Task.unsent(i);
        }
        return new WorkUnit(jobId, index, policy, UnitState.NEEDS_REPLICAS, List.of(tasks), -1, null, 0);
    }

    /** The unit's id, {@code jobId/index}. */
    public String id() {
        return id(jobId, index);
    }

    public static String id(String jobId, int index) {
        return jobId + "/" + index;
    }

    public Task task(int replica) {
        return tasks.get(replica);
    }

    /** The accepted output, once done. */
    public Optional<byte[]> canonicalOutput() {
        return canonical < 0 ? Optional.empty() : Optional.ofNullable(tasks.get(canonical).output());
    }

    public long count(TaskState s) {
        long n = 0;
        for (int i = 0; i < tasks.size(); i++) { // not a stream: counted on every change of every unit
            if (tasks.get(i).state() == s) {
                n++;
            }
        }
        return n;
    }

    public boolean terminal() {
        return state.terminal();
    }
}
