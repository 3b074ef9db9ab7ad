package org.enjambre.worker.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** The body of {@code POST /api/v1/workers/register}; {@code account} and {@code host} are optional. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegisterRequest(String name, String platform, int cores, long memoryMb, List<String> apps,
                              String account, String host) {
    public RegisterRequest {
        apps = List.copyOf(apps);
    }
}
