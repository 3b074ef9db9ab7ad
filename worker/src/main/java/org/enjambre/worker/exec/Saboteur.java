package org.enjambre.worker.exec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.enjambre.worker.protocol.AssignedTask;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.random.RandomGenerator;
import java.util.logging.Logger;

/**
 * TEST ONLY: turns a share of correct results into plausible wrong ones, to exercise quorum
 * validation. With rate {@code r}, a result is replaced: in a JSON output the first number changes
 * (by +1 when colluding, by a random non-zero offset otherwise); any other output gets one byte
 * flipped (at a position fixed by the work unit when colluding, random otherwise).
 *
 * <p>Colluding saboteurs decide and change deterministically from the work unit id (the task id
 * without its replica number), so every colluder that gets a replica of the same unit sabotages it
 * and they all report the same wrong output. A rate of 0 never changes anything.
 *
 * <p>Thread-safe.
 */
public final class Saboteur {
    private static final Logger LOG = Logger.getLogger(Saboteur.class.getName());
    private static final JsonFactory JSON = new JsonFactory();

    private final double rate;
    private final boolean colluding;
    private final RandomGenerator random;

    public Saboteur(double rate, boolean colluding, RandomGenerator random) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("sabotage rate must be between 0 and 1, got " + rate);
        }
        this.rate = rate;
        this.colluding = colluding;
        this.random = random;
    }

    /** A saboteur that never sabotages. */
    public static Saboteur none() {
        return new Saboteur(0, false, new java.util.Random());
    }

    public boolean active() {
        return rate > 0;
    }

    /** {@code output}, or with probability {@code rate} a plausible wrong version of it. */
    public byte[] apply(String taskId, byte[] output) {
        if (rate <= 0 || !chooses(taskId)) {
            return output;
        }
        byte[] wrong = corrupt(taskId, output);
        LOG.warning("SABOTAGE (test only): reporting a wrong result for task " + taskId + (colluding ? " (colluding)" : ""));
        return wrong;
    }

    boolean chooses(String taskId) {
        if (rate >= 1) {
            return true;
        }
        double r = colluding ? unitHash(taskId).getLong(0) >>> 11 : random.nextLong() >>> 11;
        return r * 0x1.0p-53 < rate;
    }

    byte[] corrupt(String taskId, byte[] output) {
        byte[] changed = changeFirstNumber(taskId, output);
        return changed != null ? changed : flipByte(taskId, output);
    }

    /** The JSON {@code output} with its first number changed; {@code null} when it is not JSON or has no number. */
    private byte[] changeFirstNumber(String taskId, byte[] output) {
        long[] span = firstNumber(output);
        if (span == null) {
            return null;
        }
        int start = (int) span[0];
        int end = (int) span[1];
        String number = new String(output, start, end - start, StandardCharsets.US_ASCII);
        long offset = colluding ? 1 : nonZeroOffset();
        String replaced;
        if (number.matches("-?\\d+")) {
            replaced = new BigInteger(number).add(BigInteger.valueOf(offset)).toString();
        } else {
            replaced = new BigDecimal(number).add(BigDecimal.valueOf(offset)).toString();
        }
        byte[] bytes = replaced.getBytes(StandardCharsets.US_ASCII);
        byte[] result = new byte[output.length - (end - start) + bytes.length];
        System.arraycopy(output, 0, result, 0, start);
        System.arraycopy(bytes, 0, result, start, bytes.length);
        System.arraycopy(output, end, result, start + bytes.length, output.length - end);
        return result;
    }

    private long nonZeroOffset() {
        long magnitude = 1 + random.nextLong(1_000_000);
        return random.nextBoolean() ? magnitude : -magnitude;
    }

    /** The byte span of the first number in a well-formed JSON document, or {@code null}. */
    private static long[] firstNumber(byte[] output) {
        try (JsonParser parser = JSON.createParser(output)) {
            long[] span = null;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (span == null && (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT)) {
                    long start = parser.currentTokenLocation().getByteOffset();
                    span = new long[] {start, start + parser.getText().length()};
                }
            }
            if (span == null || span[0] < 0 || span[1] > output.length) {
                return null;
            }
            String text = new String(output, (int) span[0], (int) (span[1] - span[0]), StandardCharsets.US_ASCII);
            return text.matches("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?") ? span : null;
        } catch (IOException e) {
            return null;
        }
    }

    private byte[] flipByte(String taskId, byte[] output) {
        if (output.length == 0) {
            return new byte[] {1};
        }
        byte[] result = output.clone();
        int position;
        int mask;
        if (colluding) {
            ByteBuffer hash = unitHash(taskId);
            position = (int) Long.remainderUnsigned(hash.getLong(8), output.length);
            mask = 1;
        } else {
            position = random.nextInt(output.length);
            mask = 1 + random.nextInt(255);
        }
        result[position] ^= (byte) mask;
        return result;
    }

    private static ByteBuffer unitHash(String taskId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(AssignedTask.unitOf(taskId).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
