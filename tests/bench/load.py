"""Closed-loop load: `concurrency` virtual users, each on its own keep-alive connection,
send requests back to back for a fixed duration (after a warm-up that is not measured).
CPU use of the generator, the server processes, PostgreSQL and the whole machine is
sampled around the measured window so a reader can tell who was saturated.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import resource
import time
from collections import Counter
from dataclasses import dataclass, field

import psutil

from tests.bench.client import Target, prepare_request
from tests.bench.scenarios import Context, Scenario


class CpuMeter:
    """CPU seconds used by: this process (the generator), the server (root pids and their
    children), PostgreSQL (the postmaster and its children when known, else every visible
    `postgres` process) and the machine as a whole."""

    def __init__(self, server_pids: list[int], postmaster_pid: int | None = None) -> None:
        self.server_roots = [p for p in (self._proc(pid) for pid in server_pids) if p is not None]
        self.postmaster = self._proc(postmaster_pid) if postmaster_pid else None
        self.postgres_scope = "bench cluster" if self.postmaster else "all visible postgres processes"

    @staticmethod
    def _proc(pid: int) -> psutil.Process | None:
        try:
            return psutil.Process(pid)
        except psutil.Error:
            return None

    @staticmethod
    def _tree(roots: list[psutil.Process]) -> dict[int, float]:
        out = {}
        for root in roots:
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
            for proc in procs:
                try:
                    t = proc.cpu_times()
                except psutil.Error:
                    continue
                out[proc.pid] = t.user + t.system
        return out

    def _postgres(self) -> dict[int, float]:
        if self.postmaster is not None:
            return self._tree([self.postmaster])
        out = {}
        for proc in psutil.process_iter(["name", "cpu_times"]):
            info = proc.info
            if info["name"] and info["name"].startswith("postgres") and info["cpu_times"] is not None:
                out[proc.pid] = info["cpu_times"].user + info["cpu_times"].system
        return out

    @staticmethod
    def machine_busy() -> float:
        machine = psutil.cpu_times()
        return sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)

    def snapshot(self) -> dict:
        own = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "wall": time.perf_counter(),
            "generator": own.ru_utime + own.ru_stime,
            "server": self._tree(self.server_roots),
            "postgres": self._postgres(),
            "machine_busy": self.machine_busy(),
        }

    def cores(self, before: dict, after: dict) -> dict[str, float | None]:
        """Average cores busy over the window (1.0 = one core fully used)."""
        wall = after["wall"] - before["wall"]

        def per_pid(key: str) -> float:
            return sum(v - before[key].get(pid, 0.0) for pid, v in after[key].items())

        generator = (after["generator"] - before["generator"]) / wall
        server = per_pid("server") / wall if self.server_roots else None
        postgres = per_pid("postgres") / wall
        machine = (after["machine_busy"] - before["machine_busy"]) / wall
        return {
            "generator": round(generator, 3),
            "server": None if server is None else round(server, 3),
            "postgres": round(postgres, 3),
            "other": round(max(0.0, machine - generator - (server or 0.0) - postgres), 3),
            "machine": round(machine, 3),
        }


@dataclass
class RunResult:
    scenario: str
    concurrency: int
    duration_s: float = 0.0
    requests: int = 0
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    latencies_ns: list[int] = field(default_factory=list)
    bytes_total: int = 0
    cpu: dict = field(default_factory=dict)

    def percentile(self, q: float) -> float | None:
        if not self.latencies_ns:
            return None
        ordered = sorted(self.latencies_ns)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] / 1e6

    def as_dict(self) -> dict:
        n = len(self.latencies_ns)
        return {
            "scenario": self.scenario,
            "concurrency": self.concurrency,
            "duration_s": round(self.duration_s, 3),
            "requests": self.requests,
            "errors": self.errors,
            "statuses": dict(self.statuses),
            "rps": round(self.requests / self.duration_s, 1) if self.duration_s else 0.0,
            "p50_ms": _round(self.percentile(0.50)),
            "p90_ms": _round(self.percentile(0.90)),
            "p99_ms": _round(self.percentile(0.99)),
            "max_ms": _round(max(self.latencies_ns) / 1e6 if n else None),
            "mean_ms": _round(sum(self.latencies_ns) / n / 1e6 if n else None),
            "avg_bytes": round(self.bytes_total / self.requests) if self.requests else 0,
            "cpu_cores": self.cpu,
        }


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 3)


async def run_scenario(
    scenario: Scenario,
    ctx: Context,
    target: Target,
    connection_cls,
    *,
    concurrency: int,
    duration: float,
    warmup: float,
    request_timeout: float,
    max_requests: int | None,
    meter: CpuMeter,
) -> RunResult:
    token = (ctx.artist_token if scenario.as_artist else ctx.token) if scenario.auth else None
    fixed = None
    if scenario.cacheable:
        call = scenario.make(ctx, 0)
        fixed = prepare_request(target, call.method, call.path, call.body, token)
    expect = frozenset(scenario.expect)
    sequence = itertools.count()
    result = RunResult(scenario.name, concurrency)
    connections = [connection_cls(target, request_timeout) for _ in range(concurrency)]
    # Users never pause between warm-up and measurement (an idle gap would let keep-alive
    # connections expire and bias the first measured requests). A request counts when it
    # completes inside the measured window, between the two CPU snapshots.
    measuring = stopping = False
    enough = asyncio.Event()
    budget = max_requests or 1 << 62

    async def user(conn) -> None:
        perf_ns = time.perf_counter_ns
        latencies = result.latencies_ns
        statuses = result.statuses
        while not stopping:
            i = next(sequence)
            if fixed is not None:
                req = fixed
            else:
                call = scenario.make(ctx, i)
                req = prepare_request(target, call.method, call.path, call.body, token)
            t0 = perf_ns()
            try:
                status, size = await conn.request(req)
                key = str(status)
            except Exception as exc:  # every failure (status, I/O, timeout) is counted, none is fatal
                status, size, key = -1, 0, type(exc).__name__
            if not measuring:
                continue
            latencies.append(perf_ns() - t0)
            result.requests += 1
            result.bytes_total += size
            statuses[key] += 1
            if status not in expect:
                result.errors += 1
            if result.requests >= budget:
                enough.set()

    tasks = [asyncio.create_task(user(c)) for c in connections]
    try:
        await asyncio.sleep(warmup)
        before = meter.snapshot()
        measuring = True
        try:
            await asyncio.wait_for(enough.wait(), duration)
        except TimeoutError:
            pass
        measuring = False
        after = meter.snapshot()
        result.duration_s = after["wall"] - before["wall"]
        result.cpu = meter.cores(before, after)
    finally:
        # let in-flight requests finish (uncounted) so that their work does not spill into the next run
        stopping = True
        await asyncio.wait(tasks, timeout=request_timeout)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)
    return result


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def host_busy(seconds: float = 1.0) -> float:
    """Cores busy on the host over `seconds` while we do nothing: a noise check before measuring."""
    before, t0 = CpuMeter.machine_busy(), time.perf_counter()
    time.sleep(seconds)
    return (CpuMeter.machine_busy() - before) / (time.perf_counter() - t0)
