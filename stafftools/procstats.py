"""CPU time and resident memory of the stack's services, read from /proc.

Each service runs in its own process group (testkit.process starts it with a new session),
so a service's figures are the sum over every process whose group is the service's pid:
`make -C backend run` and its Python child count together. A sampling thread keeps the peak
of the summed RSS; CPU is the difference of utime+stime(+reaped children) between two reads.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Dict, List

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat_fields(pid: str) -> List[str]:
    with open(f"/proc/{pid}/stat") as handle:
        data = handle.read()
    # The command name is in parentheses and may hold spaces: split after the last ')'.
    return data[data.rindex(")") + 2:].split()


def group_members(pgid: int) -> List[int]:
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if int(_stat_fields(entry)[2]) == pgid:  # field 5 of stat: pgrp
                members.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return members


def group_usage(pgid: int) -> Dict[str, float]:
    """CPU seconds so far and current RSS (MB) of a process group."""
    cpu_ticks, rss_pages = 0, 0
    for pid in group_members(pgid):
        try:
            fields = _stat_fields(str(pid))
            cpu_ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
            with open(f"/proc/{pid}/statm") as handle:
                rss_pages += int(handle.read().split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return {"cpu_seconds": cpu_ticks / _TICKS, "rss_mb": rss_pages * _PAGE / 1e6}


class Sampler:
    """Samples the named process groups in a thread; `mark()` opens a measuring window."""

    def __init__(self, groups: Dict[str, int], interval: float = 0.5) -> None:
        self.groups = dict(groups)
        self.interval = interval
        self.peak_rss: Dict[str, float] = {name: 0.0 for name in groups}
        self.window_peak: Dict[str, float] = {name: 0.0 for name in groups}
        self._window_start: Dict[str, float] = {}
        self._window_time = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="procstats", daemon=True)

    def _sample(self) -> Dict[str, Dict[str, float]]:
        usage = {name: group_usage(pgid) for name, pgid in self.groups.items()}
        with self._lock:
            for name, figures in usage.items():
                self.peak_rss[name] = max(self.peak_rss[name], figures["rss_mb"])
                self.window_peak[name] = max(self.window_peak[name], figures["rss_mb"])
        return usage

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def start(self) -> Sampler:
        self.mark()
        self._thread.start()
        return self

    def mark(self) -> None:
        usage = self._sample()
        with self._lock:
            self._window_start = {name: figures["cpu_seconds"] for name, figures in usage.items()}
            self._window_time = time.monotonic()
            self.window_peak = {name: figures["rss_mb"] for name, figures in usage.items()}

    def window(self) -> Dict[str, Dict[str, float]]:
        """CPU seconds, CPU % (100 % = one core) and peak RSS of each service since mark()."""
        usage = self._sample()
        elapsed = max(time.monotonic() - self._window_time, 1e-9)
        with self._lock:
            return {name: {"cpu_seconds": round(usage[name]["cpu_seconds"] - self._window_start.get(name, 0.0), 2),
                           "cpu_percent": round(100 * (usage[name]["cpu_seconds"]
                                                       - self._window_start.get(name, 0.0)) / elapsed, 1),
                           "peak_rss_mb": round(self.window_peak[name], 1)}
                    for name in self.groups}

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
