package org.enjambre.coordinator.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.errors.ConflictException;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.coordinator.errors.NotFoundException;
import org.enjambre.coordinator.model.FileRecord;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Files and chunks on one coordinator peer (README, "Data"): manifests indexed in the store, chunks on this peer's
 * disk ({@link ChunkStore}) and on the {@link Placement holders} of each chunk, {@code replicas} of them.
 *
 * <ul>
 *   <li>A chunk a client uploads is stored here, then pushed to its holders before the upload is answered, so an
 *       answered upload is on up to {@code replicas} holders (plus this peer when it is not one of them).</li>
 *   <li>A chunk read here and missing is fetched from its holders (then any other peer), verified by its hash
 *       on the way in; a holder's bad copy is skipped.</li>
 *   <li>A peer's own requests ({@code fromPeer}) are served from the local store only: no forwarding, no loops.</li>
 * </ul>
 * Blocking: call off event loops.
 */
public final class DataService {
    private static final Logger LOG = LoggerFactory.getLogger(DataService.class);

    /** The default chunk size: 4 MiB. */
    public static final int DEFAULT_CHUNK_BYTES = 4 << 20;
    /** The default number of peers that hold each chunk. */
    public static final int DEFAULT_REPLICAS = 2;

    /** The default time a file no job references is kept ({@code --data-gc-grace}). */
    public static final Duration DEFAULT_GC_GRACE = Duration.ofHours(24);
    /**
     * How long the membership must stay unchanged before surplus copies are deleted: re-replication after a change
     * runs first, and a holder that just joined may still be filling.
     */
    public static final Duration STABLE = Duration.ofMinutes(1);

    /**
     * How chunks are cut and kept: the chunk size (and most bytes of one chunk), how many peers hold each, and how
     * long files no job references are kept ({@link FileCollector}).
     */
    public record Options(int chunkBytes, int replicas, Duration gcGrace) {
        public Options {
            if (chunkBytes < 1 || replicas < 1) {
                throw new IllegalArgumentException("the chunk size and the replica count must be positive");
            }
            if (gcGrace == null || gcGrace.isNegative()) {
                throw new IllegalArgumentException("the data garbage grace period must not be negative");
            }
        }
    }

    /** What one garbage pass did on this peer: surplus copies deleted, and the file collector's work. */
    public record Collected(int surplus, FileCollector.Pass files) {
    }

    /** A manifest's state: the file and which of its chunks no peer holds yet (empty: complete). */
    public record Declared(FileRecord file, List<String> missing) {
    }

    /** An upload's outcome: the chunk's size, whether it was new here, and how many peers hold it now. */
    public record Received(String sha256, long bytes, boolean created, int copies) {
    }

    private final ChunkStore local;
    private final DataPeers peers;
    private final PeerTransfer transfer;
    private final Store store;
    private final Clock clock;
    private final Options options;
    private final FileCollector files;
    private final Sharers sharers;
    private final BadCopies badCopies = new BadCopies(this);
    /** When the membership last changed (this peer's start counts), epoch millis on {@link #clock}. */
    private final AtomicLong membershipChanged;
    /** Chunks this peer received or fetched while not their holder, and when: spared by {@link #dropSurplus}. */
    private final Map<String, Long> recent = new ConcurrentHashMap<>();
    private final OutputFiles outputs;

    /**
     * @param referenced the files a job references (its app's {@code inputFiles}), for {@link FileCollector}
     */
    public DataService(ChunkStore local, DataPeers peers, PeerTransfer transfer, Store store, Clock clock, Options options,
                       Function<JobRecord, Collection<String>> referenced, OutputFiles.Limits outputLimits,
                       Sharers sharers) {
        this.sharers = sharers;
        this.local = local;
        this.peers = peers;
        this.transfer = transfer;
        this.store = store;
        this.clock = clock;
        this.options = options;
        this.files = new FileCollector(store, local, referenced, options.gcGrace(), clock);
        this.membershipChanged = new AtomicLong(clock.millis());
        this.outputs = new OutputFiles(this, outputLimits);
    }

    /** Units' outputs kept as files. */
    public OutputFiles outputs() {
        return outputs;
    }

    /** One re-replication pass ({@link Repair}); returns the copies made. */
    public int repair() throws IOException {
        return new Repair(local, peers, transfer, options.replicas()).run();
    }

