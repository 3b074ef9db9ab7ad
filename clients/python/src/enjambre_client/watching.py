"""Following jobs live: the event stream with reconnection, and polling as the fallback."""
from __future__ import annotations

import http.client
import socket
import time
from typing import TYPE_CHECKING, Iterator, Optional

from . import errors
from .events import Event, parse
from .progress import ProgressBar

if TYPE_CHECKING:
    from .client import Client

TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
IDLE_SECONDS = 15.0        # the server sends `stats` every second: this much silence means a dead connection
FAILURES_BEFORE_POLLING = 3
RECHECK_SECONDS = 30.0     # a job silent on the stream this long is read directly once
_BROKEN = (socket.timeout, OSError, http.client.HTTPException, ValueError)


def events(client: "Client", reconnect: bool, idle_timeout: float) -> Iterator[Event]:
    """Every event of the stream; after a broken or silent connection, reconnects (waiting the server's
    ``retry`` interval) when ``reconnect``, else ends."""
    delay = 1.0
    while True:
        try:
            resp = client._open("GET", "/api/v1/events", accept="text/event-stream", timeout=idle_timeout)
        except (errors.ConnectionFailed, errors.ServerError, errors.RateLimited):
            if not reconnect:
                raise
        else:
            with resp:
                try:
                    for ev in parse(resp):
                        if ev.name == "retry":
                            delay = ev.data / 1000.0
                        else:
                            yield ev
                except _BROKEN:
                    pass
        if not reconnect:
            return
        time.sleep(delay)


def watch(client: "Client", job_id: str, timeout: Optional[float], poll: bool,
          poll_interval: float) -> Iterator[dict]:
    """Snapshots of one job as it changes, ending with its final one (see ``Client.watch``)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    last = client.job(job_id)
    yield last
    if last["state"] in TERMINAL:
        return
    if not poll:
        for job in _stream(client, job_id, deadline, last):
            last = job
            yield job
            if job["state"] in TERMINAL:
                return
    while True:
        time.sleep(min(poll_interval, _remaining(deadline, last)))
        job = client.job(job_id)
        if job != last:
            last = job
            yield job
        if job["state"] in TERMINAL:
            return
        _remaining(deadline, last)


def _stream(client: "Client", job_id: str, deadline: Optional[float], last: dict) -> Iterator[dict]:
    """Changed snapshots of the job from the event stream, reconnecting; returns (so that the caller
    polls) after repeated failures or when the server has no usable stream."""
    failures = 0
    while failures < FAILURES_BEFORE_POLLING:
        idle = min(IDLE_SECONDS, _remaining(deadline, last) + 0.5)
        try:
            resp = client._open("GET", "/api/v1/events", accept="text/event-stream", timeout=idle)
        except (errors.ConnectionFailed, errors.ServerError, errors.RateLimited):
            failures += 1
            time.sleep(min(1.0, _remaining(deadline, last)))
            continue
        except errors.EnjambreError:
            return                      # no event stream here (404, or refused): poll instead
        if resp.headers.get_content_type() != "text/event-stream":
            resp.close()
            return
        checked = time.monotonic()
        with resp:
            try:
                for ev in parse(resp):
                    failures = 0
                    job = None
                    if ev.name == "job" and isinstance(ev.data, dict) and ev.data.get("id") == job_id:
                        job, checked = ev.data, time.monotonic()
                    elif time.monotonic() - checked > RECHECK_SECONDS:
                        job, checked = client.job(job_id), time.monotonic()   # in case an event went missing
                    if job is not None and job != last:
                        last = job
                        yield last
                    if last["state"] in TERMINAL:
                        return
                    _remaining(deadline, last)
            except errors.JobTimeout:
                raise                           # a TimeoutError, hence an OSError: not a broken stream
            except _BROKEN:
                failures += 1
        _remaining(deadline, last)


def _remaining(deadline: Optional[float], last: dict) -> float:
    """Seconds left before the deadline (a day when there is none); raises JobTimeout once it passed."""
    if deadline is None:
        return 86400.0
    left = deadline - time.monotonic()
    if left <= 0:
        raise errors.JobTimeout(f"job {last.get('id')} is still {last.get('state')} "
                                f"({float(last.get('progress') or 0) * 100:.0f}%) at the timeout", last)
    return left


def wait(client: "Client", job_id: str, timeout: Optional[float], progress: Optional[bool], poll: bool) -> dict:
    """The job's final snapshot, drawing a progress bar meanwhile (see ``Client.wait``)."""
    bar = ProgressBar(enabled=progress)
    job: dict = {}
    try:
        for job in watch(client, job_id, timeout, poll, 1.0):
            bar.update(job)
    finally:
        bar.close()
    return job
