"""Typed errors of the Enjambre client: one class per kind of failure, each carrying the server's words."""
from __future__ import annotations

from typing import Optional


class EnjambreError(Exception):
    """An Enjambre call failed; ``status`` is the HTTP status (0 when no answer came), ``code``,
    ``message`` and ``field`` are the server's ``{"error":{"code","message","field"}}``."""

    def __init__(self, message: str, status: int = 0, code: Optional[str] = None, field: Optional[str] = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        where = f" (field {self.field})" if self.field else ""
        what = f"{self.code}: " if self.code else ""
        return f"{what}{self.message}{where}"


class ConnectionFailed(EnjambreError):
    """The coordinator could not be reached, or the connection broke."""


class BadRequest(EnjambreError):
    """400: the request (often the job spec) is invalid; ``field`` names the offending field."""


class AuthError(EnjambreError):
    """401 or 403: the API key is missing or wrong."""


class Unauthenticated(AuthError):
    """401: no API key was sent (give one, set ENJAMBRE_API_KEY, or point at the coordinator's data dir)."""


class Forbidden(AuthError):
    """403: the API key is wrong."""


class NotFound(EnjambreError):
    """404: no such job (or module, or route)."""


class Conflict(EnjambreError):
    """409: the request does not fit the current state, e.g. a result asked for before the job completed."""


class PayloadTooLarge(EnjambreError):
    """413: the body is over the server's limit."""


class RateLimited(EnjambreError):
    """429: too many requests; ``retry_after`` is the server's hint in seconds, when it gave one."""

    def __init__(self, message: str, status: int = 429, code: Optional[str] = None, field: Optional[str] = None,
                 retry_after: Optional[float] = None):
        super().__init__(message, status, code, field)
        self.retry_after = retry_after


class ServerError(EnjambreError):
    """5xx: the coordinator failed; retrying later may help."""


class JobTimeout(EnjambreError, TimeoutError):
    """``wait`` gave up before the job finished; ``job`` is its last known state."""

    def __init__(self, message: str, job: Optional[dict] = None):
        super().__init__(message, code="TIMEOUT")
        self.job = job


class JobFailed(EnjambreError):
    """The job ended FAILED or CANCELLED where a completed one was needed; ``job`` is its final state."""

    def __init__(self, message: str, job: dict):
        super().__init__(message, code="JOB_" + str(job.get("state")))
        self.job = job


_BY_STATUS = {400: BadRequest, 401: Unauthenticated, 403: Forbidden, 404: NotFound, 409: Conflict,
              413: PayloadTooLarge, 429: RateLimited}


def from_response(status: int, body: bytes, retry_after: Optional[str] = None) -> EnjambreError:
    """The typed error for an HTTP error answer, parsed from its ``{"error":{...}}`` body when there is one."""
    import json

    code = field = None
    message = f"HTTP {status}"
    try:
        err = json.loads(body.decode("utf-8")).get("error", {})
        if isinstance(err, dict):
            code = err.get("code")
            message = err.get("message") or message
            field = err.get("field")
    except (ValueError, UnicodeDecodeError, AttributeError):
        text = body.decode("utf-8", "replace").strip()
        if text:
            message = f"HTTP {status}: {text[:200]}"
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else EnjambreError)
    if cls is RateLimited:
        try:
            seconds = float(retry_after) if retry_after is not None else None
        except ValueError:
            seconds = None
        return RateLimited(message, status, code, field, retry_after=seconds)
    return cls(message, status, code, field)
