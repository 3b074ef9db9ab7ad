"""Where the coordinator is and which API key to use, found the way the ``enjambre`` CLI finds them."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

DEFAULT_URL = "http://127.0.0.1:8080"


def default_data_dir() -> Path:
    """A local coordinator's default data directory, ``~/.enjambre/coordinator``."""
    return Path.home() / ".enjambre" / "coordinator"


def find_url(url: Optional[str] = None) -> str:
    """The coordinator URL: the argument, then ``ENJAMBRE_COORDINATOR``, then ``http://127.0.0.1:8080``."""
    if url:
        return url.rstrip("/")
    env = os.environ.get("ENJAMBRE_COORDINATOR", "").strip()
    return (env or DEFAULT_URL).rstrip("/")


def find_api_key(api_key: Optional[str] = None, data_dir: Union[str, os.PathLike, None] = None) -> Optional[str]:
    """The API key: the argument, then ``ENJAMBRE_API_KEY``, then ``<data_dir>/api-key`` (by default the
    key file of a local coordinator, ``~/.enjambre/coordinator/api-key``); None when there is none."""
    if api_key:
        return api_key.strip()
    env = os.environ.get("ENJAMBRE_API_KEY", "").strip()
    if env:
        return env
    key_file = Path(data_dir if data_dir is not None else default_data_dir()) / "api-key"
    try:
        text = key_file.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None
