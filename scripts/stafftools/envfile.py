"""The project's settings as the services see them: .env, overridden by the environment."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict

from stafftools.stackctl import ROOT
from testkit.stack import read_env_file


def project_env() -> Dict[str, str]:
    """PLR_ENV_FILE points at another .env (tests); real environment variables win."""
    return {**read_env_file(Path(os.environ.get("PLR_ENV_FILE", ROOT / ".env"))), **os.environ}


def rasa_url(env: Dict[str, str]) -> str:
    return env.get("RASA_URL") or f"http://{env.get('BIND_HOST') or '127.0.0.1'}:{env.get('RASA_PORT') or 5005}"
