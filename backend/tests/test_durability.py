"""SIGKILL in the middle of a burst, restart: every acknowledged request is still there."""

from __future__ import annotations

import asyncio

import httpx

from support import new_key, person

BURST = 400
CONCURRENCY = 32
KILL_AFTER_ACKS = 80


async def burst_until_killed(server, jobs):
    acked: dict[str, str] = {}
    failed: list[str] = []
    killed = asyncio.Event()
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async with httpx.AsyncClient(
        base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {server.keys.actions}"}
    ) as client:

        async def worker():
            while not queue.empty():
                idem, body = queue.get_nowait()
                try:
                    response = await client.post("/v1/requests", json=body, headers={"Idempotency-Key": idem})
                except httpx.TransportError:
                    failed.append(idem)
                    continue
                if response.is_success:
                    acked[idem] = response.json()["reference"]
                    if len(acked) >= KILL_AFTER_ACKS and not killed.is_set():
                        killed.set()
                        server.kill()  # SIGKILL to the process group: no shutdown, no flush
                else:
                    failed.append(idem)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return acked, failed


def test_acknowledged_requests_survive_sigkill(fresh_backend):
    server = fresh_backend
    jobs = [(new_key(), person()) for _ in range(BURST)]
    acked, failed = asyncio.run(burst_until_killed(server, jobs))
    assert not server.service.alive()
    assert len(acked) >= KILL_AFTER_ACKS
    assert failed, "the kill should have interrupted requests in flight"

    server.start()
    with server.client("staff") as staff, server.client("actions") as actions:
        for reference in acked.values():
            assert staff.get(f"/v1/requests/{reference}").status_code == 200, reference
        # The action server's outbox would now retry what was not acknowledged, with the same keys.
        for idem, body in jobs:
            response = actions.post("/v1/requests", json=body, headers={"Idempotency-Key": idem})
            assert response.status_code in (200, 201), response.text
            if idem in acked:
                assert (response.status_code, response.json()["reference"]) == (200, acked[idem])
    assert server.count_rows("requests") == BURST  # nothing lost, nothing doubled
