package org.enjambre.worker;

import org.enjambre.worker.protocol.CoordinatorClient;
import org.enjambre.worker.protocol.CoordinatorException;
import org.enjambre.worker.protocol.RegisterRequest;
import org.enjambre.worker.protocol.Registration;
import org.enjambre.worker.store.Identity;
import org.enjambre.worker.store.IdentityStore;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The worker's identity with its coordinators: loaded from {@code identity.json} when it was issued
 * by the same cluster (shares a URL with the configured ones), else obtained by registering once;
 * forgotten when a coordinator no longer accepts its token, so the next call registers again.
 *
 * <p>Thread-safe: the fetch loop, the report loop and task threads (blobs) share it.
 */
final class Session {
    private static final Logger LOG = Logger.getLogger(Worker.class.getName());

    private final CoordinatorClient client;
    private final IdentityStore store;
    private final List<URI> coordinators;
    private final Supplier<RegisterRequest> request;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Identity identity;

    Session(CoordinatorClient client, IdentityStore store, List<URI> coordinators, Supplier<RegisterRequest> request, Clock clock) {
        this.client = client;
        this.store = store;
        this.coordinators = List.copyOf(coordinators);
        this.request = request;
        this.clock = clock;
        Optional<Identity> saved = store.load();
        if (saved.isPresent() && !saved.get().issuedBy(coordinators)) {
            LOG.info("the saved identity " + saved.get().workerId() + " was issued by " + saved.get().coordinators()
                    + ", not by " + coordinators + "; registering again");
        }
        this.identity = saved.filter(i -> i.issuedBy(coordinators)).orElse(null);
    }

    /** The identity, registering first when there is none. */
    Identity identity() throws CoordinatorException, InterruptedException {
        Identity known = identity;
        if (known != null) {
            return known;
        }
        lock.lockInterruptibly();
        try {
            if (identity != null) {
                return identity;
            }
            RegisterRequest body = request.get();
            Registration registration = client.register(body);
            Identity fresh = new Identity(registration.workerId(), registration.token(),
                    coordinators.stream().map(URI::toString).toList(), body.name(), clock.millis());
            try {
                store.save(fresh);
            } catch (IOException e) {
                LOG.warning("could not save the identity to the data directory (" + e.getMessage()
                        + "); this worker will register again on its next start");
            }
            identity = fresh;
            LOG.info("registered with " + client.current() + " as " + fresh.workerId() + " (" + body.name() + ")");
            return fresh;
        } finally {
            lock.unlock();
        }
    }

    /** The identity if there is one now, without registering. */
    Optional<Identity> current() {
        return Optional.ofNullable(identity);
    }

    /** A coordinator refused {@code used}: forget it (unless another thread already replaced it). */
    void tokenRefused(Identity used) {
        if (used == null) {
            return;
        }
        lock.lock();
        try {
            if (identity != null && identity.token().equals(used.token())) {
                LOG.warning("the coordinator no longer accepts the token of " + used.workerId() + "; registering again");
                identity = null;
                try {
                    store.clear();
                } catch (IOException e) {
                    LOG.warning("could not delete the old identity: " + e.getMessage());
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
