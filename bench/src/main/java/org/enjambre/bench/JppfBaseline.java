package org.enjambre.bench;

import org.jppf.client.JPPFClient;
import org.jppf.client.JPPFJob;
import org.jppf.node.NodeRunner;
import org.jppf.node.protocol.AbstractTask;
import org.jppf.node.protocol.Task;
import org.jppf.server.JPPFDriver;
import org.jppf.utils.JPPFConfiguration;
import org.jppf.utils.TypedProperties;
import org.jppf.utils.configuration.JPPFProperties;

import java.util.List;
import java.util.Locale;

/**
 * The JPPF 6.2 baseline: a driver, a node and a client in this JVM, talking over loopback sockets, configured in
 * code (no file, no discovery broadcast). Empty tasks, each returning its own number; every
 * answer is counted and summed, so a lost or wrong answer fails the run. Prints
 * {@code @jppf tasks=N seconds=S rate=R jobs=J p50Ms=.. p99Ms=..}: the rate of jobs of many tasks, and the
 * round trip of one-task jobs. No validation, no replication, no durability: JPPF has none of them.
 */
public final class JppfBaseline {

    /** An empty task: its result is the number it was given. */
    public static final class Echo extends AbstractTask<Long> {
        private static final long serialVersionUID = 1L;
        private final long n;

        public Echo(long n) {
            this.n = n;
        }

        @Override
        public void run() {
            setResult(n);
        }
    }

    private JppfBaseline() {
    }

    /** Arguments: tasks to time, tasks per job, warm-up tasks, one-task jobs to time. */
    public static void main(String[] args) throws Exception {
        Child.exitWithParent();
        long tasks = Long.parseLong(args[0]);
        int perJob = Integer.parseInt(args[1]);
        long warmup = Long.parseLong(args[2]);
        int singles = Integer.parseInt(args[3]);
        int port = Bench.freePort();
        int threads = Runtime.getRuntime().availableProcessors();
        JPPFConfiguration.reset(common());
        // Driver, node and client in one JVM can deadlock on JPPF's JMX NIO pool: its class initializer and the
        // acceptor thread take two locks in opposite orders. Initializing it here, first, avoids the race.
        Class.forName("org.jppf.jmxremote.nio.JMXNioServerPool");
        JPPFDriver driver = new JPPFDriver(driverConfig(port)).start();
        NodeRunner node = new NodeRunner(nodeConfig(port, threads));
        Thread nodeThread = new Thread(() -> node.start(), "jppf-node");
        nodeThread.setDaemon(true);
        nodeThread.start();
        try (JPPFClient client = new JPPFClient(null, clientConfig(port))) {
            client.awaitWorkingConnectionPool();
            long id = 1;
            id = manyTasks(client, id, warmup, perJob);
            long t0 = System.nanoTime();
            manyTasks(client, id, tasks, perJob);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long[] rtt = new long[singles];
            for (int i = 0; i < singles / 10; i++) {
                manyTasks(client, 1, 1, 1);
            }
            for (int i = 0; i < singles; i++) {
                long s = System.nanoTime();
                manyTasks(client, i + 1, 1, 1);
                rtt[i] = System.nanoTime() - s;
            }
            Latencies l = Latencies.ofNanos(rtt);
            System.out.println(Answer.format("jppf", "tasks", tasks, "perJob", perJob,
                    "seconds", String.format(Locale.ROOT, "%.3f", seconds), "rate", String.format(Locale.ROOT, "%.1f", tasks / seconds),
                    "jobs", singles, "p50Ms", String.format(Locale.ROOT, "%.3f", l.p50Ms()), "p99Ms", String.format(Locale.ROOT, "%.3f", l.p99Ms())));
            System.out.flush();
        } finally {
            node.shutdown();
            driver.shutdown();
        }
        System.exit(0);
    }

    /** Runs tasks {@code first .. first+n-1} in jobs of {@code perJob}; fails unless every answer came back right. Returns the next number. */
    static long manyTasks(JPPFClient client, long first, long n, int perJob) throws Exception {
        long next = first;
        long end = first + n;
        while (next < end) {
            JPPFJob job = new JPPFJob();
            long expected = 0;
            int count = (int) Math.min(perJob, end - next);
            for (int i = 0; i < count; i++, next++) {
                job.add(new Echo(next));
                expected += next;
            }
            List<Task<?>> results = client.submit(job);
            long sum = 0;
            int answers = 0;
            for (Task<?> t : results) {
                if (t.getThrowable() != null) {
                    throw new IllegalStateException("a JPPF task failed: " + t.getThrowable(), t.getThrowable());
                }
                if (t.getResult() instanceof Long v) {
                    sum += v;
                    answers++;
                }
            }
            if (answers != count || sum != expected) {
                throw new IllegalStateException(String.format(Locale.ROOT, "JPPF: %d answers summing to %d for %d tasks (expected %d)",
                        answers, sum, count, expected));
            }
        }
        return next;
    }

    /** What every part shares: no discovery broadcast, no recovery heartbeats, no SSL. */
    static TypedProperties common() {
        TypedProperties p = new TypedProperties();
        p.set(JPPFProperties.DISCOVERY_ENABLED, false);
        p.set(JPPFProperties.PEER_DISCOVERY_ENABLED, false);
        // Management stays on (JPPF's default, JMX multiplexed on the driver's port): with it off, the 6.2 driver
        // drops a node's connection (a null PeerDriver) and the client's pool never becomes usable.
        p.set(JPPFProperties.MANAGEMENT_ENABLED, true);
        p.setString("jppf.management.host", "127.0.0.1");
        p.set(JPPFProperties.RECOVERY_ENABLED, false);
        p.setBoolean("jppf.ssl.enabled", false);
        p.setInt("jppf.ssl.server.port", -1);
        return p;
    }

    /** The driver: one plain port on loopback, no local node. */
    static TypedProperties driverConfig(int port) {
        TypedProperties p = common();
        p.set(JPPFProperties.SERVER_HOST, "127.0.0.1");
        p.set(JPPFProperties.SERVER_PORT, port);
        p.set(JPPFProperties.LOCAL_NODE_ENABLED, false);
        return p;
    }

    /** The node: connects to the driver on loopback, one processing thread per core. */
    static TypedProperties nodeConfig(int port, int threads) {
        TypedProperties p = common();
        p.set(JPPFProperties.SERVER_HOST, "127.0.0.1");
        p.set(JPPFProperties.SERVER_PORT, port);
        p.set(JPPFProperties.PROCESSING_THREADS, threads);
        p.setInt("jppf.node.management.port", Bench.freePort());
        return p;
    }

    /** The client: one named driver connection on loopback, no local execution. */
    static TypedProperties clientConfig(int port) {
        TypedProperties p = common();
        p.set(JPPFProperties.DRIVERS, new String[]{"bench"});
        p.setString("bench.jppf.server.host", "127.0.0.1");
        p.setInt("bench.jppf.server.port", port);
        p.set(JPPFProperties.LOCAL_EXECUTION_ENABLED, false);
        return p;
    }
}
