"""The latest results in reports/, read-only: Markdown reports shown as text, plots as images.
Only files directly in reports/ with these suffixes are ever read."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
TEXT = (".md",)
IMAGES = {".png": "image/png", ".svg": "image/svg+xml"}


def _listed(directory: Path, suffixes) -> list[dict]:
    if not directory.is_dir():
        return []
    files = [p for p in directory.iterdir() if p.is_file() and p.suffix in suffixes and NAME.match(p.name)]
    files.sort(key=lambda p: p.name)
    return [{"name": p.name, "modified": datetime.fromtimestamp(p.stat().st_mtime, UTC)
             .strftime("%Y-%m-%d %H:%M UTC")} for p in files]


def texts(directory: Path) -> list[dict]:
    return _listed(directory, TEXT)


def images(directory: Path) -> list[dict]:
    return _listed(directory, tuple(IMAGES))


def find(directory: Path, name: str, suffixes) -> Path | None:
    if not NAME.match(name or "") or Path(name).suffix not in suffixes:
        return None
    path = directory / name
    return path if path.is_file() else None
