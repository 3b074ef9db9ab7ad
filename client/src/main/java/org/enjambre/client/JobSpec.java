package org.enjambre.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Objects;

/**
 * A job spec to submit: the app, its input, and optionally the number of work units, the redundancy policy, the
 * per-task deadline, the priority and a name (everything but {@code app} and {@code input} has a server default).
 * Immutable; built with {@link #builder(String)} or read with {@link #fromJson(String)}.
 *
 * <pre>{@code
 * JobSpec spec = JobSpec.builder("primes")
 *         .name("primes below ten million")
 *         .input(Map.of("from", 2, "to", 10_000_000))
 *         .workUnits(100).replicas(2).quorum(2)
 *         .build();
 * }</pre>
 *
 * <p>The client checks only what it needs to send the spec; the coordinator validates it and answers a bad one
 * with a {@link BadRequestException} naming the field ({@code workUnits}, {@code redundancy.quorum}...).
 */
public final class JobSpec {
    /** Invariant: a private tree, never handed out or changed after construction. */
    private final ObjectNode tree;

    private JobSpec(ObjectNode tree) {
        this.tree = tree;
    }

    /** A builder of a spec for {@code app} ({@code primes}, {@code collatz}, {@code mandelbrot}, {@code noop}, {@code wasm}). */
    public static Builder builder(String app) {
        return new Builder(app);
    }

    /**
     * The spec in a JSON text (a job file).
     *
     * @throws IllegalArgumentException when the text is not a JSON object
     */
    public static JobSpec fromJson(String json) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the job spec is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(n instanceof ObjectNode o)) {
            throw new IllegalArgumentException("the job spec must be a JSON object");
        }
        return new JobSpec(o);
    }

    /** The app, or null when a spec read from JSON has none (the server will say so). */
    public String app() {
        JsonNode app = tree.get("app");
        return app == null || !app.isTextual() ? null : app.asText();
    }

    /** The spec as a JSON tree (a copy). */
    public JsonNode toJsonNode() {
        return tree.deepCopy();
    }

    /** The spec as JSON text, as it is submitted. */
    public String toJson() {
        return tree.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobSpec s && s.tree.equals(tree);
    }

    @Override
    public int hashCode() {
        return tree.hashCode();
    }

    @Override
    public String toString() {
        return "JobSpec" + tree;
    }

    /** Builds a {@link JobSpec}; not thread-safe. Unset fields are left to the server's defaults. */
    public static final class Builder {
        private final ObjectNode tree = Json.MAPPER.createObjectNode();

        private Builder(String app) {
            tree.put("app", Objects.requireNonNull(app, "app"));
        }

        /** A name shown in listings and the dashboard (default: "{app} job"). */
        public Builder name(String name) {
            tree.put("name", Objects.requireNonNull(name, "name"));
            return this;
        }

        /** The app's input as JSON text, e.g. {@code {"from":2,"to":10000000}}. */
        public Builder inputJson(String json) {
            try {
                tree.set("input", Json.MAPPER.readTree(Objects.requireNonNull(json, "input")));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("input is not valid JSON: " + e.getOriginalMessage(), e);
            }
            return this;
        }

        /** The app's input as any value Jackson writes as JSON: a {@code Map}, a record, a {@link JsonNode}... */
        public Builder input(Object input) {
            tree.set("input", Json.MAPPER.valueToTree(Objects.requireNonNull(input, "input")));
            return this;
        }

        /**
         * For the {@code wasm} app: the SHA-256 of an uploaded module ({@link EnjambreClient#uploadModule}), set as
         * {@code input.module}; call after {@link #input}.
         */
        public Builder wasmModule(String sha256) {
            JsonNode input = tree.get("input");
            ObjectNode in = input instanceof ObjectNode o ? o : tree.putObject("input");
            in.put("module", Objects.requireNonNull(sha256, "sha256"));
            return this;
        }

        /** How many work units the job is split into. */
        public Builder workUnits(int workUnits) {
            tree.put("workUnits", workUnits);
            return this;
        }

        /** Replicas started at once per work unit (BOINC {@code target_nresults}). */
        public Builder replicas(int replicas) {
            redundancy().put("replicas", replicas);
            return this;
        }

        /** Agreeing results needed to accept a work unit's result (BOINC {@code min_quorum}). */
        public Builder quorum(int quorum) {
            redundancy().put("quorum", quorum);
            return this;
        }

        /** Failed replicas a work unit tolerates before it fails. */
        public Builder maxErrors(int maxErrors) {
            redundancy().put("maxErrors", maxErrors);
            return this;
        }

        /** Results a work unit may collect without agreement before it fails. */
        public Builder maxResults(int maxResults) {
            redundancy().put("maxResults", maxResults);
            return this;
        }

        /** Adaptive replication: one replica for work units sent to trusted workers. */
        public Builder adaptive(boolean adaptive) {
            redundancy().put("adaptive", adaptive);
            return this;
        }

        /** The credibility (0 to 1) a lone result needs to be accepted without a quorum. */
        public Builder credibility(double credibility) {
            redundancy().put("credibility", credibility);
            return this;
        }

        /** The share (0 to 1) of work units used as spot checks of workers' honesty. */
        public Builder spotCheckRate(double rate) {
            redundancy().put("spotCheckRate", rate);
            return this;
        }

        /** The per-task deadline in seconds (BOINC {@code delay_bound}); a replica not reported by then is reissued. */
        public Builder deadlineSeconds(int seconds) {
            tree.put("deadlineSeconds", seconds);
            return this;
        }

        /** The job's priority: higher goes first. */
        public Builder priority(int priority) {
            tree.put("priority", priority);
            return this;
        }

        /**
         * The spec.
         *
         * @throws IllegalStateException when no input was given
         */
        public JobSpec build() {
            if (!tree.has("input")) {
                throw new IllegalStateException("a job spec needs an input: call input(...) or inputJson(...)");
            }
            return new JobSpec(tree.deepCopy());
        }

        private ObjectNode redundancy() {
            JsonNode r = tree.get("redundancy");
            return r instanceof ObjectNode o ? o : tree.putObject("redundancy");
        }
    }
}
