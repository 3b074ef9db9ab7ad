package org.enjambre.worker;

import org.enjambre.worker.exec.BlobSource;
import org.enjambre.worker.protocol.Backoff;
import org.enjambre.worker.protocol.CoordinatorClient;
import org.enjambre.worker.protocol.CoordinatorUnavailableException;
import org.enjambre.worker.protocol.RequestRejectedException;
import org.enjambre.worker.protocol.UnauthorizedException;
import org.enjambre.worker.store.BlobStore;
import org.enjambre.worker.store.Identity;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;

/** A task's blob (a WebAssembly module): from the cache, else downloaded and verified, retrying until the worker stops. */
final class BlobFetcher implements BlobSource {
    private final BlobStore cache;
    private final CoordinatorClient client;
    private final Session session;
    private final Status status;
    private final WorkerOptions options;
    private final org.enjambre.workunits.app.InputFiles files;

    BlobFetcher(BlobStore cache, CoordinatorClient client, Session session, Status status, WorkerOptions options,
                org.enjambre.workunits.app.InputFiles files) {
        this.cache = cache;
        this.client = client;
        this.session = session;
        this.status = status;
        this.options = options;
        this.files = files;
    }

    @Override
    public org.enjambre.workunits.app.InputFiles files() {
        return files;
    }

    @Override
    public byte[] get(String sha256) throws Exception {
        Optional<byte[]> cached = cache.get(sha256);
        if (cached.isPresent()) {
            return cached.get();
        }
        Backoff backoff = new Backoff(options.backoffMin(), options.backoffMax(), new Random());
        while (!status.stopping()) {
            Identity identity = null;
            try {
                identity = session.identity();
                byte[] bytes = client.blob(identity.token(), sha256);
                try {
                    cache.put(sha256, bytes);
                } catch (java.io.IOException e) {
                    // Verified and in memory: the task runs anyway; the next one fetches the blob again.
                    java.util.logging.Logger.getLogger(Worker.class.getName())
                            .warning("could not cache blob " + sha256 + " (" + e.getMessage() + "); running without caching it");
                }
                return bytes;
            } catch (RequestRejectedException e) {
                throw new IllegalStateException("blob " + sha256 + " is not available from the coordinator: " + e.getMessage());
            } catch (UnauthorizedException e) {
                session.tokenRefused(identity);
                status.pause(backoff.failure(client.urlCount()));
            } catch (CoordinatorUnavailableException e) {
                Duration wait = backoff.failure(client.urlCount());
                Duration retryAfter = e.retryAfter().orElse(Duration.ZERO);
                status.pause(retryAfter.compareTo(wait) > 0 ? retryAfter : wait);
            }
        }
        throw new InterruptedException("the worker is stopping");
    }
}
