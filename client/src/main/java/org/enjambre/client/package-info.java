/**
 * The Java client of Enjambre's REST API v1, for submitters and scripts: {@link org.enjambre.client.EnjambreClient}
 * with {@link org.enjambre.client.JobSpec} to submit, immutable snapshots ({@link org.enjambre.client.Job},
 * {@link org.enjambre.client.Worker}, {@link org.enjambre.client.Peer}) and typed errors
 * ({@link org.enjambre.client.EnjambreException} and its subclasses). Needs only {@code java.net.http} and Jackson.
 *
 * <p>Primes below ten million, followed live, with the answer 664579:
 * <pre>{@code
 * try (EnjambreClient client = EnjambreClient.builder()
 *         .url(URI.create("http://127.0.0.1:8080"))
 *         .apiKey(System.getenv("ENJAMBRE_API_KEY"))
 *         .timeout(Duration.ofSeconds(30))
 *         .build()) {
 *     JobSpec spec = JobSpec.builder("primes")
 *             .name("primes below ten million")
 *             .input(Map.of("from", 2, "to", 10_000_000))
 *             .workUnits(100).replicas(2).quorum(2)
 *             .build();
 *     SubmittedJob job = client.submit(spec);
 *     client.watch(job.id(), j -> System.out.printf("%s %.0f%%%n", j.state(), j.progress() * 100));
 *     Job done = client.await(job.id(), Duration.ofMinutes(10));        // JobTimeoutException if it takes longer
 *     JsonNode result = new ObjectMapper().readTree(client.result(done.id()).bytes());
 *     long count = result.get("count").asLong();                         // 664579
 * } catch (BadRequestException e) {
 *     System.err.println(e.getMessage() + " (field " + e.field().orElse("?") + ")");
 * }
 * }</pre>
 *
 * <p>A WebAssembly job: {@code String sha = client.uploadModule(Path.of("primes.wasm"));} then
 * {@code JobSpec.builder("wasm").input(Map.of("range", Map.of("from", 0, "to", 100_000), "merge", "module",
 * "contentType", "application/json")).wasmModule(sha).workUnits(4).build()}. Large results (a mandelbrot PNG) go
 * straight to a file with {@link org.enjambre.client.EnjambreClient#resultTo}.
 */
package org.enjambre.client;
