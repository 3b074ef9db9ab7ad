package org.enjambre.workunits.trust.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulationTest {

    @Test
    void sameSeed_sameReport() {
        Scenario s = new Scenario(200, 5_000, 0.2, 0.5, true, false, 3);
        for (Policy p : Policies.all()) {
            assertThat(Simulation.run(s, p)).isEqualTo(Simulation.run(s, p));
        }
    }

    @Test
    void withoutSaboteurs_nothingIsWrongAndVotingCostsExactlyM() {
        Scenario honest = Scenario.colluding(50, 2_000, 0, 1, 1);
        Report two = Simulation.run(honest, Policy.voting(2));
        assertThat(two.wrong()).isZero();
        assertThat(two.redundancy()).isEqualTo(2.0);
        Report best = Simulation.run(honest, Policies.credibility());
        assertThat(best.wrong()).isZero();
        assertThat(best.honestBlacklisted()).isZero();
    }

    @Test
    void nonColludingSaboteursNeverAgree_soQuorumTwoAcceptsNoWrongResult() {
        Report r = Simulation.run(new Scenario(200, 10_000, 0.2, 1, false, false, 5), Policy.voting(2));
        assertThat(r.wrong()).isZero();
        assertThat(r.redundancy()).isGreaterThan(2.0);
    }

    @Test
    void spotChecks_blacklistEverySaboteurThatAlwaysLies_andNoHonestWorker() {
        Report r = Simulation.run(Scenario.colluding(200, 20_000, 0.1, 1, 5), Policies.spotChecksOnly());
        assertThat(r.saboteursBlacklisted()).isEqualTo(20);
        assertThat(r.honestBlacklisted()).isZero();
        assertThat(r.spotChecks()).isPositive();
        // A lone result waits until its worker has passed a check; a saboteur that always lies never passes one, so
        // every lie is caught and recomputed (before that rule, the lies told before the first check stayed).
        assertThat(r.wrong()).isZero();
        assertThat(r.results()).isGreaterThan(20_000);
    }

    @Test
    void backtracking_recomputesWhatACaughtSaboteurDid() {
        // credibility: a saboteur's results wait, so when it is caught every one of them is recomputed
        Report r = Simulation.run(Scenario.colluding(50, 20_000, 0.1, 1, 9), Policies.credibility());
        assertThat(r.wrong()).isZero();
        assertThat(r.saboteursBlacklisted()).isEqualTo(5);
        assertThat(r.results()).isGreaterThan(20_000); // the invalidated results were computed again
    }

    @Test
    void rejoin_bringsBlacklistedSaboteursBackUnderNewIdentities() {
        Report r = Simulation.run(new Scenario(50, 20_000, 0.1, 1, true, true, 9), Policies.credibility());
        assertThat(r.saboteursBlacklisted()).isGreaterThan(5);
        assertThat(r.wrong()).isZero();
    }

    @Test
    void scenario_rejectsNonsense() {
        assertThatThrownBy(() -> Scenario.colluding(1, 10, 0.1, 1, 1)).hasMessage("workers (1) must be at least 2");
        assertThatThrownBy(() -> Scenario.colluding(10, 0, 0.1, 1, 1)).hasMessage("units (0) must be at least 1");
        assertThatThrownBy(() -> Scenario.colluding(10, 10, 1, 1, 1)).hasMessage("saboteurFraction (1.0) must be in [0, 1)");
        assertThatThrownBy(() -> Scenario.colluding(10, 10, 0.1, 2, 1)).hasMessage("sabotageRate (2.0) must be in [0, 1]");
        assertThat(Scenario.colluding(1000, 10, 0.1, 1, 1).saboteurs()).isEqualTo(100);
    }

    @Test
    void report_errorRateAndRedundancy() {
        Report r = new Report("p", Scenario.colluding(10, 100, 0.1, 1, 1), 80, 2, 20, 150, 30, 1, 0);
        assertThat(r.errorRate()).isEqualTo(0.025);
        assertThat(r.redundancy()).isEqualTo(1.8);
        assertThat(SabotageTable.cell(r)).isEqualTo("0.025 · 1.80 (20 failed)");
    }

    @Test
    void sabotageTable_rewritesTheMarkedPartOfAFile(@TempDir Path dir) throws Exception {
        Path md = dir.resolve("SABOTAGE.md");
        Files.writeString(md, "# title\n" + SabotageTable.BEGIN + "\nold table\n" + SabotageTable.END + "\nafter\n");
        SabotageTable.main(new String[]{"--workers", "20", "--units", "300", "--seed", "2", "--update", md.toString()});
        String text = Files.readString(md);
        assertThat(text).startsWith("# title\n" + SabotageTable.BEGIN + "\n20 workers, 300 units, seed 2");
        assertThat(text).doesNotContain("old table").endsWith(SabotageTable.END + "\nafter\n");
        for (Policy p : Policies.all()) {
            assertThat(text).contains("| " + p.name() + " | ");
        }
        assertThatThrownBy(() -> SabotageTable.main(new String[]{"--bogus", "1"}))
                .hasMessage("unknown option --bogus (known: --workers, --units, --seed, --threads, --update)");
    }
}
