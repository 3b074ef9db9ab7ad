package org.enjambre.coordinator.sim;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    /**
     * Seed 106961 (all faults): saboteurs blacklisted, the other workers used up; a unit whose replicas went to
     * every worker left can be given to nobody (placement: one result per worker). It used to wait silently
     * until the run's bound (reported as a placement stall, with 101626 and others); the production placement
     * watcher (issue 15 item 4) now fails the unit, and its job, naming the reason, within the bound. (The seed moves
     * whenever the issuer's draws change: 101626, 101782, 101962 and 104115 were it before the simulation ran the
     * production assimilator and spot-checks and a released replica stopped binding its worker; 101214 until a quorum
     * with spot-checks needed a checked worker, after which no seed of 101000–105999 stalled on placement; 106241 until
     * the seventh session's probation, known-answer pool and vouching rule.)
     */
    @Test
    void seed106961_everyWorkerLeftHeldTheUnit_jobFailsNamingPlacement() {
        Swarm swarm = new Swarm(106961, EnumSet.allOf(Fault.class), SimRunner.METRICS);
        Swarm.Result r = swarm.run();
        assertEquals(r.stats().jobs(), r.stats().completed() + r.stats().failed(), "every job is final: " + r.stats());
        assertTrue(swarm.jobIds().stream().map(id -> swarm.jobs().find(id).orElseThrow())
                        .anyMatch(j -> j.state() == org.enjambre.workunits.model.JobState.FAILED
                                && j.failure() != null && j.failure().contains("no eligible worker")),
                "a job failed naming the placement stall: " + r.stats());
    }

    /**
     * Seed 100003 (all faults): saboteurs blacklisted while they held replicas of running units; the report
     * that blacklisted each released them on every peer, and the run completes right. (It was seed 100209, then
     * 100200, then 100000, until the fourth session's spot-check rules, the production spot-checks and the seventh
     * session's known-answer pool and probation changed the runs' draws.)
     */
    @Test
    void seed100003_blacklistedSaboteur_releasedEverywhereAndJobsComplete() {
        Swarm.Result r = new Swarm(100003, EnumSet.allOf(Fault.class), SimRunner.METRICS).run();
        assertEquals(r.stats().jobs(), r.stats().completed() + r.stats().failed());
        assertTrue(r.stats().blacklisted() > 0, "a saboteur was blacklisted: " + r.stats());
    }

    /**
     * Seed 2153 (peer kills, starved timers), a bug of the simulation's own fault schedule: of two peers, one was
     * armed to die at its next commit, the other was killed meanwhile, and the armed one then died too — the
     * last peer, taking the cluster's memory with it, which no real single kill does. The last live peer is
     * spared now, and every job completes within its bound.
     */
    @Test
    void seed2153_armedPeerIsTheLastOne_spared() {
        Swarm.Result r = new Swarm(2153, EnumSet.of(Fault.PEER_KILL, Fault.SLOW_TIMERS), SimRunner.METRICS).run();
        assertEquals(r.stats().jobs(), r.stats().completed() + r.stats().failed(), r.toString());
    }

    /**
     * Seeds 100318, 100376 and 100959 (all faults) stall without the rule that gives a unit not accepted, with
     * nothing in flight and nothing to judge, one more replica: a credibility unit reopened after a saboteur was
     * caught kept only a result judged VALID already, so nothing waited for credibility and no replica was asked for;
     * it sat IN_PROGRESS with every replica over until the run's bound. (Found as seeds 101036, 102934, 106350, whose
     * runs drifted since; seeds drift whenever the issuer's draws change, the rule itself is tested in
     * TransitionerTrustExtensionsTest.)
     */
    @Test
    void seeds100318_100376_100959_reopenedCredibilityUnits_neverStall() {
        for (long seed : new long[]{100318, 100376, 100959}) {
            Swarm.Result r = new Swarm(seed, EnumSet.allOf(Fault.class), SimRunner.METRICS).run();
            assertEquals(r.stats().jobs(), r.stats().completed() + r.stats().failed(), "seed " + seed + ": " + r);
        }
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
