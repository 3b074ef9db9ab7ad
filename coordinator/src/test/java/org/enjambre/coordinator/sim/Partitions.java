package org.enjambre.coordinator.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The simulated partition table: unit key → partition → owner peer, as Hazelcast's. When a peer dies its
 * partitions are promoted on the surviving peers (their backups); when one joins, partitions migrate to it.
 * A moved partition's changes go to its new owner at once (operations wait for the move, then run there), but
 * the new owner's index holds its units only after a rebuild that runs once the move completed
 * ({@link #ownedNow}). The coordinator rebuilds on {@code migrationFinished} (fired to every peer, unless the
 * master that ran the migration died first) and 0.5 s and 3 s after a membership change.
 */
final class Partitions {
    static final int COUNT = 16;
    private final Swarm swarm;
    private final int[] owner = new int[COUNT];
    private final long[] ownedSince = new long[COUNT];

    Partitions(Swarm swarm) {
        this.swarm = swarm;
        java.util.Arrays.fill(owner, -1);
    }

    static int of(String key) {
        return Math.floorMod(key.hashCode() * 0x9E3779B1, COUNT);
    }

    /** The peer that owns (or is about to own) the partition of {@code key}, or -1. */
    int owner(String key) {
        return owner[of(key)];
    }

    /** Partitions whose move to {@code peer} completed by now. */
    Set<Integer> ownedNow(int peer) {
        Set<Integer> out = new TreeSet<>();
        for (int p = 0; p < COUNT; p++) {
            if (owner[p] == peer && ownedSince[p] <= swarm.now()) {
                out.add(p);
            }
        }
        return out;
    }

    /** Partitions assigned to {@code peer}, moves finished or not. */
    Set<Integer> assigned(int peer) {
        Set<Integer> out = new TreeSet<>();
        for (int p = 0; p < COUNT; p++) {
            if (owner[p] == peer) {
                out.add(p);
            }
        }
        return out;
    }

    /** Every partition to the live peers, round-robin, owned at once (a cluster starting from the store). */
    void assignAll(List<SimPeer> live) {
        for (int p = 0; p < COUNT; p++) {
            owner[p] = live.get(p % live.size()).id();
            ownedSince[p] = swarm.now();
        }
    }

    /**
     * Membership changed: partitions without a live owner go to the live peer with fewest, and a peer
     * with none takes a fair share; each move completes after {@code moveMillis}. Then the peers hear of it.
     */
    void rebalance(List<SimPeer> live, long moveMillis, String why) {
        if (live.isEmpty()) {
            return;
        }
        SimPeer master = live.get(0);
        for (SimPeer p : live) {
            if (p.startedAt() < master.startedAt()) {
                master = p;
            }
        }
        int moved = 0;
        long done = swarm.now() + moveMillis;
        for (int p = 0; p < COUNT; p++) {
            if (!isLive(owner[p], live)) {
                move(p, fewest(live), done);
                moved++;
            }
        }
        int fair = COUNT / live.size();
        for (SimPeer newcomer : live) {
            while (assigned(newcomer.id()).size() < fair) {
                int from = most(live);
                move(assigned(from).iterator().next(), newcomer, done);
                moved++;
            }
        }
        swarm.log("cluster", why + ": " + moved + " partitions move, done in " + moveMillis + " ms");
        final SimPeer ranBy = master;
        final int ranByIncarnation = master.incarnation();
        for (SimPeer p : live) {
            int inc = p.incarnation();
            for (long delay : new long[]{500, 3000}) {
                p.later(delay, () -> p.rebuild("membership +" + delay + " ms"));
            }
            // migrationFinished: sent by the master when every planned move is done (a new plan includes the
            // moves of an earlier one cut short), to every peer's listener.
            swarm.after(lastMove() - swarm.now() + swarm.random().nextLong(5, 200), () -> {
                if (!ranBy.alive() || ranBy.incarnation() != ranByIncarnation) {
                    swarm.log(p.name(), "migrationFinished never comes: " + ranBy.name() + " died");
                } else if (p.alive() && p.incarnation() == inc) {
                    p.later(0, () -> p.rebuild("migrationFinished"));
                }
            });
        }
    }

    private long lastMove() {
        long last = swarm.now();
        for (long t : ownedSince) {
            last = Math.max(last, t);
        }
        return last;
    }

    private void move(int partition, SimPeer to, long done) {
        owner[partition] = to.id();
        ownedSince[partition] = done;
    }

    private static boolean isLive(int peer, List<SimPeer> live) {
        for (SimPeer p : live) {
            if (p.id() == peer) {
                return true;
            }
        }
        return false;
    }

    private SimPeer fewest(List<SimPeer> live) {
        SimPeer best = live.get(0);
        for (SimPeer p : live) {
            if (assigned(p.id()).size() < assigned(best.id()).size()) {
                best = p;
            }
        }
        return best;
    }

    private int most(List<SimPeer> live) {
        SimPeer best = live.get(0);
        for (SimPeer p : live) {
            if (assigned(p.id()).size() > assigned(best.id()).size()) {
                best = p;
            }
        }
        return best.id();
    }

    /** Whether every partition's move completed and each live peer's index was built from exactly what it owns. */
    boolean settled(List<SimPeer> live) {
        for (int p = 0; p < COUNT; p++) {
            if (ownedSince[p] > swarm.now()) {
                return false;
            }
        }
        for (SimPeer p : live) {
            if (!p.covered().equals(assigned(p.id()))) {
                return false;
            }
        }
        return true;
    }

    List<Integer> all() {
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p < COUNT; p++) {
            out.add(p);
        }
        return out;
    }
}
