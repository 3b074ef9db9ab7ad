package org.enjambre.workunits.transition;

import org.enjambre.workunits.model.Outcome;
import org.enjambre.workunits.model.TaskState;
import org.enjambre.workunits.model.UnitState;
import org.enjambre.workunits.model.WorkUnit;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enjambre.workunits.transition.Units.accept;
import static org.enjambre.workunits.transition.Units.issued;
import static org.enjambre.workunits.transition.Units.success;
import static org.enjambre.workunits.transition.Units.unit;

/** Taking a replica back from its worker (blacklisted, revoked, deregistered, not held any more). */
class ReleaseTransitionTest {
    private static final Transitioner T = Transitioner.exact();

    @Test
    void release_inProgressReplica_overReleasedNotAnError_andReplaced() {
        WorkUnit u = issued(unit(2, 2, 0, 2), "a", "b");
        Decision d = T.apply(u, new Event.Release("b", "its worker was revoked", 300));
        assertThat(d.isAccepted()).isTrue();
        assertThat(d.unit().task(1).outcome()).isEqualTo(Outcome.RELEASED);
        assertThat(d.unit().task(1).error()).isEqualTo("its worker was revoked");
        assertThat(d.unit().task(1).failed()).isFalse();
        assertThat(d.effects()).containsExactly(new Effect.Released(1, "b"), new Effect.ReplicasCreated(1));
        // maxErrors 0 and maxResults 2 are not touched by a release: the unit goes on with a third replica.
        assertThat(d.unit().state()).isEqualTo(UnitState.NEEDS_REPLICAS);
        assertThat(d.unit().tasks()).hasSize(3);
    }

    @Test
    void release_replacementAgrees_unitDoneWithinMaxResults() {
        WorkUnit u = accept(issued(unit(2, 2, 0, 2), "a", "b"), new Event.Release("b", "sync", 300));
        u = issued(u, "c");
        u = accept(u, success(0, "a", "42"));
        u = accept(u, success(2, "c", "42"));
        assertThat(u.state()).isEqualTo(UnitState.DONE);
    }

    @Test
    void release_workerHoldsNothingHere_orUnitTerminal_changesNothing() {
        WorkUnit u = issued(unit(1, 1, 0, 3), "a");
        Decision other = T.apply(u, new Event.Release("z", "sync", 300));
        assertThat(other.unit()).isSameAs(u);
        WorkUnit done = accept(u, success(0, "a", "42"));
        assertThat(T.apply(done, new Event.Release("a", "revoked", 400)).unit()).isSameAs(done);
    }

    @Test
    void lateSuccess_afterRelease_stillUsed() {
        WorkUnit u = accept(issued(unit(1, 1, 0, 3), "a"), new Event.Release("a", "sync", 300));
        WorkUnit done = accept(u, success(0, "a", "42"));
        assertThat(done.state()).isEqualTo(UnitState.DONE);
        assertThat(done.task(0).state()).isEqualTo(TaskState.OVER);
        assertThat(done.task(0).outcome()).isEqualTo(Outcome.SUCCESS);
    }
}
