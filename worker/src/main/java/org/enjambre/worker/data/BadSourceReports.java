package org.enjambre.worker.data;

import org.enjambre.worker.protocol.CoordinatorClient;

import java.util.Locale;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Tells the coordinator of every bad chunk a sharer or a named peer sent ({@code POST /api/v1/data/reports}): it
 * stops naming a sharer reported too often and has a peer re-verify (and repair) its copy. A report that cannot
 * be sent is logged and dropped: it is advice, the chunk was fetched elsewhere already.
 */
public final class BadSourceReports implements ChunkFetcher.BadSources {
    private static final Logger LOG = Logger.getLogger(BadSourceReports.class.getName());
    private final Supplier<CoordinatorClient> client;
    private final Supplier<String> token;

    /** Reports through {@code client} with {@code token} (both read when a report is sent). */
    public BadSourceReports(Supplier<CoordinatorClient> client, Supplier<String> token) {
        this.client = client;
        this.token = token;
    }

    @Override
    public void report(String fileId, String chunk, Sources.Source source, String reason) {
        try {
            client.get().reportBadSource(token.get(), fileId, chunk, source.base().toString(),
                    source.kind().name().toLowerCase(Locale.ROOT), reason);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warning("the bad copy of chunk " + chunk + " from " + source.base() + " could not be reported: " + e.getMessage());
        }
    }
}
