package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.cluster.Member;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.ReplicaMigrationEvent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.enjambre.coordinator.cluster.ClusterNode;
import org.enjambre.coordinator.cluster.PeerQueries;
import org.enjambre.coordinator.cluster.PeerQuestion;
import org.enjambre.coordinator.http.ApiServer;
import org.enjambre.coordinator.http.Events;
import org.enjambre.coordinator.http.LongPolls;
import org.enjambre.coordinator.http.Views;
import org.enjambre.coordinator.jobs.JobRecord;
import org.enjambre.coordinator.jobs.UnitCounts;
import org.enjambre.coordinator.jobs.JobService;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.sched.LocalIndex;
import org.enjambre.coordinator.sched.Checks;
import org.enjambre.coordinator.sched.Durable;
import org.enjambre.coordinator.sched.JobDirectory;
import org.enjambre.coordinator.sched.Peers;
import org.enjambre.coordinator.sched.Scheduler;
import org.enjambre.coordinator.cluster.HazelcastUnitTable;
import org.enjambre.coordinator.store.JdbcStore;
import org.enjambre.coordinator.store.Json;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.trust.RateLimiter;
import org.enjambre.coordinator.workers.WorkerRecord;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.JobState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One coordinator peer: a Hazelcast member holding its share of the cluster's state, the durable
 * store, the scheduler, deadline watcher, validator and assimilator for the units it owns, and the
 * HTTP server (API, worker protocol, dashboard). Start with {@link #start(CoordinatorOptions)}.
 */
public final class Coordinator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

    private final CoordinatorOptions options;
    private final Clock clock;
    private final Store store;
    private final ClusterNode node;
    private final LocalIndex index;
    private final PeerQueries peers;
    private final JobService jobs;
    private final WorkerService workers;
    private final Scheduler scheduler;
    private final RateLimiter registrationLimiter;
    private final RateLimiter fetchLimiter;
    private final org.enjambre.coordinator.sched.SpotChecks spotChecks;
    private final Metrics metrics = new Metrics();
    private final Events events = new Events();
    private final Vertx vertx;
    private final ApiServer api;
    private final LongPolls polls;
    private final String apiKey;
    private volatile ScheduledExecutorService timers;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Map<String, String> lastPublished = new HashMap<>();
    private volatile double lastReported;
    private volatile long lastStatsAt;

    private Coordinator(CoordinatorOptions o) throws Exception {
        this.options = o;
        this.clock = o.clock();
        Files.createDirectories(o.dataDir());
        this.apiKey = o.apiKey() != null ? o.apiKey() : apiKeyFile(o.dataDir());
        this.store = o.db() != null ? JdbcStore.open(o.db()) : JdbcStore.h2(o.dataDir());
        // A job row this peer cannot load is failed (with the reason) before the maps load it: no crash loop.
        org.enjambre.coordinator.jobs.UnloadableJobs.fail(store, Runtime.getRuntime().maxMemory(), clock);
        this.polls = new LongPolls();
        JobService[] jobsRef = new JobService[1];
        org.enjambre.coordinator.sched.SpotChecks[] checksRef = new org.enjambre.coordinator.sched.SpotChecks[1];
        this.index = new LocalIndex(job -> polls.signal(), unit -> {
            JobService j = jobsRef[0];
            if (j != null) {
                j.unitFinished(unit);
                org.enjambre.coordinator.sched.SpotChecks checks = checksRef[0];
                if (checks != null && unit.state() == org.enjambre.workunits.model.UnitState.DONE) {
                    checks.learn(unit, j::find);
                }
            }
        });
        try {
            this.node = new ClusterNode(o.clusterOptions(), store);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        node.units().addLocalEntryListener(index);
        node.units().addLocalEntryListener(index.freshUnits(jobId -> {
            JobRecord j = node.jobs().get(jobId);
            return j == null ? null : org.enjambre.coordinator.jobs.JobSpecs.of(j).redundancy();
        }), com.hazelcast.query.Predicates.alwaysTrue(), false);
        index.rebuild(node.units());
        node.hazelcast().getPartitionService().addMigrationListener(new MigrationListener() {
            @Override public void migrationStarted(MigrationState s) { }
            @Override public void migrationFinished(MigrationState s) { index.rebuild(node.units()); }
            @Override public void replicaMigrationCompleted(ReplicaMigrationEvent e) { }
            @Override public void replicaMigrationFailed(ReplicaMigrationEvent e) { }
        });
        this.peers = new PeerQueries(node.hazelcast(), new PeerHandler());
        Map<String, byte[]> moduleCache = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                return size() > 32;
            }
        });
        org.enjambre.workunits.wasm.ModuleSource modules = sha -> {
            byte[] cached = moduleCache.get(sha);
            if (cached != null) {
                return java.util.Optional.of(cached);
            }
            java.util.Optional<byte[]> found = store.blob(sha);
            found.ifPresent(b -> moduleCache.put(sha, b));
            return found;
        };
        this.jobs = new JobService(node, store, AppRegistry.builtIns().with(new org.enjambre.workunits.wasm.WasmApp(modules)),
                clock, peers);
        jobsRef[0] = jobs;
        this.registrationLimiter = limiter(o.registrationsPerMinute(), o.registrationBurst());
        this.fetchLimiter = limiter(o.fetchesPerMinute(), o.fetchBurst());
        this.workers = new WorkerService(node.workers(), store, clock, registrationLimiter);
        this.spotChecks = new org.enjambre.coordinator.sched.SpotChecks(node.hazelcast().getMap("spotchecks"), jobs.apps());
        checksRef[0] = spotChecks;
        this.scheduler = new Scheduler(new Scheduler.Ports(new HazelcastUnitTable(node.units()), index,
                JobDirectory.of(jobs), workers::apply, Durable.of(store),
                Checks.of(spotChecks, node.hazelcast().getMap("spotchecks-sent")), new ClusterPeers(),
                metrics, clock, new java.security.SecureRandom()), new Scheduler.Placement(true, !o.allowSameHost()),
                org.enjambre.workunits.trust.TrustRules.withWait(o.credibilityWait()),
                o.placementWaitMillis());
        node.hazelcast().getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
            @Override
            public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {
                rebuildSoon();
            }

            @Override
            public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) {
                rebuildSoon();
            }
        });
        registerGauges();

        this.vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(64));
        this.api = new ApiServer(vertx, new ApiServer.Services(jobs, workers, scheduler, store, metrics, events, polls,
                new ApiServer.Peers() {
                    @Override public int count() { return node.hazelcast().getCluster().getMembers().size(); }
                    @Override public ObjectNode clusterView() { return Coordinator.this.clusterView(); }
                    @Override public String snapshotEvents() { return Coordinator.this.snapshotEvents(); }
                }, fetchLimiter, clock, System::nanoTime),
                new ApiServer.Settings(apiKey, o.privateViews(), o.maxBufferedBytes()));
        api.listen(o.host(), o.port()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

        this.timers = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "enjambre-timers");
            t.setDaemon(true);
            return t;
        });
        timers.scheduleWithFixedDelay(this::expire, o.deadlineCheckMillis(), o.deadlineCheckMillis(), TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::publishChanges, 250, 250, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(() -> {
            registrationLimiter.evictIdle();
            fetchLimiter.evictIdle();
        }, 1, 1, TimeUnit.MINUTES);
        timers.scheduleWithFixedDelay(() -> {
            if (!closed.get()) {
                jobs.checkAll();
            }
        }, 5, 5, TimeUnit.SECONDS);
        jobs.checkAll();
        LOG.info("coordinator peer up: http://{}:{} (cluster {} with {} peer(s))", o.host(), api.port(),
                o.clusterOptions().clusterName(), node.hazelcast().getCluster().getMembers().size());
    }

    /** A token bucket per client: {@code burst} at once, then {@code perMinute}, on this peer's clock. */
    private RateLimiter limiter(double perMinute, int burst) {
        long refill = Math.max(1, Math.round(60_000 / perMinute));
        return new RateLimiter(burst, refill, clock::millis);
    }

    /** Starts a peer; it serves requests when this returns. */
    public static Coordinator start(CoordinatorOptions options) {
        try {
            return new Coordinator(options);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the coordinator could not start: " + e.getMessage(), e);
        }
    }

    /** The path of the API key file in a data directory. */
    public static Path apiKeyPath(Path dataDir) {
        return dataDir.resolve("api-key");
    }

    private static String apiKeyFile(Path dataDir) throws IOException {
        Path file = apiKeyPath(dataDir);
        if (Files.exists(file)) {
            String key = Files.readString(file).trim();
            if (key.length() >= 8) {
                return key;
            }
        }
        String key = "ek-" + WorkerService.randomId(32);
        Path tmp = dataDir.resolve("api-key.tmp");
        Files.writeString(tmp, key + "\n");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        LOG.info("generated an API key in {}", file.toAbsolutePath());
        return key;
    }

    /** How this peer answers the other peers' questions, from what it owns. */
    private final class PeerHandler implements PeerQuestion.Handler {
        @Override
        public long[] unitCounts(String jobId) {
            return index.counts(jobId);
        }

        @Override
        public long[] taskCounts(String jobId) {
            return index.taskCounts(jobId);
        }

        @Override
        public PeerQuestion.PeerStatus status() {
            return new PeerQuestion.PeerStatus(node.hazelcast().getCluster().getLocalMember().getUuid().toString(),
                    node.units().getLocalMapStats().getOwnedEntryCount(), index.readyCount(), (long) metrics.reportedTotal(),
                    api == null ? null : url());
        }

        @Override
        public String[] readyUnits(org.enjambre.workunits.model.WorkerRef ref, java.util.Set<String> apps, int n) {
            java.util.List<String> keys = new java.util.ArrayList<>();
            for (String jobId : index.readyJobs()) {
                JobRecord j = node.jobs().get(jobId);
                if (j == null || j.state().terminal() || !apps.contains(j.app())) {
                    continue;
                }
                for (LocalIndex.Ready r : index.ready(jobId, ref, n - keys.size(), 256)) {
                    keys.add(r.key());
                }
                if (keys.size() >= n) {
                    break;
                }
            }
            return keys.toArray(new String[0]);
        }

        @Override
        public void credibilityRaised(String workerId, double credibility) {
            try {
                scheduler.credibility().revalidate(workerId, credibility);
            } catch (RuntimeException e) {
                if (!closed.get()) {
                    LOG.warn("revalidating the results of worker {} failed", workerId, e);
                }
            }
        }

        @Override
        public int releaseReplicas(String workerId, java.util.Set<String> keep, String reason) {
            return scheduler.releaser().release(workerId, keep, reason);
        }
    }

    private void registerGauges() {
        for (String s : UnitCounts.shownStates()) {
            metrics.gauge("enjambre.units", "Work units owned by this peer, by state (WAITING: results wait, no replica in progress)",
                    "state", s, () -> unitsOfRunningJobs(c -> UnitCounts.shown(c, s)));
        }
        metrics.gauge("enjambre.units.no.eligible.worker", "Ready units owned by this peer that no connected worker may take"
                + " (placement)", "scope", "peer", () -> unitsOfRunningJobs(c -> c[UnitCounts.NO_ELIGIBLE_WORKER]));
        for (JobState s : JobState.values()) {
            metrics.gauge("enjambre.jobs", "Jobs in the cluster, by state", "state", s.name(),
                    () -> node.jobs().values().stream().filter(j -> j.state() == s).count());
        }
        metrics.gauge("enjambre.workers.online", "Workers seen in the last minute", "scope", "cluster",
                () -> workers.all().stream().filter(workers::online).count());
        metrics.gauge("enjambre.cluster.peers", "Coordinator peers in the cluster", "scope", "cluster",
                () -> node.hazelcast().getCluster().getMembers().size());
        metrics.gauge("enjambre.units.waiting.credibility",
                "Units owned by this peer whose results wait for credibility with no replica in progress", "scope", "peer",
                () -> index.waitingSince(Long.MAX_VALUE).size());
        metrics.gauge("enjambre.store.healthy", "1 while the store can write, 0 while writes fail", "scope", "peer", () -> store.writable() ? 1 : 0);
        metrics.counter("enjambre.store.write.failures", "Store writes (commits) that failed", "scope", "peer", store::writeFailures);
    }

    /** Rebuilds the local index once partitions settled after a peer came or went. */
    private void rebuildSoon() {
        ScheduledExecutorService t = timers;
        if (t == null || closed.get()) {
            return;
        }
        for (long delay : new long[]{500, 3000}) {
            t.schedule(() -> {
                try {
                    if (!closed.get()) {
                        index.rebuild(node.units());
                        polls.signal(index.readyCount());
                    }
                } catch (RuntimeException e) {
                    LOG.debug("rebuilding the local index", e);
                }
            }, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void expire() {
        try {
            scheduler.deadlines().expire();
            scheduler.credibility().unstick();
            scheduler.placement().check(() -> workers.all().stream().filter(workers::online).toList());
        } catch (RuntimeException e) {
            if (!closed.get()) {
                LOG.warn("deadline check failed", e);
            }
        }
    }

    private long unitsOfRunningJobs(java.util.function.ToLongFunction<long[]> slot) {
        long n = 0;
        for (JobRecord j : node.jobs().values()) {
            if (!j.state().terminal()) {
                n += slot.applyAsLong(index.counts(j.id()));
            }
        }
        return n;
    }

    /** Pushes job, worker and stats changes to dashboard subscribers, at most four times a second. */
    private void publishChanges() {
        if (closed.get() || !events.hasSubscribers()) {
            return;
        }
        try {
            long now = clock.millis();
            for (JobRecord j : node.jobs().values()) {
                String key = "job:" + j.id();
                if (j.state().terminal() && lastPublished.containsKey(key + ":final")) {
                    continue;
                }
                String json = Json.write(Views.job(j, jobs, now));
                if (!json.equals(lastPublished.get(key))) {
                    lastPublished.put(key, json);
                    events.publish("job", json);
                }
                if (j.state().terminal()) {
                    lastPublished.put(key + ":final", "");
                }
            }
            for (WorkerRecord w : workers.all()) {
                String key = "worker:" + w.id();
                String version = w.version() + ":" + workers.online(w);
                if (!version.equals(lastPublished.get(key))) {
                    lastPublished.put(key, version);
                    events.publish("worker", Json.write(Views.worker(w, workers.online(w), now)));
                }
            }
            if (now - lastStatsAt >= 1000) {
                events.publish("stats", Json.write(stats(now)));
            }
        } catch (RuntimeException e) {
            if (!closed.get()) {
                LOG.warn("publishing events failed", e);
            }
        }
    }

    private ObjectNode stats(long now) {
        double reported = 0;
        for (PeerQuestion.PeerStatus p : peers.askAll(new PeerQuestion.Describe())) {
            reported += p.tasksReported();
        }
        double seconds = lastStatsAt == 0 ? 1 : Math.max(0.001, (now - lastStatsAt) / 1000.0);
        double rate = lastStatsAt == 0 ? 0 : Math.max(0, (reported - lastReported) / seconds);
        lastReported = reported;
        lastStatsAt = now;
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("time", java.time.Instant.ofEpochMilli(now).toString());
        n.put("tasksPerSecond", Math.round(rate * 10) / 10.0);
        n.put("workersOnline", workers.all().stream().filter(workers::online).count());
        ObjectNode byState = n.putObject("jobsByState");
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobRecord j : node.jobs().values()) {
            counts.merge(j.state(), 1L, Long::sum);
        }
        for (JobState s : JobState.values()) {
            byState.put(s.name(), counts.getOrDefault(s, 0L));
        }
        n.put("peers", node.hazelcast().getCluster().getMembers().size());
        return n;
    }

    /** The initial frames of a new event stream: every job and worker as they are now. */
    public String snapshotEvents() {
        long now = clock.millis();
        StringBuilder b = new StringBuilder();
        for (JobRecord j : jobs.list()) {
            b.append(Events.frame("job", Json.write(Views.job(j, jobs, now))));
        }
        for (WorkerRecord w : workers.all()) {
            b.append(Events.frame("worker", Json.write(Views.worker(w, workers.online(w), now))));
        }
        return b.toString();
    }

    /** {@code {"peers": [...]}}: the coordinator peers, their share of the partitions and their load. */
    public ObjectNode clusterView() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("peers");
        Map<String, Integer> owned = new HashMap<>();
        for (Partition p : node.hazelcast().getPartitionService().getPartitions()) {
            if (p.getOwner() != null) {
                owned.merge(p.getOwner().getUuid().toString(), 1, Integer::sum);
            }
        }
        Map<String, PeerQuestion.PeerStatus> loads = new HashMap<>();
        for (PeerQuestion.PeerStatus status : peers.askAll(new PeerQuestion.Describe())) {
            loads.put(status.id(), status);
        }
        Member me = node.hazelcast().getCluster().getLocalMember();
        int total = node.hazelcast().getPartitionService().getPartitions().size();
        for (Member m : node.hazelcast().getCluster().getMembers()) {
            String id = m.getUuid().toString();
            ObjectNode p = arr.addObject();
            p.put("id", id);
            p.put("address", m.getAddress().getHost() + ":" + m.getAddress().getPort());
            PeerQuestion.PeerStatus l = loads.get(id);
            p.put("http", l == null ? null : l.http());
            p.put("local", m.equals(me));
            p.put("partitions", owned.getOrDefault(id, 0));
            p.put("partitionShare", Math.round(1000.0 * owned.getOrDefault(id, 0) / total) / 1000.0);
            p.put("units", l == null ? 0 : l.units());
            p.put("readyUnits", l == null ? 0 : l.readyUnits());
            p.put("tasksReported", l == null ? 0 : l.tasksReported());
        }
        return n;
    }

    public int port() {
        return api.port();
    }

    public String url() {
        return "http://" + (options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host()) + ":" + api.port();
    }

    public String apiKey() {
        return apiKey;
    }

    public Clock clock() { return clock; }
    public Store store() { return store; }
    public ClusterNode node() { return node; }
    public JobService jobs() { return jobs; }
    public WorkerService workers() { return workers; }
    public Scheduler scheduler() { return scheduler; }
    public Metrics metrics() { return metrics; }
    public Events events() { return events; }
    public ApiServer api() { return api; }

    /** Stops gracefully: stops serving, leaves the cluster (partitions migrate), closes the store. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        timers.shutdownNow();
        events.close();
        try {
            api.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("closing the HTTP server", e);
        }
        jobs.close();
        spotChecks.close();
        node.close();
        vertx.close();
        store.close();
    }

    /**
     * Stops at once, as {@code kill -9} would as far as the cluster and the store can tell: the member
     * vanishes without migrating, deferred store writes (the latest issued replicas) are lost. For fail-over tests.
     */
    public void crash() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        timers.shutdownNow();
        node.crash();
        store.crash(); // before anything else runs on: deferred writes that fall due now must be lost too
        vertx.close();
        jobs.close();
    }

    /** The other peers over {@link PeerQueries}. */
    private final class ClusterPeers implements Peers {
        @Override
        public java.util.List<String> readyElsewhere(org.enjambre.workunits.model.WorkerRef ref, java.util.Set<String> apps, int n) {
            java.util.List<String> keys = new java.util.ArrayList<>();
            for (String[] answer : peers.askOthers(new PeerQuestion.FindReady(ref, apps, n))) {
                keys.addAll(java.util.List.of(answer));
            }
            return keys;
        }

        @Override
        public void credibilityRaised(String workerId, double credibility) {
            peers.tellAll(new PeerQuestion.CredibilityRaised(workerId, credibility));
        }

        @Override
        public int releaseEverywhere(String workerId, java.util.Set<String> keep, String reason) {
            int released = 0;
            for (Integer n : peers.askAll(new PeerQuestion.ReleaseReplicas(workerId, keep, reason))) {
                released += n;
            }
            return released;
        }
    }
}
