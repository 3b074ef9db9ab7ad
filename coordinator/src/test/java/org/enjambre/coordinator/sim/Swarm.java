package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.cluster.Loaders;
import org.enjambre.coordinator.cluster.MemUnitTable;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.sched.Scheduler;
import org.enjambre.coordinator.sched.mem.MemJobs;
import org.enjambre.coordinator.sched.mem.MemWorkers;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.WorkUnit;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One deterministic run of the whole swarm: simulated time (discrete events in a priority queue), one
 * {@link SplittableRandom} from the seed, peers running the real scheduling daemons over a shared unit
 * table and store, workers, the network between them, and the faults of the run's mix ({@link Chaos}).
 * Single-threaded: the same seed gives the same run, event for event ({@link Trace#hash()}).
 */
final class Swarm {
    static final long START = 1_000_000_000_000L;
    /** Faults happen in the first 15 simulated minutes; afterwards the swarm must finish what it has. */
    static final long FAULT_WINDOW = 15 * 60_000;

    private record Ev(long at, long seq, Runnable action) {
    }

    final long seed;
    final Set<Fault> faults;
    private final SplittableRandom random;
    private final SimClock clock = new SimClock();
    private final PriorityQueue<Ev> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
            : Long.compare(a.seq, b.seq));
    private long seq;
    final Trace trace = new Trace();
    private final AppRegistry apps = AppRegistry.builtIns();
    private final MemStore store = new MemStore(this::jobFinished);
    private final Metrics metrics;
    private MemUnitTable table;
    private MemJobs jobs;
    private MemWorkers workers;
    /** Pending spot-checks, cluster-wide (the {@code spotchecks} map: lost when the whole cluster restarts). */
    private final org.enjambre.coordinator.sched.mem.MemPendingChecks pendingChecks;
    private final Partitions partitions = new Partitions(this);
    private final Network network;
    private final List<SimPeer> peers = new ArrayList<>();
    final List<SimWorker> simWorkers = new ArrayList<>();
    final Invariants invariants = new Invariants(this);
    private final List<String> jobIds = new ArrayList<>();
    private long events;

    Swarm(long seed, Set<Fault> faults, Metrics metrics) {
        this.seed = seed;
        this.faults = faults;
        this.random = new SplittableRandom(seed);
        this.metrics = metrics;
        this.clock.now = START;
        this.pendingChecks = new org.enjambre.coordinator.sched.mem.MemPendingChecks(clock);
        this.network = new Network(this, random.split(), faults.contains(Fault.NETWORK));
        freshTables();
    }

    /** Runs until every job is final or the last job's bound passed; throws {@link SimFailure} on a broken invariant. */
    Result run() {
        new Chaos(this).plan();
        while (!queue.isEmpty()) {
            Ev e = queue.poll();
            if (e.at > invariants.horizon()) {
                break;
            }
            clock.now = e.at;
            events++;
            e.action.run();
            if (invariants.allFinal()) {
                break;
            }
        }
        invariants.atEnd();
        return new Result(seed, faults, trace.hash(), events, now() - START, invariants.stats());
    }

    /** Schedules {@code action} after {@code delay} simulated ms. */
    void after(long delay, Runnable action) {
        queue.add(new Ev(clock.now + Math.max(0, delay), seq++, action));
    }

    void log(String who, String what) {
        trace.add(clock.now - START, who, what);
    }

    /** Ends the run on a known open stall (reported apart from failures), with its seed and trace. */
    /** The workers up now, as the coordinator's "seen in the last minute" would see them (placement watcher). */
    java.util.List<org.enjambre.coordinator.model.WorkerRecord> connectedWorkers() {
        java.util.List<org.enjambre.coordinator.model.WorkerRecord> out = new ArrayList<>();
        for (SimWorker w : simWorkers) {
            org.enjambre.coordinator.model.WorkerRecord r = w.up() ? workers().get(w.id) : null;
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    void stuck(String what) {
        log("STUCK", what);
        throw new SimFailure(seed, faults, what, trace.tail(), true);
    }

    /** Fails the run now, with its seed and trace. */
    void fail(String what) {
        log("FAIL", what);
        throw new SimFailure(seed, faults, what, trace.tail(), false);
    }

    /** The table, jobs and workers maps of a cluster starting empty or from the store (as {@code cluster.Loaders} fill them). */
    void freshTables() {
        table = new MemUnitTable();
        table.listen(key -> true, (key, before, after) -> {
            int owner = partitions.owner(key);
            if (owner >= 0 && peers.get(owner).alive()) {
                peers.get(owner).index().change(key, before, after);
            }
        });
        jobs = new MemJobs(apps, clock);
        workers = new MemWorkers(clock);
        Loaders.Jobs jl = new Loaders.Jobs(store);
        jl.loadAll(iterate(jl.loadAllKeys())).values().forEach(jobs::put);
        jl.loaded();
        Loaders.Workers wl = new Loaders.Workers(store);
        wl.loadAll(iterate(wl.loadAllKeys())).values().forEach(workers::put);
        wl.loaded();
        Loaders.Units ul = new Loaders.Units(store);
        ul.loadAll(iterate(ul.loadAllKeys())).forEach((k, u) -> table.put(u));
        ul.loaded();
        // The simulation keeps every unit explicit in its table: the never-stored ones are made fresh here (the
        // cluster leaves them implicit, indexed by each peer's LocalIndex.freshJob).
        for (JobRecord j : jobs.all()) {
            if (!j.state().terminal()) {
                for (int i = 0; i < j.workUnits(); i++) {
                    if (table.get(WorkUnit.id(j.id(), i)) == null) {
                        table.put(WorkUnit.create(j.id(), i, org.enjambre.coordinator.jobs.JobSpecs.of(j).redundancy()));
                    }
                }
            }
        }
        pendingChecks.clear();
    }

    private static List<String> iterate(Iterable<String> keys) {
        List<String> out = new ArrayList<>();
        keys.forEach(out::add);
        return out;
    }

    /** A job accepted by a live peer: durable, then its fresh units in the table (as {@code JobService.submit}). */
    void submit(JobRecord job, int units) {
        store.write(new org.enjambre.coordinator.store.Store.Batch(List.of(), List.of(), List.of(job)));
        jobs.put(job);
        jobIds.add(job.id());
        for (int i = 0; i < units; i++) {
            table.put(WorkUnit.create(job.id(), i, org.enjambre.coordinator.jobs.JobSpecs.of(job).redundancy()));
        }
        log("client", "submitted " + job.id() + " (" + units + " units) " + org.enjambre.coordinator.jobs.JobSpecs.of(job).redundancyJson());
    }

    /** A worker registers (durable before it hears of it). */
    void register(WorkerRecord w) {
        store.write(new org.enjambre.coordinator.store.Store.Batch(List.of(), List.of(w), List.of()));
        workers.put(w);
    }

    /** A fetch reaching {@code peer}: the real issuer answers, unless the peer is dead or dies in the middle. */
    void serveFetch(SimPeer peer, SimWorker w, int max, Consumer<List<Scheduler.Assignment>> answer) {
        if (!peer.alive()) {
            return;
        }
        try {
            List<Scheduler.Assignment> tasks = peer.scheduler().fetch(workers.get(w.id), max);
            if (!tasks.isEmpty()) {
                log(peer.name(), "issued to " + w.id + ": " + tasks.stream().map(Scheduler.Assignment::id).toList());
            }
            if (peer.dieAtNextWrite && !tasks.isEmpty()) {
                killPeer(peer, "killed before it answered the fetch"); // the replicas stay issued in the cluster
                if (!peer.alive()) {
                    return;
                }
            }
            answer.accept(tasks);
        } catch (PeerStore.PeerDied e) {
            log(peer.name(), "died serving a fetch of " + w.id);
        }
    }

    /** A report reaching {@code peer}: the real report handler applies it, durable before the answer. */
    void serveReport(SimPeer peer, SimWorker w, List<Scheduler.Report> reports, Consumer<Scheduler.ReportOutcome> answer) {
        if (!peer.alive()) {
            return;
        }
        boolean wasBlacklisted = workers.get(w.id).blacklisted();
        try {
            Scheduler.ReportOutcome o = peer.scheduler().report(workers.get(w.id), reports);
            log(peer.name(), "report of " + w.id + ": accepted " + o.accepted() + " refused "
                    + o.rejected().stream().map(r -> r.id() + " " + r.code()).toList());
            if (!wasBlacklisted && workers.get(w.id).blacklisted()) {
                log(peer.name(), w.id + " (" + w.kind + ") blacklisted");
                invariants.releasedAfterBlacklist(w.id);
            }
            answer.accept(o);
        } catch (PeerStore.PeerDied e) {
            log(peer.name(), "died serving a report of " + w.id);
        }
    }

    /** A worker's sync reaching {@code peer} (at its start): replicas it does not hold are released everywhere. */
    void serveSync(SimPeer peer, SimWorker w, Set<String> holding) {
        if (!peer.alive()) {
            return;
        }
        try {
            int n = peer.scheduler().releaseEverywhere(w.id, holding, "its worker does not hold it");
            log(peer.name(), "sync of " + w.id + " holding " + holding.size() + ": released " + n);
        } catch (PeerStore.PeerDied e) {
            log(peer.name(), "died serving a sync of " + w.id);
        }
    }

    /** A worker heard that a result was accepted: it must be in the store from now on. */
    void acknowledged(SimWorker w, String taskId) {
        invariants.acknowledged(taskId);
    }

    /**
     * Kills a peer; its partitions are promoted on the others. Never the last live one (that would lose the
     * cluster's memory without the full restart that rebuilds it; the full-restart fault does that on purpose).
     */
    void killPeer(SimPeer p, String why) {
        p.dieAtNextWrite = false;
        if (!p.alive() || livePeers().size() < 2) {
            return;
        }
        p.kill();
        log(p.name(), why);
        partitions.rebalance(livePeers(), moveMillis(), p.name() + " left");
    }

    /** (Re)starts a peer and lets it take a share of the partitions. */
    void startPeer(SimPeer p) {
        p.start();
        log(p.name(), "started (incarnation " + p.incarnation() + ")");
        partitions.rebalance(livePeers(), moveMillis(), p.name() + " joined");
    }

    /** How long moving partitions takes: longer when the machine is starved. */
    private long moveMillis() {
        return faults.contains(Fault.SLOW_TIMERS) && inFaultWindow() ? random.nextLong(1_000, 30_000) : random.nextLong(50, 2_000);
    }

    /** Extra delay of a peer's timer: CPU starvation during the fault window when the mix starves timers. */
    long timerLag() {
        if (faults.contains(Fault.SLOW_TIMERS) && inFaultWindow() && random.nextDouble() < 0.3) {
            return random.nextLong(2_000, 60_000);
        }
        return random.nextLong(0, 20);
    }

    boolean inFaultWindow() {
        return clock.now < START + FAULT_WINDOW;
    }

    SimPeer anyLivePeer(SplittableRandom r) {
        List<SimPeer> live = livePeers();
        return live.isEmpty() ? null : live.get(r.nextInt(live.size()));
    }

    List<SimPeer> livePeers() {
        List<SimPeer> out = new ArrayList<>();
        for (SimPeer p : peers) {
            if (p.alive()) {
                out.add(p);
            }
        }
        return out;
    }

    /** The units of the given partitions now in the table, by key. */
    Map<String, WorkUnit> unitsOf(Set<Integer> owned) {
        Map<String, WorkUnit> out = new TreeMap<>();
        table.snapshot().forEach((k, u) -> {
            if (owned.contains(Partitions.of(k))) {
                out.put(k, u);
            }
        });
        return out;
    }

    /** A job's first final record was committed (by the assimilator of some peer). */
    private void jobFinished(JobRecord job) {
        log("cluster", "job " + job.id() + " " + job.state() + (job.failure() != null ? ": " + job.failure() : ""));
        invariants.jobFinished(job);
    }

    long now() { return clock.now; }
    Clock clock() { return clock; }
    SplittableRandom random() { return random; }
    MemStore store() { return store; }
    Metrics metrics() { return metrics; }
    MemUnitTable table() { return table; }
    MemJobs jobs() { return jobs; }
    MemWorkers workers() { return workers; }
    org.enjambre.coordinator.sched.mem.MemPendingChecks pendingChecks() { return pendingChecks; }
    AppRegistry apps() { return apps; }
    Partitions partitions() { return partitions; }
    Network network() { return network; }
    List<SimPeer> peers() { return peers; }
    List<String> jobIds() { return jobIds; }
    long deadlineCheckMillis() { return 1000; }

    /** Simulated time: moves only between events. */
    private static final class SimClock extends Clock {
        long now;

        @Override public long millis() { return now; }
        @Override public Instant instant() { return Instant.ofEpochMilli(now); }
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
    }

    /** What a run did, for the summary. */
    record Result(long seed, Set<Fault> faults, long traceHash, long events, long simulatedMillis, Invariants.Stats stats) {
    }
}
