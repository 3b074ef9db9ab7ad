package org.enjambre.coordinator.workers;

import com.hazelcast.map.IMap;
import org.enjambre.coordinator.cluster.RecordProcessor;
import org.enjambre.coordinator.http.ApiException;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.trust.RateLimiter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registration, authentication and the validated history of workers. A worker's token is
 * {@code workerId.secret}; only the secret's SHA-256 is stored.
 */
public final class WorkerService {
    public static final long ONLINE_MILLIS = 60_000;
    private static final long SEEN_WRITE_MILLIS = 5_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a worker says about itself when it registers. */
    public record Registration(String name, String platform, int cores, long memoryMb, List<String> apps,
                               String account, String host) {
    }

    /** What a worker gets back: its id and its secret token. */
    public record Credentials(String workerId, String token) {
    }

    private final IMap<String, WorkerRecord> workers;
    private final Store store;
    private final Clock clock;
    private final RateLimiter registrations;
    /** Verified tokens, re-read from the cluster after {@link #CACHE_MILLIS} (another peer may blacklist). */
    private final Map<String, Cached> authenticated = new ConcurrentHashMap<>();
    private static final long CACHE_MILLIS = 3_000;

    private record Cached(WorkerRecord worker, long at) {
    }
    private final Map<String, Long> lastSeenWritten = new ConcurrentHashMap<>();

    public WorkerService(IMap<String, WorkerRecord> workers, Store store, Clock clock, RateLimiter registrations) {
        this.workers = workers;
        this.store = store;
        this.clock = clock;
        this.registrations = registrations;
    }

    public Credentials register(Registration r, String from) {
        check(r.name() != null && !r.name().isBlank() && r.name().length() <= 100, "name", "name must be 1 to 100 characters");
        check(r.platform() == null || r.platform().length() <= 100, "platform", "platform must be at most 100 characters");
        check(r.cores() >= 1 && r.cores() <= 4096, "cores", "cores (" + r.cores() + ") must be between 1 and 4096");
        check(r.memoryMb() >= 0 && r.memoryMb() <= 1L << 24, "memoryMb", "memoryMb (" + r.memoryMb() + ") must be between 0 and 16777216");
        check(r.apps() != null && !r.apps().isEmpty() && r.apps().size() <= 64, "apps", "apps must list 1 to 64 app names");
        for (String a : r.apps()) {
            check(a != null && a.matches("[a-z0-9_-]{1,40}"), "apps", "app name '" + a + "' is not valid");
        }
        check(r.account() == null || (r.account().length() <= 100 && !r.account().isBlank()), "account", "account must be 1 to 100 characters");
        check(r.host() == null || (r.host().length() <= 200 && !r.host().isBlank()), "host", "host must be 1 to 200 characters");
        if (!registrations.tryAcquire(from).granted()) {
            throw new ApiException(429, "TOO_MANY_REGISTRATIONS", "too many registrations from " + from + "; try again later");
        }
        String id = "w-" + randomId(10);
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        long now = clock.millis();
        WorkerRecord w = new WorkerRecord(id, sha256(secretText), r.name(), r.platform() == null ? "unknown" : r.platform(),
                r.cores(), r.memoryMb(), r.apps(), r.account(), r.host(), now, now, 0, 0, 0, 0, 0, 0, false, 0, 0, 1);
        store.writeNow(new Store.Batch(List.of(), List.of(w), List.of()));
        workers.set(id, w);
        return new Credentials(id, id + "." + secretText);
    }

    private static void check(boolean ok, String field, String message) {
        if (!ok) {
            throw ApiException.badRequest(message, field);
        }
    }

    /** The worker a bearer token belongs to; 401 when none. */
    public WorkerRecord authenticate(String token) {
        if (token == null || token.isEmpty()) {
            throw new ApiException(401, "UNAUTHENTICATED", "a worker token is required (Authorization: Bearer <token>)");
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot == token.length() - 1) {
            throw new ApiException(401, "UNAUTHENTICATED", "the worker token is not valid; register again");
        }
        String id = token.substring(0, dot);
        String hash = sha256(token.substring(dot + 1));
        Cached cached = authenticated.get(id);
        long now = clock.millis();
        if (cached != null && cached.worker().tokenHash().equals(hash) && now - cached.at() < CACHE_MILLIS) {
            return cached.worker();
        }
        WorkerRecord w = workers.get(id);
        if (w != null && REVOKED.equals(w.tokenHash())) {
            throw new ApiException(401, "REVOKED", "the token of worker " + id
                    + " was revoked (by an administrator, or the worker deregistered); register again for a new one");
        }
        if (w == null || !MessageDigest.isEqual(w.tokenHash().getBytes(StandardCharsets.US_ASCII), hash.getBytes(StandardCharsets.US_ASCII))) {
            throw new ApiException(401, "UNAUTHENTICATED", "the worker token is not valid; register again");
        }
        authenticated.put(id, new Cached(w, now));
        return w;
    }

