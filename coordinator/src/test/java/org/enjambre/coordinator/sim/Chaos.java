package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.spec.JobSpec;
import org.enjambre.workunits.spec.JobSpecParser;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws a run from its seed: the peers, workers (by kind), jobs (sizes, redundancy policies, deadlines)
 * and, for the faults in the mix, when they strike during the fault window.
 */
final class Chaos {
    /** Redundancy policies a job may get. */
    private static final String[] POLICIES = {
        "{\"replicas\":2,\"quorum\":2}",
        "{\"replicas\":3,\"quorum\":2}",
        "{\"replicas\":2,\"quorum\":2,\"spotCheckRate\":0.1,\"adaptive\":true}",
        "{\"replicas\":1,\"quorum\":1,\"credibility\":0.99,\"spotCheckRate\":0.2}",
    };

    private final Swarm swarm;
    private final SplittableRandom random;
    private boolean down;

    Chaos(Swarm swarm) {
        this.swarm = swarm;
        this.random = swarm.random().split();
    }

    void plan() {
        boolean moves = swarm.faults.contains(Fault.PEER_KILL) || swarm.faults.contains(Fault.PARTITION_MOVE);
        int n = moves ? 2 + random.nextInt(3) : 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            swarm.peers().add(new SimPeer(i, swarm));
        }
        swarm.partitions().assignAll(swarm.peers());
        swarm.peers().forEach(SimPeer::start);
        if (swarm.faults.contains(Fault.PARTITION_MOVE)) {
            SimPeer joiner = new SimPeer(n, swarm);
            swarm.peers().add(joiner);
            at(random.nextLong(10_000, Swarm.FAULT_WINDOW), () -> join(joiner));
        }
        workers();
        int jobs = 1 + random.nextInt(3);
        for (int j = 0; j < jobs; j++) {
            int k = j;
            at(random.nextLong(0, 300_000), () -> submit(k));
        }
        faults();
        audit();
    }

    private void join(SimPeer joiner) {
        if (down) {
            at(5_000, () -> join(joiner));
        } else {
            swarm.startPeer(joiner);
        }
    }

    private void workers() {
        int m = 6 + random.nextInt(4);
        int saboteurs = swarm.faults.contains(Fault.SABOTEURS) ? 1 + random.nextInt(2) : 0;
        double lieRate = 0.3 + 0.7 * random.nextDouble();
        for (int i = 0; i < m; i++) {
            SimWorker.Kind kind;
            double r = random.nextDouble();
            if (i < saboteurs) {
                kind = SimWorker.Kind.SABOTEUR;
            } else if (swarm.faults.contains(Fault.WORKER_CHURN) && r < 0.35) {
                kind = SimWorker.Kind.CRASHING;
            } else {
                kind = r < 0.6 ? SimWorker.Kind.HONEST : r < 0.8 ? SimWorker.Kind.FLAKY : SimWorker.Kind.SLOW;
            }
            String id = "w" + i;
            long now = swarm.now();
            swarm.register(new WorkerRecord(id, "hash", id, "sim", 2, 1024, List.of("primes"), "acct-" + id, null, now, now,
                    0, 0, 0, 0, 0, 0, false, 0, 0, 1));
            SimWorker w = new SimWorker(id, kind, swarm, random.split(), lieRate);
            swarm.simWorkers.add(w);
            swarm.log(id, "registered: " + kind);
            w.start();
            if (kind == SimWorker.Kind.CRASHING) {
                for (int c = random.nextInt(1, 5); c > 0; c--) {
                    boolean keep = random.nextBoolean();
                    long down = random.nextLong(5_000, 90_000);
                    at(random.nextLong(10_000, Swarm.FAULT_WINDOW), () -> {
                        if (w.up()) {
                            w.crash(keep, down);
                        }
                    });
                }
            }
        }
    }

    private void submit(int k) {
        if (down) {
            at(5_000, () -> submit(k));
            return;
        }
        int units = 2 + random.nextInt(7);
        long from = 2 + random.nextInt(1000);
        long to = from + units * (500L + random.nextInt(2500));
        int deadline = 30 + random.nextInt(150);
        String body = "{\"name\":\"sim\",\"app\":\"primes\",\"input\":{\"from\":" + from + ",\"to\":" + to + "},\"workUnits\":" + units
                + ",\"deadlineSeconds\":" + deadline + ",\"redundancy\":" + POLICIES[random.nextInt(POLICIES.length)] + "}";
        JobSpec spec;
        try {
            spec = new JobSpecParser(swarm.apps()).parse(body);
        } catch (Exception e) {
            throw new IllegalStateException("the simulation made a bad spec " + body, e);
        }
        String id = "j-s" + swarm.seed + "-" + k;
        JobRecord job = new JobRecord(id, spec.name(), spec.app(), JobSpecParser.toJson(spec).toString(), spec.workUnits(),
                spec.priority(), JobState.QUEUED, swarm.now(), 0, 0, null, null, 1);
        App app = swarm.apps().get(spec.app());
        byte[][] answers = new byte[units][];
        Merger merger = app.merger(spec.input(), units);
        byte[] result;
        try {
            for (int i = 0; i < units; i++) {
                answers[i] = Oracle.answer(app, app.unitInput(spec.input(), units, i));
                merger.accept(i, answers[i]);
            }
            result = merger.finish().body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        long start = Math.max(swarm.now(), Swarm.START + Swarm.FAULT_WINDOW);
        long bound = start + (spec.redundancy().maxResults() + 2L) * deadline * 1000L + 120_000;
        swarm.invariants.expect(job, answers, result, bound);
        swarm.submit(job, units);
    }

    private void faults() {
        if (swarm.faults.contains(Fault.PEER_KILL)) {
            for (int k = random.nextInt(1, 4); k > 0; k--) {
                at(random.nextLong(20_000, Swarm.FAULT_WINDOW), this::killOne);
            }
        }
        if (swarm.faults.contains(Fault.FULL_RESTART)) {
            for (int k = random.nextInt(1, 3); k > 0; k--) {
                at(random.nextLong(30_000, Swarm.FAULT_WINDOW), this::fullRestart);
            }
        }
    }

    private void killOne() {
        List<SimPeer> live = swarm.livePeers();
        if (down || live.size() < 2) {
            return;
        }
        SimPeer victim = live.get(random.nextInt(live.size()));
        if (random.nextDouble() < 0.3) {
            victim.dieAtNextWrite = true; // dies inside a request, between the cluster's change and its commit
            swarm.log(victim.name(), "will die at its next commit");
            at(10_000, () -> swarm.killPeer(victim, "killed"));
        } else {
            swarm.killPeer(victim, "killed");
        }
        if (random.nextDouble() < 0.7) {
            int inc = victim.incarnation();
            at(random.nextLong(10_000, 120_000), () -> {
                if (!down && !victim.alive() && victim.incarnation() == inc) {
                    swarm.startPeer(victim);
                }
            });
        }
    }

    private void fullRestart() {
        if (down || swarm.livePeers().isEmpty()) {
            return;
        }
        List<SimPeer> members = new ArrayList<>(swarm.livePeers());
        down = true;
        for (SimPeer p : members) {
            p.kill();
        }
        swarm.log("cluster", "every peer killed");
        at(random.nextLong(2_000, 30_000), () -> {
            swarm.freshTables();
            swarm.invariants.ackedInStore("after the full restart");
            swarm.partitions().assignAll(members);
            members.forEach(SimPeer::start);
            swarm.log("cluster", "restarted from the store: " + members.size() + " peers");
            down = false;
        });
    }

    /** Checks the counters every 5 simulated seconds. */
    private void audit() {
        at(5_000, () -> {
            swarm.invariants.audit();
            audit();
        });
    }

    private void at(long delay, Runnable r) {
        swarm.after(delay, r);
    }
}
