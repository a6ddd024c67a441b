"""200 concurrent submissions, 50 of them repeating an earlier Idempotency-Key: exactly 150 rows."""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict

import httpx

from support import new_key, person


async def fire(base_url: str, key: str, jobs: list[tuple[str, dict]]) -> list[object]:
    limits = httpx.Limits(max_connections=len(jobs), max_keepalive_connections=len(jobs))
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60, limits=limits
    ) as client:
        start = asyncio.Event()

        async def one(idem: str, body: dict):
            await start.wait()
            return await client.post("/v1/requests", json=body, headers={"Idempotency-Key": idem})

        tasks = [asyncio.create_task(one(idem, body)) for idem, body in jobs]
        await asyncio.sleep(0.05)
        start.set()  # release all 200 at once
        return await asyncio.gather(*tasks, return_exceptions=True)


def test_200_concurrent_submissions_with_50_repeats_store_150(fresh_backend):
    originals = [(new_key(), person()) for _ in range(150)]
    jobs = originals + [originals[i] for i in random.Random(1).sample(range(150), 50)]
    random.Random(2).shuffle(jobs)  # some repeats race ahead of their original

    results = asyncio.run(fire(fresh_backend.base_url, fresh_backend.keys.actions, jobs))

    errors = [r for r in results if not isinstance(r, httpx.Response)]
    assert errors == []
    statuses = Counter(r.status_code for r in results)
    assert statuses == {201: 150, 200: 50}, {s: [r.text for r in results if r.status_code == s][:2] for s in statuses}
    references = defaultdict(set)
    for (idem, _), response in zip(jobs, results, strict=False):
        references[idem].add(response.json()["reference"])
    assert len(references) == 150
    assert all(len(refs) == 1 for refs in references.values())
    assert len({next(iter(refs)) for refs in references.values()}) == 150

    assert fresh_backend.count_rows("requests") == 150
    assert fresh_backend.count_rows("audit_events") == 150
    with fresh_backend.client("staff") as staff:
        page = staff.get("/v1/requests", params={"limit": 200}).json()
    assert len(page["items"]) == 150 and page["next_cursor"] is None
