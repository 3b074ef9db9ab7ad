package org.enjambre.coordinator.data;

import com.fasterxml.jackson.core.type.TypeReference;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.enjambre.coordinator.store.Json;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Workers that share their chunk cache ({@code --share-cache}) and the files they fetched, for the sources of a
 * file's manifest (README, "LAN sharing"). Kept in the Hazelcast maps {@code data-sharers} (file id → its sharers
 * as JSON, at most {@link #MAX_PER_FILE}, newest kept) and {@code data-sharers-reported} (worker id → the
 * distinct workers that reported a bad copy from it, comma-separated, at most {@link #MAX_BAD}), so any peer
 * answers with what every peer saw. Distinct reporters, so that one worker cannot get an honest sharer unnamed; a
 * worker that got a bad copy skips that sharer itself for a while anyway.
 *
 * <p>Invariant (no waiting cycles between sharers): a worker is pointed only to sharers that announced the file
 * before it did ({@link Sharer#before}); a sharer asked for a chunk it lacks fetches it through its own sources,
 * which are all earlier still, so a chain of sharers waiting on each other always ends at a coordinator. An entry
 * keeps its first announcement while it lives (it lives {@link #TTL} after its last).
 */
public final class Sharers {
    /** How long a sharer is named after its last announcement for a file. */
    public static final Duration TTL = Duration.ofMinutes(10);
    /** Distinct workers that reported bad copies from a sharer once it is no longer named. */
    public static final int MAX_BAD = 3;
    /** Sharers remembered per file. */
    static final int MAX_PER_FILE = 64;
    /** Sharers named in one manifest. */
    static final int MAX_NAMED = 16;
    private static final TypeReference<List<Sharer>> LIST = new TypeReference<>() {
    };

    /** One worker sharing one file: its id, its share URL, and when it first and last announced the file. */
    public record Sharer(String workerId, String url, long firstSeen, long lastSeen) {
        /** Whether this sharer announced the file before {@code other} (ties broken by worker id). */
        boolean before(Sharer other) {
            return firstSeen != other.firstSeen ? firstSeen < other.firstSeen : workerId.compareTo(other.workerId) < 0;
        }
    }

    private final IMap<String, String> files;
    private final IMap<String, String> bad;
    private final Clock clock;

    public Sharers(HazelcastInstance hz, Clock clock) {
        this.files = hz.getMap("data-sharers");
        this.bad = hz.getMap("data-sharers-reported");
        this.clock = clock;
    }

    /**
     * Notes that worker {@code workerId} fetches file {@code fileId} and shares at {@code url}; returns its entry
     * (the first announcement kept while the entry lives and the URL is the same).
     */
    public Sharer announce(String fileId, String workerId, String url) {
        long now = clock.millis();
        while (true) {
            String old = files.get(fileId);
            List<Sharer> list = old == null ? new ArrayList<>() : new ArrayList<>(parse(old));
            list.removeIf(s -> now - s.lastSeen() > TTL.toMillis());
            Sharer mine = null;
            for (int i = 0; i < list.size(); i++) {
                Sharer s = list.get(i);
                if (s.workerId().equals(workerId)) {
                    mine = new Sharer(workerId, url, s.url().equals(url) ? s.firstSeen() : now, now);
                    list.set(i, mine);
                }
            }
            if (mine == null) {
                mine = new Sharer(workerId, url, now, now);
                list.add(mine);
            }
            list.sort(Comparator.comparingLong(Sharer::lastSeen).reversed());
            if (list.size() > MAX_PER_FILE) {
                list = new ArrayList<>(list.subList(0, MAX_PER_FILE));
            }
            String json = Json.write(list);
            boolean done = old == null ? files.putIfAbsent(fileId, json, TTL.toMillis() * 2, TimeUnit.MILLISECONDS) == null
                    : files.replace(fileId, old, json);
            if (done) {
                return mine;
            }
        }
    }

    /**
     * The share URLs to name to worker {@code asker} for file {@code fileId}: live sharers that announced it before
     * the asker (all live ones when the asker does not share) and that fewer than {@link #MAX_BAD} workers reported,
     * earliest first, at most {@link #MAX_NAMED}.
     */
    public List<String> named(String fileId, String asker) {
        String json = files.get(fileId);
        if (json == null) {
            return List.of();
        }
        long now = clock.millis();
        List<Sharer> list = parse(json);
        Sharer me = list.stream().filter(s -> s.workerId().equals(asker)).findFirst().orElse(null);
        return list.stream()
                .filter(s -> now - s.lastSeen() <= TTL.toMillis() && !s.workerId().equals(asker)
                        && (me == null || s.before(me)) && reporters(s.workerId()) < MAX_BAD)
                .sorted((a, b) -> a.before(b) ? -1 : b.before(a) ? 1 : 0)
                .limit(MAX_NAMED).map(Sharer::url).distinct().toList();
    }

    /**
     * Notes that worker {@code reporter} got a bad copy from the sharer at {@code url} of file {@code fileId};
     * returns the sharer's worker id, or null when no sharer of that file has that URL.
     */
    public String reportBad(String fileId, String url, String reporter) {
        String json = files.get(fileId);
        if (json == null) {
            return null;
        }
        for (Sharer s : parse(json)) {
            if (s.url().equals(url)) {
                while (true) {
                    String old = bad.get(s.workerId());
                    List<String> by = old == null ? new ArrayList<>() : new ArrayList<>(List.of(old.split(",")));
                    if (by.contains(reporter) || by.size() >= MAX_BAD) {
                        return s.workerId();
                    }
                    by.add(reporter);
                    String now = String.join(",", by);
                    if (old == null ? bad.putIfAbsent(s.workerId(), now) == null : bad.replace(s.workerId(), old, now)) {
                        return s.workerId();
                    }
                }
            }
        }
        return null;
    }

    /** How many distinct workers reported bad copies from worker {@code workerId} (at most {@link #MAX_BAD}). */
    public int reporters(String workerId) {
        String by = bad.get(workerId);
        return by == null ? 0 : by.split(",").length;
    }

    private static List<Sharer> parse(String json) {
        try {
            return Json.MAPPER.readValue(json, LIST);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("the sharers of a file could not be read", e);
        }
    }

}
