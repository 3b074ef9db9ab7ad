package org.enjambre.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.enjambre.coordinator.http.Limits;
import org.enjambre.coordinator.store.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input of every kind the API takes: each gets its status and error code, and changes nothing
 * (jobs, workers, units and replicas as the API shows them are the same before and after).
 *
 * <p>One coordinator serves the whole class: a running primes job with one reported and one
 * outstanding replica is the state every test tries to disturb.
 */
class BadInputTest {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static String url;
    /** A running primes job of 10 units. */
    static String job;
    /** A worker that holds replica 0 of units 0 and 1 of {@link #job}; it reported unit 0's. */
    static Harness.Registered holder;
    static String reportedTask;
    static String outstandingTask;
    static byte[] outstandingOutput;

    @BeforeAll
    static void start() {
        // One fetch a minute after a burst of five: the flood test hits the limit, nothing else does.
        coordinator = Coordinator.start(Harness.options(dir).fetchLimit(1, 5));
        url = coordinator.url();
        job = Harness.submit(url, Harness.primesSpec(2, 1_000_000, 10, 2, 2, null));
        holder = Harness.register(url, "holder", "primes");
        JsonNode tasks = Harness.fetch(url, holder.token(), 2).json().get("tasks");
        assertThat(tasks).hasSize(2);
        reportedTask = tasks.get(0).get("id").asText();
        outstandingTask = tasks.get(1).get("id").asText();
        outstandingOutput = TestWorker.output(tasks.get(1));
        Harness.Response r = Harness.report(url, holder.token(), Map.of(reportedTask, TestWorker.output(tasks.get(0))));
        assertThat(r.json().get("accepted")).hasSize(1);
    }

    @AfterAll
    static void stop() {
        if (coordinator != null) {
            coordinator.close();
        }
    }

    /** Everything a bad request must not change, as the API shows it (timings left out). */
    static JsonNode state() {
        ObjectNode s = Json.MAPPER.createObjectNode();
        ArrayNode jobs = s.putArray("jobs");
        for (JsonNode j : Harness.get(url + "/api/v1/jobs").get("jobs")) {
            ObjectNode o = jobs.addObject();
            for (String f : List.of("id", "name", "app", "state", "priority", "workUnits", "tasks", "redundancy", "failure")) {
                o.set(f, j.get(f));
            }
            ArrayNode units = o.putArray("units");
            for (JsonNode u : Harness.units(url, j.get("id").asText())) {
                ObjectNode uo = units.addObject();
                for (String f : List.of("index", "state", "canonical", "failure")) {
                    uo.set(f, u.get(f));
                }
                ArrayNode reps = uo.putArray("replicas");
                for (JsonNode r : u.get("replicas")) {
                    ObjectNode ro = reps.addObject();
                    for (String f : List.of("replica", "worker", "state", "outcome", "validate", "sentAt", "deadline", "reportedAt")) {
                        ro.set(f, r.get(f));
                    }
                }
            }
        }
        ArrayNode workers = s.putArray("workers");
        for (JsonNode w : Harness.workers(url).values()) {
            ObjectNode o = workers.addObject();
            for (String f : List.of("id", "name", "apps", "credit", "reputation", "valid", "invalid", "errors", "reported", "blacklisted")) {
                o.set(f, w.get(f));
            }
        }
        return s;
    }

