package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.cluster.UnitChange;
import org.enjambre.coordinator.cluster.UnitTable;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.JobSpecs;
import org.enjambre.coordinator.metrics.Metrics;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Effect;
import org.enjambre.workunits.transition.Event;
import org.enjambre.workunits.trust.TrustRules;
import org.enjambre.workunits.wasm.WasmApp;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Hands out tasks (BOINC's feeder and scheduler as seen from a worker): spot-checks mixed in at the rate the
 * worker's jobs ask for, then ready units this peer owns (higher priority first, round-robin among jobs of
 * equal priority), then ready units other peers own (stealing). A worker on probation (no spot-check passed yet) takes few units of a
 * job that spot-checks ({@link Probation}). Each issue is decided by the unit's own
 * transition, which has the last word. Issued replicas and a job's RUNNING record are written behind
 * ({@link Durable#writeLater}): a crash may forget them; the replicas come back unsent, the job QUEUED.
 *
 * <p>Blocks (table and store): call it off event loops. Reads time only from its clock, randomness only
 * from its generator. Size (~350 lines): one decision procedure read top to bottom (spot-checks, local, stealing,
 * byte budget).
 */
public final class Issuer {
    /**
     * How many ready units of a job with entries to look at for one fetch, at most (fresh units come on top,
     * {@link LocalIndex#ready}): four whole fetches, so that a worker holding its own last fetch or two of a quorum
     * job's lowest ready units still reaches those of other workers behind them near the job's end.
     */
    private static final int SCAN_LIMIT = 4 * 256;
    /** At most this many rounds over the jobs per fetch (two, plus one after each round that lost a unit to a race). */
    private static final int MAX_ROUNDS = 8;
    /** The deadline of a spot-check sent to a worker that has no other work here. */
    private static final long WAITING_CHECK_DEADLINE_MILLIS = 600_000;
    /**
     * The most bytes of task inputs one fetch hands out (at least one task always goes): a job of 20 MB unit
     * inputs never makes a 256 × 20 MB answer.
     */
    public static final long DEFAULT_FETCH_BYTES = 8L << 20;

    private final UnitTable units;
    private final LocalIndex index;
    private final JobDirectory jobs;
    private final Durable store;
    private final Checks checks;
    private final Peers peers;
    private final Metrics metrics;
    private final Clock clock;
    private final RandomGenerator random;
    private final Scheduler.Placement placement;
    private final TrustRules rules;
    private final Candidates candidates;
    private final Locality locality;
    private final AtomicLong rotation = new AtomicLong();
    /**
     * Jobs with spot-checks seen running here, id → policy, for checking workers that have no work here: the
     * credibility jobs among them for a worker's warm-up, all of them (their units may wait for their workers'
     * checks: {@link Redundancy#waitsForChecks}) for a worker whose results wait, since only a check (or the
     * credibility wait) moves those on.
     */
    private final Map<String, Redundancy> checkedJobs = new ConcurrentHashMap<>();

    Issuer(UnitTable units, LocalIndex index, JobDirectory jobs, Durable store, Checks checks, Peers peers,
           Metrics metrics, Clock clock, RandomGenerator random, Scheduler.Placement placement, TrustRules rules) {
        this.units = units;
        this.index = index;
        this.jobs = jobs;
        this.store = store;
        this.checks = checks;
        this.peers = peers;
        this.metrics = metrics;
        this.clock = clock;
        this.random = random;
        this.placement = placement;
        this.rules = rules;
        this.candidates = new Candidates(rules.credibility(), clock);
        this.locality = new Locality(jobs, index);
    }

    /** The placement reference of a worker under this peer's rules. */
    WorkerRef ref(WorkerRecord w) {
        return new WorkerRef(w.id(), placement.distinctAccounts() ? w.account() : null,
                placement.distinctHosts() ? w.host() : null);
    }

    /** {@link #fetch(WorkerRecord, int, long)} within {@link #DEFAULT_FETCH_BYTES}. */
    public List<Scheduler.Assignment> fetch(WorkerRecord worker, int max) {
        return fetch(worker, max, DEFAULT_FETCH_BYTES);
    }

    /**
     * Issues up to {@code max} tasks to {@code worker}, adding no more once their inputs would pass
     * {@code maxBytes} (but always at least one unit task when there is one); an empty list when nothing
     * suits it now.
     */
    public List<Scheduler.Assignment> fetch(WorkerRecord worker, int max, long maxBytes) {
        return fetch(worker, max, maxBytes, VisitPlanner.Fit.ANY);
    }

    /** As above, handing out only units that {@code fit} admits (a browser's visit: {@link VisitPlanner}). */
    public List<Scheduler.Assignment> fetch(WorkerRecord worker, int max, long maxBytes, VisitPlanner.Fit fit) {
        return fetch(worker, max, maxBytes, fit, List.of());
    }

    /**
     * As above; within each job, units reading a file in {@code cached} (file ids the worker caches whole, newest
     * first) go first ({@link Locality}), then the job's order. Which jobs, how many units of each, placement and
     * the byte budget are decided exactly as without them.
     */
    public List<Scheduler.Assignment> fetch(WorkerRecord worker, int max, long maxBytes, VisitPlanner.Fit fit,
                                            List<String> cached) {
        if (worker.blacklisted() || max <= 0) {
            return List.of();
        }
        WorkerRef ref = ref(worker);
        long now = clock.millis();
        this.candidates.seen(worker);
        List<JobRecord> candidates = candidates(worker);
        // Round-robin among the jobs of the top priority that has work: rotate where we start.
        int top = candidates.isEmpty() ? 0 : candidates.get(0).priority();
        int equal = (int) candidates.stream().filter(j -> j.priority() == top).count();
        int start = equal == 0 ? 0 : (int) Math.floorMod(rotation.getAndIncrement(), equal);
        List<JobRecord> order = new ArrayList<>(candidates.size());
        for (int i = 0; i < equal; i++) {
            order.add(candidates.get((start + i) % equal));
        }
        order.addAll(candidates.subList(equal, candidates.size()));

        Batch b = new Batch(worker, ref, now, maxBytes);
        CheckPlan plan = planChecks(worker, candidates, max);
        Probation probation = Probation.of(worker, candidates, rules, checks, index);
        int room = max - plan.count(); // the slots the planned checks leave for units
        // Two rounds, and one more after a round that lost a unit to a concurrent fetch (bounded): the index learns of
        // an issue a moment later, so fetches woken together by a burst of ready units all see the same lowest keys.
        int rounds = 2;
        for (int round = 0; round < rounds && b.room(room); round++) {
            int lostBefore = b.lost;
            for (JobRecord job : order) {
                if (!b.room(room)) {
                    break;
                }
                // First round: share among jobs of equal priority; second round: fill up from any.
                int want = round == 0 && job.priority() == top ? Math.max(1, (room + equal - 1) / equal) : room - b.out.size();
                want = probation.allow(job.id(), Math.min(want, room - b.out.size()));
                if (want == 0) {
                    continue;
                }
                List<String> keys = new ArrayList<>();
                for (LocalIndex.Ready r : locality.preferred(job, cached, ref, want,
                        (j, k) -> !b.tried.contains(k) && fit.admits(j, k))) {
                    keys.add(r.key());
                    b.preferred.add(r.key());
                }
                int near = keys.size();
                int scan = fit.restrictive() ? SCAN_LIMIT : Math.min(SCAN_LIMIT, want + near + b.tried.size());
                for (LocalIndex.Ready r : index.ready(job.id(), ref, scan, SCAN_LIMIT)) {
                    if (keys.size() < want && (near == 0 || !keys.contains(r.key())) && !b.tried.contains(r.key())
                            && fit.admits(job, r.key())) {
                        keys.add(r.key());
                    }
                }
                probation.took(job.id(), issue(job, keys, b));
            }
            if (b.lost > lostBefore && rounds < MAX_ROUNDS) {
                rounds++;
            }
        }
        if (b.room(room)) {
            // This peer's own units are all taken: take ready units that other peers own.
            for (String key : peers.readyElsewhere(ref, java.util.Set.copyOf(worker.apps()), room - b.out.size())) {
                jobs.find(OwnedUnits.jobOf(key)).ifPresent(job -> {
                    if (!job.state().terminal() && worker.apps().contains(job.app()) && fit.admits(job, key)
                            && probation.allow(job.id(), 1) > 0) {
                        probation.took(job.id(), issue(job, List.of(key), b));
                    }
                });
                if (!b.room(room)) {
                    break;
                }
            }
        }
        // Checks ride along with units: each unit issued brings one with the check rate's probability (at most
        // the slots planned), so that a worker that gets no unit gets no check either and waits in its long-poll:
        // near a job's end, checks alone answered every fetch at once and three real workers passed about 250
        // checks each in a 150-unit quorum job (bench/scripts/saboteur-swarm.sh); drawn per fetch slot, a fetch
        // of one unit still got up to half a buffer of checks. A fetch all of whose slots are checks (max 1 or 2)
        // carries them only if a unit was there to take: a worker fetching one task at a time is checked at the
        // same rate as any other.
        int n = 0;
        long deadlineMillis = plan.deadlineMillis();
        if (plan.idle()) {
            n = Math.min(plan.count(), 1);
        } else if (b.units == 0 && room > 0) {
            // Units are ready here but none for this worker (placement: it holds or held a replica of each; probation;
            // a browser's visit): it is idle here as much as a worker that finds nothing. Found by the whole-swarm
            // simulation (seed 401163): a unit's lone result waited for its worker's credibility, the unit was ready
            // for a replica no other worker might take, so its owner never checked that worker again, and the
            // placement watcher, rightly, does not fail a unit a check may accept: it waited until the run's end.
            n = draw(worker, idleRate(worker), 1);
            deadlineMillis = WAITING_CHECK_DEADLINE_MILLIS;
        } else if (room == 0) {
            n = readyHere(order, ref) ? plan.count() : 0;
        } else {
            for (int i = 0; i < b.units && n < plan.count(); i++) {
                if (checks.due(worker, plan.rate())) {
                    n++;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            checks.create(worker, now, now + deadlineMillis).ifPresent(a -> {
                b.out.add(a);
                b.bytes += a.input().length;
            });
        }
        // Issued replicas are written behind: losing one in a crash costs a recomputation, never a wrong
        // result, and its unit is usually written again by a report within the delay, then only once. So is a job's
        // QUEUED -> RUNNING record (its first issue): a job found QUEUED after a crash is marked RUNNING by its next
        // issue, or completes from QUEUED; waiting for it cost every job's first fetch an fsync (issue 16).
        store.writeLater(new Store.Batch(b.changed, List.of(), b.started));
        metrics.issued(b.out.size());
        if (b.localityHits > 0) {
            metrics.localityHits(b.localityHits);
        }
        return b.out;
    }

    /** What one fetch gathers, and how much of its byte budget it used. */
    private static final class Batch {
        final WorkerRecord worker;
        final WorkerRef ref;
        final long now;
        final long maxBytes;
        final List<Scheduler.Assignment> out = new ArrayList<>();
        final List<WorkUnit> changed = new ArrayList<>();
        final List<JobRecord> started = new ArrayList<>();
        /** Input bytes of the tasks in {@link #out}. */
        long bytes;
        /** Unit tasks (not spot-checks) in {@link #out}. */
        int units;
        /** Set once the next task would pass {@link #maxBytes}. */
        boolean spent;
        /** Keys chosen because they read a file the worker caches ({@link Locality}), and how many of them went out. */
        final java.util.Set<String> preferred = new java.util.HashSet<>();
        int localityHits;
        /**
         * Keys this fetch tried to issue, issued or not: skipped in later rounds. The index learns of an issue a moment
         * later, so a later round still sees this fetch's own issues as ready; when they were not skipped, a round that
         * had lost a few units to an earlier fetch tried its own issues again and the fetch came back short (60 of
         * 64 tasks, CI of the eleventh session).
         */
        final java.util.Set<String> tried = new java.util.HashSet<>();
        /** Keys this fetch could not issue (another fetch took them first, or not for this worker). */
        int lost;

        Batch(WorkerRecord worker, WorkerRef ref, long now, long maxBytes) {
            this.worker = worker;
            this.ref = ref;
            this.now = now;
            this.maxBytes = maxBytes;
        }

        /** Whether more tasks may be added. */
        boolean room(int max) {
            return out.size() < max && !spent;
        }
    }

    /** The unit index of a key {@code jobId/index}. */
    private static int indexOf(String key) {
        return Integer.parseInt(key.substring(key.lastIndexOf('/') + 1));
    }

    /** Running jobs with ready units here that the worker can run, highest priority first. */
    private List<JobRecord> candidates(WorkerRecord worker) {
        List<JobRecord> candidates = new ArrayList<>();
        List<String> ready = new ArrayList<>(index.readyJobs());
        ready.sort(null); // deterministic order before the stable sort by priority
        for (String jobId : ready) {
            jobs.find(jobId).ifPresent(j -> {
                if (!j.state().terminal() && worker.apps().contains(j.app())) {
                    candidates.add(j);
                }
            });
        }
        candidates.sort(Comparator.comparingInt(JobRecord::priority).reversed());
        return candidates;
    }

    /** Whether a unit of one of {@code jobs} is ready here for {@code worker} (a look, nothing issued). */
    private boolean readyHere(List<JobRecord> jobs, WorkerRef worker) {
        for (JobRecord job : jobs) {
            if (!index.ready(job.id(), worker, 1, SCAN_LIMIT).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** How many spot-checks a fetch may carry, with what deadline; idle: the worker has no work here at all. */
    private record CheckPlan(int count, double rate, long deadlineMillis, boolean idle) {
    }

    /**
     * Up to half of {@code max} spot-checks, each due at the highest rate the trust rules give the worker for the
     * candidate jobs ({@link org.enjambre.workunits.trust.SpotCheckRate}: the job's rate, more in its warm-up).
     */
    private CheckPlan planChecks(WorkerRecord worker, List<JobRecord> candidates, int max) {
        double rate = 0;
        long deadlineMillis = 0;
        for (JobRecord j : candidates) {
            JobSpecs.Parsed spec = JobSpecs.of(j);
            Redundancy r = spec.redundancy();
            rate = Math.max(rate, rules.spotChecks().rate(worker.trust(), r));
            if (r.spotCheckRate() > 0) {
                checkedJobs.put(j.id(), r);
            }
            if (r.spotCheckRate() > 0 && !checks.canCheck(j.app())) {
                checks.seed(j); // a fresh cluster: no completed unit to learn an answer from yet
            }
            deadlineMillis = Math.max(deadlineMillis, spec.deadlineMillis());
        }
        // Without work here, a worker is still checked while it is in its warm-up for a credibility job running
        // (at the warm-up rate), or at the job's own rate while its results wait for credibility (they may be on
        // other peers): only checks move those results on. Past the warm-up, more checks of this worker rarely
        // make its results credible (a lone result needs hundreds at θ = 0.9999, a pair waits on the other
        // worker), and at the warm-up rate an idle worker did little else: 250 to 650 checks per worker in a
        // 15 s job of bench/scripts/saboteur-swarm.sh. The credibility wait adds a replica instead.
        boolean idle = candidates.isEmpty();
        if (idle) {
            rate = idleRate(worker);
            deadlineMillis = WAITING_CHECK_DEADLINE_MILLIS;
        }
        return new CheckPlan(draw(worker, rate, (max + 1) / 2), rate, deadlineMillis, idle);
    }

    /** How many of up to {@code most} checks are due at {@code rate}. */
    private int draw(WorkerRecord worker, double rate, int most) {
        int count = 0;
        for (int i = 0; i < most; i++) {
            if (checks.due(worker, rate)) {
                count++;
            }
        }
        return count;
    }

    /**
     * The check rate of a worker with no work here: the warm-up rate while it is in its warm-up for a credibility job
     * running, the waiting jobs' rate while a result of it waits here for checks that may accept its unit, else 0.
     * Not for a result a check cannot accept (a lone result of a quorum unit needs another replica): such a worker
     * spun on checks, one per fetch, for the rest of a run (whole-swarm simulation, seed 402536).
     */
    private double idleRate(WorkerRecord worker) {
        if (needsCredibility(worker)) {
            return rules.spotChecks().warmupRate();
        }
        for (String key : index.waitingOn(worker.id())) {
            if (index.awaitsCredibility(key)) {
                return waitingJobsRate();
            }
        }
        return 0;
    }

    /** The highest spot-check rate of the running jobs whose units may wait for checks (ended ones are forgotten). */
    private double waitingJobsRate() {
        double rate = 0;
        for (Map.Entry<String, Redundancy> e : checkedJobs.entrySet()) {
            Optional<JobRecord> job = jobs.find(e.getKey());
            if (job.isEmpty() || job.get().state().terminal()) {
                checkedJobs.remove(e.getKey());
            } else {
                rate = Math.max(rate, e.getValue().spotCheckRate());
            }
        }
        return rate;
    }

    /**
     * Whether {@code worker} is still in its spot-check warm-up for a credibility job this peer has seen
     * running (jobs that ended are forgotten here).
     */
    private boolean needsCredibility(WorkerRecord worker) {
        for (Map.Entry<String, Redundancy> e : checkedJobs.entrySet()) {
            if (!e.getValue().credibilityBased()) {
                continue;
            }
            Optional<JobRecord> job = jobs.find(e.getKey());
            if (job.isEmpty() || job.get().state().terminal()) {
                checkedJobs.remove(e.getKey());
            } else if (worker.apps().contains(job.get().app())
                    && worker.spotChecksPassed() < rules.spotChecks().warmupFor(e.getValue())) {
                return true;
            }
        }
        return false;
    }

    /** Issues what it can of {@code keys} into {@code b}; how many tasks it issued. */
    private int issue(JobRecord job, List<String> keys, Batch b) {
        if (keys.isEmpty()) {
            return 0;
        }
        JobSpecs.Parsed spec = JobSpecs.of(job);
        App app = jobs.app(job.app());
        // The inputs first: the byte budget decides how many of the keys to issue (never one that is not sent).
        Map<String, byte[]> inputs = new java.util.LinkedHashMap<>();
        long planned = b.bytes;
        for (String key : keys) {
            byte[] input = app.unitInput(spec.input(), job.workUnits(), indexOf(key));
            if ((b.units > 0 || !inputs.isEmpty()) && planned + input.length > b.maxBytes) {
                b.spent = true;
                break;
            }
            planned += input.length;
            inputs.put(key, input);
        }
        long deadline = b.now + spec.deadlineMillis();
        Event.Issue issue = new Event.Issue(b.ref, b.now, deadline);
        Redundancy policy = spec.redundancy();
        // The trust rules decide a fresh unit's replicas (the unit applies it only if none is out yet): adaptive
        // replication may run it alone; credibility planning issues the votes θ needs up front.
        double[] others = policy.credibilityBased() ? candidates.credibilities(b.worker.id()) : new double[0];
        List<UnitTable.Step> steps = new ArrayList<>(inputs.size());
        for (String key : inputs.keySet()) {
            b.tried.add(key);
            Redundancy plan = rules.replicasFor(policy, b.worker.trust(), others, random);
            steps.add(new UnitTable.Step(key, job.app(), issue, plan.equals(policy) ? null : plan, policy)); // policy: makes a fresh unit
        }
        int issued = 0;
        List<UnitChange> changes = units.applyEach(steps);
        for (int i = 0; i < changes.size(); i++) {
            UnitChange c = changes.get(i);
            if (!c.accepted() || !c.changed()) {
                b.lost++; // taken meanwhile (or not for this worker)
                continue;
            }
            b.changed.add(c.unit());
            for (Effect e : c.effects()) {
                if (e instanceof Effect.Issued is) {
                    WorkUnit u = c.unit();
                    byte[] input = inputs.get(WorkUnit.id(u.jobId(), u.index()));
                    b.out.add(new Scheduler.Assignment(u.id() + "/" + is.replica(), job.app(), input, deadline,
                            app.cost(spec.input(), job.workUnits(), u.index()),
                            WasmApp.moduleOf(spec.input()).orElse(null)));
                    b.bytes += input.length;
                    b.units++;
                    if (!b.preferred.isEmpty() && b.preferred.contains(u.id())) {
                        b.localityHits++;
                    }
                    issued++;
                }
            }
        }
        if (issued > 0 && job.state() == JobState.QUEUED) {
            jobs.markRunning(job.id()).ifPresent(b.started::add);
        }
        return issued;
    }
}
