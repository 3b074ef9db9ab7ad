"""Fixtures: a real local swarm (one coordinator, two workers) from the built ``cli/target/enjambre.jar``."""
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE.parent / "src"))   # the client under test, installed or not

from enjambre_client.testing import shared_swarm  # noqa: E402


def _built(env: str, default: Path) -> Path:
    path = Path(os.environ.get(env) or default)
    if not path.is_file():
        pytest.fail(f"{path} is missing: build it first (mvn -B -DskipTests package), or set {env}")
    return path


@pytest.fixture(scope="session")
def swarm():
    """One coordinator and two workers, shared with the operator's kit tests when they run in this process."""
    return shared_swarm(_built("ENJAMBRE_JAR", REPO / "cli" / "target" / "enjambre.jar"))


@pytest.fixture(scope="session")
def client(swarm):
    return swarm.client()


@pytest.fixture(scope="session")
def primes_wasm() -> Path:
    return _built("ENJAMBRE_PRIMES_WASM", REPO / "workunits" / "target" / "wasm" / "primes.wasm")


@pytest.fixture
def no_key_env(monkeypatch, tmp_path):
    """No API key in the environment, and an empty default data dir (HOME points at a temp dir)."""
    monkeypatch.delenv("ENJAMBRE_API_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path
