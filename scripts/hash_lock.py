"""Adds `--hash=sha256:...` to every pin of a requirements file, for `pip install --require-hashes`.

    <venv>/bin/python scripts/hash_lock.py PINS OUT

PINS holds `name==version` lines (as `pip freeze` writes them, or already hashed: old hashes are
dropped) and comment lines; OUT (which may be PINS) gets the same lines, each pin followed by the
sha256 of the file pip picks for it. Run it with the
interpreter of the environment the lock is for (scripts/lock.sh and `make -C backend lock` do):
pip picks a wheel by that interpreter's version and platform tags, so the hashes are those of
the files that environment installs. Every file is downloaded and hashed here rather than taken
from the index page, so a hash is never one that nobody checked.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def name_version(filename: str) -> tuple[str, str]:
    """(canonical name, version) of a wheel or an sdist file name."""
    if filename.endswith(".whl"):
        name, version = filename[: -len(".whl")].split("-")[:2]
        return canonical(name), version.lower()
    for suffix in (".tar.gz", ".zip", ".tar.bz2"):
        if filename.endswith(suffix):
            # sdist names may keep dashes in the project name; the version is after the last one.
            name, _, version = filename[: -len(suffix)].rpartition("-")
            return canonical(name), version.lower()
    raise SystemExit(f"hash_lock: unexpected file from pip download: {filename}")


def logical_lines(text: str) -> list[str]:
    """Joins backslash continuations and drops `--hash` options, so a hashed lock reads as pins."""
    joined = text.replace("\\\n", " ").splitlines()
    return [re.sub(r"\s+--hash=\S+", "", line).rstrip() if not line.lstrip().startswith("#") else line
            for line in joined]


def main(pins_path: str, out_path: str) -> int:
    lines = logical_lines(Path(pins_path).read_text())
    pins = [(m.group(1), m.group(2)) for m in map(PIN.match, (line.strip() for line in lines)) if m]
    with tempfile.TemporaryDirectory(prefix="plr-hash-lock-") as tmp:
        plain = Path(tmp) / "pins.txt"
        plain.write_text("".join(f"{name}=={version}\n" for name, version in pins))
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--disable-pip-version-check", "-r", str(plain), "-d", f"{tmp}/files"],
                       check=True)
        hashes: dict[tuple[str, str], list[str]] = {}
        for path in sorted(Path(tmp, "files").iterdir()):
            hashes.setdefault(name_version(path.name), []).append(sha256(path))
    out = []
    for line in lines:
        match = PIN.match(line.strip())
        if not match:
            if line.strip() and not line.lstrip().startswith("#"):
                raise SystemExit(f"hash_lock: not a `name==version` pin: {line.strip()}")
            out.append(line)
            continue
        name, version = match.groups()
        found = hashes.get((canonical(name), version.lower()))
        if not found:
            raise SystemExit(f"hash_lock: pip downloaded no file for {name}=={version}")
        out.append(" \\\n".join([f"{name}=={version}"] + [f"    --hash=sha256:{h}" for h in found]))
    Path(out_path).write_text("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
