"""Fixtures of the operator's kit tests: the repository's paths, and a real coordinator that ran a job."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

OPS = Path(__file__).resolve().parents[1]
REPO = OPS.parent
sys.path.insert(0, str(REPO / "clients" / "python" / "src"))

from enjambre_client.testing import java_command, shared_swarm  # noqa: E402

JAR = Path(os.environ.get("ENJAMBRE_JAR") or REPO / "cli" / "target" / "enjambre.jar")


@pytest.fixture(scope="session")
def scraped():
    """``/metrics`` of a real coordinator after a small job ran on its workers: (sample names, label -> values).
    The coordinator is the one the Python client's tests use when both suites run in one pytest process."""
    client = shared_swarm(JAR).client()
    job = client.submit({"app": "noop", "input": {}, "workUnits": 2, "redundancy": {"replicas": 1, "quorum": 1}})
    assert client.wait(job["id"], timeout=120, progress=False)["state"] == "COMPLETED"
    text = client.metrics()
    names, labels = set(), {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s", line)
        assert m, f"unparsable sample line {line!r}"
        names.add(m.group(1))
        for key, value in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""):
            labels.setdefault(key, set()).add(value)
    return names, labels


@pytest.fixture(scope="session")
def cli_options():
    """The long options each CLI command accepts, read from its real ``--help``."""
    def options(command: str) -> set:
        out = subprocess.run(java_command(JAR) + [command, "--help"], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return set(re.findall(r"(--[a-z][a-z0-9-]*)", out.stdout))
    return {"coordinator": options("coordinator"), "worker": options("worker")}
