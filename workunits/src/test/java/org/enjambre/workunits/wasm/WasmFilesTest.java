package org.enjambre.workunits.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.enjambre.workunits.app.InputFiles;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.apps.WordCountApp;
import org.enjambre.workunits.spec.SpecException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Wasm units reading uploaded files through {@code enjambre.file_*}: jobs with files, the host functions, the example. */
class WasmFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PROBE = Wat.module("fileprobe");
    private static final byte[] WORDCOUNT = Wat.module("wordcount");
    private static final byte[] PRIMES = Wat.module("primes");
    private static final String PROBE_SHA = WasmModules.sha256(PROBE);
    private static final String WORDCOUNT_SHA = WasmModules.sha256(WORDCOUNT);
    private static final String PRIMES_SHA = WasmModules.sha256(PRIMES);
    private static final ModuleSource SOURCE = sha -> Optional.ofNullable(
            Map.of(PROBE_SHA, PROBE, WORDCOUNT_SHA, WORDCOUNT, PRIMES_SHA, PRIMES).get(sha)).map(byte[]::clone);
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);
    private static final String S = "5".repeat(64);

    private final WasmRunner runner = new WasmRunner(WasmLimits.defaults().withTimeLimit(Duration.ofSeconds(30)));
    private final WasmApp app = new WasmApp(SOURCE, runner);

    /** Files in memory, served at most 1000 bytes per read (reads split where a real host's would), opens recorded. */
    static final class MemoryFiles implements InputFiles {
        final Map<String, byte[]> files = new LinkedHashMap<>();
        final List<String> opens = new ArrayList<>();

        MemoryFiles put(String id, byte[] bytes) {
            files.put(id, bytes);
            return this;
        }

        @Override
        public InputStream open(String fileId) throws IOException {
            return open(fileId, 0);
        }

        @Override
        public InputStream open(String fileId, long offset) throws IOException {
            byte[] b = bytes(fileId);
            opens.add(fileId.substring(0, 1) + "@" + offset);
            ByteArrayInputStream in = new ByteArrayInputStream(b, (int) offset, b.length - (int) offset);
            return new FilterInputStream(in) {
                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    return super.read(buf, off, Math.min(len, 1000));
                }
            };
        }

        @Override
        public long size(String fileId) throws IOException {
            return bytes(fileId).length;
        }

        private byte[] bytes(String id) throws IOException {
            byte[] b = files.get(id);
            if (b == null) {
                throw new IOException("no coordinator sent file " + id);
            }
            return b;
        }
    }

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The fileprobe module's requests: (file, offset, len) triples. */
    private static byte[] requests(long... triples) {
        ByteBuffer b = ByteBuffer.allocate(triples.length / 3 * 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < triples.length; i += 3) {
            b.putInt((int) triples[i]).putLong(triples[i + 1]).putInt((int) triples[i + 2]);
        }
        return b.array();
    }

    private byte[] probe(List<String> files, MemoryFiles host, long... triples) throws Exception {
        return runner.run(PROBE, requests(triples), files, RunContext.inMemory().withFiles(host));
    }

    @Test
    void fileRead_givesTheRangeAsked_shortAtTheEnd_zeroAtTheEnd_sameBytesHoweverTheHostSplitsReads() throws Exception {
        byte[] a = random(300_000, 1);
        MemoryFiles host = new MemoryFiles().put(A, a);
        byte[] out = probe(List.of(A), host, 0, 123_457, 5000, 0, 299_990, 100, 0, 300_000, 10, 0, 0, 0);
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt()).as("file_count").isEqualTo(1);
        assertThat(b.getLong()).as("file_size(0)").isEqualTo(300_000);
        assertThat(b.getInt()).isEqualTo(5000);
        byte[] got = new byte[5000];
        b.get(got);
        assertThat(got).isEqualTo(Arrays.copyOfRange(a, 123_457, 128_457));
        assertThat(b.getInt()).as("the 10 bytes left of the file").isEqualTo(10);
        byte[] tail = new byte[10];
        b.get(tail);
        assertThat(tail).isEqualTo(Arrays.copyOfRange(a, 299_990, 300_000));
        assertThat(b.getInt()).as("a read at the end").isZero();
        assertThat(b.getInt()).as("a read of 0 bytes").isZero();
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void fileRead_continuingWhereTheLastEnded_keepsOneStream_anyOtherOffsetOpensThere() throws Exception {
        MemoryFiles host = new MemoryFiles().put(A, random(10_000, 2)).put(B, random(100, 3));
        probe(List.of(A, B), host, 0, 0, 4000, 0, 4000, 4000, 1, 0, 50, 0, 8000, 2000, 0, 500, 10, 1, 50, 50);
        assertThat(host.opens).containsExactly("a@0", "b@0", "a@500");
    }

    @Test
    void fileRead_badArguments_failTheUnitNamingTheCall() {
        MemoryFiles host = new MemoryFiles().put(A, random(1000, 4));
        assertThatThrownBy(() -> probe(List.of(A), host, 1, 0, 10))
                .isInstanceOfSatisfying(WasmException.class, e -> assertThat(e.kind()).isEqualTo(WasmException.Kind.ABI_VIOLATION))
                .hasMessage("module called file_read(1, 0, 1056, 10), but the unit has 1 file (number 0)");
        assertThatThrownBy(() -> probe(List.of(A), host, 0, 1001, 10))
                .hasMessage("module called file_read(0, 1001, 1056, 10) with an offset outside file 0, which has 1000 bytes");
        assertThatThrownBy(() -> probe(List.of(A), host, 0, -1, 10))
                .hasMessage("module called file_read(0, -1, 1056, 10) with an offset outside file 0, which has 1000 bytes");
        assertThatThrownBy(() -> probe(List.of(A), host, 0, 0, 2_000_000))
                .as("the whole buffer must lie in memory, even past the file's end")
                .hasMessage("module called file_read(0, 0, 1056, 2000000) with a buffer outside its memory of 1048576 bytes");
        assertThatThrownBy(() -> probe(List.of(), host, 0, 0, 1))
                .hasMessage("module called file_read(0, 0, 1048, 1), but the unit has no files");
    }

    @Test
    void fileRead_ofAFileTheHostCannotServe_failsAsUnreadable() {
        MemoryFiles host = new MemoryFiles();
        assertThatThrownBy(() -> probe(List.of(C), host, 0, 0, 1))
                .isInstanceOfSatisfying(WasmException.class, e -> assertThat(e.kind()).isEqualTo(WasmException.Kind.FILE_UNREADABLE))
                .hasMessage("input file 0 (" + C + ") could not be read: no coordinator sent file " + C);
    }

    @Test
    void filesJob_oneUnitPerFile_eachSeesItsOwnFileFirst_thenTheShared() throws Exception {
        JsonNode input = json("{'module':'" + PROBE_SHA + "','files':['" + A + "','" + B + "'],'sharedFiles':['" + S + "','" + C + "']}");
        app.validate(input, 2);
        assertThat(app.defaultWorkUnits(input)).isEqualTo(2);
        assertThat(app.unitFiles(input, 1)).containsExactly(B, S, C);
        assertThat(app.inputFiles(input)).containsExactly(Map.entry("input.files[0]", A), Map.entry("input.files[1]", B),
                Map.entry("input.sharedFiles[0]", S), Map.entry("input.sharedFiles[1]", C));
        assertThat(app.readsFiles(input)).isTrue();
        byte[] unit = app.unitInput(input, 2, 1);
        assertThat(new String(unit, StandardCharsets.US_ASCII)).isEqualTo(PROBE_SHA + " " + B + " " + S + " " + C + "\n");
        assertThat(WasmUnitInput.decode(unit)).isEqualTo(new WasmUnitInput(PROBE_SHA, List.of(B, S, C), new byte[0]));

        MemoryFiles host = new MemoryFiles().put(A, random(10, 5)).put(B, random(20, 6)).put(S, random(30, 7)).put(C, random(40, 8));
        ByteBuffer out = ByteBuffer.wrap(app.run(unit, RunContext.inMemory().withFiles(host))).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(out.getInt()).isEqualTo(3);
        assertThat(new long[] {out.getLong(), out.getLong(), out.getLong()}).containsExactly(20, 30, 40);
    }

    @Test
    void rangeJob_withSharedFiles_seesOnlyThem_andJobsWithoutFilesKeepTheirUnitInputs() throws Exception {
        JsonNode shared = json("{'module':'" + PRIMES_SHA + "','range':{'from':0,'to':100},'sharedFiles':['" + S + "']}");
        app.validate(shared, 4);
        assertThat(WasmUnitInput.decode(app.unitInput(shared, 4, 2)).files()).containsExactly(S);
        JsonNode plain = json("{'module':'" + PRIMES_SHA + "','range':{'from':0,'to':100}}");
        byte[] unit = app.unitInput(plain, 4, 2);
        assertThat(unit).hasSize(65 + 16);
        assertThat(new String(unit, 0, 65, StandardCharsets.US_ASCII)).isEqualTo(PRIMES_SHA + "\n");
        assertThat(app.inputFiles(plain)).isEmpty();
        assertThat(app.readsFiles(plain)).isFalse();
    }

    @Test
    void validate_badFileFields_nameTheField() throws Exception {
        assertRefused("{'module':'" + PROBE_SHA + "','files':['" + A + "'],'range':{'from':0,'to':9}}", 1, "input",
                "input needs exactly one of 'inputs' (a list, one work unit each), 'range' ({\"from\": a, \"to\": b},"
                        + " split into work units) or 'files' (file ids, one work unit each)");
        assertRefused("{'module':'" + PROBE_SHA + "','files':['" + A + "','nope']}", 2, "input.files[1]",
                "input.files[1] must be a file id: 64 lowercase hex digits, as enjambre data upload prints them");
        assertRefused("{'module':'" + PROBE_SHA + "','files':[]}", 1, "input.files",
                "input.files must be a list of 1 to 10000 file ids (one work unit per file)");
        assertRefused("{'module':'" + PROBE_SHA + "','files':['" + A + "','" + B + "']}", 3, "workUnits",
                "workUnits (3) must equal the number of input.files (2), or be left out");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < WasmJobFiles.MAX_SHARED_FILES + 1; i++) {
            many.append(i == 0 ? "'" : ",'").append(A).append("'");
        }
        assertRefused("{'module':'" + PROBE_SHA + "','inputs':[1],'sharedFiles':[" + many + "]}", 1, "input.sharedFiles",
                "input.sharedFiles must be a list of 1 to 64 file ids (every work unit reads them all), not 65");
        assertRefused("{'module':'" + PROBE_SHA + "','inputs':[1],'sharedFiles':'" + A + "'}", 1, "input.sharedFiles",
                "input.sharedFiles must be a list of 1 to 64 file ids (every work unit reads them all)");
    }

    private void assertRefused(String input, int units, String field, String message) {
        assertThatThrownBy(() -> app.validate(json(input), units))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessage(message);
    }

    @Test
    void unitInput_withFiles_roundTrips_andATruncatedFileListIsRefused() {
        WasmUnitInput u = new WasmUnitInput(PROBE_SHA, List.of(A, B), new byte[] {1, 2, 3});
        assertThat(WasmUnitInput.decode(u.encode())).isEqualTo(u);
        byte[] cut = Arrays.copyOf(u.encode(), 64 + 1 + 30);
        assertThatThrownBy(() -> WasmUnitInput.decode(cut)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("a wasm unit input starts with a module's 64-digit sha256, the ids");
    }

    /** Text whose words and lines cross the example's 64 KiB reads and the host's 1000-byte reads. */
    private static String text(int words, int seed) {
        StringBuilder sb = new StringBuilder();
        Random r = new Random(seed);
        for (int i = 0; i < words; i++) {
            sb.append("w".repeat(1 + r.nextInt(12))).append(r.nextInt(1000));
            sb.append(switch (r.nextInt(6)) { case 0 -> "\n"; case 1 -> "\t \r\n"; case 2 -> "  "; case 3 -> "\u000b"; default -> " "; });
        }
        return sb.toString();
    }

    @Test
    void wordcountExample_overAFilesJob_givesTheBuiltInWordcountsResultByteForByte() throws Exception {
        MemoryFiles host = new MemoryFiles().put(A, text(40_000, 1).getBytes(StandardCharsets.UTF_8))
                .put(B, "  one\ttwo\n\nthree  \n".getBytes(StandardCharsets.UTF_8))
                .put(C, ("é ü" + text(3000, 2) + "tail").getBytes(StandardCharsets.UTF_8));
        assertThat(host.files.get(A).length).isGreaterThan(3 * 65536);
        JsonNode input = json("{'module':'" + WORDCOUNT_SHA + "','files':['" + A + "','" + B + "','" + C + "'],"
                + "'merge':'module','contentType':'application/json'}");
        app.validate(input, 3);
        Merger wasm = app.merger(input, 3);
        WordCountApp wordcount = new WordCountApp();
        JsonNode builtIn = json("{'files':['" + A + "','" + B + "','" + C + "']}");
        Merger java = wordcount.merger(builtIn, 3);
        for (int i = 0; i < 3; i++) {
            RunContext.InMemory context = RunContext.inMemory().withFiles(host);
            wasm.accept(i, app.run(app.unitInput(input, 3, i), context));
            assertThat(context.progress()).isEqualTo(1.0);
            java.accept(i, wordcount.run(wordcount.unitInput(builtIn, 3, i), RunContext.inMemory().withFiles(host)));
        }
        String expected = new String(java.finish().body(), StandardCharsets.UTF_8);
        assertThat(expected).startsWith("{\"words\":").endsWith(",\"files\":3}");
        assertThat(new String(wasm.finish().body(), StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void wordcountExample_countsTheSharedFileInEveryUnit() throws Exception {
        MemoryFiles host = new MemoryFiles().put(A, "a b\n".getBytes(StandardCharsets.UTF_8))
                .put(B, "c\n".getBytes(StandardCharsets.UTF_8)).put(S, "x y z".getBytes(StandardCharsets.UTF_8));
        JsonNode input = json("{'module':'" + WORDCOUNT_SHA + "','files':['" + A + "','" + B + "'],'sharedFiles':['" + S + "'],"
                + "'merge':'module'}");
        app.validate(input, 2);
        Merger merger = app.merger(input, 2);
        for (int i = 0; i < 2; i++) {
            merger.accept(i, app.run(app.unitInput(input, 2, i), RunContext.inMemory().withFiles(host)));
        }
        assertThat(new String(merger.finish().body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"words\":9,\"lines\":2,\"bytes\":16,\"files\":2}");
    }
}
