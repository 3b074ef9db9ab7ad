package org.enjambre.coordinator.sim;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole-swarm simulation in the suite: many seeds, each one run of the real scheduling daemons on
 * simulated peers, workers, network and store with the faults of its mix, every invariant checked.
 * Properties: {@code sim.seeds} (default 300), {@code sim.start} (first seed, default 1), {@code sim.mix}
 * (faults for every seed, e.g. {@code peerKill,slowTimers} or {@code all}; by default seeds cycle through
 * {@link SimRunner#MIXES}), {@code sim.seed} (one seed for {@link #replay}).
 */
class SwarmSimulationTest {

    @Test
    void seeds_everyMix_invariantsHold() {
        SimRunner.Summary s = SimRunner.run(Long.getLong("sim.start", 1), Integer.getInteger("sim.seeds", 300),
                System.getProperty("sim.mix"));
        System.out.println(s.table());
        if (!s.failures().isEmpty()) {
            throw s.failures().get(0);
        }
    }

    @Test
    void sameSeed_replaysIdentically() {
        Set<Fault> all = EnumSet.allOf(Fault.class);
        Swarm a = new Swarm(4242, all, SimRunner.METRICS);
        Swarm b = new Swarm(4242, all, SimRunner.METRICS);
        long ha = hashOf(a);
        long hb = hashOf(b);
        assertTrue(a.trace.lines() > 100, "a run does something: " + a.trace.lines() + " events traced");
        assertEquals(a.trace.lines(), b.trace.lines());
        assertEquals(ha, hb, "two runs of seed 4242 traced differently");
    }

    private static long hashOf(Swarm s) {
        try {
            s.run();
        } catch (SimFailure f) {
            // a failing seed replays its failure identically too
        }
        return s.trace.hash();
    }

    /** Replays one seed on demand ({@code -Dsim.seed=N -Dsim.mix=...}) and prints its last events and outcome. */
    @Test
    void replay() {
        String seed = System.getProperty("sim.seed");
        if (seed == null) {
            return;
        }
        long n = Long.parseLong(seed);
        Swarm s = new Swarm(n, SimRunner.mixOf(n, System.getProperty("sim.mix")), SimRunner.METRICS);
        Swarm.Result r = s.run();
        System.out.println(s.trace.tail() + "\n" + r);
    }
}
