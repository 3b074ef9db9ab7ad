"""Server-sent events: a parser of the ``text/event-stream`` format and the events it yields."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional


@dataclass(frozen=True)
class Event:
    """One server-sent event: its name (``job``, ``worker``, ``stats``), its data (JSON-decoded when it is
    JSON, else the text) and its id when the server gave one."""

    name: str
    data: Any
    id: Optional[str] = None


def parse(lines: Iterable[bytes]) -> Iterator[Event]:
    """The events in a stream of raw lines (as read from the response, line endings included).

    Follows the HTML living standard's rules: ``field: value`` lines, one leading blank after the colon
    dropped, ``data`` lines joined with line feeds, comments (``:``) ignored, an event dispatched at a blank
    line; an event without data is dropped, a missing event name means ``message``. ``retry`` lines are
    exposed as ``Event("retry", milliseconds)`` so a reconnecting reader can honour them.
    """
    name = ""
    data: list = []
    last_id: Optional[str] = None
    for raw in lines:
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if line == "":
            if data:
                text = "\n".join(data)
                yield Event(name or "message", _decode(text), last_id)
            name, data = "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        elif field == "id" and "\0" not in value:
            last_id = value
        elif field == "retry" and value.isdigit():
            yield Event("retry", int(value), last_id)


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
