/**
 * Input files of units (README, "Data"): manifests and chunks fetched from the coordinator peers, every chunk
 * verified against its SHA-256 before use ({@link org.enjambre.worker.data.ChunkFetcher}), kept in a disk cache by
 * hash with a quota and least-recently-used eviction ({@link org.enjambre.worker.data.ChunkCache}), and read by apps
 * as streams ({@link org.enjambre.worker.data.WorkerFiles}).
 */
package org.enjambre.worker.data;
