"""Account rules: sign-in, wrong passwords and the lock-out, roles, CSRF, cookie flags, idle
sign-out and sign-out, all on a fake clock."""
from __future__ import annotations

from fastapi.testclient import TestClient

from conftest import ADMIN, ADMIN_PASSWORD, csrf_of, post_form, sign_in

PAGES = ["/staff/", "/staff/requests", "/staff/requests/PLR-2345-6789", "/staff/try", "/staff/tests",
         "/staff/conversations", "/staff/accounts", "/staff/export.csv", "/staff/dead-letters",
         "/staff/conversations/x/case.yml", "/staff/reports/nlu.md", "/staff/tests/runs/1900000000-abcdef",
         "/staff/report-files/plots/bench-latency.png", "/staff/report-files/x.png", "/staff/conversations/x",
         "/staff/change-password"]


def test_nothing_is_reachable_without_signing_in(app, client):
    # A plot that is there, so a redirect cannot be mistaken for "no such file".
    plot = app.state.settings.reports_dir / "plots" / "bench-latency.png"
    plot.parent.mkdir(parents=True)
    plot.write_bytes(b"\x89PNG synthetic")
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 303, page
        assert response.headers["location"].startswith("/staff/sign-in"), page
    for action in ("/staff/try", "/staff/try/new", "/staff/tests/run", "/staff/accounts",
                   "/staff/requests/PLR-2345-6789/status", "/staff/change-password", "/staff/sign-out"):
        response = client.post(action, data={})
        assert response.status_code == 303 and "/staff/sign-in" in response.headers["location"], action


def test_sign_in_page_has_the_labelled_fields(client):
    page = client.get("/staff/sign-in")
    assert page.status_code == 200
    assert '<label class="govuk-label" for="username">Username</label>' in page.text
    assert '<label class="govuk-label" for="password">Password</label>' in page.text
    assert ">Sign in</button>" in page.text


def test_first_admin_comes_from_settings_and_signs_in(client):
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/staff/"
    home = client.get("/staff/")
    assert home.status_code == 200 and f"Signed in as <strong>{ADMIN}</strong> (admin)" in home.text


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    wrong = sign_in(client, ADMIN, "not the password at all")
    unknown = post_form(client, "/staff/sign-in", "/staff/sign-in",
                        {"username": "nobody.test", "password": "whatever123456"})
    assert wrong.status_code == unknown.status_code == 401
    for answer in (wrong, unknown):
        assert "The username or password is not right" in answer.text
    assert "plr_console_session" not in wrong.headers.get("set-cookie", "")


def test_five_wrong_passwords_lock_for_fifteen_minutes(client, clock):
    for _ in range(4):
        assert sign_in(client, ADMIN, "wrong password 000").status_code == 401
    fifth = sign_in(client, ADMIN, "wrong password 000")
    assert fifth.status_code == 403 and "locked" in fifth.text
    # Locked: even the right password is refused for the whole period.
    clock.advance(14 * 60)
    assert sign_in(client).status_code == 403
    clock.advance(61)
    assert sign_in(client).status_code == 303


def test_a_right_password_resets_the_count(client):
    for _ in range(4):
        sign_in(client, ADMIN, "wrong password 000")
    assert sign_in(client).status_code == 303
    for _ in range(4):
        assert sign_in(client, ADMIN, "wrong password 000").status_code == 401


def test_session_cookie_flags_over_http(client):
    response = sign_in(client)
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("plr_console_session="))
    lowered = session.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "path=/staff" in lowered
    assert "secure" not in lowered.replace("samesite", "")  # plain HTTP on loopback: no Secure


def test_session_cookie_is_secure_over_tls(app):
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as tls:
        response = sign_in(tls)
        session = next(c for c in response.headers.get_list("set-cookie") if c.startswith("plr_console_session="))
        assert "; secure" in session.lower()
        csrf = next(c for c in response.headers.get_list("set-cookie") if c.startswith("plr_console_csrf="))
        assert "; secure" in csrf.lower() and "samesite=strict" in csrf.lower()


def test_forms_without_the_csrf_token_are_refused(client):
    page = client.get("/staff/sign-in")
    refused = client.post("/staff/sign-in", data={"username": ADMIN, "password": ADMIN_PASSWORD})
    assert refused.status_code == 403 and "plr_console_session" not in refused.headers.get("set-cookie", "")
    wrong = client.post("/staff/sign-in", data={"username": ADMIN, "password": ADMIN_PASSWORD,
                                                "csrf_token": csrf_of(page) + "x"})
    assert wrong.status_code == 403
    sign_in(client)
    # Signed in, a form posted with another token (or none) changes nothing.
    assert client.post("/staff/accounts", data={"username": "x.test", "password": "p" * 14, "role": "viewer",
                                                "csrf_token": "forged"}).status_code == 403
    assert client.post("/staff/sign-out", data={}).status_code == 403
    assert client.get("/staff/").status_code == 200


