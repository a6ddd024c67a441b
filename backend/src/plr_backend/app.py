"""The HTTP API (FastAPI). Routes only translate between HTTP and `RequestStore`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from .crypto import Vault
from .db import Database
from .middleware import ROLE_KEY, AccessLog, Authenticate, BodyLimit, CatchAll
from .references import normalise_reference
from .retention import run_periodically
from .schemas import (
    Health,
    Language,
    Locked,
    Problem,
    RequestDetail,
    RequestIn,
    RequestPage,
    RequestType,
    RetentionSummary,
    Status,
    StatusChange,
    StatusCheckIn,
    StatusView,
    Submitted,
    UndeliverableAccepted,
    UndeliverableIn,
    UndeliverablePage,
    ValidationProblem,
)
from .settings import Settings
from .store import LOCK_DURATION, Conflict, InvalidCursor, NotFound, RequestStore

log = logging.getLogger("plr_backend.api")
bearer = HTTPBearer(auto_error=False, description="ACTIONS_API_KEY or STAFF_API_KEY")
NOT_FOUND = "no request with this reference (and date of birth)"
LOCKED = (
    "this reference cannot be checked for now: too many tries with a date of birth that did not match. "
    f"Try again in {int(LOCK_DURATION.total_seconds() // 60)} minutes."
)
USE_POST = "the actions key checks a status with POST /v1/requests/{reference}/status-check (date of birth in the body)"

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "missing or unknown API key"},
    403: {"model": Problem, "description": "this key may not use this route"},
    413: {"model": Problem, "description": "body larger than 16 KB"},
    422: {"model": ValidationProblem, "description": "a field is missing or invalid; `field` names it"},
    503: {"model": Problem, "description": "database unavailable; retry"},
}


class Forbidden(HTTPException):
    def __init__(self) -> None:
        super().__init__(403, "this API key may not use this route")


def field_error(location: str, name: str, code: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": (location, name), "type": code, "msg": message}])


# The dependencies are `async def` on purpose: they only read the scope, and a sync dependency
# would cost a hop to the thread pool (and back) on every request.
async def role(request: Request, _credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
    # Authenticate (middleware) has already refused unknown keys; this only reads its verdict.
    return request.scope[ROLE_KEY]


async def actions_only(who: Annotated[str, Depends(role)]) -> str:
    if who != "actions":
        raise Forbidden()
    return who


async def staff_only(who: Annotated[str, Depends(role)]) -> str:
    if who != "staff":
        raise Forbidden()
    return who


def _field_name(loc: tuple) -> str:
    names = [str(part) for part in loc if part not in ("body", "query", "header", "path")]
    return names[0] if names else (str(loc[0]) if loc else "body")


async def validation_problem(_request: Request, exc: RequestValidationError) -> JSONResponse:
    # FastAPI's default echoes the rejected input (`input`, `ctx`): personal data stays out of answers.
    details = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        details.append(
            {
                "loc": list(loc),
                "field": _field_name(loc),
                "type": error.get("type", "invalid"),
                "msg": error.get("msg", ""),
            }
        )
    return JSONResponse({"detail": details}, status_code=422)


def create_app(settings: Settings, database: Database | None = None) -> FastAPI:
    db = database or Database(settings.database_url)
    store = RequestStore(db, Vault(settings.fernet(), settings.hash_key))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Retention runs inside the service: nothing depends on someone scheduling the command.
        sweeper = asyncio.create_task(
            run_periodically(
                store, settings.retention_days, settings.open_request_max_days, settings.retention_sweep_seconds
            )
        )
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            db.dispose()

    app = FastAPI(
        title="PLR requests backend",
        version="1.0.0",
        description="Stores learners' opt-out / opt-in requests for LRS helpdesk staff.",
        docs_url=None,
        redoc_url=None,
        # The document lists every route and field; served only when BACKEND_OPENAPI asks for it.
        openapi_url="/openapi.json" if settings.openapi_enabled else None,
        lifespan=lifespan,
    )
    app.state.store = store
    # Starlette types every handler as taking any Exception; this one is only given RequestValidationError.
    app.add_exception_handler(RequestValidationError, validation_problem)  # type: ignore[arg-type]
    # Added innermost first: the last one wraps all the others.
    app.add_middleware(BodyLimit)
    app.add_middleware(Authenticate, actions_key=settings.actions_api_key, staff_key=settings.staff_api_key)
    app.add_middleware(CatchAll)
    app.add_middleware(AccessLog)

    @app.get("/healthz", response_model=Health, responses={503: {"model": Health}}, tags=["ops"])
    def healthz() -> JSONResponse:
        try:
            db.ping()
        except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", never a 500
            log.warning("database check failed", extra={"event": "health", "error": type(exc).__name__})
            return JSONResponse({"status": "unavailable", "database": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.post(
        "/v1/requests",
        status_code=201,
        response_model=Submitted,
        responses={
            200: {"model": Submitted, "description": "replay: this Idempotency-Key was already used with this body"},
            409: {"model": Problem, "description": "this Idempotency-Key was already used with a different body"},
            **AUTH_RESPONSES,
        },
        tags=["actions"],
    )
    def submit_request(
        body: RequestIn,
        idempotency_key: Annotated[
            str, Header(alias="Idempotency-Key", min_length=1, max_length=128, pattern=r"^[!-~]+$")
        ],
        _who: Annotated[str, Depends(actions_only)],
    ) -> JSONResponse:
        result = store.submit(body, idempotency_key)
        if result.outcome == "conflict":
            log.info("idempotency conflict", extra={"event": "request.conflict"})
            return JSONResponse(
                {"detail": "this Idempotency-Key was already used with a different request body"}, status_code=409
            )
        payload = Submitted(reference=result.reference, status="received", created_at=result.created_at)
        replay = result.outcome == "replayed"
        log.info(
            "request replayed" if replay else "request stored",
            extra={
                "event": f"request.{result.outcome}",
                "reference": result.reference,
                "type": body.type,
                "channel": body.channel,
                "language": body.language,
            },
        )
        return JSONResponse(payload.model_dump(mode="json"), status_code=200 if replay else 201)

    @app.get(
        "/v1/requests",
        response_model=RequestPage,
        responses=AUTH_RESPONSES,
        tags=["staff"],
    )
    def list_requests(
        _who: Annotated[str, Depends(staff_only)],
        status: Status | None = None,
        type: RequestType | None = None,  # noqa: A002 - the query parameter is called `type`
        language: Language | None = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=64)] = None,
    ) -> RequestPage:
        try:
            items, next_cursor = store.list(status=status, type_=type, language=language, limit=limit, cursor=cursor)
        except InvalidCursor as exc:
            raise field_error("query", "cursor", "cursor_invalid", str(exc)) from None
        return RequestPage(items=items, next_cursor=next_cursor)

    @app.post(
        "/v1/requests/{reference}/status-check",
        response_model=StatusView,
        responses={
            404: {"model": Problem, "description": NOT_FOUND},
            423: {"model": Locked, "description": "too many wrong dates of birth for this reference; try later"},
            **AUTH_RESPONSES,
        },
        tags=["actions"],
        description=(
            "The status of a request, only when the date of birth matches; a wrong date of birth gets the "
            "same 404 as an unknown reference. Five wrong dates of birth for a reference lock it for 15 "
            "minutes (423), the right date included."
        ),
    )
    def check_status(
        reference: str,
        body: StatusCheckIn,
        _who: Annotated[str, Depends(actions_only)],
    ) -> JSONResponse:
        if not _real_date(body.date_of_birth):
            raise field_error("body", "date_of_birth", "date_unreadable", "dates are written YYYY-MM-DD")
        normalised = normalise_reference(reference)
        if normalised is None:
            log.info("status not found", extra={"event": "request.status_checked", "outcome": "not_found"})
            raise HTTPException(404, NOT_FOUND)
        result = store.status_for_learner(normalised, body.date_of_birth)
        if result.outcome == "locked":
            log.info(
                "status check refused: locked",
                extra={"event": "request.status_checked", "outcome": "locked", "reference": normalised},
            )
            return JSONResponse(
                {"detail": LOCKED, "retry_after_seconds": result.retry_after},
                status_code=423,
                headers={"Retry-After": str(result.retry_after)},
            )
        if result.outcome == "not_found":
            log.info("status not found", extra={"event": "request.status_checked", "outcome": "not_found"})
            if result.lock_started:
                log.warning(
                    "status checks locked for a reference",
                    extra={"event": "request.status_locked", "reference": normalised},
                )
            raise HTTPException(404, NOT_FOUND)
        assert result.view is not None
        log.info(
            "status checked",
            extra={"event": "request.status_checked", "outcome": "found", "reference": result.view.reference},
        )
        return JSONResponse(result.view.model_dump(mode="json"))

    @app.get(
        "/v1/requests/{reference}",
        response_model=RequestDetail,
        responses={404: {"model": Problem, "description": NOT_FOUND}, **AUTH_RESPONSES},
        tags=["staff"],
        description="The whole record with its audit history. The actions key uses POST .../status-check.",
    )
    def show_request(reference: str, who: Annotated[str, Depends(role)]) -> JSONResponse:
        if who != "staff":
            # No date of birth in a URL: a client still sending one is told where to go instead.
            raise HTTPException(403, USE_POST)
        normalised = normalise_reference(reference)
        if normalised is None:
            raise HTTPException(404, NOT_FOUND)
        try:
            detail = store.get(normalised)
        except NotFound:
            raise HTTPException(404, NOT_FOUND) from None
        return JSONResponse(detail.model_dump(mode="json"))

    @app.post(
        "/v1/requests/{reference}/status",
        response_model=RequestDetail,
        responses={
            404: {"model": Problem, "description": NOT_FOUND},
            409: {"model": Problem, "description": "this status change is not allowed from the current status"},
            **AUTH_RESPONSES,
        },
        tags=["staff"],
    )
    def change_status(
        reference: str,
        change: StatusChange,
        _who: Annotated[str, Depends(staff_only)],
        staff_user: Annotated[
            str | None,
            Header(
                alias="X-Staff-User",
                max_length=64,
                pattern=r"^[A-Za-z0-9._@-]+$",
                description="who is making the change, for the audit trail",
            ),
        ] = None,
    ) -> JSONResponse:
        normalised = normalise_reference(reference)
        if normalised is None:
            raise HTTPException(404, NOT_FOUND)
        try:
            detail = store.change_status(normalised, change.status, change.note, actor=f"staff:{staff_user or 'api'}")
        except NotFound:
            raise HTTPException(404, NOT_FOUND) from None
        except Conflict as exc:
            return JSONResponse({"detail": str(exc)}, status_code=409)
        log.info(
            "status changed",
            extra={"event": "request.status_changed", "reference": normalised, "to_status": change.status},
        )
        return JSONResponse(detail.model_dump(mode="json"))

    @app.post(
        "/v1/undeliverable",
        status_code=201,
        response_model=UndeliverableAccepted,
        responses={
            200: {"model": UndeliverableAccepted, "description": "replay: this dead letter was already recorded"},
            **AUTH_RESPONSES,
        },
        tags=["actions"],
        description=(
            "An action server's outbox forwards a request the backend refused (422 or 409) after the learner "
            "was told it was saved, so that staff can see it and contact the learner."
        ),
    )
    def forward_undeliverable(body: UndeliverableIn, _who: Annotated[str, Depends(actions_only)]) -> JSONResponse:
        request = {k: v for k, v in body.request.model_dump().items() if v is not None}
        outcome = store.record_undeliverable(body.idempotency_key, body.http_status, body.field, request)
        log.warning(
            "undeliverable request recorded" if outcome == "created" else "undeliverable request replayed",
            extra={"event": f"undeliverable.{outcome}", "status": body.http_status},
        )
        return JSONResponse({"outcome": outcome}, status_code=201 if outcome == "created" else 200)

    @app.get("/v1/undeliverable", response_model=UndeliverablePage, responses=AUTH_RESPONSES, tags=["staff"])
    def list_undeliverable(
        _who: Annotated[str, Depends(staff_only)],
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=64)] = None,
    ) -> UndeliverablePage:
        try:
            items, next_cursor = store.list_undeliverable(limit=limit, cursor=cursor)
        except InvalidCursor as exc:
            raise field_error("query", "cursor", "cursor_invalid", str(exc)) from None
        return UndeliverablePage(items=items, next_cursor=next_cursor)

    @app.get("/v1/reports/retention", response_model=RetentionSummary, responses=AUTH_RESPONSES, tags=["staff"])
    def retention_summary(_who: Annotated[str, Depends(staff_only)]) -> RetentionSummary:
        report = store.retention_report(settings.retention_days, settings.open_request_max_days)
        return RetentionSummary(
            retention_days=settings.retention_days,
            open_request_max_days=settings.open_request_max_days,
            closed_due_for_deletion=report.closed_due,
            open_overdue=report.open_overdue,
            oldest_open_created_at=report.oldest_open_created_at,
            undeliverable_requests=report.dead_letters,
        )

    return app


def _real_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
