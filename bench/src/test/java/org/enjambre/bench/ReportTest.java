package org.enjambre.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTest {

    private static Results results() {
        Results.Throughput typical = new Results.Throughput(8, 16, 10_000, 20_000, 2.0, 1500, 10, 0, 1.0, 0.5, 30_000);
        Results.Throughput wide = new Results.Throughput(16, 64, 10_000, 20_000, 1.0, 400, 5, 0, 0.8, 0.4, 20_000);
        Profile profile = new Profile(100, List.of(new Profile.Row("JdbcStore.commit", 40, 40.0)), List.of(), List.of(), List.of());
        return new Results(new Results.Machine("Some CPU", 2, 8L << 30, "JDK 17", "Linux", "2026-01-01T00:00:00Z", 0.25), "the command",
                new Results.Baseline(20_000, 0.5, 40_000), List.of(typical, wide), typical, new Latencies(200, 4.0, 12.5, 20),
                new Results.Scale(1_000_000, 3.5, 4.0, 100_000_000L, 700_000_000L, 4L << 30),
                new Results.Polling(10_000, 1000, 10_000, 0, new Latencies(10_000, 1003, 1100, 1200), 5, 0.5, "-"),
                profile, typical, List.of("a note"));
    }

    @Test
    void summary_computesRatesRatiosAndWhetherTargetsAreMet() {
        List<Report.Line> lines = Report.summary(results());
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).isEqualTo("Throughput, typical (8 workers, batch 16)");
            assertThat(l.value()).isEqualTo("10,000 task round-trips/s");
            assertThat(l.met()).isEqualTo("no");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).isEqualTo("Throughput, best (16 workers, batch 64)");
            assertThat(l.value()).isEqualTo("20,000 task round-trips/s");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).startsWith("CPU per round-trip, typical");
            assertThat(l.value()).isEqualTo("50 us / 25 us");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).startsWith("Ratio Enjambre / Hazelcast");
            assertThat(l.value()).isEqualTo("0.25x / 0.50x");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).startsWith("One-unit job, submit -> result, p50");
            assertThat(l.value()).isEqualTo("4.00 ms");
            assertThat(l.met()).isEqualTo("yes");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).isEqualTo("Coordinator heap per queued unit");
            assertThat(l.value()).isEqualTo("600 B");
            assertThat(l.met()).isEqualTo("yes");
        });
    }

    @Test
    void markdown_isEnclosedInMarkersAndHoldsTheCommandMachineAndProfile() {
        String md = Report.markdown(results());
        assertThat(md).startsWith(Report.BEGIN).endsWith(Report.END + "\n");
        assertThat(md).contains("```\nthe command\n```").contains("Some CPU, 2 cores, 8.0 GiB RAM").contains("load average 0.25 at the start")
                .contains("| `JdbcStore.commit` | 40 | 40.0 % |").contains("* a note");
    }

    @Test
    void merge_replacesOnlyTheGeneratedSection() {
        String existing = "# Title\n\nintro\n\n" + Report.BEGIN + "\nold numbers\n" + Report.END + "\n\n## Analysis\nkept\n";
        String merged = Report.merge(existing, Report.BEGIN + "\nnew\n" + Report.END + "\n", "H", "F");
        assertThat(merged).isEqualTo("# Title\n\nintro\n\n" + Report.BEGIN + "\nnew\n" + Report.END + "\n\n## Analysis\nkept\n");
    }

    @Test
    void merge_writesHeaderAndFooterWhenThereIsNoSection() {
        assertThat(Report.merge(null, "G", "H", "F")).isEqualTo("HGF");
        assertThat(Report.merge("no markers here", "G", "H", "F")).isEqualTo("HGF");
    }
}
