package org.enjambre.coordinator.cluster;

import java.util.List;

/**
 * How one peer puts a {@link PeerQuestion} to the others: {@link PeerQueries} over a Hazelcast executor in
 * production, the simulation's network in a simulated swarm. Each peer answers with its {@link PeerQuestion.Handler}
 * ({@code sched/PeerAnswers}), so the answering code is the same in both.
 */
public interface PeerTransport {

    /** Asks every peer (this one too) and returns their answers; a peer that fails to answer is left out. */
    <A> List<A> askAll(PeerQuestion<A> question);

    /** Asks every other peer; an empty list when this peer is alone. */
    <A> List<A> askOthers(PeerQuestion<A> question);

    /** Tells every peer (this one too) something, without waiting for them. A peer leaving meanwhile misses it. */
    void tellAll(PeerQuestion<?> question);

    /** Sums the {@code long[]} answers of every peer element by element. */
    default long[] sum(PeerQuestion<long[]> question, int size) {
        long[] total = new long[size];
        for (long[] a : askAll(question)) {
            for (int i = 0; i < size && i < a.length; i++) {
                total[i] += a[i];
            }
        }
        return total;
    }
}
