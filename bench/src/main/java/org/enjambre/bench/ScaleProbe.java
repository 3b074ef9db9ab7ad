package org.enjambre.bench;

import org.enjambre.coordinator.Coordinator;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * In its own JVM (known heap, nothing else in it): starts a coordinator, submits one job of N noop units
 * over HTTP, and answers with the time until 201, the time until every unit is indexed as ready, and the
 * used heap after a full GC before and after. Prints {@code @scale ...}.
 */
public final class ScaleProbe {
    private ScaleProbe() {
    }

    public static void main(String[] args) throws Exception {
        int units = Integer.parseInt(args[0]);
        Path dir = Files.createTempDirectory("enjambre-bench-scale");
        try (Coordinator c = Coordinator.start(Bench.coordinatorOptions(dir))) {
            Submitter s = new Submitter(c.url(), c.apiKey());
            // Warm the path once with a small job, so class loading is not counted in the heap or the time.
            s.submit(Submitter.noopJob("warm-up", 100, 2, 2));
            awaitReady(c, 100);
            long before = usedHeapAfterGc();
            long t0 = System.nanoTime();
            s.submit(Submitter.noopJob("one million", units, 2, 2));
            double acceptSeconds = (System.nanoTime() - t0) / 1e9;
            boolean indexed = awaitReady(c, 100L + units);
            double indexedSeconds = (System.nanoTime() - t0) / 1e9;
            long after = usedHeapAfterGc();
            System.out.println(Answer.format("scale", "units", units,
                    "acceptSeconds", String.format(java.util.Locale.ROOT, "%.3f", acceptSeconds),
                    "indexedSeconds", indexed ? String.format(java.util.Locale.ROOT, "%.3f", indexedSeconds) : "-1",
                    "heapBefore", before, "heapAfter", after,
                    "maxHeap", Runtime.getRuntime().maxMemory()));
            System.out.flush();
        } finally {
            Bench.deleteTree(dir);
        }
        System.exit(0);
    }

    /** Waits until the peer's index holds {@code n} ready units (the entry listener runs behind the map). */
    private static boolean awaitReady(Coordinator c, long n) throws InterruptedException {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (System.nanoTime() < deadline) {
            long ready = 0;
            for (com.fasterxml.jackson.databind.JsonNode peer : c.clusterView().get("peers")) {
                ready += peer.get("readyUnits").asLong();
            }
            if (ready >= n) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
