package org.enjambre.worker.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The answer to a registration: the worker's id and its secret token. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Registration(String workerId, String token) {
}
