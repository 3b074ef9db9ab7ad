package org.enjambre.coordinator.jobs;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import org.enjambre.coordinator.model.JobRecord;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Job records as the scheduler reads them on every fetch and report: from this peer's memory, kept fresh by the
 * {@code jobs} map's entry events and by this peer's own changes, and read again from the map when older than
 * {@link #MAX_AGE_MS} (in case an event was lost). A job record changes a few times in its life (queued, running,
 * ended), while the scheduler read it about three times per fetch and report (a cluster operation and a
 * deserialization of its whole spec each: ~10 % of the coordinator's CPU with batches of 16, tenth session).
 *
 * <p>What a reader may see: a record at most one entry event behind the map (milliseconds), and never one older
 * than what it saw before (records are kept by {@link JobRecord#version()}). Only the scheduling path reads here,
 * where a job that has just ended is harmless (its units leave this peer's index with the same event, and every
 * unit change is checked where the unit lives); the job views and results read the map.
 */
public final class RecentJobs {
    /** Oldest record handed out without reading the map again. */
    static final long MAX_AGE_MS = 1000;

    private record Entry(JobRecord job, long readAt) {
    }

    private final Function<String, JobRecord> read;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile long nextSweep;

    /** Over {@code read} (the map's {@code get}); nothing is listened to: feed it with {@link #seen}. */
    RecentJobs(Function<String, JobRecord> read, Clock clock) {
        this.read = read;
        this.clock = clock;
    }

    /** Over the cluster map, listening to its entry events (every peer's changes). */
    static RecentJobs of(IMap<String, JobRecord> jobs, Clock clock) {
        RecentJobs r = new RecentJobs(jobs::get, clock);
        jobs.addEntryListener(r.new Events(), true);
        return r;
    }

    /** The job's record, at most {@link #MAX_AGE_MS} old; empty when there is no such job. */
    public Optional<JobRecord> find(String id) {
        long now = clock.millis();
        Entry e = entries.get(id);
        if (e != null && now - e.readAt() < MAX_AGE_MS && now >= e.readAt()) {
            return Optional.of(e.job());
        }
        JobRecord j = read.apply(id);
        if (j == null) {
            entries.remove(id);
            return Optional.empty();
        }
        sweep(now);
        return Optional.of(seen(j, now));
    }

    /** Takes {@code job} as the latest known record unless a newer one is known; returns the newest. */
    public JobRecord seen(JobRecord job) {
        return seen(job, clock.millis());
    }

    private JobRecord seen(JobRecord job, long now) {
        return entries.merge(job.id(), new Entry(job, now),
                (old, neu) -> neu.job().version() >= old.job().version() ? neu : new Entry(old.job(), now)).job();
    }

    /** Forgets a job (removed or evicted from the map). */
    void forget(String id) {
        entries.remove(id);
    }

    /** How many records are held (for tests). */
    int size() {
        return entries.size();
    }

    /** Drops records not read for a while (ended jobs are never read again), at most once per {@link #MAX_AGE_MS}. */
    private void sweep(long now) {
        if (now < nextSweep) {
            return;
        }
        nextSweep = now + MAX_AGE_MS;
        entries.values().removeIf(e -> now - e.readAt() >= 10 * MAX_AGE_MS);
    }

    private final class Events implements EntryAddedListener<String, JobRecord>, EntryUpdatedListener<String, JobRecord>,
            EntryRemovedListener<String, JobRecord>, EntryEvictedListener<String, JobRecord> {
        @Override
        public void entryAdded(EntryEvent<String, JobRecord> event) {
            if (event.getValue() != null) {
                seen(event.getValue());
            }
        }

        @Override
        public void entryUpdated(EntryEvent<String, JobRecord> event) {
            if (event.getValue() != null) {
                seen(event.getValue());
            }
        }

        @Override
        public void entryRemoved(EntryEvent<String, JobRecord> event) {
            forget(event.getKey());
        }

        @Override
        public void entryEvicted(EntryEvent<String, JobRecord> event) {
            forget(event.getKey());
        }
    }
}
