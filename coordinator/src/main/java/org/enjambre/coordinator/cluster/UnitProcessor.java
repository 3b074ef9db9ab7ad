package org.enjambre.coordinator.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import org.enjambre.workunits.app.App;
import org.enjambre.workunits.app.AppRegistry;
import org.enjambre.workunits.model.WorkUnit;
import org.enjambre.workunits.spec.Redundancy;
import org.enjambre.workunits.transition.Decision;
import org.enjambre.workunits.transition.Event;
import org.enjambre.workunits.transition.Transitioner;
import org.enjambre.workunits.trust.CredibilityAcceptance;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies one {@link Event} to one work unit, atomically, on the member that owns it (and the same
 * event again on its backups: the transitioner is deterministic, so replicas stay identical without
 * shipping the unit).
 *
 * <p>A job's never-touched units have no entry ({@code Loaders.Units} answers {@code null} for them): an
 * issue that carries the job's policy ({@link #fresh}) makes such a unit here, from its key, before applying
 * itself, so the first event of a unit creates it. Any other event on an absent unit is refused as unknown.
 *
 * <p>On the owner, the unit it changed goes to the member's {@link UnitFeed} (the peer's index) as an object; the
 * backups run a copy marked {@link #backup()}, which does not.
 */
public final class UnitProcessor implements EntryProcessor<String, WorkUnit, UnitChange>, HazelcastInstanceAware, Serializable {
    private static final AppRegistry BUILT_INS = AppRegistry.builtIns();
    private static final Map<String, Transitioner> TRANSITIONERS = new ConcurrentHashMap<>();
    private static final Transitioner EXACT = new Transitioner(java.util.Arrays::equals, CredibilityAcceptance.recorded());

    private final String app;
    private final Event event;
    private final Redundancy replan;
    private final Redundancy fresh;
    private final boolean backup;
    /** The owner's feed, set by Hazelcast before {@link #process} ({@link #setHazelcastInstance}); never on a backup. */
    private transient UnitTable.Listener feed;
    /**
     * Set on the caller's own instance only ({@link #handingOver}): when Hazelcast runs that very instance (the unit's
     * owner is the calling member, so the processor was not serialized), {@link #process} leaves its answer in
     * {@link #answer} and returns {@code null}, which Hazelcast neither serializes nor deserializes. A copy run on
     * another member (deserialized: transient fields unset) returns its answer as usual.
     */
    private transient boolean handOver;
    private transient volatile UnitChange answer;

    public UnitProcessor(String app, Event event) {
        this(app, event, null, null);
    }

    /**
     * @param replan for an issue to a unit none of whose replicas is sent yet: the redundancy to give it
     *               first (adaptive replication: a trusted worker runs it alone), or {@code null}
     */
    public UnitProcessor(String app, Event event, Redundancy replan) {
        this(app, event, replan, null);
    }

    /**
     * @param fresh for an issue: the job's policy, to make the unit with when it has no entry yet (a
     *              never-touched unit), or {@code null} (an absent unit is then refused)
     */
    public UnitProcessor(String app, Event event, Redundancy replan, Redundancy fresh) {
        this(app, event, replan, fresh, false);
    }

    /** @param backup whether this runs on a backup (it then feeds no index) */
    UnitProcessor(String app, Event event, Redundancy replan, Redundancy fresh, boolean backup) {
        this.app = app;
        this.event = event;
        this.replan = replan;
        this.fresh = fresh;
        this.backup = backup;
    }

    boolean backup() {
        return backup;
    }

    /** This instance, handing its answer over in memory when it runs on the calling member (see {@link #answer()}). */
    UnitProcessor handingOver() {
        handOver = true;
        return this;
    }

    /**
     * What {@link #process} answered: {@code reply} when the owner sent one (it ran elsewhere), else the answer
     * this instance left in memory. Call once the operation completed (its completion orders the write before this read).
     */
    UnitChange answer(UnitChange reply) {
        return reply != null ? reply : answer;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hz) {
        feed = backup ? null : UnitFeed.of(hz);
    }

    /** The same event, for the backups: they make the same unit but feed no index. */
    @Override
    public EntryProcessor<String, WorkUnit, UnitChange> getBackupProcessor() {
        return new UnitProcessor(app, event, replan, fresh, true);
    }

    Redundancy replan() {
        return replan;
    }

    Redundancy fresh() {
        return fresh;
    }

    String app() {
        return app;
    }

    Event event() {
        return event;
    }

    /**
     * The transitioner with the app's comparison (apps not built in, wasm, compare exactly), accepting by
     * plain quorum or, for credibility-based policies, by the credibility recorded in each result.
     */
    static Transitioner transitioner(String app) {
        return TRANSITIONERS.computeIfAbsent(app, a -> {
            App impl = BUILT_INS.find(a).orElse(null);
            return new Transitioner(impl == null ? java.util.Arrays::equals : impl::agree, CredibilityAcceptance.recorded());
        });
    }

    /** The transitioner for work on units of any app (backtracking): exact comparison, acceptance as above. */
    static Transitioner anyApp() {
        return EXACT;
    }

    /** The unit as a cancellation would leave it (for views of finished jobs). */
    public static WorkUnit cancelled(WorkUnit unit, String reason, long at) {
        return EXACT.apply(unit, new Event.Cancel(reason, at)).unit();
    }

    @Override
    public UnitChange process(Map.Entry<String, WorkUnit> entry) {
        WorkUnit stored = entry.getValue();
        WorkUnit unit = stored;
        if (unit == null && fresh != null && event instanceof Event.Issue) {
            // Made on the backup too, from the same key and policy: the replicas stay identical.
            unit = WorkUnit.create(Loaders.jobOf(entry.getKey()), Loaders.indexOf(entry.getKey()), fresh);
        }
        if (unit == null) {
            return handOver(UnitChange.missing(entry.getKey()));
        }
        WorkUnit start = unit;
        if (replan != null && event instanceof Event.Issue) {
            Decision r = transitioner(app).replan(unit, replan);
            if (r.isAccepted()) {
                start = r.unit();
            }
        }
        Decision d = transitioner(app).apply(start, event);
        if (!d.isAccepted() && start != unit) {
            d = Decision.rejected(unit, d.rejection().reason(), d.rejection().message());
        }
        boolean changed = d.unit() != unit; // a unit made here and refused stays implicit
        if (changed) {
            entry.setValue(d.unit());
            UnitTable.Listener f = feed;
            if (f != null) {
                f.changed(entry.getKey(), stored, d.unit());
            }
        }
        return handOver(new UnitChange(d.unit(), changed, d.effects(), d.rejection()));
    }

    private UnitChange handOver(UnitChange change) {
        if (!handOver) {
            return change;
        }
        answer = change;
        return null;
    }
}
