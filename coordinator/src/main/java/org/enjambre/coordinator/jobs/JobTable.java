package org.enjambre.coordinator.jobs;

import com.hazelcast.map.IMap;
import org.enjambre.coordinator.cluster.RecordProcessor;
import org.enjambre.coordinator.model.JobRecord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Optional;

/**
 * The cluster's job records as the assimilator and the job views use them: the Hazelcast map {@code jobs} in
 * production ({@link #of}), {@code sched/mem/MemJobs} in component tests and the whole-swarm simulation.
 */
public interface JobTable {

    Optional<JobRecord> find(String id);

    /** Every job record now (a copy). */
    Collection<JobRecord> all();

    /**
     * Replaces the record of {@code id} by {@code update} of it, atomically where it lives; returns the record after
     * (the old one when {@code update} returned it unchanged), or {@code null} when there is none.
     */
    JobRecord update(String id, RecordProcessor.Update<JobRecord> update);

    /** The cluster map; {@link #update} runs as a {@link RecordProcessor} on the record's owner. */
    static JobTable of(IMap<String, JobRecord> jobs) {
        return new JobTable() {
            @Override
            public Optional<JobRecord> find(String id) {
                return Optional.ofNullable(jobs.get(id));
            }

            @Override
            public Collection<JobRecord> all() {
                return new ArrayList<>(jobs.values());
            }

            @Override
            public JobRecord update(String id, RecordProcessor.Update<JobRecord> update) {
                return jobs.executeOnKey(id, new RecordProcessor<>(update));
            }
        };
    }
}
