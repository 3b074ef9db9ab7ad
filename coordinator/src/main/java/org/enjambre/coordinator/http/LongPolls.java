package org.enjambre.coordinator.http;

import org.enjambre.coordinator.metrics.PathTrace;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.function.LongConsumer;

/**
 * Workers long-polling this peer for work, and waking them when units become ready here.
 *
 * <p>Each ready unit is a <em>signal</em> (a sequence number) that wakes the one longest-waiting worker,
 * not all of them. A woken worker that then finds nothing it may take (placement rules, another peer was
 * faster) passes the signal on with {@link #passOn} to the next waiter that has not fetched since that
 * signal, so a unit one waiter cannot take still reaches one that can, and each signal costs at most one
 * fetch per waiter. A waiter is registered with the signal count read before its fetch began: when a signal
 * came during that fetch it is woken at once, so no signal is missed between its fetch and its wait.
 * Waiters leave the set when woken, when their timer answers them and when their connection closes.
 *
 * <p>Thread-safe: signals come from the cluster's event threads, waiters from event loops. A wake callback
 * must only hand work to its own context (it runs while no lock is held, on the signalling thread).
 */
public final class LongPolls {
    /** How many waiters at the head {@link #passOn} looks at for one that has not seen the signal. */
    private static final int PASS_SCAN = 64;

    /** One waiting fetch: woken with the signal that woke it. */
    final class Waiter {
        private final long since;
        private final LongConsumer wake;

        private Waiter(long since, LongConsumer wake) {
            this.since = since;
            this.wake = wake;
        }

        /** Leaves the set (timer fired, connection closed); a later signal no longer wakes it. */
        void cancel() {
            synchronized (LongPolls.this) {
                waiting.remove(this);
            }
        }
    }

    /** In the order they started waiting. Guarded by this. */
    private final LinkedHashSet<Waiter> waiting = new LinkedHashSet<>();
    /** Signals so far. Guarded by this. */
    private long signals;

    /** The signal count now: read before a fetch, passed to {@link #await} after it found nothing. */
    public synchronized long signals() {
        return signals;
    }

    /** Waiters now. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /**
     * Waits for a signal newer than {@code since}; when one came already (it went to another waiter, or to
     * none), {@code wake} runs at once with signal 0, which {@link #passOn} ignores, and null is returned.
     */
    Waiter await(long since, LongConsumer wake) {
        synchronized (this) {
            if (signals <= since) {
                Waiter w = new Waiter(since, wake);
                waiting.add(w);
                return w;
            }
        }
        wake.accept(0);
        return null;
    }

    /** A unit became ready on this peer: wakes the longest-waiting worker, if any. */
    public void signal() {
        signal(1);
    }

    /**
     * {@code n} units became ready (a job's fresh units, a rebuild of the index): wakes up to {@code n} waiters, longest
     * waiting first, under one lock. Every unit counts as a signal even when nobody waits, so a fetch that began
     * before them still wakes at once when it comes to wait.
     */
    public void signal(long n) {
        PathTrace.mark("long-polls signalled");
        if (n <= 0) {
            return;
        }
        Waiter[] woken;
        long first;
        synchronized (this) {
            first = signals + 1;
            signals += n;
            woken = new Waiter[(int) Math.min(n, waiting.size())];
            Iterator<Waiter> it = waiting.iterator();
            for (int i = 0; i < woken.length; i++) {
                woken[i] = it.next();
                it.remove();
            }
        }
        for (int i = 0; i < woken.length; i++) {
            woken[i].wake.accept(first + i);
        }
    }

    /** A waiter woken by {@code signal} found nothing: wakes the next one that has not fetched since that signal. */
    void passOn(long signal) {
        if (signal <= 0) {
            return;
        }
        Waiter w = null;
        synchronized (this) {
            Iterator<Waiter> it = waiting.iterator();
            for (int i = 0; i < PASS_SCAN && it.hasNext(); i++) {
                Waiter c = it.next();
                if (c.since < signal) {
                    w = c;
                    it.remove();
                    break;
                }
            }
        }
        if (w != null) {
            w.wake.accept(signal);
        }
    }
}
