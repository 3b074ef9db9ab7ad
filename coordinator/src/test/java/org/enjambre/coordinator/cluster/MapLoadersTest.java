package org.enjambre.coordinator.cluster;

import org.enjambre.coordinator.store.JdbcStore;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jobs' and workers' maps' loaders. The workers' (issue 14): a worker id the map does not hold, as in a forged token, never costs a read of
 * the whole workers table; after the initial load it costs no store read at all (eleventh session), unless a partition
 * of the map was lost. The jobs' (eleventh session) likewise: the map holds every job once loaded, so a miss (an unknown
 * id in a URL or a forged task id) is answered from memory. A real H2 store, its calls counted.
 */
class MapLoadersTest {
    @TempDir
    Path dir;
    private JdbcStore real;
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private Store counted;

    @BeforeEach
    void open() {
        real = JdbcStore.h2(dir);
        counted = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[]{Store.class}, (p, m, args) -> {
            calls.add(m.getName());
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        List<WorkerRecord> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(worker("w-known" + String.format("%04d", i)));
        }
        real.writeNow(new Store.Batch(List.of(), many, List.of(job("j-stored0001"))));
    }

    @AfterEach
    void close() {
        real.close();
    }

    private static WorkerRecord worker(String id) {
        return new WorkerRecord(id, "hash", "name", "test", 1, 0, List.of("primes"), null, null, 1, 1,
                0, 0, 0, 0, 0, 0, false, 0, 0, 1);
    }

    @Test
    void workers_unknownIdAfterTheInitialLoad_answeredFromMemory_noStoreRead() {
        Loaders.Workers loader = new Loaders.Workers(counted);
        loader.loadAllKeys();
        loader.loaded();
        calls.clear();

        // The map holds every worker after the initial load: a miss (a forged id) never reaches the store, so the
        // map's operations may run on the partition threads (not offloaded) without ever blocking on it.
        assertThat(loader.load("w-forgedaaaa")).isNull();
        assertThat(loader.loadAll(List.of("w-forgedbbbb"))).isEmpty();
        assertThat(calls).isEmpty();
    }

    @Test
    void workers_afterAPartitionWasLost_oneKeyedLookupPerMiss_noTableScan() {
        Loaders.Workers loader = new Loaders.Workers(counted);
        loader.loadAllKeys();
        loader.loaded();
        loader.partitionLost();
        calls.clear();

        // The lost partition's workers are in the store only: a miss reads that worker, and only it.
        assertThat(loader.load("w-known0042").id()).isEqualTo("w-known0042");
        assertThat(loader.load("w-forgedaaaa")).isNull();
        assertThat(calls).containsExactly("worker", "worker");
    }

    @Test
    void workers_duringTheInitialLoadOnAMemberThatDidNotListTheKeys_readsThatWorkerOnly() {
        // A member whose loader did not run loadAllKeys (another member listed the keys) loads its partitions' keys.
        Loaders.Workers loader = new Loaders.Workers(counted);

        assertThat(loader.load("w-known0042").id()).isEqualTo("w-known0042");
        assertThat(calls).containsExactly("worker");
    }

    @Test
    void workers_initialLoad_readsTheTableOnce_forAllKeys() {
        Loaders.Workers loader = new Loaders.Workers(counted);
        List<String> keys = new ArrayList<>();
        loader.loadAllKeys().forEach(keys::add);
        Map<String, WorkerRecord> all = loader.loadAll(keys);
        assertThat(all).hasSize(200);
        assertThat(calls).containsExactly("workers");
    }

    private static JobRecord job(String id) {
        return new JobRecord(id, "name", "noop", "{\"app\":\"noop\",\"input\":1,\"workUnits\":1}", 1, 0, JobState.COMPLETED,
                1, 1, 2, null, "application/json", 3);
    }

    @Test
    void jobs_initialLoad_readsEveryStoredJob() {
        Loaders.Jobs loader = new Loaders.Jobs(counted);
        List<String> keys = new ArrayList<>();
        loader.loadAllKeys().forEach(keys::add);
        assertThat(loader.loadAll(keys)).containsOnlyKeys("j-stored0001");
    }

    @Test
    void jobs_missAfterTheInitialLoad_answeredFromMemory_noStoreRead() {
        Loaders.Jobs loader = new Loaders.Jobs(counted);
        loader.loaded();
        calls.clear();

        assertThat(loader.load("j-unknown0001")).isNull();
        assertThat(loader.loadAll(List.of("j-unknown0002"))).isEmpty();
        assertThat(calls).isEmpty();
    }

    /** Keys listed again (a reload) after a first load: the loads that follow must read the store, as the units' do. */
    @Test
    void jobs_keysListedAgainAfterTheInitialLoad_loadsReadTheStore() {
        Loaders.Jobs loader = new Loaders.Jobs(counted);
        loader.loaded();
        List<String> keys = new ArrayList<>();
        loader.loadAllKeys().forEach(keys::add);
        assertThat(loader.loadAll(keys)).containsOnlyKeys("j-stored0001");
        assertThat(loader.load("j-stored0001").id()).isEqualTo("j-stored0001");
    }

    @Test
    void jobs_missAfterAPartitionWasLost_readsThatJob() {
        Loaders.Jobs loader = new Loaders.Jobs(counted);
        loader.loaded();
        loader.partitionLost();
        calls.clear();

        assertThat(loader.load("j-stored0001").id()).isEqualTo("j-stored0001");
        assertThat(loader.load("j-unknown0001")).isNull();
        assertThat(calls).containsExactly("job", "job");
    }
}
