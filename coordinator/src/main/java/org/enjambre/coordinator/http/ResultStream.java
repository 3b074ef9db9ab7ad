package org.enjambre.coordinator.http;

import org.enjambre.coordinator.data.BoundedStream;
import org.enjambre.coordinator.data.OutputFiles;
import org.enjambre.coordinator.jobs.ResultParts;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Iterator;
import java.util.List;

/**
 * A job result made of parts ({@link ResultParts}) as one stream: bytes {@code [offset, offset + length)} of the
 * outputs joined in unit order, each output file opened only when reached (chunk by chunk, never whole in memory).
 * Parts that end before {@code offset} are not opened at all. Blocking reads.
 */
final class ResultStream {
    private ResultStream() {
    }

    /**
     * The result's verification manifest ({@code GET /api/v1/jobs/{id}/result/manifest}): its size, content type and
     * consecutive segments, each {@code {"size", "sha256"}}, covering it in order: the chunks of each output file (their
     * stored hashes, nothing read) and the SHA-256 of each inline piece (or of the whole result when it has no parts).
     */
    static com.fasterxml.jackson.databind.node.ObjectNode manifest(org.enjambre.workunits.app.MergedResult r, OutputFiles outputs) {
        com.fasterxml.jackson.databind.node.ObjectNode n = org.enjambre.coordinator.store.Json.MAPPER.createObjectNode();
        n.put("contentType", r.contentType());
        com.fasterxml.jackson.databind.node.ArrayNode segments = n.putArray("segments");
        if (!ResultParts.is(r.body())) {
            n.put("size", r.body().length);
            segments.addObject().put("size", r.body().length).put("sha256", sha256(r.body()));
            return n;
        }
        ResultParts parts = ResultParts.decode(r.body());
        n.put("size", parts.size());
        for (ResultParts.Part p : parts.parts()) {
            if (p.file() == null) {
                segments.addObject().put("size", p.inline().length).put("sha256", sha256(p.inline()));
            } else {
                org.enjambre.coordinator.model.FileRecord f = outputs.record(p.file());
                for (int i = 0; i < f.chunks().size(); i++) {
                    segments.addObject().put("size", f.chunkBytes(i)).put("sha256", f.chunks().get(i));
                }
            }
        }
        return n;
    }

    private static String sha256(byte[] bytes) {
        return org.enjambre.coordinator.data.Hashes.hex(org.enjambre.coordinator.data.Hashes.sha256().digest(bytes));
    }

    static InputStream open(ResultParts result, OutputFiles outputs, long offset, long length) throws IOException {
        List<ResultParts.Part> parts = result.parts();
        int first = 0;
        long skip = offset;
        while (first < parts.size() && skip >= parts.get(first).size()) {
            skip -= parts.get(first).size();
            first++;
        }
        Iterator<ResultParts.Part> it = parts.subList(first, parts.size()).iterator();
        InputStream joined = new SequenceInputStream(new java.util.Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return it.hasNext();
            }

            @Override
            public InputStream nextElement() {
                ResultParts.Part p = it.next();
                return p.file() == null ? new ByteArrayInputStream(p.inline()) : outputs.open(p.file());
            }
        });
        joined.skipNBytes(skip);
        return new BoundedStream(joined, length);
    }
}