def test_the_other_forms_need_the_csrf_token_too(app, client):
    """The chat, a new chat, a test run, a status change and a password change: refused without
    the page's token or with a forged one, before anything is sent or changed."""
    sign_in(client)
    new_password = "a new synthetic password 5678"
    forms = {"/staff/try": {"message": "hello", "conversation": ""}, "/staff/try/new": {},
             "/staff/tests/run": {"filter": ""},
             "/staff/requests/PLR-2345-6789/status": {"status": "completed", "note": "synthetic note"},
             "/staff/change-password": {"current-password": ADMIN_PASSWORD, "new-password": new_password,
                                        "confirm-password": new_password}}
    for action, data in forms.items():
        for token in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
            refused = client.post(action, data={**data, **token})
            assert refused.status_code == 403, (action, token)
            assert "This form has expired" in refused.text, (action, token)
    assert app.state.runner.recent() == []
    client.post("/staff/sign-out", data={"csrf_token": csrf_of(client.get("/staff/"))})
    assert sign_in(client).status_code == 303  # the old password still signs in
    assert sign_in(client, ADMIN, new_password).status_code == 401


def test_csrf_token_of_another_session_is_refused(app, client):
    sign_in(client)
    other = TestClient(app, follow_redirects=False)  # no `with`: the app is already running
    sign_in(other, "viewer.test")
    foreign = csrf_of(other.get("/staff/"))
    assert client.post("/staff/sign-out", data={"csrf_token": foreign}).status_code == 403


def test_idle_for_thirty_minutes_signs_out(client, clock):
    sign_in(client)
    clock.advance(29 * 60)
    assert client.get("/staff/").status_code == 200  # activity resets the idle time
    clock.advance(29 * 60)
    assert client.get("/staff/").status_code == 200
    clock.advance(30 * 60 + 1)
    response = client.get("/staff/")
    assert response.status_code == 303 and response.headers["location"] == "/staff/sign-in?reason=idle"
    assert "30 minutes" in client.get(response.headers["location"]).text
    assert client.get("/staff/").status_code == 303  # the session is gone, not only refused once


def test_sign_out_ends_the_session_on_the_server(client):
    sign_in(client)
    session = client.cookies.get("plr_console_session")
    response = post_form(client, "/staff/", "/staff/sign-out", {})
    assert response.status_code == 303 and response.headers["location"] == "/staff/sign-in?reason=signed-out"
    client.cookies.set("plr_console_session", session, path="/staff")  # an old copy of the cookie
    assert client.get("/staff/").status_code == 303


def test_roles(client):
    sign_in(client, "viewer.test")
    assert client.get("/staff/accounts").status_code == 403
    assert client.get("/staff/export.csv").status_code == 403
    assert client.get("/staff/conversations/a-learners-conversation").status_code == 403
    assert post_form(client, "/staff/", "/staff/tests/run", {}).status_code == 403
    assert post_form(client, "/staff/", "/staff/requests/PLR-2345-6789/status",
                     {"status": "completed"}).status_code == 403
    post_form(client, "/staff/", "/staff/sign-out", {})
    sign_in(client, "case.test")
    assert client.get("/staff/accounts").status_code == 403
    assert client.get("/staff/export.csv").status_code == 403
    nav = client.get("/staff/").text
    assert "Conversations" in nav and "Accounts" not in nav


def test_admin_adds_an_account_and_unlocks_one(client, app):
    sign_in(client)
    response = post_form(client, "/staff/accounts", "/staff/accounts",
                         {"username": "new.test", "password": "a new password 42", "role": "caseworker"})
    assert response.status_code == 303
    assert app.state.accounts.get("new.test").role == "caseworker"
    short = post_form(client, "/staff/accounts", "/staff/accounts",
                      {"username": "short.test", "password": "short", "role": "viewer"})
    assert short.status_code == 400 and "at least 12 characters" in short.text
    other = TestClient(app, follow_redirects=False)
    for _ in range(5):
        sign_in(other, "viewer.test", "wrong password 000")
    assert sign_in(other, "viewer.test").status_code == 403
    post_form(client, "/staff/accounts", "/staff/accounts/viewer.test/unlock", {})
    assert sign_in(other, "viewer.test").status_code == 303


def test_security_headers(client):
    page = client.get("/staff/sign-in")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"


def test_a_viewer_reads_only_their_own_tries(client):
    sign_in(client, "viewer.test")
    # Someone else's conversation id is ignored (no call to Rasa is made for it) ...
    page = client.get("/staff/try", params={"c": "a-learners-conversation"})
    assert page.status_code == 200 and "a-learners-conversation" not in page.text
    # ... and cannot be downloaded as a test case by a viewer.
    assert client.get("/staff/conversations/a-learners-conversation/case.yml").status_code == 403
