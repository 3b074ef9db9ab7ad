package org.enjambre.coordinator.http;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which long-polling fetches a ready unit wakes, and that none is left behind (issue 14). */
class LongPollsTest {
    private final LongPolls polls = new LongPolls();
    /** Names of the waiters woken, in order, with the signal that woke them. */
    private final List<String> woken = new ArrayList<>();

    private LongPolls.Waiter waiter(String name) {
        return polls.await(polls.signals(), s -> woken.add(name + "@" + s));
    }

    @Test
    void signal_wakesOnlyTheLongestWaiting() {
        waiter("a");
        waiter("b");
        waiter("c");
        polls.signal();
        assertThat(woken).containsExactly("a@1");
        assertThat(polls.waiting()).isEqualTo(2);
        polls.signal();
        assertThat(woken).containsExactly("a@1", "b@2");
    }

    @Test
    void cancel_timedOutWaiter_leavesTheSet_andIsNotWoken() {
        LongPolls.Waiter a = waiter("a");
        waiter("b");
        a.cancel();
        assertThat(polls.waiting()).isEqualTo(1);
        polls.signal();
        assertThat(woken).containsExactly("b@1");
        assertThat(polls.waiting()).isZero();
    }

    @Test
    void passOn_aWokenWaiterThatFoundNothing_wakesTheNextThatHasNotFetchedSince() {
        waiter("a");
        waiter("b");
        polls.signal();                        // a takes signal 1, finds nothing it may take
        long fetchStartedAt = polls.signals(); // a's fetch began after signal 1
        polls.await(fetchStartedAt, s -> woken.add("a-again@" + s));
        polls.passOn(1);                       // b has not fetched since signal 1: it gets its chance
        assertThat(woken).containsExactly("a@1", "b@1");
        polls.passOn(1);                       // only a is left, and it fetched after signal 1: nobody
        assertThat(woken).containsExactly("a@1", "b@1");
        assertThat(polls.waiting()).isEqualTo(1);
    }

    @Test
    void await_aSignalDuringTheFetch_wakesAtOnce_andNothingWaits() {
        long before = polls.signals();
        polls.signal();                        // came while the fetch ran, with no waiter to take it
        LongPolls.Waiter w = polls.await(before, s -> woken.add("late@" + s));
        assertThat(w).isNull();
        assertThat(woken).containsExactly("late@0");
        assertThat(polls.waiting()).isZero();
    }

    @Test
    void signalN_aBurstOfNReadyUnits_wakesNWaitersEachWithItsOwnSignal() {
        for (int i = 0; i < 4; i++) {
            waiter("w" + i);
        }
        polls.signal(3);
        assertThat(woken).containsExactly("w0@1", "w1@2", "w2@3");
        assertThat(polls.signals()).isEqualTo(3);
        assertThat(polls.waiting()).isEqualTo(1);
    }

    @Test
    void signalN_withNobodyWaiting_stillCounts_soAFetchThatBeganBeforeWakesAtOnce() {
        long before = polls.signals();
        polls.signal(7);                       // e.g. a rebuild found 7 ready units while this fetch ran
        assertThat(polls.signals()).isEqualTo(before + 7);
        assertThat(polls.await(before, s -> woken.add("late@" + s))).isNull();
        assertThat(woken).containsExactly("late@0");
    }

    @Test
    void signalN_wakesAtMostAsManyAsReadyUnits() {
        for (int i = 0; i < 5; i++) {
            waiter("w" + i);
        }
        polls.signal(2);
        assertThat(woken).containsExactly("w0@1", "w1@2");
        polls.signal(100);
        assertThat(woken).hasSize(5);
        assertThat(polls.waiting()).isZero();
    }
}
