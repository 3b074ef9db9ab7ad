package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.cluster.PeerQuestion;
import org.enjambre.coordinator.jobs.Assimilator;
import org.enjambre.coordinator.jobs.JobViews;
import org.enjambre.coordinator.sched.ClusterPeers;
import org.enjambre.coordinator.sched.LocalIndex;
import org.enjambre.coordinator.sched.PeerAnswers;
import org.enjambre.coordinator.sched.Scheduler;
import org.enjambre.coordinator.sched.SpotChecks;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * One simulated coordinator peer, wired as {@code Coordinator} wires one: the real scheduling daemons
 * ({@link Scheduler}) over its own {@link LocalIndex} and deferred writes, the real {@link Assimilator} (its checks
 * as the simulation's events), the real {@link PeerAnswers} answering the other peers and the real
 * {@link ClusterPeers} asking them (over {@link SimTransport}), and its timers as the simulation's events.
 * Everything here is lost when the peer is killed; a restart is a new incarnation.
 */
final class SimPeer {
    private final int id;
    private final Swarm swarm;
    private boolean alive;
    private int incarnation;
    private long startedAt;
    private LocalIndex index;
    private Scheduler scheduler;
    private Assimilator assimilator;
    private PeerAnswers answers;
    private PeerStore store;
    private SpotChecks checks;
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
        // The production spot-checks, one per incarnation (known answers live in a peer's memory), learning answers
        // inline, with the run's randomness; pending checks are cluster-wide.
        checks = new SpotChecks(swarm.pendingChecks(), swarm.apps(), new SplittableRandom(swarm.random().nextLong()), Runnable::run);
        index = new LocalIndex(job -> { }, unit -> {
            assimilator.unitFinished(unit);
            if (unit.state() == org.enjambre.workunits.model.UnitState.DONE) {
                checks.learn(unit, swarm.jobs()::find);
            }
        });
        SimTransport transport = new SimTransport(this);
        int inc = incarnation;
        answers = new PeerAnswers(index, id -> swarm.jobs().find(id).orElse(null),
                () -> new PeerQuestion.PeerStatus(name(), 0, index.readyCount(), 0, null, 0), () -> scheduler,
                () -> !alive || incarnation != inc);
        // The assimilator's thread: each check a later event of this incarnation, in order (1-50 ms apart).
        assimilator = new Assimilator(swarm.jobs(), swarm.table(), store, swarm.apps(),
                new JobViews(swarm.jobs(), swarm.table(), store, swarm.apps(), transport), swarm.clock(),
                check -> later(swarm.random().nextLong(1, 50), check), (millis, check) -> later(millis, check));
        scheduler = new Scheduler(new Scheduler.Ports(swarm.table(), index, swarm.jobs(), swarm.workers(), store,
                checks, new ClusterPeers(transport), swarm.metrics(), swarm.clock(),
                new SplittableRandom(swarm.random().nextLong())), new Scheduler.Placement(true, false));
        rebuild("start");
        // The coordinator's deadline tick: deadlines, credibility waits, and units no connected worker may take.
        every(swarm.deadlineCheckMillis(), "expire", () -> scheduler.deadlines().expire() + scheduler.credibility().unstick()
                + scheduler.releaser().sweep(id -> swarm.workers().get(id) == null || swarm.workers().get(id).blacklisted()) + scheduler.placement().check(swarm::connectedWorkers));
        every(5000, "sweep", () -> {
            assimilator.checkAll();
            return 0;
        });
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

    /** How this incarnation answers the other peers' questions (production code). */
    PeerAnswers answers() {
        return answers;
    }

    PeerStore store() {
        return store;
    }

    Set<Integer> covered() {
        return covered;
    }
}
