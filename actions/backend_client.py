"""Client of the backend's request API (backend/): submit a request, read its status.

Timeouts and retries keep every call inside a budget well below what a learner will wait
for (and below Rasa's action timeout). Only failures that may pass are retried: connection
errors, timeouts, 5xx and 429. A 4xx other than 429 is an answer, not a failure. Results are
typed so that each one maps to its own reply.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, Optional, Union

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


@dataclass(frozen=True)
class Refused:
    """The backend answered with a 4xx: retrying the same body will not help."""

    status_code: int
    field: Optional[str]
    message: str


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


SubmitResult = Union[Submitted, Refused, Unavailable]
StatusResult = Union[StatusFound, StatusNotFound, Refused, Unavailable]


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

    async def _call(self, method: str, path: str, *, headers: Dict[str, str], **kwargs) -> tuple:
        """One HTTP exchange -> (status, parsed JSON body); raises _Retryable when worth retrying."""
        url = f"{self.settings.backend_url}{path}"
        try:
            async with aiohttp.ClientSession(timeout=self._timeout()) as session:
                async with session.request(method, url, headers=headers, **kwargs) as response:
                    raw = await response.read()
                    status = response.status
        except asyncio.TimeoutError as exc:
            raise _Retryable("timeout") from exc
        except aiohttp.ClientError as exc:
            raise _Retryable(f"connection: {type(exc).__name__}") from exc
        if status >= 500 or status == 429:
            raise _Retryable(f"http {status}")
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        return status, body

    async def _with_retries(self, method: str, path: str, **kwargs):
        try:
            async for attempt in self._retrying():
                with attempt:
                    return await self._call(method, path, **kwargs)
        except RetryError as exc:
            last = exc.last_attempt.exception()
            return Unavailable(reason=getattr(last, "reason", type(last).__name__))

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
        status, body = outcome
        if status in (200, 201) and isinstance(body, dict) and body.get("reference"):
            logger.info("request submitted: reference=%s", body["reference"])
            return Submitted(body["reference"], body.get("status", "received"), body.get("created_at", ""))
        logger.warning("backend refused a submission: http %s field=%s", status, _field_of(body))
        return Refused(status_code=status, field=_field_of(body), message=_message_of(body))

    async def status(self, reference: str, date_of_birth: str) -> StatusResult:
        outcome = await self._with_retries(
            "GET", f"/v1/requests/{reference}", params={"date_of_birth": date_of_birth}, headers=self._auth(),
        )
        if isinstance(outcome, Unavailable):
            return outcome
        status, body = outcome
        if status == 200 and isinstance(body, dict) and body.get("status"):
            return StatusFound(reference=body.get("reference", reference), status=body["status"])
        if status == 404:
            return StatusNotFound()
        return Refused(status_code=status, field=_field_of(body), message=_message_of(body))
