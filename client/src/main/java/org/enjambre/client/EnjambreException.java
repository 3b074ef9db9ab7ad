package org.enjambre.client;

import java.util.Optional;

/**
 * A call to a coordinator failed: the server's answer {@code {"error":{"code","message","field"}}} with its HTTP
 * status, or a failure of the client's own (status 0: no answer came).
 *
 * <p>{@link #getMessage()} is the server's message as it sent it (possibly holding any character: escape it
 * before printing it to a terminal); {@link #toString()} adds the code and the field. Subclasses name the kinds a
 * caller commonly handles: {@link BadRequestException}, {@link UnauthorizedException}, {@link NotFoundException},
 * {@link ConflictException}, {@link ServerBusyException}, {@link ConnectionFailedException} and
 * {@link JobTimeoutException}. Unchecked, so that calls fit in lambdas and streams.
 */
public class EnjambreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String field;

    /**
     * @param status the HTTP status, 0 when no answer came
     * @param code   the server's error code ({@code INVALID_SPEC}, {@code NOT_FOUND}...), or the client's own
     * @param message what went wrong, in one sentence
     * @param field  the offending field of the request ({@code workUnits}, {@code redundancy.quorum}), or null
     */
    public EnjambreException(int status, String code, String message, String field) {
        this(status, code, message, field, null);
    }

    /** As {@link #EnjambreException(int, String, String, String)}, with the cause. */
    public EnjambreException(int status, String code, String message, String field, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    /** The HTTP status of the answer; 0 when none came (connection refused, broken, timed out). */
    public int status() {
        return status;
    }

    /** The server's error code ({@code INVALID_SPEC}, {@code FORBIDDEN}...), or the client's own; never null. */
    public String code() {
        return code;
    }

    /** The field of the request the server names as wrong ({@code workUnits}, {@code redundancy.quorum}), if any. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + ": " + (status > 0 ? status + " " : "") + code + ": " + getMessage()
                + (field == null ? "" : " (field " + field + ")");
    }
}
