"""Fixtures: the console app on a fake clock with its own temporary database, and helpers to
sign in and to post forms with the page's CSRF token."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from plr_console.app import create_app
from plr_console.settings import Settings

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]  # testkit (for the real backend) comes via pythonpath in pyproject.toml

ADMIN, ADMIN_PASSWORD = "admin.test", "a synthetic admin password"
PASSWORDS = {"viewer.test": "viewer password 1234", "case.test": "caseworker password 1234"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_settings(tmp_path: Path, **overrides) -> Settings:
    values = dict(staff_api_key="x" * 32, rasa_api_token="y" * 32, secret="console-test-secret-0123456789",
                  database=tmp_path / "console.db", admin_user=ADMIN, admin_password=ADMIN_PASSWORD,
                  backend_url="http://127.0.0.1:9", rasa_url="http://127.0.0.1:9", runs_dir=tmp_path / "runs",
                  reports_dir=tmp_path / "reports")
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(tmp_path, clock):
    application = create_app(make_settings(tmp_path), clock=clock)
    application.state.accounts.add("viewer.test", PASSWORDS["viewer.test"], "viewer")
    application.state.accounts.add("case.test", PASSWORDS["case.test"], "caseworker")
    return application


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(response) -> str:
    found = CSRF_FIELD.search(response.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def post_form(client, page: str, action: str, data: dict):
    """Open `page` (for its CSRF token and cookie) and post `data` to `action`, as a browser does."""
    token = csrf_of(client.get(page))
    return client.post(action, data={**data, "csrf_token": token})


def sign_in(client, username: str = ADMIN, password: str | None = None):
    password = password if password is not None else (ADMIN_PASSWORD if username == ADMIN else PASSWORDS[username])
    return post_form(client, "/staff/sign-in", "/staff/sign-in", {"username": username, "password": password})
