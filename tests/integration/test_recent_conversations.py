"""`GET /webhooks/conversations/recent` (channels/conversations.py): the most recently active
conversations, newest first, behind Rasa's API token. On the running stack (in-memory store),
and in-process for each kind of store the route reads (the project's in-memory store, Rasa's
plain one after a fallback, and the SQL store, here on SQLite)."""
from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import conversations
from stores.retention import RetentionSettings
from stores.tracker_store import GuardedInMemoryTrackerStore
from tests.chat import new_sender, send, texts, tracker

GIVEN, FAMILY, DOB, DOB_ISO = "Morwenna", "Quiller", "14/02/2002", "2002-02-14"
POSTCODE, ULN, EMAIL = "PL1 3DH", "1000000043", "m.quiller@example.net"
DETAILS = [GIVEN, FAMILY, DOB, DOB_ISO, POSTCODE, "PL13DH", ULN, EMAIL]


def recent(stack, token: str | None = "", **params):
    """(HTTP status, body) of the route; token "" means the stack's own."""
    if token == "":
        token = stack.env["RASA_API_TOKEN"]
    if token is not None:
        params["token"] = token
    url = f"{stack.config.rasa_url}/webhooks/conversations/recent?{urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


# On the running stack -------------------------------------------------------------------------

@pytest.mark.stack
def test_lists_the_latest_conversations_newest_first(stack):
    first, second = new_sender("recent-a"), new_sender("recent-b")
    assert texts(send(stack.config.rasa_url, first, "hello"))
    time.sleep(0.05)
    assert texts(send(stack.config.rasa_url, second, "what is a ULN?"))

    status, items = recent(stack, limit=50)
    assert status == 200
    ids = [item["id"] for item in items]
    assert ids.index(second) < ids.index(first)
    assert ids[0] == second
    times = [item["latest_event_time"] for item in items]
    assert times == sorted(times, reverse=True)
    mine = {item["id"]: item for item in items}[second]
    assert set(mine) == {"id", "latest_event_time", "events", "turns"}
    assert mine["turns"] == 1 and mine["events"] > 1

    status, items = recent(stack, limit=1)
    assert status == 200 and [item["id"] for item in items] == [second]


