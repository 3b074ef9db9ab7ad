package org.enjambre.worker;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the {@code worker} command shows. On a terminal: one status line rewritten in place
 * ({@code \r}) every half second, with log lines printed above it. Otherwise: plain timestamped log
 * lines, plus the status as a log line every {@link #PLAIN_INTERVAL} when it changed.
 */
final class StatusDisplay extends Handler {
    static final Duration PLAIN_INTERVAL = Duration.ofSeconds(30);
    private static final String LOGGER = "org.enjambre.worker";

    private final PrintStream out;
    private final boolean terminal;
    private final Supplier<String> status;
    private final LineFormatter formatter = new LineFormatter();
    private final Logger logger = Logger.getLogger(LOGGER);
    private Thread painter;
    private int drawn;
    private String lastPlain;

    StatusDisplay(PrintStream out, boolean terminal, Supplier<String> status) {
        this.out = out;
        this.terminal = terminal;
        this.status = status;
        setLevel(Level.INFO);
    }

    /** Takes over the worker's log output and starts drawing. */
    void start() {
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
        Duration interval = terminal ? Duration.ofMillis(500) : PLAIN_INTERVAL;
        painter = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(interval.toMillis());
                    paint();
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }, "enjambre-worker-status");
        painter.setDaemon(true);
        painter.start();
    }

    /**
     * Prints {@code line} as a final log line, straight to the output: in a shutdown hook the JUL
     * handlers may already be gone (the LogManager resets them in its own hook).
     */
    synchronized void finalLine(String line) {
        if (terminal) {
            clearLine();
        }
        out.print(formatter.format(new LogRecord(Level.INFO, line)));
        out.flush();
    }

    /** Stops drawing and gives the log back. */
    void stop() {
        if (painter != null) {
            painter.interrupt();
        }
        synchronized (this) {
            if (terminal) {
                clearLine();
            }
        }
        logger.removeHandler(this);
        logger.setUseParentHandlers(true);
    }

    synchronized void paint() {
        String line = terminal ? fit(status.get()) : status.get();
        if (terminal) {
            clearLine();
            out.print(line);
            drawn = line.length();
        } else if (!line.equals(lastPlain)) {
            lastPlain = line;
            out.print(formatter.format(new LogRecord(Level.INFO, line)));
        }
        out.flush();
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        if (terminal) {
            clearLine();
            out.print(formatter.format(record));
            String line = fit(status.get());
            out.print(line);
            drawn = line.length();
        } else {
            out.print(formatter.format(record));
        }
        out.flush();
    }

    /** Cuts the status to the terminal's width ({@code COLUMNS}, else 120): a wrapped line cannot be redrawn with {@code \r}. */
    private static String fit(String line) {
        int width = 120;
        try {
            String columns = System.getenv("COLUMNS");
            if (columns != null) {
                width = Math.max(20, Integer.parseInt(columns.trim()));
            }
        } catch (NumberFormatException e) {
            // keep the default
        }
        return line.length() < width ? line : line.substring(0, width - 2) + "…";
    }

    private void clearLine() {
        if (drawn > 0) {
            out.print("\r" + " ".repeat(drawn) + "\r");
            drawn = 0;
        }
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        stop();
    }
}
