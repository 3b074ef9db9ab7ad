package org.enjambre.client;

/** A job just accepted by {@link EnjambreClient#submit}: its id and first state (normally QUEUED). */
public record SubmittedJob(String id, JobState state) {
}
