"""The request queue: the list with filters, one request (personal details for caseworkers and
admins only, each view audited), status changes, dead letters and the admins' CSV export."""
from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from .accounts import User
from .backend import BackendError
from .csvexport import to_csv
from .web import check_csrf, redirect, render, require, templates

router = APIRouter()
STATUSES = ("received", "in_progress", "completed", "rejected")
TYPES = ("opt_out", "opt_in")
# The learner's language (the backend's `language`), named as its speakers name it, so staff
# reply in it. The templates mark "Cymraeg" lang="cy" for screen readers.
LANGUAGES = {"en": "English", "cy": "Cymraeg"}
templates.env.globals["LANGUAGES"] = LANGUAGES
NEXT_STATUSES = {"received": ("in_progress", "completed", "rejected"), "in_progress": ("completed", "rejected")}
REFERENCE = re.compile(r"^[A-Za-z0-9 -]{1,20}$")
CURSOR = re.compile(r"^[A-Za-z0-9_=:.-]{1,64}$")


def _choice(value: str | None, allowed) -> str | None:
    return value if value in allowed else None


@router.get("/requests")
async def queue(request: Request, status: str = "", type: str = "", language: str = "",  # noqa: A002
                cursor: str = "", q: str = "", user: User = Depends(require("viewer"))):
    backend = request.app.state.backend
    if q:
        no_filters = {"status": "", "type": "", "language": "", "q": q}
        if not REFERENCE.match(q):
            return render(request, "queue.html", active="requests", items=[], next_cursor=None,
                          error="Enter a reference like PLR-7K3M-9QXD", filters=no_filters)
        try:
            found = await backend.get(user.username, q)
        except BackendError as exc:
            message = "No request has this reference" if exc.status == 404 else exc.detail
            return render(request, "queue.html", active="requests", items=[], error=message,
                          filters=no_filters, next_cursor=None)
        return redirect(f"/requests/{found['reference']}")
    filters = {"status": _choice(status, STATUSES) or "", "type": _choice(type, TYPES) or "",
               "language": _choice(language, LANGUAGES) or "", "q": ""}
    try:
        page = await backend.page(user.username, filters["status"] or None, filters["type"] or None,
                                  limit=50, cursor=cursor if CURSOR.match(cursor or "") else None,
                                  language=filters["language"] or None)
    except BackendError as exc:
        return render(request, "queue.html", active="requests", items=[], error=exc.detail, filters=filters,
                      next_cursor=None, status_code=502)
    # Only what a queue needs; personal fields in the backend's answer are dropped here.
    items = [{k: item.get(k) for k in ("reference", "type", "status", "created_at", "channel", "language", "match")}
             for item in page.get("items", [])]
    return render(request, "queue.html", active="requests", items=items, filters=filters, error=None,
                  next_cursor=page.get("next_cursor"))


@router.get("/requests/{reference}")
async def one_request(request: Request, reference: str, user: User = Depends(require("viewer"))):
    if not REFERENCE.match(reference):
        return render(request, "message.html", status_code=404, title="No such request",
                      message="No request has this reference.")
    state = request.app.state
    try:
        record = await state.backend.get(user.username, reference)
    except BackendError as exc:
        if exc.status == 404:
            return render(request, "message.html", status_code=404, title="No such request",
                          message="No request has this reference.")
        return render(request, "message.html", status_code=502, title="The backend did not answer",
                      message=exc.detail)
    personal = user.can("caseworker")
    if personal:
        # Recorded before the page is sent: a view that was shown is always in the audit.
        state.audit.record(user.username, "viewed personal details", record["reference"])
    else:
        record = {k: record.get(k) for k in ("reference", "type", "status", "created_at", "updated_at", "channel",
                                             "language", "match")} | {
            "history": [{k: v for k, v in h.items() if k != "note"} for h in record.get("history", [])]}
    return render(request, "request.html", active="requests", record=record, personal=personal,
                  views=state.audit.for_reference(record["reference"]) if personal else [],
                  next_statuses=NEXT_STATUSES.get(record["status"], ()), errors={},
                  saved=request.query_params.get("saved") == "1")


@router.post("/requests/{reference}/status")
async def change_status(request: Request, reference: str, user: User = Depends(require("caseworker"))):
    await check_csrf(request)
    form = await request.form()
    status = str(form.get("status") or "")
    note = str(form.get("note") or "").strip()
    state = request.app.state
    errors = {}
    if status not in ("in_progress", "completed", "rejected"):
        errors["status"] = "Choose the new status"
    if len(note) > 2000:
        errors["note"] = "The note must be 2000 characters or fewer"
    if not errors:
        try:
            await state.backend.change_status(user.username, reference, status, note)
            return redirect(f"/requests/{reference}?saved=1")
        except BackendError as exc:
            errors["status"] = ("This change is not allowed from the request's current status"
                                if exc.status == 409 else exc.detail)
    try:
        record = await state.backend.get(user.username, reference)
    except BackendError as exc:
        return render(request, "message.html", status_code=502, title="The backend did not answer",
                      message=exc.detail)
    state.audit.record(user.username, "viewed personal details", record["reference"])
    return render(request, "request.html", status_code=400, active="requests", record=record, personal=True,
                  views=state.audit.for_reference(record["reference"]),
                  next_statuses=NEXT_STATUSES.get(record["status"], ()), errors=errors, saved=False,
                  note=note)


@router.get("/export.csv")
async def export_csv(request: Request, status: str = "", type: str = "", language: str = "",  # noqa: A002
                     user: User = Depends(require("admin"))):
    state = request.app.state
    chosen = {"status": _choice(status, STATUSES), "type": _choice(type, TYPES),
              "language": _choice(language, LANGUAGES)}
    try:
        records = await state.backend.every(user.username, chosen["status"], chosen["type"],
                                            language=chosen["language"])
    except BackendError as exc:
        return render(request, "message.html", status_code=502, title="The backend did not answer",
                      message=exc.detail)
    described = ", ".join(f"{k} {v}" for k, v in chosen.items() if v) or "none"
    state.audit.record(user.username, f"exported {len(records)} requests as CSV (filter: {described})")
    # Each exported request's audit names the export, as a view of its page would.
    state.audit.record_each(user.username, "exported personal details as CSV",
                            [str(r.get("reference")) for r in records if r.get("reference")])
    return Response(to_csv(records), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="plr-requests.csv"'})


@router.get("/dead-letters")
async def dead_letters(request: Request, user: User = Depends(require("caseworker"))):
    state = request.app.state
    try:
        items = await state.backend.dead_letters(user.username)
    except BackendError as exc:
        return render(request, "message.html", status_code=502, title="The backend did not answer",
                      message=exc.detail)
    items = [item | {"key": dead_letter_key(item)} for item in items] if items else items
    if items:
        # Which ones were shown, not just how many: each holds a learner's details.
        state.audit.record(user.username, f"viewed {len(items)} dead letters")
        state.audit.record_each(user.username, "viewed a dead letter", [item["key"] for item in items])
    return render(request, "dead_letters.html", active="requests", items=items)


def dead_letter_key(item: dict) -> str:
    """A dead letter has no request reference (the backend refused it): the backend's id, or the
    outbox's idempotency key on a backend that lists those."""
    for field in ("id", "idempotency_key"):
        if item.get(field) not in (None, ""):
            return f"dead-letter {item[field]}"
    return f"dead-letter received {item.get('received_at') or 'unknown'}"
