"""401 without a valid key; 403 when a valid key uses the other role's route."""

from __future__ import annotations

import pytest

from support import new_key, person, submit

ROUTES = [
    ("POST", "/v1/requests"),
    ("GET", "/v1/requests"),
    ("GET", "/v1/requests/PLR-2345-6789"),
    ("POST", "/v1/requests/PLR-2345-6789/status-check"),
    ("POST", "/v1/undeliverable"),
    ("GET", "/v1/undeliverable"),
    ("GET", "/v1/reports/retention"),
    ("POST", "/v1/requests/PLR-2345-6789/status"),
    ("GET", "/v1/anything-else"),
]


@pytest.mark.parametrize("method,path", ROUTES)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer wrong-key-0123456789", "Basic dXNlcjpwYXNz", "bearer", "Token {actions}", "{actions}"],
)
def test_without_a_valid_key_every_v1_route_is_401(backend, method, path, authorization):
    headers = {"Idempotency-Key": new_key()}
    if authorization is not None:
        headers["Authorization"] = authorization.format(actions=backend.keys.actions)
    with backend.client() as client:
        response = client.request(method, path, headers=headers, json=person())
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"]


def test_lowercase_scheme_and_extra_space_are_accepted(backend):
    with backend.client() as client:
        response = client.get("/v1/requests", headers={"Authorization": f"bearer  {backend.keys.staff}"})
    assert response.status_code == 200


def test_actions_key_cannot_use_staff_routes(backend, actions):
    reference = submit(actions, person()).json()["reference"]
    assert actions.get("/v1/requests").status_code == 403
    changed = actions.post(f"/v1/requests/{reference}/status", json={"status": "completed"})
    assert changed.status_code == 403
    assert changed.json()["detail"]


def test_staff_key_cannot_submit(staff):
    response = submit(staff, person())
    assert response.status_code == 403


def test_actions_key_cannot_read_dead_letters_or_reports(actions, staff):
    assert actions.get("/v1/undeliverable").status_code == 403
    assert actions.get("/v1/reports/retention").status_code == 403
    forwarded = {"idempotency_key": new_key(), "http_status": 422, "request": {"type": "opt_out"}}
    assert staff.post("/v1/undeliverable", json=forwarded).status_code == 403
    assert (
        staff.post("/v1/requests/PLR-2345-6789/status-check", json={"date_of_birth": "2001-03-12"}).status_code == 403
    )


def test_openapi_is_off_unless_enabled(fresh_backend_factory):
    server = fresh_backend_factory(extra_env={"BACKEND_OPENAPI": ""})
    with server.client() as client:
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/docs").status_code == 404


def test_health_and_openapi_need_no_key(backend):
    with backend.client() as client:
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
        spec = client.get("/openapi.json").json()
    assert "/v1/requests" in spec["paths"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
