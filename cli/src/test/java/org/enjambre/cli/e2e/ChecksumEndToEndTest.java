package org.enjambre.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code checksum} app through two real workers (quorum 2): each unit reads its file and its slice of a shared
 * file of many chunks; the known answer, and the shared file past the last slice (and read-ahead) never fetched.
 */
class ChecksumEndToEndTest {
    static final int CHUNK = DataEndToEndTest.CHUNK;

    @TempDir
    Path dir;
    TestCoordinator coordinator;
    final TestWorkers workers = new TestWorkers();

    @AfterEach
    void stop() {
        workers.close();
        if (coordinator != null) {
            coordinator.close();
        }
    }

    private Map<String, String> upload(Path path) {
        Cli.Run run = Cli.run("data", "upload", path.toString(), "--coordinator", coordinator.url(), "--api-key",
                TestCoordinator.KEY, "--chunk-kb", "4");
        assertThat(run.code()).as(run.err()).isZero();
        Map<String, String> idOf = new HashMap<>();
        run.out().lines().forEach(l -> idOf.put(Path.of(l.split("\\s+")[1]).getFileName().toString(), l.split("\\s+")[0]));
        return idOf;
    }

    @Test
    void unitsReadTheirSlicesOfASharedFile_knownAnswer_chunksPastTheSlicesNeverFetched() throws Exception {
        coordinator = TestCoordinator.start(dir.resolve("coordinator"), o -> o.chunkBytes(CHUNK));
        Path own = Files.createDirectories(dir.resolve("own"));
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] b = DataEndToEndTest.text(200 + 50 * i, i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            files.add(b);
            Files.write(own.resolve("f" + i + ".txt"), b);
        }
        byte[] shared = new byte[30 * CHUNK];
        new java.util.Random(7).nextBytes(shared);
        Files.write(dir.resolve("shared.bin"), shared);
        Map<String, String> ids = upload(own);
        String sharedId = upload(dir.resolve("shared.bin")).get("shared.bin");

        for (int i = 1; i <= 2; i++) {
            workers.start(TestWorkers.options(dir.resolve("worker-" + i), "cs-" + i, coordinator.url()).cacheMb(64).build());
        }
        List<String> list = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            list.add(ids.get("f" + i + ".txt"));
        }
        int slice = CHUNK + 1000; // slices cross chunk boundaries; the five end inside chunk 6 of 30
        String job = coordinator.submit("{\"app\":\"checksum\",\"input\":{\"files\":[\"" + String.join("\",\"", list)
                + "\"],\"shared\":\"" + sharedId + "\",\"sliceBytes\":" + slice + "},\"redundancy\":{\"replicas\":2,\"quorum\":2}}");
        coordinator.awaitJob(job, "COMPLETED");
        JsonNode result = TestCoordinator.JSON.readTree(coordinator.result(job));

        long bytes = 0;
        long crcSum = 0;
        for (int i = 0; i < 5; i++) {
            CRC32 crc = new CRC32();
            crc.update(files.get(i));
            crc.update(shared, i * slice, slice);
            bytes += files.get(i).length + slice;
            crcSum += crc.getValue();
        }
        assertThat(result.get("bytes").asLong()).isEqualTo(bytes);
        assertThat(result.get("crc32sum").asLong()).isEqualTo(crcSum);
        assertThat(result.get("files").asLong()).isEqualTo(5);
        // The shared file past the last slice and the reader's read-ahead (4 chunks) was fetched by no worker.
        for (int w = 1; w <= 2; w++) {
            List<String> cached = TestWorkers.files(dir.resolve("worker-" + w), "chunks").stream()
                    .map(p -> p.getFileName().toString()).toList();
            assertThat(cached).contains(DataEndToEndTest.sha(Arrays.copyOfRange(shared, 6 * CHUNK, 7 * CHUNK)));
            for (int c = 12; c < 30; c++) {
                assertThat(cached).doesNotContain(DataEndToEndTest.sha(Arrays.copyOfRange(shared, c * CHUNK, (c + 1) * CHUNK)));
            }
        }
    }
}
