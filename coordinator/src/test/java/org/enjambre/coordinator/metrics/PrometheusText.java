package org.enjambre.coordinator.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Test support: a strict parser of the Prometheus text exposition format (version 0.0.4). It
 * rejects what Prometheus would reject and a little more: samples of no declared family (so TYPE
 * always comes first), families split into several groups, repeated series, HELP or TYPE given twice,
 * unknown escapes, malformed numbers, histograms whose buckets do not add up.
 */
final class PrometheusText {
    static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?|[+-]?Inf|NaN");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A metric family: its name, TYPE, HELP (or null) and samples in exposition order. */
    record Family(String name, String type, String help, List<Sample> samples) {
    }

    /** Thrown for text that is not valid exposition format; the message names the line. */
    static final class FormatException extends RuntimeException {
        FormatException(int line, String message) {
            super("line " + line + ": " + message);
        }

        FormatException(String message) {
            super(message);
        }
    }

    private final Map<String, String> types = new HashMap<>();
    private final Map<String, String> helps = new HashMap<>();
    private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
    private final Set<String> finished = new HashSet<>();
    private final Set<String> series = new HashSet<>();
    private final List<String> order = new ArrayList<>();
    private String current;
    private int line;

    private PrometheusText() {
    }

    /** Parses a whole exposition into its families, keyed by family name in order of appearance. */
    static Map<String, Family> parse(String text) {
        PrometheusText p = new PrometheusText();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new FormatException(text.split("\n", -1).length, "the exposition must end with a line feed");
        }
        for (String l : text.split("\n")) {
            p.line++;
            p.parseLine(l);
        }
        Map<String, Family> out = new LinkedHashMap<>();
        for (String name : p.order) {
            List<Sample> of = List.copyOf(p.samples.getOrDefault(name, List.of()));
            Family f = new Family(name, p.types.get(name), p.helps.get(name), of);
            checkFamily(f);
            out.put(name, f);
        }
        return out;
    }

    private void declare(String name) {
        if (!order.contains(name)) {
            order.add(name);
        }
    }

    private void parseLine(String l) {
        if (l.isEmpty()) {
            return;
        }
        if (l.startsWith("#")) {
            String[] parts = l.split("[ \\t]+", 4);
            if (parts.length >= 3 && parts[0].equals("#") && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                String name = parts[2];
                if (!METRIC_NAME.matcher(name).matches()) {
                    throw new FormatException(line, "'" + name + "' is not a valid metric name");
                }
                if (parts[1].equals("TYPE")) {
                    String type = parts.length == 4 ? parts[3] : "";
                    if (!TYPES.contains(type)) {
                        throw new FormatException(line, "unknown type '" + type + "' for " + name);
                    }
                    if (types.containsKey(name)) {
                        throw new FormatException(line, "second TYPE line for " + name);
                    }
                    types.put(name, type);
                } else {
                    if (helps.containsKey(name)) {
                        throw new FormatException(line, "second HELP line for " + name);
                    }
                    helps.put(name, unescapeHelp(parts.length == 4 ? parts[3] : ""));
                }
                startFamily(name);
                declare(name);
            }
            return; // any other comment
        }
        parseSample(l);
    }

    private void startFamily(String name) {
        if (name.equals(current)) {
            return;
        }
        if (finished.contains(name)) {
            throw new FormatException(line, "the lines of " + name + " are not one group");
        }
        if (current != null) {
            finished.add(current);
        }
        current = name;
    }

    private void parseSample(String l) {
        int i = 0;
        while (i < l.length() && (Character.isLetterOrDigit(l.charAt(i)) || l.charAt(i) == '_' || l.charAt(i) == ':')) {
            i++;
        }
        String name = l.substring(0, i);
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new FormatException(line, "no valid metric name at the start of '" + l + "'");
        }
        Map<String, String> labels = new TreeMap<>();
        if (i < l.length() && l.charAt(i) == '{') {
            i = parseLabels(l, i + 1, labels);
        }
        String rest = l.substring(i);
        if (rest.isEmpty() || (rest.charAt(0) != ' ' && rest.charAt(0) != '\t')) {
            throw new FormatException(line, "expected a blank and a value after " + name);
        }
        String[] fields = rest.strip().split("[ \\t]+");
        if (fields.length > 2) {
            throw new FormatException(line, "unexpected text after the value and timestamp: '" + rest.strip() + "'");
        }
        if (!FLOAT.matcher(fields[0]).matches()) {
            throw new FormatException(line, "'" + fields[0] + "' is not a float value");
        }
        if (fields.length == 2 && !TIMESTAMP.matcher(fields[1]).matches()) {
            throw new FormatException(line, "'" + fields[1] + "' is not a millisecond timestamp");
        }
        double value = switch (fields[0]) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(fields[0]);
        };
        String family = familyOf(name, labels);
        startFamily(family);
        if (!series.add(name + labels)) {
            throw new FormatException(line, "series " + name + labels + " appears twice");
        }
        samples.computeIfAbsent(family, k -> new ArrayList<>()).add(new Sample(name, Map.copyOf(labels), value));
    }

    private int parseLabels(String l, int i, Map<String, String> labels) {
        while (true) {
            if (i >= l.length()) {
                throw new FormatException(line, "unterminated label set");
            }
            if (l.charAt(i) == '}') {
                return i + 1;
            }
            int start = i;
            while (i < l.length() && l.charAt(i) != '=') {
                i++;
            }
            String label = l.substring(start, i);
            if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                throw new FormatException(line, "'" + label + "' is not a valid label name");
            }
            if (i + 1 >= l.length() || l.charAt(i + 1) != '"') {
                throw new FormatException(line, "label " + label + " needs a quoted value");
            }
            i += 2;
            StringBuilder value = new StringBuilder();
            while (true) {
                if (i >= l.length()) {
                    throw new FormatException(line, "unterminated value of label " + label);
                }
                char c = l.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    char e = i < l.length() ? l.charAt(i++) : 0;
                    switch (e) {
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        case 'n' -> value.append('\n');
                        default -> throw new FormatException(line, "unknown escape \\" + e + " in label " + label);
                    }
                } else {
                    value.append(c);
                }
            }
            if (labels.put(label, value.toString()) != null) {
                throw new FormatException(line, "label " + label + " given twice");
            }
            if (i < l.length() && l.charAt(i) == ',') {
                i++;
            } else if (i >= l.length() || l.charAt(i) != '}') {
                throw new FormatException(line, "expected ',' or '}' after label " + label);
            }
        }
    }

    /** The declared family a sample belongs to; a sample of no declared family is an error. */
    private String familyOf(String name, Map<String, String> labels) {
        if (types.containsKey(name)) {
            String type = types.get(name);
            if (type.equals("histogram")) {
                throw new FormatException(line, "histogram " + name + " has a sample without a _bucket, _sum or _count suffix");
            }
            if (type.equals("summary") && !labels.containsKey("quantile")) {
                throw new FormatException(line, "summary sample " + name + " needs a quantile label");
            }
            return name;
        }
        for (String suffix : List.of("_bucket", "_count", "_sum", "_created")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String type = types.get(base);
                boolean fits = "histogram".equals(type)
                        || ("summary".equals(type) && !suffix.equals("_bucket"))
                        || ("counter".equals(type) && suffix.equals("_created"));
                if (fits) {
                    if (suffix.equals("_bucket") && !labels.containsKey("le")) {
                        throw new FormatException(line, "histogram bucket " + name + " needs an le label");
                    }
                    return base;
                }
            }
        }
        throw new FormatException(line, "sample " + name + " belongs to no family declared with a TYPE line");
    }

    private static void checkFamily(Family f) {
        if (f.type() == null) {
            throw new FormatException("family " + f.name() + " has HELP but no TYPE");
        }
        if (f.type().equals("counter")) {
            for (Sample s : f.samples()) {
                if (!(s.value() >= 0)) {
                    throw new FormatException("counter " + s.name() + s.labels() + " is " + s.value());
                }
            }
        }
        if (f.type().equals("histogram")) {
            Map<Map<String, String>, TreeMap<Double, Double>> buckets = new HashMap<>();
            Map<Map<String, String>, Double> counts = new HashMap<>();
            for (Sample s : f.samples()) {
                Map<String, String> key = new TreeMap<>(s.labels());
                key.remove("le");
                if (s.name().endsWith("_bucket")) {
                    String le = s.labels().get("le");
                    if (!FLOAT.matcher(le).matches()) {
                        throw new FormatException("bucket le=\"" + le + "\" of " + f.name() + " is not a float");
                    }
                    double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                    buckets.computeIfAbsent(key, k -> new TreeMap<>()).put(bound, s.value());
                } else if (s.name().endsWith("_count")) {
                    counts.put(key, s.value());
                }
            }
            for (Map.Entry<Map<String, String>, TreeMap<Double, Double>> b : buckets.entrySet()) {
                double previous = 0;
                for (double v : b.getValue().values()) {
                    if (v < previous) {
                        throw new FormatException("buckets of " + f.name() + b.getKey() + " are not cumulative");
                    }
                    previous = v;
                }
                Double inf = b.getValue().get(Double.POSITIVE_INFINITY);
                if (inf == null) {
                    throw new FormatException(f.name() + b.getKey() + " has no le=\"+Inf\" bucket");
                }
                Double count = counts.get(b.getKey());
                if (count != null && !count.equals(inf)) {
                    throw new FormatException(f.name() + b.getKey() + ": _count " + count
                            + " differs from the +Inf bucket " + inf);
                }
            }
        }
    }

    private String unescapeHelp(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = ++i < s.length() ? s.charAt(i) : 0;
            switch (e) {
                case '\\' -> b.append('\\');
                case 'n' -> b.append('\n');
                default -> throw new FormatException(line, "unknown escape \\" + e + " in HELP");
            }
        }
        return b.toString();
    }
}
