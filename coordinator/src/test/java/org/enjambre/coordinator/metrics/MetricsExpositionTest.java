package org.enjambre.coordinator.metrics;

import org.enjambre.coordinator.Coordinator;
import org.enjambre.coordinator.Harness;
import org.enjambre.coordinator.TestWorker;
import org.enjambre.coordinator.metrics.PrometheusText.Family;
import org.enjambre.coordinator.metrics.PrometheusText.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** {@code /metrics} is valid Prometheus text format with Prometheus's naming conventions, checked by a strict parser. */
class MetricsExpositionTest {
    @TempDir
    Path dir;

    @Test
    void coordinatorMetrics_afterAJobRan_parseStrictly_andFollowTheNamingConventions() {
        try (Coordinator coordinator = Coordinator.start(Harness.options(dir))) {
            String url = coordinator.url();
            Harness.Response sub = Harness.call("POST", url + "/api/v1/jobs", Harness.KEY,
                    "{\"app\":\"noop\",\"input\":{},\"workUnits\":10,\"redundancy\":{\"replicas\":2,\"quorum\":2}}");
            assertThat(sub.status()).as(sub.body()).isEqualTo(201);
            String id = sub.json().get("id").asText();
            try (TestWorker a = new TestWorker(url, "metrics-a", TestWorker.Behaviour.HONEST);
                 TestWorker b = new TestWorker(url, "metrics-b", TestWorker.Behaviour.HONEST)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Harness.call("GET", url + "/api/v1/jobs/" + id, null, null)
                        .json().get("state").asText().equals("COMPLETED"));
            }

            Harness.Response metrics = Harness.call("GET", url + "/metrics", null, null);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                    assertThat(t).startsWith("text/plain; version=0.0.4"));
            Map<String, Family> families = PrometheusText.parse(metrics.body());

            assertThat(families.values()).allSatisfy(f -> {
                assertThat(f.name()).as("family name").matches("enjambre_[a-z0-9_]+");
                assertThat(f.help()).as("HELP of " + f.name()).isNotBlank();
                if (f.type().equals("counter")) {
                    assertThat(f.name()).as("counter name").endsWith("_total");
                } else {
                    assertThat(f.name()).as("only counters end with _total").doesNotEndWith("_total");
                }
            });
            Family reported = families.get("enjambre_tasks_reported_total");
            assertThat(reported).as("enjambre_tasks_reported_total in " + families.keySet()).isNotNull();
            assertThat(reported.type()).isEqualTo("counter");
            assertThat(reported.samples()).singleElement().satisfies(s ->
                    assertThat(s.value()).as("10 units × quorum 2").isGreaterThanOrEqualTo(20));

