"""Admins' account pages: roles, one-time passwords, unlock, disable and enable; who may use them,
CSRF on each form, self-protection, and the audit of each change (with no password in it)."""
from __future__ import annotations

import re
import sqlite3

import pytest
from fastapi.testclient import TestClient

from conftest import ADMIN, ADMIN_PASSWORD, PASSWORDS, csrf_of, post_form, sign_in
from plr_console.accounts import AccountError, Accounts
from plr_console.store import Store

ACTIONS = ("role", "reset-password", "unlock", "disable", "enable")
OTP = re.compile(r'id="one-time-password">([a-z2-9-]+)<')


def other_client(app) -> TestClient:
    return TestClient(app, follow_redirects=False)  # no `with`: the app is already running


def audit_rows(app) -> list[dict]:
    with app.state.store.tx() as db:
        return [dict(r) for r in db.execute("SELECT * FROM audit ORDER BY id")]


def act(client, username: str, action: str, **data):
    return post_form(client, f"/staff/accounts/{username}", f"/staff/accounts/{username}/{action}", data)


def test_account_pages_need_sign_in(client):
    assert client.get("/staff/accounts/viewer.test").headers["location"].startswith("/staff/sign-in")
    for action in ACTIONS:
        response = client.post(f"/staff/accounts/viewer.test/{action}", data={"role": "admin"})
        assert response.status_code == 303 and "/staff/sign-in" in response.headers["location"], action


@pytest.mark.parametrize("who", ["viewer.test", "case.test"])
def test_only_admins_reach_the_account_pages(client, app, who):
    sign_in(client, who)
    assert client.get("/staff/accounts/viewer.test").status_code == 403
    for action in ACTIONS:
        # A token of their own session: refused for the role, not for the form.
        response = post_form(client, "/staff/", f"/staff/accounts/viewer.test/{action}", {"role": "admin"})
        assert response.status_code == 403 and "Your role does not allow this" in response.text, action
    assert app.state.accounts.get(who).role != "admin"
    assert client.get("/staff/change-password").status_code == 200  # their own password, though


def test_every_account_form_needs_the_csrf_token(client, app):
    sign_in(client)
    client.get("/staff/accounts/viewer.test")
    for action in ACTIONS:
        for data in ({"role": "admin"}, {"role": "admin", "csrf_token": "forged"}):
            response = client.post(f"/staff/accounts/viewer.test/{action}", data=data)
            assert response.status_code == 403 and "This form has expired" in response.text, action
    assert app.state.accounts.get("viewer.test").role == "viewer"
    assert sign_in(other_client(app), "viewer.test").status_code == 303  # password and access unchanged
    assert not [r for r in audit_rows(app) if r["account"] == "viewer.test"]


def test_the_list_shows_role_status_and_last_sign_in(client, app, clock):
    sign_in(other_client(app), "case.test")
    for _ in range(5):
        sign_in(other_client(app), "viewer.test", "wrong password 000")
    sign_in(client)
    page = client.get("/staff/accounts")
    assert page.status_code == 200
    row = re.compile(r'<tr class="govuk-table__row"><td class="govuk-table__cell">'
                     r'<a class="govuk-link" href="/staff/accounts/([^"]+)">.*?</tr>', re.S)
    rows = {m.group(1): m.group(0) for m in row.finditer(page.text)}
    assert set(rows) == {ADMIN, "case.test", "viewer.test"}
    assert "caseworker" in rows["case.test"] and "Active" in rows["case.test"] and "2030-03-17" in rows["case.test"]
    assert "Locked" in rows["viewer.test"] and "Never" in rows["viewer.test"]
    assert "(you)" in rows[ADMIN]


def test_admin_changes_a_role_which_applies_at_once(client, app):
    viewer = other_client(app)
    sign_in(viewer, "viewer.test")
    assert viewer.get("/staff/export.csv").status_code == 403
    sign_in(client)
    response = act(client, "viewer.test", "role", role="admin")
    assert response.status_code == 303 and response.headers["location"] == "/staff/accounts/viewer.test?done=role"
    assert "The role was changed." in client.get(response.headers["location"]).text
    assert app.state.accounts.get("viewer.test").role == "admin"
    assert viewer.get("/staff/accounts").status_code == 200  # the open session has the new role
    act(client, "viewer.test", "role", role="viewer")
    assert viewer.get("/staff/accounts").status_code == 403
    assert act(client, "viewer.test", "role", role="superuser").status_code == 400
    changes = [r for r in audit_rows(app) if r["account"] == "viewer.test"]
    assert [(r["username"], r["action"]) for r in changes] == [
        (ADMIN, "changed the role from viewer to admin"), (ADMIN, "changed the role from admin to viewer")]
    assert all(r["at"] for r in changes)


