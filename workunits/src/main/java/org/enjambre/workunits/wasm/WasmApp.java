package org.enjambre.workunits.wasm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.MergedResult;
import org.enjambre.workunits.app.Merger;
import org.enjambre.workunits.app.RunContext;
import org.enjambre.workunits.spec.JobSpecParser;
import org.enjambre.workunits.spec.SpecException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code wasm} app: runs a user's WebAssembly module, named by its SHA-256, on each work unit's
 * input. Input is {@code {"module": sha256, "inputs": [...]}} (one unit per element) or
 * {@code {"module": sha256, "range": {"from": a, "to": b}}} (split evenly, each unit getting its bounds
 * as two little-endian i64) or {@code {"module": sha256, "files": [fileId, ...]}} (one unit per uploaded file, an
 * empty payload), plus optional {@code "sharedFiles": [fileId, ...]} (read by every unit),
 * {@code "merge": "concat" | "module"} and {@code "contentType"}. A unit's files reach the module through
 * {@code enjambre.file_*} ({@link WasmJobFiles}). See docs/wasm-abi.md.
 */
public final class WasmApp implements App {
    public static final String NAME = "wasm";
    /** Range jobs that do not say how many units get at most this many. */
    public static final int DEFAULT_RANGE_UNITS = 10;
    public static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    private static final Set<String> FIELDS = Set.of("module", "inputs", "range", WasmJobFiles.FILES,
            WasmJobFiles.SHARED, "merge", "contentType");
    private static final Pattern MEDIA_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}");
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final ModuleSource modules;
    private final WasmRunner runner;

    /** A wasm app that finds modules in {@code modules} and runs them with the default limits. */
    public WasmApp(ModuleSource modules) {
        this(modules, new WasmRunner());
    }

    public WasmApp(ModuleSource modules, WasmRunner runner) {
        this.modules = Objects.requireNonNull(modules, "modules");
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The module a wasm job's input names, for the coordinator to hand workers with each task; empty when
     * the input names none.
     */
    public static Optional<String> moduleOf(JsonNode input) {
        JsonNode m = input == null ? null : input.get("module");
        return m != null && m.isTextual() && WasmModules.isSha256(m.textValue())
                ? Optional.of(m.textValue()) : Optional.empty();
    }

    @Override
    public void validate(JsonNode input, int workUnits) throws SpecException {
        if (input == null || !input.isObject()) {
            throw new SpecException("input", "input must be an object: {\"module\": sha256, \"inputs\": [...]},"
                    + " {\"module\": sha256, \"range\": {\"from\": a, \"to\": b}} or {\"module\": sha256, \"files\": [...]}");
        }
        for (Iterator<String> it = input.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new SpecException("input." + f, "unknown field 'input." + f + "' (known: "
                        + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            }
        }
        String sha = moduleField(input);
        boolean list = input.has("inputs");
        boolean files = input.has(WasmJobFiles.FILES);
        if ((list ? 1 : 0) + (input.has("range") ? 1 : 0) + (files ? 1 : 0) != 1) {
            throw new SpecException("input", "input needs exactly one of 'inputs' (a list, one work unit each),"
                    + " 'range' ({\"from\": a, \"to\": b}, split into work units) or 'files' (file ids, one work unit each)");
        }
        if (list) {
            validateInputs(input.get("inputs"), workUnits);
        } else if (!files) {
            validateRange(input.get("range"), workUnits);
        }
        WasmJobFiles.validate(input, workUnits, files);
        String merge = merge(input);
        JsonNode type = input.get("contentType");
        if (type != null && !(type.isTextual() && MEDIA_TYPE.matcher(type.textValue()).matches())) {
            throw new SpecException("input.contentType", "input.contentType must be a media type such as"
                    + " application/json");
        }
        byte[] bytes = modules.find(sha).orElseThrow(() -> new SpecException("input.module",
                "no module with sha256 " + sha + " was uploaded (upload it first: POST /api/v1/modules)"));
        if (merge.equals("module")) {
            ModuleInfo info;
            try {
                info = WasmModules.validate(bytes, runner.limits().maxModuleBytes());
            } catch (WasmException e) {
                throw new SpecException("input.module", "module " + sha + " is refused: " + e.getMessage());
            }
            if (!info.hasMerge()) {
                throw new SpecException("input.merge", "module " + sha + " does not export 'merge';"
                        + " use \"merge\": \"concat\" or add a merge export");
            }
        }
    }

    private static String moduleField(JsonNode input) throws SpecException {
        JsonNode m = input.get("module");
        if (m == null || m.isNull()) {
            throw new SpecException("input.module", "input.module is required: the sha256 of an uploaded module");
        }
        if (!m.isTextual() || !WasmModules.isSha256(m.textValue())) {
            throw new SpecException("input.module", "input.module must be a module's sha256: 64 lowercase hex digits");
        }
        return m.textValue();
    }

    private static void validateInputs(JsonNode inputs, int workUnits) throws SpecException {
        if (!inputs.isArray() || inputs.isEmpty()) {
            throw new SpecException("input.inputs", "input.inputs must be a non-empty list, one element per work unit");
        }
        if (inputs.size() > JobSpecParser.MAX_WORK_UNITS) {
            throw new SpecException("input.inputs", "input.inputs has " + inputs.size()
                    + " elements, more than " + JobSpecParser.MAX_WORK_UNITS);
        }
        // JobSpecParser probes with 1 unit before asking defaultWorkUnits, so 1 must pass here.
        if (workUnits != inputs.size()) {
            throw new SpecException("workUnits", "workUnits (" + workUnits + ") must equal the number of"
                    + " input.inputs (" + inputs.size() + "), or be left out");
        }
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode e = inputs.get(i);
            int bytes = e.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > JobSpecParser.MAX_UNIT_INPUT_BYTES) {
                throw new SpecException("input.inputs[" + i + "]", "input.inputs[" + i + "] is " + bytes
                        + " bytes, more than the limit of " + JobSpecParser.MAX_UNIT_INPUT_BYTES + " bytes per unit");
            }
            if (isBase64(e)) {
                JsonNode text = e.get("base64");
                if (!text.isTextual() || !decodes(text.textValue())) {
                    throw new SpecException("input.inputs[" + i + "].base64",
                            "input.inputs[" + i + "].base64 must be base64 text");
                }
            }
        }
    }

    private static void validateRange(JsonNode range, int workUnits) throws SpecException {
        if (!range.isObject()) {
            throw new SpecException("input.range", "input.range must be an object {\"from\": a, \"to\": b}");
        }
        long from = rangeLong(range, "from");
        long to = rangeLong(range, "to");
        if (from >= to) {
            throw new SpecException("input.range.to", "input.range.to (" + to + ") must be greater than"
                    + " input.range.from (" + from + ")");
        }
        long size;
        try {
            size = Math.subtractExact(to, from);
        } catch (ArithmeticException e) {
            throw new SpecException("input.range", "input.range is wider than 2^63 - 1 numbers");
        }
        if (workUnits > size) {
            throw new SpecException("workUnits", "workUnits (" + workUnits + ") must be at most the size of"
                    + " input.range (" + size + ")");
        }
    }

    private static long rangeLong(JsonNode range, String field) throws SpecException {
        try {
            return JobSpecParser.inputLong(range, field);
        } catch (SpecException e) {
            throw new SpecException("input.range." + field, e.getMessage().replace("input." + field,
                    "input.range." + field));
        }
    }

    private static String merge(JsonNode input) throws SpecException {
        JsonNode m = input.get("merge");
        if (m == null || m.isNull()) {
            return "concat";
        }
        if (!m.isTextual() || !(m.textValue().equals("concat") || m.textValue().equals("module"))) {
            throw new SpecException("input.merge", "input.merge must be \"concat\" (outputs joined in unit order)"
                    + " or \"module\" (the module's merge export)");
        }
        return m.textValue();
    }

    private static boolean isBase64(JsonNode e) {
        return e.isObject() && e.size() == 1 && e.has("base64");
    }

    private static boolean decodes(String text) {
        try {
            Base64.getDecoder().decode(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public int defaultWorkUnits(JsonNode input) {
        if (input.has("inputs")) {
            return input.get("inputs").size();
        }
        if (input.has(WasmJobFiles.FILES)) {
            return input.get(WasmJobFiles.FILES).size();
        }
        long size = input.get("range").get("to").longValue() - input.get("range").get("from").longValue();
        return (int) Math.min(size, DEFAULT_RANGE_UNITS);
    }

    @Override
    public byte[] unitInput(JsonNode input, int workUnits, int index) {
        String sha = input.get("module").textValue();
        return new WasmUnitInput(sha, unitFiles(input, index), payload(input, workUnits, index)).encode();
    }

    /** Every uploaded file the job reads, by the field naming it ({@code input.sharedFiles[0]}). */
    @Override
    public java.util.Map<String, String> inputFiles(JsonNode input) {
        return WasmJobFiles.byField(input);
    }

    /** The ids of the files unit {@code index} reads: its own ({@code files} mode) first, then the shared ones. */
    public List<String> unitFiles(JsonNode input, int index) {
        return WasmJobFiles.ofUnit(input, index);
    }

    @Override
    public boolean readsFiles(JsonNode input) {
        return WasmJobFiles.any(input);
    }

    private static byte[] payload(JsonNode input, int workUnits, int index) {
        if (input.has(WasmJobFiles.FILES)) {
            return new byte[0];
        }
        if (input.has("inputs")) {
            JsonNode e = input.get("inputs").get(index);
            if (isBase64(e)) {
                return Base64.getDecoder().decode(e.get("base64").textValue());
            }
            try {
                return JSON.writeValueAsBytes(e);
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException("a JSON tree always serializes", ex);
            }
        }
        long from = input.get("range").get("from").longValue();
        long to = input.get("range").get("to").longValue();
        long size = to - from;
        long q = size / workUnits;
        long r = size % workUnits;
        long start = from + index * q + Math.min(index, r);
        long end = start + q + (index < r ? 1 : 0);
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(start).putLong(end).array();
    }

    /** Unknown to the platform: the sandbox's time limit bounds a unit instead of the spec parser. */
    @Override
    public double maxUnitSeconds(JsonNode input, int workUnits) {
        return 0;
    }

    /** Unknown to the platform; every unit counts as one second of work. */
    @Override
    public double cost(JsonNode input, int workUnits, int index) {
        return 1.0;
    }

    /**
     * Runs the unit's module on its payload.
     *
     * @throws WasmException when the module is missing, refused, or fails (trap, time, memory, ABI)
     */
    @Override
    public byte[] run(byte[] unitInput, RunContext context) throws Exception {
        WasmUnitInput unit = WasmUnitInput.decode(unitInput);
        return runner.run(module(unit.sha256(), context), unit.payload(), unit.files(), context);
    }

    private byte[] module(String sha, RunContext context) throws WasmException {
        java.util.Optional<byte[]> handed = context.blob();
        byte[] bytes = (handed.isPresent() ? handed : modules.find(sha)).orElseThrow(() -> new WasmException(WasmException.Kind.INVALID_MODULE,
                "no module with sha256 " + sha + " is available here"));
        if (!WasmModules.sha256(bytes).equals(sha)) {
            throw new WasmException(WasmException.Kind.INVALID_MODULE,
                    "the bytes found for module " + sha + " have another sha256");
        }
        return bytes;
    }

    private byte[] module(String sha) throws WasmException {
        return module(sha, RunContext.inMemory());
    }

    @Override
    public Merger merger(JsonNode input, int workUnits) {
        String sha = input.get("module").textValue();
        JsonNode type = input.get("contentType");
        String contentType = type == null || type.isNull() ? DEFAULT_CONTENT_TYPE : type.textValue();
        boolean byModule = input.has("merge") && "module".equals(input.get("merge").textValue());
        return byModule ? new ModuleMerger(sha, contentType) : new ConcatMerger(contentType);
    }

    /** Joins the outputs in unit order. */
    private static final class ConcatMerger implements Merger {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final String contentType;

        ConcatMerger(String contentType) {
            this.contentType = contentType;
        }

        @Override
        public void accept(int index, byte[] output) {
            out.writeBytes(output);
        }

        @Override
        public MergedResult finish() {
            return new MergedResult(contentType, out.toByteArray());
        }
    }

    /** Hands all outputs, in unit order, to the module's merge export. */
    private final class ModuleMerger implements Merger {
        private final List<byte[]> outputs = new ArrayList<>();
        private final String sha;
        private final String contentType;

        ModuleMerger(String sha, String contentType) {
            this.sha = sha;
            this.contentType = contentType;
        }

        @Override
        public void accept(int index, byte[] output) {
            outputs.add(output.clone());
        }

        @Override
        public MergedResult finish() throws WasmException {
            return new MergedResult(contentType, runner.merge(module(sha), outputs));
        }
    }
}
