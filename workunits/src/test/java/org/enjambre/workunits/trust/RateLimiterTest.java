package org.enjambre.workunits.trust;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimiterTest {
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final RateLimiter limiter = new RateLimiter(3, 1000, clock::get);

    @Test
    void allowsABurstThenRefuses() {
        assertThat(limiter.tryAcquire("1.2.3.4").granted()).isTrue();
        assertThat(limiter.tryAcquire("1.2.3.4").granted()).isTrue();
        assertThat(limiter.tryAcquire("1.2.3.4").granted()).isTrue();
        RateLimiter.Permit refused = limiter.tryAcquire("1.2.3.4");
        assertThat(refused).isEqualTo(new RateLimiter.Permit(false, 1000));
    }

    @Test
    void refillsOneTokenPerPeriod() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        clock.addAndGet(400);
        assertThat(limiter.tryAcquire("k")).isEqualTo(new RateLimiter.Permit(false, 600));
        clock.addAndGet(600);
        assertThat(limiter.tryAcquire("k").granted()).isTrue();
        assertThat(limiter.tryAcquire("k").granted()).isFalse();
        clock.addAndGet(60_000);
        assertThat(limiter.available("k")).isEqualTo(3);
    }

    @Test
    void keysAreIndependent() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("a");
        }
        assertThat(limiter.tryAcquire("a").granted()).isFalse();
        assertThat(limiter.tryAcquire("b").granted()).isTrue();
        assertThat(limiter.available("b")).isEqualTo(2);
        assertThat(limiter.available("never-seen")).isEqualTo(3);
    }

    @Test
    void aClockGoingBackwardsRefillsNothing() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        clock.addAndGet(-10_000);
        assertThat(limiter.tryAcquire("k").granted()).isFalse();
    }

    @Test
    void evictIdle_dropsOnlyFullBuckets() {
        limiter.tryAcquire("busy");
        limiter.tryAcquire("busy");
        limiter.tryAcquire("idle");
        clock.addAndGet(500);
        assertThat(limiter.evictIdle()).isZero();
        clock.addAndGet(500);
        assertThat(limiter.evictIdle()).isEqualTo(1); // "idle" is full again, "busy" is not
        assertThat(limiter.available("busy")).isEqualTo(2);
        assertThat(limiter.available("idle")).isEqualTo(3);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new RateLimiter(0, 1000, clock::get)).hasMessage("capacity (0) must be at least 1");
        assertThatThrownBy(() -> new RateLimiter(1, 0, clock::get)).hasMessageStartingWith("refillMillis (0) must be at least 1 and below");
    }

    @Test
    void giveBack_returnsATakenToken_neverAboveTheBurst() {
        long[] now = {0};
        RateLimiter l = new RateLimiter(2, 1000, () -> now[0]);
        l.giveBack("a"); // nothing taken yet: still a burst of 2
        assertThat(l.tryAcquire("a").granted()).isTrue();
        assertThat(l.tryAcquire("a").granted()).isTrue();
        assertThat(l.tryAcquire("a").granted()).isFalse();
        l.giveBack("a");
        assertThat(l.tryAcquire("a").granted()).as("the token given back").isTrue();
        assertThat(l.tryAcquire("a").granted()).isFalse();
        l.giveBack("a");
        l.giveBack("a");
        l.giveBack("a");
        assertThat(l.available("a")).as("capped at the burst").isEqualTo(2);
    }
}
