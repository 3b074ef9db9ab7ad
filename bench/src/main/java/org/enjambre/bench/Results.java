package org.enjambre.bench;

import java.util.List;

/** Everything one benchmark run measured, with the machine it ran on. */
record Results(Machine machine, String command, Baseline baseline, Jppf jppf, Real real, List<Throughput> sweep, Throughput typical,
               Latencies latency, Scale scale, Polling polling, Profile profile, Throughput profiled, List<String> notes) {

    /** The machine: CPU model, cores, RAM, JDK, OS, when, and the 1-minute load average when the run started. */
    record Machine(String cpu, int cores, long ramBytes, String jdk, String os, String date, double loadAverage) {
    }

    /**
     * One throughput run: a noop job of {@code units} units (replicas 2, quorum 2) from submit to COMPLETED.
     *
     * @param tasks           task round-trips (issued, reported, validated) in the run
     * @param coordinatorCpu  CPU seconds the coordinator's JVM used during the run
     * @param workersCpu      CPU seconds the simulated workers' JVM used during the run
     * @param jobReads        reads of job records from the cluster's {@code jobs} map during the run
     */
    record Throughput(int workers, int batch, int units, long tasks, double seconds, long fetches, long emptyFetches,
                      long errors, double coordinatorCpu, double workersCpu, long jobReads) {
        /** Coordinator CPU time per task round-trip, in microseconds: robust to other load on the machine. */
        double coordinatorMicrosPerTask() {
            return coordinatorCpu * 1e6 / tasks;
        }

        double workersMicrosPerTask() {
            return workersCpu * 1e6 / tasks;
        }

        double tasksPerSecond() {
            return tasks / seconds;
        }

        double unitsPerSecond() {
            return units / seconds;
        }
    }

    /** Hazelcast's executor: empty tasks from one member to another. */
    record Baseline(long tasks, double seconds, double rate) {
    }

    /** JPPF 6.2: empty tasks in jobs of {@code perJob}, and the round trip of one-task jobs. */
    record Jppf(long tasks, int perJob, double seconds, double rate, int jobs, double p50Ms, double p99Ms) {
    }

    /**
     * The shipped distribution: a coordinator process and {@code workers} worker processes ({@code --cores cores}),
     * one noop job (replicas 2, quorum 2, durable) from submit to COMPLETED.
     *
     * @param tasks      results reported and accepted for the job (its task round-trips)
     * @param fetches    fetch requests the coordinator served during the job ({@code throttled} of them answered 429)
     * @param reports    report requests the coordinator served during the job
     */
    record Real(int workers, int cores, int units, long tasks, double seconds, double coordinatorCpu, double workersCpu,
                long fetches, long throttled, long reports, Profile coordinatorProfile, Profile workerProfile) {
        double tasksPerSecond() {
            return tasks / seconds;
        }

        double coordinatorMicrosPerTask() {
            return coordinatorCpu * 1e6 / tasks;
        }

        double workersMicrosPerTask() {
            return workersCpu * 1e6 / tasks;
        }
    }

    /** The big job: time to 201, time until every unit is indexed, heap per queued unit. */
    record Scale(int units, double acceptSeconds, double indexedSeconds, long heapBefore, long heapAfter, long maxHeap) {
        double bytesPerUnit() {
            return (heapAfter - heapBefore) / (double) units;
        }
    }

    /** Many workers long-polling at once against an idle coordinator. */
    record Polling(int workers, long waitMs, int ok, int failed, Latencies latency, double registerSeconds,
                   double launchSeconds, String firstError) {
    }

    /** The best run of the sweep by task round-trips per second. */
    Throughput best() {
        return sweep.stream().max(java.util.Comparator.comparingDouble(Throughput::tasksPerSecond)).orElse(typical);
    }
}
