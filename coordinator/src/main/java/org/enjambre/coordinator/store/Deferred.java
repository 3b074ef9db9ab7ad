package org.enjambre.coordinator.store;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.WorkUnit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Records written with {@link Store#writeLater} and not committed yet: the newest version of each, in
 * the order they were first deferred, each with the time it was first deferred (so a record that keeps
 * changing is still written within the window of its first deferral).
 *
 * <p>Also the shape of "newest version per key" elsewhere: the {@link Compactor}'s journaled records and the
 * committer's coalescing of one group (times unused there).
 *
 * <p>Not thread-safe: {@link JdbcStore} guards it with its lock. Times are {@link System#nanoTime} values.
 */
final class Deferred {
    final Rows<WorkUnit> units = new Rows<>(WorkUnit::id, WorkUnit::version);
    final Rows<WorkerRecord> workers = new Rows<>(WorkerRecord::id, WorkerRecord::version);
    final Rows<JobRecord> jobs = new Rows<>(JobRecord::id, JobRecord::version);
    /** A job has one result (a merge of its final units), so any copy is as good as another: version 0. */
    final Rows<Store.Result> results = new Rows<>(Store.Result::jobId, r -> 0);

    /** Defers every record of the batch. */
    void add(Store.Batch batch, long now) {
        batch.units().forEach(u -> units.add(u, now));
        batch.workers().forEach(w -> workers.add(w, now));
        batch.jobs().forEach(j -> jobs.add(j, now));
        batch.results().forEach(r -> results.add(r, now));
    }

    int size() {
        return units.size() + workers.size() + jobs.size() + results.size();
    }

    /** When the longest-waiting record was first deferred; {@link Long#MAX_VALUE} when none waits. */
    long oldest() {
        return Math.min(Math.min(units.oldest(), results.oldest()), Math.min(workers.oldest(), jobs.oldest()));
    }

    /** The records first deferred at or before {@code cutoff}, or all of them; they stay deferred until {@link #written}. */
    Store.Batch due(long cutoff, boolean all) {
        return new Store.Batch(units.due(cutoff, all), workers.due(cutoff, all), jobs.due(cutoff, all), results.due(cutoff, all));
    }

    /** Forgets every deferred record that a commit of {@code batch} wrote at the same or a newer version. */
    void written(Store.Batch batch) {
        batch.units().forEach(this.units::written);
        batch.workers().forEach(this.workers::written);
        batch.jobs().forEach(this.jobs::written);
        batch.results().forEach(this.results::written);
    }

    /** Forgets every deferred record (they can no longer be written). */
    void clear() {
        units.rows.clear();
        workers.rows.clear();
        jobs.rows.clear();
        results.rows.clear();
    }

    /** The deferred records of one kind, keyed by their id. */
    static final class Rows<T> {
        private record Row<T>(T value, long version, long since) {
        }

        private final Function<T, String> key;
        private final ToLongFunction<T> version;
        private final LinkedHashMap<String, Row<T>> rows = new LinkedHashMap<>();

        Rows(Function<T, String> key, ToLongFunction<T> version) {
            this.key = key;
            this.version = version;
        }

        /** Keeps the newer of {@code value} and what is deferred under its key; the key keeps its place and time. */
        void add(T value, long now) {
            long v = version.applyAsLong(value);
            rows.merge(key.apply(value), new Row<>(value, v, now),
                    (old, fresh) -> fresh.version() > old.version() ? new Row<>(fresh.value(), fresh.version(), old.since()) : old);
        }

        int size() {
            return rows.size();
        }

        long oldest() {
            return rows.isEmpty() ? Long.MAX_VALUE : rows.values().iterator().next().since();
        }

        /** The record deferred under {@code id}, if any. */
        Optional<T> get(String id) {
            Row<T> r = rows.get(id);
            return r == null ? Optional.empty() : Optional.of(r.value());
        }

        /** The deferred records that match. */
        List<T> matching(Predicate<T> filter) {
            List<T> out = new ArrayList<>();
            for (Row<T> r : rows.values()) {
                if (filter.test(r.value())) {
                    out.add(r.value());
                }
            }
            return out;
        }

        List<T> due(long cutoff, boolean all) {
            List<T> out = new ArrayList<>();
            for (Row<T> r : rows.values()) {
                if (!all && r.since() - cutoff > 0) {
                    break; // first deferral times grow in iteration order
                }
                out.add(r.value());
            }
            return out;
        }

        void written(T value) {
            String k = key.apply(value);
            Row<T> r = rows.get(k);
            if (r != null && r.version() <= version.applyAsLong(value)) {
                rows.remove(k);
            }
        }
    }
}
