package org.enjambre.worker;

/** Entry point of the worker's own jar: {@code java -jar enjambre-worker.jar --coordinator URL}. */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) {
        System.exit(WorkerCommand.commandLine().execute(args));
    }
}
