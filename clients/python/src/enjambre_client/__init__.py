"""Python client of Enjambre's REST API v1: submit jobs, follow their progress, fetch results.

>>> from enjambre_client import Client
>>> c = Client("http://127.0.0.1:8080")                    # API key: ENJAMBRE_API_KEY or the local key file
>>> job = c.submit({"app": "primes", "input": {"from": 2, "to": 10_000_000}, "workUnits": 100})
>>> c.wait(job["id"], timeout=600)["state"]                 # a progress bar on a terminal
'COMPLETED'
>>> c.result(job["id"])
{'count': 664579}
"""
from .client import Client, TERMINAL_STATES
from .config import find_api_key, find_url
from .errors import (AuthError, BadRequest, Conflict, ConnectionFailed, EnjambreError, Forbidden, JobFailed,
                     JobTimeout, NotFound, PayloadTooLarge, RateLimited, ServerError, Unauthenticated)
from .events import Event

__version__ = "0.1.0"
__all__ = ["Client", "TERMINAL_STATES", "Event", "find_api_key", "find_url", "EnjambreError", "AuthError",
           "BadRequest", "Conflict", "ConnectionFailed", "Forbidden", "JobFailed", "JobTimeout", "NotFound",
           "PayloadTooLarge", "RateLimited", "ServerError", "Unauthenticated"]
