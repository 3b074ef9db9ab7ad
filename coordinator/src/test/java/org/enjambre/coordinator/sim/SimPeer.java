package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.sched.LocalIndex;
import org.enjambre.coordinator.sched.Peers;
import org.enjambre.coordinator.sched.Scheduler;
import org.enjambre.workunits.model.WorkerRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * One simulated coordinator peer: the real scheduling daemons ({@link Scheduler}) over its own
 * {@link LocalIndex} and deferred writes, wired as {@code Coordinator} wires them, and its timers as the
 * simulation's events. Everything here is lost when the peer is killed; a restart is a new incarnation.
 */
final class SimPeer {
    private final int id;
    private final Swarm swarm;
    private boolean alive;
    private int incarnation;
    private long startedAt;
    private LocalIndex index;
    private Scheduler scheduler;
    private PeerStore store;
    /** The partitions its index was last built from. */
    private Set<Integer> covered = new TreeSet<>();
    /** Armed by a fault: the peer dies at its next commit, before it. */
    boolean dieAtNextWrite;

    SimPeer(int id, Swarm swarm) {
        this.id = id;
        this.swarm = swarm;
    }

    /** Starts a new incarnation: fresh index, daemons and timers; the index is built from what it owns now. */
    void start() {
        alive = true;
        dieAtNextWrite = false;
        incarnation++;
        startedAt = swarm.now();
        store = new PeerStore(this, swarm.store());
        index = new LocalIndex(job -> { }, unit -> swarm.assimilator().unitFinished(this, unit));
        scheduler = new Scheduler(new Scheduler.Ports(swarm.table(), index, swarm.jobs(), swarm.workers(), store,
                swarm.checks(), new SimPeers(), swarm.metrics(), swarm.clock(), new SplittableRandom(swarm.random().nextLong())),
                new Scheduler.Placement(true, false));
        rebuild("start");
        // The coordinator's deadline tick: deadlines, credibility waits, and units no connected worker may take.
        every(swarm.deadlineCheckMillis(), "expire", () -> scheduler.deadlines().expire() + scheduler.credibility().unstick()
                + scheduler.placement().check(swarm::connectedWorkers));
        every(5000, "sweep", () -> swarm.assimilator().checkAll(this));
    }

    /** Dies at once, as {@code kill -9}: deferred writes lost, timers stop. */
    void kill() {
        alive = false;
        store.crash();
    }

    /** Rebuilds the index from the units of the partitions this peer owns now (as after a migration). */
    void rebuild(String why) {
        covered = swarm.partitions().ownedNow(id);
        index.rebuild(swarm.unitsOf(covered));
        swarm.log(name(), "index rebuilt (" + why + "): " + covered.size() + " partitions");
    }

    /** Runs {@code action} every {@code period} ms (later when the peer's timers are starved) while this incarnation lives. */
    private void every(long period, String what, java.util.function.IntSupplier action) {
        int inc = incarnation;
        swarm.after(period + swarm.timerLag(), () -> {
            if (!alive || incarnation != inc) {
                return;
            }
            try {
                int n = action.getAsInt();
                if (n > 0) {
                    swarm.log(name(), what + ": " + n);
                }
            } catch (PeerStore.PeerDied e) {
                return;
            }
            every(period, what, action);
        });
    }

    /** Runs {@code action} on this incarnation after {@code delay} ms (plus starvation), unless it died meanwhile. */
    void later(long delay, Runnable action) {
        int inc = incarnation;
        swarm.after(delay + swarm.timerLag(), () -> {
            if (alive && incarnation == inc) {
                try {
                    action.run();
                } catch (PeerStore.PeerDied e) {
                    // the peer died in the middle: what it changed in the cluster stays, its answer is lost
                }
            }
        });
    }

    boolean alive() {
        return alive;
    }

    int id() {
        return id;
    }

    int incarnation() {
        return incarnation;
    }

    long startedAt() {
        return startedAt;
    }

    String name() {
        return "p" + id;
    }

    Swarm swarm() {
        return swarm;
    }

    LocalIndex index() {
        return index;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    PeerStore store() {
        return store;
    }

    Set<Integer> covered() {
        return covered;
    }

    /** The other peers as this one sees them: questions answered by the live peers' real daemons. */
    private final class SimPeers implements Peers {
        @Override
        public List<String> readyElsewhere(WorkerRef worker, Set<String> apps, int n) {
            List<String> keys = new ArrayList<>();
            for (SimPeer p : swarm.peers()) {
                if (p == SimPeer.this || !p.alive) {
                    continue;
                }
                // What Coordinator.PeerHandler.readyUnits answers: ready units of running jobs of the worker's apps.
                for (String jobId : new TreeSet<>(p.index.readyJobs())) {
                    JobRecord j = swarm.jobs().find(jobId).orElse(null);
                    if (j == null || j.state().terminal() || !apps.contains(j.app()) || keys.size() >= n) {
                        continue;
                    }
                    for (LocalIndex.Ready r : p.index.ready(jobId, worker, n - keys.size(), 256)) {
                        keys.add(r.key());
                    }
                }
            }
            return keys;
        }

        @Override
        public void credibilityRaised(String workerId, double credibility) {
            for (SimPeer p : swarm.peers()) {
                if (p.alive) {
                    swarm.network().deliver(name() + ">" + p.name() + " credible " + workerId, () -> p.later(0,
                            () -> p.scheduler.credibility().revalidate(workerId, credibility)));
                }
            }
        }

        @Override
        public int releaseEverywhere(String workerId, Set<String> keep, String reason) {
            int released = 0;
            for (SimPeer p : swarm.peers()) {
                if (p.alive) {
                    released += p.scheduler.releaser().release(workerId, keep, reason);
                }
            }
            swarm.log(name(), "released " + released + " replicas of " + workerId + " everywhere");
            return released;
        }
    }
}