            Family http = families.get("enjambre_http_requests_seconds");
            assertThat(http).as("enjambre_http_requests_seconds in " + families.keySet()).isNotNull();
            assertThat(http.type()).isIn("summary", "histogram");
            assertThat(http.samples()).filteredOn(s -> s.name().equals("enjambre_http_requests_seconds_count")
                            && s.labels().equals(Map.of("route", "/api/v1/jobs", "method", "POST", "status", "201")))
                    .singleElement().extracting(Sample::value).isEqualTo(1.0);
            assertThat(http.samples()).anySatisfy(s -> {
                assertThat(s.name()).isEqualTo("enjambre_http_requests_seconds_sum");
                assertThat(s.value()).isPositive();
            });
        }
    }

    @Test
    void parser_readsFamiliesLabelsEscapesAndSpecialValues() {
        Map<String, Family> f = PrometheusText.parse("""
                # HELP jobs_total Jobs done,\\nby state \\\\ kind
                # TYPE jobs_total counter
                jobs_total{state="ok",note="say \\"hi\\"\\\\\\n",} 3 1700000000000
                jobs_total{state="failed"} 1.5e1
                jobs_total_created 1.7e9
                # a plain comment
                # TYPE temp gauge
                temp -Inf
                temp{x="1"}\tNaN
                # TYPE rt_seconds histogram
                rt_seconds_bucket{le="0.1"} 1
                rt_seconds_bucket{le="+Inf"} 2
                rt_seconds_sum 0.3
                rt_seconds_count 2
                # TYPE q summary
                q{quantile="0.5"} .5
                q_sum 1
                q_count 2
                """);
        assertThat(f.keySet()).containsExactly("jobs_total", "temp", "rt_seconds", "q");
        assertThat(f.get("jobs_total").help()).isEqualTo("Jobs done,\nby state \\ kind");
        assertThat(f.get("jobs_total").samples()).hasSize(3);
        assertThat(f.get("jobs_total").samples().get(0).labels()).isEqualTo(Map.of("state", "ok", "note", "say \"hi\"\\\n"));
        assertThat(f.get("jobs_total").samples().get(1).value()).isEqualTo(15.0);
        assertThat(f.get("temp").samples().get(0).value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(f.get("temp").samples().get(1).value()).isNaN();
        assertThat(f.get("rt_seconds").samples()).extracting(Sample::name)
                .containsExactly("rt_seconds_bucket", "rt_seconds_bucket", "rt_seconds_sum", "rt_seconds_count");
        assertThat(f.get("q").samples().get(0).value()).isEqualTo(0.5);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("# TYPE a counter\na 1",
                        "must end with a line feed"),
                arguments("a 1\n",
                        "belongs to no family declared with a TYPE"),
                arguments("# TYPE a counter\n# TYPE a counter\na 1\n",
                        "second TYPE line for a"),
                arguments("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# HELP a late\n",
                        "lines of a are not one group"),
                arguments("# TYPE a counter\n# HELP a x\n# HELP a y\na 1\n",
                        "second HELP line for a"),
                arguments("# TYPE a countr\na 1\n",
                        "unknown type 'countr'"),
                arguments("# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"1\"} 2\n",
                        "lines of a are not one group"),
                arguments("# TYPE a gauge\na 1\na 2\n",
                        "series a{} appears twice"),
                arguments("# TYPE a gauge\na 1,5\n",
                        "'1,5' is not a float value"),
                arguments("# TYPE a gauge\na 1 12.5\n",
                        "'12.5' is not a millisecond timestamp"),
                arguments("# TYPE a gauge\na{x=\"1\" 1\n",
                        "expected ',' or '}' after label x"),
                arguments("# TYPE a gauge\na{x=1} 1\n",
                        "label x needs a quoted value"),
                arguments("# TYPE a gauge\na{x=\"\\t\"} 1\n",
                        "unknown escape \\t in label x"),
                arguments("# TYPE a gauge\na{1x=\"1\"} 1\n",
                        "'1x' is not a valid label name"),
                arguments("# TYPE a gauge\na{__x=\"1\"} 1\n",
                        "'__x' is not a valid label name"),
                arguments("# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n",
                        "label x given twice"),
                arguments("# TYPE a-b gauge\n",
                        "'a-b' is not a valid metric name"),
                arguments("# TYPE a gauge\na1\n",
                        "expected a blank and a value after a1"),
                arguments("# TYPE a gauge\na 1 2 3\n",
                        "unexpected text after the value"),
                arguments("# TYPE h histogram\nh_bucket 1\n",
                        "needs an le label"),
                arguments("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n",
                        "are not cumulative"),
                arguments("# TYPE h histogram\nh_bucket{le=\"1\"} 1\n",
                        "has no le=\"+Inf\" bucket"),
                arguments("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n",
                        "_count 3.0 differs from the +Inf bucket 2.0"),
                arguments("# TYPE s summary\ns 1\n",
                        "needs a quantile label"),
                arguments("# TYPE c counter\nc -1\n",
                        "counter c{} is -1.0"),
                arguments("# TYPE g gauge\ng_count 1\n",
                        "g_count belongs to no family"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformed")
    void parser_rejectsMalformedText(String text, String problem) {
        assertThatThrownBy(() -> PrometheusText.parse(text))
                .isInstanceOf(PrometheusText.FormatException.class)
                .hasMessageContaining(problem);
    }
}
