package org.enjambre.coordinator.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryLoadedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import org.enjambre.workunits.model.WorkUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * Hands every change of a unit this member owns to the peer's index, in the order the changes happened, on one
 * thread of its own: the entry processors ({@link UnitProcessor}, {@link InvalidateProcessor}) pass what they changed
 * as objects from the partition thread (no entry event, so nothing is serialized for the index), and the map's own
 * removals and loads come through {@link #events()}, a local listener for those event types only.
 *
 * <p>Invariants: (1) one queue, one consumer: changes of one key reach the sink in the order they were made (a key's
 * operations run on one partition thread, and a removal's event is published after every processor that ran before
 * it has queued its change). (2) Partition threads only queue, never wait for the sink: the sink may lock, block,
 * or call the cluster (a rebuild reads the map while holding the index's lock). (3) Only the owner's processor feeds:
 * backups run a copy marked {@code backup} ({@code getBackupProcessor}), which never does. (4) A unit's change is
 * indexed only while this member owns the unit's partition when the change is applied, else it is indexed as gone: a
 * change made just before its partition moved away, and applied after the migration's rebuild, would otherwise stay
 * in this index for good (the unit's later changes happen on its new owner). Found by {@code UnitFeedTest}.
 */
public final class UnitFeed implements UnitTable.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UnitFeed.class);
    /** Where a member's feed is found by the processors that run there ({@code HazelcastInstance.getUserContext}). */
    static final String CONTEXT_KEY = "enjambre.unitFeed";

    private record Change(String key, WorkUnit before, WorkUnit after) {
    }

    private final LinkedBlockingQueue<Change> queue = new LinkedBlockingQueue<>();
    private final UnitTable.Listener sink;
    private final Predicate<String> owns;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * A feed delivering to {@code sink} on its own daemon thread, started at once.
     *
     * @param owns whether this member owns a key's partition now (asked when a change is applied)
     */
    public UnitFeed(UnitTable.Listener sink, Predicate<String> owns, String name) {
        this.sink = sink;
        this.owns = owns;
        this.thread = new Thread(this::run, "enjambre-unit-feed-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Makes this the feed of every processor that runs on {@code hz} from now on. */
    public void attach(HazelcastInstance hz) {
        hz.getUserContext().put(CONTEXT_KEY, this);
    }

    /** The feed attached to the member {@code hz}, or {@code null} (a member without an index, or not attached yet). */
    static UnitTable.Listener of(HazelcastInstance hz) {
        return hz == null ? null : (UnitTable.Listener) hz.getUserContext().get(CONTEXT_KEY);
    }

    @Override
    public void changed(String key, WorkUnit before, WorkUnit after) {
        queue.add(new Change(key, before, after));
    }

    /** The listener for the changes no processor makes: removals, evictions and loads of units owned here. */
    public com.hazelcast.map.listener.MapListener events() {
        return new Events();
    }

    private final class Events implements EntryRemovedListener<String, WorkUnit>, EntryEvictedListener<String, WorkUnit>,
            EntryLoadedListener<String, WorkUnit> {
        @Override
        public void entryRemoved(EntryEvent<String, WorkUnit> e) {
            changed(e.getKey(), e.getOldValue(), null);
        }

        @Override
        public void entryEvicted(EntryEvent<String, WorkUnit> e) {
            changed(e.getKey(), e.getOldValue(), null);
        }

        @Override
        public void entryLoaded(EntryEvent<String, WorkUnit> e) {
            changed(e.getKey(), null, e.getValue());
        }
    }

    private void run() {
        List<Change> batch = new ArrayList<>(256);
        while (!closed) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, 4096);
            for (Change c : batch) {
                try {
                    sink.changed(c.key(), c.before(), c.after() == null || owns.test(c.key()) ? c.after() : null);
                } catch (RuntimeException e) {
                    LOG.warn("indexing the change of {} failed", c.key(), e);
                }
            }
            batch.clear();
        }
    }

    /** Stops the thread; changes still queued are dropped (the member is leaving). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
