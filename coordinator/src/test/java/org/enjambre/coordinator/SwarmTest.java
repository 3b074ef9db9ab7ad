package org.enjambre.coordinator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Base of the tests that run one coordinator and some test workers: all of them stop after each test. */
abstract class SwarmTest {
    @TempDir
    Path dir;
    Coordinator coordinator;
    final List<TestWorker> workers = new ArrayList<>();

    @AfterEach
    void stopSwarm() {
        workers.forEach(TestWorker::close);
        if (coordinator != null) {
            coordinator.close();
        }
    }
}
