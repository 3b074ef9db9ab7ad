package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A coordinator stopped mid-job (crashed, closed, or its process killed with SIGKILL) and started again
 * on the same data directory: the job continues and completes with the right result, and every report
 * a worker saw acknowledged before the stop is still there.
 *
 * <p>Workers of the first run have a task budget, so the job is certainly unfinished when the peer
 * stops. The second run's clock is ten minutes ahead (a restart after a downtime): replicas the first
 * run handed out and never heard back about pass their deadline at once and are reissued.
 */
class RestartTest {
    private static final String SPEC = Harness.primesSpec(2, 10_000_000, 100, 2, 2, null);
    private static final int BUDGET = 24;

    @TempDir
    Path dir;
    Coordinator first;
    Coordinator second;
    Process process;
    final List<TestWorker> workers = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        workers.forEach(TestWorker::close);
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** What the first run left: the job, its units just before the stop, and every acknowledged report (task → worker). */
    record FirstRun(String job, JsonNode units, Map<String, String> acknowledged) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"crash", "close"})
    void restart_midJob_completesAndKeepsEveryAcknowledgedReport(String how) {
        first = Coordinator.start(Harness.options(dir));
        FirstRun run = runPartOfAJob(first.url(), () -> {
            if (how.equals("crash")) {
                first.crash();
            } else {
                first.close();
            }
        });
        first = null;
        completeAfterRestart(run);
    }

    @Test
    void killMinus9_ofACoordinatorProcess_completesAfterRestart() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(List.of(("--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED "
                + "--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED "
                + "--add-opens java.management/sun.management=ALL-UNNAMED "
                + "--add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED").split(" ")));
        cmd.addAll(List.of("-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=slf4j",
                "-cp", System.getProperty("java.class.path"), CoordinatorProcess.class.getName(), dir.toString()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    if (line.startsWith(CoordinatorProcess.URL_LINE)) {
                        url.complete(line.substring(CoordinatorProcess.URL_LINE.length()).trim());
                    }
                }
            } catch (Exception e) {
                // the process is gone
            }
            url.completeExceptionally(new AssertionError("the coordinator process ended without serving:\n"
                    + String.join("\n", output)));
        }, "coordinator-process-output");
        reader.setDaemon(true);
        reader.start();

        FirstRun run = runPartOfAJob(url.get(120, TimeUnit.SECONDS), () -> {
            process.destroyForcibly(); // SIGKILL
            try {
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            assertThat(process.exitValue()).as("exit status of a SIGKILLed JVM").isEqualTo(128 + 9);
        });
        completeAfterRestart(run);
    }

    /** Submits the job, lets three budgeted workers do a part of it, stops the peer, and closes the workers. */
    private FirstRun runPartOfAJob(String url, Runnable stopPeer) {
        String job = Harness.submit(url, SPEC);
        List<TestWorker> mine = new ArrayList<>();
        for (String name : List.of("a1", "b1", "c1")) {
            mine.add(new TestWorker(url, name, TestWorker.Behaviour.HONEST, BUDGET));
        }
        workers.addAll(mine);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> Harness.job(url, job).get("workUnits").get("done").asInt() >= 20);
        JsonNode units = Harness.units(url, job);
        stopPeer.run();
        Map<String, String> acknowledged = new HashMap<>();
        for (TestWorker w : mine) {
            w.close();
            w.acknowledged.forEach(task -> acknowledged.put(task, w.id));
        }
        assertThat(acknowledged.size()).as("reports acknowledged before the stop").isGreaterThanOrEqualTo(20);
        return new FirstRun(job, units, acknowledged);
    }

    private void completeAfterRestart(FirstRun run) {
        second = Coordinator.start(Harness.options(dir).clock(new TestClock(Duration.ofMinutes(10).toMillis())));
        String url = second.url();

        JsonNode job = Harness.job(url, run.job());
        assertThat(job.get("state").asText()).isEqualTo("RUNNING");
        assertThat(job.get("workUnits").get("total").asInt()).isEqualTo(100);
        assertThat(Harness.get(url + "/api/v1/jobs").get("jobs")).hasSize(1);
        JsonNode units = Harness.units(url, run.job());
        assertKept(run, units);
        // Worker histories were written with the reports that changed them.
        Map<String, JsonNode> view = Harness.workers(url);
        assertThat(view.keySet()).containsAll(run.acknowledged().values());
        for (String w : run.acknowledged().values().stream().distinct().toList()) {
            long validReplicas = 0;
            for (JsonNode u : units) {
                for (JsonNode r : u.get("replicas")) {
                    if (w.equals(r.get("worker").asText()) && r.get("validate").asText().equals("VALID")) {
                        validReplicas++;
                    }
                }
            }
            assertThat(view.get(w).get("valid").asLong()).as("valid results of %s", w).isEqualTo(validReplicas);
        }

        for (String name : List.of("a2", "b2", "c2")) {
            workers.add(new TestWorker(url, name, TestWorker.Behaviour.HONEST));
        }
        Harness.awaitJob(url, run.job(), "COMPLETED", Duration.ofSeconds(90));
        assertThat(Harness.call("GET", url + "/api/v1/jobs/" + run.job() + "/result", null, null).json().get("count").asLong())
                .isEqualTo(JobLifecycleTest.PRIMES_BELOW_TEN_MILLION);
        JsonNode done = Harness.units(url, run.job());
        assertKept(run, done);
        for (JsonNode u : done) {
            assertThat(u.get("state").asText()).isEqualTo("DONE");
            long valid = 0;
            for (JsonNode r : u.get("replicas")) {
                valid += r.get("validate").asText().equals("VALID") ? 1 : 0;
            }
            assertThat(valid).as("valid replicas of %s", u).isEqualTo(2);
        }
    }

    /** Whether every result of the unit (as the view before the stop showed it) was acknowledged to its worker. */
    private static boolean acknowledgedAll(FirstRun run, JsonNode unit) {
        for (JsonNode r : unit.get("replicas")) {
            if (r.get("outcome").asText().equals("SUCCESS")
                    && !run.acknowledged().containsKey(run.job() + "/" + unit.get("index").asInt() + "/" + r.get("replica").asInt())) {
                return false;
            }
        }
        return true;
    }

    /** Every acknowledged report, and every unit done before the stop by acknowledged reports, as they were. */
    private static void assertKept(FirstRun run, JsonNode units) {
        run.acknowledged().forEach((task, worker) -> {
            String[] parts = task.split("/");
            JsonNode u = units.get(Integer.parseInt(parts[1]));
            JsonNode r = u.get("replicas").get(Integer.parseInt(parts[2]));
            assertThat(r).as("replica %s in %s", task, u).isNotNull();
            assertThat(r.get("worker").asText()).as("worker of %s", task).isEqualTo(worker);
            assertThat(r.get("outcome").asText()).as("outcome of acknowledged %s in %s", task, u).isEqualTo("SUCCESS");
        });
        int checked = 0;
        for (JsonNode before : run.units()) {
            // DONE in memory when the view was read is durable only once the reports that made it so were
            // acknowledged: the peer may have been stopped between applying the last report and its commit.
            if (before.get("state").asText().equals("DONE") && acknowledgedAll(run, before)) {
                checked++;
                JsonNode after = units.get(before.get("index").asInt());
                assertThat(after.get("state").asText()).as("unit %s", after).isEqualTo("DONE");
                assertThat(after.get("canonical")).isEqualTo(before.get("canonical"));
                for (JsonNode r : before.get("replicas")) {
                    JsonNode now = after.get("replicas").get(r.get("replica").asInt());
                    assertThat(now.get("worker")).isEqualTo(r.get("worker"));
                    assertThat(now.get("validate")).isEqualTo(r.get("validate"));
                }
            }
        }
        assertThat(checked).as("units done by acknowledged reports before the stop").isGreaterThanOrEqualTo(10);
    }
}
