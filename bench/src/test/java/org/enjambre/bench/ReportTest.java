package org.enjambre.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTest {

    private static Results results() {
        Results.Throughput typical = new Results.Throughput(8, 16, 10_000, 20_000, 2.0, 1500, 10, 0, 1.0, 0.5, 30_000);
        Results.Throughput wide = new Results.Throughput(16, 64, 10_000, 20_000, 1.0, 400, 5, 0, 0.8, 0.4, 20_000);
        Profile profile = new Profile(100, List.of(new Profile.Row("JdbcStore.commit", 40, 40.0)), List.of(), List.of(), List.of(),
                List.of(new Profile.Wait("FileForce", "TaskStore.put", 12, 480.4)));
        return new Results(new Results.Machine("Some CPU", 2, 8L << 30, "JDK 17", "Linux", "2026-01-01T00:00:00Z", 0.25), "the command",
                new Results.Baseline(20_000, 0.5, 40_000), new Results.Jppf(100_000, 1000, 5.0, 20_000, 500, 1.5, 3.0),
                new Results.Real(4, 2, 5_000, 10_000, 10.0, 2.0, 4.0, 2_000, 7, 3_000, profile, null), List.of(typical, wide), typical, new Latencies(200, 4.0, 12.5, 20),
                new Results.Scale(1_000_000, 3.5, 4.0, 100_000_000L, 700_000_000L, 4L << 30),
                new Results.Polling(10_000, 1000, 10_000, 0, new Latencies(10_000, 1003, 1100, 1200), 5, 0.5, "-"),
                profile, typical, List.of("a note"));
    }

    @Test
    void summary_computesRatesRatiosAndWhetherTargetsAreMet() {
        List<Report.Line> lines = Report.summary(results());
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).isEqualTo("Throughput, real workers (4 processes x --cores 2)");
            assertThat(l.value()).isEqualTo("1,000 task round-trips/s (0.05x JPPF, 0.03x Hazelcast)");
            assertThat(l.met()).isEqualTo("no");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).isEqualTo("CPU per round-trip, real: coordinator / all workers");
            assertThat(l.value()).isEqualTo("200 us / 400 us");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).isEqualTo("Coordinator only, simulated workers, typical (8 x batch 16)");
            assertThat(l.value()).isEqualTo("10,000 task round-trips/s (0.50x JPPF, 0.25x Hazelcast)");
            assertThat(l.met()).isEqualTo("no");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).isEqualTo("Coordinator only, simulated workers, best (16 x batch 64)");
            assertThat(l.value()).isEqualTo("20,000 task round-trips/s (1.00x JPPF, 0.50x Hazelcast)");
            assertThat(l.met()).isEqualTo("no");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).startsWith("Baseline: JPPF 6.2, one-task job");
            assertThat(l.value()).isEqualTo("1.50 ms / 3.00 ms");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).startsWith("CPU per round-trip, typical");
            assertThat(l.value()).isEqualTo("50 us / 25 us");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).startsWith("One-unit job, submit -> result, p50");
            assertThat(l.value()).isEqualTo("4.00 ms");
            assertThat(l.met()).isEqualTo("no");
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.what()).isEqualTo("Coordinator heap per queued unit");
            assertThat(l.value()).isEqualTo("600 B");
            assertThat(l.met()).isEqualTo("no");
        });
    }

    @Test
    void markdown_isEnclosedInMarkersAndHoldsTheCommandMachineAndProfile() {
        String md = Report.markdown(results());
        assertThat(md).startsWith(Report.BEGIN).endsWith(Report.END + "\n");
        assertThat(md).contains("```\nthe command\n```").contains("Some CPU, 2 cores, 8.0 GiB RAM").contains("load average 0.25 at the start")
                .contains("| `JdbcStore.commit` | 40 | 40.0 % |").contains("* a note")
                .contains("### Real workers: the shipped distribution").contains("| 5,000 | 10.00 | 1,000 | 0.05x | 0.03x | 200 µs | 400 µs | 2,000 (7) |")
                .contains("JPPF 6.2: a driver, a node").contains("20,000 tasks/s")
                .contains("| `TaskStore.put` | FileForce | 12 | 480 ms |");
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
