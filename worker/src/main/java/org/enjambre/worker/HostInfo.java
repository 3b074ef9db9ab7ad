package org.enjambre.worker;

import org.enjambre.worker.protocol.RegisterRequest;
import org.enjambre.workunits.app.AppRegistry;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/** What a worker tells a coordinator about its machine when it registers: platform, memory, cores, apps. */
final class HostInfo {
    private HostInfo() {
    }

    /** The registration of a worker with {@code options} running {@code apps}. */
    static RegisterRequest registerRequest(WorkerOptions options, AppRegistry apps) {
        return new RegisterRequest(options.name(), platform(), options.cores(), memoryMb(), List.copyOf(apps.names()),
                options.account().orElse(null), options.host().orElse(null));
    }

    /** The platform as {@code os/arch}, e.g. {@code linux/amd64}. */
    static String platform() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            os = "windows";
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            os = "darwin";
        } else {
            os = os.replaceAll("[^a-z0-9]", "");
        }
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        arch = switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> arch;
        };
        return os + "/" + arch;
    }

    /** The machine's memory in MiB, or what this JVM may use when the platform does not say. */
    static long memoryMb() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            if (total > 0) {
                return total >> 20;
            }
        }
        return Runtime.getRuntime().maxMemory() >> 20;
    }
}
