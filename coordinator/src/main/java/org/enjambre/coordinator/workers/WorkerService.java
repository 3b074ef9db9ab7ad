package org.enjambre.coordinator.workers;

import org.enjambre.coordinator.model.WorkerRecord;
import com.hazelcast.map.IMap;
import org.enjambre.coordinator.cluster.RecordProcessor;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.errors.NotFoundException;
import org.enjambre.coordinator.errors.RateLimitedException;
import org.enjambre.coordinator.errors.UnauthenticatedException;
import org.enjambre.coordinator.store.Store;
import org.enjambre.workunits.text.Printable;
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
import java.util.regex.Pattern;

/**
 * Registration, authentication and the validated history of workers. A worker's token is
 * {@code workerId.secret}; only the secret's SHA-256 is stored.
 *
 * <p>Every method may block on the cluster or the store: call them off event loops.
 *
 * <p>Size (~300 lines): registration, authentication with its token cache, revocation and the stats updates share
 * the workers map and the cache's invariants.
 */
public final class WorkerService {
    public static final long ONLINE_MILLIS = 60_000;
    /** Range of a registration's {@code cores}. */
    public static final int MAX_CORES = 4096;
    /** Range of a registration's {@code memoryMb}. */
    public static final long MAX_MEMORY_MB = 1L << 24;
    private static final long SEEN_WRITE_MILLIS = 5_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
    /** The shape of every worker id {@link #register} makes; a token naming another shape is refused unread. */
    private static final Pattern WORKER_ID = Pattern.compile("w-[" + ID_ALPHABET + "]{10}");
    private static final String BAD_TOKEN = "the worker token is not valid; register again";

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
    /**
     * How long {@link #known} vouches for a token this peer issued or verified: the identity only (a token changes
     * only by revocation, which removes the entry here; another peer's revocation reaches the caller's
     * {@link #current} re-read within {@link #CACHE_MILLIS}).
     */
    private static final long KNOWN_MILLIS = 60_000;

    private record Cached(WorkerRecord worker, long at) {
    }
    private final Map<String, Long> lastSeenWritten = new ConcurrentHashMap<>();
    private final RecentCallers callers = new RecentCallers(ONLINE_MILLIS);

    private final Visits visits;

    /**
     * @param platforms the cluster's visit history per platform ({@link VisitRecords#PLATFORMS})
     */
    public WorkerService(IMap<String, WorkerRecord> workers, IMap<String, org.enjambre.coordinator.model.VisitStats> platforms,
                         Store store, Clock clock, RateLimiter registrations) {
        this.workers = workers;
        this.store = store;
        this.clock = clock;
        this.registrations = registrations;
        this.visits = new Visits(new VisitRecords(workers, platforms, store, w ->
                authenticated.computeIfPresent(w.id(), (k, v) -> new Cached(w, v.at()))), clock);
    }

    /** The browsers' visits as this peer sees them (issue 18). */
    public Visits visits() {
        return visits;
    }

    /**
     * Admits one registration from a client address, before its body is read: 429 (with the wait) past the
     * per-address rate limit.
     */
    public void admitRegistration(String from) {
        RateLimiter.Permit permit = registrations.tryAcquire(from);
        if (!permit.granted()) {
            long retry = RateLimitedException.seconds(permit.retryAfterMillis());
            throw new RateLimitedException("TOO_MANY_REGISTRATIONS", "too many registrations from " + from
                    + "; retry after " + retry + " s", retry);
        }
    }

