package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.sched.Scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One simulated volunteer: polls a random live peer for work, computes the real app's answer (or not,
 * by its kind), reports until a peer acknowledges, and may crash and come back with or without its data.
 */
final class SimWorker {
    /** How a worker behaves. */
    enum Kind { HONEST, SLOW, FLAKY, CRASHING, SABOTEUR }

    /** Tasks a worker runs at once. */
    private static final int SLOTS = 2;

    final String id;
    final Kind kind;
    private final Swarm swarm;
    private final SplittableRandom random;
    private final double lieRate;
    private boolean up = true;
    private int life;
    private final TreeMap<String, Scheduler.Assignment> running = new TreeMap<>();
    private final TreeMap<String, Scheduler.Report> unacked = new TreeMap<>();
    private final List<List<Scheduler.Report>> history = new ArrayList<>();

    SimWorker(String id, Kind kind, Swarm swarm, SplittableRandom random, double lieRate) {
        this.id = id;
        this.kind = kind;
        this.swarm = swarm;
        this.random = random;
        this.lieRate = lieRate;
    }

    void start() {
        pollLater(random.nextLong(0, 2000));
    }

    private void pollLater(long delay) {
        int l = life;
        swarm.after(delay, () -> {
            if (up && l == life) {
                poll();
                pollLater(random.nextLong(500, 3000));
            }
        });
    }

    private void poll() {
        if (!unacked.isEmpty()) {
            report();
        }
        if (running.size() < SLOTS) {
            fetch(SLOTS - running.size());
        }
    }

    private void fetch(int max) {
        SimPeer peer = swarm.anyLivePeer(random);
        if (peer == null) {
            return;
        }
        int l = life;
        swarm.network().deliver(id + ">" + peer.name() + " fetch", () -> swarm.serveFetch(peer, this, max,
                tasks -> swarm.network().deliver(peer.name() + ">" + id + " " + tasks.size() + " tasks", () -> received(tasks, l))));
    }

    private void received(List<Scheduler.Assignment> tasks, int l) {
        if (!up || l != life) {
            swarm.log(id, "never got " + tasks.size() + " tasks (crashed meanwhile)");
            return;
        }
        for (Scheduler.Assignment a : tasks) {
            if (running.putIfAbsent(a.id(), a) == null) {
                compute(a);
            }
        }
    }

    private void compute(Scheduler.Assignment a) {
        long took = kind == Kind.SLOW ? random.nextLong(10_000, 200_000) : random.nextLong(1_000, 8_000);
        int l = life;
        swarm.after(took, () -> {
            if (up && l == life && running.remove(a.id()) != null) {
                unacked.put(a.id(), result(a));
                if (unacked.size() == 1) {
                    swarm.after(random.nextLong(0, 300), () -> {
                        if (up && l == life && !unacked.isEmpty()) {
                            report();
                        }
                    });
                }
            }
        });
    }

    private Scheduler.Report result(Scheduler.Assignment a) {
        byte[] right = Oracle.answer(swarm.apps().get(a.app()), a.input());
        if (kind == Kind.FLAKY && random.nextDouble() < 0.25) {
            return new Scheduler.Report(a.id(), null, "flaky: out of memory");
        }
        if (kind == Kind.SABOTEUR && random.nextDouble() < lieRate) {
            return new Scheduler.Report(a.id(), Oracle.colluding(right), null);
        }
        return new Scheduler.Report(a.id(), right, null);
    }

    private void report() {
        SimPeer peer = swarm.anyLivePeer(random);
        if (peer == null) {
            return;
        }
        List<Scheduler.Report> batch = new ArrayList<>(unacked.values());
        int l = life;
        swarm.network().deliver(id + ">" + peer.name() + " report " + batch.size(), () -> swarm.serveReport(peer, this, batch,
                outcome -> swarm.network().deliver(peer.name() + ">" + id + " ack " + outcome.accepted().size() + "/"
                        + outcome.rejected().size(), () -> acknowledged(outcome, l))));
        if (swarm.network().faultyNow() && !history.isEmpty() && random.nextDouble() < 0.05) {
            List<Scheduler.Report> old = history.get(random.nextInt(history.size()));
            swarm.network().deliver(id + ">" + peer.name() + " replay of an old report", () -> swarm.serveReport(peer, this, old, o -> { }));
        }
        if (history.size() < 20) {
            history.add(batch);
        }
    }

    private void acknowledged(Scheduler.ReportOutcome outcome, int l) {
        for (String acked : outcome.accepted()) {
            swarm.acknowledged(this, acked);
            if (l == life) {
                unacked.remove(acked);
            }
        }
        for (Scheduler.Refusal r : outcome.rejected()) {
            if (l == life) {
                unacked.remove(r.id());
            }
        }
    }

    /** Tells a peer which tasks it holds (as the worker does at its start): the others are released at once. */
    private void sync() {
        SimPeer peer = swarm.anyLivePeer(random);
        if (peer != null) {
            java.util.Set<String> holding = new java.util.TreeSet<>(running.keySet());
            holding.addAll(unacked.keySet());
            swarm.network().deliver(id + ">" + peer.name() + " sync", () -> swarm.serveSync(peer, this, holding));
        }
    }

    /** Crashes: in-flight work and unreported results are lost unless the data directory survives. */
    void crash(boolean keepData, long downMillis) {
        up = false;
        life++;
        if (!keepData) {
            running.clear();
            unacked.clear();
        }
        swarm.log(id, "crashed " + (keepData ? "(data kept: " + running.size() + " tasks)" : "(data lost)")
                + ", back in " + downMillis + " ms");
        swarm.after(downMillis, () -> {
            up = true;
            life++;
            swarm.log(id, "back with " + running.size() + " tasks, " + unacked.size() + " results to report");
            new ArrayList<>(running.values()).forEach(this::compute);
            sync();
            pollLater(0);
        });
    }

    boolean up() {
        return up;
    }
}
