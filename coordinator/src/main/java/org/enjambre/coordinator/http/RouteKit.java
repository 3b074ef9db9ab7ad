package org.enjambre.coordinator.http;

import io.vertx.core.Vertx;

/** What every group of routes is built with: the services, the guards, the body reader, the worker-thread runner. */
record RouteKit(Vertx vertx, ApiServer.Services services, Access access, Bodies bodies, Work work) {
}