    /** Notes that a peer joined or left: surplus copies wait for {@link #STABLE} from now. */
    public void membershipChanged() {
        membershipChanged.set(clock.millis());
    }

    /**
     * Deletes this peer's surplus chunk copies ({@link Surplus}) when the membership has not changed for
     * {@link #STABLE}, sparing chunks received or fetched here within that time; returns the copies deleted.
     */
    public int dropSurplus() throws IOException {
        long now = clock.millis();
        recent.values().removeIf(at -> now - at >= STABLE.toMillis());
        if (now - membershipChanged.get() < STABLE.toMillis()) {
            return 0;
        }
        return new Surplus(local, peers, transfer, options.replicas(), recent::containsKey).run();
    }

    /** One garbage pass on this peer: surplus copies, then files no job references ({@link FileCollector}). */
    public Collected collectGarbage() throws IOException {
        int surplus = dropSurplus();
        return new Collected(surplus, files.run());
    }

    /** Notes that this peer just stored a chunk it may not hold by placement. */
    private void touched(String sha256) {
        recent.put(sha256, clock.millis());
    }

    public ChunkStore local() {
        return local;
    }

    public Options options() {
        return options;
    }

    public String peerToken() {
        return peers.token();
    }

    /**
     * Where worker {@code asker} may fetch the chunks of {@code file} besides its coordinators ({@link Sources}); when
     * it shares its cache at {@code shareUrl} (null: it does not), it is noted as a sharer of the file first.
     */
    public Sources sources(FileRecord file, String asker, String shareUrl) {
        if (shareUrl != null) {
            sharers.announce(file.id(), asker, shareUrl);
        }
        return Sources.of(file.chunks(), sharers.named(file.id(), asker), peers.members(), options.replicas());
    }

    public Sharers sharers() {
        return sharers;
    }

    /** Bad copies reported by workers ({@link BadCopies}). */
    public BadCopies badCopies() {
        return badCopies;
    }

    DataPeers peers() {
        return peers;
    }

    PeerTransfer transfer() {
        return transfer;
    }

    /** Indexes a manifest and answers which chunks are missing; a file none of whose chunks are missing is complete. */
    public Declared declare(JsonNode body) {
        Manifest m = Manifest.parse(body, options.chunkBytes());
        FileRecord file = new FileRecord(m.id(), m.name(), m.size(), m.chunkSize(), m.chunks(), false, clock.millis());
        Declared d = check(file);
        store.putFile(d.file());
        return d;
    }

    /** The indexed file with this id; an incomplete one is checked again (and marked complete when it is). */
    public FileRecord file(String id) {
        Hashes.check(id, "id");
        FileRecord f = store.file(id).orElseThrow(() -> new NotFoundException("no file " + id + " (upload it first)"));
        if (!f.complete()) {
            Declared d = check(f);
            if (d.file().complete()) {
                store.putFile(d.file());
                return d.file();
            }
        }
        return f;
    }

    /** The chunks of {@code file} that no peer holds, and the file marked complete when there are none. */
    private Declared check(FileRecord file) {
        Set<String> present = present(new LinkedHashSet<>(file.chunks()));
        Set<String> missing = new LinkedHashSet<>();
        for (int i = 0; i < file.chunks().size(); i++) {
            String c = file.chunks().get(i);
            OptionalLong here = local.size(c);
            if (!present.contains(c)) {
                missing.add(c);
            } else if (here.isPresent() && here.getAsLong() != file.chunkBytes(i)) {
                throw new InvalidInputException("CHUNK_SIZE_MISMATCH", "chunk " + i + " (" + c + ") holds "
                        + here.getAsLong() + " bytes, not the " + file.chunkBytes(i) + " the manifest's sizes imply", "chunks[" + i + "]");
            }
        }
        return new Declared(missing.isEmpty() ? file.asComplete() : file, List.copyOf(missing));
    }

