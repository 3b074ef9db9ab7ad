package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.cluster.UnitTable;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.trust.Credibility;
import org.enjambre.workunits.trust.TrustRules;

import java.time.Clock;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The scheduling daemons of one peer, wired over their ports, and the values of the worker protocol.
 * Open the daemon for the behaviour: {@link Issuer} (fetch: feeder, placement, spot-check mixing,
 * stealing), {@link ReportHandler} (report: validation, credit, spot-check verdicts, backtracking),
 * {@link DeadlineWatcher}, {@link CredibilityJudge}. None starts a thread or reads a wall clock: the
 * wiring ({@code Coordinator}, or a simulation) calls them.
 */
public final class Scheduler {
    /** Placement rules beyond "one replica per worker". */
    public record Placement(boolean distinctAccounts, boolean distinctHosts) {
    }

    /** A task handed to a worker. */
    public record Assignment(String id, String app, byte[] input, long deadline, double cost, String blob) {
    }

    /** One result in a worker's report: an output, or an error message. */
    public record Report(String id, byte[] output, String error) {
    }

    /** A refused report item. */
    public record Refusal(String id, String code, String message) {
    }

    /** The answer to a report. */
    public record ReportOutcome(List<String> accepted, List<Refusal> rejected) {
    }

    /**
     * Credibility under the saboteur fraction the production rules assume (Sarmenta's f = 0.1): a fresh
     * worker's result is right with probability 1 − f; each passed spot-check raises it. The same on every
     * peer, so all judge alike.
     */
    public static final Credibility CREDIBILITY = TrustRules.PRODUCTION.credibility();

    /** What the daemons read and change, and where time and randomness come from. */
    public record Ports(UnitTable units, LocalIndex index, JobDirectory jobs, WorkerDirectory workers, Durable store,
                        Checks checks, Peers peers, Metrics metrics, Clock clock, RandomGenerator random) {
    }

    private final Issuer issuer;
    private final ReportHandler reports;
    private final DeadlineWatcher deadlines;
    private final CredibilityJudge credibility;
    private final Releaser releaser;
    private final PlacementWatcher placementWatcher;
    private final Peers peers;
    private final VisitPlanner visits;

    /** How long a unit may find no eligible worker before it fails with that reason ({@link PlacementWatcher}). */
    public static final long DEFAULT_PLACEMENT_WAIT_MILLIS = 300_000;

    /** The daemons under the production trust rules. */
    public Scheduler(Ports p, Placement placement) {
        this(p, placement, TrustRules.PRODUCTION);
    }

    /** The daemons under {@code rules} (production's, with the coordinator's credibility wait). */
    public Scheduler(Ports p, Placement placement, TrustRules rules) {
        this(p, placement, rules, DEFAULT_PLACEMENT_WAIT_MILLIS);
    }

    /** As above, failing a unit that found no eligible worker for {@code placementWaitMillis} ({@link PlacementWatcher}). */
    public Scheduler(Ports p, Placement placement, TrustRules rules, long placementWaitMillis) {
        this(p, placement, rules, placementWaitMillis, VisitPlanner.DEFAULT_OVERSIZE_WAIT_MILLIS);
    }

    /**
     * As above; a unit too long for any browser's visit is refused to browsers for {@code oversizeWaitMillis} (so
     * that JVM workers take it) before a browser gets it anyway ({@link VisitPlanner}).
     */
    public Scheduler(Ports p, Placement placement, TrustRules rules, long placementWaitMillis, long oversizeWaitMillis) {
        Credit credit = new Credit(p.jobs(), p.metrics());
        OwnedUnits owned = new OwnedUnits(p.units(), p.jobs(), p.workers(), p.store(), credit);
        this.issuer = new Issuer(p.units(), p.index(), p.jobs(), p.store(), p.checks(), p.peers(), p.metrics(), p.clock(),
                p.random(), placement, rules);
        this.reports = new ReportHandler(p.units(), p.jobs(), p.workers(), p.store(), p.checks(), p.peers(), credit,
                p.metrics(), p.clock());
        this.deadlines = new DeadlineWatcher(p.index(), owned, p.metrics(), p.clock());
        this.credibility = new CredibilityJudge(p.index(), owned, p.jobs(), p.checks(), p.clock(), rules.credibilityWait());
        this.releaser = new Releaser(p.index(), owned, p.clock());
        this.placementWatcher = new PlacementWatcher(p.index(), owned, p.jobs(), issuer::ref, p.clock(), placementWaitMillis);
        this.peers = p.peers();
        this.visits = new VisitPlanner(p.jobs(), p.clock(), oversizeWaitMillis);
    }

    public Issuer issuer() {
        return issuer;
    }

    public ReportHandler reports() {
        return reports;
    }

    public DeadlineWatcher deadlines() {
        return deadlines;
    }

    public CredibilityJudge credibility() {
        return credibility;
    }

    public PlacementWatcher placement() {
        return placementWatcher;
    }

    /** Releases this peer's part of a worker's replicas ({@link Releaser}): what a peer does when asked. */
    public Releaser releaser() {
        return releaser;
    }

    /**
     * Releases the replicas {@code workerId} holds in progress on every peer, except the task ids in {@code keep};
     * returns how many. Blocks until every peer answered.
     */
    public int releaseEverywhere(String workerId, java.util.Set<String> keep, String reason) {
        return peers.releaseEverywhere(workerId, keep, reason);
    }

    /** {@link Issuer#fetch}. */
    public List<Assignment> fetch(WorkerRecord worker, int max) {
        return issuer.fetch(worker, max);
    }

    /** {@link Issuer#fetch} of units sized for a browser's visit ({@link VisitPlanner}; null: not sized). */
    public List<Assignment> fetch(WorkerRecord worker, int max, org.enjambre.coordinator.model.VisitOutlook visit) {
        return fetch(worker, max, visit, List.of());
    }

    /** As above, preferring units that read files in {@code cached} (ids the worker caches whole, newest first). */
    public List<Assignment> fetch(WorkerRecord worker, int max, org.enjambre.coordinator.model.VisitOutlook visit,
                                  List<String> cached) {
        return issuer.fetch(worker, max, Issuer.DEFAULT_FETCH_BYTES, visits.fit(visit, max, worker.cores()), cached);
    }

    /** {@link ReportHandler#report}. */
    public ReportOutcome report(WorkerRecord worker, List<Report> reports) {
        return this.reports.report(worker, reports);
    }
}
