"""A throwaway local swarm for tests: one coordinator and some workers, real processes from ``enjambre.jar``."""
from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path
from typing import List, Optional

from .client import Client

_UP = re.compile(r"coordinator up at (http://\S+)")


class LocalSwarm:
    """Starts ``java -jar JAR coordinator`` on 127.0.0.1 (a free HTTP port, a free cluster port, a cluster
    name of its own, a temporary data dir, a fresh API key, ``--allow-same-host``) and ``workers`` workers
    pointed at it; :meth:`close` stops them all. Use as a context manager."""

    def __init__(self, jar: os.PathLike, workers: int = 2, startup_seconds: float = 120.0,
                 coordinator_args: Optional[List[str]] = None):
        self.jar = Path(jar)
        if not self.jar.is_file():
            raise FileNotFoundError(f"{self.jar} is missing: build it with mvn -B -DskipTests package")
        self.dir = Path(tempfile.mkdtemp(prefix="enjambre-swarm-"))
        self.api_key = secrets.token_hex(16)
        self.url = ""
        self.log = self.dir / "coordinator.log"
        self._procs: List[subprocess.Popen] = []
        try:
            self._start_coordinator(startup_seconds, coordinator_args or [])
            for i in range(workers):
                self.add_worker(f"pytest-w{i}")
        except BaseException:
            self.close()
            raise

    def client(self, **kwargs) -> Client:
        """A client of this swarm's coordinator with its API key (keyword arguments override)."""
        kwargs.setdefault("api_key", self.api_key)
        return Client(self.url, **kwargs)

    def add_worker(self, name: str) -> subprocess.Popen:
        """Starts one more worker process (one core) named ``name``."""
        data = self.dir / name
        log = open(self.dir / f"{name}.log", "wb")
        proc = subprocess.Popen(java_command(self.jar) + ["worker", "--coordinator", self.url, "--data-dir", str(data),
                                                   "--name", name, "--cores", "1"],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self._procs.append(proc)
        return proc

    def _start_coordinator(self, startup_seconds: float, extra: List[str]) -> None:
        cmd = java_command(self.jar) + ["coordinator", "--host", "127.0.0.1", "--port", "0",
                                 "--cluster-port", str(free_port()), "--cluster-name", "pytest-" + uuid.uuid4().hex,
                                 "--data-dir", str(self.dir / "coordinator"), "--api-key", self.api_key,
                                 "--allow-same-host"] + extra
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._procs.append(proc)
        found = threading.Event()
        threading.Thread(target=self._pump, args=(proc, found), daemon=True).start()
        if not found.wait(startup_seconds) or not self.url:
            raise RuntimeError(f"the coordinator did not start within {startup_seconds:.0f}s; its log:\n"
                               + self.log.read_text(errors="replace")[-4000:])

    def _pump(self, proc: subprocess.Popen, found: threading.Event) -> None:
        """Copies the coordinator's output to its log file and notes the URL it prints when up."""
        with open(self.log, "wb") as log:
            for line in proc.stdout:
                log.write(line)
                log.flush()
                m = _UP.search(line.decode("utf-8", "replace"))
                if m and not found.is_set():
                    self.url = m.group(1)
                    found.set()
        found.set()

    def close(self) -> None:
        """Stops the workers, then the coordinator (SIGTERM, then SIGKILL after 20 s), and deletes their data."""
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(self._procs):
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "LocalSwarm":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_SHARED: dict = {}


def shared_swarm(jar: os.PathLike, workers: int = 2) -> LocalSwarm:
    """One LocalSwarm per jar for the whole process (so test suites run together start it once), stopped
    when the process exits."""
    key = str(Path(jar).resolve())
    if key not in _SHARED:
        _SHARED[key] = LocalSwarm(jar, workers)
        atexit.register(_SHARED[key].close)
    return _SHARED[key]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def java_command(jar: Path) -> List[str]:
    """The command line that runs ``jar`` with the JDK of JAVA_HOME (else ``java`` on the PATH), small heaps."""
    java = Path(os.environ["JAVA_HOME"]) / "bin" / "java" if os.environ.get("JAVA_HOME") else Path("java")
    return [str(java), "-Xmx384m", "-XX:+UseSerialGC", "-jar", str(jar)]
