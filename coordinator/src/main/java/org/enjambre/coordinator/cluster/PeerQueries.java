package org.enjambre.coordinator.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.IExecutorService;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Questions one peer asks every peer about what it owns (unit counts, ready units, load), answered from
 * each peer's local index. A peer registers its answerer in the member's user context.
 */
public final class PeerQueries {
    static final String ANSWERER = "enjambre.peer";
    private static final String EXECUTOR = "enjambre-peer-queries";

    /** What a peer can be asked. */
    public interface Answerer {
        Object answer(String question, String argument);
    }

    private final HazelcastInstance hz;

    public PeerQueries(HazelcastInstance hz, Answerer local) {
        this.hz = hz;
        hz.getUserContext().put(ANSWERER, local);
    }

    /** Asks every peer (this one too) and returns their answers; a peer that fails to answer is left out. */
    @SuppressWarnings("unchecked")
    public <T> List<T> askAll(String question, String argument) {
        List<T> out = new ArrayList<>();
        if (hz.getCluster().getMembers().size() == 1) {
            Answerer a = (Answerer) hz.getUserContext().get(ANSWERER);
            out.add((T) a.answer(question, argument));
            return out;
        }
        IExecutorService ex = hz.getExecutorService(EXECUTOR);
        Map<Member, Future<Object>> futures = ex.submitToAllMembers(new Ask(question, argument));
        for (Future<Object> f : futures.values()) {
            try {
                Object o = f.get(5, TimeUnit.SECONDS);
                if (o != null) { // null: a peer that joined but does not serve yet
                    out.add((T) o);
                }
            } catch (Exception e) {
                // a peer leaving mid-question: its partitions are answered by their new owners next time
            }
        }
        return out;
    }

    /** Asks every other peer; an empty list when this peer is alone. */
    @SuppressWarnings("unchecked")
    public <T> List<T> askOthers(String question, String argument) {
        List<T> out = new ArrayList<>();
        if (hz.getCluster().getMembers().size() == 1) {
            return out;
        }
        IExecutorService ex = hz.getExecutorService(EXECUTOR);
        Map<Member, Future<Object>> futures = ex.submitToMembers(new Ask(question, argument),
                com.hazelcast.cluster.memberselector.MemberSelectors.NON_LOCAL_MEMBER_SELECTOR);
        for (Future<Object> f : futures.values()) {
            try {
                Object o = f.get(5, TimeUnit.SECONDS);
                if (o != null) {
                    out.add((T) o);
                }
            } catch (Exception e) {
                // a peer leaving mid-question
            }
        }
        return out;
    }

    /**
     * Tells every peer (this one too) something, without waiting for them: each acts on it on its executor
     * thread. A peer leaving meanwhile misses it.
     */
    public void tellAll(String question, String argument) {
        hz.getExecutorService(EXECUTOR).executeOnAllMembers(new Tell(new Ask(question, argument)));
    }

    /** Sums {@code long[]} answers element by element. */
    public long[] sum(String question, String argument, int size) {
        long[] total = new long[size];
        for (Object o : askAll(question, argument)) {
            long[] a = (long[]) o;
            for (int i = 0; i < size && i < a.length; i++) {
                total[i] += a[i];
            }
        }
        return total;
    }

    /** Maps every answer. */
    public <T, R> List<R> map(String question, String argument, Function<T, R> f) {
        List<R> out = new ArrayList<>();
        for (Object o : askAll(question, argument)) {
            @SuppressWarnings("unchecked") T t = (T) o;
            out.add(f.apply(t));
        }
        return out;
    }

    /**
     * A question whose answer nobody waits for. Not an {@link Ask} that is also Runnable: Hazelcast's executor
     * runs a task that is both as a Runnable, and every asker would get {@code null}.
     */
    record Tell(Ask ask) implements Runnable, Serializable, HazelcastInstanceAware {
        @Override
        public void setHazelcastInstance(HazelcastInstance hz) {
            ask.setHazelcastInstance(hz);
        }

        @Override
        public void run() {
            ask.call();
        }
    }

    static final class Ask implements Callable<Object>, Serializable, HazelcastInstanceAware {
        private final String question;
        private final String argument;
        private transient HazelcastInstance hz;

        Ask(String question, String argument) {
            this.question = question;
            this.argument = argument;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance hz) {
            this.hz = hz;
        }

        @Override
        public Object call() {
            Answerer a = (Answerer) hz.getUserContext().get(ANSWERER);
            return a == null ? null : a.answer(question, argument);
        }
    }
}
