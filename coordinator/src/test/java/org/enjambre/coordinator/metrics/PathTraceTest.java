package org.enjambre.coordinator.metrics;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench's path trace: marks kept only while started, in order, drained once. */
class PathTraceTest {
    @AfterEach
    void off() {
        PathTrace.stop();
    }

    @Test
    void marks_keptOnlyWhileStarted_inOrder_drainedOnce() {
        PathTrace.mark("before start");
        PathTrace.start();
        PathTrace.mark("submit: journaled");
        PathTrace.mark("fetch: issued");
        var marks = PathTrace.drain();
        assertThat(marks).extracting(PathTrace.Mark::label).containsExactly("submit: journaled", "fetch: issued");
        assertThat(marks.get(1).nanos()).isGreaterThanOrEqualTo(marks.get(0).nanos());
        assertThat(marks.get(0).thread()).isEqualTo(Thread.currentThread().getName());
        assertThat(PathTrace.drain()).isEmpty();

        PathTrace.mark("kept, then forgotten by stop");
        PathTrace.stop();
        PathTrace.mark("after stop");
        assertThat(PathTrace.drain()).isEmpty();
    }
}
