package org.enjambre.coordinator.sim;

import java.util.Set;
import java.util.stream.Collectors;

/** A broken invariant: says which, the seed and mix that replay it, and the run's last events. */
final class SimFailure extends AssertionError {
    final long seed;
    final String what;
    /** Whether it is a known open stall rather than a broken invariant. */
    final boolean known;

    SimFailure(long seed, Set<Fault> faults, String what, String trace, boolean known) {
        super("simulation seed " + seed + " (mix " + mix(faults) + "): " + what + "\n  replay: mvn -B -o -pl coordinator -am test"
                + " -Dtest=SwarmSimulationTest#replay -Dsim.seed=" + seed + " -Dsim.mix=" + mix(faults)
                + " -Dsurefire.failIfNoSpecifiedTests=false\n  last " + Trace.KEEP + " events (seconds, who, what):\n" + trace);
        this.seed = seed;
        this.what = what;
        this.known = known;
    }

    static String mix(Set<Fault> faults) {
        return faults.isEmpty() ? "none" : faults.stream().map(Fault::camel).collect(Collectors.joining(","));
    }
}