def test_an_admin_cannot_demote_or_disable_themselves(client, app):
    sign_in(client)
    own = client.get(f"/staff/accounts/{ADMIN}")
    assert "This is your own account" in own.text
    assert "Disable account" not in own.text and "Change role" not in own.text and "Reset password" not in own.text
    for role in ("caseworker", "viewer"):
        refused = act(client, ADMIN, "role", role=role)
        assert refused.status_code == 400 and "You cannot remove your own admin role" in refused.text
    refused = act(client, ADMIN, "disable")
    assert refused.status_code == 400 and "You cannot disable your own account" in refused.text
    refused = act(client, ADMIN, "reset-password")
    assert refused.status_code == 400 and "Change your password" in refused.text
    assert app.state.accounts.get(ADMIN).role == "admin"
    assert client.get("/staff/accounts").status_code == 200  # still signed in, still an admin
    assert not [r for r in audit_rows(app) if r["account"] == ADMIN]


def test_another_admin_can_demote_an_admin(client, app):
    app.state.accounts.add("second.admin", "second admin password", "admin")
    sign_in(client)
    assert act(client, "second.admin", "role", role="caseworker").status_code == 303
    assert app.state.accounts.get("second.admin").role == "caseworker"


def test_the_console_always_keeps_an_admin(tmp_path, clock):
    # Below the pages, too: no change may leave no admin who can sign in.
    accounts = Accounts(Store(tmp_path / "c.db"), clock)
    accounts.add("only.admin", "only admin password", "admin")
    accounts.add("case.worker", "case worker password", "caseworker")
    with pytest.raises(AccountError, match="at least one admin"):
        accounts.set_role("case.worker", "only.admin", "viewer")
    with pytest.raises(AccountError, match="at least one admin"):
        accounts.set_disabled("case.worker", "only.admin", True)
    assert accounts.get("only.admin").role == "admin"
    assert accounts.sign_in("only.admin", "only admin password").outcome == "ok"


def test_password_reset_forces_a_new_password(client, app):
    victim = other_client(app)
    sign_in(victim, "case.test")
    sign_in(client)
    reset = act(client, "case.test", "reset-password")
    assert reset.status_code == 200
    one_time = OTP.search(reset.text).group(1)
    assert len(one_time) >= 12 and "shown only this once" in reset.text
    assert one_time not in client.get("/staff/accounts/case.test").text  # shown once only
    assert victim.get("/staff/").status_code == 303  # signed out everywhere
    # The old password no longer works; the one-time one opens only the change-password page.
    assert sign_in(victim, "case.test").status_code == 401
    signed = sign_in(victim, "case.test", one_time)
    assert signed.status_code == 303 and signed.headers["location"] == "/staff/change-password"
    for page in ("/staff/", "/staff/requests", "/staff/try", "/staff/conversations"):
        response = victim.get(page)
        assert response.status_code == 303 and response.headers["location"] == "/staff/change-password", page
    assert post_form(victim, "/staff/change-password", "/staff/tests/run", {}).headers["location"] == \
        "/staff/change-password"
    form = victim.get("/staff/change-password")
    assert "Choose a new password" in form.text and "Requests</a>" not in form.text  # no menu yet
    short = post_form(victim, "/staff/change-password", "/staff/change-password",
                      {"current-password": one_time, "new-password": "short", "confirm-password": "short"})
    assert short.status_code == 400 and "at least 12 characters" in short.text
    same = post_form(victim, "/staff/change-password", "/staff/change-password",
                     {"current-password": one_time, "new-password": one_time, "confirm-password": one_time})
    assert same.status_code == 400 and "must differ" in same.text
    differ = post_form(victim, "/staff/change-password", "/staff/change-password",
                       {"current-password": one_time, "new-password": "a new own password",
                        "confirm-password": "another own password"})
    assert differ.status_code == 400 and "The two new passwords differ" in differ.text
    done = post_form(victim, "/staff/change-password", "/staff/change-password",
                     {"current-password": one_time, "new-password": "my own new password",
                      "confirm-password": "my own new password"})
    assert done.status_code == 303
    assert victim.get("/staff/").status_code == 200  # the same session carries on
    assert sign_in(other_client(app), "case.test", one_time).status_code == 401
    assert sign_in(other_client(app), "case.test", "my own new password").headers["location"] == "/staff/"
    rows = audit_rows(app)
    assert (ADMIN, "reset the password (one-time password issued)", "case.test") in \
        [(r["username"], r["action"], r["account"]) for r in rows]
    assert ("case.test", "changed their password", "case.test") in \
        [(r["username"], r["action"], r["account"]) for r in rows]
    everything = repr(rows)
    for secret in (one_time, "my own new password", PASSWORDS["case.test"], ADMIN_PASSWORD):
        assert secret not in everything


