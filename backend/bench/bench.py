"""`make -C backend bench`: submissions per second and latency percentiles, on SQLite and PostgreSQL.

For each database: an empty database, migrated, with the synthetic register loaded (so every
submission pays for its identity pre-check), one backend process on a free loopback port, a
warm-up, then N submissions from C concurrent clients. Writes reports/backend-bench.json and .md.

The load generator runs on the same machine as the service (and the database), so the figures
are a floor for what the service does on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

# support (backend/tests) and testkit (the repository root) come on PYTHONPATH from the Makefile.
from support import BackendServer, Keys, person
from testkit.postgres import postgres

BACKEND = Path(__file__).resolve().parents[1]
REPO = BACKEND.parent


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


async def load(server: BackendServer, count: int, concurrency: int) -> dict:
    bodies = [person() for _ in range(count)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    queue: asyncio.Queue = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=server.base_url, timeout=60, limits=limits, headers={"Authorization": f"Bearer {server.keys.actions}"}
    ) as client:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                body = queue.get_nowait()
                started = time.perf_counter()
                try:
                    response = await client.post(
                        "/v1/requests", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
                    )
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        wall = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - wall
    return {
        "requests": count,
        "concurrency": concurrency,
        "seconds": round(wall, 3),
        "submissions_per_second": round(statuses.get(201, 0) / wall, 1),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50), 2),
            "p95": round(percentile(latencies, 0.95), 2),
            "p99": round(percentile(latencies, 0.99), 2),
            "mean": round(statistics.fmean(latencies), 2),
            "max": round(max(latencies), 2),
        },
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "transport_errors": errors,
    }


def run_one(kind: str, database_url: str, workdir: Path, keys: Keys, args) -> dict:
    server = BackendServer(f"bench-{kind}", database_url, keys, workdir, workdir / "empty.env")
    server.migrate()
    register = workdir / "register.csv"
    if not register.exists():
        server.cli("generate-register", "--output", str(register), "--count", "250")
    server.cli("load-register", str(register))
    server.start()
    try:
        asyncio.run(load(server, args.warmup, args.concurrency))
        result = asyncio.run(load(server, args.requests, args.concurrency))
        # What one learner waits for when the service is otherwise idle.
        result["single_client"] = asyncio.run(load(server, args.single_requests, 1))
        result["rows_after"] = server.count_rows()
    finally:
        server.stop()
    expected_rows = args.warmup + args.requests + args.single_requests
    if (
        result["statuses"] != {"201": args.requests}
        or result["single_client"]["statuses"] != {"201": args.single_requests}
        or result["rows_after"] != expected_rows
    ):
        raise SystemExit(f"{kind}: not every submission was stored: {result}")
    return result


def markdown(report: dict) -> str:
    lines = [
        "# Backend benchmark",
        "",
        f"Generated {report['generated_at']} by `make -C backend bench` on {report['machine']['cores']} cores, "
        f"Python {report['machine']['python']}. Load generator, service and database share the machine "
        f"(load average before the run: {' / '.join(map(str, report['machine']['load_average_before']))}).",
        "",
        f"{report['settings']['requests']} submissions (POST /v1/requests, register pre-check included) from "
        f"{report['settings']['concurrency']} concurrent clients after {report['settings']['warmup']} warm-up "
        f"requests, then {report['settings']['single_client_requests']} from a single client (what one learner "
        "waits for on an otherwise idle service).",
        "",
        "| database | clients | submissions/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, result in report["results"].items():
        label = f"{kind} ({report['settings']['durability'][kind]})"
        for run in (result, result["single_client"]):
            lat = run["latency_ms"]
            lines.append(
                f"| {label} | {run['concurrency']} | {run['submissions_per_second']} | {lat['p50']} | {lat['p95']} | "
                f"{lat['p99']} | {lat['max']} | {run['transport_errors']} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--single-requests", type=int, default=300, help="sequential submissions from one client")
    parser.add_argument("--output", default=str(REPO / "reports" / "backend-bench"))
    args = parser.parse_args()

    load_before = [round(x, 2) for x in os.getloadavg()]
    keys = Keys(
        actions=secrets.token_urlsafe(24),
        staff=secrets.token_urlsafe(24),
        fernet=Fernet.generate_key().decode(),
        hashing=secrets.token_urlsafe(24),
    )
    results = {}
    with tempfile.TemporaryDirectory(prefix="plr-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "empty.env").write_text("")
        results["sqlite"] = run_one("sqlite", f"sqlite:///{workdir / 'bench.db'}", workdir, keys, args)
        with postgres() as cluster:
            results["postgresql"] = run_one("postgresql", cluster.create_database("bench"), workdir, keys, args)

    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            # Other work on the machine steals CPU from the run: the 1/5/15-minute load averages before it.
            "load_average_before": load_before,
        },
        "settings": {
            "single_client_requests": args.single_requests,
            "requests": args.requests,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "durability": {"sqlite": "WAL, synchronous=FULL", "postgresql": "15, fsync on, synchronous_commit on"},
        },
        "results": results,
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
