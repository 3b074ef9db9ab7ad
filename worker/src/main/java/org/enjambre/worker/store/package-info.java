/**
 * The worker's data directory: identity, accepted tasks, checkpoints, the outbox of finished results,
 * cached blobs. Every file is written atomically (temporary file, then move), so a crash at any
 * moment leaves either the old or the new content. Internal to the worker; not an API.
 */
package org.enjambre.worker.store;
