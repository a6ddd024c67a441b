"""The project's settings as the services see them: .env, overridden by the environment."""
from __future__ import annotations

from typing import Dict

from testkit.stack import project_env

__all__ = ["project_env", "rasa_url"]


def rasa_url(env: Dict[str, str]) -> str:
    return env.get("RASA_URL") or f"http://{env.get('BIND_HOST') or '127.0.0.1'}:{env.get('RASA_PORT') or 5005}"
