package org.enjambre.worker.exec;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class IdleMonitorTest {
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicInteger own = new AtomicInteger();
    private double load;

    private IdleMonitor monitor(int processors) {
        return new IdleMonitor(() -> load, own::get, processors, nanos::get);
    }

    @Test
    void machineIdle_subtractsOwnTaskThreadsFromTheLoad() {
        IdleMonitor monitor = monitor(4); // in use above 1.0 of other load
        own.set(2);
        load = 3.0;
        assertThat(monitor.machineIdle()).isTrue();
        nanos.addAndGet(2_000_000_000L);
        load = 3.5;
        assertThat(monitor.machineIdle()).isFalse();
    }

    @Test
    void machineIdle_smallMachine_thresholdIsAtLeastHalfALoad() {
        IdleMonitor monitor = monitor(1);
        assertThat(monitor.threshold()).isEqualTo(0.5);
        load = 0.6;
        assertThat(monitor.machineIdle()).isFalse();
    }

    @Test
    void machineIdle_samplesAtMostOnceASecond() {
        IdleMonitor monitor = monitor(4);
        load = 0;
        assertThat(monitor.machineIdle()).isTrue();
        load = 10;
        nanos.addAndGet(500_000_000L);
        assertThat(monitor.machineIdle()).isTrue();
        nanos.addAndGet(600_000_000L);
        assertThat(monitor.machineIdle()).isFalse();
    }

    @Test
    void machineIdle_noLoadAverage_countsAsIdle() {
        load = -1;
        assertThat(monitor(4).machineIdle()).isTrue();
    }
}
