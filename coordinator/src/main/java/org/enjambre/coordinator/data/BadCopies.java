package org.enjambre.coordinator.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bad chunk copies workers report ({@code POST /api/v1/data/reports}): each is counted by the kind of source that
 * sent it; a sharer is counted against (reported by {@link Sharers#MAX_BAD} workers, it is no longer named); a peer
 * named as the source re-reads its copy ({@link #verify}) and replaces a corrupt one from another holder. Reports
 * are advice from untrusted workers: the worst a false one does is make a peer hash a chunk it holds, or stop a
 * sharer being named. Blocking: call off event loops.
 */
public final class BadCopies {
    private static final Logger LOG = LoggerFactory.getLogger(BadCopies.class);

    /** What a peer found when it re-read its copy of a chunk. */
    public enum Verified { GOOD, REPAIRED, DROPPED, ABSENT }

    private final DataService data;
    private final Map<String, AtomicLong> reported = new ConcurrentHashMap<>();

    BadCopies(DataService data) {
        this.data = data;
    }

    /** Reports counted so far with source kind {@code kind} ({@code sharer} or {@code peer}). */
    public long reported(String kind) {
        return counter(kind).get();
    }

    private AtomicLong counter(String kind) {
        return reported.computeIfAbsent(kind, k -> new AtomicLong());
    }

    /**
     * Worker {@code reporter}'s report that {@code source} (a {@code sharer} or a {@code peer} URL) sent a bad copy
     * of chunk {@code chunk} of file {@code file}.
     */
    public void report(String reporter, String file, String chunk, String source, String kind) {
        counter(kind).incrementAndGet();
        if (kind.equals("sharer")) {
            String worker = data.sharers().reportBad(file, source, reporter);
            LOG.info("worker sharer {} ({}) reported for a bad copy of chunk {}", source, worker, chunk);
            return;
        }
        for (DataPeers.Peer p : data.peers().members()) {
            if (p.isPublic() && p.url().equals(source)) {
                if (p.id().equals(data.peers().selfId())) {
                    verify(chunk);
                } else if (!data.transfer().verify(p, chunk)) {
                    LOG.warn("peer {} could not be asked to re-verify chunk {}", p.url(), chunk);
                }
                return;
            }
        }
    }

    /** Re-reads this peer's copy of {@code chunk}; a corrupt one is deleted and fetched again from another holder. */
    public Verified verify(String chunk) {
        Hashes.check(chunk, "sha256");
        ChunkStore local = data.local();
        var size = local.size(chunk);
        if (size.isEmpty()) {
            return Verified.ABSENT;
        }
        MessageDigest md = Hashes.sha256();
        try (InputStream in = new DigestInputStream(local.get(chunk, 0, size.getAsLong()), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            LOG.warn("chunk {} could not be read to verify it: {}", chunk, e.getMessage());
        }
        if (Hashes.hex(md.digest()).equals(chunk)) {
            return Verified.GOOD;
        }
        LOG.warn("this peer's copy of chunk {} is corrupt; replacing it from another holder", chunk);
        try {
            local.delete(chunk);
            data.ensureLocal(chunk, false);
            return Verified.REPAIRED;
        } catch (IOException | RuntimeException e) {
            LOG.warn("chunk {} could not be fetched again after its corrupt copy was dropped: {}", chunk, e.getMessage());
            return Verified.DROPPED;
        }
    }
}