def test_a_reset_unlocks_a_locked_account(client, app):
    for _ in range(5):
        sign_in(other_client(app), "viewer.test", "wrong password 000")
    sign_in(client)
    one_time = OTP.search(act(client, "viewer.test", "reset-password").text).group(1)
    assert sign_in(other_client(app), "viewer.test", one_time).status_code == 303


def test_changing_ones_own_password_needs_the_current_one(client, app):
    sign_in(client, "viewer.test")
    assert "Change your password" in client.get("/staff/").text
    for _ in range(4):
        wrong = post_form(client, "/staff/change-password", "/staff/change-password",
                          {"current-password": "not my password", "new-password": "a new own password",
                           "confirm-password": "a new own password"})
        assert wrong.status_code == 400 and "Your current password is not right" in wrong.text
    # Wrong current passwords count as wrong sign-ins: a session left open cannot be used to guess.
    fifth = post_form(client, "/staff/change-password", "/staff/change-password",
                      {"current-password": "not my password", "new-password": "a new own password",
                       "confirm-password": "a new own password"})
    assert fifth.status_code == 303 and fifth.headers["location"] == "/staff/sign-in?reason=locked"
    assert client.get("/staff/").status_code == 303
    assert sign_in(other_client(app), "viewer.test").status_code == 403


def test_admin_unlocks_a_locked_account(client, app):
    locked = other_client(app)
    for _ in range(5):
        sign_in(locked, "case.test", "wrong password 000")
    assert sign_in(locked, "case.test").status_code == 403
    sign_in(client)
    page = client.get("/staff/accounts/case.test")
    assert "Locked" in page.text and "Unlock account" in page.text
    response = act(client, "case.test", "unlock")
    assert response.headers["location"] == "/staff/accounts/case.test?done=unlocked"
    assert "Unlock account" not in client.get("/staff/accounts/case.test").text
    assert sign_in(locked, "case.test").status_code == 303
    assert (ADMIN, "unlocked the account", "case.test") in \
        [(r["username"], r["action"], r["account"]) for r in audit_rows(app)]


def test_admin_disables_and_enables_an_account(client, app):
    worker = other_client(app)
    sign_in(worker, "case.test")
    assert worker.get("/staff/").status_code == 200
    sign_in(client)
    assert act(client, "case.test", "disable").headers["location"] == "/staff/accounts/case.test?done=disabled"
    assert worker.get("/staff/").status_code == 303  # signed out at once
    refused = sign_in(worker, "case.test")
    assert refused.status_code == 403 and "This account is disabled" in refused.text
    # A wrong password gets the usual answer: being disabled is told only to who knows the password.
    assert "disabled" not in sign_in(worker, "case.test", "wrong password 000").text
    assert "Disabled" in client.get("/staff/accounts").text
    assert act(client, "case.test", "enable").headers["location"] == "/staff/accounts/case.test?done=enabled"
    assert sign_in(worker, "case.test").status_code == 303
    history = client.get("/staff/accounts/case.test").text
    assert "disabled the account" in history and "enabled the account" in history
    assert "sign-in refused: disabled" in history


def test_unknown_or_malformed_accounts_are_not_found(client):
    sign_in(client)
    assert client.get("/staff/accounts/nobody.test").status_code == 404
    assert act(client, "viewer.test", "role", role="viewer").status_code == 303
    token = csrf_of(client.get("/staff/accounts"))
    for action in ACTIONS:
        assert client.post(f"/staff/accounts/nobody.test/{action}",
                           data={"role": "viewer", "csrf_token": token}).status_code == 404, action
    assert client.get("/staff/accounts/bad%20name").status_code == 404


def test_an_older_database_gains_the_new_columns(tmp_path, clock):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.executescript("""
            CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
                                failed_count INTEGER NOT NULL DEFAULT 0, locked_until REAL NOT NULL DEFAULT 0,
                                created_at REAL NOT NULL);
            CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, username TEXT NOT NULL,
                                action TEXT NOT NULL, reference TEXT);
        """)
    accounts = Accounts(Store(path), clock)
    accounts.add("kept.admin", "kept admin password", "admin")
    assert accounts.describe("kept.admin")["disabled"] is False
    assert accounts.sign_in("kept.admin", "kept admin password").outcome == "ok"
