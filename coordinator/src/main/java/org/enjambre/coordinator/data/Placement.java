package org.enjambre.coordinator.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;

/**
 * Which peers hold a chunk: rendezvous (highest-random-weight) hashing. Each peer scores each chunk with the
 * first 8 bytes of SHA-256(peer id, chunk hash); the {@code r} highest scores hold it. A pure function of the
 * member list: every peer computes the same holders, and a peer leaving or joining moves only the chunks it
 * held or now holds (about r/n of them).
 */
public final class Placement {
    private Placement() {
    }

    /** The {@code r} holders of {@code chunk} among {@code members} (fewer when there are fewer members), best first. */
    public static List<DataPeers.Peer> holders(String chunk, List<DataPeers.Peer> members, int r) {
        return members.stream()
                .sorted(Comparator.comparingLong((DataPeers.Peer p) -> score(p.id(), chunk)).reversed()
                        .thenComparing(DataPeers.Peer::id))
                .limit(r)
                .toList();
    }

    static long score(String peerId, String chunk) {
        MessageDigest md = Hashes.sha256();
        md.update(peerId.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(chunk.getBytes(StandardCharsets.US_ASCII));
        return ByteBuffer.wrap(md.digest()).getLong();
    }
}
