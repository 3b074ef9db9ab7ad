package org.enjambre.client;

/** Waiting for a job ({@link EnjambreClient#await}, {@link EnjambreClient#watch}) gave up before it ended; {@link #job()} is its last known state. */
public class JobTimeoutException extends EnjambreException {
    private static final long serialVersionUID = 1L;

    private final transient Job job;

    /** A timeout while {@code job} was in the state it shows. */
    public JobTimeoutException(String message, Job job) {
        super(0, "TIMEOUT", message, null);
        this.job = job;
    }

    /** The job's last snapshot before the timeout. */
    public Job job() {
        return job;
    }
}
