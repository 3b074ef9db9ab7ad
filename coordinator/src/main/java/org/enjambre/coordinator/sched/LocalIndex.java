package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.sched.UnitTallies.Seen;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * This peer's view of the work units it owns: which need replicas (by job, in index order), when
 * the earliest replica of each times out, and how many units of each job are in each state. Fed by the entry
 * processors that run on this peer's partitions and by the map's local removals and loads ({@code cluster.UnitFeed}),
 * so every peer indexes exactly its own partitions; rebuilt when partitions move (a migration fires no event).
 *
 * <p>A job's never-touched units have no map entry: each peer learns of the job ({@link #freshJob}, and
 * {@link #rebuild} for every running job) and keeps the indices it owns in one bit set per job
 * ({@link FreshUnits}), counted as NEEDS_REPLICAS and handed out as ready; a unit's first event makes its entry,
 * whose first change moves it from the bit set to the ordinary indexes. Invariant: a key is in at most one of
 * {@code seen} (has an entry here) and its job's fresh bits.
 *
 * <p>An index entry is a hint: the unit's entry processor has the last word on every change. This class keeps what
 * each key was last counted as ({@code seen}) and the fresh units, and hands every change to its parts, one index
 * each: {@link ReadyQueues}, {@link Deadlines}, {@link CredibilityWaits}, {@link HeldReplicas} and the counters
 * ({@link UnitTallies}). Every change goes through {@link #change} under this object's lock, so the parts agree.
 */
public final class LocalIndex {

    /** A unit that needs replicas, with who already holds one (to skip them without a round trip). */
    public record Ready(String key, int index, List<WorkerRef> holders) {
        public boolean admits(WorkerRef w) {
            for (WorkerRef h : holders) {
                if (h.workerId().equals(w.workerId())
                        || (h.accountId() != null && h.accountId().equals(w.accountId()))
                        || (h.hostId() != null && h.hostId().equals(w.hostId()))) {
                    return false;
                }
            }
            return true;
        }
    }

    private final ReadyQueues ready = new ReadyQueues();
    private final Deadlines deadlines = new Deadlines();
    /**
     * Every unit with an entry here, by key; under this index's lock only. Linked, so that a scan costs its size and not
     * the largest it ever was: a {@code ConcurrentHashMap}'s iteration walks its whole table, which never shrinks, and
     * after a 100,000-unit job a scan of the few entries left took about 250 µs under this lock on every job submitted
     * (PathTrace, twelfth session).
     */
    private final Map<String, Seen> seen = new java.util.LinkedHashMap<>();
    /** How many entries of {@link #seen} each job has: a job with none (every job just submitted) is not scanned for. */
    private final Map<String, Integer> entriesByJob = new java.util.HashMap<>();
    private final UnitTallies tallies = new UnitTallies();
    /** Units waiting for the credibility of their results: since when, and whose results wait. */
    private final CredibilityWaits waiting = new CredibilityWaits();
    /** Replicas in progress on units owned here, by unit and by worker. */
    private final HeldReplicas held = new HeldReplicas();
    /** Ready units no connected worker may take because of placement ({@link PlacementWatcher}): since when. */
    private final Map<String, Long> noEligibleWorker = new ConcurrentHashMap<>();
    /** Each running job's fresh units owned here, and what one of them counts as. */
    private final Map<String, Implicit> fresh = new ConcurrentHashMap<>();
    /** Jobs this peer saw end ({@link #jobEnded}): an entry of theirs that appears afterwards is a stray. */
    private final Set<String> ended = ConcurrentHashMap.newKeySet();
    private volatile Consumer<String> onStray = key -> { };
    private final Consumer<String> onReady;
    private final Consumer<WorkUnit> onFinished;

    /**
     * @param onReady    called with a job id when one of its units becomes ready
     * @param onFinished called with a unit that became DONE or FAILED
     */
    public LocalIndex(Consumer<String> onReady, Consumer<WorkUnit> onFinished) {
        this.onReady = onReady;
        this.onFinished = onFinished;
    }

    /**
     * At most this many ready signals for a job's fresh units at once: more than the fetches that can be waiting (one
     * per connected worker); each signal wakes one, and one that finds nothing passes it on.
     */
    static final int MAX_READY_SIGNALS = 100_000;

    /** A job's fresh units owned here, and the {@link Seen} of each (they are all alike). */
    private record Implicit(FreshUnits units, Seen seen) {
    }

    /** A running job as {@link #freshJob} needs it. */
    public record Job(String id, int units, Redundancy policy) {
    }

    /**
     * Indexes the fresh units of a job that {@code owns} says are this peer's (a job accepted anywhere in the
     * cluster, or found after a restart): all of its units but those the index has seen an entry for. Does
     * nothing when the job is indexed already. The keys are hashed before the index is locked.
     */
    public void freshJob(Job job, Predicate<String> owns) {
        if (fresh.containsKey(job.id())) {
            return;
        }
        FreshUnits units = FreshUnits.owned(job.id(), job.units(), owns);
        synchronized (this) {
            install(job, units);
        }
    }

    private void install(Job job, FreshUnits units) {
        if (fresh.containsKey(job.id())) {
            return;
        }
        int from = job.id().length() + 1;
        for (String key : withEntries(job.id())) {
            units.take(Integer.parseInt(key.substring(from)));
        }
        Seen one = Seen.of(WorkUnit.create(job.id(), 0, job.policy()));
        fresh.put(job.id(), new Implicit(units, one));
        int n = units.size();
        if (n > 0) {
            tallies.add(one, n);
            // One call per unit that became ready, as when every unit had an entry: each call wakes one waiting
            // fetch, and a single call left every other worker in its long-poll until it timed out (20 s), so a
            // quorum job's second replicas waited for it (found with real workers after this change).
            for (int i = Math.min(n, MAX_READY_SIGNALS); i > 0; i--) {
                onReady.accept(job.id());
            }
        }
    }

    /**
     * Drops the fresh units of a job that finished (they stay implicit: views of finished jobs read the store) and
     * returns the keys of its units that have entries here, for the caller to drop from memory (its assimilator
     * does too, but an issue that raced the job's end may have made one after that). An entry of the job that
     * appears later goes to {@link #onStray}.
     */
    public synchronized List<String> jobEnded(String jobId) {
        ended.add(jobId);
        Implicit f = fresh.remove(jobId);
        if (f != null && f.units().size() > 0) {
            tallies.add(f.seen(), -f.units().size());
        }
        return withEntries(jobId);
    }

    /** Keys of the job's units that have entries here (a scan of every key seen, unless the job has none). */
    private List<String> withEntries(String jobId) {
        List<String> keys = new ArrayList<>();
        if (!entriesByJob.containsKey(jobId)) {
            return keys;
        }
        String prefix = jobId + "/";
        for (String key : seen.keySet()) {
            if (key.startsWith(prefix) && key.lastIndexOf('/') == prefix.length() - 1) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** Where the key of an entry made for a job that already ended here goes (to be dropped from memory). */
    public void onStray(Consumer<String> drop) {
        this.onStray = drop;
    }

    /** If {@code key} is a fresh unit here, takes it out of its job's bit set and returns what it counted as. */
    private Seen takeFresh(String key) {
        int slash = key.lastIndexOf('/');
        Implicit f = slash < 0 ? null : fresh.get(key.substring(0, slash));
        if (f == null) {
            return null;
        }
        try {
            return f.units().take(Integer.parseInt(key.substring(slash + 1))) ? f.seen() : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Applies one change of one unit; {@code before} or {@code after} is null when absent. In a peer the changes come
     * from the units' entry processors and the map's removals and loads, in order ({@code cluster.UnitFeed}); an
     * in-memory unit table calls this directly.
     */
    public synchronized void change(String key, WorkUnit before, WorkUnit after) {
        // What this index last counted for the key, rather than the event's old value: events may lack it
        // (entry processor updates), repeat (loads, rebuilds), and must never be counted twice.
        Seen now = after != null ? Seen.of(after) : null;
        Seen was = now != null ? seen.put(key, now) : seen.remove(key);
        if (was == null && now != null) {
            entriesByJob.merge(now.jobId(), 1, Integer::sum);
        } else if (was != null && now == null) {
            entriesByJob.computeIfPresent(was.jobId(), (job, n) -> n > 1 ? n - 1 : null);
        }
        boolean leftFresh = false;
        if (was == null && after != null) {
            was = takeFresh(key); // a fresh unit's first event: it leaves the implicit set
            leftFresh = was != null;
            if (was == null && ended.contains(after.jobId())) {
                onStray.accept(key); // an issue that raced its job's end made it: nothing else would drop it
            }
        }
        String jobId = after != null ? after.jobId() : was != null ? was.jobId() : before != null ? before.jobId() : null;
        if (jobId == null) {
            return;
        }
        if (was != null) {
            tallies.add(was, -1);
        }
        if (now != null) {
            tallies.add(now, +1);
        }
        if (placementMayDiffer(before, after)) {
            clearNoEligibleWorker(key); // it may be placeable now: the watcher looks again
        }
        int index = after != null ? after.index() : Integer.parseInt(key.substring(key.lastIndexOf('/') + 1));
        boolean nowReady = ready.index(jobId, key, index, after);
        deadlines.index(key, after);
        waiting.index(key, after);
        held.index(key, after);
        // A unit that became ready wakes a waiting fetch; so does a fresh unit's first issue that leaves it ready
        // for other workers (a quorum's next replica): the fetch that took it may have been the only one awake, and
        // the workers asleep in their long-polls would otherwise wait for their timeout to take the rest (the stall's
        // tail case, ninth session: a worker holding more than the scan budget of a job's lowest ready units).
        if (nowReady && (was == null || was.state() != UnitState.NEEDS_REPLICAS || leftFresh)) {
            onReady.accept(jobId);
        }
        if (after != null && after.terminal() && (was == null || !was.state().terminal())) {
            onFinished.accept(after);
        }
    }

    /** The replicas {@code workerId} holds in progress on units owned here: unit key → replica. */
    public Map<String, Integer> holding(String workerId) {
        return held.of(workerId);
    }

    /**
     * Keys of credibility-based units owned here with a result of {@code workerId} not judged yet (whether or
     * not other replicas are under way): what a rise of its credibility may decide.
     */
    public List<String> waitingOn(String workerId) {
        return waiting.waitingOn(workerId);
    }

    /** Whether the unit at {@code key}, waiting for credibility, has all the replicas its policy allows. */
    public boolean atMaxResults(String key) {
        return waiting.atMaxResults(key);
    }

    /**
     * Whether the unit at {@code key} (owned here) has results waiting for their workers' credibility that a passed
     * spot-check could accept without another replica.
     */
    public boolean awaitsCredibility(String key) {
        return waiting.awaitsCredibility(key);
    }

    /** Keys of units owned here that have waited for credibility since {@code before} or earlier, by key. */
    public Map<String, Long> waitingSince(long before) {
        return waiting.since(before);
    }

    /** Ready units owned here that some worker holds or held a replica of (placement may hold them back). */
    public List<Ready> reissues() {
        return ready.reissues();
    }

    /**
     * Notes that no connected worker may take the ready unit at {@code key} because of placement; returns since
     * when (the first time noted, until the unit changes or {@link #clearNoEligibleWorker} is called); {@code now}
     * without noting it when the unit is no longer a ready reissue here.
     */
    public synchronized long noEligibleWorker(String key, long now) {
        if (!ready.isReissue(key)) {
            return now;
        }
        Long since = noEligibleWorker.putIfAbsent(key, now);
        if (since != null) {
            return since;
        }
        tallies.noEligibleWorker(OwnedUnits.jobOf(key), +1);
        return now;
    }

    /**
     * Whether a change from {@code before} to {@code after} may change who may take the unit: its state, or the
     * workers its replicas bind. Not a result's credibility: a worker passing spot-check after spot-check
     * ({@link org.enjambre.workunits.transition.Event.Credible} on each) reset the placement wait of a unit no worker
     * could take, forever (whole-swarm simulation, seed 402536).
     */
    private static boolean placementMayDiffer(WorkUnit before, WorkUnit after) {
        if (before == null || after == null || before.state() != after.state()
                || before.tasks().size() != after.tasks().size()) {
            return true;
        }
        for (int i = 0; i < after.tasks().size(); i++) {
            Task b = before.tasks().get(i);
            Task a = after.tasks().get(i);
            if (b.bindsPlacement() != a.bindsPlacement() || !java.util.Objects.equals(b.workerId(), a.workerId())) {
                return true;
            }
        }
        return false;
    }

    /** Forgets that the unit at {@code key} had no eligible worker. */
    public void clearNoEligibleWorker(String key) {
        if (noEligibleWorker.remove(key) != null) {
            tallies.noEligibleWorker(OwnedUnits.jobOf(key), -1);
        }
    }

    /** Task counters of {@code jobId}'s units owned here ({@link org.enjambre.coordinator.jobs.JobCounters} indexes). */
    public long[] taskCounts(String jobId) {
        return tallies.tasks(jobId);
    }

    /**
     * Clears the index and fills it from {@code owned}, read while the index's lock is held (changes the feed delivers
     * meanwhile wait, then apply in order), then with the fresh units of {@code running} that {@code owns} says are
     * this peer's.
     *
     * @param owned reads the map entries this peer owns now (the unit table's {@code getAll} of its local keys)
     */
    public synchronized void rebuild(java.util.function.Supplier<Map<String, WorkUnit>> owned, java.util.Collection<Job> running,
                                     Predicate<String> owns) {
        rebuild(owned.get());
        for (Job j : running) {
            install(j, FreshUnits.owned(j.id(), j.units(), owns));
        }
    }

    /** Clears the index and fills it from {@code owned}, the units this peer owns now (an in-memory table). */
    public synchronized void rebuild(Map<String, WorkUnit> owned) {
        clear();
        owned.forEach((key, unit) -> change(key, null, unit));
    }

    private void clear() {
        ready.clear();
        deadlines.clear();
        seen.clear();
        entriesByJob.clear();
        tallies.clear();
        waiting.clear();
        held.clear();
        noEligibleWorker.clear();
        fresh.clear();
    }

    /** Jobs with ready units here. */
    public Set<String> readyJobs() {
        Set<String> out = new HashSet<>(ready.jobs());
        fresh.forEach((id, f) -> {
            if (f.units().size() > 0) {
                out.add(id);
            }
        });
        return out;
    }

    /**
     * Up to {@code limit} ready units of a job, lowest index first, that {@code worker} may take; fresh units (no
     * holders) and units with entries merged by index. At most {@code scanLimit} units with entries are looked at
     * (those the worker may not take count too), but they never hide fresh units: once the budget is spent, the rest
     * comes from the fresh units. Found with real workers (ninth session): a worker holding a whole fetch of a quorum
     * job's lowest ready units (first replicas waiting for a second worker) scanned only those, got nothing although
     * thousands of fresh units followed, and slept in its long-poll; when every worker came to that state at once
     * (each holding its own run), the job stopped until the long-polls timed out (20 s, and up to minutes in turns).
     */
    public List<Ready> ready(String jobId, WorkerRef worker, int limit, int scanLimit) {
        Implicit f = fresh.get(jobId);
        List<Ready> out = new ArrayList<>(Math.min(limit, 256));
        java.util.Iterator<Ready> touched = ready.of(jobId);
        int[] untouched = f == null ? new int[0] : f.units().first(limit);
        Ready t = touched.hasNext() ? touched.next() : null;
        int u = 0;
        int scanned = 0;
        while (out.size() < limit) {
            if (t != null && scanned >= scanLimit) {
                t = null; // the budget for units with entries is spent: fresh units only from here
            }
            if (u < untouched.length && (t == null || untouched[u] < t.index())) {
                out.add(new Ready(WorkUnit.id(jobId, untouched[u]), untouched[u], List.of()));
                u++;
            } else if (t != null) {
                scanned++;
                if (t.admits(worker)) {
                    out.add(t);
                }
                t = touched.hasNext() ? touched.next() : null;
            } else {
                break;
            }
        }
        return out;
    }

    /** The ready unit {@code index} of a job owned here, or null when it is not ready here (locality look-ups). */
    public Ready readyAt(String jobId, int index) {
        Ready r = ready.at(jobId, index);
        if (r != null) {
            return r;
        }
        Implicit f = fresh.get(jobId);
        return f != null && f.units().contains(index) ? new Ready(WorkUnit.id(jobId, index), index, List.of()) : null;
    }

    /** How many units are ready here, over all jobs. */
    public long readyCount() {
        return ready.count() + freshCount();
    }

    /** How many never-touched units (no entry yet) this peer owns, over all running jobs. */
    public long freshCount() {
        long n = 0;
        for (Implicit f : fresh.values()) {
            n += f.units().size();
        }
        return n;
    }

    /** Keys of units with a replica whose deadline is at or before {@code now}. */
    public List<String> overdue(long now, int limit) {
        return deadlines.overdue(now, limit);
    }

    /** Units of {@code jobId} owned here, by state ordinal, then the {@code UnitCounts} slots. */
    public long[] counts(String jobId) {
        return tallies.units(jobId);
    }

    /** Forgets a job's counters (after it finished and its units left the map). */
    public synchronized void forget(String jobId) {
        fresh.remove(jobId);
        tallies.forget(jobId);
        ready.forget(jobId);
    }
}
