package org.enjambre.coordinator.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.memberselector.MemberSelectors;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.IExecutorService;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Questions one peer asks every peer about what it owns (unit counts, ready units, load), and tells, as typed
 * {@link PeerQuestion}s over a Hazelcast executor; each peer answers with the {@link PeerQuestion.Handler}
 * it registered in its member's user context.
 */
public final class PeerQueries implements PeerTransport {
    static final String HANDLER = "enjambre.peer";
    private static final String EXECUTOR = "enjambre-peer-queries";
    private static final long ANSWER_SECONDS = 5;

    private final HazelcastInstance hz;
    /** Questions this peer asked, by kind (tests prove a view's cost with it). */
    private final Map<Class<?>, LongAdder> asked = new ConcurrentHashMap<>();

    public PeerQueries(HazelcastInstance hz, PeerQuestion.Handler local) {
        this.hz = hz;
        hz.getUserContext().put(HANDLER, local);
    }

    @Override
    public <A> List<A> askAll(PeerQuestion<A> question) {
        count(question);
        if (hz.getCluster().getMembers().size() == 1) {
            A a = question.answer(handler(hz));
            return a == null ? List.of() : List.of(a);
        }
        return answers(hz.getExecutorService(EXECUTOR).submitToAllMembers(new Call<>(question)));
    }

    @Override
    public <A> List<A> askOthers(PeerQuestion<A> question) {
        count(question);
        if (hz.getCluster().getMembers().size() == 1) {
            return List.of();
        }
        return answers(hz.getExecutorService(EXECUTOR).submitToMembers(new Call<>(question), MemberSelectors.NON_LOCAL_MEMBER_SELECTOR));
    }

    /** {@inheritDoc} Each acts on it on its executor thread. */
    @Override
    public void tellAll(PeerQuestion<?> question) {
        hz.getExecutorService(EXECUTOR).executeOnAllMembers(new Tell(question));
    }

    /** How many questions of {@code kind} this peer asked (askAll / askOthers) since it started. */
    public long asked(Class<? extends PeerQuestion<?>> kind) {
        LongAdder n = asked.get(kind);
        return n == null ? 0 : n.sum();
    }

    private void count(PeerQuestion<?> question) {
        asked.computeIfAbsent(question.getClass(), k -> new LongAdder()).increment();
    }

    private static <A> List<A> answers(Map<Member, Future<A>> futures) {
        List<A> out = new ArrayList<>();
        for (Future<A> f : futures.values()) {
            try {
                A a = f.get(ANSWER_SECONDS, TimeUnit.SECONDS);
                if (a != null) { // null: a peer that joined but does not serve yet
                    out.add(a);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                // a peer leaving mid-question: its partitions are answered by their new owners next time
            }
        }
        return out;
    }

    private static PeerQuestion.Handler handler(HazelcastInstance hz) {
        return (PeerQuestion.Handler) hz.getUserContext().get(HANDLER);
    }

    /** A question on its way to a peer, answered there. Never also a Runnable: Hazelcast would run it as one. */
    static final class Call<A> implements Callable<A>, HazelcastInstanceAware {
        final PeerQuestion<A> question;
        private transient HazelcastInstance hz;

        Call(PeerQuestion<A> question) {
            this.question = question;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance hz) {
            this.hz = hz;
        }

        @Override
        public A call() {
            PeerQuestion.Handler h = handler(hz);
            return h == null ? null : question.answer(h);
        }
    }

    /** A tell on its way to a peer: nobody waits for an answer. */
    static final class Tell implements Runnable, HazelcastInstanceAware {
        final PeerQuestion<?> question;
        private transient HazelcastInstance hz;

        Tell(PeerQuestion<?> question) {
            this.question = question;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance hz) {
            this.hz = hz;
        }

        @Override
        public void run() {
            PeerQuestion.Handler h = handler(hz);
            if (h != null) {
                question.answer(h);
            }
        }
    }
}
