package org.enjambre.workunits.wasm;

import org.enjambre.workunits.app.RunContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The documented failure messages (docs/wasm-abi.md) where a worker sees them: an endless loop whose task
 * deadline comes before the sandbox's own bound, and a memory hog that grows in chunks.
 */
class WasmFailureMessagesTest {
    private static final String LOOP = "(module (memory (export \"memory\") 1) (func (export \"alloc\") (param i32) (result i32)"
            + " (i32.const 1024)) (func (export \"run\") (param i32 i32) (result i64) (loop $forever (br $forever)) (i64.const 0)))";
    /** Grows by 48 pages (3 MiB) until memory.grow fails, then traps: it stops at 242 of 256 pages. */
    private static final String CHUNKED_HOG = "(module (memory (export \"memory\") 2) (func (export \"alloc\") (param i32)"
            + " (result i32) (i32.const 1024)) (func (export \"run\") (param i32 i32) (result i64)"
            + " (loop $more (br_if $more (i32.ne (memory.grow (i32.const 48)) (i32.const -1)))) unreachable))";

    /** A host whose deadline is {@code millisLeft} away and that never cancels by itself. */
    private static RunContext deadlineIn(long millisLeft) {
        return new RunContext() {
            @Override public void progress(double fraction) { }
            @Override public boolean timeToCheckpoint() { return false; }
            @Override public void checkpoint(byte[] state) { }
            @Override public Optional<byte[]> restore() { return Optional.empty(); }
            @Override public long millisLeft() { return millisLeft; }
            @Override public void checkCancelled() { }
        };
    }

    @Test
    void run_endlessLoopWithTheTaskDeadlineFirst_failsRanLongerThanBeforeThatDeadline() throws Exception {
        // the sandbox's own bound is 10 minutes; the task's deadline is 1.5 s away
        WasmRunner runner = new WasmRunner(WasmLimits.defaults());

        assertThatThrownBy(() -> runner.run(Wat.text(LOOP), new byte[0], deadlineIn(1500)))
                .isInstanceOfSatisfying(WasmException.class, e -> assertThat(e.kind()).isEqualTo(WasmException.Kind.TIMED_OUT))
                .hasMessage("module ran longer than 1350ms");
    }

    @Test
    void timeLimit_keepsATenthOfTheTimeLeftForTheReport_atMostFiveSeconds() {
        Duration tenMinutes = Duration.ofMinutes(10);
        assertThat(WasmRunner.timeLimit(tenMinutes, Long.MAX_VALUE)).isEqualTo(tenMinutes);
        assertThat(WasmRunner.timeLimit(tenMinutes, 1_500)).isEqualTo(Duration.ofMillis(1350));
        assertThat(WasmRunner.timeLimit(tenMinutes, 30_000)).isEqualTo(Duration.ofSeconds(27));
        assertThat(WasmRunner.timeLimit(tenMinutes, 599_700)).isEqualTo(Duration.ofSeconds(594));
        assertThat(WasmRunner.timeLimit(tenMinutes, 3_600_000)).isEqualTo(tenMinutes);
        assertThat(WasmRunner.timeLimit(tenMinutes, -5)).isEqualTo(Duration.ofMillis(1));
        assertThat(WasmLimits.duration(WasmRunner.timeLimit(tenMinutes, 30_000))).isEqualTo("27s");
    }

    @Test
    void run_memoryHogGrowingInChunks_saysItsMemoryHadGrownToItsLimit() throws Exception {
        WasmRunner runner = new WasmRunner(WasmLimits.defaults().withMaxMemoryBytes(16 << 20));

        assertThatThrownBy(() -> runner.run(Wat.text(CHUNKED_HOG), new byte[0]))
                .isInstanceOfSatisfying(WasmException.class, e -> assertThat(e.kind()).isEqualTo(WasmException.Kind.TRAPPED))
                .hasMessage("module trapped: unreachable (its memory had grown to its limit: 15.1 MiB of 16 MiB)");
    }
}
