package org.enjambre.worker.data;

import org.enjambre.workunits.app.InputFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The files this worker's units read lately, and which of them its chunk cache holds whole: what a fetch tells the
 * coordinator ({@code cachedFiles}) so that units reading them come here first (locality scheduling). An
 * {@link InputFiles} that notes each file opened through it, then reads it through {@code files}.
 *
 * <p>The list survives restarts in a small log ({@code <data-dir>/cached-files}): a line {@code id chunk,chunk,...}
 * when a file is first seen, a line {@code id} when it is opened again (its recency); rewritten with the
 * {@link #MAX_TRACKED} newest files when it is read at start and whenever it holds many more lines than files. A
 * line whose chunks do not hash to its id is ignored (the log is a hint, never trusted for content). Least recently
 * opened files are forgotten first. Thread-safe (one lock; the log is written under it).
 */
public final class CachedFiles implements InputFiles {
    private static final Logger LOG = Logger.getLogger(CachedFiles.class.getName());
    /** The most file ids one fetch names (the coordinator's limit). */
    public static final int MAX_SENT = 1000;
    /** Files remembered; more than {@link #MAX_SENT}, since some of them leave the cache. */
    static final int MAX_TRACKED = 4 * MAX_SENT;

    private final InputFiles files;
    private final ChunkFetcher fetcher;
    private final ChunkCache cache;
    private final Path log;
    /** File id → its chunks, least recently opened first. Guarded by itself, like the log. */
    private final LinkedHashMap<String, List<String>> opened = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
            return size() > MAX_TRACKED;
        }
    };
    private long logLines;

    /**
     * Notes the files read through {@code files}, whose manifests {@code fetcher} knows and whose chunks {@code cache}
     * keeps; reads and then rewrites the list at {@code log}.
     */
    public CachedFiles(InputFiles files, ChunkFetcher fetcher, ChunkCache cache, Path log) throws IOException {
        this.files = files;
        this.fetcher = fetcher;
        this.cache = cache;
        this.log = log;
        synchronized (opened) {
            if (Files.exists(log)) { // written on the first file opened: a worker without files has none
                try (BufferedReader in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        replay(line);
                    }
                }
                rewrite();
            }
        }
    }

    /** Applies one line of the log; a malformed one is skipped. */
    private void replay(String line) {
        int space = line.indexOf(' ');
        String id = space < 0 ? line : line.substring(0, space);
        if (!Sha256.valid(id)) {
            return;
        }
        if (space < 0) {
            opened.get(id); // seen again: most recent now (access order)
            return;
        }
        List<String> chunks = List.of(line.substring(space + 1).split(","));
        if (chunks.stream().allMatch(Sha256::valid) && Sha256.fileId(chunks).equals(id)) {
            opened.put(id, chunks);
        }
    }

    @Override
    public InputStream open(String fileId) throws IOException {
        InputStream in = files.open(fileId);
        List<String> chunks = fetcher.manifest(fileId).chunks(); // known by now: the open just read it
        synchronized (opened) {
            boolean known = opened.put(fileId, chunks) != null;
            try {
                if (logLines > 2L * MAX_TRACKED + opened.size()) {
                    rewrite();
                } else {
                    Files.writeString(log, known ? fileId + "\n" : fileId + " " + String.join(",", chunks) + "\n",
                            StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    logLines++;
                }
            } catch (IOException e) {
                LOG.warning("cannot write the list of cached files " + log + " (kept in memory): " + e.getMessage());
            }
        }
        return in;
    }

    /** Writes the remembered files, oldest first, to a new log that replaces the old one. Under the lock. */
    private void rewrite() throws IOException {
        Path tmp = log.resolveSibling(log.getFileName() + ".tmp");
        try {
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (Map.Entry<String, List<String>> e : opened.entrySet()) {
                    out.write(e.getKey() + " " + String.join(",", e.getValue()) + "\n");
                }
            }
            Files.move(tmp, log, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp); // a full disk: the old log stays as it was
            throw e;
        }
        logLines = opened.size();
    }

    /** Ids of the files opened lately whose every chunk is in the cache now, newest first, at most {@link #MAX_SENT}. */
    public List<String> whole() {
        List<Map.Entry<String, List<String>>> newestLast = new ArrayList<>();
        synchronized (opened) {
            opened.forEach((id, chunks) -> newestLast.add(Map.entry(id, chunks)));
        }
        List<String> out = new ArrayList<>();
        for (int i = newestLast.size() - 1; i >= 0 && out.size() < MAX_SENT; i--) {
            Map.Entry<String, List<String>> e = newestLast.get(i);
            if (e.getValue().stream().allMatch(cache::contains)) {
                out.add(e.getKey());
            }
        }
        return out;
    }
}
