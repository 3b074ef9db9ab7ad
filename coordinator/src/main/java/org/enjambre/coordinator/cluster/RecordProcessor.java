package org.enjambre.coordinator.cluster;

import com.hazelcast.map.EntryProcessor;

import java.io.Serializable;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Replaces a record by a function of itself, atomically where it lives; returns the new record, or
 * the old one when the function returns it unchanged, or {@code null} when there is no record.
 * The function must be serializable and deterministic (it runs again on backups).
 */
public final class RecordProcessor<V> implements EntryProcessor<String, V, V>, Serializable {
    /** A serializable update. */
    public interface Update<V> extends UnaryOperator<V>, Serializable {
    }

    private final Update<V> update;

    public RecordProcessor(Update<V> update) {
        this.update = update;
    }

    @Override
    public V process(Map.Entry<String, V> entry) {
        V old = entry.getValue();
        if (old == null) {
            return null;
        }
        V next = update.apply(old);
        if (next != old) {
            entry.setValue(next);
        }
        return next;
    }
}
