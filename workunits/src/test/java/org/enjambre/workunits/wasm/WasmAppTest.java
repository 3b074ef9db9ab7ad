package org.enjambre.workunits.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.JobSpec;
import org.enjambre.workunits.spec.JobSpecParser;
import org.enjambre.workunits.spec.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WasmAppTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PRIMES = Wat.module("primes");
    private static final byte[] ECHO = Wat.module("echo");
    private static final byte[] TRAP = Wat.module("trap");
    private static final String PRIMES_SHA = WasmModules.sha256(PRIMES);
    private static final String ECHO_SHA = WasmModules.sha256(ECHO);
    private static final String TRAP_SHA = WasmModules.sha256(TRAP);
    private static final String MISSING_SHA = "0".repeat(64);

    private static final ModuleSource SOURCE = sha -> Optional.ofNullable(
            Map.of(PRIMES_SHA, PRIMES, ECHO_SHA, ECHO, TRAP_SHA, TRAP).get(sha)).map(byte[]::clone);

    private final WasmApp app = new WasmApp(SOURCE,
            new WasmRunner(WasmLimits.defaults().withTimeLimit(Duration.ofSeconds(20))));

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** Runs every unit of a valid job, in order, and merges their outputs. */
    private MergedResult runJob(JsonNode input, int workUnits) throws Exception {
        app.validate(input, workUnits);
        Merger merger = app.merger(input, workUnits);
        for (int i = 0; i < workUnits; i++) {
            merger.accept(i, app.run(app.unitInput(input, workUnits, i), RunContext.inMemory()));
        }
        return merger.finish();
    }

    @Test
    void primesModule_splitInUnits_givesPiOfAMillion() throws Exception {
        JsonNode input = json("{'module':'" + PRIMES_SHA + "','range':{'from':0,'to':1000000},"
                + "'merge':'module','contentType':'application/json'}");
        MergedResult result = runJob(input, 8);
        assertThat(result.contentType()).isEqualTo("application/json");
        assertThat(new String(result.body(), StandardCharsets.UTF_8)).isEqualTo("{\"count\":78498}");
    }

    @Test
    void primesModule_concatMerge_givesEachUnitsCount() throws Exception {
        JsonNode input = json("{'module':'" + PRIMES_SHA + "','range':{'from':0,'to':100}}");
        MergedResult result = runJob(input, 4);
        assertThat(result.contentType()).isEqualTo("application/octet-stream");
        ByteBuffer counts = ByteBuffer.wrap(result.body()).order(ByteOrder.LITTLE_ENDIAN);
        // primes in [0,25), [25,50), [50,75), [75,100)
        assertThat(new long[] {counts.getLong(), counts.getLong(), counts.getLong(), counts.getLong()})
                .containsExactly(9, 6, 6, 4);
        assertThat(counts.hasRemaining()).isFalse();
    }

    @Test
    void jobSpecParser_defaultsWorkUnits() throws Exception {
        JobSpecParser parser = new JobSpecParser(AppRegistry.builtIns().with(app));
        JobSpec range = parser.parse(json("{'app':'wasm','input':{'module':'" + PRIMES_SHA
                + "','range':{'from':0,'to':1000000},'merge':'module'}}"));
        assertThat(range.workUnits()).isEqualTo(WasmApp.DEFAULT_RANGE_UNITS);
        JobSpec small = parser.parse(json("{'app':'wasm','input':{'module':'" + PRIMES_SHA
                + "','range':{'from':5,'to':8}}}"));
        assertThat(small.workUnits()).isEqualTo(3);
        JobSpec list = parser.parse(json("{'app':'wasm','input':{'module':'" + ECHO_SHA
                + "','inputs':[1,2,3]}}"));
        assertThat(list.workUnits()).isEqualTo(3);
        assertThatThrownBy(() -> parser.parse(json("{'app':'wasm','workUnits':2,'input':{'module':'" + ECHO_SHA
                + "','inputs':[1,2,3]}}")))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo("workUnits"))
                .hasMessage("workUnits (2) must equal the number of input.inputs (3), or be left out");
    }

    @Test
    void listInputs_eachElementIsOneUnit_concatenatedInOrder() throws Exception {
        JsonNode input = json("{'module':'" + ECHO_SHA + "','inputs':['a',{'x':1},{'base64':'AAEC'},7,[true,null]]}");
        MergedResult result = runJob(input, 5);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes("\"a\"{\"x\":1}".getBytes(StandardCharsets.UTF_8));
        expected.writeBytes(new byte[] {0, 1, 2});
        expected.writeBytes("7[true,null]".getBytes(StandardCharsets.UTF_8));
        assertThat(result.body()).isEqualTo(expected.toByteArray());
    }

    @Test
    void unitInput_carriesTheModuleHashThenThePayload() {
        JsonNode input = json("{'module':'" + PRIMES_SHA + "','range':{'from':10,'to':20}}");
        byte[] unit = app.unitInput(input, 2, 1);
        assertThat(new String(unit, 0, 65, StandardCharsets.US_ASCII)).isEqualTo(PRIMES_SHA + "\n");
        WasmUnitInput decoded = WasmUnitInput.decode(unit);
        assertThat(decoded.sha256()).isEqualTo(PRIMES_SHA);
        ByteBuffer b = ByteBuffer.wrap(decoded.payload()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong()).isEqualTo(15);
        assertThat(b.getLong()).isEqualTo(20);
        assertThat(decoded.encode()).isEqualTo(unit);
    }

    @Test
    void unitInput_decodeRefusesGarbage() {
        assertThatThrownBy(() -> WasmUnitInput.decode("short".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a wasm unit input starts with a module's 64-digit sha256, the ids of the files it reads"
                        + " (each after a space) and a newline");
        assertThatThrownBy(() -> WasmUnitInput.decode(("Z".repeat(64) + "\n").getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("sha256 must be 64 lowercase hex digits");
    }

    @Test
    void moduleOf_readsTheHash() {
        assertThat(WasmApp.moduleOf(json("{'module':'" + ECHO_SHA + "','inputs':[1]}"))).contains(ECHO_SHA);
        assertThat(WasmApp.moduleOf(json("{'module':'nope'}"))).isEmpty();
        assertThat(WasmApp.moduleOf(json("[]"))).isEmpty();
    }

    @Test
    void run_trappingModule_failsTheUnitWithItsError() {
        JsonNode input = json("{'module':'" + TRAP_SHA + "','inputs':[1]}");
        assertThatThrownBy(() -> app.run(app.unitInput(input, 1, 0), RunContext.inMemory()))
                .isInstanceOf(WasmException.class)
                .hasMessage("module trapped: unreachable");
    }

    @Test
    void run_moduleNotAvailable() {
        byte[] unit = new WasmUnitInput(MISSING_SHA, new byte[0]).encode();
        assertThatThrownBy(() -> app.run(unit, RunContext.inMemory()))
                .hasMessage("no module with sha256 " + MISSING_SHA + " is available here");
    }

    @Test
    void run_sourceReturnsOtherBytes_isRefused() {
        WasmApp lying = new WasmApp(sha -> Optional.of(ECHO));
        byte[] unit = new WasmUnitInput(PRIMES_SHA, new byte[0]).encode();
        assertThatThrownBy(() -> lying.run(unit, RunContext.inMemory()))
                .hasMessage("the bytes found for module " + PRIMES_SHA + " have another sha256");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            [1]                                              | 1 | input        | input must be an object: {"module": sha256, "inputs": [...]}, {"module": sha256, "range": {"from": a, "to": b}} or {"module": sha256, "files": [...]}
            {'inputs':[1]}                                   | 1 | input.module | input.module is required: the sha256 of an uploaded module
            {'module':'ABC','inputs':[1]}                    | 1 | input.module | input.module must be a module's sha256: 64 lowercase hex digits
            {'module':'ECHO','inputs':[1],'extra':1}         | 1 | input.extra  | unknown field 'input.extra' (known: contentType, files, inputs, merge, module, range, sharedFiles)
            {'module':'ECHO'}                                | 1 | input        | input needs exactly one of 'inputs' (a list, one work unit each), 'range' ({"from": a, "to": b}, split into work units) or 'files' (file ids, one work unit each)
            {'module':'ECHO','inputs':[1],'range':{}}        | 1 | input        | input needs exactly one of 'inputs' (a list, one work unit each), 'range' ({"from": a, "to": b}, split into work units) or 'files' (file ids, one work unit each)
            {'module':'ECHO','inputs':[]}                    | 1 | input.inputs | input.inputs must be a non-empty list, one element per work unit
            {'module':'ECHO','inputs':[1,2]}                 | 3 | workUnits    | workUnits (3) must equal the number of input.inputs (2), or be left out
            {'module':'ECHO','inputs':[1,{'base64':'*'}]}    | 2 | input.inputs[1].base64 | input.inputs[1].base64 must be base64 text
            {'module':'ECHO','range':[1,2]}                  | 1 | input.range  | input.range must be an object {"from": a, "to": b}
            {'module':'ECHO','range':{'from':1}}             | 1 | input.range.to | input.range.to is required
            {'module':'ECHO','range':{'from':'a','to':2}}    | 1 | input.range.from | input.range.from must be an integer
            {'module':'ECHO','range':{'from':5,'to':5}}      | 1 | input.range.to | input.range.to (5) must be greater than input.range.from (5)
            {'module':'ECHO','range':{'from':-9223372036854775808,'to':9223372036854775807}} | 1 | input.range | input.range is wider than 2^63 - 1 numbers
            {'module':'ECHO','range':{'from':0,'to':3}}      | 4 | workUnits    | workUnits (4) must be at most the size of input.range (3)
            {'module':'ECHO','inputs':[1],'merge':'sum'}     | 1 | input.merge  | input.merge must be "concat" (outputs joined in unit order) or "module" (the module's merge export)
            {'module':'ECHO','inputs':[1],'contentType':'json'} | 1 | input.contentType | input.contentType must be a media type such as application/json
            {'module':'MISSING','inputs':[1]}                | 1 | input.module | no module with sha256 MISSING was uploaded (upload it first: POST /api/v1/modules)
            {'module':'ECHO','inputs':[1],'merge':'module'}  | 1 | input.merge  | module ECHO does not export 'merge'; use "merge": "concat" or add a merge export
            """)
    void validate_badInput_namesTheField(String input, int workUnits, String field, String message) {
        JsonNode node = json(input.replace("ECHO", ECHO_SHA).replace("MISSING", MISSING_SHA));
        assertThatThrownBy(() -> app.validate(node, workUnits))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessage(message.replace("ECHO", ECHO_SHA).replace("MISSING", MISSING_SHA));
    }

    @Test
    void validate_goodInputs() throws Exception {
        app.validate(json("{'module':'" + PRIMES_SHA + "','range':{'from':0,'to':10},'merge':'module'}"), 10);
        app.validate(json("{'module':'" + ECHO_SHA + "','inputs':[{'base64':'AAEC'},'x'],'merge':'concat',"
                + "'contentType':'text/plain'}"), 2);
        assertThat(app.defaultWorkUnits(json("{'module':'" + ECHO_SHA + "','inputs':[1,2,3,4]}"))).isEqualTo(4);
        assertThat(app.name()).isEqualTo("wasm");
        assertThat(app.cost(json("{}"), 1, 0)).isEqualTo(1.0);
    }
}
