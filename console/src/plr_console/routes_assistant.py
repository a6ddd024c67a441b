"""Try the assistant (a chat whose every turn shows why the assistant answered as it did), the
conversation review, and saving a conversation as a scripted test case."""
from __future__ import annotations

import re
import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from .accounts import User
from .explain import as_test_case, turns
from .rasa import RasaError
from .web import NotAllowed, check_csrf, redirect, render, require

router = APIRouter()
CONVERSATION = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
MAX_MESSAGE = 1000


def new_conversation_id(user: User) -> str:
    return f"console-{user.username}-{secrets.token_hex(4)}"


def own_conversation(user: User, conversation: str) -> bool:
    """Staff may read their own tries; anyone else's conversation is the review page's, for caseworkers."""
    return bool(CONVERSATION.match(conversation or "")) and conversation.startswith(f"console-{user.username}-")


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


@router.get("/conversations/{conversation}/case.yml")
async def download_case(request: Request, conversation: str, user: User = Depends(require("viewer"))):
    if not CONVERSATION.match(conversation):
        return Response("no such conversation\n", status_code=404, media_type="text/plain")
    if not own_conversation(user, conversation) and not user.can("caseworker"):
        raise NotAllowed()
    try:
        found = turns(await request.app.state.rasa.tracker(conversation))
    except RasaError as exc:
        return Response(f"{exc}\n", status_code=502, media_type="text/plain")
    if not found:
        return Response("this conversation has no messages yet\n", status_code=404, media_type="text/plain")
    request.app.state.audit.record(user.username, f"saved conversation {conversation} as a test case")
    name = re.sub(r"[^A-Za-z0-9_-]", "_", conversation)[:80]
    return Response(as_test_case(conversation, found), media_type="application/x-yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.yml"'})


@router.get("/conversations")
async def review(request: Request, c: str = "", user: User = Depends(require("caseworker"))):
    """Read a stored conversation (redacted by the tracker store before it was saved)."""
    conversation = c.strip()
    found, error = [], None
    if conversation:
        if not CONVERSATION.match(conversation):
            error = "A conversation id is letters, digits and . _ : @ -"
        else:
            try:
                found = turns(await request.app.state.rasa.tracker(conversation))
                request.app.state.audit.record(user.username, f"read conversation {conversation}")
                if not found:
                    error = "The assistant holds no messages for this conversation id"
            except RasaError as exc:
                error = str(exc)
    runs = request.app.state.runner.recent(3)
    recent = []
    for run in runs:
        for case in (run.report or {}).get("cases", []):
            if case.get("sender"):
                recent.append({"id": case["sender"], "what": f"test run {run.id}: {case.get('file')}"})
    return render(request, "review.html", active="review", conversation=conversation, turns=found, error=error,
                  recent=recent[:30])
