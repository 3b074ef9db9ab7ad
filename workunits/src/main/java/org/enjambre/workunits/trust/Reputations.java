package org.enjambre.workunits.trust;

import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.transition.Decision;
import org.enjambre.workunits.transition.Effect;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The reputations of workers and of accounts, kept in memory. Every change to a worker's reputation is
 * applied to its account's too, so an account sums its workers, and a worker is barred when either is
 * blacklisted (a saboteur cannot start over with a fresh worker under the same account).
 *
 * <p>Thread-safe: each record is changed atomically (a worker's and its account's one after the other,
 * not together). A clustered coordinator keeps the same {@link Reputation} records in its own store
 * and applies the same transitions.
 */
public final class Reputations {
    private final Map<String, Reputation> workers = new ConcurrentHashMap<>();
    private final Map<String, Reputation> accounts = new ConcurrentHashMap<>();

    /** The reputation of worker {@code workerId}, {@link Reputation#NEW} when unknown. */
    public Reputation worker(String workerId) {
        return workers.getOrDefault(workerId, Reputation.NEW);
    }

    /** The reputation of account {@code accountId}, {@link Reputation#NEW} when unknown. */
    public Reputation account(String accountId) {
        return accounts.getOrDefault(accountId, Reputation.NEW);
    }

    /** Whether {@code worker} or its account is blacklisted. */
    public boolean blacklisted(WorkerRef worker) {
        return worker(worker.workerId()).blacklisted()
                || (worker.accountId() != null && account(worker.accountId()).blacklisted());
    }

    /** Applies {@code change} to the worker and its account (when it has one); returns the worker's new reputation. */
    public Reputation update(WorkerRef worker, UnaryOperator<Reputation> change) {
        Objects.requireNonNull(change, "change");
        Reputation after = workers.compute(worker.workerId(), (k, r) -> change.apply(r == null ? Reputation.NEW : r));
        if (worker.accountId() != null) {
            accounts.compute(worker.accountId(), (k, r) -> change.apply(r == null ? Reputation.NEW : r));
        }
        return after;
    }

    /** Records what a transition judged: valid and invalid results, errors and missed deadlines. */
    public void record(Decision decision) {
        record(decision.unit(), decision.effects());
    }

    /** Records the {@link Effect.Judged} and {@link Effect.Errored} effects of a transition that produced {@code unit}. */
    public void record(WorkUnit unit, Iterable<Effect> effects) {
        for (Effect e : effects) {
            if (e instanceof Effect.Judged j) {
                update(ref(unit, j.replica(), j.workerId()), j.valid() ? Reputation::withValid : Reputation::withInvalid);
            } else if (e instanceof Effect.Errored x) {
                update(ref(unit, x.replica(), x.workerId()), Reputation::withError);
            }
        }
    }

    private static WorkerRef ref(WorkUnit unit, int replica, String workerId) {
        Task t = replica < unit.tasks().size() ? unit.task(replica) : null;
        return t != null && t.worker() != null && t.worker().workerId().equals(workerId) ? t.worker() : WorkerRef.of(workerId);
    }
}
