package org.enjambre.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileTest {

    @Test
    void library_bucketsByPackagePrefix() {
        assertThat(Profile.library("org.h2.mvstore.MVStore")).isEqualTo("H2 (SQL engine, MVStore)");
        assertThat(Profile.library("com.hazelcast.map.impl.MapService")).isEqualTo("Hazelcast");
        assertThat(Profile.library("org.enjambre.coordinator.sched.Scheduler")).isEqualTo("Enjambre");
        assertThat(Profile.library("org.example.Thing")).isEqualTo("other (org.example)");
    }

    @Test
    void isJdk_coversTheJdkPackages() {
        assertThat(Profile.isJdk("java.util.HashMap")).isTrue();
        assertThat(Profile.isJdk("sun.nio.ch.EPoll")).isTrue();
        assertThat(Profile.isJdk("jdk.internal.misc.Unsafe")).isTrue();
        assertThat(Profile.isJdk("io.netty.Foo")).isFalse();
    }

    @Test
    void threadGroup_foldsNumberedPoolThreads() {
        assertThat(Profile.threadGroup("vert.x-worker-thread-12")).isEqualTo("vert.x-worker-thread-N");
        assertThat(Profile.threadGroup("hz.enjambre-4f0e-9a.partition-operation.thread-0")).isEqualTo("hz.partition-operation.thread-N");
    }

    @Test
    void methodName_dropsThePackageAndNamesLambdasByTheirOuterClass() {
        assertThat(Profile.methodName("org.enjambre.coordinator.store.JdbcStore", "commit")).isEqualTo("JdbcStore.commit");
        assertThat(Profile.methodName("org.enjambre.coordinator.store.JdbcStore$$Lambda$123/0x0000000801234", "run"))
                .isEqualTo("JdbcStore.lambda");
        assertThat(Profile.methodName("org.enjambre.coordinator.cluster.Serializers$JsonSerializer", "read"))
                .isEqualTo("Serializers$JsonSerializer.read");
    }

    @Test
    void rank_ordersByCountThenNameAndComputesShares() {
        var rows = Profile.rank(Map.of("b", 5L, "a", 5L, "c", 10L, "d", 1L), 20, 3);
        assertThat(rows).extracting(Profile.Row::name).containsExactly("c", "a", "b");
        assertThat(rows.get(0).percent()).isEqualTo(50.0);
    }
}
