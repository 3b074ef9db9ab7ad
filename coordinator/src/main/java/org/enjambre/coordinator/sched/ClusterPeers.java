package org.enjambre.coordinator.sched;

import org.enjambre.coordinator.cluster.PeerTransport;
import org.enjambre.coordinator.cluster.PeerQuestion;
import org.enjambre.workunits.model.WorkerRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The other coordinator peers as the scheduler's daemons see them, over a {@link PeerTransport}: Hazelcast in
 * production, the simulated network in the whole-swarm simulation (which runs this class too).
 */
public final class ClusterPeers implements Peers {
    private final PeerTransport peers;

    public ClusterPeers(PeerTransport peers) {
        this.peers = peers;
    }

    @Override
    public List<String> readyElsewhere(WorkerRef ref, Set<String> apps, int n) {
        List<String> keys = new ArrayList<>();
        for (String[] answer : peers.askOthers(new PeerQuestion.FindReady(ref, apps, n))) {
            keys.addAll(List.of(answer));
        }
        return keys;
    }

    @Override
    public void credibilityRaised(String workerId, double credibility) {
        peers.tellAll(new PeerQuestion.CredibilityRaised(workerId, credibility));
    }

    @Override
    public int releaseEverywhere(String workerId, Set<String> keep, String reason) {
        int released = 0;
        for (Integer n : peers.askAll(new PeerQuestion.ReleaseReplicas(workerId, keep, reason))) {
            released += n;
        }
        return released;
    }
}
