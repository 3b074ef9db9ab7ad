package org.enjambre.workunits.wasm;

import org.enjambre.workunits.app.RunContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class WasmRunnerTest {
    private static final WasmLimits SMALL =
            WasmLimits.defaults().withMaxMemoryBytes(16 << 20).withTimeLimit(Duration.ofSeconds(5));

    /** One runner shared by the hostile-module tests: each must leave it working. */
    private static final WasmRunner SHARED = new WasmRunner(SMALL);

    static byte[] range(long from, long to) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(from).putLong(to).array();
    }

    static long u64(byte[] le) {
        assertThat(le).hasSize(8);
        return ByteBuffer.wrap(le).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void run_echo_returnsItsInput() throws Exception {
        byte[] input = "hello, swarm".getBytes(StandardCharsets.UTF_8);
        assertThat(SHARED.run(Wat.module("echo"), input)).isEqualTo(input);
        assertThat(SHARED.run(Wat.module("echo"), new byte[0])).isEmpty();
    }

    @Test
    void run_echo_inputLargerThanInitialMemory() throws Exception {
        byte[] input = new byte[200_000];
        new Random(7).nextBytes(input);
        assertThat(SHARED.run(Wat.module("echo"), input)).isEqualTo(input);
    }

    @Test
    void run_primes_knownAnswers() throws Exception {
        byte[] primes = Wat.module("primes");
        assertThat(u64(SHARED.run(primes, range(0, 100)))).isEqualTo(25);
        assertThat(u64(SHARED.run(primes, range(2, 3)))).isEqualTo(1);
        assertThat(u64(SHARED.run(primes, range(90, 97)))).isZero();
        assertThat(u64(SHARED.run(primes, range(97, 98)))).isEqualTo(1);
    }

    @Test
    void merge_primes_sumsToJson() throws Exception {
        byte[] out = SHARED.merge(Wat.module("primes"), List.of(
                new byte[] {25, 0, 0, 0, 0, 0, 0, 0}, new byte[] {0, 1, 0, 0, 0, 0, 0, 0}));
        assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("{\"count\":281}");
    }

    @Test
    void merge_moduleWithoutMerge_isRefused() {
        assertThatThrownBy(() -> SHARED.merge(Wat.module("echo"), List.of()))
                .hasMessage("module does not export 'merge'");
    }

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("membomb", WasmException.Kind.TRAPPED,
                        "module trapped: unreachable (its memory had grown to its limit of 16 MiB)"),
                Arguments.of("trap", WasmException.Kind.TRAPPED, "module trapped: unreachable"),
                Arguments.of("divzero", WasmException.Kind.TRAPPED, "module trapped: integer divide by zero"),
                Arguments.of("recursion", WasmException.Kind.TRAPPED, "module trapped: call stack exhausted"),
                Arguments.of("hugememory", WasmException.Kind.OUT_OF_MEMORY,
                        "module asks for 512 MiB of memory at start, more than the cap of 16 MiB"),
                Arguments.of("badoutput", WasmException.Kind.ABI_VIOLATION,
                        "module's run returned an output of 1000 bytes at address 65000, outside its memory of 65536 bytes"),
                Arguments.of("wasi", WasmException.Kind.INVALID_MODULE,
                        "module imports wasi_snapshot_preview1.clock_time_get which is not allowed (allowed: "
                                + "enjambre.progress, enjambre.checkpoint_due, enjambre.checkpoint, enjambre.restore, "
                                + "enjambre.file_count, enjambre.file_size, enjambre.file_read)"),
                Arguments.of("norun", WasmException.Kind.INVALID_MODULE, "module does not export 'run'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void run_hostileModule_isContainedAndTheRunnerGoesOn(String name, WasmException.Kind kind, String message)
            throws Exception {
        byte[] module = Wat.module(name);
        long start = System.nanoTime();
        assertThatThrownBy(() -> SHARED.run(module, range(0, 10)))
                .isInstanceOfSatisfying(WasmException.class, e -> assertThat(e.kind()).isEqualTo(kind))
                .hasMessage(message);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        // the same module fails the same way again (cached compilation, fresh instance)
        assertThatThrownBy(() -> SHARED.run(module, range(0, 10))).hasMessage(message);
        // and the runner still computes
        assertThat(u64(SHARED.run(Wat.module("primes"), range(0, 100)))).isEqualTo(25);
    }

    @Test
    void run_infiniteLoop_isStoppedAtTheTimeBoundAndTheRunnerGoesOn() throws Exception {
        WasmRunner runner = new WasmRunner(SMALL.withTimeLimit(Duration.ofMillis(200)));
        long start = System.nanoTime();
        assertThatThrownBy(() -> runner.run(Wat.module("loop"), new byte[0]))
                .isInstanceOfSatisfying(WasmException.class,
                        e -> assertThat(e.kind()).isEqualTo(WasmException.Kind.TIMED_OUT))
                .hasMessage("module ran longer than 200ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(200), Duration.ofSeconds(5));
        assertThat(runner.run(Wat.module("echo"), new byte[] {42})).containsExactly(42);
        assertThatThrownBy(() -> runner.run(Wat.module("loop"), new byte[0]))
                .hasMessage("module ran longer than 200ms");
        assertThat(u64(runner.run(Wat.module("primes"), range(0, 100)))).isEqualTo(25);
    }

    @Test
    void run_malformedBytes_isContained() throws Exception {
        assertThatThrownBy(() -> SHARED.run(new byte[] {0, 'a', 's', 'm', 1, 0, 0}, new byte[0]))
                .isInstanceOfSatisfying(WasmException.class,
                        e -> assertThat(e.kind()).isEqualTo(WasmException.Kind.INVALID_MODULE))
                .hasMessageStartingWith("module is not valid WebAssembly: ");
        assertThat(u64(SHARED.run(Wat.module("primes"), range(0, 100)))).isEqualTo(25);
    }

    @Test
    void run_defaultMemoryCapIs256MiB() {
        WasmRunner runner = new WasmRunner();
        assertThatThrownBy(() -> runner.run(Wat.module("hugememory"), new byte[0]))
                .hasMessage("module asks for 512 MiB of memory at start, more than the cap of 256 MiB");
    }

    @Test
    void run_memoryCap_isConfigurable() throws Exception {
        byte[] twentyMiB = Wat.text("""
                (module
                  (memory (export "memory") 320)
                  (func (export "alloc") (param i32) (result i32) (i32.const 0))
                  (func (export "run") (param i32 i32) (result i64) (i64.const 0)))
                """);
        assertThatThrownBy(() -> SHARED.run(twentyMiB, new byte[0]))
                .hasMessage("module asks for 20 MiB of memory at start, more than the cap of 16 MiB");
        assertThat(new WasmRunner(SMALL.withMaxMemoryBytes(32 << 20)).run(twentyMiB, new byte[0])).isEmpty();
        WasmRunner tight = new WasmRunner(SMALL.withMaxMemoryBytes(4 << 20));
        assertThatThrownBy(() -> tight.run(Wat.module("membomb"), new byte[0]))
                .hasMessage("module trapped: unreachable (its memory had grown to its limit of 4 MiB)");
        // no module can take an input larger than its memory cap
        assertThatThrownBy(() -> tight.run(Wat.module("echo"), new byte[5 << 20]))
                .hasMessage("the input of 5 MiB does not fit in the module's memory limit of 4 MiB");
        // the echo module traps when the input fits the cap but not next to what it already uses
        assertThatThrownBy(() -> tight.run(Wat.module("echo"), new byte[4 << 20]))
                .hasMessage("module trapped: unreachable");
        assertThat(tight.run(Wat.module("echo"), new byte[3 << 20])).hasSize(3 << 20);
    }

    @Test
    void run_eachRunGetsAFreshInstance() throws Exception {
        WasmRunner runner = new WasmRunner(SMALL);
        for (int i = 0; i < 3; i++) {
            // globals and memory start over
            assertThat(runner.run(Wat.module("counter"), new byte[0])).containsExactly(1);
            // a grown table does not leak into the next instance (Chicory shares Table limits between them)
            assertThat(runner.run(Wat.module("tablegrow"), new byte[0])).containsExactly(2);
        }
    }

    @Test
    void run_twoRunners_giveByteIdenticalOutputs() throws Exception {
        WasmRunner a = new WasmRunner();
        WasmRunner b = new WasmRunner(SMALL);
        byte[] input = range(1_000_000, 1_100_000);
        byte[] first = a.run(Wat.module("primes"), input);
        assertThat(b.run(Wat.module("primes"), input)).isEqualTo(first);
        assertThat(a.run(Wat.module("primes"), input)).isEqualTo(first);
        assertThat(u64(first)).isEqualTo(7216); // pi(1.1e6) - pi(1e6) = 85714 - 78498
    }

    @Test
    void run_contextCancels_stopsTheModule() {
        AtomicBoolean cancel = new AtomicBoolean();
        RunContext context = new Polled(cancel);
        WasmRunner runner = new WasmRunner(WasmLimits.defaults());
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
            try {
                runner.run(Wat.module("loop"), new byte[0], context);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        await().until(() -> ((Polled) context).polls > 2);
        cancel.set(true);
        await().atMost(Duration.ofSeconds(2)).until(failure::isDone);
        assertThat(failure.join()).isInstanceOf(RunContext.CancelledException.class).hasMessage("stop");
    }

    @Test
    void run_callerInterrupted_cancelsAndKeepsTheInterrupt() throws Exception {
        WasmRunner runner = new WasmRunner(WasmLimits.defaults());
        CompletableFuture<String> seen = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                runner.run(Wat.module("loop"), new byte[0], RunContext.inMemory());
                seen.complete("returned");
            } catch (RunContext.CancelledException e) {
                seen.complete("cancelled, interrupted=" + Thread.currentThread().isInterrupted());
            } catch (Exception e) {
                seen.complete(e.toString());
            }
        });
        caller.start();
        await().until(() -> caller.getState() == Thread.State.TIMED_WAITING);
        caller.interrupt();
        assertThat(seen.get()).isEqualTo("cancelled, interrupted=true");
    }

    @Test
    void run_checkpointsAndResumesToTheSameAnswer() throws Exception {
        WasmRunner runner = new WasmRunner(WasmLimits.defaults());
        RunContext.InMemory context = RunContext.inMemory().cancelAfterCheckpoints(3);
        byte[] input = range(0, 1_000_000);
        assertThatThrownBy(() -> runner.run(Wat.module("primes"), input, context))
                .isInstanceOf(RunContext.CancelledException.class);
        assertThat(context.checkpoints()).isEqualTo(3);
        byte[] state = context.restore().orElseThrow();
        assertThat(ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN).getLong()).isEqualTo(3 * 65536);
        assertThat(context.progress()).isBetween(0.19, 0.20);

        context.resume();
        assertThat(u64(runner.run(Wat.module("primes"), input, context))).isEqualTo(78498);
        assertThat(context.checkpoints()).isEqualTo(15); // 65536 * 15 < 10^6 < 65536 * 16
        assertThat(context.progress()).isBetween(0.98, 1.0);
    }

    @Test
    void run_restoreWithTooSmallBuffer_reportsTheSizeAndWritesNothing() throws Exception {
        byte[] module = Wat.text("""
                (module
                  (import "enjambre" "restore" (func $restore (param i32 i32) (result i32)))
                  (memory (export "memory") 1)
                  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
                  (func (export "run") (param i32 i32) (result i64)
                    (i32.store (i32.const 0) (call $restore (i32.const 8) (i32.const 2)))
                    (i64.const 12)))
                """);
        RunContext.InMemory context = RunContext.inMemory();
        assertThat(new WasmRunner(SMALL).run(module, new byte[0], context)).containsExactly(-1, -1, -1, -1,
                0, 0, 0, 0, 0, 0, 0, 0);
        context.checkpoint(new byte[] {1, 2, 3});
        assertThat(new WasmRunner(SMALL).run(module, new byte[0], context)).containsExactly(3, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void load_reportsTheModule() throws Exception {
        byte[] primes = Wat.module("primes");
        ModuleInfo info = new WasmRunner().load(primes);
        assertThat(info.sha256()).isEqualTo(WasmModules.sha256(primes));
        assertThat(info.hasMerge()).isTrue();
    }

    @Test
    void run_moduleOverTheRunnersSizeLimit_isRefused() {
        WasmRunner runner = new WasmRunner(SMALL.withMaxModuleBytes(64));
        assertThatThrownBy(() -> runner.run(Wat.module("primes"), new byte[0]))
                .hasMessageEndingWith("more than the limit of 64 bytes");
    }

    /** A context that counts its cancellation polls and cancels when told to. */
    private static final class Polled implements RunContext {
        private final AtomicBoolean cancel;
        volatile int polls;

        Polled(AtomicBoolean cancel) {
            this.cancel = cancel;
        }

        @Override public void progress(double fraction) { }
        @Override public boolean timeToCheckpoint() { return false; }
        @Override public void checkpoint(byte[] state) { }
        @Override public Optional<byte[]> restore() { return Optional.empty(); }

        @Override
        public void checkCancelled() throws CancelledException {
            polls++;
            if (cancel.get()) {
                throw new CancelledException("stop");
            }
        }
    }
}
