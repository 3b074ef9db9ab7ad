package org.enjambre.coordinator.jobs;

import org.enjambre.coordinator.cluster.MemUnitTable;
import org.enjambre.coordinator.cluster.PeerQuestion;
import org.enjambre.coordinator.cluster.PeerTransport;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.sched.LocalIndex;
import org.enjambre.coordinator.sched.PeerAnswers;
import org.enjambre.coordinator.sched.mem.MemJobs;
import org.enjambre.coordinator.store.JdbcStore;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.store.StoreException;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.JobState;
import org.enjambre.workunits.model.Outcome;
import org.enjambre.workunits.model.Task;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.ValidateState;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The production assimilator over its in-memory ports (the whole-swarm simulation's wiring, one peer): a real H2
 * store, a fixed clock, its checks queued and run when the test says. No Hazelcast, no thread.
 */
class AssimilatorTest {
    private static final long NOW = 1_000_000_000L;
    private static final AppRegistry APPS = AppRegistry.builtIns();

    @TempDir
    Path dir;
    private JdbcStore store;
    /** Commits of a job record still to refuse (a lost database connection). */
    private final AtomicInteger refuseJobWrites = new AtomicInteger();
    /** Commits of a result still to refuse. */
    private final AtomicInteger refuseResultWrites = new AtomicInteger();
    /** Every write the assimilator asked of the store, with the state of its job in the cluster at that moment. */
    private final List<Write> writes = new java.util.concurrent.CopyOnWriteArrayList<>();

    private record Write(Store.Batch batch, JobState inCluster) {
    }
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    private final MemJobs jobs = new MemJobs(APPS, clock);
    private final MemUnitTable units = new MemUnitTable();
    private final List<Runnable> queued = new ArrayList<>();
    /** The delays of checks the assimilator put off (queued with the others; the clock is fixed). */
    private final List<Long> delays = new ArrayList<>();
    private Assimilator assimilator;

    @BeforeEach
    void wire() {
        store = JdbcStore.h2(dir);
        LocalIndex index = new LocalIndex(job -> { }, unit -> assimilator.unitFinished(unit));
        units.listen(key -> true, index::change);
        PeerAnswers answers = new PeerAnswers(index, id -> jobs.find(id).orElse(null), () -> null, () -> null, () -> false);
        PeerTransport alone = new PeerTransport() {
            @Override
            public <A> List<A> askAll(PeerQuestion<A> question) {
                return List.of(question.answer(answers));
            }

            @Override
            public <A> List<A> askOthers(PeerQuestion<A> question) {
                return List.of();
            }

            @Override
            public void tellAll(PeerQuestion<?> question) {
                question.answer(answers);
            }
        };
        Store flaky = refusingJobWrites(store);
        assimilator = new Assimilator(jobs, units, flaky, APPS, new JobViews(jobs, units, flaky, APPS, alone), clock,
                queued::add, (millis, task) -> {
                    delays.add(millis);
                    queued.add(task);
                });
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void everyUnitDone_jobCompletedDurablyWithTheMergedResult_unitsStoredAndEvicted() {
        JobRecord job = running(2);
        units.put(done(job, 0));
        units.put(done(job, 1));

        assertThat(queued).as("the second DONE unit rides on the check already queued").hasSize(1);
        runChecks();

        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(store.job(job.id()).orElseThrow().state()).as("written behind").isEqualTo(JobState.COMPLETED));
        assertThat(new String(store.result(job.id()).orElseThrow().body(), StandardCharsets.UTF_8)).isEqualTo("{\"workUnits\":2}");
        assertThat(store.units(job.id())).as("final units written before the job completed").hasSize(2);
        assertThat(units.snapshot()).as("a finished job's units leave memory").isEmpty();
    }

    /**
     * What a completion waits for (issue 16: one durable write, not an H2 checkpoint plus two journal fsyncs): the final
     * units the store lacks and the merged result, together, while the job is still RUNNING in the cluster; the
     * COMPLETED record only after the job completed there, and after the result.
     */
    @Test
    void everyUnitDone_resultAndFinalUnitsInOneWriteBeforeTheJobCompletes_completedRecordAfter() {
        JobRecord job = running(2);
        units.put(done(job, 0));
        units.put(done(job, 1));
        runChecks();

        assertThat(writes).hasSize(2);
        Write result = writes.get(0);
        assertThat(result.inCluster()).isEqualTo(JobState.RUNNING);
        assertThat(result.batch().results()).extracting(Store.Result::jobId).containsExactly(job.id());
        assertThat(result.batch().units()).extracting(WorkUnit::index).containsExactlyInAnyOrder(0, 1);
        assertThat(result.batch().jobs()).isEmpty();
        Write record = writes.get(1);
        assertThat(record.inCluster()).isEqualTo(JobState.COMPLETED);
        assertThat(record.batch().jobs()).extracting(JobRecord::state).containsExactly(JobState.COMPLETED);
        assertThat(record.batch().results()).isEmpty();
    }

    /** A store that refuses the result's write: the job stays RUNNING everywhere, and the sweep completes it later. */
    @Test
    void everyUnitDone_storeRefusesTheResult_jobStaysRunning_theSweepCompletesIt() {
        JobRecord job = running(1);
        refuseResultWrites.set(1);
        units.put(done(job, 0));
        runChecks();
        assertThat(jobs.find(job.id()).orElseThrow().state()).as("not completed without its result on disk").isEqualTo(JobState.RUNNING);
        assertThat(store.result(job.id())).isEmpty();

        assimilator.checkAll();
        runChecks();

        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(new String(store.result(job.id()).orElseThrow().body(), StandardCharsets.UTF_8)).isEqualTo("{\"workUnits\":1}");
    }

    /**
     * A large job finishing thousands of units a second was checked (its record read, its units counted) once per
     * handful of units; a check now waits until the gap after the job's previous one has passed (eleventh session).
     */
    @Test
    void unitsFinishingInABurst_theFirstCheckAtOnce_laterOnesAfterTheGap_stillCompletes() {
        JobRecord job = running(3);
        units.put(done(job, 0));
        assertThat(delays).as("a job's first check is not put off").isEmpty();
        runChecks();
        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);

        units.put(done(job, 1));
        assertThat(delays).as("the clock stands still: the whole gap").containsExactly(Assimilator.CHECK_GAP_MILLIS);
        units.put(done(job, 2));
        assertThat(queued).as("the third DONE unit rides on the check put off").hasSize(1);
        runChecks();

        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(new String(store.result(job.id()).orElseThrow().body(), StandardCharsets.UTF_8)).isEqualTo("{\"workUnits\":3}");
    }

    @Test
    void notEveryUnitDone_jobStaysRunning_unitsStay() {
        JobRecord job = running(2);
        units.put(done(job, 0));
        runChecks();

        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(store.result(job.id())).isEmpty();
        assertThat(units.snapshot()).hasSize(2);
    }

    @Test
    void aUnitFailed_jobFailsNamingIt_durably_otherUnitsCancelledAndEvicted() {
        JobRecord job = running(3);
        units.put(new WorkUnit(job.id(), 1, redundancy(job), UnitState.FAILED, List.of(Task.unsent(0)), -1, "too many errors", 4));
        runChecks();

        JobRecord after = jobs.find(job.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(JobState.FAILED);
        assertThat(after.failure()).isEqualTo("unit 1 failed: too many errors");
        assertThat(store.job(job.id()).orElseThrow().state()).isEqualTo(JobState.FAILED);
        assertThat(units.snapshot()).isEmpty();
    }

    @Test
    void sweep_afterALostNotice_completesTheJob() {
        JobRecord job = running(1);
        units.put(done(job, 0));
        queued.clear(); // the notice was lost (a restart)

        assimilator.checkAll();
        runChecks();

        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void cancel_ofACompletedJob_leavesItCompleted() {
        JobRecord job = running(1);
        units.put(done(job, 0));
        runChecks();

        JobRecord after = assimilator.finish(job, JobState.CANCELLED, "cancelled by a user");

        assertThat(after.state()).isEqualTo(JobState.COMPLETED);
        assertThat(store.job(job.id()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
    }

    /**
     * A store write failing after the cluster's job record became final used to leave the job final in memory and
     * running on disk for good (the sweep looks only at running jobs), its units never cancelled nor evicted.
     */
    @Test
    void aUnitFailed_storeRefusesTheFinalRecord_theSweepWritesItAndDropsTheUnits() {
        JobRecord job = running(3);
        refuseJobWrites.set(1);
        units.put(new WorkUnit(job.id(), 1, redundancy(job), UnitState.FAILED, List.of(Task.unsent(0)), -1, "too many errors", 4));
        runChecks();
        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.FAILED);
        assertThat(store.job(job.id()).orElseThrow().state()).as("the write was refused").isEqualTo(JobState.RUNNING);

        assimilator.checkAll();
        runChecks();

        JobRecord stored = store.job(job.id()).orElseThrow();
        assertThat(stored.state()).isEqualTo(JobState.FAILED);
        assertThat(stored.failure()).isEqualTo("unit 1 failed: too many errors");
        assertThat(units.snapshot()).as("the job's units left memory").isEmpty();
    }

    @Test
    void everyUnitDone_storeRefusesTheCompletedRecord_theSweepWritesIt() {
        JobRecord job = running(1);
        refuseJobWrites.set(1); // the COMPLETED record, written behind
        units.put(done(job, 0));
        runChecks();
        assertThat(refuseJobWrites.get()).as("refused").isZero();
        assertThat(store.job(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);

        assimilator.checkAll();
        runChecks();

        assertThat(store.job(job.id()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(units.snapshot()).isEmpty();
    }

    /**
     * {@code real}, except that commits with a job record fail while {@link #refuseJobWrites} is positive, and those with a
     * result while {@link #refuseResultWrites} is; every write is noted in {@link #writes}.
     */
    private Store refusingJobWrites(Store real) {
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[]{Store.class}, (proxy, m, args) -> {
            // A deferred write (writeLater) is refused here at once, as a store that is closed refuses it.
            boolean write = m.getName().equals("writeNow") || m.getName().equals("write") || m.getName().equals("writeLater");
            if (write) {
                Store.Batch b = (Store.Batch) args[0];
                JobState now = b.jobs().isEmpty() && b.results().isEmpty() ? null
                        : jobs.find(b.jobs().isEmpty() ? b.results().get(0).jobId() : b.jobs().get(0).id()).orElseThrow().state();
                writes.add(new Write(b, now));
            }
            if (write && !((Store.Batch) args[0]).jobs().isEmpty()
                    && refuseJobWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new StoreException("the database connection was lost", null);
            }
            if (write && !((Store.Batch) args[0]).results().isEmpty()
                    && refuseResultWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new StoreException("the database connection was lost", null);
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private void runChecks() {
        while (!queued.isEmpty()) {
            queued.remove(0).run();
        }
    }

    /** A running noop job of {@code n} fresh units in the table. */
    /** A one-unit job of {@code app} whose unit is DONE with an output kept as a file of {@code size} bytes. */
    private JobRecord doneWithOutputFile(String app, String input, long size) {
        String spec = "{\"input\":" + input + ",\"workUnits\":1,\"deadlineSeconds\":60,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1,\"maxErrors\":3,\"maxResults\":6}}";
        JobRecord job = new JobRecord("j-" + app, "test", app, spec, 1, 0, JobState.RUNNING, NOW, NOW, 0, null, null, 1);
        jobs.put(job);
        store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job)));
        byte[] ref = new org.enjambre.workunits.app.OutputFile("ab".repeat(32), size).encode();
        Task t = Task.unsent(0).sent(new WorkerRef("w1", "a1", null), NOW, NOW + 60_000)
                .over(Outcome.SUCCESS, NOW, ref, null).judged(ValidateState.VALID, true);
        units.put(new WorkUnit(job.id(), 0, redundancy(job), UnitState.DONE, List.of(t), 0, null, 5));
        return job;
    }

    @Test
    void aMergeThatReadsOutputs_anOutputFileOverTheReadLimit_failsTheJobNamingTheLimit() {
        org.enjambre.coordinator.data.OutputFiles outputs = new org.enjambre.coordinator.data.OutputFiles(null,
                org.enjambre.coordinator.data.OutputFiles.Limits.defaults());
        assimilator.readOutputsWith(ref -> outputs.read(ref, org.enjambre.coordinator.data.OutputFiles.MERGE_READ_LIMIT));
        JobRecord job = doneWithOutputFile("primes", "{\"from\":2,\"to\":100}", 100L << 20);
        runChecks();

        JobRecord after = jobs.find(job.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(JobState.FAILED);
        assertThat(after.failure()).contains("an output file of " + (100L << 20) + " bytes is over the limit of " + (64L << 20));
    }

    @Test
    void aMergeThatOnlyCountsOutputs_completesWithoutReadingItsOutputFiles() {
        assimilator.readOutputsWith(ref -> {
            throw new AssertionError("noop's merge must not read output file " + ref.id());
        });
        JobRecord job = doneWithOutputFile("noop", "\"x\"", 100L << 20);
        runChecks();

        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(new String(store.result(job.id()).orElseThrow().body(), StandardCharsets.UTF_8)).isEqualTo("{\"workUnits\":1}");
    }

    private JobRecord running(int n) {
        String spec = "{\"input\":\"x\",\"workUnits\":" + n + ",\"deadlineSeconds\":60,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1,\"maxErrors\":3,\"maxResults\":6}}";
        JobRecord job = new JobRecord("j-" + n, "test", "noop", spec, n, 0, JobState.RUNNING, NOW, NOW, 0, null, null, 1);
        jobs.put(job);
        store.writeNow(new Store.Batch(List.of(), List.of(), List.of(job)));
        for (int i = 0; i < n; i++) {
            units.put(WorkUnit.create(job.id(), i, redundancy(job)));
        }
        return job;
    }

    private static Redundancy redundancy(JobRecord job) {
        return JobSpecs.of(job).redundancy();
    }

    /** Unit {@code i} DONE on one valid result. */
    private static WorkUnit done(JobRecord job, int i) {
        Task t = Task.unsent(0).sent(new WorkerRef("w1", "a1", null), NOW, NOW + 60_000)
                .over(Outcome.SUCCESS, NOW, "x".getBytes(StandardCharsets.UTF_8), null).judged(ValidateState.VALID, true);
        return new WorkUnit(job.id(), i, redundancy(job), UnitState.DONE, List.of(t), 0, null, 5);
    }
}
