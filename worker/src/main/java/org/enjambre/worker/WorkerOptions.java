package org.enjambre.worker;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a worker runs. Build one with {@link #builder(String...)}; every value is checked when it is
 * built, and a bad one throws {@link IllegalArgumentException} with a message that names it.
 *
 * @param coordinators       coordinator base URLs (http or https), tried round-robin; at least one
 * @param cores              task threads; default all processors but one, at least 1
 * @param cpuLimitPercent    duty-cycle limit of each task thread, 1 to 100; default 100
 * @param idleOnly           run only while the machine's load from other programs is low
 * @param dataDir            identity, tasks, checkpoints, outbox; default {@code ~/.enjambre/worker}
 * @param name               the name shown on the dashboard; default the host name
 * @param maxMemoryMb        memory bound of an app sandbox (WebAssembly), in MiB; default 256
 * @param account            the volunteer's account, if any
 * @param host               a stable host id for the coordinator's one-replica-per-host rule; none
 *                           by default, so several workers on one machine may share a unit
 * @param fetchWait          how long a fetch long-polls when no work is ready; 0 to 30 s, default 20 s
 * @param backoffMin         first wait after every coordinator failed; default 1 s
 * @param backoffMax         longest wait; default 60 s
 * @param checkpointInterval least time between two checkpoints of a task; default 10 s
 * @param sabotage           TEST ONLY, see {@link Sabotage}; default none
 * @param bufferMin          fetch more work when less than this is held per core (by estimated run
 *                           times); default 60 s (BOINC's {@code work_buf_min})
 * @param bufferMax          fetch up to this much work per core; default 120 s, at least {@code bufferMin}
 * @param reportDelay        longest a finished result waits for others to share its report; 0 to 10 s,
 *                           default 100 ms
 * @param cacheMb            disk cache of input-file chunks, in MiB, least recently used evicted; default 1024
 * @param sharing            LAN sharing of the chunk cache ({@code --share-cache}); off by default
 *
 * <p>Size (~350 lines): every worker option with its range check and its message, in one record so that the CLI,
 * the config file and the tests validate the same way.
 */
public record WorkerOptions(List<URI> coordinators, int cores, int cpuLimitPercent, boolean idleOnly, Path dataDir,
                            String name, int maxMemoryMb, Optional<String> account, Optional<String> host,
                            Duration fetchWait, Duration backoffMin, Duration backoffMax, Duration checkpointInterval,
                            Sabotage sabotage, Duration bufferMin, Duration bufferMax, Duration reportDelay, int cacheMb,
                            Sharing sharing) {
    static final Duration MAX_FETCH_WAIT = Duration.ofSeconds(30);
    /** Most tasks asked for in one fetch (the coordinator's limit). */
    static final int MAX_FETCH = 256;
    /** Most tasks held at once (queued or running), whatever their estimates. */
    static final int MAX_HELD = 1024;
    static final Duration MAX_BUFFER = Duration.ofDays(7);
    static final Duration MAX_REPORT_DELAY = Duration.ofSeconds(10);
    static final int MAX_CORES = 4096;
    static final int MIN_MEMORY_MB = 16;
    static final int MIN_CACHE_MB = 64;
    static final int MAX_NAME_LENGTH = 64;

    /**
     * LAN sharing: whether this worker serves its cached chunks to other workers, on which address and port (0: a
     * free one), at most {@code maxTransfers} at once.
     */
    public record Sharing(boolean enabled, String host, int port, int maxTransfers) {
        /** Sharing off. */
        public static final Sharing OFF = new Sharing(false, "0.0.0.0", 0, 16);

        public Sharing {
            Objects.requireNonNull(host, "host");
            if (host.isBlank() || host.length() > 255 || !host.matches("[0-9A-Za-z.:_-]+")) {
                throw new IllegalArgumentException("--share-host must be an address or host name to bind, got '" + host + "'");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--share-port must be between 0 and 65535, got " + port);
            }
            if (maxTransfers < 1 || maxTransfers > 1024) {
                throw new IllegalArgumentException("--share-max-transfers must be between 1 and 1024, got " + maxTransfers);
            }
        }
    }

    public WorkerOptions {
        Objects.requireNonNull(sharing, "sharing");
        Objects.requireNonNull(coordinators, "coordinators");
        if (coordinators.isEmpty()) {
            throw new IllegalArgumentException("at least one coordinator URL is needed");
        }
        coordinators = List.copyOf(coordinators);
        for (URI url : coordinators) {
            checkUrl(url);
        }
        if (cores < 1 || cores > MAX_CORES) {
            throw new IllegalArgumentException("cores must be between 1 and " + MAX_CORES + ", got " + cores);
        }
        if (cpuLimitPercent < 1 || cpuLimitPercent > 100) {
            throw new IllegalArgumentException("cpu limit must be between 1 and 100 percent, got " + cpuLimitPercent);
        }
        Objects.requireNonNull(dataDir, "dataDir");
        if (dataDir.toString().isBlank()) {
            throw new IllegalArgumentException("data directory must not be empty");
        }
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new IllegalArgumentException("data directory " + dataDir + " is a file, not a directory");
        }
        checkText("name", name);
        if (maxMemoryMb < MIN_MEMORY_MB) {
            throw new IllegalArgumentException("max memory must be at least " + MIN_MEMORY_MB + " MB, got " + maxMemoryMb);
        }
        Objects.requireNonNull(account, "account");
        account.ifPresent(a -> checkText("account", a));
        Objects.requireNonNull(host, "host");
        host.ifPresent(h -> checkText("host", h));
        Objects.requireNonNull(fetchWait, "fetchWait");
        if (fetchWait.isNegative() || fetchWait.compareTo(MAX_FETCH_WAIT) > 0) {
            throw new IllegalArgumentException("fetch wait must be between 0 and 30 seconds, got " + seconds(fetchWait));
        }
        Objects.requireNonNull(backoffMin, "backoffMin");
        Objects.requireNonNull(backoffMax, "backoffMax");
        if (backoffMin.isNegative() || backoffMin.isZero()) {
            throw new IllegalArgumentException("backoff minimum must be positive, got " + seconds(backoffMin));
        }
        if (backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("backoff maximum (" + seconds(backoffMax) + ") must not be below the minimum ("
                    + seconds(backoffMin) + ")");
        }
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        if (checkpointInterval.isNegative()) {
            throw new IllegalArgumentException("checkpoint interval must not be negative, got " + seconds(checkpointInterval));
        }
        Objects.requireNonNull(sabotage, "sabotage");
        Objects.requireNonNull(bufferMin, "bufferMin");
        Objects.requireNonNull(bufferMax, "bufferMax");
        if (bufferMin.isNegative() || bufferMin.compareTo(MAX_BUFFER) > 0) {
            throw new IllegalArgumentException("buffer minimum must be between 0 and 7 days, got " + seconds(bufferMin));
        }
        if (bufferMax.compareTo(bufferMin) < 0 || bufferMax.isZero() || bufferMax.compareTo(MAX_BUFFER) > 0) {
            throw new IllegalArgumentException("buffer maximum (" + seconds(bufferMax) + ") must be positive, at most 7 days,"
                    + " and not below the minimum (" + seconds(bufferMin) + ")");
        }
        Objects.requireNonNull(reportDelay, "reportDelay");
        if (cacheMb < MIN_CACHE_MB) {
            throw new IllegalArgumentException("the file cache must be at least " + MIN_CACHE_MB + " MB (one chunk and more), got " + cacheMb);
        }
        if (reportDelay.isNegative() || reportDelay.compareTo(MAX_REPORT_DELAY) > 0) {
            throw new IllegalArgumentException("report delay must be between 0 and 10 seconds, got " + seconds(reportDelay));
        }
    }

    /**
     * Parses {@code --buffer-seconds}: {@code MIN} (the maximum is twice that) or {@code MIN:MAX}, in
     * seconds; returns {min, max}. Throws {@link IllegalArgumentException} saying what is wrong.
     */
    public static Duration[] parseBuffer(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split(":", -1);
        if (parts.length < 1 || parts.length > 2) {
            throw new IllegalArgumentException("buffer seconds must be MIN or MIN:MAX, got '" + text + "'");
        }
        try {
            Duration min = Duration.ofMillis(Math.round(Double.parseDouble(parts[0]) * 1000));
            Duration max = parts.length == 2 ? Duration.ofMillis(Math.round(Double.parseDouble(parts[1]) * 1000)) : min.multipliedBy(2);
            return new Duration[] {min, max};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("buffer seconds must be MIN or MIN:MAX in seconds, got '" + text + "'");
        }
    }

    /** A builder with every default, for the coordinators at {@code urls}. */
    public static Builder builder(String... urls) {
        return new Builder().coordinators(List.of(urls));
    }

    /** Parses and checks one coordinator URL, e.g. {@code http://127.0.0.1:8080}. */
    public static URI parseUrl(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a coordinator URL is empty");
        }
        URI url;
        try {
            url = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("coordinator URL '" + text + "' is not a valid URL: " + e.getReason());
        }
        checkUrl(url);
        return url;
    }

    /** The default number of task threads: all processors but one, at least 1. */
    public static int defaultCores() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    }

    /** The default data directory, {@code ~/.enjambre/worker}. */
    public static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".enjambre", "worker");
    }

    /**
     * The default worker name: the host name from the environment or {@code /etc/hostname}, without a
     * network lookup; {@code worker} when there is none.
     */
    public static String defaultName() {
        for (String variable : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String value = System.getenv(variable);
            if (value != null && isPrintable(value.trim()) && !value.isBlank()) {
                return truncate(value.trim());
            }
        }
        try {
            String value = Files.readString(Path.of("/etc/hostname")).trim();
            if (!value.isEmpty() && isPrintable(value)) {
                return truncate(value);
            }
        } catch (Exception e) {
            // no /etc/hostname: not Linux, or not readable
        }
        return "worker";
    }

    private static void checkUrl(URI url) {
        Objects.requireNonNull(url, "coordinator URL");
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("coordinator URL '" + url + "' must start with http:// or https://");
        }
        if (url.getHost() == null || url.getHost().isBlank()) {
            throw new IllegalArgumentException("coordinator URL '" + url + "' has no host");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("coordinator URL '" + url + "' must not have a query or fragment");
        }
    }

    private static void checkText(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        if (value.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(what + " must be at most " + MAX_NAME_LENGTH + " characters, got " + value.length());
        }
        if (!isPrintable(value)) {
            throw new IllegalArgumentException(what + " must not contain control characters");
        }
    }

    private static boolean isPrintable(String value) {
        return value.chars().noneMatch(Character::isISOControl);
    }

    private static String truncate(String value) {
        return value.length() > MAX_NAME_LENGTH ? value.substring(0, MAX_NAME_LENGTH) : value;
    }

    private static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + " s";
    }

    /** Builds {@link WorkerOptions}; starts from every default. Not thread-safe. */
    public static final class Builder {
        private List<URI> coordinators = List.of();
        private int cores = defaultCores();
        private int cpuLimitPercent = 100;
        private boolean idleOnly;
        private Path dataDir = defaultDataDir();
        private String name;
        private int maxMemoryMb = 256;
        private String account;
        private String host;
        private Duration fetchWait = Duration.ofSeconds(20);
        private Duration backoffMin = Duration.ofSeconds(1);
        private Duration backoffMax = Duration.ofSeconds(60);
        private Duration checkpointInterval = Duration.ofSeconds(10);
        private Sabotage sabotage = Sabotage.NONE;
        private Duration bufferMin = Duration.ofSeconds(60);
        private Duration bufferMax = Duration.ofSeconds(120);
        private Duration reportDelay = Duration.ofMillis(100);
        private int cacheMb = 1024;
        private Sharing sharing = Sharing.OFF;

        private Builder() {
        }

        /** The coordinator URLs, each checked with {@link #parseUrl}. */
        public Builder coordinators(List<String> urls) {
            List<URI> parsed = new ArrayList<>();
            for (String url : urls) {
                parsed.add(parseUrl(url));
            }
            this.coordinators = parsed;
            return this;
        }

        public Builder cores(int cores) {
            this.cores = cores;
            return this;
        }

        public Builder cpuLimitPercent(int percent) {
            this.cpuLimitPercent = percent;
            return this;
        }

        public Builder idleOnly(boolean idleOnly) {
            this.idleOnly = idleOnly;
            return this;
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder maxMemoryMb(int megabytes) {
            this.maxMemoryMb = megabytes;
            return this;
        }

        public Builder account(String account) {
            this.account = account;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder fetchWait(Duration wait) {
            this.fetchWait = wait;
            return this;
        }

        public Builder backoff(Duration min, Duration max) {
            this.backoffMin = min;
            this.backoffMax = max;
            return this;
        }

        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = interval;
            return this;
        }

        /** The work buffer: fetch when less than {@code min} of work per core is held, up to {@code max}. */
        public Builder buffer(Duration min, Duration max) {
            this.bufferMin = min;
            this.bufferMax = max;
            return this;
        }

        public Builder reportDelay(Duration delay) {
            this.reportDelay = delay;
            return this;
        }

        /** The disk cache of input-file chunks, in MiB. */
        public Builder cacheMb(int megabytes) {
            this.cacheMb = megabytes;
            return this;
        }

        /** LAN sharing of the chunk cache ({@link Sharing}). */
        public Builder sharing(Sharing sharing) {
            this.sharing = sharing;
            return this;
        }

        /** TEST ONLY: see {@link Sabotage}. */
        public Builder sabotage(Sabotage sabotage) {
            this.sabotage = sabotage;
            return this;
        }

        public WorkerOptions build() {
            return new WorkerOptions(coordinators, cores, cpuLimitPercent, idleOnly, dataDir,
                    name == null ? defaultName() : name, maxMemoryMb, Optional.ofNullable(account), Optional.ofNullable(host),
                    fetchWait, backoffMin, backoffMax, checkpointInterval, sabotage, bufferMin, bufferMax, reportDelay, cacheMb, sharing);
        }
    }
}
