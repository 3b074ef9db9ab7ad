/**
 * The Enjambre volunteer worker: {@link org.enjambre.worker.Worker} (usable in-process),
 * {@link org.enjambre.worker.WorkerOptions}, and the {@code worker} command line
 * ({@link org.enjambre.worker.WorkerCommand}, {@link org.enjambre.worker.WorkerMain}). The worker
 * depends on the shared {@code workunits} module only; it never links Vert.x, Hazelcast or the
 * coordinator.
 */
package org.enjambre.worker;
