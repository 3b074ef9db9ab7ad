package org.enjambre.worker.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The streaming codec of fetch answers, tasks, reports and acknowledgements: what data binding did, and bad input refused by name. */
class WireJsonTest {
    /** The data-binding mapper the codec replaced, as the reference for the bytes written. */
    private static final ObjectMapper DATA_BINDING = new ObjectMapper().setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

    private static WireJson.FetchAnswer fetch(String json) throws IOException {
        return WireJson.readFetchAnswer(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ReportAck ack(String json) throws IOException {
        return WireJson.readReportAck(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readFetchAnswer_fullTask_readsEveryField_andSkipsUnknownOnes() throws IOException {
        WireJson.FetchAnswer answer = fetch("{\"future\":{\"a\":[1,{\"b\":2}]},\"tasks\":[{\"id\":\"j-1/3/1\",\"app\":\"wasm\","
                + "\"input\":\"AQID\",\"deadline\":\"2026-11-25T07:10:00Z\",\"deadlineMillis\":1795000000000,\"cost\":0.5,"
                + "\"blob\":\"" + "a".repeat(64) + "\",\"extra\":[true]}],\"outputFileBytes\":1048576,\"chunkBytes\":4194304}");
        assertThat(answer.tasks()).hasSize(1);
        AssignedTask t = answer.tasks().get(0);
        assertThat(List.of(t.id(), t.app(), t.deadline(), t.blob())).containsExactly("j-1/3/1", "wasm", "2026-11-25T07:10:00Z", "a".repeat(64));
        assertThat(t.input()).containsExactly(1, 2, 3);
        assertThat(t.deadlineMillis()).isEqualTo(1795000000000L);
        assertThat(t.cost()).isEqualTo(0.5);
        assertThat(answer.outputFileBytes()).isEqualTo(1048576L);
        assertThat(answer.chunkBytes()).isEqualTo(4194304);
    }

    @Test
    void readFetchAnswer_missingAndNullValues_areNullOrZero_andScalarsAreCoerced() throws IOException {
        assertThat(fetch("{}").tasks()).isEmpty();
        assertThat(fetch("{\"tasks\":null,\"chunkBytes\":null}").tasks()).isEmpty();
        AssignedTask t = fetch("{\"tasks\":[{\"id\":7,\"input\":null,\"deadlineMillis\":\"12\",\"cost\":\"0.25\",\"blob\":null}]}").tasks().get(0);
        assertThat(t.id()).isEqualTo("7");
        assertThat(t.app()).isNull();
        assertThat(t.input()).isNull();
        assertThat(t.deadlineMillis()).isEqualTo(12);
        assertThat(t.cost()).isEqualTo(0.25);
        assertThat(t.problem()).isEqualTo("task 7 names no app");
    }

    @Test
    void readFetchAnswer_badInput_isRefusedNamingTheField() {
        assertThatThrownBy(() -> fetch("")).hasMessageContaining("not a JSON object (empty body)");
        assertThatThrownBy(() -> fetch("null")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> fetch("[{\"tasks\":[]}]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> fetch("{\"tasks\":{}}")).hasMessageContaining("tasks should be an array, got an object");
        assertThatThrownBy(() -> fetch("{\"tasks\":[{\"id\":\"a\"},null]}")).hasMessageContaining("tasks[1]: a task should be an object, got null");
        assertThatThrownBy(() -> fetch("{\"tasks\":[{\"id\":\"a\",\"input\":5}]}")).hasMessageContaining("tasks[0]: input should be base64 text, got a number");
        assertThatThrownBy(() -> fetch("{\"tasks\":[{\"input\":\"not base64!\"}]}")).hasMessageContaining("tasks[0]");
        assertThatThrownBy(() -> fetch("{\"tasks\":[{\"id\":[\"a\"]}]}")).hasMessageContaining("tasks[0]: id should be text, got an array");
        assertThatThrownBy(() -> fetch("{\"tasks\":[{\"deadlineMillis\":99999999999999999999}]}"))
                .hasMessageContaining("tasks[0]: deadlineMillis is not a whole number in range");
        assertThatThrownBy(() -> fetch("{\"tasks\":[{\"deadlineMillis\":1e300}]}")).hasMessageContaining("deadlineMillis should be a whole number");
        assertThatThrownBy(() -> fetch("{\"tasks\":[{\"cost\":\"cheap\"}]}")).hasMessageContaining("tasks[0]: cost is not a number");
        assertThatThrownBy(() -> fetch("{\"chunkBytes\":4294967296}")).hasMessageContaining("chunkBytes is out of range");
        assertThatThrownBy(() -> fetch("{\"tasks\":[{\"id\":\"a\"")).isInstanceOf(IOException.class);
    }

    @Test
    void writeTask_writesTheBytesDataBindingWrote() throws IOException {
        for (AssignedTask t : List.of(new AssignedTask("j/1/0", "noop", new byte[] {0, -1, 7}, null, 1795000000000L, 0.1, null),
                new AssignedTask("j/2/1", "wasm", new byte[0], "2026-11-25T07:10:00Z", 0, 1e-7, "b".repeat(64)))) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try (com.fasterxml.jackson.core.JsonGenerator g = WireJson.FACTORY.createGenerator(out)) {
                WireJson.writeTask(g, t);
            }
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(DATA_BINDING.writeValueAsString(t));
            try (com.fasterxml.jackson.core.JsonParser p = WireJson.FACTORY.createParser(out.toByteArray())) {
                p.nextToken();
                AssignedTask back = WireJson.readTask(p);
                assertThat(back.input()).containsExactly(t.input());
                assertThat(new AssignedTask(back.id(), back.app(), t.input(), back.deadline(), back.deadlineMillis(), back.cost(), back.blob()))
                        .isEqualTo(t);
            }
        }
    }

    private record ReportBody(List<ReportItem> results) {
    }

    @Test
    void writeReport_writesTheBytesDataBindingWrote() throws IOException {
        List<ReportItem> items = List.of(new ReportItem("j/1/0", new byte[] {1, 2}, null), new ReportItem("j/2/0", null, "boom \"x\"\n"),
                new ReportItem("j/3/1", null, null, "f-9"), new ReportItem("j/4/0", new byte[0], null));
        assertThat(new String(WireJson.writeReport(items), StandardCharsets.UTF_8))
                .isEqualTo(DATA_BINDING.writeValueAsString(new ReportBody(items)));
        assertThat(new String(WireJson.writeReport(List.of()), StandardCharsets.UTF_8)).isEqualTo("{\"results\":[]}");
    }

    @Test
    void readReportAck_readsAcceptedAndRejected_andRefusesNullIds() throws IOException {
        ReportAck a = ack("{\"accepted\":[\"j/1/0\"],\"rejected\":[{\"id\":\"j/2/0\",\"code\":\"NOT_YOURS\",\"message\":\"no\",\"more\":1},"
                + "{\"id\":\"j/3/0\",\"code\":\"BUSY\"}],\"other\":{}}");
        assertThat(a.accepted()).containsExactly("j/1/0");
        assertThat(a.rejected()).containsExactly(new ReportAck.Rejection("j/2/0", "NOT_YOURS", "no"), new ReportAck.Rejection("j/3/0", "BUSY", null));
        assertThat(ack("{\"accepted\":null}").accepted()).isEmpty();
        assertThat(ack("{}").rejected()).isEmpty();
        assertThatThrownBy(() -> ack("{\"accepted\":[\"a\",null]}")).hasMessageContaining("accepted[1] is null");
        assertThatThrownBy(() -> ack("{\"rejected\":[3]}")).hasMessageContaining("rejected[] should be an object, got a number");
        assertThatThrownBy(() -> ack("{\"accepted\":\"all\"}")).hasMessageContaining("accepted should be an array, got text");
    }
}
