"""Request references such as PLR-7K3M-9QXD: random, short, and easy to read aloud.

The alphabet leaves out 0/O, 1/I/L so a learner reading a reference over the phone cannot
confuse two characters. 31 symbols x 8 positions gives about 8.5e11 references, and they come
from `secrets`, so a reference cannot be guessed from another one.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PATTERN = re.compile(rf"^PLR-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def new_reference() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"PLR-{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str | None:
    """Accept what a person types ("plr 7k3m 9qxd", "PLR7K3M9QXD"); None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    compact = re.sub(r"[\s\-]", "", text).upper()
    if compact.startswith("PLR"):
        compact = compact[3:]
    if len(compact) != 8:
        return None
    candidate = f"PLR-{compact[:4]}-{compact[4:]}"
    return candidate if PATTERN.match(candidate) else None