    /** Registers a worker (admitted by {@link #admitRegistration} first): durable before this returns. */
    public Credentials register(Registration r) {
        check(r.name() != null && !r.name().isBlank() && r.name().length() <= 100, "name", "name must be 1 to 100 characters");
        check(r.platform() == null || r.platform().length() <= 100, "platform", "platform must be at most 100 characters");
        check(r.cores() >= 1 && r.cores() <= MAX_CORES, "cores", "cores (" + r.cores() + ") must be between 1 and " + MAX_CORES);
        check(r.memoryMb() >= 0 && r.memoryMb() <= MAX_MEMORY_MB, "memoryMb", "memoryMb (" + r.memoryMb() + ") must be between 0 and " + MAX_MEMORY_MB);
        check(r.apps() != null && !r.apps().isEmpty() && r.apps().size() <= 64, "apps", "apps must list 1 to 64 app names");
        for (String a : r.apps()) {
            check(a != null && a.matches("[a-z0-9_-]{1,40}"), "apps", "app name '" + Printable.escape(String.valueOf(a)) + "' is not valid");
        }
        check(r.account() == null || (r.account().length() <= 100 && !r.account().isBlank()), "account", "account must be 1 to 100 characters");
        check(r.host() == null || (r.host().length() <= 200 && !r.host().isBlank()), "host", "host must be 1 to 200 characters");
        printable(r.name(), "name");
        printable(r.platform(), "platform");
        printable(r.account(), "account");
        printable(r.host(), "host");
        String id = "w-" + randomId(10);
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        long now = clock.millis();
        WorkerRecord w = new WorkerRecord(id, sha256(secretText), r.name(), r.platform() == null ? "unknown" : r.platform(),
                r.cores(), r.memoryMb(), r.apps(), r.account(), r.host(), now, now, 0, 0, 0, 0, 0, 0, false, 0, 0, 1);
        store.writeNow(new Store.Batch(List.of(), List.of(w), List.of()));
        workers.set(id, w);
        authenticated.put(id, new Cached(w, now)); // its first fetches pass the guard on the event loop
        return new Credentials(id, id + "." + secretText);
    }

    private static void check(boolean ok, String field, String message) {
        if (!ok) {
            throw InvalidInputException.of(message, field);
        }
    }

    private static void printable(String value, String field) {
        int at = Printable.firstUnprintable(value);
        check(at < 0, field, field + " must not contain control characters (found U+"
                + String.format("%04X", at < 0 ? 0 : value.codePointAt(at)) + " at position " + at + ")");
    }

    /**
     * The worker a bearer token belongs to; 401 when none. A token whose id part is not of the shape
     * registration makes is refused without any lookup; a well-shaped unknown id costs one keyed lookup
     * (the map's loader probes the store by primary key). Blocks: call off event loops.
     */
    public WorkerRecord authenticate(String token) {
        checkShape(token);
        int dot = token.indexOf('.');
        String id = token.substring(0, dot);
        WorkerRecord known = cached(token);
        if (known != null) {
            return known;
        }
        String hash = sha256(token.substring(dot + 1));
        long now = clock.millis();
        WorkerRecord w = workers.get(id);
        if (w != null && REVOKED.equals(w.tokenHash())) {
            throw new UnauthenticatedException("REVOKED", "the token of worker " + id
                    + " was revoked (by an administrator, or the worker deregistered); register again for a new one");
        }
        if (w == null || !MessageDigest.isEqual(w.tokenHash().getBytes(StandardCharsets.US_ASCII), hash.getBytes(StandardCharsets.US_ASCII))) {
            throw new UnauthenticatedException(BAD_TOKEN);
        }
        authenticated.put(id, new Cached(w, now));
        return w;
    }

    /**
     * Refuses (401) a token that cannot be any worker's: missing, or not {@code workerId.secret} with an id
     * of the shape registration makes. Cheap and local: safe on an event loop.
     */
    public static void checkShape(String token) {
        if (token == null || token.isEmpty()) {
            throw new UnauthenticatedException("a worker token is required (Authorization: Bearer <token>)");
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot == token.length() - 1 || !WORKER_ID.matcher(token.substring(0, dot)).matches()) {
            throw new UnauthenticatedException(BAD_TOKEN);
        }
    }

    /**
     * The worker of a token verified within the last few seconds, without any remote call (safe on an event
     * loop); null when the token is not in this peer's cache, and {@link #authenticate} must decide.
     */
    public WorkerRecord cached(String token) {
        return cached(token, CACHE_MILLIS);
    }

    /**
     * As {@link #cached}, for a token this peer issued or verified within the last minute: its worker is who it says,
     * but the record may be stale (blacklisted or revoked on another peer), so the caller must act on
     * {@link #current} (off the event loop), which re-reads it. Null when {@link #authenticate} must decide.
     */
    public WorkerRecord known(String token) {
        return cached(token, KNOWN_MILLIS);
    }

