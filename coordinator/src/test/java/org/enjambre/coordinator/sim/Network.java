package org.enjambre.coordinator.sim;

import java.util.SplittableRandom;

/**
 * Messages between workers and peers (and between peers): each is delivered after a delay; while network
 * faults are on, some are lost and some delivered twice, and delays are long.
 */
final class Network {
    private final Swarm swarm;
    private final SplittableRandom random;
    private final boolean faulty;
    long lost;
    long duplicated;

    Network(Swarm swarm, SplittableRandom random, boolean faulty) {
        this.swarm = swarm;
        this.random = random;
        this.faulty = faulty;
    }

    /** Whether faults are on now (only during the run's fault window). */
    boolean faultyNow() {
        return faulty && swarm.inFaultWindow();
    }

    /** Sends a message: {@code deliver} runs at the receiver after a delay, maybe never, maybe twice. */
    void deliver(String what, Runnable deliver) {
        boolean bad = faultyNow();
        if (bad && random.nextDouble() < 0.05) {
            lost++;
            swarm.log("net", "lost: " + what);
            return;
        }
        swarm.after(delay(bad), deliver);
        if (bad && random.nextDouble() < 0.03) {
            duplicated++;
            swarm.log("net", "duplicated: " + what);
            swarm.after(delay(bad), deliver);
        }
    }

    private long delay(boolean bad) {
        return bad && random.nextDouble() < 0.2 ? random.nextLong(50, 5000) : random.nextLong(1, 40);
    }
}
