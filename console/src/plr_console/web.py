"""What every page shares: who is signed in (server-side session), the CSRF double-submit token
(fastapi-csrf-protect), cookie flags, and rendering a template with both."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from fastapi_csrf_protect import CsrfProtect
from fastapi_csrf_protect.exceptions import CsrfProtectError

from .accounts import RANK, User
from .sessions import COOKIE, MAX_AGE_SECONDS, Session

PREFIX = "/staff"
CSRF_COOKIE = "plr_console_csrf"
CSRF_FIELD = "csrf_token"
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


class NotSignedIn(Exception):
    def __init__(self, reason: str = "") -> None:
        self.reason = reason


class NotAllowed(Exception):
    pass


class CsrfRefused(Exception):
    pass


class MustChangePassword(Exception):
    """Signed in with a one-time password: nothing opens until the person chooses their own."""


def is_tls(request: Request) -> bool:
    # uvicorn runs with proxy headers from loopback, so a TLS proxy in front makes this "https".
    return request.url.scheme == "https"


def set_cookie(request: Request, response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=PREFIX, httponly=True, samesite="strict",
                        secure=is_tls(request))


def clear_cookie(request: Request, response, name: str) -> None:
    response.delete_cookie(name, path=PREFIX, httponly=True, samesite="strict", secure=is_tls(request))


def current_session(request: Request) -> Session:
    cached = getattr(request.state, "session", None)
    if cached is not None:
        return cached
    session, why = request.app.state.sessions.resume(request.cookies.get(COOKIE))
    if session is None:
        raise NotSignedIn(why)
    request.state.session = session
    return session


def require(role: str):
    """A dependency: the signed-in user, who must have at least this role."""

    def dependency(request: Request) -> User:
        user = current_session(request).user
        if user.must_change_password:
            raise MustChangePassword()
        if RANK[user.role] < RANK[role]:
            raise NotAllowed()
        return user

    return dependency


async def check_csrf(request: Request) -> None:
    """Every form post: the hidden field must match the signed cookie."""
    await request.form()  # parsed once; fastapi-csrf-protect then reads the field from it
    csrf: CsrfProtect = request.app.state.csrf
    try:
        await csrf.validate_csrf(request, secret_key=request.app.state.settings.secret)
    except CsrfProtectError:
        raise CsrfRefused() from None


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    session = getattr(request.state, "session", None)
    if session is not None:
        token, signed = session.csrf_token, session.csrf_signed
    else:
        # Not signed in (the sign-in page): a fresh pair for this form only.
        token, signed = request.app.state.csrf.generate_csrf_tokens(request.app.state.settings.secret)
    context.update(request=request, user=session.user if session else None, csrf_token=token, prefix=PREFIX)
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    set_cookie(request, response, CSRF_COOKIE, signed, MAX_AGE_SECONDS)
    return response


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(PREFIX + path, status_code=303)
