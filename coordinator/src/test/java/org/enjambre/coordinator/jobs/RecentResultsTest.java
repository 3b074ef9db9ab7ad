package org.enjambre.coordinator.jobs;

import org.enjambre.workunits.app.MergedResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The small results a peer keeps after completing their jobs, for the result route's event-loop answer. */
class RecentResultsTest {
    private static MergedResult json(int bytes) {
        return new MergedResult(MergedResult.JSON, new byte[bytes]);
    }

    @Test
    void smallResult_kept_largeAndPartedOnesNot() {
        RecentResults r = new RecentResults();
        MergedResult small = json(100);
        r.completed("j-small", small);
        r.completed("j-large", json(RecentResults.MAX_BODY + 1));
        byte[] parts = new ResultParts(0, java.util.List.of()).encode(); // output files, streamed from the store
        r.completed("j-parts", new MergedResult("application/octet-stream", parts));
        assertThat(r.get("j-small")).isSameAs(small);
        assertThat(r.get("j-large")).isNull();
        assertThat(r.get("j-parts")).isNull();
        assertThat(r.get("j-unknown")).isNull();
        assertThat(r.bytes()).isEqualTo(100);
    }

    @Test
    void pastTheBound_oldestForgottenFirst_bytesAccountedOnReplace() {
        RecentResults r = new RecentResults(1000);
        r.completed("a", json(400));
        r.completed("b", json(400));
        r.completed("a", json(300)); // merged again after a restart's sweep: replaces, stays in place
        assertThat(r.bytes()).isEqualTo(700);
        r.completed("c", json(400));
        assertThat(r.ids()).containsExactly("b", "c");
        assertThat(r.bytes()).isEqualTo(800);
        r.completed("d", json(1000));
        assertThat(r.ids()).containsExactly("d");
        assertThat(r.size()).isEqualTo(1);
    }
}
