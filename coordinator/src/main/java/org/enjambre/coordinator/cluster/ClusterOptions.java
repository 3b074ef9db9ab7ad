package org.enjambre.coordinator.cluster;

import java.util.List;
import java.util.Objects;

/**
 * How a coordinator peer joins its cluster.
 *
 * @param clusterName  peers with another name never join this cluster
 * @param secret       a shared secret mixed into the cluster identity; {@code null} for none
 * @param host         the address the member binds to and announces
 * @param port         the member port (Hazelcast's default is 5701)
 * @param members      seed addresses {@code HOST:PORT} of peers to join (TCP-IP join); empty for a lone peer
 * @param multicast    discover peers by multicast on the LAN instead of seeds
 * @param backupCount  synchronous backups of every partition (1: losing any one peer loses nothing)
 */
public record ClusterOptions(String clusterName, String secret, String host, int port, List<String> members,
                             boolean multicast, int backupCount) {
    public ClusterOptions {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(host, "host");
        members = List.copyOf(members);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("cluster port " + port + " is not between 1 and 65535");
        }
        if (backupCount < 0 || backupCount > 6) {
            throw new IllegalArgumentException("backup count " + backupCount + " is not between 0 and 6");
        }
    }

    /** A lone peer on loopback. */
    public static ClusterOptions local(int port) {
        return new ClusterOptions("enjambre", null, "127.0.0.1", port, List.of(), false, 1);
    }
}