    /** Which of {@code chunks} this peer or a holder stores (one question per holder; an unreachable one holds nothing). */
    private Set<String> present(Set<String> chunks) {
        Set<String> found = new LinkedHashSet<>(presentHere(chunks));
        Map<DataPeers.Peer, List<String>> ask = new HashMap<>();
        List<DataPeers.Peer> members = peers.members();
        for (String c : chunks) {
            if (!found.contains(c)) {
                for (DataPeers.Peer p : Placement.holders(c, members, options.replicas())) {
                    if (!p.id().equals(peers.selfId())) {
                        ask.computeIfAbsent(p, k -> new ArrayList<>()).add(c);
                    }
                }
            }
        }
        ask.forEach((peer, list) -> {
            try {
                found.addAll(transfer.present(peer, list));
            } catch (UncheckedIOException e) {
                LOG.debug("peer {} could not say which chunks it holds: {}", peer.url(), e.getMessage());
            }
        });
        return found;
    }

    /** Which of {@code chunks} this peer stores. */
    public List<String> presentHere(java.util.Collection<String> chunks) {
        return chunks.stream().filter(c -> Hashes.valid(c) && local.has(c)).toList();
    }

    /**
     * Stores an uploaded chunk here and, unless a peer sent it, on its other holders.
     *
     * @throws IOException when the body could not be read
     */
    public Received receive(String sha256, InputStream body, boolean fromPeer) throws IOException {
        Hashes.check(sha256, "sha256");
        ChunkStore.Put put = local.put(sha256, body, options.chunkBytes());
        touched(sha256);
        int copies = 1;
        if (!fromPeer) {
            for (DataPeers.Peer p : Placement.holders(sha256, peers.members(), options.replicas())) {
                if (!p.id().equals(peers.selfId())) {
                    boolean ok = transfer.push(p, sha256, put.bytes(), () -> open(sha256, put.bytes()));
                    if (ok) {
                        copies++;
                    } else {
                        LOG.warn("chunk {} could not be copied to peer {}; it has {} copies", sha256, p.url(), copies);
                    }
                }
            }
        }
        return new Received(sha256, put.bytes(), put.created(), copies);
    }

    private InputStream open(String sha256, long bytes) {
        try {
            return local.get(sha256, 0, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The size of chunk {@code sha256}, fetched here first from a peer that holds it when this peer does not
     * (unless a peer asks: then only this peer's copy counts).
     */
    public long ensureLocal(String sha256, boolean fromPeer) {
        Hashes.check(sha256, "sha256");
        OptionalLong size = local.size(sha256);
        if (size.isPresent()) {
            return size.getAsLong();
        }
        if (!fromPeer) {
            List<DataPeers.Peer> members = peers.members();
            List<DataPeers.Peer> order = new ArrayList<>(Placement.holders(sha256, members, members.size()));
            for (DataPeers.Peer p : order) {
                if (!p.id().equals(peers.selfId()) && fetchFrom(p, sha256)) {
                    return local.size(sha256).orElseThrow();
                }
            }
        }
        throw new NotFoundException("no peer holds chunk " + sha256);
    }

    private boolean fetchFrom(DataPeers.Peer p, String sha256) {
        InputStream in = transfer.fetch(p, sha256);
        if (in == null) {
            return false;
        }
        try (in) {
            local.put(sha256, in, options.chunkBytes());
            touched(sha256);
            return true;
        } catch (InvalidInputException | ChunkTooLargeException e) {
            LOG.warn("peer {} holds a bad copy of chunk {}: {}", p.url(), sha256, e.getMessage());
            return false;
        } catch (IOException e) {
            LOG.debug("fetching chunk {} from {} failed: {}", sha256, p.url(), e.getMessage());
            return false;
        }
    }

    /** Bytes {@code [offset, offset + length)} of a chunk this peer stores (after {@link #ensureLocal}). */
    public InputStream chunk(String sha256, long offset, long length) throws IOException {
        return local.get(sha256, offset, length);
    }

    /** The whole content of a complete file, chunk after chunk, each fetched when it is reached. */
    public InputStream content(FileRecord file) {
        if (!file.complete()) {
            throw new ConflictException("FILE_INCOMPLETE", "file " + file.id() + " is missing chunks; upload them first");
        }
        List<String> chunks = file.chunks();
        return new SequenceInputStream(new Enumeration<InputStream>() {
            private int next;

            @Override
            public boolean hasMoreElements() {
                return next < chunks.size();
            }

            @Override
            public InputStream nextElement() {
                if (next >= chunks.size()) {
                    throw new NoSuchElementException();
                }
                String c = chunks.get(next++);
                long size = ensureLocal(c, false);
                return open(c, size);
            }
        });
    }
}
