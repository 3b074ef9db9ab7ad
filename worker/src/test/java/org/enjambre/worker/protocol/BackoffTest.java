package org.enjambre.worker.protocol;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {
    private static final Duration MIN = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(10);

    /** A "random" source that always answers {@code r}. */
    private static RandomGenerator fixed(double r) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return r;
            }
        };
    }

    @Test
    void delay_doublesEachRoundUntilTheCap() {
        List<Long> lowest = new ArrayList<>();
        List<Long> highest = new ArrayList<>();
        for (int round = 1; round <= 10; round++) {
            lowest.add(Backoff.delay(MIN, MAX, round, 0).toMillis());
            highest.add(Backoff.delay(MIN, MAX, round, 0.999999).toMillis());
        }
        assertThat(lowest).containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L, 5000L);
        assertThat(highest).containsExactly(199L, 399L, 799L, 1599L, 3199L, 6399L, 9999L, 9999L, 9999L, 9999L);
    }

    @Property
    void delay_staysWithinMinAndMax(@ForAll @IntRange(min = 1, max = 10_000) int round,
                                    @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double r) {
        Duration d = Backoff.delay(MIN, MAX, round, r);
        assertThat(d).isBetween(MIN, MAX);
    }

    @Test
    void failure_withTwoUrls_triesTheOtherAtOnceThenWaits() {
        Backoff backoff = new Backoff(MIN, MAX, fixed(0));
        assertThat(backoff.failure(2)).isZero();
        assertThat(backoff.failure(2)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.failure(2)).isZero();
        assertThat(backoff.failure(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.failure(2)).isZero();
        assertThat(backoff.failure(2)).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void success_startsOver() {
        Backoff backoff = new Backoff(MIN, MAX, fixed(0));
        backoff.failure(1);
        backoff.failure(1);
        assertThat(backoff.failure(1)).isEqualTo(Duration.ofMillis(400));
        backoff.success();
        assertThat(backoff.failures()).isZero();
        assertThat(backoff.failure(1)).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void failure_isJittered() {
        Backoff backoff = new Backoff(MIN, MAX, new Random(42));
        List<Duration> thirdRounds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            backoff.success();
            backoff.failure(1);
            backoff.failure(1);
            thirdRounds.add(backoff.failure(1));
        }
        assertThat(thirdRounds).allSatisfy(d -> assertThat(d).isBetween(Duration.ofMillis(400), Duration.ofMillis(800)));
        assertThat(thirdRounds.stream().distinct().count()).isGreaterThan(10);
    }

    @Test
    void newBackoff_badBounds_areRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, MAX, new Random()))
                .hasMessage("backoff needs 0 < min <= max, got min PT0S, max PT10S");
    }
}
