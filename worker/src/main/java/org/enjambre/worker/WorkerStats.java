package org.enjambre.worker;

import java.net.URI;
import java.util.OptionalDouble;

/**
 * A snapshot of what a worker is doing.
 *
 * @param state       its state
 * @param workerId    its id from registration, {@code null} before
 * @param coordinator the coordinator URL it talks to now
 * @param cores       its task threads
 * @param running     tasks running now
 * @param held        tasks held: running or queued in the work buffer
 * @param done        tasks finished with an output since start
 * @param failed      tasks finished with an error since start
 * @param dropped     tasks dropped because their deadline passed
 * @param reported    results the coordinator accepted
 * @param rejected    results the coordinator rejected for good
 * @param outbox      results waiting for acknowledgement
 * @param credit      its credit as the coordinator last showed it, when known
 * @param problem     the last unresolved problem (coordinator unreachable, ...), or {@code null}
 */
public record WorkerStats(Worker.State state, String workerId, URI coordinator, int cores, int running, int held, long done,
                          long failed, long dropped, long reported, long rejected, int outbox, OptionalDouble credit,
                          String problem) {

    /** One line for a terminal or a log: what it is doing and what it has done. */
    public String statusLine() {
        StringBuilder line = new StringBuilder();
        line.append(workerId == null ? "worker" : workerId)
                .append(" ").append(state.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '))
                .append(" | running ").append(running).append('/').append(cores)
                .append(held > running ? " (+" + (held - running) + " queued)" : "")
                .append(" | done ").append(done)
                .append(" | failed ").append(failed);
        if (dropped > 0) {
            line.append(" | dropped ").append(dropped);
        }
        line.append(" | to report ").append(outbox);
        if (credit.isPresent()) {
            line.append(" | credit ").append(String.format(java.util.Locale.ROOT, "%.1f", credit.getAsDouble()));
        }
        if (coordinator != null) {
            line.append(" | ").append(coordinator);
        }
        if (problem != null) {
            line.append(" | ").append(problem);
        }
        return line.toString();
    }
}
