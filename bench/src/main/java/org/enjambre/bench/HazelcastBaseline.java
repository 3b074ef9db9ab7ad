package org.enjambre.bench;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;

import java.io.Serializable;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's floor: two Hazelcast members in this JVM on loopback, and N empty tasks submitted from one
 * to the other through {@link IExecutorService}, each returning a small result, with a bounded number in flight.
 * Prints {@code @baseline tasks=N seconds=S rate=R}.
 */
public final class HazelcastBaseline {
    /** In flight at once: enough to keep both members busy, as Enjambre's batches do. */
    static final int WINDOW = 1024;

    /** An empty task: it returns 0. */
    static final class Empty implements Callable<Integer>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer call() {
            return 0;
        }
    }

    private HazelcastBaseline() {
    }

    public static void main(String[] args) throws Exception {
        long tasks = Long.parseLong(args[0]);
        long warmup = Long.parseLong(args[1]);
        String cluster = "bench-hz-" + UUID.randomUUID().toString().substring(0, 8);
        int portA = Bench.freePort();
        int portB = Bench.freePort();
        HazelcastInstance a = Hazelcast.newHazelcastInstance(config(cluster, portA, portB));
        HazelcastInstance b = Hazelcast.newHazelcastInstance(config(cluster, portB, portA));
        try {
            if (a.getCluster().getMembers().size() != 2) {
                throw new IllegalStateException("the two baseline members did not form one cluster");
            }
            Member target = b.getCluster().getLocalMember();
            IExecutorService ex = a.getExecutorService("bench-baseline");
            run(ex, target, warmup);
            long t0 = System.nanoTime();
            run(ex, target, tasks);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.println(Answer.format("baseline", "tasks", tasks, "seconds", String.format(java.util.Locale.ROOT, "%.3f", seconds),
                    "rate", String.format(java.util.Locale.ROOT, "%.1f", tasks / seconds)));
            System.out.flush();
        } finally {
            b.shutdown();
            a.shutdown();
        }
        System.exit(0);
    }

    private static void run(IExecutorService ex, Member target, long n) throws InterruptedException {
        Semaphore window = new Semaphore(WINDOW);
        AtomicLong failures = new AtomicLong();
        Empty task = new Empty();
        ExecutionCallback<Integer> done = new ExecutionCallback<>() {
            @Override
            public void onResponse(Integer response) {
                window.release();
            }

            @Override
            public void onFailure(Throwable t) {
                failures.incrementAndGet();
                window.release();
            }
        };
        for (long i = 0; i < n; i++) {
            window.acquire();
            ex.submitToMember(task, target, done);
        }
        window.acquire(WINDOW);
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " baseline tasks failed");
        }
    }

    /** The fast, loopback-only member configuration from BUILD-NOTES.md. */
    static Config config(String cluster, int port, int peerPort) {
        Config cfg = new Config();
        cfg.setClusterName(cluster);
        cfg.setProperty("hazelcast.phone.home.enabled", "false");
        cfg.setProperty("hazelcast.logging.type", "slf4j");
        cfg.setProperty("hazelcast.socket.bind.any", "false");
        cfg.setProperty("hazelcast.wait.seconds.before.join", "0");
        NetworkConfig net = cfg.getNetworkConfig();
        net.setPort(port).setPortAutoIncrement(false);
        net.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port).addMember("127.0.0.1:" + peerPort);
        return cfg;
    }
}
