package org.enjambre.workunits.wasm;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.UnlinkableException;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;
import org.enjambre.workunits.app.RunContext;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs Enjambre WebAssembly modules in a sandbox: compiled to JVM bytecode by Chicory, a fresh instance
 * per run, no host access beyond the ABI's host functions (progress, checkpoints, and reading the unit's input
 * files by range), linear memory capped, wall-clock time bounded.
 *
 * <p>Compiled modules are cached by SHA-256 (compiling is the costly part); instances never are, so no
 * state leaks from one run to the next. Thread-safe: any number of threads may run modules at once, each
 * run on its own thread so that a hostile module can be interrupted at its deadline.
 */
public final class WasmRunner {
    /** Compiled modules kept; each holds its generated classes. */
    static final int CACHE_SIZE = 32;
    /** How often a waiting run polls its context for cancellation. */
    private static final long POLL_MILLIS = 50;
    /** How long an interrupted module gets to notice before the run is abandoned. */
    private static final long GRACE_MILLIS = 5_000;
    /** The stack of the thread a module runs on: the same on every worker, so recursion depth is too. */
    private static final long STACK_BYTES = 16L << 20;

    private static final RunContext NO_HOST = new RunContext() {
        @Override public void progress(double fraction) { }
        @Override public boolean timeToCheckpoint() { return false; }
        @Override public void checkpoint(byte[] state) { }
        @Override public Optional<byte[]> restore() { return Optional.empty(); }
        @Override public void checkCancelled() { }
    };

    private final WasmLimits limits;
    private final Map<String, Compiled> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Compiled> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    /** A runner with the default limits: 16 MiB modules, 256 MiB of memory, 10 minutes per run. */
    public WasmRunner() {
        this(WasmLimits.defaults());
    }

