/**
 * The worker's side of the worker protocol in {@code docs/api.md}: register, fetch (long-poll),
 * report, blobs, over {@link java.net.http.HttpClient} and Jackson, with fail-over between
 * coordinator URLs and exponential backoff. Internal to the worker; not an API.
 */
package org.enjambre.worker.protocol;
