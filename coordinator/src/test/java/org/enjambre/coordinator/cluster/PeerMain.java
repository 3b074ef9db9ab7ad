package org.enjambre.coordinator.cluster;

import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.CoordinatorOptions;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The main class of a coordinator peer started by {@link PeerProcess} in its own JVM. Arguments are
 * {@code --name value} pairs ({@code data-dir port cluster-port cluster secret api-key db join}). It prints
 * {@code READY <url>} once the peer serves, then answers one-line questions on standard input
 * ({@code safe}: whether every partition has its backups, {@code members}: the cluster size). SIGTERM
 * stops the peer gracefully; the end of standard input (the test JVM died) halts it at once.
 */
public final class PeerMain {
    private PeerMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        CoordinatorOptions o = CoordinatorOptions.builder(Path.of(required(a, "data-dir")))
                .host("127.0.0.1")
                .port(Integer.parseInt(required(a, "port")))
                .apiKey(required(a, "api-key"))
                .cluster(required(a, "cluster"), a.get("secret"))
                .clusterPort(Integer.parseInt(required(a, "cluster-port")))
                .db(required(a, "db"))
                .allowSameHost(true)
                .deadlineCheckMillis(200);
        String join = a.getOrDefault("join", "");
        if (!join.isEmpty()) {
            o.join(List.of(join.split(",")));
        }
        Coordinator c;
        try {
            c = Coordinator.start(o);
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.out.println("FAILED " + e.getMessage());
            System.out.flush();
            Runtime.getRuntime().halt(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(c::close, "peer-shutdown"));
        System.out.println("READY " + c.url());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "safe" -> System.out.println("SAFE " + c.node().hazelcast().getPartitionService().isClusterSafe());
                case "members" -> System.out.println("MEMBERS " + c.node().hazelcast().getCluster().getMembers().size());
                default -> System.out.println("UNKNOWN " + line);
            }
            System.out.flush();
        }
        Runtime.getRuntime().halt(3);
    }

    private static Map<String, String> parse(String[] args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("arguments come in --name value pairs: " + Arrays.toString(args));
        }
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("'" + args[i] + "' is not an --option");
            }
            out.put(args[i].substring(2), args[i + 1]);
        }
        return out;
    }

    private static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}
