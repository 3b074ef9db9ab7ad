package org.enjambre.coordinator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fetch and report pass the token guard on the event loop for workers this peer registered or verified within a
 * minute ({@code Access.knownWorker}); a revocation must still be refused at once here, and within the record
 * cache's few seconds when another peer revoked.
 */
class TokenCacheTest {
    @TempDir
    Path dir;
    private final List<Coordinator> peers = new ArrayList<>();

    @AfterEach
    void stop() {
        peers.forEach(Coordinator::close);
    }

    @Test
    void fetchAndReport_revokedRightAfterRegistering_refusedAtOnce() {
        Coordinator c = start(Harness.options(dir.resolve("a")));
        String url = c.url();
        Harness.Registered w = Harness.register(url, "fresh", "primes");
        assertThat(Harness.fetch(url, w.token(), 1).status()).isEqualTo(200);

        Harness.Response revoked = Harness.call("DELETE", url + "/api/v1/workers/" + w.id(), Harness.KEY, null);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);

        assertRevoked(Harness.fetch(url, w.token(), 1));
        assertRevoked(Harness.report(url, w.token(), Map.of()));
    }

    @Test
    void fetch_revokedOnAnotherPeer_refusedOnceThisPeersRecordIsOlderThanItsCache() {
        TestClock clock = new TestClock();
        String cluster = "test-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String db = "jdbc:h2:file:" + dir.resolve("shared").toAbsolutePath() + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
        int firstPort = Harness.freePort();
        Coordinator a = start(Harness.options(dir.resolve("a")).clock(clock).cluster(cluster, "s3cret").clusterPort(firstPort).db(db));
        Coordinator b = start(Harness.options(dir.resolve("b")).clock(clock).cluster(cluster, "s3cret").clusterPort(Harness.freePort())
                .db(db).join(List.of("127.0.0.1:" + firstPort)));
        Harness.Registered w = Harness.register(a.url(), "on-a", "primes");
        assertThat(Harness.fetch(a.url(), w.token(), 1).status()).isEqualTo(200);

        Harness.Response revoked = Harness.call("DELETE", b.url() + "/api/v1/workers/" + w.id(), Harness.KEY, null);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertRevoked(Harness.fetch(b.url(), w.token(), 1));

        // Peer a still vouches for the token (a minute), but re-reads the record once its copy is 3 s old.
        clock.advance(Duration.ofSeconds(3));
        assertRevoked(Harness.fetch(a.url(), w.token(), 1));
        assertRevoked(Harness.report(a.url(), w.token(), Map.of()));
    }

    @Test
    void tokensOfWorkersThatStoppedCalling_areForgottenAfterAMinute_andStillWorkWhenTheyComeBack() {
        TestClock clock = new TestClock();
        Coordinator c = start(Harness.options(dir.resolve("a")).clock(clock));
        String url = c.url();
        List<Harness.Registered> gone = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            gone.add(Harness.register(url, "gone-" + i, "primes"));
            assertThat(Harness.fetch(url, gone.get(i).token(), 1).status()).isEqualTo(200);
        }
        assertThat(c.workers().tokensCached()).isEqualTo(5);

        // A minute later one worker calls, then the peer's one-minute sweep runs: the five that have been silent since
        // are forgotten; it alone is cached.
        clock.advance(Duration.ofSeconds(61));
        Harness.Registered stays = Harness.register(url, "stays", "primes");
        assertThat(Harness.fetch(url, stays.token(), 1).status()).isEqualTo(200);
        c.workers().evictIdle();
        assertThat(c.workers().tokensCached()).isEqualTo(1);

        // A swept worker that comes back is verified again, not refused.
        assertThat(Harness.fetch(url, gone.get(0).token(), 1).status()).isEqualTo(200);
        assertThat(c.workers().tokensCached()).isEqualTo(2);
    }

    private Coordinator start(CoordinatorOptions o) {
        Coordinator c = Coordinator.start(o);
        peers.add(c);
        return c;
    }

    private static void assertRevoked(Harness.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(401);
        assertThat(r.json().get("error").get("code").asText()).isEqualTo("REVOKED");
    }
}
