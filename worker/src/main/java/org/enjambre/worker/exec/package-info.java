/**
 * The worker's executor: runs tasks in a bounded pool with the app SPI, gives each a
 * {@link org.enjambre.workunits.app.RunContext} backed by the data directory, throttles to the CPU
 * limit, pauses while the machine is in use, and stores every finished result in the outbox.
 * Internal to the worker; not an API.
 */
package org.enjambre.worker.exec;
