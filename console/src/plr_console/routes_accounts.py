"""Accounts, for admins: list, add, unlock; and the console's own audit."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from .accounts import ROLES, AccountError, User
from .web import check_csrf, redirect, render, require

router = APIRouter()


def _page(request: Request, status_code: int = 200, **extra):
    state = request.app.state
    return render(request, "accounts.html", status_code=status_code, active="accounts",
                  accounts=state.accounts.all(), roles=ROLES, audit=state.audit.recent(50),
                  errors=extra.pop("errors", {}), form=extra.pop("form", {}), **extra)


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
    request.app.state.audit.record(user.username, f"added account {values['username']} ({values['role']})")
    return redirect(f"/accounts?added={values['username']}")


@router.post("/accounts/{username}/unlock")
async def unlock(request: Request, username: str, user: User = Depends(require("admin"))):
    await check_csrf(request)
    request.app.state.accounts.unlock(username)
    request.app.state.audit.record(user.username, f"unlocked account {username}")
    return redirect("/accounts")
