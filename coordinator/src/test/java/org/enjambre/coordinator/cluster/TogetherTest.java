package org.enjambre.coordinator.cluster;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Waiting for several operations at once: returns when the last one completed, however it completed. */
class TogetherTest {
    @Test
    void returnsOnlyOnceEveryStageCompleted_failuresIncluded() throws Exception {
        CompletableFuture<String> a = new CompletableFuture<>();
        CompletableFuture<String> b = new CompletableFuture<>();
        CompletableFuture<String> c = new CompletableFuture<>();
        AtomicBoolean returned = new AtomicBoolean();
        Thread waiter = new Thread(() -> {
            Together.await(List.of(a, b, c));
            returned.set(true);
        });
        waiter.start();

        a.complete("a");
        c.completeExceptionally(new IllegalStateException("refused"));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).untilFalse(returned);
        assertThat(waiter.getState()).as("parked while b runs").isIn(Thread.State.WAITING, Thread.State.TIMED_WAITING);

        b.complete("b");
        await().atMost(Duration.ofSeconds(10)).untilTrue(returned);
        waiter.join();
    }

    @Test
    void completedOrSingleStages_returnAtOnce() {
        Together.await(List.of());
        Together.await(List.of(new CompletableFuture<String>())); // one: left to the caller's join
        Together.await(List.of(CompletableFuture.completedFuture(1), CompletableFuture.failedFuture(new RuntimeException("x"))));
    }
}
