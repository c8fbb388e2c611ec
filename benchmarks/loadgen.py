"""Open- and closed-loop HTTP load for the service benchmarks.

Open loop: request i is due at start + i / rate whatever happened to the others (a constant
arrival rate, as clinics' traffic arrives), over a pool of at most `connections` connections.
Latency is measured from the moment a request was *due*, not from when a connection became
free, so a stalled server cannot hide its queue (no coordinated omission).
Closed loop: `clients` loops each send their next request as soon as the last one answered; the
completed requests per second is the maximum throughput.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

Request = tuple[str, str, dict]
"""(method, path, keyword arguments for httpx: json=, headers=, content=)."""


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    bodies: list = field(default_factory=list)
    """The JSON answers of successful requests, when asked for (`keep_json`)."""

    def add(self, status: int, latency_ms: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies_ms.append(latency_ms)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self) -> dict[str, float | int | dict[int, int]]:
        count = len(self.latencies_ms)
        return {
            "requests": count,
            "throughput_per_s": round(count / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "max_ms": round(max(self.latencies_ms), 1) if count else float("nan"),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 1) if count else float("nan"),
            "statuses": dict(sorted(self.statuses.items())),
            "errors": self.errors,
        }


async def _send(client: httpx.AsyncClient, request: Request) -> httpx.Response:
    method, path, kwargs = request
    return await client.request(method, path, **kwargs)


async def open_loop(
    base_url: str,
    requests: list[Request],
    *,
    rate_per_s: float,
    connections: int = 50,
    keep_json: bool = False,
) -> Result:
    """Send `requests` at a constant arrival rate over at most `connections` connections."""
    result = Result()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    gate = asyncio.Semaphore(connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        start = time.perf_counter()

        async def one(i: int, request: Request) -> None:
            due = start + i / rate_per_s
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            async with gate:
                try:
                    response = await _send(client, request)
                except httpx.HTTPError:
                    result.errors += 1
                    return
            result.add(response.status_code, (time.perf_counter() - due) * 1000)
            if keep_json and response.is_success:
                result.bodies.append(response.json())

        await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))
        result.seconds = time.perf_counter() - start
    return result


async def closed_loop(
    base_url: str, next_request: Callable[[], Request | None], *, clients: int = 50
) -> Result:
    """`clients` loops sending back to back until `next_request` returns None."""
    result = Result()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        start = time.perf_counter()

        async def loop() -> None:
            while (request := next_request()) is not None:
                sent = time.perf_counter()
                try:
                    response = await _send(client, request)
                except httpx.HTTPError:
                    result.errors += 1
                    continue
                result.add(response.status_code, (time.perf_counter() - sent) * 1000)

        await asyncio.gather(*(loop() for _ in range(clients)))
        result.seconds = time.perf_counter() - start
    return result
