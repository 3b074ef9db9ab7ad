package org.enjambre.coordinator.sim;

import org.enjambre.coordinator.cluster.PeerQuestion;
import org.enjambre.coordinator.cluster.PeerTransport;

import java.util.ArrayList;
import java.util.List;

/**
 * One simulated peer's {@link PeerTransport}: the role of {@code PeerQueries} (a Hazelcast executor) in the
 * simulation. Every question is answered by the live peers' production {@code sched.PeerAnswers}; questions
 * are answered at once (a peer that is dead gives no answer, as a member that left does not), tells travel
 * over the simulated {@link Network} and run on each peer as a later event (lost, delayed or duplicated there).
 */
final class SimTransport implements PeerTransport {
    private final SimPeer self;

    SimTransport(SimPeer self) {
        this.self = self;
    }

    @Override
    public <A> List<A> askAll(PeerQuestion<A> question) {
        return ask(question, true);
    }

    @Override
    public <A> List<A> askOthers(PeerQuestion<A> question) {
        return ask(question, false);
    }

    private <A> List<A> ask(PeerQuestion<A> question, boolean includeSelf) {
        List<A> out = new ArrayList<>();
        for (SimPeer p : self.swarm().peers()) {
            if (p.alive() && (includeSelf || p != self)) {
                A a = question.answer(p.answers());
                if (a != null) {
                    out.add(a);
                }
            }
        }
        if (question instanceof PeerQuestion.ReleaseReplicas r) {
            self.swarm().log(self.name(), "released " + out + " replicas of " + r.workerId() + " on the live peers");
        }
        return out;
    }

    @Override
    public void tellAll(PeerQuestion<?> question) {
        for (SimPeer p : self.swarm().peers()) {
            if (p.alive()) {
                self.swarm().network().deliver(self.name() + ">" + p.name() + " " + question,
                        () -> p.later(0, () -> question.answer(p.answers())));
            }
        }
    }
}
