package org.enjambre.coordinator.sched;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * A peer's known answers for spot-checks, per app: at most {@link #PER_APP} each, a random one replaced when the pool
 * is full; a unit accepted again replaces its earlier answer. Thread-safe (each app's list is its own lock).
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
                list.set(random.nextInt(PER_APP), a);
            }
        }
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

    /** A random answer for {@code app} that {@code workerId} did not help compute; {@code null} when there is none. */
    KnownAnswer notFrom(String app, String workerId) {
        List<KnownAnswer> list = known.get(app);
        if (list == null) {
            return null;
        }
        synchronized (list) {
            int n = list.size();
            int start = n == 0 ? 0 : random.nextInt(n);
            for (int i = 0; i < n; i++) {
                KnownAnswer a = list.get((start + i) % n);
                if (!a.sources.contains(workerId)) {
                    return a;
                }
            }
            return null;
        }
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
