package org.enjambre.worker.store;

import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Who this worker is to its coordinators: the id and token from registration, and the coordinator
 * URLs it registered with (the protocol has no cluster id, so the URLs stand for the cluster).
 */
public record Identity(String workerId, String token, List<String> coordinators, String name, long registeredAtMillis) {
    public Identity {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(token, "token");
        coordinators = coordinators == null ? List.of() : List.copyOf(coordinators);
    }

    /** Whether this identity was issued by the cluster behind {@code urls}: they share at least one URL. */
    public boolean issuedBy(Collection<URI> urls) {
        return urls.stream().map(Identity::normalize).anyMatch(u -> coordinators.stream().map(Identity::normalize).anyMatch(u::equals));
    }

    private static String normalize(Object url) {
        String s = url.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
