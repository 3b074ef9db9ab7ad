package org.enjambre.workunits.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.SpecException;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Counts words, lines and bytes of uploaded text files: input {@code {"files": [fileId, ...], "stopwords": fileId?}},
 * one unit per file, result {@code {"words", "lines", "bytes", "files"}} summed over the files. A word is a maximal
 * run of bytes that are not ASCII white space (space, tab, LF, VT, FF, CR), so counts do not depend on the text's
 * encoding or on where chunks end; a line is a LF byte. The optional {@code stopwords} file is shared by every unit
 * (each worker fetches it once: its cache is by hash): words listed in it, byte for byte, are not counted; it may
 * hold at most {@link #MAX_STOPWORD_BYTES}. A unit reads its file as a stream ({@link RunContext#files()}), never
 * all of it at once; it does not checkpoint (a file is read in seconds).
 */
public final class WordCountApp implements App {
    /** Files per job: every id is 67 bytes of the job's input, which is capped at 1 MiB. */
    public static final int MAX_FILES = 10_000;
    private static final Pattern FILE_ID = Pattern.compile("[0-9a-f]{64}");
    private static final List<String> OUTPUT = List.of("words", "lines", "bytes");
    private static final int BUFFER = 64 << 10;
    /** The largest stopword file: it is held in memory as a set. */
    public static final int MAX_STOPWORD_BYTES = 1 << 20;
    /** A guess of one unit's work (file sizes are not in the spec): credit only. */
    private static final double COST = 0.5;

    @Override
    public String name() {
        return "wordcount";
    }

    @Override
    public void validate(JsonNode input, int workUnits) throws SpecException {
        if (input == null || !input.isObject() || !input.has("files")) {
            throw new SpecException("input.files", "wordcount needs input {\"files\": [fileId, ...]}");
        }
        JsonNode files = input.get("files");
        if (!files.isArray() || files.isEmpty() || files.size() > MAX_FILES) {
            throw new SpecException("input.files", "must be a list of 1 to " + MAX_FILES + " file ids");
        }
        for (int i = 0; i < files.size(); i++) {
            JsonNode f = files.get(i);
            if (!f.isTextual() || !FILE_ID.matcher(f.asText()).matches()) {
                throw new SpecException("input.files[" + i + "]", "must be a file id (64 lowercase hex digits)");
            }
        }
        JsonNode stop = input.get("stopwords");
        if (stop != null && (!stop.isTextual() || !FILE_ID.matcher(stop.asText()).matches())) {
            throw new SpecException("input.stopwords", "must be a file id (64 lowercase hex digits)");
        }
        if (input.size() != (stop == null ? 1 : 2)) {
            throw new SpecException("input", "wordcount's input has only the fields \"files\" and \"stopwords\"");
        }
        if (workUnits != files.size()) {
            throw new SpecException("workUnits", "wordcount runs one unit per file: " + files.size());
        }
    }

    @Override
    public int defaultWorkUnits(JsonNode input) {
        return input.get("files").size();
    }

    @Override
    public byte[] unitInput(JsonNode input, int workUnits, int index) {
        ObjectNode n = Json.object();
        n.put("file", input.get("files").get(index).asText());
        if (input.has("stopwords")) {
            n.put("stopwords", input.get("stopwords").asText());
        }
        return Json.bytes(n);
    }

    @Override
    public double cost(JsonNode input, int workUnits, int index) {
        return COST;
    }

    @Override
    public double maxUnitSeconds(JsonNode input, int workUnits) {
        return 0; // unknown: the spec does not carry file sizes
    }

    @Override
    public Map<String, String> inputFiles(JsonNode input) {
        return FilesPerUnit.inputFiles(input, "stopwords");
    }

    @Override
    public List<String> unitFiles(JsonNode input, int workUnits, int index) {
        return FilesPerUnit.unitFiles(input, index, "stopwords");
    }

    @Override
    public byte[] run(byte[] unitInput, RunContext context) throws IOException, RunContext.CancelledException {
        JsonNode unit = Json.unitInput(unitInput, name());
        String file = unit.path("file").asText();
        if (!FILE_ID.matcher(file).matches()) {
            throw new IllegalArgumentException("wordcount unit input names no file id");
        }
        Set<String> stopwords = unit.has("stopwords") ? stopwords(unit.get("stopwords").asText(), context) : Set.of();
        int longestStopword = stopwords.stream().mapToInt(String::length).max().orElse(0);
        long words = 0;
        long lines = 0;
        long bytes = 0;
        boolean inWord = false;
        // The current word's first bytes, while it may still be a stopword (at most the longest one's length).
        StringBuilder word = new StringBuilder();
        byte[] buf = new byte[BUFFER];
        try (InputStream in = context.files().open(file)) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    boolean space = space(b);
                    if (b == '\n') {
                        lines++;
                    }
                    if (!space) {
                        if (word.length() <= longestStopword) {
                            word.append((char) (b & 0xff));
                        }
                    } else if (inWord) {
                        words += counted(word, longestStopword, stopwords);
                        word.setLength(0);
                    }
                    inWord = !space;
                }
                bytes += n;
                context.checkCancelled();
            }
        }
        if (inWord) {
            words += counted(word, longestStopword, stopwords);
        }
        return Json.bytes(Json.longs(OUTPUT, words, lines, bytes));
    }

    private static boolean space(byte b) {
        return b == ' ' || (b >= 9 && b <= 13);
    }

    /** 1 unless the word (its first bytes, one char per byte) is a stopword. */
    private static int counted(StringBuilder word, int longestStopword, Set<String> stopwords) {
        return word.length() <= longestStopword && stopwords.contains(word.toString()) ? 0 : 1;
    }

    /** The words of the shared stopword file, one char per byte; refused past {@link #MAX_STOPWORD_BYTES}. */
    private static Set<String> stopwords(String fileId, RunContext context) throws IOException {
        byte[] all;
        try (InputStream in = context.files().open(fileId)) {
            all = in.readNBytes(MAX_STOPWORD_BYTES + 1);
        }
        if (all.length > MAX_STOPWORD_BYTES) {
            throw new IOException("the stopword file " + fileId + " is larger than " + MAX_STOPWORD_BYTES + " bytes");
        }
        Set<String> out = new HashSet<>();
        StringBuilder w = new StringBuilder();
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || space(all[i])) {
                if (w.length() > 0) {
                    out.add(w.toString());
                    w.setLength(0);
                }
            } else {
                w.append((char) (all[i] & 0xff));
            }
        }
        return out;
    }

    @Override
    public boolean wellFormed(byte[] output) {
        return Json.canonicalLongs(output, 200, OUTPUT.toArray(String[]::new)).isPresent();
    }

    @Override
    public Merger merger(JsonNode input, int workUnits) {
        return new Merger() {
            private final long[] sums = new long[OUTPUT.size()];
            private long files;

            @Override
            public void accept(int index, byte[] output) {
                long[] v = Json.canonicalLongs(output, 200, OUTPUT.toArray(String[]::new))
                        .orElseThrow(() -> new IllegalArgumentException("unit " + index + " output is malformed"));
                for (int i = 0; i < sums.length; i++) {
                    sums[i] += v[i];
                }
                files++;
            }

            @Override
            public MergedResult finish() {
                ObjectNode n = Json.longs(OUTPUT, sums);
                n.put("files", files);
                return MergedResult.json(new String(Json.bytes(n), java.nio.charset.StandardCharsets.UTF_8));
            }
        };
    }
}
