"""Sign in, sign out, changing one's own password, and the home page."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from .accounts import AccountError, User, WrongPassword
from .sessions import COOKIE, MAX_AGE_SECONDS
from .web import (
    CSRF_COOKIE,
    CsrfRefused,
    check_csrf,
    clear_cookie,
    current_session,
    redirect,
    render,
    require,
    set_cookie,
)

router = APIRouter()
REASONS = {
    "idle": "You were signed out because you had not used the console for 30 minutes.",
    "expired": "You were signed out at the end of your session. Sign in again to carry on.",
    "signed-out": "You have signed out.",
    "locked": "You were signed out because your account is locked after too many wrong passwords. "
              "Ask an admin to unlock it, or wait 15 minutes.",
}


@router.get("/sign-in")
async def sign_in_page(request: Request, reason: str = ""):
    return render(request, "sign_in.html", notice=REASONS.get(reason), errors={}, username="")


@router.post("/sign-in")
async def sign_in(request: Request):
    try:
        await check_csrf(request)
    except CsrfRefused:
        return render(request, "sign_in.html", status_code=403, errors={
            "form": "The sign-in form had expired. Enter your username and password again."}, username="")
    form = await request.form()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    errors = {}
    if not username:
        errors["username"] = "Enter your username"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return render(request, "sign_in.html", status_code=400, errors=errors, username=username)
    state = request.app.state
    result = state.accounts.sign_in(username, password)
    if result.outcome == "locked":
        state.audit.record(username if state.accounts.get(username) else "(unknown)", "sign-in refused: locked")
        minutes = max(1, (result.locked_for_seconds + 59) // 60)
        return render(request, "sign_in.html", status_code=403, username=username, errors={
            "form": f"This account is locked after {state.settings.max_failures} wrong passwords. "
                    f"Try again in {minutes} minutes, or ask an admin to unlock it."})
    if result.outcome == "disabled":
        state.audit.record(username, "sign-in refused: disabled")
        return render(request, "sign_in.html", status_code=403, username=username, errors={
            "form": "This account is disabled. Ask an admin if you need it again."})
    if result.outcome != "ok":
        if state.accounts.get(username):
            state.audit.record(username, "sign-in refused: wrong password")
        return render(request, "sign_in.html", status_code=401, username=username,
                      errors={"form": "The username or password is not right"})
    # A new session and a new CSRF pair: nothing from before sign-in carries over.
    token, signed = state.csrf.generate_csrf_tokens(state.settings.secret)
    state.sessions.sweep()  # idle sessions nobody came back to are removed here
    session_id = state.sessions.start(result.user, token, signed)
    state.audit.record(result.user.username, "signed in")
    response = redirect("/change-password" if result.user.must_change_password else "/")
    set_cookie(request, response, COOKIE, session_id, MAX_AGE_SECONDS)
    set_cookie(request, response, CSRF_COOKIE, signed, MAX_AGE_SECONDS)
    return response


@router.post("/sign-out")
async def sign_out(request: Request):
    session = current_session(request)
    await check_csrf(request)
    request.app.state.sessions.end(session.id_hash)
    request.app.state.audit.record(session.user.username, "signed out")
    response = redirect("/sign-in?reason=signed-out")
    clear_cookie(request, response, COOKIE)
    clear_cookie(request, response, CSRF_COOKIE)
    return response


@router.get("/")
async def home(request: Request, user: User = Depends(require("viewer"))):
    return render(request, "home.html", active="home")


@router.get("/change-password")
async def change_password_page(request: Request, changed: str = ""):
    session = current_session(request)
    return render(request, "change_password.html", active="", errors={}, changed=bool(changed),
                  forced=session.user.must_change_password)


@router.post("/change-password")
async def change_password(request: Request):
    session = current_session(request)
    await check_csrf(request)
    form = await request.form()
    current, new, again = (str(form.get(k) or "") for k in ("current-password", "new-password", "confirm-password"))
    errors = {}
    if not current:
        errors["current-password"] = "Enter your current password"
    if not new:
        errors["new-password"] = "Enter a new password"
    elif new != again:
        errors["confirm-password"] = "The two new passwords differ"
    if not errors:
        try:
            request.app.state.accounts.change_password(session.user.username, current, new,
                                                       keep_session=session.id_hash)
        except WrongPassword as exc:
            if exc.locked:
                return redirect("/sign-in?reason=locked")
            errors["current-password"] = str(exc)
        except AccountError as exc:
            errors["new-password"] = str(exc)
    if errors:
        return render(request, "change_password.html", status_code=400, active="", errors=errors, changed=False,
                      forced=session.user.must_change_password)
    request.app.state.audit.record(session.user.username, "changed their password", account=session.user.username)
    return redirect("/change-password?changed=1")
