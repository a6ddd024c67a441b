"""Accounts, for admins: the list, adding one, and one account's page (role, one-time password,
unlock, disable or enable); the console's own audit. Every change is audited with the account it
was made to; an admin's own role and access cannot be changed from here."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request

from .accounts import ROLES, USERNAME, AccountError, UnknownAccount, User
from .web import check_csrf, redirect, render, require

router = APIRouter()
# Confirmations after a change, by key: the address carries the key, never free text.
DONE = {
    "role": "The role was changed.",
    "unlocked": "The account was unlocked.",
    "disabled": "The account was disabled. It was signed out everywhere.",
    "enabled": "The account was enabled.",
}


def _page(request: Request, status_code: int = 200, **extra):
    state = request.app.state
    return render(request, "accounts.html", status_code=status_code, active="accounts",
                  accounts=state.accounts.all(), roles=ROLES, audit=state.audit.recent(50),
                  errors=extra.pop("errors", {}), form=extra.pop("form", {}), **extra)


def _account_page(request: Request, user: User, username: str, status_code: int = 200, **extra):
    state = request.app.state
    account = state.accounts.describe(username)
    if account is None:
        raise HTTPException(404)
    return render(request, "account.html", status_code=status_code, active="accounts", account=account,
                  roles=ROLES, own=username == user.username, history=state.audit.for_account(username),
                  errors=extra.pop("errors", {}), **extra)


def _known(username: str) -> str:
    if not USERNAME.match(username):
        raise HTTPException(404)
    return username


@router.get("/accounts")
async def accounts_page(request: Request, user: User = Depends(require("admin"))):
    return _page(request, added=request.query_params.get("added"))


@router.post("/accounts")
async def add_account(request: Request, user: User = Depends(require("admin"))):
    await check_csrf(request)
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("username", "role")}
    try:
        request.app.state.accounts.add(values["username"], str(form.get("password") or ""), values["role"])
    except AccountError as exc:
        return _page(request, status_code=400, errors={"form": str(exc)}, form=values)
    request.app.state.audit.record(user.username, f"added the account ({values['role']})",
                                   account=values["username"])
    return redirect(f"/accounts?added={values['username']}")


@router.get("/accounts/{username}")
async def account_page(request: Request, username: str, user: User = Depends(require("admin"))):
    return _account_page(request, user, _known(username), done=DONE.get(request.query_params.get("done", "")))


@router.post("/accounts/{username}/role")
async def change_role(request: Request, username: str, user: User = Depends(require("admin"))):
    await check_csrf(request)
    username = _known(username)
    role = str((await request.form()).get("role") or "")
    try:
        before = request.app.state.accounts.set_role(user.username, username, role)
    except UnknownAccount:
        raise HTTPException(404) from None
    except AccountError as exc:
        # Own account: no role form on the page to point the error at.
        field = "form" if username == user.username else "role"
        return _account_page(request, user, username, status_code=400, errors={field: str(exc)})
    if before != role:
        request.app.state.audit.record(user.username, f"changed the role from {before} to {role}", account=username)
    return redirect(f"/accounts/{username}?done=role")


@router.post("/accounts/{username}/reset-password")
async def reset_password(request: Request, username: str, user: User = Depends(require("admin"))):
    await check_csrf(request)
    username = _known(username)
    try:
        password = request.app.state.accounts.reset_password(user.username, username)
    except UnknownAccount:
        raise HTTPException(404) from None
    except AccountError as exc:
        return _account_page(request, user, username, status_code=400, errors={"form": str(exc)})
    request.app.state.audit.record(user.username, "reset the password (one-time password issued)", account=username)
    # Shown in this answer only (no redirect, so it is in no address, log or history); pages are no-store.
    return _account_page(request, user, username, one_time_password=password)


@router.post("/accounts/{username}/unlock")
async def unlock(request: Request, username: str, user: User = Depends(require("admin"))):
    await check_csrf(request)
    username = _known(username)
    try:
        request.app.state.accounts.unlock(username)
    except UnknownAccount:
        raise HTTPException(404) from None
    request.app.state.audit.record(user.username, "unlocked the account", account=username)
    return redirect(f"/accounts/{username}?done=unlocked")


@router.post("/accounts/{username}/disable")
async def disable(request: Request, username: str, user: User = Depends(require("admin"))):
    return await _set_disabled(request, user, username, True)


@router.post("/accounts/{username}/enable")
async def enable(request: Request, username: str, user: User = Depends(require("admin"))):
    return await _set_disabled(request, user, username, False)


async def _set_disabled(request: Request, user: User, username: str, disabled: bool):
    await check_csrf(request)
    username = _known(username)
    try:
        request.app.state.accounts.set_disabled(user.username, username, disabled)
    except UnknownAccount:
        raise HTTPException(404) from None
    except AccountError as exc:
        return _account_page(request, user, username, status_code=400, errors={"form": str(exc)})
    word = "disabled" if disabled else "enabled"
    request.app.state.audit.record(user.username, f"{word} the account", account=username)
    return redirect(f"/accounts/{username}?done={word}")
