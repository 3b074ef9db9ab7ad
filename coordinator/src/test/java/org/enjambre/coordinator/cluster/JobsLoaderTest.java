package org.enjambre.coordinator.cluster;

import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.JdbcStore;
import org.enjambre.coordinator.store.Store;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jobs map's loader (eleventh session): the map holds every job once loaded, so a miss (an unknown id in a URL or
 * a forged task id) is answered from memory and the map's operations need no offloading; after a lost partition a
 * miss reads the store again. A real H2 store, its calls counted.
 */
class JobsLoaderTest {
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
        real.writeNow(new Store.Batch(List.of(), List.of(), List.of(job("j-stored0001"))));
    }

    @AfterEach
    void close() {
        real.close();
    }

    private static JobRecord job(String id) {
        return new JobRecord(id, "name", "noop", "{\"app\":\"noop\",\"input\":1,\"workUnits\":1}", 1, 0, JobState.COMPLETED,
                1, 1, 2, null, "application/json", 3);
    }

    @Test
    void initialLoad_readsEveryStoredJob() {
        Loaders.Jobs loader = new Loaders.Jobs(counted);
        List<String> keys = new ArrayList<>();
        loader.loadAllKeys().forEach(keys::add);
        assertThat(loader.loadAll(keys)).containsOnlyKeys("j-stored0001");
    }

    @Test
    void missAfterTheInitialLoad_answeredFromMemory_noStoreRead() {
        Loaders.Jobs loader = new Loaders.Jobs(counted);
        loader.loaded();
        calls.clear();

        assertThat(loader.load("j-unknown0001")).isNull();
        assertThat(loader.loadAll(List.of("j-unknown0002"))).isEmpty();
        assertThat(calls).isEmpty();
    }

    @Test
    void missAfterAPartitionWasLost_readsThatJob() {
        Loaders.Jobs loader = new Loaders.Jobs(counted);
        loader.loaded();
        loader.partitionLost();
        calls.clear();

        assertThat(loader.load("j-stored0001").id()).isEqualTo("j-stored0001");
        assertThat(loader.load("j-unknown0001")).isNull();
        assertThat(calls).containsExactly("job", "job");
    }
}