    static void assertError(Harness.Response r, int status, String code) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        JsonNode e = r.json().get("error");
        assertThat(e).as(r.body()).isNotNull();
        assertThat(e.get("code").asText()).isEqualTo(code);
        assertThat(e.get("message").asText()).isNotBlank();
    }

    /** The single rejection of a report answer, after checking nothing was accepted. */
    static JsonNode rejection(Harness.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("accepted")).as(r.body()).isEmpty();
        assertThat(r.json().get("rejected")).as(r.body()).hasSize(1);
        return r.json().get("rejected").get(0);
    }

    // ---- jobs

    @Test
    void submit_aStringOverTheParsersLimit_400NamingTheFieldAndTheLimit_notTheParsersWords() {
        JsonNode before = state();
        String huge = "x".repeat(20_000_001); // Jackson's default limit per string is 20,000,000 characters
        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"noop\",\"workUnits\":1,\"input\":\"" + huge + "\"}");
        assertError(r, 400, "MALFORMED_JSON");
        JsonNode e = r.json().get("error");
        assertThat(e.get("field").asText()).isEqualTo("input");
        assertThat(e.get("message").asText()).contains("longer than 20000000 characters, the limit per string")
                .doesNotContain("StreamReadConstraints").doesNotContain("String value length");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void submit_malformedJson_400AndNothingChanged() {
        JsonNode before = state();
        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, "{\"app\": \"primes\", \"input\": ");
        assertError(r, 400, "MALFORMED_JSON");
        assertError(Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, "[1, 2, 3]"), 400, "MALFORMED_JSON");
        assertError(Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, null), 400, "MALFORMED_JSON");
        assertThat(state()).isEqualTo(before);
    }

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                Arguments.of("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000},\"redundancy\":{\"replicas\":2,\"quorum\":\"two\"}}",
                        "redundancy.quorum"),
                Arguments.of("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000},\"redundancy\":{\"replicas\":2,\"quorum\":3}}",
                        "redundancy.quorum"),
                Arguments.of("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000},\"workUnits\":\"ten\"}", "workUnits"),
                Arguments.of("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":\"1000\"}}", "input.to"),
                Arguments.of("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000},\"deadlineSeconds\":1.5}", "deadlineSeconds"),
                Arguments.of("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000},\"priority\":true}", "priority"),
                Arguments.of("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000},\"replicas\":3}", "replicas"),
                Arguments.of("{\"app\":7,\"input\":{}}", "app"),
                Arguments.of("{\"app\":\"primes\"}", "input"),
                Arguments.of("{\"app\":\"no-such-app\",\"input\":{}}", "app"),
                Arguments.of("{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":1000},\"redundancy\":{\"credibility\":0.3}}",
                        "redundancy.credibility"));
    }

    @ParameterizedTest
    @MethodSource("badSpecs")
    void submit_badSpec_400NamingTheFieldAndNothingChanged(String spec, String field) {
        JsonNode before = state();
        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, spec);
        assertError(r, 400, "INVALID_SPEC");
        assertThat(r.json().get("error").get("field").asText()).isEqualTo(field);
        assertThat(r.json().get("error").get("message").asText()).contains(field);
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void submit_unknownApp_saysWhichAppsExist() {
        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, "{\"app\":\"no-such-app\",\"input\":{}}");
        assertError(r, 400, "INVALID_SPEC");
        assertThat(r.json().get("error").get("message").asText()).contains("no-such-app").contains("primes");
    }

    @Test
    void submit_bodyOverTheLimit_413AndNothingChanged() {
        JsonNode before = state();
        byte[] body = new byte[(int) Limits.JOB_BYTES + (1 << 20)];
        Arrays.fill(body, (byte) ' ');
        byte[] head = "{\"app\":\"noop\",\"input\":{},\"name\":\"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, body, 0, head.length);
        Arrays.fill(body, head.length, body.length - 2, (byte) 'x');
        body[body.length - 2] = '"';
        body[body.length - 1] = '}';
        Harness.Response r = Harness.callBytes("POST", url + "/api/v1/jobs", Harness.KEY, body);
        assertError(r, 413, "BODY_TOO_LARGE");
        assertThat(Harness.get(url + "/health").get("status").asText()).isEqualTo("UP");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void submitAndCancel_withoutKey401_wrongKey403_nothingChanged() {
        JsonNode before = state();
        String spec = Harness.primesSpec(2, 1000, 1, 1, 1, null);
        assertError(Harness.call("POST", url + "/api/v1/jobs", null, spec), 401, "UNAUTHENTICATED");
        assertError(Harness.call("POST", url + "/api/v1/jobs", "not-the-key-at-all", spec), 403, "FORBIDDEN");
        assertError(Harness.call("DELETE", url + "/api/v1/jobs/" + job, null, null), 401, "UNAUTHENTICATED");
        assertError(Harness.call("DELETE", url + "/api/v1/jobs/" + job, "not-the-key-at-all", null), 403, "FORBIDDEN");
        assertError(Harness.call("DELETE", url + "/api/v1/jobs/" + job, holder.token(), null), 403, "FORBIDDEN");
        assertThat(Harness.job(url, job).get("state").asText()).isEqualTo("RUNNING");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void getUnknownJob_404() {
        JsonNode before = state();
        assertError(Harness.call("GET", url + "/api/v1/jobs/j-nosuchjob", null, null), 404, "NOT_FOUND");
        assertError(Harness.call("GET", url + "/api/v1/jobs/j-nosuchjob/result", null, null), 404, "NOT_FOUND");
        assertError(Harness.call("GET", url + "/api/v1/jobs/j-nosuchjob/units", null, null), 404, "NOT_FOUND");
        assertError(Harness.call("DELETE", url + "/api/v1/jobs/j-nosuchjob", Harness.KEY, null), 404, "NOT_FOUND");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void getResult_beforeCompletion_409() {
        JsonNode before = state();
        Harness.Response r = Harness.call("GET", url + "/api/v1/jobs/" + job + "/result", null, null);
        assertError(r, 409, "NOT_COMPLETED");
        assertThat(r.json().get("error").get("message").asText()).contains("RUNNING");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void cancel_jobBecomesCancelled_andItsTasksAreNotHandedOutAnyMore() {
        String noop = Harness.submit(url, "{\"app\":\"noop\",\"input\":{},\"workUnits\":5}");
        Harness.Registered first = Harness.register(url, "first", "noop");
        Harness.Registered second = Harness.register(url, "second", "noop");
        JsonNode taken = Harness.fetch(url, first.token(), 1).json().get("tasks");
        assertThat(taken).hasSize(1);
        assertThat(taken.get(0).get("id").asText()).startsWith(noop + "/");

        Harness.Response r = Harness.call("DELETE", url + "/api/v1/jobs/" + noop, Harness.KEY, null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(Harness.job(url, noop).get("state").asText()).isEqualTo("CANCELLED");
        for (JsonNode u : Harness.units(url, noop)) {
            assertThat(u.get("state").asText()).isEqualTo("FAILED");
        }
        JsonNode after = state();

        Harness.Response fetch = Harness.fetch(url, second.token(), 4);
        assertThat(fetch.status()).isEqualTo(200);
        assertThat(fetch.json().get("tasks")).isEmpty();
        Harness.Response again = Harness.call("DELETE", url + "/api/v1/jobs/" + noop, Harness.KEY, null);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("state").asText()).isEqualTo("CANCELLED");
        assertError(Harness.call("GET", url + "/api/v1/jobs/" + noop + "/result", null, null), 409, "NOT_COMPLETED");
        assertThat(state()).isEqualTo(after);
    }

    // ---- worker protocol

    @Test
    void report_anotherWorkersTask_rejectedNotYours_unitUnchanged() {
        Harness.Registered intruder = Harness.register(url, "intruder", "primes");
        JsonNode before = state();
        JsonNode rej = rejection(Harness.report(url, intruder.token(), Map.of(outstandingTask, outstandingOutput)));
        assertThat(rej.get("id").asText()).isEqualTo(outstandingTask);
        assertThat(rej.get("code").asText()).isEqualTo("NOT_YOURS");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void report_unknownTasks_rejectedUnknownTask() {
        JsonNode before = state();
        String unit = outstandingTask.substring(0, outstandingTask.lastIndexOf('/'));
        for (String id : List.of("j-nosuchjob/0/0", job + "/999/0", unit + "/7")) {
            JsonNode rej = rejection(Harness.report(url, holder.token(), Map.of(id, outstandingOutput)));
            assertThat(rej.get("code").asText()).as(id).isEqualTo("UNKNOWN_TASK");
        }
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void report_badTaskIdFormat_rejectedBadTaskId() {
        JsonNode before = state();
        for (String id : List.of("not-a-task", job + "/x/0", job + "/0/-1", "/0/0", "")) {
            JsonNode rej = rejection(Harness.report(url, holder.token(), Map.of(id, outstandingOutput)));
            assertThat(rej.get("code").asText()).as(id).isEqualTo("BAD_TASK_ID");
        }
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void report_malformed_400() {
        JsonNode before = state();
        String report = url + "/api/v1/work/report";
        Harness.Response notBase64 = Harness.call("POST", report, holder.token(),
                "{\"results\":[{\"id\":\"" + outstandingTask + "\",\"output\":\"%%% not base64 %%%\"}]}");
        assertError(notBase64, 400, "BAD_REQUEST");
        assertThat(notBase64.json().get("error").get("field").asText()).isEqualTo("results[0].output");
        assertError(Harness.call("POST", report, holder.token(), "{\"results\":{}}"), 400, "BAD_REQUEST");
        assertError(Harness.call("POST", report, holder.token(),
                "{\"results\":[{\"id\":\"" + outstandingTask + "\"}]}"), 400, "BAD_REQUEST");
        assertError(Harness.call("POST", report, holder.token(), "{\"results\":[{\"id\":"), 400, "MALFORMED_JSON");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void fetchAndReport_invalidToken_401() {
        JsonNode before = state();
        String fetch = url + "/api/v1/work/fetch";
        assertError(Harness.call("POST", fetch, null, "{\"max\":1}"), 401, "UNAUTHENTICATED");
        assertError(Harness.call("POST", fetch, "garbage", "{\"max\":1}"), 401, "UNAUTHENTICATED");
        assertError(Harness.call("POST", fetch, holder.id() + ".wrongsecret", "{\"max\":1}"), 401, "UNAUTHENTICATED");
        assertError(Harness.call("POST", fetch, Harness.KEY, "{\"max\":1}"), 401, "UNAUTHENTICATED");
        assertError(Harness.report(url, holder.id() + ".wrongsecret", Map.of(outstandingTask, outstandingOutput)), 401, "UNAUTHENTICATED");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void fetch_flood_429WithRetryAfter() {
        Harness.Registered flooder = Harness.register(url, "flooder", "collatz");
        JsonNode before = state();
        List<Integer> statuses = new ArrayList<>();
        Harness.Response last = null;
        for (int i = 0; i < 6; i++) {
            last = Harness.fetch(url, flooder.token(), 1);
            statuses.add(last.status());
        }
        assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429);
        assertError(last, 429, "TOO_MANY_REQUESTS");
        assertThat(last.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
        assertThat(state()).isEqualTo(before);
    }

    /** The limit is against floods of requests: a fetch answered with a full batch (64 tasks or more) is not counted. */
    @Test
    void fetch_fullBatchesAreNotCounted_smallOnesAre() {
        Harness.Registered fast = Harness.register(url, "fast", "noop");
        Harness.submit(url, "{\"app\":\"noop\",\"input\":{},\"workUnits\":640}");
        for (int i = 0; i < 7; i++) { // the burst is 5
            Harness.Response r = Harness.fetch(url, fast.token(), 64);
            assertThat(r.status()).as("full fetch " + i).isEqualTo(200);
            assertThat(r.json().get("tasks").size()).isEqualTo(64);
        }
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(Harness.fetch(url, fast.token(), 1).status());
        }
        assertThat(statuses).as("small fetches spend the burst").containsExactly(200, 200, 200, 200, 200, 429);
    }

    @Test
    void fetch_badFields_400() {
        JsonNode before = state();
        String fetch = url + "/api/v1/work/fetch";
        Harness.Registered w = Harness.register(url, "fields", "collatz");
        JsonNode afterRegister = state();
        assertError(Harness.call("POST", fetch, w.token(), "{\"max\":0}"), 400, "BAD_REQUEST");
        assertError(Harness.call("POST", fetch, w.token(), "{\"max\":\"four\"}"), 400, "BAD_REQUEST");
        assertError(Harness.call("POST", fetch, w.token(), "{\"max\":1,\"waitMs\":999999}"), 400, "BAD_REQUEST");
        assertThat(state()).isEqualTo(afterRegister);
        assertThat(afterRegister.get("workers").size()).isEqualTo(before.get("workers").size() + 1);
    }

    @Test
    void fetch_badCachedFiles_400NamingTheField_aFullListIsAccepted() {
        String fetch = url + "/api/v1/work/fetch";
        Harness.Registered w = Harness.register(url, "cached", "collatz");
        JsonNode before = state();
        String id = "a".repeat(64);
        Harness.Response notArray = Harness.call("POST", fetch, w.token(), "{\"max\":1,\"cachedFiles\":\"" + id + "\"}");
        assertError(notArray, 400, "BAD_REQUEST");
        assertThat(notArray.json().get("error").get("field").asText()).isEqualTo("cachedFiles");
        Harness.Response badId = Harness.call("POST", fetch, w.token(), "{\"max\":1,\"cachedFiles\":[\"" + id + "\",\"ABC\"]}");
        assertError(badId, 400, "BAD_REQUEST");
        assertThat(badId.json().get("error").get("field").asText()).isEqualTo("cachedFiles[1]");
        String tooMany = "[\"" + String.join("\",\"", java.util.Collections.nCopies(1001, id)) + "\"]";
        Harness.Response over = Harness.call("POST", fetch, w.token(), "{\"max\":1,\"cachedFiles\":" + tooMany + "}");
        assertError(over, 400, "BAD_REQUEST");
        assertThat(over.json().get("error").get("message").asText()).contains("at most 1000");
        assertThat(state()).isEqualTo(before);
        String full = "[\"" + String.join("\",\"", java.util.Collections.nCopies(1000, id)) + "\"]";
        assertThat(Harness.call("POST", fetch, w.token(), "{\"max\":1,\"waitMs\":0,\"cachedFiles\":" + full + "}").status())
                .isEqualTo(200);
    }

    @Test
    void register_badFields_400AndNoWorkerAdded() {
        JsonNode before = state();
        String register = url + "/api/v1/workers/register";
        assertError(Harness.call("POST", register, null, "{\"name\":\"x\",\"cores\":\"many\",\"apps\":[\"primes\"]}"), 400, "BAD_REQUEST");
        assertError(Harness.call("POST", register, null, "{\"name\":\"x\",\"apps\":\"primes\"}"), 400, "BAD_REQUEST");
        assertError(Harness.call("POST", register, null, "{\"apps\":[\"primes\"]}"), 400, "BAD_REQUEST");
        assertError(Harness.call("POST", register, null, "{\"name\":"), 400, "MALFORMED_JSON");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void report_sameResultTwice_acceptedTwiceCountedOnce_differentOutputConflicts() {
        // A replica of the unit whose other replica is outstanding: its result stays pending (kept, not yet judged).
        Harness.Registered w = Harness.register(url, "twice", "primes");
        String wanted = outstandingTask.substring(0, outstandingTask.lastIndexOf('/')) + "/1";
        JsonNode task = null;
        for (JsonNode t : Harness.fetch(url, w.token(), 2).json().get("tasks")) {
            if (t.get("id").asText().equals(wanted)) {
                task = t;
            }
        }
        assertThat(task).as("task %s among those fetched", wanted).isNotNull();
        byte[] out = TestWorker.output(task);
        Harness.Response first = Harness.report(url, w.token(), Map.of(wanted, out));
        assertThat(first.json().get("accepted")).hasSize(1);
        JsonNode after = state();
        assertThat(Harness.workers(url).get(w.id()).get("reported").asLong()).isEqualTo(1);

        Harness.Response second = Harness.report(url, w.token(), Map.of(wanted, out));
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().get("accepted")).hasSize(1);
        assertThat(second.json().get("accepted").get(0).asText()).isEqualTo(wanted);
        assertThat(second.json().get("rejected")).isEmpty();
        assertThat(state()).isEqualTo(after);

        JsonNode rej = rejection(Harness.report(url, w.token(), Map.of(wanted, TestWorker.wrong(out))));
        assertThat(rej.get("code").asText()).isEqualTo("CONFLICT");
        assertThat(state()).isEqualTo(after);
        assertThat(Harness.workers(url).get(w.id()).get("reported").asLong()).isEqualTo(1);
    }

    @Test
    void report_retriedAfterTheJobCompleted_acceptedAgainCountedOnce() {
        // The report that completes a job is the one most likely retried: its answer may be lost on the way.
        String tiny = Harness.submit(url, "{\"app\":\"mandelbrot\",\"input\":{\"width\":8,\"height\":8,\"xMin\":-2,"
                + "\"xMax\":1,\"yMin\":-1.5,\"yMax\":1.5,\"maxIterations\":50},\"workUnits\":1,"
                + "\"redundancy\":{\"replicas\":1,\"quorum\":1}}");
        Harness.Registered w = Harness.register(url, "retrier", "mandelbrot");
        JsonNode task = Harness.fetch(url, w.token(), 1).json().get("tasks").get(0);
        String id = task.get("id").asText();
        byte[] out = TestWorker.output(task);
        assertThat(Harness.report(url, w.token(), Map.of(id, out)).json().get("accepted")).hasSize(1);
        Harness.awaitJob(url, tiny, "COMPLETED", java.time.Duration.ofSeconds(30));
        JsonNode after = state();

        Harness.Response again = Harness.report(url, w.token(), Map.of(id, out));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("rejected")).as(again.body()).isEmpty();
        assertThat(again.json().get("accepted")).hasSize(1);
        assertThat(state()).isEqualTo(after);
        assertThat(Harness.workers(url).get(w.id()).get("reported").asLong()).isEqualTo(1);
        assertThat(Harness.workers(url).get(w.id()).get("valid").asLong()).isEqualTo(1);

        Harness.Registered other = Harness.register(url, "not-the-retrier", "mandelbrot");
        JsonNode rej = rejection(Harness.report(url, other.token(), Map.of(id, out)));
        assertThat(rej.get("code").asText()).isIn("NOT_YOURS", "UNKNOWN_TASK");
        assertThat(state().get("workers").size()).isEqualTo(after.get("workers").size() + 1);
    }

    // ---- strict JSON, ranges, printable names (issue 13)

    @Test
    void submit_duplicateKey_400NamingTheKey_andNothingChanged() {
        JsonNode before = state();
        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"primes\",\"app\":\"noop\",\"input\":{\"from\":2,\"to\":100}}");
        assertError(r, 400, "MALFORMED_JSON");
        assertThat(r.json().get("error").get("field").asText()).isEqualTo("app");
        assertThat(r.json().get("error").get("message").asText()).contains("'app'").contains("twice");
        Harness.Response nested = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"primes\",\"input\":{\"from\":2,\"to\":100,\"to\":10}}");
        assertError(nested, 400, "MALFORMED_JSON");
        assertThat(nested.json().get("error").get("field").asText()).isEqualTo("input.to");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void everyRoute_trailingContentOrDuplicateKeys_400MalformedJson() {
        Harness.Registered w = Harness.register(url, "strict", "collatz");
        JsonNode before = state();
        String trailing = "{\"app\":\"noop\",\"input\":{}} {\"app\":\"noop\",\"input\":{}}";
        Harness.Response job = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY, trailing);
        assertError(job, 400, "MALFORMED_JSON");
        assertThat(job.json().get("error").get("message").asText()).contains("more content after");
        assertError(Harness.call("POST", url + "/api/v1/work/fetch", w.token(), "{\"max\":1}x"), 400, "MALFORMED_JSON");
        assertError(Harness.call("POST", url + "/api/v1/work/fetch", w.token(), "{\"max\":1,\"max\":2}"), 400, "MALFORMED_JSON");
        assertError(Harness.call("POST", url + "/api/v1/work/report", holder.token(),
                "{\"results\":[],\"results\":[]}"), 400, "MALFORMED_JSON");
        assertError(Harness.call("POST", url + "/api/v1/workers/register", null,
                "{\"name\":\"a\",\"name\":\"b\",\"apps\":[\"primes\"]}"), 400, "MALFORMED_JSON");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void submit_stringOverJacksonsLimit_400InOurWordsNamingTheLimitAndField() {
        JsonNode before = state();
        String name = "x".repeat(20_000_001);
        Harness.Response r = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                "{\"app\":\"noop\",\"input\":{},\"name\":\"" + name + "\"}");
        assertError(r, 400, "MALFORMED_JSON");
        String message = r.json().get("error").get("message").asText();
        assertThat(message).contains("20000000 characters").doesNotContain("StreamReadConstraints");
        assertThat(r.json().get("error").get("field").asText()).isEqualTo("name");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void fetchMaxAndRegistrationCores_pastInt_400NamingFieldAndRange_notWrapped() {
        Harness.Registered w = Harness.register(url, "wide", "collatz");
        JsonNode before = state();
        Harness.Response fetch = Harness.call("POST", url + "/api/v1/work/fetch", w.token(), "{\"max\":4294967297}");
        assertError(fetch, 400, "BAD_REQUEST");
        assertThat(fetch.json().get("error").get("field").asText()).isEqualTo("max");
        assertThat(fetch.json().get("error").get("message").asText()).contains("between 1 and 256").contains("4294967297");
        Harness.Response wait = Harness.call("POST", url + "/api/v1/work/fetch", w.token(), "{\"max\":1,\"waitMs\":99999999999999999999}");
        assertError(wait, 400, "BAD_REQUEST");
        assertThat(wait.json().get("error").get("field").asText()).isEqualTo("waitMs");
        Harness.Response cores = Harness.call("POST", url + "/api/v1/workers/register", null,
                "{\"name\":\"wrap\",\"cores\":4294967297,\"apps\":[\"primes\"]}");
        assertError(cores, 400, "BAD_REQUEST");
        assertThat(cores.json().get("error").get("field").asText()).isEqualTo("cores");
        assertThat(cores.json().get("error").get("message").asText()).contains("between 1 and 4096");
        Harness.Response memory = Harness.call("POST", url + "/api/v1/workers/register", null,
                "{\"name\":\"wrap\",\"memoryMb\":-1,\"apps\":[\"primes\"]}");
        assertError(memory, 400, "BAD_REQUEST");
        assertThat(memory.json().get("error").get("field").asText()).isEqualTo("memoryMb");
        Harness.Response page = Harness.call("GET", url + "/api/v1/jobs/" + job + "/units?limit=4294967297", null, null);
        assertError(page, 400, "BAD_REQUEST");
        assertThat(page.json().get("error").get("message").asText()).contains("between 1 and 1000");
        assertThat(state()).isEqualTo(before);
    }

    @ParameterizedTest
    @MethodSource("unprintableNames")
    void register_nameWithControlCharacters_400NamingTheField(String field, String value) {
        JsonNode before = state();
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", "fine").put("platform", "test");
        body.putArray("apps").add("primes");
        body.put(field, value);
        Harness.Response r = Harness.call("POST", url + "/api/v1/workers/register", null, Json.write(body));
        assertError(r, 400, "BAD_REQUEST");
        assertThat(r.json().get("error").get("field").asText()).isEqualTo(field);
        assertThat(r.json().get("error").get("message").asText()).contains("control characters");
        assertThat(state()).isEqualTo(before);
    }

    static Stream<Arguments> unprintableNames() {
        return Stream.of(
                Arguments.of("name", "evil\u001b[31mred\u001b[0m"),
                Arguments.of("name", "two\nlines"),
                Arguments.of("name", "abc\u202egnp.exe"),
                Arguments.of("account", "bell\u0007"),
                Arguments.of("platform", "linux\u009b2J"),
                Arguments.of("host", "h\u0000"));
    }

    @Test
    void register_bodyOverItsFewKiB_413FromTheHeadersAlone() {
        // Registration takes at most a few KiB: a bigger declared body is refused from its headers alone.
        JsonNode before = state();
        byte[] big = new byte[64 << 10];
        Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        Harness.Response r = Harness.callBytes("POST", url + "/api/v1/workers/register", null, big);
        assertError(r, 413, "BODY_TOO_LARGE");
        assertThat(r.json().get("error").get("message").asText()).contains(Long.toString(Limits.REGISTER_BYTES));
        assertThat(state()).isEqualTo(before);
    }
}
