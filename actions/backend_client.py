"""Client of the backend's request API (backend/): submit a request, check its status, and
forward an undeliverable request to staff.

Timeouts and retries keep every call inside a budget well below what a learner will wait
for (and below Rasa's action timeout). Only failures that may pass are retried: connection
errors, timeouts, 5xx and 429. A 4xx other than 429 is an answer, not a failure. Results are
typed so that each one maps to its own reply.

A `Refused` is final only when the backend judged the request itself (422, 409, as JSON).
Anything else that is not our answer (401/403 after a key rotation, 404/405 from a wrong
BACKEND_URL, 3xx, an HTML error page, a 200 without a reference) says that the connection or
configuration is wrong, not the request: the outbox keeps such a request and keeps trying.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple, Union
from urllib.parse import quote

import aiohttp
from tenacity import AsyncRetrying, RetryError, retry_if_exception_type, stop_after_attempt, stop_after_delay
from tenacity.wait import wait_exponential_jitter

from actions.settings import Settings, get_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submitted:
    reference: str
    status: str
    created_at: str


# The only answers that judge the request itself; the same body will never be accepted.
FINAL_REFUSALS = (409, 422)


@dataclass(frozen=True)
class Refused:
    """Not accepted. `final` (422/409 in the backend's JSON): the request itself was refused.
    Otherwise a transport or configuration problem (see the module docstring)."""

    status_code: int
    field: Optional[str]
    message: str
    is_json: bool = True

    @property
    def final(self) -> bool:
        return self.status_code in FINAL_REFUSALS and self.is_json

    def describe(self) -> str:
        return f"http {self.status_code}" + ("" if self.is_json else " (not the backend's JSON)")


@dataclass(frozen=True)
class Unavailable:
    """No answer within the budget (down, refusing, hanging, 5xx or 429 throughout)."""

    reason: str


@dataclass(frozen=True)
class StatusFound:
    reference: str
    status: str


@dataclass(frozen=True)
class StatusNotFound:
    pass


@dataclass(frozen=True)
class StatusLocked:
    """Too many wrong dates of birth for this reference (the backend's 423): try again later."""

    retry_after: int


@dataclass(frozen=True)
class Forwarded:
    pass


SubmitResult = Union[Submitted, Refused, Unavailable]
StatusResult = Union[StatusFound, StatusNotFound, StatusLocked, Refused, Unavailable]
ForwardResult = Union[Forwarded, Refused, Unavailable]


class _Retryable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _field_of(body: Any) -> Optional[str]:
    """The field a 422 names, from FastAPI's `detail` list or a plain `field` key."""
    if isinstance(body, dict):
        if isinstance(body.get("field"), str):
            return body["field"]
        detail = body.get("detail")
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            loc = detail[0].get("loc") or []
            names = [part for part in loc if isinstance(part, str) and part not in ("body", "query", "header")]
            return names[-1] if names else None
    return None


def _message_of(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("message", "detail", "error"):
            if isinstance(body.get(key), str):
                return body[key]
    return ""


class BackendClient:
    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or get_settings()

    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(
            total=self.settings.backend_connect_timeout + self.settings.backend_read_timeout,
            connect=self.settings.backend_connect_timeout,
            sock_read=self.settings.backend_read_timeout,
        )

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            stop=stop_after_delay(self.settings.backend_total_budget) | stop_after_attempt(4),
            wait=wait_exponential_jitter(initial=0.25, max=2.0, jitter=0.25),
            retry=retry_if_exception_type(_Retryable),
            reraise=False,
        )

    async def _call(self, method: str, path: str, *, headers: Dict[str, str],
                    **kwargs: Any) -> Tuple[int, Any, bool]:
        """One HTTP exchange -> (status, parsed JSON body, whether it was JSON); raises _Retryable
        when worth retrying. Redirects are not followed: a 3xx means a wrong URL, not an answer."""
        url = f"{self.settings.backend_url}{path}"
        try:
            async with aiohttp.ClientSession(timeout=self._timeout()) as session:
                async with session.request(method, url, headers=headers, allow_redirects=False, **kwargs) as response:
                    raw = await response.read()
                    status = response.status
                    content_type = response.content_type
        except asyncio.TimeoutError as exc:
            raise _Retryable("timeout") from exc
        except aiohttp.ClientError as exc:
            raise _Retryable(f"connection: {type(exc).__name__}") from exc
        if status >= 500 or status == 429:
            raise _Retryable(f"http {status}")
        try:
            body = json.loads(raw) if raw else {}
            is_json = content_type == "application/json" and isinstance(body, dict)
        except (ValueError, RecursionError):
            body, is_json = {}, False
        return status, body, is_json

    async def _with_retries(self, method: str, path: str, **kwargs: Any) -> Union[Tuple[int, Any, bool], Unavailable]:
        try:
            async for attempt in self._retrying():
                with attempt:
                    return await self._call(method, path, **kwargs)
        except RetryError as exc:
            last = exc.last_attempt.exception()
            return Unavailable(reason=getattr(last, "reason", type(last).__name__))
        raise AssertionError("tenacity ends its attempts with a result or a RetryError")

    def _auth(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.actions_api_key}"}

    async def submit(self, payload: Dict[str, Any], idempotency_key: str) -> SubmitResult:
        outcome = await self._with_retries(
            "POST", "/v1/requests", json=payload,
            headers={**self._auth(), "Idempotency-Key": idempotency_key},
        )
        if isinstance(outcome, Unavailable):
            logger.warning("backend unavailable for a submission: %s", outcome.reason)
            return outcome
        status, body, is_json = outcome
        if status in (200, 201) and is_json and isinstance(body.get("reference"), str) and body["reference"]:
            logger.info("request submitted: reference=%s", body["reference"])
            return Submitted(body["reference"], body.get("status", "received"), body.get("created_at", ""))
        refused = Refused(status_code=status, field=_field_of(body), message=_message_of(body), is_json=is_json)
        logger.warning("backend refused a submission: %s field=%s", refused.describe(), refused.field)
        return refused

    async def status(self, reference: str, date_of_birth: str) -> StatusResult:
        # The date of birth goes in the body: a URL's query string ends up in proxy logs.
        path = f"/v1/requests/{quote(reference, safe='')}/status-check"
        outcome = await self._with_retries("POST", path, json={"date_of_birth": date_of_birth}, headers=self._auth())
        if isinstance(outcome, Unavailable):
            return outcome
        status, body, is_json = outcome
        if status == 200 and is_json and body.get("status"):
            return StatusFound(reference=body.get("reference", reference), status=body["status"])
        if status == 404 and is_json:
            return StatusNotFound()
        if status == 423 and is_json:
            retry_after = body.get("retry_after_seconds")
            return StatusLocked(retry_after=retry_after if isinstance(retry_after, int) else 900)
        return Refused(status_code=status, field=_field_of(body), message=_message_of(body), is_json=is_json)

    async def forward_undeliverable(self, idempotency_key: str, refused: Refused,
                                    payload: Dict[str, Any]) -> ForwardResult:
        """Give staff a request the backend refused after the learner was told it was saved."""
        outcome = await self._with_retries(
            "POST", "/v1/undeliverable", headers=self._auth(),
            json={"idempotency_key": idempotency_key, "http_status": refused.status_code,
                  "field": refused.field, "request": payload},
        )
        if isinstance(outcome, Unavailable):
            return outcome
        status, body, is_json = outcome
        if status in (200, 201) and is_json and body.get("outcome") in ("created", "replayed"):
            return Forwarded()
        return Refused(status_code=status, field=_field_of(body), message=_message_of(body), is_json=is_json)
