"""Settings come from .env (python-dotenv), real environment variables win, and setup
creates .env with fresh secrets."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from actions import settings as settings_module
from testkit.stack import read_env_file

ROOT = Path(__file__).resolve().parents[2]
KEYS = ["BACKEND_URL", "ACTIONS_API_KEY", "OUTBOX_ENCRYPTION_KEY", "HELPDESK_HOURS", "HELPDESK_PHONE", "OUTBOX_PATH",
        "LOG_LEVEL",
        "BACKEND_READ_TIMEOUT"]


@pytest.fixture
def clean_env(monkeypatch):
    # load_dotenv writes into os.environ; restore all of it so no test's values leak on.
    saved = dict(os.environ)
    for key in KEYS:
        monkeypatch.delenv(key, raising=False)
    yield monkeypatch
    os.environ.clear()
    os.environ.update(saved)


def test_values_come_from_the_env_file(tmp_path, clean_env):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "BACKEND_URL=http://127.0.0.1:9999/\nACTIONS_API_KEY=k-123\nHELPDESK_HOURS=Mon-Fri 9-5\n"
        "OUTBOX_ENCRYPTION_KEY=outbox-key\n"
        "BACKEND_READ_TIMEOUT=2.5\nLOG_LEVEL=debug\n"
    )
    clean_env.setenv("PLR_ENV_FILE", str(env_file))
    loaded = settings_module.load_settings()
    assert loaded.backend_url == "http://127.0.0.1:9999"
    assert loaded.actions_api_key == "k-123"
    assert loaded.helpdesk_hours == "Mon-Fri 9-5"
    assert loaded.backend_read_timeout == 2.5
    assert loaded.log_level == "DEBUG"


def test_environment_wins_over_env_file(tmp_path, clean_env):
    env_file = tmp_path / ".env"
    env_file.write_text("BACKEND_URL=http://from-file\nACTIONS_API_KEY=file-key\nOUTBOX_ENCRYPTION_KEY=k\n")
    clean_env.setenv("PLR_ENV_FILE", str(env_file))
    clean_env.setenv("ACTIONS_API_KEY", "env-key")
    assert settings_module.load_settings().actions_api_key == "env-key"


def test_missing_or_placeholder_secret_fails_fast(tmp_path, clean_env):
    env_file = tmp_path / ".env"
    env_file.write_text("BACKEND_URL=http://x\nACTIONS_API_KEY=__secret__\n")
    clean_env.setenv("PLR_ENV_FILE", str(env_file))
    with pytest.raises(settings_module.SettingsError, match="ACTIONS_API_KEY"):
        settings_module.load_settings()


def test_bad_number_names_the_key(tmp_path, clean_env):
    env_file = tmp_path / ".env"
    env_file.write_text("BACKEND_URL=http://x\nACTIONS_API_KEY=k\nOUTBOX_ENCRYPTION_KEY=k\nBACKEND_READ_TIMEOUT=soon\n")
    clean_env.setenv("PLR_ENV_FILE", str(env_file))
    with pytest.raises(settings_module.SettingsError, match="BACKEND_READ_TIMEOUT"):
        settings_module.load_settings()


def _make_env(root: Path):
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "make_env.py"), str(root)],
                          capture_output=True, text=True, check=True)


def _parse(path: Path) -> dict:
    return read_env_file(path)


def test_setup_creates_env_with_fresh_secrets_and_keeps_it(tmp_path):
    template = (ROOT / ".env.example").read_text()
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / ".env.example").write_text(template)
        made = _make_env(tmp_path / folder)
        # The console's first admin: setup says where its generated password is, never the password.
        assert "STAFF_ADMIN_PASSWORD in .env" in made.stdout and "/staff/" in made.stdout, made.stdout
    first, second = _parse(tmp_path / "a" / ".env"), _parse(tmp_path / "b" / ".env")
    secret_keys = [k for k, v in _parse(ROOT / ".env.example").items() if v.startswith("__")]
    assert {"ACTIONS_API_KEY", "STAFF_API_KEY", "TWILIO_AUTH_TOKEN"} <= set(secret_keys)
    template_values = _parse(ROOT / ".env.example")
    for key in secret_keys:
        # A password is typed by a person, so it is shorter: 20 characters, about 120 bits.
        shortest = 20 if template_values[key] == "__password__" else 32
        assert not first[key].startswith("__") and len(first[key]) >= shortest, key
        assert first[key] != second[key], f"{key} must be random per checkout"
    assert second["STAFF_ADMIN_PASSWORD"] not in made.stdout  # made is the run for "b"
    assert first["RASA_PORT"] == "5005" and first["WEB_PORT"] == "8080"
    assert oct(os.stat(tmp_path / "a" / ".env").st_mode & 0o777) == "0o600"
    # A second run keeps existing secrets, and appends keys added to the template later.
    (tmp_path / "a" / ".env.example").write_text(template + "NEW_KEY=__secret__\n")
    _make_env(tmp_path / "a")
    again = _parse(tmp_path / "a" / ".env")
    assert again["ACTIONS_API_KEY"] == first["ACTIONS_API_KEY"]
    assert len(again["NEW_KEY"]) >= 32


def test_no_secret_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert ".env" not in tracked
    for key, value in _parse(ROOT / ".env.example").items():
        if "KEY" in key or "TOKEN" in key:
            assert value in ("__secret__", "__fernet__"), f"{key} in .env.example must be a placeholder"
