package org.enjambre.coordinator.data;

import java.util.List;

/**
 * The coordinator peers that store chunks, as the data layer sees them: who this peer is, the members now (with
 * their HTTP address), and the secret peers show each other on their data requests. Implemented over the
 * Hazelcast cluster by {@link HazelcastDataPeers}.
 */
public interface DataPeers {
    /**
     * A coordinator peer: its cluster member id, its HTTP base URL, and whether that URL is its {@code --public-url}
     * (only such peers are named to workers: a default URL may be loopback, which on a worker's machine is the
     * worker's own, and the worker would send its token there).
     */
    record Peer(String id, String url, boolean isPublic) {
        /** A peer whose URL is not public. */
        public Peer(String id, String url) {
            this(id, url, false);
        }
    }

    String selfId();

    /** The members now that published their HTTP address, this peer included. */
    List<Peer> members();

    /** The secret every peer of this cluster presents to the others ({@code Authorization: Bearer}). */
    String token();
}
