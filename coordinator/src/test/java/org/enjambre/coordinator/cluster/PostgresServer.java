package org.enjambre.coordinator.cluster;

import org.enjambre.coordinator.Harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temporary directory, on a free port of
 * 127.0.0.1, with trust authentication for the user {@value #USER}. It needs the server binaries of
 * Debian's {@code postgresql} package; when they are missing it fails with a message saying so. Run as
 * root (as CI does) it runs the server as the {@code postgres} user, since PostgreSQL refuses root.
 */
final class PostgresServer implements AutoCloseable {
    static final String USER = "enjambre";
    private static final Path DEBIAN_BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final Path log;
    private final int port;
    private final boolean asPostgres;
    private final Thread cleanup;
    private int databases;

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgres) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.log = dir.resolve("server.log");
        this.port = port;
        this.asPostgres = asPostgres;
        this.cleanup = new Thread(this::stopQuietly, "postgres-cleanup");
    }

    /** Initialises and starts a server; fails (never skips) when PostgreSQL is not installed. */
    static PostgresServer start() {
        Path bin = binaries();
        boolean root = isRoot();
        try {
            Path dir = Files.createTempDirectory("enjambre-pg");
            if (root) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                Files.setOwner(dir, postgres);
            }
            PostgresServer s = new PostgresServer(bin, dir, Harness.freePort(), root);
            s.run(List.of(bin.resolve("initdb").toString(), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync",
                    "-D", s.data.toString()), "initdb");
            Runtime.getRuntime().addShutdownHook(s.cleanup);
            s.run(List.of(bin.resolve("pg_ctl").toString(), "-D", s.data.toString(), "-l", s.log.toString(), "-w", "-t", "60",
                    "-o", "-p " + s.port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                            + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                    "start"), "pg_ctl start");
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("could not prepare a PostgreSQL server for the tests: " + e, e);
        }
    }

    private static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** The directory of the server binaries: Debian's PostgreSQL 15, else the newest installed version. */
    private static Path binaries() {
        if (Files.isExecutable(DEBIAN_BIN.resolve("postgres"))) {
            return DEBIAN_BIN;
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Path found = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing((Path b) -> b.getParent().getFileName().toString(),
                                Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder())))
                        .orElse(null);
                if (found != null) {
                    return found;
                }
            } catch (IOException e) {
                // fall through to the message below
            }
        }
        throw new IllegalStateException("the cluster tests need a PostgreSQL server, but its binaries are not in "
                + DEBIAN_BIN + " (nor any /usr/lib/postgresql/*/bin): install Debian's package with "
                + "'apt-get install postgresql' (.ci/run does)");
    }

    private void run(List<String> command, String what) {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            String runuser = Files.isExecutable(Path.of("/usr/sbin/runuser")) ? "/usr/sbin/runuser" : "runuser";
            full.addAll(List.of(runuser, "-u", "postgres", "--"));
        }
        full.addAll(command);
        Path out = dir.resolve(what.replace(' ', '-') + ".out");
        try {
            Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish in 90 s: " + tail(out) + tail(log));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed with exit code " + p.exitValue() + ": " + tail(out) + tail(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + full + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        }
    }

    private static String tail(Path file) {
        try {
            if (!Files.exists(file)) {
                return "";
            }
            List<String> lines = Files.readAllLines(file);
            return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** Creates an empty database and returns its JDBC URL. */
    synchronized String createDatabase() {
        String name = "test" + (++databases);
        try (Connection c = DriverManager.getConnection(url("postgres")); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
        }
        return url(name);
    }

    /** The JDBC URL of a database on this server. */
    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    /** Stops the server at once and deletes its files. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
        stopQuietly();
    }

    private synchronized void stopQuietly() {
        if (!Files.exists(data)) {
            return;
        }
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), "pg_ctl stop");
        } catch (RuntimeException e) {
            System.err.println("stopping the test PostgreSQL server failed: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind
        }
    }
}
