"""One message's trip through Rasa, shared by every channel: flood control, clean text, and a
clear answer when something fails.

`handle()` returns how the turn went; the channel turns that into its own kind of answer:
- "ok": Rasa's replies as usual;
- "rate_limited": a polite "please wait" (too many messages for one conversation, or from one
  client address: channels/abuse.py);
- "busy": this server already has as many turns waiting as it may queue (in all, or for the
  learner's address); the learner is told to try again in a minute or call the helpdesk,
  instead of waiting behind a flood;
- "failed": the action server, the tracker store or the lock store failed, or Rasa raised. The
  learner gets `technical_problem_text()` (with the helpdesk number) instead of an empty or
  wrong reply. Nothing of the failed turn is saved (stores/tracker_store.py), so sending the
  message again once the fault is fixed carries on where the conversation was.
A turn that went well but in which the assistant said nothing (its policies can predict
"listen" straight away, for instance after odd text it took for an answer) is not left
silent on channels that push their replies (socket.io, `QuietAfterFailure` outputs): the
guard sends `no_reply_text()`. The REST and telephone channels handle that case themselves.
Logs name the failing parts only, never the message text.
"""
from __future__ import annotations

import asyncio
import logging
import re
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, List, Optional, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import LockError

from channels import abuse
from channels.ratelimit import ConversationLimiter, Permit
from content import contacts
from stores import turn
from stores.tracker_store import TrackerStoreUnavailable

logger = logging.getLogger(__name__)

# Longer than any answer the assistant asks for (the web chat's box has the same limit).
MAX_MESSAGE_CHARS = 1000
# C0/C1 control characters except tab and newline, plus bidi overrides that can disguise text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

OK, RATE_LIMITED, FAILED, BUSY = "ok", "rate_limited", "failed", "busy"


def helpdesk_phone() -> str:
    """The reviewed number (content/contacts.yml), or HELPDESK_PHONE when it is set."""
    return contacts.value("helpdesk_phone")


def technical_problem_text() -> str:
    return ("Sorry, something went wrong on our side and I could not deal with your last message. "
            "Please send it again in a minute. If it keeps happening, call the LRS helpdesk on "
            f"{helpdesk_phone()}.")


def no_reply_text() -> str:
    return ("Sorry, I'm not sure how to answer that. Could you put it another way? You can also call "
            f"the LRS helpdesk on {helpdesk_phone()}.")


SLOW_DOWN_TEXT = ("You're sending messages faster than I can answer them. "
                  "Please wait a few seconds, then send your message again.")
TOO_LONG_TEXT = (f"That message is too long for me. Please send a shorter one "
                 f"(up to {MAX_MESSAGE_CHARS} characters).")
NO_WORDS_TEXT = "I did not get any words in that message. Please type it again."


def busy_text() -> str:
    return ("Sorry, the assistant is very busy at the moment and could not take your message. "
            "Please try again in a minute, or call the LRS helpdesk on "
            f"{helpdesk_phone()}.")


def clean_text(text: str) -> str:
    """Control characters out (tabs and newlines become spaces), surrounding blanks trimmed."""
    return _CONTROL.sub("", text.replace("\t", " ").replace("\r", " ").replace("\n", " ")).strip()


@dataclass
class _Replies:
    sent: int = 0


# The bot messages the current turn has sent so far (set by TurnGuard.handle, per task).
_replies: ContextVar[Optional[_Replies]] = ContextVar("plr_replies", default=None)


class QuietAfterFailure:
    """Output-channel mixin for channels that push replies as they come (socket.io).

    Once the current turn has failed, hold back the rest of its bot messages: after a failed
    tracker-store read Rasa carries on with a fresh, empty conversation, and its greeting must
    not reach a learner who is in the middle of a request. Replies that do go out are counted,
    so the guard can answer a turn in which the assistant said nothing."""

    async def send_response(self, recipient_id: str, message: Any) -> None:
        current = turn.current()
        if current is not None and current.failed:
            return
        await super().send_response(recipient_id, message)  # type: ignore[misc]
        replies = _replies.get()
        if replies is not None:
            replies.sent += 1


@dataclass
class Outcome:
    status: str
    failures: List[str] = field(default_factory=list)
    # Seconds until a refused message would be taken (RATE_LIMITED, BUSY).
    retry_after: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == OK