@pytest.mark.stack
def test_refused_without_the_token(stack):
    assert recent(stack, token=None)[0] == 401
    assert recent(stack, token="not-the-token")[0] == 403
    assert recent(stack, token=stack.env["RASA_API_TOKEN"] + "x")[0] == 403
    # A token in a header Rasa does not read is no token.
    request = urllib.request.Request(f"{stack.config.rasa_url}/webhooks/conversations/recent",
                                     headers={"Authorization": f"Bearer {stack.env['RASA_API_TOKEN']}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401


@pytest.mark.stack
@pytest.mark.parametrize("limit", ["0", "51", "many", "-3"])
def test_a_limit_out_of_range_is_a_bad_request(stack, limit):
    assert recent(stack, limit=limit)[0] == 400


@pytest.mark.stack
def test_a_finished_opt_out_is_listed_without_the_learners_details(stack):
    url, sender = stack.config.rasa_url, new_sender("recent-optout")
    for text in ("I want to opt out", "yes", f"I'm {GIVEN} {FAMILY}", DOB, POSTCODE, "no", "yes", ULN, EMAIL):
        assert texts(send(url, sender, text)), text
    reply = texts(send(url, sender, "yes"))  # the read-back confirmed: the request is sent
    assert "PLR-" in reply, reply

    status, items = recent(stack, limit=5)
    assert status == 200
    assert sender in [item["id"] for item in items]
    assert not any(detail.lower() in json.dumps(items).lower() for detail in DETAILS)
    transcript = json.dumps(tracker(url, stack.env["RASA_API_TOKEN"], sender)).lower()
    assert "[removed: personal details]" in transcript
    assert [detail for detail in DETAILS if detail.lower() in transcript] == []


# In-process, per kind of store ----------------------------------------------------------------

def conversation(sender: str, turns: int, start: float) -> DialogueStateTracker:
    events = []
    for index in range(turns):
        at = start + index
        events += [UserUttered("hello", {"name": "greet", "confidence": 1.0}, timestamp=at),
                   ActionExecuted("utter_greet", timestamp=at + 0.1),
                   BotUttered("Hello", timestamp=at + 0.2),
                   ActionExecuted("action_listen", timestamp=at + 0.3)]
    return DialogueStateTracker.from_events(sender, events)


async def fill(store, now: float) -> None:
    # Created in one order, last active in another: "b" newest, then "c", then "a".
    await store.save(conversation("a", 1, now - 300))
    await store.save(conversation("b", 3, now - 10))
    await store.save(conversation("c", 2, now - 100))


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def test_the_projects_memory_store_reads_only_the_newest(monkeypatch):
    async def scenario():
        store = GuardedInMemoryTrackerStore(Domain.empty(), retention_settings=RetentionSettings(30, 3600))
        now = time.time()
        await fill(store, now)
        store.retention.stop()
        store.last_active.update({"a": now - 300, "b": now - 10, "c": now - 100})
        read = []
        original = store.retrieve_full_tracker

        async def counting(sender_id):
            read.append(sender_id)
            return await original(sender_id)

        monkeypatch.setattr(store, "retrieve_full_tracker", counting)
        items = await conversations.recent_conversations(store, 2)
        assert [item["id"] for item in items] == ["b", "c"]
        assert read == ["b", "c"]
        assert items[0] == {"id": "b", "latest_event_time": pytest.approx(now - 10 + 2.3), "events": 12,
                            "turns": 3}

    run(scenario())


def test_rasas_plain_memory_store_is_sorted_by_latest_event():
    async def scenario():
        store = InMemoryTrackerStore(Domain.empty())
        await fill(store, time.time())
        items = await conversations.recent_conversations(store, 50)
        assert [item["id"] for item in items] == ["b", "c", "a"]
        assert [item["turns"] for item in items] == [3, 2, 1]

    run(scenario())


def test_at_most_max_read_conversations_are_read(monkeypatch):
    async def scenario():
        monkeypatch.setattr(conversations, "MAX_READ", 3)
        store = InMemoryTrackerStore(Domain.empty())
        now = time.time()
        for index in range(6):  # created oldest first: only the last three created are read
            await store.save(conversation(f"s{index}", 1, now - 100 + index))
        items = await conversations.recent_conversations(store, 50)
        assert [item["id"] for item in items] == ["s5", "s4", "s3"]

    run(scenario())


def test_the_sql_store_lists_newest_first_with_counts(tmp_path):
    async def scenario():
        store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "trackers.db"))
        await fill(store, time.time())
        # "a" speaks again last: it is now the newest.
        tracker_a = await store.retrieve_full_tracker("a")
        tracker_a.update(UserUttered("bye", {"name": "goodbye", "confidence": 1.0}))
        await store.save(tracker_a)
        items = await conversations.recent_conversations(store, 50)
        assert [item["id"] for item in items] == ["a", "b", "c"]
        assert {item["id"]: (item["events"], item["turns"]) for item in items} == {
            "a": (5, 2), "b": (12, 3), "c": (8, 2)}
        assert [item["id"] for item in await conversations.recent_conversations(store, 1)] == ["a"]

    run(scenario())


def test_the_token_check():
    assert conversations.refusal(None, "secret").status == 401
    assert conversations.refusal("", "secret").status == 401
    assert conversations.refusal("wrong", "secret").status == 403
    assert conversations.refusal("secret", "").status == 403  # a server without a token lists nothing
    assert conversations.refusal("secret", "secret") is None


def test_no_token_configured_means_none(monkeypatch):
    for unset in ("", "  ", "__CHANGE_ME__", "${RASA_API_TOKEN}"):
        monkeypatch.setenv("RASA_API_TOKEN", unset)
        assert conversations.api_token() == ""
    monkeypatch.setenv("RASA_API_TOKEN", " abc123 ")
    assert conversations.api_token() == "abc123"
