package org.enjambre.coordinator.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a worker may fetch a file's chunks besides its {@code --coordinator} URLs, as a manifest names them
 * (README, "Data files"): {@code sharers}, workers sharing their cache that fetched the file (any chunk, asked
 * first), then per chunk its placement holders among the current members that set a {@code --public-url}
 * ({@code holders[i]}: indexes into {@code peers}, best first). Peers without a public URL are never named.
 */
public record Sources(List<String> sharers, List<String> peers, List<List<Integer>> holders) {
    public Sources {
        sharers = List.copyOf(sharers);
        peers = List.copyOf(peers);
        holders = List.copyOf(holders);
    }

    /** Whether there is nothing to name. */
    public boolean none() {
        return sharers.isEmpty() && peers.isEmpty();
    }

    /** The sources of the chunks {@code chunks}: {@code sharers}, and each chunk's public holders among {@code members}. */
    static Sources of(List<String> chunks, List<String> sharers, List<DataPeers.Peer> members, int replicas) {
        List<DataPeers.Peer> open = members.stream().filter(DataPeers.Peer::isPublic).toList();
        if (open.isEmpty()) {
            return new Sources(sharers, List.of(), List.of());
        }
        List<String> peers = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        List<List<Integer>> holders = new ArrayList<>(chunks.size());
        for (String c : chunks) {
            List<Integer> mine = new ArrayList<>(replicas);
            for (DataPeers.Peer p : Placement.holders(c, members, replicas)) {
                if (p.isPublic()) {
                    mine.add(index.computeIfAbsent(p.url(), u -> {
                        peers.add(u);
                        return peers.size() - 1;
                    }));
                }
            }
            holders.add(mine);
        }
        return new Sources(sharers, peers, holders);
    }
}
