"""Closed-loop load through Rasa's REST channel: N simulated learners, each sending its next
message only when the previous reply has arrived, for a fixed time after a warm-up.

Every message is checked: a non-200 answer, a timeout, an empty reply ([] is what Rasa sends
when processing fails) or a reply that is not the expected response is an error.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import aiohttp

from stafftools.domain import Domain
from stafftools.scenarios import Say
from stafftools.stats import summary_ms


@dataclass
class Sample:
    at: float  # seconds since the measured window began
    seconds: float
    ok: bool
    label: str
    error: str = ""


@dataclass
class LoadResult:
    users: int
    seconds: float
    samples: List[Sample] = field(default_factory=list)

    @property
    def errors(self) -> List[Sample]:
        return [s for s in self.samples if not s.ok]

    def figures(self) -> Dict[str, float]:
        latencies = [s.seconds for s in self.samples]
        return {"users": self.users, **summary_ms(latencies),
                "rps": round(len(self.samples) / self.seconds, 2) if self.seconds else 0.0,
                "errors": len(self.errors)}

    def error_kinds(self) -> Dict[str, int]:
        kinds: Dict[str, int] = {}
        for sample in self.errors:
            kinds[sample.error] = kinds.get(sample.error, 0) + 1
        return kinds


def check_reply(replies: List[Dict], expected: Tuple[str, ...], domain: Domain) -> str:
    """Empty string when the reply is the expected response(s); else what was wrong."""
    texts = [r.get("text") for r in replies if r.get("text")]
    if not replies:
        return "empty reply"
    if len(texts) == len(expected) and all(domain.matches(n, t) for t, n in zip(texts, expected)):
        return ""
    # Name what came instead (or quote its start), so the error says what went wrong.
    got = [domain.which(t) or repr(t[:40]) for t in texts]
    return f"expected {list(expected)}, got {got}"


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> List[Dict]:
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return await response.json()


async def _learner(session, url: str, domain: Domain, conversations: Iterator[List[Say]], prefix: str,
                   begin: float, end: float, warm_until: float, out: List[Sample]) -> None:
    for conversation in conversations:
        sender = f"{prefix}-{uuid.uuid4().hex[:10]}"
        for say in conversation:
            if time.monotonic() >= end:
                return
            start = time.monotonic()
            try:
                error = check_reply(await send(session, url, sender, say.text), say.expect, domain)
            except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:120]
            finished = time.monotonic()
            if start >= warm_until and finished <= end:
                out.append(Sample(start - warm_until, finished - start, not error, say.label, error))
            if error:
                break  # a broken conversation cannot go on meaningfully: start a new one


async def run_load(rasa_url: str, domain: Domain, learner: Callable[[int], Iterator[List[Say]]], users: int,
                   duration: float, warmup: float, timeout: float = 30.0, prefix: str = "bench") -> LoadResult:
    url = f"{rasa_url.rstrip('/')}/webhooks/rest/webhook"
    connector = aiohttp.TCPConnector(limit=users, force_close=False)
    samples: List[Sample] = []
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        begin = time.monotonic()
        warm_until = begin + warmup
        end = warm_until + duration
        await asyncio.gather(*(_learner(session, url, domain, learner(i * 7919), f"{prefix}{users}u{i}",
                                        begin, end, warm_until, samples) for i in range(users)))
    return LoadResult(users, duration, samples)


async def run_sequence(rasa_url: str, domain: Domain, said: List[Say], sender: Optional[str] = None,
                       timeout: float = 30.0) -> List[Sample]:
    """One sender, one message after the other (the long conversation)."""
    url = f"{rasa_url.rstrip('/')}/webhooks/rest/webhook"
    sender = sender or f"long-{uuid.uuid4().hex[:10]}"
    samples: List[Sample] = []
    begin = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        for say in said:
            start = time.monotonic()
            try:
                error = check_reply(await send(session, url, sender, say.text), say.expect, domain)
            except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:120]
            samples.append(Sample(start - begin, time.monotonic() - start, not error, say.label, error))
    return samples
