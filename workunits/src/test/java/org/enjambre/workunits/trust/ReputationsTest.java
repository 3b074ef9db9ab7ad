package org.enjambre.workunits.trust;

import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.model.WorkerRef;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Decision;
import org.enjambre.workunits.transition.Event;
import org.enjambre.workunits.transition.Transitioner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReputationsTest {
    private static final byte[] RIGHT = {1};
    private static final byte[] WRONG = {2};

    @Test
    void unknown_isNew() {
        Reputations reps = new Reputations();
        assertThat(reps.worker("w")).isEqualTo(Reputation.NEW);
        assertThat(reps.account("a")).isEqualTo(Reputation.NEW);
        assertThat(reps.blacklisted(WorkerRef.of("w"))).isFalse();
    }

    @Test
    void update_changesTheWorkerAndSumsItsAccount() {
        Reputations reps = new Reputations();
        WorkerRef a1 = new WorkerRef("w1", "alice", null);
        WorkerRef a2 = new WorkerRef("w2", "alice", null);
        reps.update(a1, Reputation::withValid);
        reps.update(a2, Reputation::withValid);
        reps.update(a2, Reputation::withInvalid);
        assertThat(reps.worker("w1").valid()).isEqualTo(1);
        assertThat(reps.worker("w2")).isEqualTo(new Reputation(1, 1, 0, 0, 0, 0, false));
        assertThat(reps.account("alice")).isEqualTo(new Reputation(2, 1, 0, 0, 0, 0, false));
    }

    @Test
    void blacklisted_coversEveryWorkerOfABlacklistedAccount() {
        Reputations reps = new Reputations();
        reps.update(new WorkerRef("w1", "mallory", null), Reputation::withSpotCheckFailed);
        assertThat(reps.blacklisted(new WorkerRef("w9", "mallory", null))).isTrue();
        assertThat(reps.worker("w9").blacklisted()).isFalse();
        assertThat(reps.blacklisted(new WorkerRef("w9", "alice", null))).isFalse();
    }

    @Test
    void record_readsJudgementsAndErrorsFromTransitions() {
        Reputations reps = new Reputations();
        Transitioner tr = Transitioner.exact();
        WorkerRef a = new WorkerRef("a", "acc-a", null);
        WorkerRef b = new WorkerRef("b", "acc-b", null);
        WorkerRef c = new WorkerRef("c", "acc-c", null);
        WorkUnit u = WorkUnit.create("j", 0, new Redundancy(3, 2, 3, 6, false));
        u = tr.apply(u, new Event.Issue(a, 1, 100)).unit();
        u = tr.apply(u, new Event.Issue(b, 1, 100)).unit();
        u = tr.apply(u, new Event.Issue(c, 1, 100)).unit();
        Decision d = tr.apply(u, new Event.ClientError(2, "c", "boom", 2));
        reps.record(d);
        d = tr.apply(d.unit(), new Event.Success(0, "a", RIGHT, 3));
        reps.record(d);
        d = tr.apply(d.unit(), new Event.Success(1, "b", WRONG, 4));
        reps.record(d);
        assertThat(reps.worker("a")).isEqualTo(Reputation.NEW);
        assertThat(reps.worker("c").errors()).isEqualTo(1);
        assertThat(reps.account("acc-c").errors()).isEqualTo(1);

        WorkerRef e = WorkerRef.of("e");
        u = tr.apply(d.unit(), new Event.Issue(e, 5, 100)).unit();
        d = tr.apply(u, new Event.Success(3, "e", RIGHT, 6));
        reps.record(d);
        assertThat(reps.worker("a").valid()).isEqualTo(1);
        assertThat(reps.worker("e").valid()).isEqualTo(1);
        assertThat(reps.worker("b")).isEqualTo(new Reputation(0, 1, 0, 0, 0, 0, false));
        assertThat(reps.account("acc-b").invalid()).isEqualTo(1);
        assertThat(reps.account("acc-a").valid()).isEqualTo(1);
    }
}
