package org.enjambre.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.enjambre.coordinator.data.Hashes;
import org.enjambre.coordinator.errors.InvalidInputException;
import org.enjambre.workunits.text.Printable;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /api/v1/data/reports} (docs/api.md): {@code {"reports": [{"file", "chunk", "source",
 * "kind", "reason"?}]}}, 1 to {@link #MAX} reports; {@code kind} is {@code sharer} or {@code peer}, {@code source}
 * the http(s) URL the bad copy came from. Each rule broken is a 400 naming its field.
 */
record BadCopyReports(List<Report> reports) {
    /** Reports in one request, at most. */
    static final int MAX = 100;
    /** Bytes of one request body, at most. */
    static final long BYTES = 256 << 10;
    private static final Set<String> FIELDS = Set.of("file", "chunk", "source", "kind", "reason");

    /** One bad copy: of chunk {@code chunk} of file {@code file}, sent by {@code source}, a {@code kind}. */
    record Report(String file, String chunk, String source, String kind) {
    }

    static BadCopyReports parse(JsonNode body) {
        JsonNode arr = body.get("reports");
        if (arr == null || !arr.isArray() || arr.isEmpty() || arr.size() > MAX || body.size() != 1) {
            throw InvalidInputException.of("the body must be {\"reports\": [...]} with 1 to " + MAX + " reports", "reports");
        }
        List<Report> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            String at = "reports[" + i + "]";
            JsonNode r = arr.get(i);
            if (!r.isObject()) {
                throw InvalidInputException.of(at + " must be an object {file, chunk, source, kind}", at);
            }
            for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f)) {
                    throw InvalidInputException.of("unknown field '" + Printable.escape(f) + "' (known: file, chunk, source, kind, reason)", at + "." + f);
                }
            }
            String file = Hashes.check(r.path("file").isTextual() ? r.get("file").asText() : null, at + ".file");
            String chunk = Hashes.check(r.path("chunk").isTextual() ? r.get("chunk").asText() : null, at + ".chunk");
            String kind = r.path("kind").asText("");
            if (!kind.equals("sharer") && !kind.equals("peer")) {
                throw InvalidInputException.of("kind must be \"sharer\" or \"peer\"", at + ".kind");
            }
            String source = r.path("source").isTextual() ? r.get("source").asText() : "";
            if (!httpUrl(source)) {
                throw InvalidInputException.of("source must be the http(s) URL the bad copy came from", at + ".source");
            }
            JsonNode reason = r.get("reason");
            if (reason != null && (!reason.isTextual() || reason.asText().length() > 1000)) {
                throw InvalidInputException.of("reason must be a string of at most 1000 characters", at + ".reason");
            }
            out.add(new Report(file, chunk, source, kind));
        }
        return new BadCopyReports(out);
    }

    private static boolean httpUrl(String s) {
        if (s.isEmpty() || s.length() > 2000) {
            return false;
        }
        try {
            URI u = new URI(s);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
