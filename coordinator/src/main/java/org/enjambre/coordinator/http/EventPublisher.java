package org.enjambre.coordinator.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.cluster.PeerQueries;
import org.enjambre.coordinator.cluster.PeerQuestion;
import org.enjambre.coordinator.jobs.CountsOf;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.jobs.JobService;
import org.enjambre.coordinator.store.Json;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.coordinator.workers.WorkerService;
import org.enjambre.workunits.model.JobState;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * What the dashboard's event stream carries: job, worker and stats frames when they changed ({@link #publish},
 * called by one timer thread, four times a second) and the first frames of a new stream ({@link #snapshot}). One
 * {@link PeerQuestion.CountJobs} per tick counts every running job on every peer; stats ask every peer once a second.
 * Not thread-safe: {@link #publish} must not run concurrently with itself.
 */
public final class EventPublisher {
    /** Stats frames at most this often. */
    private static final long STATS_MILLIS = 1000;

    private final JobService jobs;
    private final WorkerService workers;
    private final Events events;
    private final PeerQueries peers;
    private final IntSupplier peerCount;
    private final Clock clock;
    /** Last JSON (or worker version) sent per job / worker key; {@code job:<id>:final} once a finished job was sent. */
    private final Map<String, String> lastPublished = new HashMap<>();
    private double lastReported;
    private long lastStatsAt;

    public EventPublisher(JobService jobs, WorkerService workers, Events events, PeerQueries peers, IntSupplier peerCount,
                          Clock clock) {
        this.jobs = jobs;
        this.workers = workers;
        this.events = events;
        this.peers = peers;
        this.peerCount = peerCount;
        this.clock = clock;
    }

    /** Pushes job, worker and stats changes to subscribers; nothing when nobody listens. */
    public void publish() {
        if (!events.hasSubscribers()) {
            return;
        }
        long now = clock.millis();
        List<JobRecord> changing = new ArrayList<>();
        for (JobRecord j : jobs.list()) {
            if (!(j.state().terminal() && lastPublished.containsKey("job:" + j.id() + ":final"))) {
                changing.add(j);
            }
        }
        CountsOf counts = jobs.countsOf(changing);
        for (JobRecord j : changing) {
            String key = "job:" + j.id();
            String json = Json.write(Views.job(j, counts, now));
            if (!json.equals(lastPublished.get(key))) {
                lastPublished.put(key, json);
                events.publish("job", json);
            }
            if (j.state().terminal()) {
                lastPublished.put(key + ":final", "");
            }
        }
        for (WorkerRecord w : workers.all()) {
            String key = "worker:" + w.id();
            String version = w.version() + ":" + workers.online(w);
            if (!version.equals(lastPublished.get(key))) {
                lastPublished.put(key, version);
                events.publish("worker", Json.write(Views.worker(workers, w, now)));
            }
        }
        if (now - lastStatsAt >= STATS_MILLIS) {
            events.publish("stats", Json.write(stats(now)));
        }
    }

    private ObjectNode stats(long now) {
        double reported = 0;
        for (PeerQuestion.PeerStatus p : peers.askAll(new PeerQuestion.Describe())) {
            reported += p.tasksReported();
        }
        double seconds = lastStatsAt == 0 ? 1 : Math.max(0.001, (now - lastStatsAt) / 1000.0);
        double rate = lastStatsAt == 0 ? 0 : Math.max(0, (reported - lastReported) / seconds);
        lastReported = reported;
        lastStatsAt = now;
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("time", Instant.ofEpochMilli(now).toString());
        n.put("tasksPerSecond", Math.round(rate * 10) / 10.0);
        n.put("workersOnline", workers.all().stream().filter(workers::online).count());
        ObjectNode byState = n.putObject("jobsByState");
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobRecord j : jobs.list()) {
            counts.merge(j.state(), 1L, Long::sum);
        }
        for (JobState s : JobState.values()) {
            byState.put(s.name(), counts.getOrDefault(s, 0L));
        }
        n.put("peers", peerCount.getAsInt());
        return n;
    }

    /** The initial frames of a new event stream: every job and worker as they are now. Thread-safe. */
    public String snapshot() {
        long now = clock.millis();
        StringBuilder b = new StringBuilder();
        List<JobRecord> all = jobs.list();
        CountsOf counts = jobs.countsOf(all);
        for (JobRecord j : all) {
            b.append(Events.frame("job", Json.write(Views.job(j, counts, now))));
        }
        for (WorkerRecord w : workers.all()) {
            b.append(Events.frame("worker", Json.write(Views.worker(workers, w, now))));
        }
        return b.toString();
    }
}
