package org.enjambre.worker.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobStoreTest {
    private static final byte[] MODULE = "(module)".getBytes(StandardCharsets.US_ASCII);
    private static final String SHA = FileNames.sha256Hex(MODULE);

    @TempDir
    Path dir;

    @Test
    void put_thenGet_returnsTheVerifiedBytes() throws IOException {
        try (DataDir data = DataDir.open(dir)) {
            BlobStore blobs = new BlobStore(data);
            assertThat(blobs.get(SHA)).isEmpty();
            blobs.put(SHA, MODULE);
            assertThat(blobs.get(SHA)).hasValue(MODULE);
            assertThat(dir.resolve("blobs").resolve(SHA)).hasBinaryContent(MODULE);
        }
    }

    @Test
    void put_ofBytesWithAnotherHash_isRefusedAndKeepsNothing() throws IOException {
        try (DataDir data = DataDir.open(dir)) {
            BlobStore blobs = new BlobStore(data);
            String other = "f".repeat(64);
            assertThatThrownBy(() -> blobs.put(other, MODULE)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("blob " + other + " arrived with sha256 " + SHA);
            assertThat(blobs.get(other)).isEmpty();
        }
    }

    @Test
    void get_ofATamperedFile_isEmpty() throws IOException {
        try (DataDir data = DataDir.open(dir)) {
            BlobStore blobs = new BlobStore(data);
            blobs.put(SHA, MODULE);
            Files.write(dir.resolve("blobs").resolve(SHA), "(module evil)".getBytes(StandardCharsets.US_ASCII));
            assertThat(blobs.get(SHA)).isEmpty();
        }
    }

    @Test
    void aNameThatIsNotASha256_isRefused() throws IOException {
        try (DataDir data = DataDir.open(dir)) {
            assertThatThrownBy(() -> new BlobStore(data).get("../identity.json")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("not a lowercase sha256: ../identity.json");
        }
    }
}
