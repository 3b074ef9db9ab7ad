"""The Enjambre REST API v1 client (standard library only)."""
from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import shutil
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

from . import config, errors, watching
from .events import Event

JsonSpec = Union[dict, str, bytes, "os.PathLike[str]"]
TERMINAL_STATES = watching.TERMINAL


class Client:
    """A connection to one coordinator peer (any peer answers any request).

    ``url`` defaults to ``ENJAMBRE_COORDINATOR``, else ``http://127.0.0.1:8080``; ``api_key`` to
    ``ENJAMBRE_API_KEY``, else the key file in ``data_dir`` (default ``~/.enjambre/coordinator``).
    Every method raises a subclass of :class:`errors.EnjambreError` carrying the server's error code,
    message and field. Job snapshots are the API's JSON objects, as dicts.
    """

    def __init__(self, url: Optional[str] = None, api_key: Optional[str] = None, *,
                 data_dir: Union[str, "os.PathLike[str]", None] = None, timeout: float = 60.0):
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout}")
        self.url = config.find_url(url)
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError(f"coordinator URL must start with http:// or https://, not {self.url!r}")
        self.api_key = config.find_api_key(api_key, data_dir)
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"Client({self.url!r}, api_key={'set' if self.api_key else 'none'})"

    # --- jobs ---------------------------------------------------------------------------------------

    def submit(self, spec: JsonSpec) -> dict:
        """Submits a job spec (a dict, JSON text or bytes, or the path of a JSON file); returns ``{"id", "state"}``."""
        if isinstance(spec, dict):
            body = json.dumps(spec).encode("utf-8")
        elif isinstance(spec, bytes):
            body = spec
        elif isinstance(spec, str) and spec.lstrip().startswith("{"):
            body = spec.encode("utf-8")          # JSON text rather than a file name
        elif isinstance(spec, (str, os.PathLike)):
            body = Path(spec).read_bytes()
        else:
            raise TypeError(f"a job spec is a dict, JSON bytes or a file path, not {type(spec).__name__}")
        return self._json("POST", "/api/v1/jobs", body, "application/json")

    def job(self, job_id: str) -> dict:
        """One job's snapshot: state, progress, work units by state, task counts, timings."""
        return self._json("GET", "/api/v1/jobs/" + _segment(job_id))

    def jobs(self) -> list:
        """Every job, newest first."""
        return self._json("GET", "/api/v1/jobs")["jobs"]

    def units(self, job_id: str, start: int = 0, limit: int = 100) -> dict:
        """A page of a job's work units with their replicas: ``{"units": [...], "total": N}``."""
        query = urllib.parse.urlencode({"from": start, "limit": limit})
        return self._json("GET", f"/api/v1/jobs/{_segment(job_id)}/units?{query}")

    def cancel(self, job_id: str) -> dict:
        """Cancels a job (a no-op for a finished one); returns its snapshot."""
        return self._json("DELETE", "/api/v1/jobs/" + _segment(job_id))

    def result(self, job_id: str, to: Union[str, "os.PathLike[str]", None] = None) -> Any:
        """A completed job's merged result: decoded JSON, or bytes for other content types (a PNG for
        ``mandelbrot``). With ``to``, streams the body into that file and returns its path instead.
        Raises :class:`errors.Conflict` (``NOT_COMPLETED``) until the job completed."""
        with self._open("GET", f"/api/v1/jobs/{_segment(job_id)}/result") as resp, self._reading():
            if to is not None:
                path = Path(to)
                with open(path, "wb") as out:
                    shutil.copyfileobj(resp, out, 1 << 16)
                return path
            body = resp.read()
            if resp.headers.get_content_type() == "application/json":
                return json.loads(body.decode("utf-8"))
            return body

    # --- progress -----------------------------------------------------------------------------------

    def events(self, reconnect: bool = True, idle_timeout: float = 15.0) -> Iterator[Event]:
        """The live event stream (``job``, ``worker``, ``stats``), reconnecting after a broken or silent
        connection when ``reconnect``; each (re)connection starts with a snapshot of every job and worker."""
        return watching.events(self, reconnect, idle_timeout)

    def watch(self, job_id: str, timeout: Optional[float] = None, poll: bool = False,
              poll_interval: float = 1.0) -> Iterator[dict]:
        """Snapshots of one job as it changes, ending with the one in a final state. Uses the event
        stream (reconnecting), or polls every ``poll_interval`` seconds when ``poll`` or when the stream
        is unavailable. Raises :class:`errors.JobTimeout` after ``timeout`` seconds."""
        return watching.watch(self, job_id, timeout, poll, poll_interval)

    def wait(self, job_id: str, timeout: Optional[float] = None, progress: Optional[bool] = None,
             poll: bool = False) -> dict:
        """Waits until the job is COMPLETED, FAILED or CANCELLED and returns its final snapshot; draws a
        progress bar on stderr when ``progress`` (default: when stderr is a terminal)."""
        return watching.wait(self, job_id, timeout, progress, poll)

    def run(self, spec: JsonSpec, timeout: Optional[float] = None, progress: Optional[bool] = None) -> Any:
        """Submits, waits, and returns the result; raises :class:`errors.JobFailed` unless it COMPLETED."""
        job = self.wait(self.submit(spec)["id"], timeout, progress)
        if job["state"] != "COMPLETED":
            raise errors.JobFailed(f"job {job['id']} ended {job['state']}: {job.get('failure')}", job)
        return self.result(job["id"])

    # --- modules, workers, cluster ------------------------------------------------------------------

    def upload_module(self, module: Union[bytes, str, "os.PathLike[str]"]) -> str:
        """Uploads a WebAssembly module (bytes or a file path); returns its SHA-256 for a job's input."""
        body = module if isinstance(module, bytes) else Path(module).read_bytes()
        return self._json("POST", "/api/v1/modules", body, "application/wasm")["sha256"]

    # --- data files ----------------------------------------------------------------------------------

    def upload_file(self, path: Union[str, "os.PathLike[str]"], chunk_size: int = 4 * 1024 * 1024,
                    progress: Optional[Callable[[int, int], None]] = None) -> dict:
        """Uploads a data file in chunks named by their SHA-256, sending only those the coordinators lack (a
        re-run resumes an interrupted upload). Returns ``{"id", "sent"}``: the file id for a job's input (e.g.
        ``wordcount``'s ``files``) and how many chunks this call sent. ``progress(sent_bytes, total_bytes)``
        is called after each chunk."""
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1 byte, not {chunk_size}")
        file = Path(path)
        size = file.stat().st_size
        hashes = []
        with file.open("rb") as f:
            for block in iter(lambda: f.read(chunk_size), b""):
                hashes.append(hashlib.sha256(block).hexdigest())
        manifest = json.dumps({"name": file.name, "size": size, "chunkSize": chunk_size,
                               "chunks": hashes}).encode("utf-8")
        declared = self._json("POST", "/api/v1/files", manifest, "application/json")
        missing = set(declared.get("missing", []))
        total = sum(min(chunk_size, size - i * chunk_size) for i, h in enumerate(hashes) if h in missing)
        sent = done = 0
        with file.open("rb") as f:
            for h in hashes:
                block = f.read(chunk_size)
                if h in missing:
                    missing.discard(h)
                    self._json("PUT", "/api/v1/chunks/" + h, block, "application/octet-stream")
                    sent += 1
                    done += len(block)
                    if progress:
                        progress(done, total)
        final = self._json("POST", "/api/v1/files", manifest, "application/json")
        if not final.get("complete"):
            raise errors.EnjambreError(f"{file}: the coordinators still lack {len(final.get('missing', []))} "
                                       "chunks; upload it again")
        return {"id": final["id"], "sent": sent}

    def file(self, file_id: str) -> dict:
        """A data file's metadata: name, size, chunks, whether it is complete."""
        return self._json("GET", "/api/v1/files/" + urllib.parse.quote(file_id, safe=""))

    def download_file(self, file_id: str, to: Union[str, "os.PathLike[str]"]) -> Path:
        """Streams a complete data file to ``to`` (no partial file is left on failure); returns the path."""
        target = Path(to)
        part = target.with_name(target.name + ".part")
        try:
            with self._open("GET", "/api/v1/files/" + urllib.parse.quote(file_id, safe="") + "/content") as resp, \
                    self._reading(), part.open("wb") as out:
                shutil.copyfileobj(resp, out, 1024 * 1024)
            os.replace(part, target)
        finally:
            if part.exists():
                part.unlink()
        return target

    def workers(self) -> list:
        """Workers with their throughput, credit and reputation."""
        return self._json("GET", "/api/v1/workers")["workers"]

    def cluster(self) -> list:
        """The coordinator peers."""
        return self._json("GET", "/api/v1/cluster")["peers"]

    def metrics(self) -> str:
        """This peer's metrics in Prometheus text format."""
        with self._open("GET", "/metrics") as resp:
            return resp.read().decode("utf-8")

    def health(self) -> dict:
        """``{"status": "UP", "peers": N}`` when the peer is up."""
        return self._json("GET", "/health")

    # --- HTTP ---------------------------------------------------------------------------------------

    def _json(self, method: str, path: str, body: Optional[bytes] = None, content_type: Optional[str] = None) -> Any:
        with self._open(method, path, body, content_type) as resp, self._reading():
            data = resp.read()
        return json.loads(data.decode("utf-8")) if data else None

    @contextlib.contextmanager
    def _reading(self):
        """Turns a connection that breaks or stalls while a body is read into ConnectionFailed."""
        try:
            yield
        except (socket.timeout, ConnectionError, http.client.HTTPException) as e:
            raise errors.ConnectionFailed(f"reading the answer of {self.url} failed: {e!r}") from e

    def _open(self, method: str, path: str, body: Optional[bytes] = None, content_type: Optional[str] = None,
              accept: str = "*/*", timeout: Optional[float] = None):
        """Sends one request and returns the open response; raises the typed error for an error status."""
        req = urllib.request.Request(self.url + path, data=body, method=method)
        req.add_header("Accept", accept)
        req.add_header("User-Agent", "enjambre-client-python")
        if content_type:
            req.add_header("Content-Type", content_type)
        if self.api_key:
            req.add_header("Authorization", "Bearer " + self.api_key)
        try:
            return urllib.request.urlopen(req, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as e:
            with e:
                raise errors.from_response(e.code, e.read(), e.headers.get("Retry-After")) from None
        except (urllib.error.URLError, socket.timeout, ConnectionError) as e:
            reason = getattr(e, "reason", e)
            raise errors.ConnectionFailed(f"cannot reach the coordinator at {self.url}: {reason}") from e


def _segment(value: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"a job id is a non-empty string, not {value!r}")
    return urllib.parse.quote(value, safe="")
