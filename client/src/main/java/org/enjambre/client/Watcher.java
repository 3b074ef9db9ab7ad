package org.enjambre.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Following one job to its end: snapshots from the event stream, reconnecting with backoff after a broken or
 * silent connection, and polling {@code GET /api/v1/jobs/{id}} when the stream is not available (refused, not
 * an event stream, or broken {@link #FAILURES_BEFORE_POLLING} times in a row). Polls ride out a coordinator
 * that cannot be reached for up to {@link #OUTAGE} (a restart); once it answers again, the stream is tried again.
 *
 * <p>Every (re)connection starts with a snapshot of every job, so nothing that happened while disconnected is
 * missed; a job silent on a working stream for {@link #RECHECK} is read directly once, in case an event was lost.
 * A stream that works but keeps ending is reconnected to as long as it delivers events.
 * The listener sees each changed snapshot once, in order, ending with the final one. One instance per watch.
 */
final class Watcher {
    static final Duration IDLE = Duration.ofSeconds(15);
    static final int FAILURES_BEFORE_POLLING = 3;
    static final Duration RECHECK = Duration.ofSeconds(30);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** How long polls may find the coordinator unreachable in a row (a restart) before the watch fails. */
    static final Duration OUTAGE = Duration.ofSeconds(60);

    private final Transport transport;
    private final Function<String, Job> read;
    private final Timing timing;
    private final String id;
    private final long deadline;
    private final Consumer<Job> listener;
    private Job last;
    /** When the job was last seen, on the stream or read directly (kept across reconnections). */
    private long checked;
    /** Since when polls have failed in a row; -1 while they succeed. */
    private long outageSince = -1;

    /**
     * @param read    reads the job's snapshot directly
     * @param timeout how long to wait at most, null for no bound
     */
    Watcher(Transport transport, Function<String, Job> read, Timing timing, String id, Duration timeout, Consumer<Job> listener) {
        this.transport = transport;
        this.read = read;
        this.timing = timing;
        this.id = id;
        this.deadline = timeout == null ? Long.MAX_VALUE : saturatedAdd(timing.nanoTime(), timeout.toNanos());
        this.listener = listener;
    }

    /** Follows the job until it ends; its final snapshot. */
    Job run(boolean useEvents, Duration pollInterval) {
        emit(read.apply(id));
        checked = timing.nanoTime();
        boolean streaming = useEvents;
        while (!last.terminal()) {
            if (!streaming) {
                poll(pollInterval);
                continue;
            }
            switch (stream()) {
                case JOB_ENDED -> {
                    return last;
                }
                case NO_STREAM -> streaming = false;
                case FAILING -> streaming = pollThroughOutage(pollInterval, false);
                case UNREACHABLE -> streaming = pollThroughOutage(pollInterval, true);
            }
        }
        return last;
    }

    /** How following the stream ended: the job ended, no stream here, the stream keeps breaking, the peer is down. */
    private enum StreamEnd { JOB_ENDED, NO_STREAM, FAILING, UNREACHABLE }

    /**
     * Polls after the stream failed: until the job ended, or (true) until the coordinator answered again after it
     * could not be reached (it restarted: the stream is worth another try). False when it was reachable all along
     * but its stream does not work from here, so polling goes on.
     *
     * @param outage whether the coordinator could not be reached when the stream was last tried
     */
    private boolean pollThroughOutage(Duration pollInterval, boolean outage) {
        while (!last.terminal()) {
            boolean answered = poll(pollInterval);
            if (!answered) {
                outage = true;
            } else if (outage) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the job once after {@code interval}. A coordinator that cannot be reached (or is busy) is tolerated
     * for {@link #OUTAGE} in a row: false then; past it, the failure is thrown.
     */
    private boolean poll(Duration interval) {
        transport.pause(min(interval, remaining()));
        remaining();
        try {
            emit(read.apply(id));
            outageSince = -1;
            return true;
        } catch (ConnectionFailedException | ServerBusyException e) {
            long now = timing.nanoTime();
            if (outageSince < 0) {
                outageSince = now;
            }
            if (e.code().equals("INTERRUPTED") || now - outageSince >= OUTAGE.toNanos()) {
                throw e;
            }
            return false;
        }
    }

    /** Follows the stream until the job ended, or until the stream is judged unavailable or failing. */
    private StreamEnd stream() {
        int failures = 0;
        boolean unreachable = false;
        Duration backoff = FIRST_BACKOFF;
        while (failures < FAILURES_BEFORE_POLLING) {
            EventStream s;
            try {
                s = transport.events();
                unreachable = false;
            } catch (ConnectionFailedException | ServerBusyException e) {
                failures++;
                unreachable = true;
                transport.pause(min(backoff, remaining()));
                backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
                continue;
            } catch (EnjambreException e) {
                return StreamEnd.NO_STREAM;
            }
            Duration hint;
            try (s) {
                if (follow(s)) {
                    return StreamEnd.JOB_ENDED;
                }
                if (s.delivered() > 0) {
                    failures = 0;
                    backoff = FIRST_BACKOFF;
                } else {
                    failures++;
                }
            } catch (IOException e) {
                failures++;
            } catch (InterruptedException e) {
                throw Transport.interrupted(e, "watching job " + id);
            } finally {
                hint = s.retry();
            }
            remaining();
            Duration wait = hint != null ? hint : backoff;
            transport.pause(min(wait, remaining()));
            backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
        }
        return unreachable ? StreamEnd.UNREACHABLE : StreamEnd.FAILING;
    }

    /** Reads one connection; true once the job ended, false when the server ended the stream. */
    private boolean follow(EventStream s) throws IOException, InterruptedException {
        while (true) {
            ServerEvent e = s.next(min(IDLE, remaining().plusMillis(100)));
            if (e == null) {
                return false;
            }
            Job job = null;
            if (e.name().equals("job")) {
                JsonNode n = Json.parse(e.data().getBytes(java.nio.charset.StandardCharsets.UTF_8), "an event");
                if (id.equals(n.path("id").asText())) {
                    job = Json.job(n);
                    checked = timing.nanoTime();
                }
            }
            if (job == null && timing.nanoTime() - checked > RECHECK.toNanos()) {
                job = read.apply(id);
                checked = timing.nanoTime();
            }
            if (job != null) {
                emit(job);
                if (job.terminal()) {
                    return true;
                }
            }
            remaining();
        }
    }

    private void emit(Job job) {
        if (!job.sameAs(last)) {
            last = job;
            listener.accept(job);
        }
    }

    /** Time left before the deadline; throws {@link JobTimeoutException} once it passed. */
    private Duration remaining() {
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - timing.nanoTime();
        if (left <= 0) {
            throw new JobTimeoutException(String.format("job %s is still %s (%.0f%%) at the timeout", id, last.state(),
                    last.progress() * 100), last);
        }
        return Duration.ofNanos(left);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE - 1 : r;
    }
}