def _component(exc: BaseException) -> str:
    if isinstance(exc, LockError) or type(exc).__module__.startswith("redis"):
        return turn.LOCK_STORE
    if isinstance(exc, TrackerStoreUnavailable):
        return turn.TRACKER_STORE
    return turn.PROCESSING


class TurnGuard:
    def __init__(self, limiter: ConversationLimiter, limits: Optional[abuse.AbuseLimits] = None) -> None:
        self.limiter = limiter
        self.limits = limits or abuse.AbuseLimits.from_env()
        turn.watch_rasa_errors()

    def _admit(self, sender: str,
               address: Optional[str]) -> Tuple[Optional[Permit], Optional[abuse.Ticket], Optional[Outcome]]:
        """(conversation permit, queue ticket, refusal): the per-conversation limit first, so a
        flood on one conversation does not use up its address's allowance; then the address's
        message allowance and the queue caps (the address's own only when it is known)."""
        permit = self.limiter.try_acquire(sender)
        if permit is None:
            return None, None, Outcome(RATE_LIMITED, retry_after=self.limiter.retry_after(sender))
        key = abuse.address_key(address) if address is not None else None
        if key is not None and not self.limits.messages_per_address.take(key):
            permit.release()
            abuse.log_refusal("messages per address")
            return None, None, Outcome(RATE_LIMITED,
                                       retry_after=self.limits.messages_per_address.retry_after(key))
        ticket = self.limits.queue.enter(key)
        if ticket is None:
            permit.release()
            abuse.log_refusal("turns waiting on this server (busy)")
            return None, None, Outcome(BUSY, retry_after=60.0)
        return permit, ticket, None

    async def handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                     message: UserMessage, address: Optional[str] = None) -> Outcome:
        """`address`: the client's address (channels/client_address.py), or None where it means
        nothing (the telephone line: every request comes from Twilio)."""
        permit, ticket, refusal = self._admit(message.sender_id or "", address)
        if refusal is not None:
            return refusal
        assert permit is not None and ticket is not None  # _admit gives both when it does not refuse
        try:
            # A turn that calls nothing outside the process (an FAQ answer) runs to its end
            # without yielding, so without this the next request would reach the queue count
            # only after this turn's work: the count would never pass 1. Yielding once here lets
            # every request the server has read be counted (and refused beyond the cap) before
            # any of them takes the CPU.
            await asyncio.sleep(0)
        except BaseException:
            permit.release()
            ticket.leave()
            raise
        replies = _Replies()
        replies_token: Optional[Token[Optional[_Replies]]]
        replies_token = _replies.set(replies)
        try:
            with turn.open_turn() as current:
                try:
                    await on_new_message(message)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # any failure gets the learner a clear answer
                    current.fail(_component(exc))
                    logger.debug("Turn failed", exc_info=True)
                if current.failed:
                    logger.error("A message could not be handled (%s); the learner was asked to try "
                                 "again.", ", ".join(current.failures))
                    return Outcome(FAILED, list(current.failures))
            _replies.reset(replies_token)
            replies_token = None
            output = message.output_channel
            if replies.sent == 0 and isinstance(output, QuietAfterFailure):
                logger.warning("A message got no reply from the assistant; the learner was asked to "
                               "put it another way.")
                await output.send_response(message.sender_id, {"text": no_reply_text()})
            return Outcome(OK)
        finally:
            if replies_token is not None:
                _replies.reset(replies_token)
            permit.release()
            ticket.leave()


    def raising(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
                ) -> Callable[[UserMessage], Awaitable[None]]:
        """`on_new_message` for a channel whose own error path already answers well (the
        telephone channel apologises and transfers): a failed or refused turn raises."""

        async def guarded(message: UserMessage) -> None:
            outcome = await self.handle(on_new_message, message)
            if not outcome.ok:
                raise TurnNotHandled(outcome)

        return guarded


class TurnNotHandled(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(f"turn {outcome.status}: {', '.join(outcome.failures) or 'flood control'}")
        self.outcome = outcome


_guard: Optional[TurnGuard] = None


def default_guard() -> TurnGuard:
    """One guard (and one set of per-conversation limits) for every channel of this server."""
    global _guard
    if _guard is None:
        _guard = TurnGuard(ConversationLimiter.from_env(), abuse.default_limits())
    return _guard
