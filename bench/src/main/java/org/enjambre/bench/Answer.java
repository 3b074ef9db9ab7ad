package org.enjambre.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line a child JVM answers with: a word and {@code key=value} fields, e.g. {@code stopped tasks=120 errors=0}.
 */
record Answer(String word, Map<String, String> fields) {

    static Answer parse(String line) {
        String[] parts = line.trim().split("\\s+");
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + parts[i] + "' in answer '" + line + "' is not key=value");
            }
            fields.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return new Answer(parts[0], Map.copyOf(fields));
    }

    static String format(String word, Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        StringBuilder b = new StringBuilder("@").append(word);
        for (int i = 0; i < keyValues.length; i += 2) {
            b.append(' ').append(keyValues[i]).append('=').append(keyValues[i + 1]);
        }
        return b.toString();
    }

    String text(String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalStateException("answer '" + word + "' has no field '" + key + "'");
        }
        return v;
    }

    long number(String key) {
        return Long.parseLong(text(key));
    }

    double decimal(String key) {
        return Double.parseDouble(text(key));
    }
}
