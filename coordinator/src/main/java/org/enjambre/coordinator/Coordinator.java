package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.enjambre.coordinator.cluster.ClusterNode;
import org.enjambre.coordinator.cluster.ClusterView;
import org.enjambre.coordinator.http.EventPublisher;
import org.enjambre.coordinator.cluster.PeerQueries;
import org.enjambre.coordinator.http.ApiServer;
import org.enjambre.coordinator.http.Events;
import org.enjambre.coordinator.http.LongPolls;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.JobService;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.sched.LocalIndex;
import org.enjambre.coordinator.sched.PeerAnswers;
import org.enjambre.coordinator.sched.Checks;
import org.enjambre.coordinator.sched.ClusterPeers;
import org.enjambre.coordinator.sched.Durable;
import org.enjambre.coordinator.sched.JobDirectory;
import org.enjambre.coordinator.sched.Scheduler;
import org.enjambre.coordinator.store.JdbcStore;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.trust.RateLimiter;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.app.AppRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One coordinator peer: a Hazelcast member holding its share of the cluster's state, the durable
 * store, the scheduler, deadline watcher, validator and assimilator for the units it owns, and the
 * HTTP server (API, worker protocol, dashboard). Start with {@link #start(CoordinatorOptions)}.
 *
 * <p>Only wiring and timers: each behaviour lives in its own class (docs/engineering-notes.md, "which class to
 * open"): {@code sched/PeerAnswers}, {@link EventPublisher}, {@link ClusterView}, {@link Gauges}, {@link ApiKeyFile},
 * the scheduler's daemons. Construction order matters: the store, then the cluster member and the index, then
 * the services that read them, the HTTP server last.
 *
 * <p>Size (~350 lines): only wiring, about thirty components built in that order, each a few lines; splitting it
 * would spread the one place that shows the order across files.
 */
public final class Coordinator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

    private final CoordinatorOptions options;
    private final Clock clock;
    private final Store store;
    private final ClusterNode node;
    private final LocalIndex index;
    /** Hands the changes of the units this peer owns to {@link #index}, in order, off the partition threads. */
    private final org.enjambre.coordinator.cluster.UnitFeed feed;
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
    private final ClusterView clusterView;
    private final EventPublisher publisher;
    private final org.enjambre.coordinator.data.HazelcastDataPeers dataPeers;
    private final org.enjambre.coordinator.data.DataService data;
    private volatile org.enjambre.coordinator.data.RepairTimer repairs;

    private Coordinator(CoordinatorOptions o) throws Exception {
        this.options = o;
        this.clock = o.clock();
        Files.createDirectories(o.dataDir());
        this.apiKey = o.apiKey() != null ? o.apiKey() : ApiKeyFile.readOrCreate(o.dataDir());
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
        this.feed = new org.enjambre.coordinator.cluster.UnitFeed(index::change, node::owns,
                String.valueOf(o.clusterOptions().port()));
        feed.attach(node.hazelcast());
        node.units().addLocalEntryListener(feed.events());
        node.jobs().addEntryListener(new FreshJobs(index, node), true);
        FreshJobs.rebuild(index, node);
        this.registrationLimiter = limiter(o.registrationsPerMinute(), o.registrationBurst());
        this.fetchLimiter = limiter(o.fetchesPerMinute(), o.fetchBurst());
        node.hazelcast().getPartitionService().addMigrationListener(new MigrationListener() {
            @Override public void migrationStarted(MigrationState s) { }
            @Override public void migrationFinished(MigrationState s) { FreshJobs.rebuild(index, node); }
            @Override public void replicaMigrationCompleted(ReplicaMigrationEvent e) { }
            @Override public void replicaMigrationFailed(ReplicaMigrationEvent e) { }
        });
        this.workers = new WorkerService(node.workers(), node.hazelcast().getMap(org.enjambre.coordinator.workers.VisitRecords.PLATFORMS),
                store, clock, registrationLimiter);
        this.peers = new PeerQueries(node.hazelcast(), new PeerAnswers(index, node.jobs()::get, this::status,
                this::scheduler, closed::get));
        this.jobs = new JobService(node, store, AppRegistry.builtIns().with(new org.enjambre.workunits.wasm.WasmApp(new org.enjambre.coordinator.store.StoredModules(store))),
                clock, peers);
        jobsRef[0] = jobs;
        jobs.onAccepted(j -> FreshJobs.accepted(index, node, j));
        this.spotChecks = new org.enjambre.coordinator.sched.SpotChecks(
                org.enjambre.coordinator.sched.PendingChecks.of(node.hazelcast().getMap("spotchecks")), jobs.apps());
        checksRef[0] = spotChecks;
        this.scheduler = new Scheduler(new Scheduler.Ports(node.unitTable(), index,
                JobDirectory.of(jobs), workers::apply, Durable.of(store),
                Checks.of(spotChecks, node.hazelcast().getMap("spotchecks-sent")), new ClusterPeers(peers),
                metrics, clock, new java.security.SecureRandom()), new Scheduler.Placement(true, !o.allowSameHost()),
                org.enjambre.workunits.trust.TrustRules.withWait(o.credibilityWait()),
                o.placementWaitMillis(), o.oversizeWaitMillis());
        node.hazelcast().getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
            @Override
            public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {
                rebuildSoon();
                repairSoon();
            }

            @Override
            public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) {
                rebuildSoon();
                repairSoon();
            }
        });
        Gauges.register(metrics, node, index, workers, store);
        this.clusterView = new ClusterView(node.hazelcast(), peers);
        this.publisher = new EventPublisher(jobs, workers, events, peers, () -> node.hazelcast().getCluster().getMembers().size(), clock);

        this.dataPeers = new org.enjambre.coordinator.data.HazelcastDataPeers(node.hazelcast());
        this.data = new org.enjambre.coordinator.data.DataService(
                new org.enjambre.coordinator.data.DiskChunkStore(o.dataDir().resolve("chunks"), o.dataQuotaBytes()),
                dataPeers, new org.enjambre.coordinator.data.PeerTransfer(dataPeers::token), store, clock,
                new org.enjambre.coordinator.data.DataService.Options(o.chunkBytes(), o.dataReplicas(), o.dataGcGrace()),
                org.enjambre.coordinator.data.FileCollector.referencedBy(jobs.apps(), store), o.outputLimits(),
                new org.enjambre.coordinator.data.Sharers(node.hazelcast(), clock));
        jobs.readOutputsWith(ref -> data.outputs().read(ref, org.enjambre.coordinator.data.OutputFiles.MERGE_READ_LIMIT));
        metrics.gauge("enjambre.data.chunks.bytes", "Bytes of file chunks this peer stores", "scope", "peer", data.local()::usage);

        this.vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(64)
                .setEventLoopPoolSize(Math.max(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, o.httpLoops())));
        this.api = new ApiServer(vertx, new ApiServer.Services(jobs, workers, scheduler, store, metrics, events, polls,
                new ApiServer.Peers() {
                    @Override public int count() { return node.hazelcast().getCluster().getMembers().size(); }
                    @Override public ObjectNode clusterView() { return clusterView.json(); }
                    @Override public String snapshotEvents() { return publisher.snapshot(); }
                }, fetchLimiter, clock, System::nanoTime, data),
                new ApiServer.Settings(apiKey, o.privateViews(), o.maxBufferedBytes(), o.httpLoops()));
        api.listen(o.host(), o.port()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        dataPeers.publish(o.publicUrl() != null ? o.publicUrl() : url(), o.publicUrl() != null);

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
            workers.evictIdle();
        }, 1, 1, TimeUnit.MINUTES);
        timers.scheduleWithFixedDelay(() -> {
            if (!closed.get()) {
                jobs.checkAll();
            }
        }, 5, 5, TimeUnit.SECONDS);
        jobs.checkAll();
        this.repairs = new org.enjambre.coordinator.data.RepairTimer(data);
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
        return ApiKeyFile.path(dataDir);
    }

    /** Re-replicates file chunks soon after a peer came or went (README, Data files). */
    private void repairSoon() {
        org.enjambre.coordinator.data.RepairTimer r = repairs;
        if (r != null) {
            r.soon();
        }
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
                        FreshJobs.rebuild(index, node);
                        polls.signal(index.readyCount());
                    }
                } catch (RuntimeException e) {
                    LOG.debug("rebuilding the local index", e);
                }
            }, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Pushes job, worker and stats changes to dashboard subscribers (the timer calls it four times a second). */
    private void publishChanges() {
        if (closed.get()) {
            return;
        }
        try {
            publisher.publish();
        } catch (RuntimeException e) {
            if (!closed.get()) {
                LOG.warn("publishing events failed", e);
            }
        }
    }

    /** The initial frames of a new event stream: every job and worker as they are now. */
    public String snapshotEvents() {
        return publisher.snapshot();
    }

    /** {@code {"peers": [...]}}: the coordinator peers, their share of the partitions and their load. */
    public ObjectNode clusterView() {
        return clusterView.json();
    }

    private void expire() {
        try {
            scheduler.deadlines().expire();
            scheduler.credibility().unstick();
            scheduler.releaser().sweep(workers::barred);
            scheduler.placement().check(() -> workers.all().stream().filter(workers::online).toList());
            workers.visits().sweep();
        } catch (RuntimeException e) {
            if (!closed.get()) {
                LOG.warn("deadline check failed", e);
            }
        }
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

    /** This member as it describes itself to the others ({@code PeerQuestion.Describe}); no URL until it serves. */
    private org.enjambre.coordinator.cluster.PeerQuestion.PeerStatus status() {
        return new org.enjambre.coordinator.cluster.PeerQuestion.PeerStatus(
                node.hazelcast().getCluster().getLocalMember().getUuid().toString(),
                node.units().getLocalMapStats().getOwnedEntryCount() + index.freshCount(), index.readyCount(), (long) metrics.reportedTotal(),
                api() == null ? null : url(), workers.callingHere());
    }

    public Clock clock() { return clock; }
    public Store store() { return store; }
    public ClusterNode node() { return node; }
    /** This peer's index of the units it owns (tests look at it). */
    LocalIndex index() { return index; }
    public JobService jobs() { return jobs; }
    public WorkerService workers() { return workers; }
    public Scheduler scheduler() { return scheduler; }
    public Metrics metrics() { return metrics; }
    public PeerQueries peers() { return peers; }
    public Events events() { return events; }
    public ApiServer api() { return api; }
    public org.enjambre.coordinator.data.DataService data() { return data; }
    /** When this peer's data passes (re-replication, garbage) run; {@code settled()} after a membership change. */
    public org.enjambre.coordinator.data.RepairTimer dataTimer() { return repairs; }

    /** Stops gracefully: stops serving, leaves the cluster (partitions migrate), closes the store. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        timers.shutdownNow();
        repairs.close();
        events.close();
        try {
            api.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("closing the HTTP server", e);
        }
        jobs.close();
        spotChecks.close();
        node.close();
        feed.close();
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
        repairs.close();
        node.crash();
        feed.close();
        store.crash(); // before anything else runs on: deferred writes that fall due now must be lost too
        vertx.close();
        jobs.close();
    }
}
