package org.enjambre.worker;

import org.enjambre.worker.protocol.CoordinatorClient;
import org.enjambre.worker.protocol.CoordinatorException;
import org.enjambre.worker.protocol.RequestRejectedException;
import org.enjambre.worker.protocol.UnauthorizedException;
import org.enjambre.worker.store.Identity;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/** The worker's credit as the coordinator's public workers view shows it, read at most every 30 s. Thread-safe. */
final class Credit {
    private static final Duration REFRESH = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final CoordinatorClient client;
    private final LongSupplier ticker;
    private volatile OptionalDouble value = OptionalDouble.empty();
    private volatile boolean unavailable;
    private long lastRefresh;
    private boolean refreshed;

    Credit(CoordinatorClient client, LongSupplier ticker) {
        this.client = client;
        this.ticker = ticker;
    }

    OptionalDouble value() {
        return value;
    }

    /** Reads the credit again unless it was read less than 30 s ago (or the views are private). */
    void refresh(Identity identity) {
        synchronized (this) {
            long now = ticker.getAsLong();
            if (unavailable || (refreshed && now - lastRefresh < REFRESH.toNanos())) {
                return;
            }
            refreshed = true;
            lastRefresh = now;
        }
        try {
            OptionalDouble read = client.credit(identity.workerId(), TIMEOUT);
            if (read.isPresent()) {
                value = read;
            }
        } catch (UnauthorizedException | RequestRejectedException e) {
            unavailable = true; // a private dashboard: the worker cannot see its credit
        } catch (CoordinatorException e) {
            // read again later
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
