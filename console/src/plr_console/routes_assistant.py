"""Try the assistant (a chat whose every turn shows why the assistant answered as it did), the
conversation review (the recent conversations, each one's transcript), and saving a
conversation as a scripted test case."""
from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from .accounts import User
from .explain import as_test_case, turns
from .rasa import RasaError
from .web import NotAllowed, check_csrf, redirect, render, require

router = APIRouter()
CONVERSATION = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
MAX_MESSAGE = 1000
RECENT = 50  # the most the Rasa route gives (channels/conversations.py)


def new_conversation_id(user: User) -> str:
    return f"console-{user.username}-{secrets.token_hex(4)}"


def own_conversation(user: User, conversation: str) -> bool:
    """Staff may read their own tries; anyone else's conversation is for caseworkers (may_read)."""
    return bool(CONVERSATION.match(conversation or "")) and conversation.startswith(f"console-{user.username}-")


def may_read(user: User, conversation: str) -> bool:
    """Stored conversations are read by caseworkers and admins: while a learner's request is open,
    its answers are still in the stored slots and read-back (stores/redaction.py). A viewer reads
    only their own tries."""
    return bool(CONVERSATION.match(conversation or "")) and (user.can("caseworker")
                                                            or own_conversation(user, conversation))


@router.get("/try")
async def try_page(request: Request, c: str = "", user: User = Depends(require("viewer"))):
    conversation = c if own_conversation(user, c) else ""
    found, error = [], None
    if conversation:
        try:
            found = turns(await request.app.state.rasa.tracker(conversation))
        except RasaError as exc:
            error = str(exc)
    return render(request, "try.html", active="try", conversation=conversation, turns=found, error=error)


@router.post("/try")
async def try_send(request: Request, user: User = Depends(require("viewer"))):
    await check_csrf(request)
    form = await request.form()
    conversation = str(form.get("conversation") or "")
    if not own_conversation(user, conversation):
        conversation = new_conversation_id(user)  # staff only ever type into their own conversations
    text = str(form.get("payload") or form.get("message") or "").strip()
    if not text:
        return render(request, "try.html", status_code=400, active="try", conversation=conversation,
                      turns=[], error="Type a message to send")
    try:
        await request.app.state.rasa.send(conversation, text[:MAX_MESSAGE])
    except RasaError as exc:
        return render(request, "try.html", status_code=502, active="try", conversation=conversation, turns=[],
                      error=str(exc))
    return redirect(f"/try?c={conversation}#latest")


@router.post("/try/new")
async def try_new(request: Request, user: User = Depends(require("viewer"))):
    await check_csrf(request)
    return redirect("/try")


def _unreadable(user: User, conversation: str) -> Response | None:
    """A 404 for an id that cannot be one; NotAllowed for a conversation this user may not read."""
    if not CONVERSATION.match(conversation):
        return Response("no such conversation\n", status_code=404, media_type="text/plain")
    if not may_read(user, conversation):
        raise NotAllowed()
    return None


@router.get("/conversations/{conversation}/case.yml")
async def download_case(request: Request, conversation: str, user: User = Depends(require("viewer"))):
    if (refused := _unreadable(user, conversation)) is not None:
        return refused
    try:
        found = turns(await request.app.state.rasa.tracker(conversation))
    except RasaError as exc:
        return Response(f"{exc}\n", status_code=502, media_type="text/plain")
    if not found:
        return Response("this conversation has no messages yet\n", status_code=404, media_type="text/plain")
    request.app.state.audit.record(user.username, "saved the conversation as a test case", conversation)
    name = re.sub(r"[^A-Za-z0-9_-]", "_", conversation)[:80]
    where = "'Try the assistant'" if own_conversation(user, conversation) else "conversation review"
    description = f"Saved from the staff console's {where}; check the expectations before adding it."
    return Response(as_test_case(conversation, found, description=description),
                    media_type="application/x-yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.yml"'})


def _when(epoch: object) -> str:
    if not isinstance(epoch, (int, float)):
        return "unknown"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _count(value: object) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


@router.get("/conversations")
async def review(request: Request, c: str = "", user: User = Depends(require("viewer"))):
    """The most recent conversations the assistant holds (ids, times and counts only); each opens
    on its own page. `?c=` (the "open by id" form, a request's page) goes to that page."""
    conversation = c.strip()
    error = None
    if conversation:
        if CONVERSATION.match(conversation):
            return redirect(f"/conversations/{quote(conversation, safe='')}")
        error = "A conversation id is letters, digits and . _ : @ -"
    recent, recent_error = [], None
    try:
        for item in await request.app.state.rasa.recent(RECENT):
            turns_, conversation_id = _count(item.get("turns")), item["id"]
            if not turns_:
                continue  # nothing said yet: no transcript to read
            recent.append({"id": conversation_id, "when": _when(item.get("latest_event_time")), "turns": turns_,
                           "readable": may_read(user, conversation_id)})
    except RasaError as exc:
        recent_error = str(exc)
    runs = []
    if user.can("caseworker"):
        for run in request.app.state.runner.recent(3):
            for case in (run.report or {}).get("cases", []):
                if case.get("sender"):
                    runs.append({"id": case["sender"], "what": f"test run {run.id}: {case.get('file')}"})
    return render(request, "review.html", status_code=400 if error else 200, active="review",
                  conversation=conversation, error=error, recent=recent, recent_error=recent_error,
                  runs=runs[:30])


@router.get("/conversations/{conversation}")
async def transcript(request: Request, conversation: str, user: User = Depends(require("viewer"))):
    """One stored conversation, read-only, as the tracker store keeps it (redacted before it was
    stored). Every view is recorded in the audit, with the conversation id."""
    if (refused := _unreadable(user, conversation)) is not None:
        return refused
    try:
        found = turns(await request.app.state.rasa.tracker(conversation))
    except RasaError as exc:
        return render(request, "transcript.html", status_code=502, active="review", conversation=conversation,
                      turns=[], error=str(exc), views=[])
    error = None
    if found:
        # Recorded before the page is sent: a transcript that was shown is always in the audit.
        request.app.state.audit.record(user.username, "read the conversation", conversation)
    else:
        error = "The assistant holds no messages for this conversation id"
    return render(request, "transcript.html", status_code=200 if found else 404, active="review",
                  conversation=conversation, turns=found, error=error,
                  views=request.app.state.audit.for_reference(conversation, 20) if found else [])
