package org.enjambre.workunits.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import org.enjambre.workunits.app.RunContext;

import java.util.Optional;

/**
 * The {@code enjambre.*} functions a module may import ({@link Abi#HOST_FUNCTIONS}, docs/wasm-abi.md), bound to one
 * run: progress and checkpoints go to its {@link RunContext}, file reads to its {@link FileHost}. A host function that
 * fails throws {@link HostFailure} (the run fails with its {@link WasmException}) or {@link HostCancelled}.
 */
final class HostFunctions {
    private HostFunctions() {
    }

    static ImportValues of(RunContext context, FileHost files) {
        var types = Abi.HOST_FUNCTIONS;
        HostFunction progress = new HostFunction(Abi.HOST_MODULE, Abi.PROGRESS, types.get(Abi.PROGRESS),
                (instance, args) -> {
                    double f = Double.longBitsToDouble(args[0]);
                    if (!Double.isNaN(f)) {
                        context.progress(Math.max(0.0, Math.min(1.0, f)));
                    }
                    checkCancelled(context);
                    return null;
                });
        HostFunction due = new HostFunction(Abi.HOST_MODULE, Abi.CHECKPOINT_DUE, types.get(Abi.CHECKPOINT_DUE),
                (instance, args) -> new long[] {context.timeToCheckpoint() ? 1 : 0});
        HostFunction checkpoint = new HostFunction(Abi.HOST_MODULE, Abi.CHECKPOINT, types.get(Abi.CHECKPOINT),
                (instance, args) -> {
                    context.checkpoint(instance.memory().readBytes((int) args[0], (int) args[1]));
                    checkCancelled(context);
                    return null;
                });
        HostFunction restore = new HostFunction(Abi.HOST_MODULE, Abi.RESTORE, types.get(Abi.RESTORE),
                (instance, args) -> {
                    Optional<byte[]> state = context.restore();
                    if (state.isEmpty()) {
                        return new long[] {-1};
                    }
                    byte[] s = state.get();
                    if (Integer.toUnsignedLong((int) args[1]) >= s.length) {
                        instance.memory().write((int) args[0], s);
                    }
                    return new long[] {s.length};
                });
        HostFunction fileCount = new HostFunction(Abi.HOST_MODULE, Abi.FILE_COUNT, types.get(Abi.FILE_COUNT),
                (instance, args) -> new long[] {files.count()});
        HostFunction fileSize = new HostFunction(Abi.HOST_MODULE, Abi.FILE_SIZE, types.get(Abi.FILE_SIZE),
                (instance, args) -> {
                    try {
                        return new long[] {files.size((int) args[0])};
                    } catch (WasmException e) {
                        throw new HostFailure(e);
                    }
                });
        HostFunction fileRead = new HostFunction(Abi.HOST_MODULE, Abi.FILE_READ, types.get(Abi.FILE_READ),
                (instance, args) -> {
                    try {
                        int n = files.read((int) args[0], args[1], (int) args[2], (int) args[3], instance.memory());
                        checkCancelled(context);
                        return new long[] {n};
                    } catch (WasmException e) {
                        throw new HostFailure(e);
                    }
                });
        return ImportValues.builder()
                .addFunction(progress, due, checkpoint, restore, fileCount, fileSize, fileRead).build();
    }

    private static void checkCancelled(RunContext context) {
        try {
            context.checkCancelled();
        } catch (RunContext.CancelledException e) {
            throw new HostCancelled(e);
        }
    }

    /** Carries a cancellation out of a host function, through the module, to the runner. */
    static final class HostCancelled extends RuntimeException {
        HostCancelled(RunContext.CancelledException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** Carries a host function's {@link WasmException} (a bad argument, an unreadable file) out through the module. */
    static final class HostFailure extends RuntimeException {
        HostFailure(WasmException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
