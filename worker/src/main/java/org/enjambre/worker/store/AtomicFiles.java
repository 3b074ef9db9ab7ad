package org.enjambre.worker.store;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file writes: the bytes go to a temporary file in the same directory, are forced to disk,
 * and the file is moved over the target in one step. Readers see the old content or the new, never
 * a mix. On the default file system writes use plain streams, so an interrupted thread still completes them;
 * on any other (an in-memory one in tests) a file channel. A write that fails (a full disk) leaves no temporary file.
 */
public final class AtomicFiles {
    static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code data}, atomically where the file system allows it. */
    public static void write(Path target, byte[] data) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName(), TEMP_SUFFIX);
        try {
            writeAndSync(temp, data);
            moveIntoPlace(temp, target);
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Renames {@code temp} to {@code target}, replacing it: atomically where the file system allows it. */
    public static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes {@code data} to {@code file} and forces it to disk. */
    private static void writeAndSync(Path file, byte[] data) throws IOException {
        if (file.getFileSystem() == FileSystems.getDefault()) {
            try (FileOutputStream out = new FileOutputStream(file.toFile())) { // not interruptible, unlike a channel
                out.write(data);
                out.getFD().sync();
            }
            return;
        }
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(data);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(false);
        }
    }

    /** Whether {@code file} is a leftover of an interrupted {@link #write}. */
    static boolean isTemporary(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    /** Deletes the leftovers of interrupted writes in {@code dir}. */
    static void deleteTemporaries(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (isTemporary(file)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** Makes the rename itself durable; not every platform can open a directory, so best effort. */
    static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open directories; the move is still atomic there.
        }
    }
}
