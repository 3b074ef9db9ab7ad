"""A one-line progress bar for a job, drawn on a terminal only."""
from __future__ import annotations

import sys
from typing import IO, Optional


class ProgressBar:
    """Redraws one line (``name [#####-----]  42%  42/100 units  12.5 tasks/s  ETA 30s``) on ``stream``
    for each job snapshot given to :meth:`update`; draws nothing unless enabled (by default: when
    ``stream`` is a terminal)."""

    def __init__(self, stream: Optional[IO[str]] = None, enabled: Optional[bool] = None, width: int = 30):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_tty(self.stream) if enabled is None else enabled
        self.width = width
        self._drawn = False

    @staticmethod
    def line(job: dict, width: int = 30) -> str:
        """The text of the bar for one job snapshot."""
        progress = min(max(float(job.get("progress") or 0.0), 0.0), 1.0)
        filled = int(round(progress * width))
        units = job.get("workUnits") or {}
        parts = [f"{job.get('name') or job.get('id', '')} [{'#' * filled}{'-' * (width - filled)}] {progress * 100:3.0f}%"]
        if "total" in units:
            parts.append(f"{units.get('done', 0)}/{units['total']} units")
        if job.get("tasksPerSecond"):
            parts.append(f"{job['tasksPerSecond']:.1f} tasks/s")
        if job.get("etaSeconds") is not None and job.get("state") == "RUNNING":
            parts.append(f"ETA {int(job['etaSeconds'])}s")
        parts.append(str(job.get("state", "")))
        return "  ".join(parts)

    def update(self, job: dict) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[2K" + self.line(job, self.width))
            self.stream.flush()
            self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def _is_tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
