package org.enjambre.coordinator.sched;

/**
 * A unit's canonical result, used as a known answer. It was accepted by voting, so colluding saboteurs who
 * formed the quorum may have made it wrong: it is <em>provisional</em> until a worker that did not compute it
 * answers a check with it ({@link SpotChecks#CONFIRMATIONS}), and only a confirmed answer blacklists a worker who
 * contradicts it: at once, or when it becomes confirmed, for those who contradicted it while it was provisional
 * ({@link SpotChecks#takeConvicted}). Otherwise wrong answers learned from colluders would blacklist honest workers (found
 * by CredibilityPlanningTest). A provisional answer is dropped when more workers contradict it than computed it
 * (and at least {@link SpotChecks#CONTRADICTIONS}): the workers who formed its quorum are outvoted. Two colluders alone
 * cannot drop a right answer that two workers computed (found by CredibilityTest's colluders draining the
 * pool of answers that could convict them).
 */
final class KnownAnswer {
    final String id;
    final byte[] input;
    final byte[] output;
    final java.util.Set<String> sources;
    final java.util.Set<String> confirmedBy = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final java.util.Set<String> contradictedBy = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Whether this peer computed the answer itself (a built-in app): confirmed from the start. */
    private final boolean trusted;

    /** An answer learned from a unit accepted by voting ({@code sources}: the workers of that unit). */
    KnownAnswer(String id, byte[] input, byte[] output, java.util.Set<String> sources) {
        this(id, input, output, sources, false);
    }

    private KnownAnswer(String id, byte[] input, byte[] output, java.util.Set<String> sources, boolean trusted) {
        this.id = id;
        this.input = input;
        this.output = output;
        this.sources = sources;
        this.trusted = trusted;
    }

    /** An answer this peer computed itself (a built-in app): trusted from the start. */
    static KnownAnswer computedHere(String id, byte[] input, byte[] output) {
        return new KnownAnswer(id, input, output, java.util.Set.of(), true);
    }

    /** Whether this peer computed the answer itself. */
    boolean trusted() {
        return trusted;
    }

    boolean confirmed() {
        return trusted || confirmedBy.size() >= SpotChecks.CONFIRMATIONS;
    }

    boolean outvoted() {
        return !confirmed() && contradictedBy.size() >= SpotChecks.CONTRADICTIONS && contradictedBy.size() > sources.size();
    }
}

