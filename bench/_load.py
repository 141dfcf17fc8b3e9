"""Simulated wall viewers on asyncio: each replays the page's interval callbacks on its own
keep-alive connection, so a thousand viewers cost the load generator little of the machine."""
from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import psutil


@dataclass
class Payload:
    """One interval callback as the browser sends it, and how often it fires."""

    body: dict
    period_s: float
    name: str
    query: str = ""  # Dash 4 tags callback requests with ?endId=...
    fired: int = 1  # times it was seen sent while the page was watched


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    hits: int = 0  # answers the render cache served (X-Render-Cache: hit)


def _request(host: str, token: str, payload: Payload, tick: int) -> bytes:
    body = json.loads(json.dumps(payload.body))
    for arg in body.get("inputs", []):
        if isinstance(arg, dict) and arg.get("property") == "n_intervals":
            arg["value"] = tick  # every viewer's interval count is its own
    data = json.dumps(body).encode()
    head = (f"POST /_dash-update-component{payload.query} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n")
    return head.encode() + data


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
    await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("x-render-cache") == "hit"


async def _viewer(host: str, port: int, token: str, payloads: list[Payload], until: float,
                  run: Run, measure_from: list[float]) -> None:
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    start = time.monotonic()
    due = [start + random.uniform(0, p.period_s) for p in payloads]
    ticks = [random.randint(1, 1000) for _ in payloads]
    while True:
        i = min(range(len(due)), key=due.__getitem__)
        wait = due[i] - time.monotonic()
        if due[i] >= until:
            break
        if wait > 0:
            await asyncio.sleep(wait)
        ticks[i] += 1
        t0 = time.monotonic()
        ok, hit, status = False, False, 0
        try:
            if conn is None:
                conn = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
            conn[1].write(_request(f"{host}:{port}", token, payloads[i], ticks[i]))
            status, hit = await asyncio.wait_for(_answer(conn[0]), 10)
            ok = status in (200, 204)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            if conn is not None:
                conn[1].close()
            conn = None
        if t0 >= measure_from[0]:
            run.latencies_ms.append((time.monotonic() - t0) * 1000)
            run.errors += 0 if ok else 1
            run.statuses[status] = run.statuses.get(status, 0) + 1
            run.hits += hit
        due[i] += payloads[i].period_s
    if conn is not None:
        conn[1].close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's workers)."""
    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def load(host: str, port: int, token: str, payloads: list[Payload], viewers: int,
         warmup: float, seconds: float, server_pid: int, db_count: Any) -> dict[str, Any]:
    """`viewers` replay the callbacks for warmup + seconds; only the last `seconds` are measured
    (latency, errors, server CPU of server_pid and its children, db_count() before and after)."""
    run = Run()
    marks: dict[str, float] = {}
    measure_from = [float("inf")]

    async def main() -> None:
        begin = time.monotonic()
        until = begin + warmup + seconds
        tasks = [asyncio.create_task(_viewer(host, port, token, payloads, until, run,
                                             measure_from)) for _ in range(viewers)]
        await asyncio.sleep(warmup)
        measure_from[0] = time.monotonic()
        marks.update(cpu0=cpu_seconds(server_pid), db0=await asyncio.to_thread(db_count),
                     t0=time.monotonic())
        await asyncio.sleep(seconds)
        marks.update(cpu1=cpu_seconds(server_pid), db1=await asyncio.to_thread(db_count),
                     t1=time.monotonic())
        measure_from[0] = float("inf")
        await asyncio.gather(*tasks)

    asyncio.run(main())
    elapsed = marks["t1"] - marks["t0"]
    cpu = marks["cpu1"] - marks["cpu0"]
    return {"viewers": viewers, "requests": len(run.latencies_ms), "latencies": run.latencies_ms,
            "errors": run.errors, "hits": run.hits, "cores": cpu / elapsed,
            "db_per_min": (marks["db1"] - marks["db0"]) / elapsed * 60,
            "cpu_per_viewer_min": cpu / (viewers * elapsed / 60)}
