package org.enjambre.coordinator.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;
import org.enjambre.coordinator.store.Json;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code GET /api/v1/cluster}: the coordinator peers, their share of the partitions and their load (one
 * {@link PeerQuestion.Describe} to every peer). A peer that does not answer is listed with zeros.
 */
public final class ClusterView {
    private final HazelcastInstance hz;
    private final PeerQueries peers;

    public ClusterView(HazelcastInstance hz, PeerQueries peers) {
        this.hz = hz;
        this.peers = peers;
    }

    /** {@code {"peers": [...]}} as docs/api.md describes it. */
    public ObjectNode json() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("peers");
        Map<String, Integer> owned = new HashMap<>();
        for (Partition p : hz.getPartitionService().getPartitions()) {
            if (p.getOwner() != null) {
                owned.merge(p.getOwner().getUuid().toString(), 1, Integer::sum);
            }
        }
        Map<String, PeerQuestion.PeerStatus> loads = new HashMap<>();
        for (PeerQuestion.PeerStatus status : peers.askAll(new PeerQuestion.Describe())) {
            loads.put(status.id(), status);
        }
        Member me = hz.getCluster().getLocalMember();
        int total = hz.getPartitionService().getPartitions().size();
        for (Member m : hz.getCluster().getMembers()) {
            String id = m.getUuid().toString();
            ObjectNode p = arr.addObject();
            p.put("id", id);
            p.put("address", m.getAddress().getHost() + ":" + m.getAddress().getPort());
            PeerQuestion.PeerStatus l = loads.get(id);
            p.put("http", l == null ? null : l.http());
            p.put("local", m.equals(me));
            p.put("partitions", owned.getOrDefault(id, 0));
            p.put("partitionShare", Math.round(1000.0 * owned.getOrDefault(id, 0) / total) / 1000.0);
            p.put("units", l == null ? 0 : l.units());
            p.put("readyUnits", l == null ? 0 : l.readyUnits());
            p.put("tasksReported", l == null ? 0 : l.tasksReported());
            p.put("workers", l == null ? 0 : l.workers());
        }
        return n;
    }
}
