package org.enjambre.coordinator.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.enjambre.coordinator.model.JobRecord;
import org.enjambre.coordinator.store.Store;
import org.enjambre.coordinator.model.WorkerRecord;
import org.enjambre.workunits.model.WorkUnit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * This peer's Hazelcast member and the cluster's maps: {@code units} (every active work unit with its
 * replicas, keyed {@code jobId/index}), {@code jobs}, {@code workers}. Each map is partitioned across
 * the peers with synchronous backups and loaded from the store when the cluster starts.
 */
public final class ClusterNode implements AutoCloseable {
    public static final String UNITS = "units";
    public static final String JOBS = "jobs";
    public static final String WORKERS = "workers";

    private final HazelcastInstance hz;
    private final IMap<String, WorkUnit> units;
    private final IMap<String, JobRecord> jobs;
    private final IMap<String, WorkerRecord> workers;

    public ClusterNode(ClusterOptions options, Store store) {
        Loaders.Units unitLoader = new Loaders.Units(store);
        Loaders.Workers workerLoader = new Loaders.Workers(store);
        Loaders.Jobs jobLoader = new Loaders.Jobs(store);
        Config cfg = new Config();
        cfg.setClusterName(clusterIdentity(options));
        cfg.setInstanceName("enjambre-" + UUID.randomUUID());
        cfg.setProperty("hazelcast.phone.home.enabled", "false");
        cfg.setProperty("hazelcast.logging.type", "slf4j");
        cfg.setProperty("hazelcast.socket.bind.any", "false");
        cfg.setProperty("hazelcast.wait.seconds.before.join", options.members().isEmpty() && !options.multicast() ? "0" : "1");
        cfg.setProperty("hazelcast.shutdownhook.enabled", "false");
        NetworkConfig net = cfg.getNetworkConfig();
        net.setPort(options.port()).setPortAutoIncrement(false);
        net.setPublicAddress(options.host() + ":" + options.port());
        net.getInterfaces().setEnabled(true).addInterface(options.host());
        JoinConfig join = net.getJoin();
        join.getAutoDetectionConfig().setEnabled(false);
        join.getMulticastConfig().setEnabled(options.multicast());
        join.getTcpIpConfig().setEnabled(!options.multicast());
        join.getTcpIpConfig().addMember(options.host() + ":" + options.port());
        for (String m : options.members()) {
            join.getTcpIpConfig().addMember(m);
        }
        Serializers.register(cfg.getSerializationConfig());

        // OBJECT: entry processors change the stored unit without decoding and encoding it, and no entry event
        // carries it to the index (UnitFeed); measured in BENCHMARKS.md (*OBJECT units*).
        // Units in blocks of consecutive indexes, one partition each (UnitBlocks), so that a fetch's or a report's
        // events go out as one operation per block. Set for the whole member, not on the map: Hazelcast checks a map
        // loader's keys against the member's strategy (hazelcast/hazelcast#14670), so a map-level one fails loads.
        cfg.setProperty("hazelcast.partitioning.strategy.class", UnitBlocks.class.getName());
        cfg.addMapConfig(mapConfig(UNITS, options, unitLoader).setInMemoryFormat(InMemoryFormat.OBJECT));
        cfg.addMapConfig(mapConfig(JOBS, options, jobLoader));
        cfg.addMapConfig(mapConfig(WORKERS, options, workerLoader));

        this.hz = Hazelcast.newHazelcastInstance(cfg);
        this.jobs = hz.getMap(JOBS);
        this.workers = hz.getMap(WORKERS);
        this.units = hz.getMap(UNITS);
        units.addPartitionLostListener(e -> unitLoader.partitionLost());
        workers.addPartitionLostListener(e -> workerLoader.partitionLost());
        jobs.addPartitionLostListener(e -> jobLoader.partitionLost());
        // Eager maps finish loading on first use; touch them so the peer serves only once loaded.
        jobs.size();
        workers.size();
        units.size();
        unitLoader.loaded();
        workerLoader.loaded();
        jobLoader.loaded();
    }

    /**
     * A map loaded eagerly from the store. Not offloaded: Hazelcast (5.2+) runs every operation on a map with a loader
     * through its offloading step engine by default, which cost ~40 % of the coordinator's CPU per task round-trip for
     * the units (BENCHMARKS.md, eighth session), and made every credit update and job-record operation dearer
     * (eleventh session). Each loader answers a miss from memory once the initial load is over ({@code Loaders.Misses}:
     * a unit absent is an implicit fresh one; no job or worker ever leaves its map), so the partition threads may call
     * it directly; only after a lost partition does a miss read the store there.
     */
    private static MapConfig mapConfig(String name, ClusterOptions options, Object loader) {
        MapConfig mc = new MapConfig(name).setBackupCount(options.backupCount()).setAsyncBackupCount(0);
        mc.setMapStoreConfig(new MapStoreConfig().setEnabled(true).setImplementation(loader)
                .setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER).setOffload(false));
        return mc;
    }

    /** The cluster name on the wire: the name, plus a digest of the secret so that peers without it never join. */
    static String clusterIdentity(ClusterOptions options) {
        if (options.secret() == null || options.secret().isEmpty()) {
            return options.clusterName();
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((options.clusterName() + "\n" + options.secret()).getBytes(StandardCharsets.UTF_8));
            return options.clusterName() + "-" + HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether a key's partition is this peer's, by the partition table as it is now (a snapshot: a migration
     * after this call is not seen; the migration listener rebuilds what depends on it).
     */
    public java.util.function.Predicate<String> ownsNow() {
        com.hazelcast.partition.PartitionService ps = hz.getPartitionService();
        java.util.Set<com.hazelcast.partition.Partition> all = ps.getPartitions();
        boolean[] owned = new boolean[all.size()];
        for (com.hazelcast.partition.Partition p : all) {
            com.hazelcast.cluster.Member owner = p.getOwner();
            owned[p.getPartitionId()] = owner != null && owner.localMember();
        }
        return key -> owned[ps.getPartition(key).getPartitionId()];
    }

    /** Whether this peer owns the partition of {@code key} now (live, unlike {@link #ownsNow}). */
    public boolean owns(String key) {
        com.hazelcast.cluster.Member owner = hz.getPartitionService().getPartition(key).getOwner();
        return owner != null && owner.localMember();
    }

    public HazelcastInstance hazelcast() {
        return hz;
    }

    public IMap<String, WorkUnit> units() {
        return units;
    }

    /** The units map as the scheduling components see it. */
    public HazelcastUnitTable unitTable() {
        return new HazelcastUnitTable(units);
    }

    public IMap<String, JobRecord> jobs() {
        return jobs;
    }

    public IMap<String, WorkerRecord> workers() {
        return workers;
    }

    /** Leaves the cluster gracefully (partitions migrate to the other peers first). */
    @Override
    public void close() {
        hz.shutdown();
    }

    /** Stops at once, as a crash would: no migration, no goodbye. For tests. */
    public void crash() {
        hz.getLifecycleService().terminate();
    }
}