    private WorkerRecord cached(String token, long maxAge) {
        int dot = token == null ? -1 : token.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        Cached c = authenticated.get(token.substring(0, dot));
        if (c == null || clock.millis() - c.at() >= maxAge) {
            return null;
        }
        byte[] hash = sha256(token.substring(dot + 1)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(c.worker().tokenHash().getBytes(StandardCharsets.US_ASCII), hash) ? c.worker() : null;
    }

    /**
     * The worker's record as this peer knows it now, or null once its token was revoked: the cached record when one
     * was verified within the last few seconds (a blacklisting on this peer updates it at once), else the cluster's.
     * A long-poll holds the record it authenticated with for up to 30 s; it asks again before each attempt, so a
     * worker blacklisted or revoked meanwhile is not issued work that nothing would release. Blocks: off event loops.
     */
    public WorkerRecord current(WorkerRecord w) {
        long at = clock.millis();
        Cached c = authenticated.get(w.id());
        if (c != null && at - c.at() < CACHE_MILLIS) {
            return c.worker();
        }
        WorkerRecord now = workers.get(w.id());
        if (now == null || REVOKED.equals(now.tokenHash())) {
            authenticated.remove(w.id());
            return null;
        }
        authenticated.put(w.id(), new Cached(now, at));
        return now;
    }

    /**
     * Revokes a worker's token for good (an administrator's revocation, or the worker deregistering): every
     * later call with it is refused {@code REVOKED}; durable before it returns. Its replicas are the
     * scheduler's to release. Peers that verified the token within the last few seconds may still accept it
     * until their cache entry expires.
     *
     * @throws NotFoundException when there is no such worker
     */
    public WorkerRecord revoke(String id) {
        WorkerRecord w = id == null || id.length() > 100 ? null : workers.executeOnKey(id, new RecordProcessor<>(new Revoke()));
        if (w == null) {
            throw new NotFoundException("no worker '" + id + "'");
        }
        store.writeNow(new Store.Batch(List.of(), List.of(w), List.of()));
        authenticated.remove(id);
        return w;
    }

    /** Whether worker {@code id} may get no work: blacklisted, revoked, or unknown. */
    public boolean barred(String id) {
        WorkerRecord w = workers.get(id);
        return w == null || w.blacklisted() || REVOKED.equals(w.tokenHash());
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
                    w.spotChecksFailed(), w.version() + 1, w.visit());
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
        callers.called(w.id(), now);
        Long last = lastSeenWritten.get(w.id());
        if (last == null || now - last >= SEEN_WRITE_MILLIS) {
            lastSeenWritten.put(w.id(), now);
            workers.submitToKey(w.id(), new RecordProcessor<>(new Seen(now)));
        }
    }

    /**
     * Forgets the cached tokens and last-seen writes of workers that have not called for a minute (the coordinator's
     * one-minute sweep, beside its rate limiters'): both maps gain an entry per worker that ever called this peer, so a
     * long-running peer would otherwise keep one for every volunteer that ever came and left. An entry that old vouches
     * for nothing ({@link #KNOWN_MILLIS}) and writes nothing sooner ({@link #SEEN_WRITE_MILLIS}); a worker that calls
     * again is verified again.
     */
    public void evictIdle() {
        long now = clock.millis();
        authenticated.values().removeIf(c -> now - c.at() >= KNOWN_MILLIS);
        lastSeenWritten.values().removeIf(at -> now - at >= KNOWN_MILLIS);
    }

    /** Tokens this peer holds verified (cached), including stale ones not yet swept; for tests and operators. */
    public int tokensCached() {
        return authenticated.size();
    }

    /**
     * Applies history changes; returns the new records, to be written with the batch that caused them. The changes
     * go out together and are waited for with one park ({@link org.enjambre.coordinator.cluster.Together}): a report
     * batch credits its reporter and the other replicas' workers of every unit it validated (several records, each a
     * cluster operation), and waiting for each in turn cost a thread wake-up per worker on every report (tenth session).
     */
    public List<WorkerRecord> apply(Map<String, WorkerRecord.Stats> deltas) {
        long now = clock.millis();
        List<java.util.concurrent.CompletableFuture<WorkerRecord>> sent = new ArrayList<>(deltas.size());
        for (Map.Entry<String, WorkerRecord.Stats> e : deltas.entrySet()) {
            sent.add(workers.submitToKey(e.getKey(), new RecordProcessor<>(new Plus(e.getValue(), now))).toCompletableFuture());
        }
        org.enjambre.coordinator.cluster.Together.await(sent);
        List<WorkerRecord> out = new ArrayList<>();
        for (java.util.concurrent.CompletableFuture<WorkerRecord> f : sent) {
            WorkerRecord w = joined(f);
            if (w != null) {
                out.add(w);
                authenticated.computeIfPresent(w.id(), (k, v) -> new Cached(w, v.at()));
            }
        }
        return out;
    }

    private static <T> T joined(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Distinct workers whose fetch or report reached this peer in the last minute ({@link #ONLINE_MILLIS}). */
    public long callingHere() {
        return callers.count(clock.millis());
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
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        return b.toString();
    }
}
