package org.enjambre.coordinator.sim;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The kinds of fault a simulated run may inject; a run's mix is a set of them. */
enum Fault {
    /** A peer is killed ({@code kill -9}: deferred writes lost) and maybe restarted later. */
    PEER_KILL,
    /** Every peer is killed at once and the cluster restarts from the store. */
    FULL_RESTART,
    /** Workers crash, losing their tasks in flight, and come back with or without their data. */
    WORKER_CHURN,
    /** Colluding saboteurs (the same wrong answer) among the workers. */
    SABOTEURS,
    /** Lost requests and answers, delays, duplicates and replays of old reports. */
    NETWORK,
    /** CPU starvation: timers (deadline watcher, unstick, sweeps, index rebuilds) run late. */
    SLOW_TIMERS,
    /** Partitions move: a peer joins and takes a share. */
    PARTITION_MOVE;

    /** The mixes the suite cycles through, seed by seed. */
    static final Set<Fault> NONE = EnumSet.noneOf(Fault.class);

    /** Parses {@code peerKill,fullRestart,...} (names in camel case or upper case), or {@code all}. */
    static Set<Fault> parse(String mix) {
        Set<Fault> out = EnumSet.noneOf(Fault.class);
        if (mix == null || mix.isBlank() || mix.equals("none")) {
            return out;
        }
        for (String part : mix.split(",")) {
            String p = part.trim();
            if (p.equals("all")) {
                return EnumSet.allOf(Fault.class);
            }
            out.add(of(p));
        }
        return out;
    }

    private static Fault of(String name) {
        String upper = name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
        for (Fault f : values()) {
            if (f.name().equals(upper)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown fault '" + name + "'; known: peerKill, fullRestart, workerChurn, "
                + "saboteurs, network, slowTimers, partitionMove, all");
    }

    /** The name used on the command line. */
    String camel() {
        String[] w = name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder b = new StringBuilder(w[0]);
        for (int i = 1; i < w.length; i++) {
            b.append(Character.toUpperCase(w[i].charAt(0))).append(w[i].substring(1));
        }
        return b.toString();
    }
}
