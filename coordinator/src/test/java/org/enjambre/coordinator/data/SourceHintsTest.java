package org.enjambre.coordinator.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sources a file's manifest names to workers (README, "Data files"): the placement holders of each chunk among
 * the peers that set a public URL, the workers sharing their cache that announced the file earlier, and the bad
 * copies workers report (a sharer named no more, a peer's corrupt copy replaced). Real peers in one JVM.
 */
class SourceHintsTest {
    static final int CHUNK = LocalPeers.CHUNK;

    @TempDir
    Path dir;
    LocalPeers cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Harness.Response manifest(String url, String token, String id, String share) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "/api/v1/files/" + id)).GET();
        if (share != null) {
            b.header("X-Enjambre-Share", share);
        }
        return Uploads.send(b, token);
    }

    static Harness.Response report(String url, String token, String body) {
        return Uploads.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/data/reports"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)), token);
    }

    static List<String> urls(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    Uploads upload(Coordinator to, int chunks, int seed) {
        byte[] bytes = new byte[chunks * CHUNK + 5];
        new Random(seed).nextBytes(bytes);
        Uploads u = Uploads.of(bytes, CHUNK);
        assertThat(u.uploadAll(to.url(), "f" + seed).json().get("complete").asBoolean()).isTrue();
        return u;
    }

    @Test
    void manifest_forAWorker_namesEachChunksPublicHolders_bestFirst() {
        cluster = new LocalPeers(dir, o -> o, true);
        List<Coordinator> peers = cluster.start3();
        Uploads u = upload(peers.get(0), 10, 1);
        Harness.Registered w = Harness.register(peers.get(1).url(), "reader", "wordcount");

        JsonNode m = manifest(peers.get(1).url(), w.token(), u.id(), null).json();
        JsonNode sources = m.get("sources");
        assertThat(sources).as(m.toString()).isNotNull();
        assertThat(urls(sources.get("sharers"))).isEmpty();
        List<String> named = urls(sources.get("peers"));
        assertThat(named).allMatch(url -> url.matches("http://127\\.0\\.0\\.1:\\d+")).doesNotHaveDuplicates();
        List<DataPeers.Peer> members = peers.stream().map(LocalPeers::asPeer).toList();
        for (int i = 0; i < u.hashes().size(); i++) {
            List<String> expected = Placement.holders(u.hashes().get(i), members, 2).stream().map(DataPeers.Peer::url).toList();
            List<String> got = new ArrayList<>();
            sources.get("holders").get(i).forEach(n -> got.add(named.get(n.asInt())));
            assertThat(got).as("holders of chunk " + i).isEqualTo(expected);
        }
        // The admin's view of the file names no sources (they are for workers).
        assertThat(Harness.call("GET", peers.get(1).url() + "/api/v1/files/" + u.id(), Harness.KEY, null).json().has("sources")).isFalse();
    }

    @Test
    void manifest_ofPeersWithoutPublicUrls_namesNoPeers() {
        cluster = new LocalPeers(dir, o -> o);
        List<Coordinator> peers = cluster.start3();
        Uploads u = upload(peers.get(0), 3, 2);
        Harness.Registered w = Harness.register(peers.get(0).url(), "reader", "wordcount");
        Harness.Response r = manifest(peers.get(0).url(), w.token(), u.id(), null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().has("sources")).as(r.body()).isFalse();
    }

    @Test
    void sharers_namedOnlyToLaterAnnouncers_andNoMoreOnceThreeWorkersReportedThem() {
        cluster = new LocalPeers(dir, o -> o);
        List<Coordinator> peers = cluster.start3();
        Uploads u = upload(peers.get(0), 3, 3);
        String p0 = peers.get(0).url();
        String p2 = peers.get(2).url();
        Harness.Registered a = Harness.register(p0, "a", "wordcount");
        Harness.Registered b = Harness.register(p0, "b", "wordcount");
        Harness.Registered c = Harness.register(p0, "c", "wordcount");

        assertThat(manifest(p0, a.token(), u.id(), "http://127.0.0.1:40001").json().has("sources")).as("nobody shared before a").isFalse();
        // b announces on another peer (what one peer saw, every peer sees); 0.0.0.0 is the address b is seen at.
        JsonNode forB = manifest(p2, b.token(), u.id(), "http://0.0.0.0:40002").json();
        assertThat(urls(forB.get("sources").get("sharers"))).containsExactly("http://127.0.0.1:40001");
        assertThat(manifest(p0, a.token(), u.id(), "http://127.0.0.1:40001").json().has("sources"))
                .as("b announced after a: a is never pointed to b (no waiting cycles)").isFalse();
        assertThat(urls(manifest(p0, c.token(), u.id(), null).json().get("sources").get("sharers")))
                .as("a worker that does not share sees every sharer, earliest first")
                .containsExactly("http://127.0.0.1:40001", "http://127.0.0.1:40002");

        String bad = "{\"reports\":[{\"file\":\"" + u.id() + "\",\"chunk\":\"" + u.hashes().get(0)
                + "\",\"source\":\"http://127.0.0.1:40001\",\"kind\":\"sharer\",\"reason\":\"hash mismatch\"}]}";
        for (int i = 0; i < Sharers.MAX_BAD; i++) {
            assertThat(report(p2, c.token(), bad).status()).isEqualTo(202);
        }
        assertThat(urls(manifest(p0, c.token(), u.id(), null).json().get("sources").get("sharers")))
                .as("one worker's reports count once").hasSize(2);
        List<Harness.Registered> others = List.of(Harness.register(p0, "d", "wordcount"), Harness.register(p0, "e", "wordcount"));
        assertThat(report(p0, others.get(0).token(), bad).status()).isEqualTo(202);
        assertThat(urls(manifest(p0, c.token(), u.id(), null).json().get("sources").get("sharers"))).hasSize(2);
        report(p0, others.get(1).token(), bad);
        assertThat(urls(manifest(p0, c.token(), u.id(), null).json().get("sources").get("sharers")))
                .as("a reported by " + Sharers.MAX_BAD + " workers").containsExactly("http://127.0.0.1:40002");
        assertThat(Harness.call("GET", p2 + "/metrics", null, null).body())
                .contains("enjambre_data_bad_copies_total{source=\"sharer\"} 3.0");
        assertThat(Harness.call("GET", p0 + "/metrics", null, null).body())
                .contains("enjambre_data_bad_copies_total{source=\"sharer\"} 2.0");
    }

    @Test
    void badInput_to_shareHeader_andReports_is400NamingTheField_andWorkersOnly() {
        cluster = new LocalPeers(dir, o -> o);
        Coordinator p = cluster.start(0);
        Uploads u = upload(p, 1, 4);
        Harness.Registered w = Harness.register(p.url(), "w", "wordcount");
        for (String header : List.of("ftp://127.0.0.1:1", "http://127.0.0.1", "http://127.0.0.1:1/x", "not a url", "http://h:70000")) {
            Harness.Response r = manifest(p.url(), w.token(), u.id(), header);
            assertThat(r.status()).as(header).isEqualTo(400);
            assertThat(r.json().at("/error/field").asText()).isEqualTo("X-Enjambre-Share");
        }
        String chunk = u.hashes().get(0);
        String ok = "{\"file\":\"" + u.id() + "\",\"chunk\":\"" + chunk + "\",\"source\":\"http://127.0.0.1:1\",\"kind\":\"peer\"}";
        assertThat(report(p.url(), w.token(), "{\"reports\":[]}").json().at("/error/field").asText()).isEqualTo("reports");
        assertThat(report(p.url(), w.token(), "{\"reports\":[" + ok.replace("\"peer\"", "\"friend\"") + "]}").json()
                .at("/error/field").asText()).isEqualTo("reports[0].kind");
        assertThat(report(p.url(), w.token(), "{\"reports\":[" + ok + "," + ok.replace(chunk, "abc") + "]}").json()
                .at("/error/field").asText()).isEqualTo("reports[1].chunk");
        assertThat(report(p.url(), w.token(), "{\"reports\":[" + ok.replace("http://127.0.0.1:1", "file:///etc") + "]}").json()
                .at("/error/field").asText()).isEqualTo("reports[0].source");
        assertThat(report(p.url(), w.token(), "{\"reports\":[" + ok.replace("\"kind\"", "\"extra\":1,\"kind\"") + "]}").json()
                .at("/error/field").asText()).isEqualTo("reports[0].extra");
        assertThat(report(p.url(), null, "{\"reports\":[" + ok + "]}").status()).isEqualTo(401);
        assertThat(report(p.url(), w.token(), "{\"reports\":[" + ok + "]}").status()).as("a peer URL no member has: counted only")
                .isEqualTo(202);
        assertThat(Harness.call("POST", p.url() + "/api/v1/chunks/" + chunk + "/verify", Harness.KEY, null).status())
                .as("only peers ask each other to re-verify").isEqualTo(403);
    }

    @Test
    void peerNamedAsTheSourceOfABadCopy_reverifiesIt_andReplacesItsCorruptCopy() throws Exception {
        cluster = new LocalPeers(dir, o -> o, true);
        List<Coordinator> peers = cluster.start3();
        Uploads u = upload(peers.get(0), 6, 5);
        String sha = u.hashes().get(3);
        List<DataPeers.Peer> members = peers.stream().map(LocalPeers::asPeer).toList();
        DataPeers.Peer holder = Placement.holders(sha, members, 2).get(0);
        int i = peers.stream().map(Coordinator::url).toList().indexOf(holder.url());
        Path onDisk = dir.resolve("peer" + i).resolve("chunks").resolve(sha.substring(0, 2)).resolve(sha);
        byte[] good = Files.readAllBytes(onDisk);
        byte[] corrupt = good.clone();
        corrupt[100] ^= 1;
        Files.write(onDisk, corrupt);

        Coordinator other = peers.get((i + 1) % 3);
        Harness.Registered w = Harness.register(other.url(), "w", "wordcount");
        String body = "{\"reports\":[{\"file\":\"" + u.id() + "\",\"chunk\":\"" + sha + "\",\"source\":\"" + holder.url()
                + "/\",\"kind\":\"peer\"}]}";
        assertThat(report(other.url(), w.token(), body.replace(holder.url() + "/", holder.url())).status()).isEqualTo(202);
        assertThat(Files.readAllBytes(onDisk)).as("the holder's copy, replaced from the other holder").isEqualTo(good);
        assertThat(Harness.call("GET", other.url() + "/metrics", null, null).body())
                .contains("enjambre_data_bad_copies_total{source=\"peer\"} 1.0");
    }
}
