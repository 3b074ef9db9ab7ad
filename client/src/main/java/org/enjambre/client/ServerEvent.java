package org.enjambre.client;

/**
 * One server-sent event of {@code GET /api/v1/events}: its name ({@code job}, {@code worker}, {@code stats}), its data
 * (JSON text) and its id when the server gave one.
 */
record ServerEvent(String name, String data, String id) {
}
