package org.enjambre.workunits.model;

/** Where a work unit is: waiting for replicas to be sent, waiting for results, or finished. */
public enum UnitState {
    /** At least one replica is waiting to be sent to a worker. */
    NEEDS_REPLICAS,
    /** Every replica needed is on a worker; waiting for results. */
    IN_PROGRESS,
    /** A canonical result was accepted. Terminal. */
    DONE,
    /** Too many errors, too many results without agreement, or cancelled. Terminal. */
    FAILED;

    public boolean terminal() {
        return this == DONE || this == FAILED;
    }
}
