package org.enjambre.worker.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A test app that checkpoints: its input is a count N in decimal; it sums i² for i below N, one step
 * at a time (each step taking {@code stepNanos}), checking for cancellation and offering a checkpoint
 * every {@code every} steps, and returns {@code {"n":N,"sum":S}}. It records where each run started,
 * so a test sees a resume.
 */
public final class CountingApp implements App {
    private final long stepNanos;
    private final int every;
    private final List<Long> starts = new CopyOnWriteArrayList<>();
    private final AtomicInteger checkpoints = new AtomicInteger();

    public CountingApp(long stepNanos, int every) {
        this.stepNanos = stepNanos;
        this.every = every;
    }

    /** The output of an uninterrupted run over {@code n}. */
    public static byte[] expected(long n) {
        long sum = 0;
        for (long i = 0; i < n; i++) {
            sum += i * i;
        }
        return ("{\"n\":" + n + ",\"sum\":" + sum + "}").getBytes(StandardCharsets.US_ASCII);
    }

    public static byte[] input(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    /** Where each run started: 0 for a fresh run, the checkpointed step for a resumed one. */
    public List<Long> starts() {
        return starts;
    }

    public int checkpoints() {
        return checkpoints.get();
    }

    @Override
    public String name() {
        return "count";
    }

    @Override
    public void validate(JsonNode input, int workUnits) {
    }

    @Override
    public int defaultWorkUnits(JsonNode input) {
        return 1;
    }

    @Override
    public byte[] unitInput(JsonNode input, int workUnits, int index) {
        return input(input.asLong());
    }

    @Override
    public double cost(JsonNode input, int workUnits, int index) {
        return 1;
    }

    @Override
    public byte[] run(byte[] unitInput, RunContext context) throws Exception {
        long n = Long.parseLong(new String(unitInput, StandardCharsets.US_ASCII).trim());
        long i = 0;
        long sum = 0;
        var saved = context.restore();
        if (saved.isPresent()) {
            ByteBuffer state = ByteBuffer.wrap(saved.get());
            i = state.getLong();
            sum = state.getLong();
        }
        starts.add(i);
        for (; i < n; i++) {
            if (i % every == 0) {
                context.checkCancelled();
                context.progress((double) i / n);
                if (i > 0 && context.timeToCheckpoint()) {
                    context.checkpoint(ByteBuffer.allocate(16).putLong(i).putLong(sum).array());
                    checkpoints.incrementAndGet();
                }
            }
            if (stepNanos > 0) {
                LockSupport.parkNanos(stepNanos);
            }
            sum += i * i;
        }
        return ("{\"n\":" + n + ",\"sum\":" + sum + "}").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public Merger merger(JsonNode input, int workUnits) {
        return new Merger() {
            @Override
            public void accept(int index, byte[] output) {
            }

            @Override
            public MergedResult finish() {
                return MergedResult.json("{}");
            }
        };
    }
}