    public WasmRunner(WasmLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public WasmLimits limits() {
        return limits;
    }

    /**
     * Validates and compiles {@code module}, keeping it for later runs.
     *
     * @throws WasmException of kind {@link WasmException.Kind#INVALID_MODULE} when the module is refused
     */
    public ModuleInfo load(byte[] module) throws WasmException {
        return compiled(module).info();
    }

    /** Runs {@code module}'s {@code run} export on {@code input} with no progress or checkpoint host. */
    public byte[] run(byte[] module, byte[] input) throws WasmException {
        try {
            return run(module, input, NO_HOST);
        } catch (RunContext.CancelledException e) {
            throw new IllegalStateException("a context that never cancels cancelled", e);
        }
    }

    /**
     * Runs {@code module}'s {@code run} export on {@code input}; the module's progress and checkpoint
     * hooks go to {@code context}, which is also polled for cancellation while the module runs.
     *
     * @return the output bytes
     * @throws WasmException when the module is invalid, traps, runs out of time or memory, or breaks the ABI
     * @throws RunContext.CancelledException when {@code context} cancelled the run, or the calling thread
     *                                       was interrupted (its interrupt flag is then set again)
     */
    public byte[] run(byte[] module, byte[] input, RunContext context)
            throws WasmException, RunContext.CancelledException {
        return run(module, input, List.of(), context);
    }

    /**
     * As {@link #run(byte[], byte[], RunContext)}, the module reading the uploaded files {@code files} (by id, numbered
     * in this order) through {@code enjambre.file_*}, from {@link RunContext#files()}.
     */
    public byte[] run(byte[] module, byte[] input, List<String> files, RunContext context)
            throws WasmException, RunContext.CancelledException {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(context, "context");
        return call(compiled(module), Abi.RUN, input, List.copyOf(files), context);
    }

    /**
     * Calls {@code module}'s {@code merge} export on the units' outputs, in unit order, each framed as a
     * little-endian u32 length and its bytes; returns the merged result.
     */
    public byte[] merge(byte[] module, List<byte[]> outputs) throws WasmException {
        Compiled c = compiled(module);
        if (!c.info().hasMerge()) {
            throw new WasmException(WasmException.Kind.INVALID_MODULE, "module does not export 'merge'");
        }
        try {
            return call(c, Abi.MERGE, frame(outputs), List.of(), NO_HOST);
        } catch (RunContext.CancelledException e) {
            throw new IllegalStateException("a context that never cancels cancelled", e);
        }
    }

    /** The outputs as the merge export reads them: each a little-endian u32 length, then its bytes. */
    static byte[] frame(List<byte[]> outputs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] o : outputs) {
            out.writeBytes(len.putInt(0, o.length).array());
            out.writeBytes(o);
        }
        return out.toByteArray();
    }

    private record Compiled(WasmModule module, ModuleInfo info, Function<Instance, Machine> machines) {
    }

    private Compiled compiled(byte[] bytes) throws WasmException {
        Objects.requireNonNull(bytes, "module");
        String sha = WasmModules.sha256(bytes);
        synchronized (cache) {
            Compiled hit = cache.get(sha);
            if (hit != null) {
                return hit;
            }
        }
        WasmModules.Parsed parsed = WasmModules.parse(bytes, limits.maxModuleBytes());
        Function<Instance, Machine> machines;
        try {
            machines = MachineFactoryCompiler.builder(parsed.module())
                    .withInterpreterFallback(InterpreterFallback.SILENT)
                    .compile();
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new WasmException(WasmException.Kind.INVALID_MODULE,
                    "module could not be compiled: " + message(e), e);
        }
        Compiled c = new Compiled(parsed.module(), parsed.info(), machines);
        synchronized (cache) {
            Compiled raced = cache.putIfAbsent(sha, c);
            return raced != null ? raced : c;
        }
    }

    /** What the module's thread left behind. */
    private static final class Outcome {
        volatile byte[] output;
        volatile Throwable error;
        volatile Memory memory;
    }

    private byte[] call(Compiled c, String export, byte[] input, List<String> files, RunContext context)
            throws WasmException, RunContext.CancelledException {
        MemoryLimits memoryLimits = memoryLimits(c);
        if ((long) input.length > (long) memoryLimits.maximumPages() * WasmLimits.PAGE_BYTES) {
            throw new WasmException(WasmException.Kind.OUT_OF_MEMORY, "the input of " + WasmLimits.bytes(input.length)
                    + " does not fit in the module's memory limit of "
                    + WasmLimits.bytes((long) memoryLimits.maximumPages() * WasmLimits.PAGE_BYTES));
        }
        Outcome outcome = new Outcome();
        Thread thread = new Thread(null, () -> {
            try {
                outcome.output = invoke(c, memoryLimits, export, input, files, context, outcome);
            } catch (Throwable t) {
                outcome.error = t;
            }
        }, "enjambre-wasm-" + c.info().sha256().substring(0, 12), STACK_BYTES);
        thread.setDaemon(true);
        thread.start();

        boolean timedOut = false;
        RunContext.CancelledException cancelled = null;
        Duration limit = timeLimit(limits.timeLimit(), context.millisLeft());
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (thread.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    timedOut = true;
                    break;
                }
                thread.join(Math.max(1, Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left) + 1)));
                if (thread.isAlive()) {
                    context.checkCancelled();
                }
            }
        } catch (RunContext.CancelledException e) {
            cancelled = e;
        } catch (InterruptedException e) {
            cancelled = new RunContext.CancelledException("the thread running the module was interrupted");
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
            joinQuietly(thread);
        }
        if (cancelled != null) {
            throw cancelled;
        }
        if (timedOut) {
            throw new WasmException(WasmException.Kind.TIMED_OUT, "module ran longer than " + WasmLimits.duration(limit));
        }
        if (outcome.error != null) {
            Exception e = translate(outcome.error, outcome.memory);
            if (e instanceof RunContext.CancelledException hostCancelled) {
                throw hostCancelled;
            }
            throw (WasmException) e;
        }
        return outcome.output;
    }

    /**
     * The run-time bound of one run: the configured one, or less when the host's deadline comes sooner, so
     * that the failure ("module ran longer than ...") is reported before that deadline instead of the task
     * silently missing it. A tenth of the time left, at most 5 s, is kept for the report; bounds above 10 s
     * are whole seconds.
     */
    static Duration timeLimit(Duration configured, long millisLeft) {
        if (millisLeft == Long.MAX_VALUE) {
            return configured;
        }
        long left = millisLeft - Math.min(Math.max(0, millisLeft) / 10, 5_000);
        if (left >= 10_000) {
            left -= left % 1000;
        }
        Duration bound = Duration.ofMillis(Math.max(1, left));
        return bound.compareTo(configured) < 0 ? bound : configured;
    }

    private static void joinQuietly(Thread thread) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        while (thread.isAlive() && System.nanoTime() < deadline) {
            try {
                thread.join(GRACE_MILLIS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The module's own memory limits, its maximum lowered to the cap; refuses a start above the cap. */
    private MemoryLimits memoryLimits(Compiled c) throws WasmException {
        MemoryLimits declared = c.module().memorySection().orElseThrow().getMemory(0).limits();
        int cap = limits.maxMemoryPages();
        if (declared.initialPages() > cap) {
            throw new WasmException(WasmException.Kind.OUT_OF_MEMORY, "module asks for "
                    + WasmLimits.bytes((long) declared.initialPages() * WasmLimits.PAGE_BYTES)
                    + " of memory at start, more than the cap of " + WasmLimits.bytes(limits.maxMemoryBytes()));
        }
        return new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), cap));
    }

    /** Runs on the module's thread: instantiate, copy the input in, call, copy the output out. */
    private static byte[] invoke(Compiled c, MemoryLimits memoryLimits, String export, byte[] input,
                                 List<String> files, RunContext context, Outcome outcome) throws WasmException {
        try (FileHost fileHost = new FileHost(files, context.files())) {
            Instance instance = Instance.builder(c.module())
                    .withMachineFactory(c.machines())
                    .withMemoryLimits(memoryLimits)
                    .withTableFactory(WasmRunner::freshTable)
                    .withImportValues(HostFunctions.of(context, fileHost))
                    .withInitialize(false)
                    .build();
            outcome.memory = instance.memory();
            instance.initialize(true);

            Memory memory = instance.memory();
            int ptr = (int) instance.export(Abi.ALLOC).apply(input.length)[0];
            checkRange(memory, ptr, input.length, "alloc(" + input.length + ") returned a buffer");
            memory.write(ptr, input);
            long packed = instance.export(export).apply(ptr, input.length)[0];
            int outPtr = (int) (packed >>> 32);
            int outLen = (int) packed;
            checkRange(memory, outPtr, outLen, export + " returned an output");
            return memory.readBytes(outPtr, outLen);
        }
    }

    private static void checkRange(Memory memory, int ptr, int len, String what) throws WasmException {
        long size = (long) memory.pages() * WasmLimits.PAGE_BYTES;
        long start = Integer.toUnsignedLong(ptr);
        long end = start + Integer.toUnsignedLong(len);
        if (end > size) {
            throw new WasmException(WasmException.Kind.ABI_VIOLATION, "module's " + what + " of "
                    + Integer.toUnsignedLong(len) + " bytes at address " + start + ", outside its memory of " + size + " bytes");
        }
    }

    /**
     * A table of the instance's own: Chicory's TableInstance grows the module's shared Table limits, which
     * would leak a table's size from one run into the next. Also caps growth.
     */
    private static TableInstance freshTable(Table table, int initialValue) {
        TableLimits l = table.limits();
        TableLimits own = new TableLimits(l.min(), Math.min(l.max(), Abi.MAX_TABLE_ELEMENTS));
        return new TableInstance(new Table(table.elementType(), own, table.initialize()), initialValue);
    }

    /** A {@link WasmException} or a {@link RunContext.CancelledException} that says what went wrong. */
    private Exception translate(Throwable error, Memory memory) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HostFunctions.HostCancelled) {
                return (RunContext.CancelledException) t.getCause();
            }
            if (t instanceof WasmException w) {
                return w;
            }
            if (t == t.getCause()) {
                break;
            }
        }
        if (error instanceof ChicoryInterruptedException) {
            return new WasmException(WasmException.Kind.TIMED_OUT,
                    "module was interrupted after running longer than " + WasmLimits.duration(limits.timeLimit()), error);
        }
        if (error instanceof OutOfMemoryError) {
            return new WasmException(WasmException.Kind.OUT_OF_MEMORY, "the host ran out of memory running the module"
                    + " (its memory cap is " + WasmLimits.bytes(limits.maxMemoryBytes()) + ")", error);
        }
        if (error instanceof StackOverflowError) {
            return new WasmException(WasmException.Kind.TRAPPED, "module trapped: call stack exhausted", error);
        }
        String hint = memoryHint(memory);
        if (error instanceof UninstantiableException || error instanceof UnlinkableException) {
            return new WasmException(WasmException.Kind.TRAPPED,
                    "module could not start: " + message(error) + hint, error);
        }
        if (error instanceof TrapException || error instanceof ChicoryException || error instanceof ArithmeticException) {
            return new WasmException(WasmException.Kind.TRAPPED, "module trapped: " + trap(message(error)) + hint, error);
        }
        return new WasmException(WasmException.Kind.TRAPPED, "module failed: " + error + hint, error);
    }

    /**
     * Says so when a trap came with the memory grown to its limit or within a tenth of it: a module that
     * grows in chunks stops short of the limit when the next chunk does not fit ({@code memory.grow}
     * returned -1), and then usually traps.
     */
    private static String memoryHint(Memory memory) {
        if (memory == null || memory.pages() <= memory.initialPages()) {
            return "";
        }
        String limit = WasmLimits.bytes((long) memory.maximumPages() * WasmLimits.PAGE_BYTES);
        if (memory.pages() >= memory.maximumPages()) {
            return " (its memory had grown to its limit of " + limit + ")";
        }
        if (memory.pages() * 10L >= memory.maximumPages() * 9L) {
            return String.format(java.util.Locale.ROOT, " (its memory had grown to its limit: %.1f MiB of %s)",
                    memory.pages() * (double) WasmLimits.PAGE_BYTES / (1 << 20), limit);
        }
        return "";
    }

    /** Chicory's "Trapped on unreachable instruction" as the spec names it: "unreachable". */
    private static String trap(String message) {
        if (message.equals("Trapped on unreachable instruction")) {
            return "unreachable";
        }
        return message.startsWith("Trapped on ") ? message.substring("Trapped on ".length()) : message;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
