package org.enjambre.coordinator.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Waits for several cluster operations with one park of the waiting thread. Joining each future in turn parks and
 * wakes the waiter once per operation still running (a thread wake-up each, the main cost of a small report on two
 * cores, tenth session); here each completion only counts down, on the thread that completes it, and the waiter
 * wakes when the last one did. Not {@code CompletableFuture.allOf}: on Hazelcast's futures a dependent stage without
 * an executor runs on Hazelcast's default async executor, a new thread per call on a 2-core machine.
 */
public final class Together {
    /** Runs a completion's count-down on the completing thread: it only decrements and maybe completes. */
    private static final Executor SAME_THREAD = Runnable::run;

    private Together() {
    }

    /**
     * Returns once every one of {@code stages} completed, normally or not (their outcomes are the caller's to read);
     * with a single stage at once, leaving the wait to the caller's join.
     */
    public static void await(List<? extends CompletionStage<?>> stages) {
        if (stages.size() <= 1) {
            return; // the caller's own join parks once at most
        }
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(stages.size());
        for (CompletionStage<?> s : stages) {
            s.whenCompleteAsync((r, e) -> {
                if (left.decrementAndGet() == 0) {
                    all.complete(null);
                }
            }, SAME_THREAD);
        }
        all.join();
    }
}
