package org.enjambre.worker;

import org.enjambre.worker.protocol.Backoff;
import org.enjambre.worker.protocol.CoordinatorClient;
import org.enjambre.worker.protocol.CoordinatorException;
import org.enjambre.worker.protocol.CoordinatorUnavailableException;
import org.enjambre.worker.protocol.UnauthorizedException;
import org.enjambre.worker.store.Identity;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * What the worker is doing (its {@link Worker.State}, its last problem, whether it is stopping) and
 * the counters of its work, shared by the fetcher, the reporter and the lifecycle; also the one place
 * that turns a call's success or failure into a state, a log line and a wait. Thread-safe.
 */
final class Status {
    private static final Logger LOG = Logger.getLogger(Worker.class.getName());

    final AtomicLong done = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong reported = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile Worker.State state = Worker.State.NEW;
    private volatile boolean stopping;
    private volatile String problem;

    Worker.State state() {
        return state;
    }

    /** Sets the state unless the worker is stopping (then only the lifecycle changes it, with {@link #force}). */
    void set(Worker.State next) {
        if (!stopping) {
            state = next;
        }
    }

    void force(Worker.State next) {
        state = next;
    }

    boolean stopping() {
        return stopping;
    }

    void requestStop() {
        stopping = true;
        state = Worker.State.STOPPING;
        stopRequested.countDown();
    }

    String problem() {
        return problem;
    }

    void problem(String text) {
        problem = text;
    }

    /** Sleeps {@code wait} unless the worker starts stopping. */
    void pause(Duration wait) throws InterruptedException {
        if (!wait.isZero() && !wait.isNegative()) {
            stopRequested.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A call succeeded: the streak of failures ends. */
    void succeeded(Backoff backoff, CoordinatorClient client) {
        if (backoff.failures() > 0) {
            LOG.info("coordinator " + client.current() + " answers again");
        }
        backoff.success();
        problem = null;
        set(Worker.State.WORKING);
    }

    /** What to do after a failed call: forget a refused token, log the first failure of a streak, and how long to wait. */
    Duration failed(Backoff backoff, CoordinatorException e, Identity identity, Session session, CoordinatorClient client) {
        boolean first = backoff.failures() == 0;
        Duration wait;
        if (e instanceof UnauthorizedException) {
            session.tokenRefused(identity);
            wait = backoff.failure(client.urlCount());
            if (first) {
                wait = Duration.ZERO; // register again at once; repeated refusals back off
            }
        } else if (e instanceof CoordinatorUnavailableException unavailable) {
            wait = backoff.failure(client.urlCount());
            Duration retryAfter = unavailable.retryAfter().orElse(Duration.ZERO);
            wait = retryAfter.compareTo(wait) > 0 ? retryAfter : wait;
        } else {
            wait = backoff.failure(1);
        }
        problem = e.getMessage();
        long millis = wait.toMillis();
        if (first) {
            LOG.warning(e.getMessage() + (millis == 0 ? "; retrying" : "; retrying in " + millis + " ms, backing off"));
        } else {
            LOG.fine(() -> e.getMessage() + "; retrying in " + millis + " ms");
        }
        if (!wait.isZero()) {
            set(Worker.State.BACKING_OFF);
        }
        return wait;
    }
}
