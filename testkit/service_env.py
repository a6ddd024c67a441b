"""Each service's environment: everything that is not a secret, and only the secrets that
service uses (least privilege: a flaw in one process must not hand over the keys of another).

- Rasa: its API token, the action server's token, the web chat's session secret, the Twilio
  auth token, the tracker database and Redis passwords, the log pseudonym key;
- action server: its token, its backend key (ACTIONS_API_KEY), the outbox key;
- backend: both backend keys (ACTIONS_API_KEY, STAFF_API_KEY), the encryption and hash keys,
  its database URL;
- web page: none;
- staff console (its own allow-list, Stack.console_env): the staff key, Rasa's API token, its
  session secret and the first admin's password.

Every service gets `PLR_ENV_FILE=/dev/null`: the action server and the backend would otherwise
read the whole `.env` themselves (python-dotenv), and with it every other service's secrets.
The stack passes each one its values instead. Stdlib only (both virtual environments use it).
"""
from __future__ import annotations

import os
from typing import Dict, Mapping

# Every key that holds a secret (or a URL that may carry a password).
SECRET_KEYS = frozenset({
    "RASA_API_TOKEN", "ACTION_SERVER_TOKEN", "ACTIONS_API_KEY", "STAFF_API_KEY", "TWILIO_AUTH_TOKEN",
    "BACKEND_ENCRYPTION_KEY", "BACKEND_HASH_KEY", "OUTBOX_ENCRYPTION_KEY", "WEBCHAT_SESSION_SECRET",
    "TRACKER_DB_PASSWORD", "REDIS_PASSWORD", "LOG_PSEUDONYM_KEY", "DATABASE_URL",
    "CONSOLE_SECRET", "STAFF_ADMIN_PASSWORD",
})

SECRETS_FOR = {
    "rasa": frozenset({"RASA_API_TOKEN", "ACTION_SERVER_TOKEN", "WEBCHAT_SESSION_SECRET", "TWILIO_AUTH_TOKEN",
                       "TRACKER_DB_PASSWORD", "REDIS_PASSWORD", "LOG_PSEUDONYM_KEY"}),
    "actions": frozenset({"ACTION_SERVER_TOKEN", "ACTIONS_API_KEY", "OUTBOX_ENCRYPTION_KEY"}),
    "backend": frozenset({"ACTIONS_API_KEY", "STAFF_API_KEY", "BACKEND_ENCRYPTION_KEY", "BACKEND_HASH_KEY",
                          "DATABASE_URL"}),
    "web": frozenset(),
    # The staff console is started with its own allow-list (Stack.console_env); the same secrets.
    "console": frozenset({"STAFF_API_KEY", "RASA_API_TOKEN", "CONSOLE_SECRET", "STAFF_ADMIN_PASSWORD"}),
}


def kind_of(name: str) -> str:
    """"rasa-2" -> "rasa", "actions-1" -> "actions"."""
    return name.split("-")[0]


def env_for(kind: str, env: Mapping[str, str]) -> Dict[str, str]:
    """`env` without the secrets `kind` does not use. Rasa expands every `${VAR}` named in
    credentials.yml and endpoints.yml and fails when one is unset, so a secret it does not
    hold is absent, never blank."""
    allowed = SECRETS_FOR[kind]
    own = {key: value for key, value in env.items() if key not in SECRET_KEYS or key in allowed}
    own["PLR_ENV_FILE"] = os.devnull
    return own
