package org.enjambre.bench;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;

import java.io.Serializable;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's floor: two Hazelcast members in this JVM on loopback, and N empty tasks submitted from one
 * to the other through {@link IExecutorService}, each returning its own number, with a bounded number in flight.
 * Every answer is counted and summed, so a lost or wrong answer fails the run.
 * Prints {@code @baseline tasks=N seconds=S rate=R}.
 *
 * <p>Completions run on the thread that received the response ({@link #SAME_THREAD}). The first version of this
 * harness passed an {@code ExecutionCallback}, which Hazelcast runs on its default async executor: the common
 * fork-join pool, except where that pool has parallelism 1 (any 2-core machine), where Hazelcast starts
 * <em>a new thread for every callback</em>. That measured thread creation (~1,000–3,500/s, half of it system
 * time), not the executor.
 */
public final class HazelcastBaseline {
    /** In flight at once: enough to keep both members busy, as Enjambre's batches do. */
    static final int WINDOW = 1024;
    /** Runs a completion where the response arrives: no thread hop, no thread creation. */
    static final Executor SAME_THREAD = Runnable::run;

    /** An empty task: it returns the number it was given. */
    record Echo(long n) implements Callable<Long>, Serializable {
        @Override
        public Long call() {
            return n;
        }
    }

    private HazelcastBaseline() {
    }

    public static void main(String[] args) throws Exception {
        Child.exitWithParent();
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
            System.out.println(Answer.format("baseline", "tasks", tasks, "seconds", String.format(Locale.ROOT, "%.3f", seconds),
                    "rate", String.format(Locale.ROOT, "%.1f", tasks / seconds)));
            System.out.flush();
        } finally {
            b.shutdown();
            a.shutdown();
        }
        System.exit(0);
    }

    /** Runs tasks 1..n on {@code target}, at most {@link #WINDOW} in flight; fails unless every answer came back right. */
    static void run(IExecutorService ex, Member target, long n) throws InterruptedException {
        Semaphore window = new Semaphore(WINDOW);
        AtomicLong failures = new AtomicLong();
        AtomicLong answers = new AtomicLong();
        AtomicLong sum = new AtomicLong();
        for (long i = 1; i <= n; i++) {
            window.acquire();
            CompletionStage<Long> f = (CompletionStage<Long>) ex.submitToMember(new Echo(i), target);
            f.whenCompleteAsync((v, t) -> {
                if (t != null || v == null) {
                    failures.incrementAndGet();
                } else {
                    answers.incrementAndGet();
                    sum.addAndGet(v);
                }
                window.release();
            }, SAME_THREAD);
        }
        window.acquire(WINDOW);
        if (failures.get() > 0 || answers.get() != n || sum.get() != n * (n + 1) / 2) {
            throw new IllegalStateException(String.format(Locale.ROOT, "baseline: %d answers summing to %d for %d tasks "
                    + "(expected %d), %d failed", answers.get(), sum.get(), n, n * (n + 1) / 2, failures.get()));
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
