package org.enjambre.worker;

/**
 * TEST ONLY: makes a worker report wrong results on purpose, to show that quorum validation catches
 * them. With {@code rate} r (0 to 1) a result is replaced by a plausible wrong one; {@code colluding}
 * saboteurs all pick the same units and the same wrong output, so they can outvote an honest worker
 * when they hold the quorum. Never enable it on a real worker; the worker logs loudly when it is on.
 */
public record Sabotage(double rate, boolean colluding) {
    /** No sabotage: the default. */
    public static final Sabotage NONE = new Sabotage(0, false);

    public Sabotage {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("sabotage rate must be between 0 and 1, got " + rate);
        }
    }

    /** Parses {@code RATE} or {@code RATE:colluding}, e.g. {@code 0.5:colluding}. */
    public static Sabotage parse(String text) {
        String spec = text == null ? "" : text.trim();
        boolean colluding = false;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            if (!spec.substring(colon + 1).equals("colluding")) {
                throw new IllegalArgumentException("sabotage must be RATE or RATE:colluding, got '" + text + "'");
            }
            colluding = true;
            spec = spec.substring(0, colon);
        }
        double rate;
        try {
            rate = Double.parseDouble(spec);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sabotage must be RATE or RATE:colluding with RATE between 0 and 1, got '" + text + "'");
        }
        return new Sabotage(rate, colluding);
    }

    public boolean enabled() {
        return rate > 0;
    }

    @Override
    public String toString() {
        return rate + (colluding ? ":colluding" : "");
    }
}