    /**
     * Revokes a worker's token for good (an administrator's revocation, or the worker deregistering): every
     * later call with it is refused {@code REVOKED}; durable before it returns. Its replicas are the
     * scheduler's to release. Peers that verified the token within the last few seconds may still accept it
     * until their cache entry expires.
     *
     * @throws ApiException 404 when there is no such worker
     */
    public WorkerRecord revoke(String id) {
        WorkerRecord w = id == null || id.length() > 100 ? null : workers.executeOnKey(id, new RecordProcessor<>(new Revoke()));
        if (w == null) {
            throw ApiException.notFound("no worker '" + id + "'");
        }
        store.writeNow(new Store.Batch(List.of(), List.of(w), List.of()));
        authenticated.remove(id);
        return w;
    }

    /** The token hash of a revoked worker: no SHA-256 digest in hex is equal to it. */
    static final String REVOKED = "revoked";

    /** Replaces a worker's token hash by {@link #REVOKED}. A named class: it travels to the record's owner. */
    private record Revoke() implements RecordProcessor.Update<WorkerRecord> {
        @Override
        public WorkerRecord apply(WorkerRecord w) {
            return REVOKED.equals(w.tokenHash()) ? w : new WorkerRecord(w.id(), REVOKED, w.name(), w.platform(), w.cores(),
                    w.memoryMb(), w.apps(), w.account(), w.host(), w.registeredAt(), w.lastSeen(), w.credit(), w.valid(),
                    w.invalid(), w.errors(), w.reportedTasks(), w.consecutiveValid(), w.blacklisted(), w.spotChecksPassed(),
                    w.spotChecksFailed(), w.version() + 1);
        }
    }

    /** A worker called at {@code now}. A named class, not a lambda: it travels to the record's owner. */
    private record Seen(long now) implements RecordProcessor.Update<WorkerRecord> {
        @Override
        public WorkerRecord apply(WorkerRecord w) {
            return w.seen(Math.max(w.lastSeen(), now));
        }
    }

    /** A batch of judged results and errors of a worker. A named class: it travels to the record's owner. */
    private record Plus(WorkerRecord.Stats delta, long now) implements RecordProcessor.Update<WorkerRecord> {
        @Override
        public WorkerRecord apply(WorkerRecord w) {
            return w.plus(delta, now);
        }
    }

    /** Notes that a worker called; writes it at most every few seconds. */
    public void seen(WorkerRecord w) {
        long now = clock.millis();
        Long last = lastSeenWritten.get(w.id());
        if (last == null || now - last >= SEEN_WRITE_MILLIS) {
            lastSeenWritten.put(w.id(), now);
            workers.submitToKey(w.id(), new RecordProcessor<>(new Seen(now)));
        }
    }

    /** Applies history changes; returns the new records, to be written with the batch that caused them. */
    public List<WorkerRecord> apply(Map<String, WorkerRecord.Stats> deltas) {
        long now = clock.millis();
        List<WorkerRecord> out = new ArrayList<>();
        for (Map.Entry<String, WorkerRecord.Stats> e : deltas.entrySet()) {
            WorkerRecord.Stats d = e.getValue();
            WorkerRecord w = workers.executeOnKey(e.getKey(), new RecordProcessor<>(new Plus(d, now)));
            if (w != null) {
                out.add(w);
                authenticated.computeIfPresent(w.id(), (k, v) -> new Cached(w, v.at()));
            }
        }
        return out;
    }

    public List<WorkerRecord> all() {
        return new ArrayList<>(workers.values());
    }

    public boolean online(WorkerRecord w) {
        return clock.millis() - w.lastSeen() <= ONLINE_MILLIS;
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A random lower-case base-32 id of {@code n} characters. */
    public static String randomId(int n) {
        String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
