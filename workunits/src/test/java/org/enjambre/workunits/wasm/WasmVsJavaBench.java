package org.enjambre.workunits.wasm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures the example prime-counting module, compiled by Chicory to JVM bytecode, against the same
 * trial-division algorithm in plain Java, on this machine. Not a test: run it by hand,
 * {@code java -cp <test classpath> org.enjambre.workunits.wasm.WasmVsJavaBench [to] [rounds]}.
 */
public final class WasmVsJavaBench {
    private WasmVsJavaBench() {
    }

    public static void main(String[] args) throws Exception {
        long to = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        byte[] module = Wat.module("primes");
        WasmRunner runner = new WasmRunner();
        byte[] input = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(to).array();

        long compileStart = System.nanoTime();
        runner.load(module);
        double compileMs = (System.nanoTime() - compileStart) / 1e6;

        double[] wasm = new double[rounds];
        double[] java = new double[rounds];
        long wasmCount = 0;
        long javaCount = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            wasmCount = ByteBuffer.wrap(runner.run(module, input)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            long t1 = System.nanoTime();
            javaCount = countPrimes(0, to);
            long t2 = System.nanoTime();
            wasm[r] = (t1 - t0) / 1e6;
            java[r] = (t2 - t1) / 1e6;
        }
        if (wasmCount != javaCount) {
            throw new IllegalStateException("wasm counted " + wasmCount + ", java " + javaCount);
        }
        double w = median(wasm);
        double j = median(java);
        System.out.printf(Locale.ROOT, "primes below %,d: %,d%n", to, wasmCount);
        System.out.printf(Locale.ROOT, "compile (Chicory to JVM bytecode): %.1f ms%n", compileMs);
        System.out.printf(Locale.ROOT, "wasm (Chicory compiled)  rounds ms: %s, median %.1f ms%n", Arrays.toString(round(wasm)), w);
        System.out.printf(Locale.ROOT, "plain Java               rounds ms: %s, median %.1f ms%n", Arrays.toString(round(java)), j);
        System.out.printf(Locale.ROOT, "wasm / java = %.2f (Java %s, %d cores)%n", w / j,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    }

    /** The same algorithm as examples/wasm/primes.wat: trial division by 2 and odd d while d*d <= n. */
    static long countPrimes(long from, long to) {
        long count = 0;
        for (long n = from; n < to; n++) {
            if (isPrime(n)) {
                count++;
            }
        }
        return count;
    }

    private static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n < 4) {
            return true;
        }
        if ((n & 1) == 0) {
            return false;
        }
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double[] round(double[] xs) {
        return Arrays.stream(xs).map(x -> Math.round(x * 10) / 10.0).toArray();
    }
}
