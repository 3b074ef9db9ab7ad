package org.enjambre.worker.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The small one-file stores of the data directory: checkpoints, identity, blobs. */
class SmallStoresTest {
    @TempDir
    Path tmp;


    @Test
    void checkpoints_saveLoadAndRetainOnly() throws IOException {
        try (DataDir dir = DataDir.open(tmp)) {
            CheckpointStore store = new CheckpointStore(dir);
            store.save("j/1/0", new byte[] {1});
            store.save("j/1/0", new byte[] {2});
            store.save("j/2/0", new byte[] {3});
            assertThat(store.load("j/1/0")).hasValueSatisfying(b -> assertThat(b).containsExactly(2));
            store.retainOnly(Set.of("j/2/0"));
            assertThat(store.load("j/1/0")).isEmpty();
            assertThat(store.load("j/2/0")).isPresent();
        }
    }

    @Test
    void identity_roundTripsAndForgets() throws IOException {
        try (DataDir dir = DataDir.open(tmp)) {
            IdentityStore store = new IdentityStore(dir);
            assertThat(store.load()).isEmpty();
            Identity identity = new Identity("w-1", "secret", List.of("http://127.0.0.1:8080"), "box", 5);
            store.save(identity);
            assertThat(new IdentityStore(dir).load()).contains(identity);
            assertThat(identity.issuedBy(List.of(java.net.URI.create("http://127.0.0.1:8080/")))).isTrue();
            assertThat(identity.issuedBy(List.of(java.net.URI.create("http://127.0.0.1:9090")))).isFalse();
            store.clear();
            assertThat(store.load()).isEmpty();
        }
    }

    @Test
    void identity_unreadableFile_isTreatedAsAbsent() throws IOException {
        try (DataDir dir = DataDir.open(tmp)) {
            Files.writeString(dir.identityFile(), "{\"workerId\":\"w-1\"}");
            assertThat(new IdentityStore(dir).load()).isEmpty();
        }
    }

    @Test
    void blobs_keepOnlyVerifiedBytes() throws IOException {
        try (DataDir dir = DataDir.open(tmp)) {
            BlobStore blobs = new BlobStore(dir);
            byte[] module = {0, 'a', 's', 'm'};
            String sha = FileNames.sha256Hex(module);
            blobs.put(sha, module);
            assertThat(blobs.get(sha)).hasValueSatisfying(b -> assertThat(b).isEqualTo(module));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> blobs.put(sha, new byte[] {1}))
                    .hasMessageStartingWith("blob " + sha + " arrived with sha256 ");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> blobs.get("../identity.json"))
                    .hasMessageContaining("not a lowercase sha256");
        }
    }
}
