package org.enjambre.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The worker ships alone to volunteers: nothing of Vert.x, Hazelcast or the coordinator may be on its class path. */
class DependencyBoundaryTest {
    @Test
    void noCoordinatorDependencies_onTheClassPath() {
        for (String name : new String[] {"io.vertx.core.Vertx", "com.hazelcast.core.Hazelcast", "org.h2.Driver"}) {
            assertThatThrownBy(() -> Class.forName(name)).as(name).isInstanceOf(ClassNotFoundException.class);
        }
        assertThatThrownBy(() -> Class.forName("org.enjambre.coordinator.Coordinator")).isInstanceOf(ClassNotFoundException.class);
    }
}
