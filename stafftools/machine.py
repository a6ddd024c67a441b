"""The machine a figure was measured on, and how busy it was at the time."""
from __future__ import annotations

import os
import platform
from typing import Dict


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def describe() -> Dict[str, object]:
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = 0.0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1e6, 1)
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gb": memory_gb,
            "system": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "hostname": platform.node()}
