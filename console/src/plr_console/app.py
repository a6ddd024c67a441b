"""The console's FastAPI app: every page under /staff/ (the web page's server proxies that
prefix here), nothing but the sign-in page and static files reachable without a session."""
from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi_csrf_protect import CsrfProtect
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import routes_accounts, routes_assistant, routes_auth, routes_queue, routes_tests, static
from .accounts import Accounts
from .audit import Audit
from .backend import Backend
from .rasa import Rasa
from .sessions import Sessions
from .settings import Settings
from .store import Store
from .testruns import Runner
from .web import PREFIX, CsrfRefused, MustChangePassword, NotAllowed, NotSignedIn, redirect, render

SECURITY_HEADERS = {
    # Server-rendered pages with no script of their own and nothing from elsewhere.
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                                "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@CsrfProtect.load_config
def _csrf_config():
    # The secret is passed on each call (Settings.secret); these are the form and cookie names.
    return [("token_location", "body"), ("token_key", "csrf_token"), ("cookie_key", "plr_console_csrf"),
            ("cookie_samesite", "strict"), ("max_age", 12 * 3600)]


def create_app(settings: Settings, clock: Callable[[], float] = time.time,
               backend_transport: httpx.AsyncBaseTransport | None = None,
               rasa_transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    store = Store(settings.database)
    accounts = Accounts(store, clock, settings.max_failures, settings.lock_minutes * 60)
    accounts.ensure_admin(settings.admin_user, settings.admin_password)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # The clients are made here, so each run of the app (and each test client) has open ones.
        app.state.backend = Backend(settings.backend_url, settings.staff_api_key, transport=backend_transport)
        app.state.rasa = Rasa(settings.rasa_url, settings.rasa_api_token, transport=rasa_transport)
        try:
            yield
        finally:
            await app.state.backend.close()
            await app.state.rasa.close()

    app = FastAPI(title="PLR staff console", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.clock = clock
    app.state.store = store
    app.state.accounts = accounts
    app.state.sessions = Sessions(store, clock, settings.idle_minutes * 60)
    app.state.audit = Audit(store, clock)
    app.state.csrf = CsrfProtect()
    app.state.runner = Runner(settings)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            if key == "Cache-Control" and request.url.path.startswith(PREFIX + "/static/"):
                continue
            response.headers.setdefault(key, value)
        return response

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn):
        target = PREFIX + "/sign-in" + (f"?reason={exc.reason}" if exc.reason else "")
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(MustChangePassword)
    async def must_change_password(request: Request, exc: MustChangePassword):
        return redirect("/change-password")

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: NotAllowed):
        return render(request, "message.html", status_code=403, title="You cannot see this page",
                      message="Your role does not allow this. Ask an admin if you need it.")

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused):
        return render(request, "message.html", status_code=403, title="This form has expired",
                      message="Go back, reload the page and try again.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return HTMLResponse("<!DOCTYPE html><html lang=\"en\"><title>Page not found</title>"
                                "<p>Page not found</p></html>", status_code=404)
        return Response(status_code=exc.status_code)

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"status": "ok"}

    for module in (static, routes_auth, routes_queue, routes_assistant, routes_tests, routes_accounts):
        app.include_router(module.router, prefix=PREFIX)
    return app


def templates_dir() -> Path:
    return Path(__file__).parent / "templates"
