package org.enjambre.worker.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where to fetch a file's chunks, as its manifest's {@code sources} names them (README, "Data files"): workers that
 * share their cache ({@code sharers}, asked without the worker's token: they are untrusted), the chunk's holders
 * among the coordinator peers that set a public URL ({@code peers}, {@code holders[i]}), then this worker's own
 * {@code --coordinator} URLs. Chunk {@code i} asks sharer {@code i mod s} first (so one file's chunks spread over
 * the sharers), then the other sharers, its holders best first, then coordinator {@code i mod n} and the rest; a
 * URL is asked once. Every chunk is verified whatever its source.
 */
public record Sources(List<URI> sharers, List<URI> peers, List<List<Integer>> holders) {
    /** No sources but the coordinators. */
    public static final Sources NONE = new Sources(List.of(), List.of(), List.of());
    /** Sharers and peers taken from one manifest, at most. */
    static final int MAX_NAMED = 64;

    /** Who a source is: a sharing worker (no token sent), a coordinator peer named by a manifest, or a --coordinator URL. */
    public enum Kind {
        SHARER, PEER, COORDINATOR;

        /** Whether requests to it carry the worker's token. */
        boolean trusted() {
            return this != SHARER;
        }
    }

    /** A place to ask for a chunk. */
    public record Source(URI base, Kind kind) {
    }

    public Sources {
        sharers = List.copyOf(sharers);
        peers = List.copyOf(peers);
        holders = List.copyOf(holders);
    }

    /** The sources a manifest names ({@link #NONE} when it names none or names them wrongly: they are only hints). */
    static Sources parse(JsonNode n) {
        if (n == null || !n.isObject()) {
            return NONE;
        }
        List<URI> sharers = urls(n.path("sharers"));
        List<URI> peers = urls(n.path("peers"));
        List<List<Integer>> holders = new ArrayList<>();
        for (JsonNode h : n.path("holders")) {
            List<Integer> mine = new ArrayList<>();
            for (JsonNode i : h) {
                if (i.canConvertToInt() && i.intValue() >= 0 && i.intValue() < peers.size()) {
                    mine.add(i.intValue());
                }
            }
            holders.add(mine);
        }
        return new Sources(sharers, peers, holders);
    }

    private static List<URI> urls(JsonNode arr) {
        List<URI> out = new ArrayList<>();
        for (JsonNode u : arr) {
            if (out.size() >= MAX_NAMED) {
                break;
            }
            try {
                URI uri = new URI(u.asText());
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                        && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getUserInfo() == null) {
                    out.add(uri);
                }
            } catch (java.net.URISyntaxException e) {
                // a hint that is not a URL is skipped
            }
        }
        return out;
    }

    /** The sources of chunk {@code index} in the order to ask them, ending with {@code coordinators}. */
    public List<Source> order(int index, List<URI> coordinators) {
        Map<String, Source> out = new LinkedHashMap<>();
        int s = sharers.size();
        for (int k = 0; k < s; k++) {
            URI u = sharers.get(Math.floorMod(index + k, s));
            out.putIfAbsent(key(u), new Source(u, Kind.SHARER));
        }
        if (index >= 0 && index < holders.size()) {
            for (int p : holders.get(index)) {
                out.putIfAbsent(key(peers.get(p)), new Source(peers.get(p), Kind.PEER));
            }
        }
        int n = coordinators.size();
        for (int k = 0; k < n; k++) {
            URI u = coordinators.get(Math.floorMod(index + k, n));
            out.putIfAbsent(key(u), new Source(u, Kind.COORDINATOR));
        }
        return List.copyOf(out.values());
    }

    private static String key(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
