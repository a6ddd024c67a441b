"""Benchmark plots for the staff report (matplotlib, written as PNG files beside the page)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import matplotlib

matplotlib.use("Agg")  # no display on a server
import matplotlib.pyplot as plt  # noqa: E402


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def latency_by_users(bench: Dict[str, Any], path: Path) -> Path:
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for bot, style in (("assistant", "-o"), ("reference", "--s")):
        rows: List[Dict[str, Any]] = bench.get(bot) or []
        if not rows:
            continue
        users = [r["users"] for r in rows]
        for key, alpha in (("p50_ms", 1.0), ("p95_ms", 0.7), ("p99_ms", 0.4)):
            axes[0].plot(users, [r[key] for r in rows], style, alpha=alpha, label=f"{bot} {key[:3]}")
        axes[1].plot(users, [r["rps"] for r in rows], style, label=bot)
    axes[0].axhline(300, color="red", linewidth=0.8, linestyle=":", label="p95 target (10 learners)")
    axes[0].set(xscale="log", yscale="log", xlabel="concurrent learners", ylabel="latency per message (ms)",
                title="Latency")
    axes[1].set(xscale="log", xlabel="concurrent learners", ylabel="messages per second", title="Throughput")
    for axis in axes:
        axis.legend(fontsize=7)
        axis.grid(alpha=0.3)
    return _save(fig, path)


def long_conversation(details: Dict[str, Any], path: Path) -> Path:
    blocks = details.get("assistant", {}).get("long_conversation", {}).get("p50_ms_by_block_of_20") or []
    fig, axis = plt.subplots(figsize=(6, 3.2))
    axis.plot([20 * (i + 1) for i in range(len(blocks))], blocks, "-o")
    if blocks:
        axis.axhline(blocks[0] * 1.5, color="red", linewidth=0.8, linestyle=":", label="1.5 × first 20")
        axis.legend(fontsize=7)
    axis.set(xlabel="turn (end of each block of 20)", ylabel="p50 latency (ms)", title="One 200-turn conversation",
             ylim=(0, max(blocks + [1]) * 1.8))
    axis.grid(alpha=0.3)
    return _save(fig, path)


def services(details: Dict[str, Any], path: Path) -> Path:
    levels = details.get("assistant", {}).get("levels") or []
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    names = sorted({name for level in levels for name in level["services"]})
    width = 0.8 / max(len(levels), 1)
    for i, level in enumerate(levels):
        xs = [j + i * width for j in range(len(names))]
        label = f"{level['figures']['users']} learner(s)"
        axes[0].bar(xs, [level["services"][n]["cpu_percent"] for n in names], width, label=label)
        axes[1].bar(xs, [level["services"][n]["peak_rss_mb"] for n in names], width, label=label)
    for axis, title, unit in ((axes[0], "CPU during each level", "% of one core"),
                              (axes[1], "Peak resident memory", "MB")):
        axis.set_xticks([j + width * (len(levels) - 1) / 2 for j in range(len(names))], names)
        axis.set(title=title, ylabel=unit)
        axis.legend(fontsize=7)
        axis.grid(alpha=0.3, axis="y")
    axes[1].axhline(1500, color="red", linewidth=0.8, linestyle=":")
    return _save(fig, path)
