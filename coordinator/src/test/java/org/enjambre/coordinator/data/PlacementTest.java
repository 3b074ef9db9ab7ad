package org.enjambre.coordinator.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PlacementTest {
    static List<DataPeers.Peer> peers(int n) {
        List<DataPeers.Peer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new DataPeers.Peer("peer-" + i, "http://127.0.0.1:" + (9000 + i)));
        }
        return out;
    }

    static String chunk(int i) {
        byte[] b = new byte[16];
        new Random(i).nextBytes(b);
        return Uploads.sha(b);
    }

    @Test
    void holders_areRDistinctPeers_sameInAnyMemberOrder() {
        List<DataPeers.Peer> members = peers(5);
        List<DataPeers.Peer> reversed = new ArrayList<>(members);
        java.util.Collections.reverse(reversed);
        for (int i = 0; i < 100; i++) {
            List<DataPeers.Peer> h = Placement.holders(chunk(i), members, 2);
            assertThat(h).hasSize(2).doesNotHaveDuplicates();
            assertThat(Placement.holders(chunk(i), reversed, 2)).isEqualTo(h);
        }
        assertThat(Placement.holders(chunk(0), peers(1), 2)).hasSize(1);
    }

    @Test
    void peerLeaving_movesOnlyTheChunksItHeld() {
        List<DataPeers.Peer> members = peers(4);
        List<DataPeers.Peer> without = members.subList(0, 3);
        DataPeers.Peer gone = members.get(3);
        int moved = 0;
        for (int i = 0; i < 400; i++) {
            List<DataPeers.Peer> before = Placement.holders(chunk(i), members, 2);
            List<DataPeers.Peer> after = Placement.holders(chunk(i), without, 2);
            if (!before.contains(gone)) {
                assertThat(after).isEqualTo(before);
            } else {
                moved++;
                assertThat(after).containsAll(before.stream().filter(p -> !p.equals(gone)).toList());
            }
        }
        assertThat(moved).as("about r/n = half of the chunks had the leaving peer").isBetween(140, 260);
    }
}
