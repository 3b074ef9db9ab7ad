package org.enjambre.coordinator.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.ArrayList;

/**
 * Re-replication (README, *Data files*): one pass copies every chunk this peer stores to those of its placement
 * holders, over the current members, that lack it. Run by every peer after a member left or joined (and now and
 * then), it brings chunks back to R copies from the survivors and fills a newly placed or returning peer. Holders
 * are asked in batches ({@code chunks/present}); an unreachable holder is skipped until the next pass. Blocking:
 * run it on its own thread.
 */
public final class Repair {
    private static final Logger LOG = LoggerFactory.getLogger(Repair.class);
    private static final int BATCH = 10_000;

    private final ChunkStore local;
    private final DataPeers peers;
    private final PeerTransfer transfer;
    private final int replicas;

    public Repair(ChunkStore local, DataPeers peers, PeerTransfer transfer, int replicas) {
        this.local = local;
        this.peers = peers;
        this.transfer = transfer;
        this.replicas = replicas;
    }

    /** One pass; returns the copies made. */
    public int run() throws IOException {
        List<DataPeers.Peer> members = peers.members();
        Map<DataPeers.Peer, List<String>> wanted = new LinkedHashMap<>();
        for (String c : local.list()) {
            for (DataPeers.Peer h : Placement.holders(c, members, replicas)) {
                if (!h.id().equals(peers.selfId())) {
                    wanted.computeIfAbsent(h, k -> new ArrayList<>()).add(c);
                }
            }
        }
        int copied = 0;
        for (Map.Entry<DataPeers.Peer, List<String>> e : wanted.entrySet()) {
            copied += copyMissing(e.getKey(), e.getValue());
        }
        if (copied > 0) {
            LOG.info("re-replication copied {} chunk(s) to their holders", copied);
        }
        return copied;
    }

    private int copyMissing(DataPeers.Peer peer, List<String> chunks) {
        int copied = 0;
        for (int from = 0; from < chunks.size(); from += BATCH) {
            List<String> batch = chunks.subList(from, Math.min(chunks.size(), from + BATCH));
            Set<String> there;
            try {
                there = new HashSet<>(transfer.present(peer, batch));
            } catch (UncheckedIOException e) {
                LOG.debug("peer {} is unreachable for re-replication: {}", peer.url(), e.getMessage());
                return copied;
            }
            for (String c : batch) {
                long size = local.size(c).orElse(-1);
                if (!there.contains(c) && size >= 0 && transfer.push(peer, c, size, () -> open(c, size))) {
                    copied++;
                }
            }
        }
        return copied;
    }

    private InputStream open(String sha256, long size) {
        try {
            return local.get(sha256, 0, size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
