package org.enjambre.coordinator.sched;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * A peer's known answers for spot-checks, per app: at most {@link #PER_APP} each; a unit accepted again replaces its
 * earlier answer. When the pool is full a new answer replaces a random one that is least useful to keep: a provisional
 * answer nobody contradicted, else a confirmed one learned from voting, never one computed here. Half of the checks
 * use a confirmed answer when there is one (only those convict at once). Both found with real saboteurs
 * (bench/scripts/saboteur-swarm.sh): a 150-unit job's learned answers replaced the pool at random, so most checks used
 * provisional answers, a lie against one was only noted, and the answer was often replaced before it was confirmed:
 * colluders lying on half their units passed 14 to 44 checks before one convicted them. Thread-safe (each app's list
 * is its own lock).
 */
final class KnownAnswers {
    static final int PER_APP = 64;

    private final Map<String, List<KnownAnswer>> known = new ConcurrentHashMap<>();
    private final RandomGenerator random;

    KnownAnswers(RandomGenerator random) {
        this.random = random;
    }

    /** Adds {@code a} to {@code app}'s pool (replacing the answer of the same unit, or a random one when full). */
    void remember(String app, KnownAnswer a) {
        List<KnownAnswer> list = known.computeIfAbsent(app, k -> new ArrayList<>());
        synchronized (list) {
            list.removeIf(old -> old.id.equals(a.id));
            if (list.size() < PER_APP) {
                list.add(a);
            } else {
                list.set(victim(list), a);
            }
        }
    }

    /**
     * The index of the answer to replace in a full pool: a random provisional answer without contradictions (it has
     * judged nobody yet), else a random confirmed answer learned from voting; trusted answers stay (one of them is
     * replaced only in a pool of nothing else, which {@link SpotChecks#SEEDED} below {@link #PER_APP} rules out).
     * Answers with contradictions stay until confirmed (they then convict the workers who contradicted them) or
     * outvoted.
     */
    private int victim(List<KnownAnswer> list) {
        int[] unjudged = new int[list.size()];
        int[] learned = new int[list.size()];
        int u = 0;
        int l = 0;
        for (int i = 0; i < list.size(); i++) {
            KnownAnswer a = list.get(i);
            if (a.trusted()) {
                continue;
            }
            if (!a.confirmed() && a.contradictedBy.isEmpty()) {
                unjudged[u++] = i;
            } else if (a.confirmed()) {
                learned[l++] = i;
            }
        }
        if (u > 0) {
            return unjudged[random.nextInt(u)];
        }
        return l > 0 ? learned[random.nextInt(l)] : random.nextInt(list.size());
    }

    /** Whether {@code app} has an answer. */
    boolean has(String app) {
        List<KnownAnswer> list = known.get(app);
        if (list == null) {
            return false;
        }
        synchronized (list) {
            return !list.isEmpty();
        }
    }

    /**
     * A random answer for {@code app} that {@code workerId} did not help compute, a confirmed one with probability
     * one half when there is one (a check against a provisional answer convicts only once the answer is confirmed,
     * and it confirms the answer when passed, so both kinds are needed); {@code null} when there is none.
     */
    KnownAnswer notFrom(String app, String workerId) {
        List<KnownAnswer> list = known.get(app);
        if (list == null) {
            return null;
        }
        synchronized (list) {
            boolean confirmedOnly = random.nextBoolean();
            KnownAnswer a = pick(list, workerId, confirmedOnly);
            return a == null && confirmedOnly ? pick(list, workerId, false) : a;
        }
    }

    /** A random answer of {@code list} not from {@code workerId} (confirmed only, if asked); {@code null} when none. */
    private KnownAnswer pick(List<KnownAnswer> list, String workerId, boolean confirmedOnly) {
        int n = list.size();
        int start = n == 0 ? 0 : random.nextInt(n);
        for (int i = 0; i < n; i++) {
            KnownAnswer a = list.get((start + i) % n);
            if (!a.sources.contains(workerId) && (!confirmedOnly || a.confirmed())) {
                return a;
            }
        }
        return null;
    }

    /** A random answer for {@code app}; {@code null} when there is none. */
    KnownAnswer any(String app) {
        List<KnownAnswer> list = known.get(app);
        if (list == null) {
            return null;
        }
        synchronized (list) {
            return list.isEmpty() ? null : list.get(random.nextInt(list.size()));
        }
    }

    /** The answer of unit {@code id} with {@code output} (a check is judged against the answer it was made from). */
    KnownAnswer find(String app, String id, byte[] output) {
        List<KnownAnswer> list = known.get(app);
        if (list == null || id == null) {
            return null;
        }
        synchronized (list) {
            for (KnownAnswer a : list) {
                if (a.id.equals(id) && Arrays.equals(a.output, output)) {
                    return a;
                }
            }
        }
        return null;
    }

    /** Drops {@code a} from {@code app}'s pool. */
    void forget(String app, KnownAnswer a) {
        List<KnownAnswer> list = known.get(app);
        if (list != null) {
            synchronized (list) {
                list.remove(a);
            }
        }
    }

    /** Drops the provisional answers {@code workerId} helped make. */
    void forgetProvisionalFrom(String workerId) {
        for (List<KnownAnswer> list : known.values()) {
            synchronized (list) {
                list.removeIf(a -> !a.confirmed() && a.sources.contains(workerId));
            }
        }
    }
}
