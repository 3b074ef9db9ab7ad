package org.enjambre.coordinator.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Deletes this peer's surplus chunk copies (README, *Data files*): a chunk it stores but that is not its to hold —
 * this peer is not one of the chunk's {@code replicas} placement holders among the current members — once every one
 * of those holders confirms it has the chunk ({@code chunks/present}). Such copies come from uploads received by a
 * non-holder, chunks fetched to serve a reader, and a peer that returns after its chunks were re-replicated.
 * <p>Invariants: a copy is deleted only when there are {@code replicas} holders besides this peer and each said it
 * has the chunk in this pass (an unreachable holder confirms nothing); never a chunk {@code busy} says is in use.
 * The caller runs it only in a stable membership (see {@link DataService#dropSurplus}). Blocking: its own thread.
 */
final class Surplus {
    private static final Logger LOG = LoggerFactory.getLogger(Surplus.class);
    private static final int BATCH = 10_000;

    private final ChunkStore local;
    private final DataPeers peers;
    private final PeerTransfer transfer;
    private final int replicas;
    private final Predicate<String> busy;

    Surplus(ChunkStore local, DataPeers peers, PeerTransfer transfer, int replicas, Predicate<String> busy) {
        this.local = local;
        this.peers = peers;
        this.transfer = transfer;
        this.replicas = replicas;
        this.busy = busy;
    }

    /** One pass; returns the copies deleted. */
    int run() throws IOException {
        List<DataPeers.Peer> members = peers.members();
        if (members.size() <= replicas) {
            return 0; // every member holds every chunk
        }
        Map<String, List<DataPeers.Peer>> surplus = new LinkedHashMap<>();
        Map<DataPeers.Peer, List<String>> ask = new HashMap<>();
        for (String c : local.list()) {
            List<DataPeers.Peer> holders = Placement.holders(c, members, replicas);
            if (holders.stream().noneMatch(h -> h.id().equals(peers.selfId())) && !busy.test(c)) {
                surplus.put(c, holders);
                holders.forEach(h -> ask.computeIfAbsent(h, k -> new ArrayList<>()).add(c));
            }
        }
        Map<DataPeers.Peer, Set<String>> confirmed = new HashMap<>();
        ask.forEach((holder, chunks) -> confirmed.put(holder, present(holder, chunks)));
        int deleted = 0;
        for (Map.Entry<String, List<DataPeers.Peer>> e : surplus.entrySet()) {
            String c = e.getKey();
            if (e.getValue().stream().allMatch(h -> confirmed.get(h).contains(c)) && !busy.test(c) && local.delete(c)) {
                deleted++;
            }
        }
        if (deleted > 0) {
            LOG.info("deleted {} surplus chunk cop{} (every placement holder has them)", deleted, deleted == 1 ? "y" : "ies");
        }
        return deleted;
    }

    /** Which of {@code chunks} the holder says it stores; none when it cannot be asked. */
    private Set<String> present(DataPeers.Peer holder, List<String> chunks) {
        Set<String> there = new HashSet<>();
        try {
            for (int from = 0; from < chunks.size(); from += BATCH) {
                there.addAll(transfer.present(holder, chunks.subList(from, Math.min(chunks.size(), from + BATCH))));
            }
        } catch (UncheckedIOException e) {
            LOG.debug("peer {} could not confirm its chunks; keeping the copies: {}", holder.url(), e.getMessage());
            return Set.of();
        }
        return there;
    }
}
