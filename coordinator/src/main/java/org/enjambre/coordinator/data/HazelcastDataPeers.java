package org.enjambre.coordinator.data;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.HexFormat;
import java.util.List;

/**
 * {@link DataPeers} over Hazelcast: each peer publishes its HTTP URL in the map {@code data-peers} under its member
 * id once it serves; the cluster's data token is made by the first peer that asks ({@code putIfAbsent}) and kept
 * in the same map (backed up like every map). A peer whose URL is its {@code --public-url} also sets
 * {@code public/<member id>}. Entries of departed members stay but are never listed.
 */
public final class HazelcastDataPeers implements DataPeers {
    private static final String TOKEN_KEY = "@token";
    private static final String PUBLIC_PREFIX = "public/";
    private final HazelcastInstance hz;
    private final IMap<String, String> map;
    private final String token;

    public HazelcastDataPeers(HazelcastInstance hz) {
        this.hz = hz;
        this.map = hz.getMap("data-peers");
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String mine = "peer-" + HexFormat.of().formatHex(random);
        String existing = map.putIfAbsent(TOKEN_KEY, mine);
        this.token = existing == null ? mine : existing;
    }

    /** Publishes this peer's HTTP address (call once it serves); {@code isPublic}: it is the {@code --public-url}. */
    public void publish(String url, boolean isPublic) {
        if (isPublic) {
            map.set(PUBLIC_PREFIX + selfId(), "1");
        } else {
            map.delete(PUBLIC_PREFIX + selfId());
        }
        map.set(selfId(), url);
    }

    @Override
    public String selfId() {
        return hz.getCluster().getLocalMember().getUuid().toString();
    }

    @Override
    public List<Peer> members() {
        Set<Member> members = hz.getCluster().getMembers();
        Set<String> keys = new HashSet<>();
        for (Member m : members) {
            keys.add(m.getUuid().toString());
            keys.add(PUBLIC_PREFIX + m.getUuid());
        }
        Map<String, String> known = map.getAll(keys);
        List<Peer> out = new ArrayList<>();
        for (Member m : members) {
            String id = m.getUuid().toString();
            String url = known.get(id);
            if (url != null) {
                out.add(new Peer(id, url, known.containsKey(PUBLIC_PREFIX + id)));
            }
        }
        return out;
    }

    @Override
    public String token() {
        return token;
    }
}
