package org.enjambre.coordinator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * This peer's metrics, in Prometheus text format at {@code /metrics}. Names follow Prometheus
 * conventions: {@code enjambre_..._total} counters, {@code _seconds} timers, base units.
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter issued;
    private final Counter reported;
    private final Counter refused;
    private final Counter valid;
    private final Counter invalid;
    private final Counter disagreements;
    private final Counter expired;
    private final Counter replicasAdded;
    private final Counter spotChecksFailed;
    private final Counter localityHits;
    /** One timer per (route, method, status); routes are the router's patterns, so the map stays small. */
    private final java.util.Map<HttpKey, Timer> httpTimers = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.List<Supplier<Number>> counted = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Metrics() {
        issued = Counter.builder("enjambre.tasks.issued").description("Task replicas sent to workers").register(registry);
        reported = Counter.builder("enjambre.tasks.reported").description("Task results accepted from workers").register(registry);
        refused = Counter.builder("enjambre.tasks.refused").description("Task results refused (not yours, conflicts, unknown)").register(registry);
        valid = Counter.builder("enjambre.tasks.validated").tag("result", "valid").description("Results judged against a quorum").register(registry);
        invalid = Counter.builder("enjambre.tasks.validated").tag("result", "invalid").description("Results judged against a quorum").register(registry);
        disagreements = Counter.builder("enjambre.validation.disagreements").description("Results that disagreed with the canonical result").register(registry);
        expired = Counter.builder("enjambre.tasks.expired").description("Replicas that got no reply by their deadline").register(registry);
        spotChecksFailed = Counter.builder("enjambre.spotchecks.failed").description("Known-answer tasks answered wrongly (the worker is blacklisted)").register(registry);
        localityHits = Counter.builder("enjambre.locality.hits").description("Tasks issued because their worker caches the unit's input files (locality scheduling)").register(registry);
        replicasAdded = Counter.builder("enjambre.replicas.added").description("Extra replicas created after errors or disagreement").register(registry);
    }

    public void issued(int n) {
        issued.increment(n);
    }

    public void reported(int accepted, int rejected) {
        reported.increment(accepted);
        refused.increment(rejected);
    }

    public void validated(boolean isValid) {
        (isValid ? valid : invalid).increment();
    }

    public void disagreement() {
        disagreements.increment();
    }

    public void expired(int n) {
        expired.increment(n);
    }

    public void spotCheckFailed() {
        spotChecksFailed.increment();
    }

    public void localityHits(int n) {
        localityHits.increment(n);
    }

    public void replicasAdded(int n) {
        replicasAdded.increment(n);
    }

    /** Total results accepted so far on this peer. */
    public double reportedTotal() {
        return reported.count();
    }

    /** A gauge read when scraped, e.g. units by state. */
    public void gauge(String name, String description, String tagKey, String tagValue, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).tag(tagKey, tagValue).register(registry);
    }

    /** A counter kept elsewhere and read when scraped, e.g. the store's failed writes. */
    public void counter(String name, String description, String tagKey, String tagValue, Supplier<Number> value) {
        counted.add(value); // Micrometer holds a function counter's object weakly
        io.micrometer.core.instrument.FunctionCounter.builder(name, value, v -> v.get().doubleValue())
                .description(description).tag(tagKey, tagValue).register(registry);
    }

    /**
     * Records one HTTP request's duration. Runs on event loops for every request: the timer of each (route, method,
     * status) is looked up in a map instead of being built and registered per request (that was ~3.8 KB of garbage
     * per request, a tenth of a long-poll's).
     */
    public void http(String route, String method, int status, long nanos) {
        httpTimers.computeIfAbsent(new HttpKey(route, method, status), k -> Timer.builder("enjambre.http.requests")
                .description("HTTP requests served").tag("route", k.route()).tag("method", k.method())
                .tag("status", Integer.toString(k.status())).register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The tags of one HTTP request timer. */
    private record HttpKey(String route, String method, int status) {
    }

    /**
     * Keeps, for requests on {@code route}, cumulative counts at each bound (exposed as Prometheus buckets), read with
     * {@link #httpAtMost}; only requests recorded after this call are counted (the bench's long-poll probe uses it).
     */
    public void bucketed(String route, Duration... bounds) {
        registry.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
            @Override
            public io.micrometer.core.instrument.distribution.DistributionStatisticConfig configure(
                    io.micrometer.core.instrument.Meter.Id id, io.micrometer.core.instrument.distribution.DistributionStatisticConfig c) {
                if (!id.getName().equals("enjambre.http.requests") || !route.equals(id.getTag("route"))) {
                    return c;
                }
                return io.micrometer.core.instrument.distribution.DistributionStatisticConfig.builder()
                        .serviceLevelObjectives(java.util.Arrays.stream(bounds).mapToDouble(Duration::toNanos).toArray())
                        .build().merge(c);
            }
        });
    }

    /** Requests on {@code route} so far (all statuses) that took at most {@code bound}, one of {@link #bucketed}'s. */
    public long httpAtMost(String route, Duration bound) {
        long n = 0;
        for (Timer t : registry.find("enjambre.http.requests").tag("route", route).timers()) {
            for (io.micrometer.core.instrument.distribution.CountAtBucket b : t.takeSnapshot().histogramCounts()) {
                if (Math.abs(b.bucket() - bound.toNanos()) < 1) {
                    n += (long) b.count();
                }
            }
        }
        return n;
    }

    /** Requests served on {@code route} so far, and the mean and longest time they took, in seconds (all statuses). */
    public double[] httpSummary(String route) {
        long count = 0;
        double total = 0;
        double max = 0;
        for (Timer t : registry.find("enjambre.http.requests").tag("route", route).timers()) {
            count += t.count();
            total += t.totalTime(java.util.concurrent.TimeUnit.SECONDS);
            max = Math.max(max, t.max(java.util.concurrent.TimeUnit.SECONDS));
        }
        return new double[]{count, count == 0 ? 0 : total / count, max};
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
