package org.enjambre.client;

/**
 * A job's work units by state: {@code done + failed + inProgress + waiting + queued == total}.
 *
 * @param waiting units whose results wait to be judged (or for a credible worker), none in progress
 */
public record WorkUnitCounts(long total, long done, long failed, long inProgress, long waiting, long queued) {
}
