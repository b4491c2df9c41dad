"""`make bench`: start Tsubame (uvicorn, 2 workers) on a dedicated database, seed it through
the API (persons, departments, and a production of 1,000 shots x 5 task types and 300
assets x 4 with their casting, see tests/bench/production.py), ANALYZE it (as autovacuum
would have done by then on a live database), then measure each scenario
at each concurrency: requests/s, p50/p99 latency, errors, and the CPU used by the load
generator, the server, PostgreSQL and the machine.

    python -m tests.bench.run                 # full run (~6 min, one of them seeding)
    python -m tests.bench.run --quick         # ~2.5 min
    python -m tests.bench.run --quick --shots 0 --scenarios login,persons   # no production
    python -m tests.bench.run --against http://127.0.0.1:5000 -o bench-results-zou.json
    python -m tests.bench.run --baseline bench-results-zou.json   # adds "× baseline" column
    python -m tests.bench.run --show bench-results.json --baseline bench-results-zou.json

Scenarios live in tests/bench/scenarios.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tests.bench.client import CLIENTS, Target
from tests.bench.load import CpuMeter, cpu_count, host_busy, run_scenario
from tests.bench.scenarios import by_name
from tests.bench.seed import cleanup, seed
from tests.bench.server import ROOT, ServerProcess, analyze, bench_settings, postmaster_pid, prepare_database

console = Console()
if not console.is_terminal:  # piped through make/tee: do not squeeze the table into 80 columns
    console = Console(width=180)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.bench.run",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--quick", action="store_true", help="short run (~30 s): 0.25 s warm-up, 2 s per measurement")
    p.add_argument("--duration", type=float, help="measured seconds per scenario and concurrency (default 15)")
    p.add_argument("--warmup", type=float, help="unmeasured seconds before each measurement (default 2)")
    p.add_argument("--max-requests", type=int, help="also stop each measurement after this many requests")
    p.add_argument("--concurrency", default="1,16", help="comma-separated concurrency levels (default 1,16)")
    p.add_argument("--scenarios", help="comma-separated scenario names (default: all)")
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2)")
    p.add_argument(
        "--client",
        choices=sorted(CLIENTS),
        default="aiohttp",
        help="load-generator HTTP client: aiohttp (default) or httpx (cross-check)",
    )
    p.add_argument("--timeout", type=float, default=30.0, help="per-request timeout in seconds")
    p.add_argument("--persons", type=int, default=200, help="persons to seed (default 200)")
    p.add_argument("--departments", type=int, default=5, help="departments to seed (default 5)")
    p.add_argument(
        "--shots", type=int, default=1000, help="shots of the seeded production, 5 tasks each (default 1000; 0: none)"
    )
    p.add_argument(
        "--assets", type=int, default=300, help="assets of the seeded production, 4 tasks each (default 300)"
    )
    p.add_argument("--bcrypt-rounds", type=int, help="BCRYPT_ROUNDS for the started server (default: settings)")
    p.add_argument("--against", metavar="URL", help="benchmark this running server instead of starting one")
    p.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="with --against: a local pid of the server (its children count too), for the cpu column",
    )
    p.add_argument("--postgres-pid", type=int, help="with --against: the local postmaster pid of its database")
    p.add_argument(
        "--keep-seed", action="store_true", help="with --against: keep the seeded rows (default: delete them)"
    )
    p.add_argument("--email", default="admin@example.com", help="admin email (default admin@example.com)")
    p.add_argument("--password", default="mysecretpassword", help="admin password")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=ROOT / "var" / "bench",
        help="data dir of the started server (embedded PostgreSQL lives here)",
    )
    p.add_argument("-o", "--output", type=Path, default=Path("bench-results.json"), help="JSON results path")
    p.add_argument("--baseline", type=Path, help="results JSON of another run: adds a req/s ratio column")
    p.add_argument("--show", type=Path, metavar="RESULTS", help="only print the table of a saved results JSON")
    args = p.parse_args(argv)
    if args.duration is None:
        args.duration = 2.0 if args.quick else 15.0
    if args.warmup is None:
        args.warmup = 0.25 if args.quick else 2.0
    args.concurrency_levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    return args


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "") if out.returncode == 0 else None
    except OSError:
        return None


async def measure(args, target: Target, meter: CpuMeter, meta: dict, database_url: str | None = None) -> list[dict]:
    started = time.perf_counter()
    ctx, seeding = await seed(
        target.base_url, args.email, args.password, args.persons, args.departments, args.shots, args.assets
    )
    meta["seeding"] = {**seeding, "seconds": round(time.perf_counter() - started, 2)}
    if database_url is not None:  # our own server: its database gets the statistics of what was seeded
        meta["seeding"]["analyze_seconds"] = round(await analyze(database_url), 2)
    if seeding["errors"]:
        console.print(f"[yellow]seeding: {len(seeding['errors'])} error(s), first: {seeding['errors'][0]}[/]")
    console.print(
        f"seeded in {meta['seeding']['seconds']} s: {seeding['bench_persons']} bench persons "
        f"({seeding['persons_total']} in all), {len(ctx.department_ids)} bench departments, "
        f"{seeding['task_types_total']} task types"
        + (
            f", production of {len(ctx.shot_ids)} shots and {len(ctx.asset_ids)} assets"
            f" ({seeding.get('tasks_created', 0)} tasks created)"
            if ctx.project_id
            else ""
        )
        + (f"; ANALYZE in {meta['seeding']['analyze_seconds']} s" if "analyze_seconds" in meta["seeding"] else "")
    )
    connection_cls = CLIENTS[args.client]
    results = []
    created = seeding.pop("created")
    try:
        for scenario in by_name(args.scenarios):
            if scenario.production and not ctx.shot_ids:
                console.print(f"[yellow]  {scenario.name}: skipped, no production was seeded[/]")
                continue
            if scenario.workflow and not (
                ctx.task_ids and ctx.artist_token and ctx.crowded_task_id and ctx.empty_preview_ids
            ):
                console.print(f"[yellow]  {scenario.name}: skipped, the daily-work data could not be seeded[/]")
                continue
            for concurrency in args.concurrency_levels:
                run = await run_scenario(
                    scenario,
                    ctx,
                    target,
                    connection_cls,
                    concurrency=concurrency,
                    duration=args.duration,
                    warmup=args.warmup,
                    request_timeout=args.timeout,
                    max_requests=args.max_requests,
                    meter=meter,
                )
                row = run.as_dict()
                results.append(row)
                cpu = row["cpu_cores"]
                console.print(
                    f"  {scenario.name:<14} c={concurrency:<3} {row['rps']:>8.1f} req/s"
                    f"  p50 {_fmt(row['p50_ms'], 2)} ms  p99 {_fmt(row['p99_ms'], 2)} ms  errors {row['errors']}"
                    f"  cpu: gen {_fmt(cpu['generator'], 2)} server {_fmt(cpu['server'], 2)}"
                    f" pg {_fmt(cpu['postgres'], 2)} machine {_fmt(cpu['machine'], 2)}"
                )
    finally:
        if args.against and created and not args.keep_seed:
            failures = await cleanup(target.base_url, ctx.token, created)
            meta["seeding"]["cleanup_failures"] = failures
            console.print(f"deleted {len(created) - len(failures)}/{len(created)} seeded rows from {target.base_url}")
            for failure in failures[:3]:
                console.print(f"[yellow]  {failure}[/]")
    return results


def _fmt(v, digits: int = 1) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def print_table(results: list[dict], meta: dict, baseline: dict | None) -> None:
    title = (
        f"{meta['target']} @ {meta['url']} ({meta['workers'] or '?'} workers, {meta['cpus']} CPUs, "
        f"{meta['duration_s']} s per row, client {meta['client']})"
    )
    table = Table(title=title, title_justify="left")
    for name in (
        "scenario",
        "conc",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p99 ms",
        "avg bytes",
        "cpu gen",
        "cpu server",
        "cpu pg",
        "cpu other",
        "cpu machine",
    ):
        table.add_column(name, justify="left" if name == "scenario" else "right")
    base = {(r["scenario"], r["concurrency"]): r for r in (baseline or {}).get("results", [])}
    if baseline:
        table.add_column(f"× {baseline['meta']['target']}", justify="right")
    cpus = meta["cpus"]
    for r in results:
        cpu = r["cpu_cores"]
        hot = "[red]" if cpu["generator"] >= 0.9 else ""
        row = [
            r["scenario"],
            str(r["concurrency"]),
            str(r["requests"]),
            f"[red]{r['errors']}[/]" if r["errors"] else "0",
            _fmt(r["rps"]),
            _fmt(r["p50_ms"], 2),
            _fmt(r["p99_ms"], 2),
            str(r["avg_bytes"]),
            f"{hot}{_fmt(cpu['generator'], 2)}",
            _fmt(cpu["server"], 2),
            _fmt(cpu["postgres"], 2),
            _fmt(cpu["other"], 2),
            f"{_fmt(cpu['machine'], 2)}/{cpus}",
        ]
        if baseline:
            other = base.get((r["scenario"], r["concurrency"]))
            if other and (other["errors"] or r["errors"]):
                row.append("n/a: errors")  # a ratio against failing requests means nothing
            else:
                row.append(f"{r['rps'] / other['rps']:.2f}" if other and other["rps"] else "-")
        table.add_row(*row)
    console.print(table)
    console.print(
        "cpu columns: average cores busy during the measured window (1.00 = one core). "
        "'server' = uvicorn supervisor + workers (blank with --against unless "
        f"--server-pid), 'pg' = {meta['postgres_cpu_scope']}, "
        "'other' = the rest of the host (other jobs competing for the CPUs), "
        f"'machine' = whole host out of {cpus}. A generator near 1.00 means the client, "
        "not the server, was the limit."
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    baseline = json.loads(args.baseline.read_text()) if args.baseline else None
    if args.show:
        saved = json.loads(args.show.read_text())
        print_table(saved["results"], saved["meta"], baseline)
        return 0
    # make SIGTERM/SIGHUP unwind through `finally` so the server is always killed
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run

    meta = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "python": platform.python_version(),
        "cpus": cpu_count(),
        "client": args.client,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "concurrency": args.concurrency_levels,
        "persons": args.persons,
    }
    server: ServerProcess | None = None
    t0 = time.perf_counter()
    try:
        database_url = None
        if args.against:
            target = Target(args.against)
            meta.update(target="external", url=target.base_url, workers=None)
            server_pids, pg_pid = args.server_pid, args.postgres_pid
        else:
            console.print("preparing the tsubame_bench database…")
            settings = bench_settings(args.data_dir, args.email, args.password, args.bcrypt_rounds)
            prepare_database(settings)
            server = ServerProcess(settings, args.workers, args.data_dir / "server.log")
            server.start()
            target = Target(server.base_url)
            server_pids, pg_pid = [server.proc.pid], postmaster_pid(settings.database_url)
            database_url = settings.database_url
            meta.update(
                target="tsubame",
                url=target.base_url,
                workers=args.workers,
                bcrypt_rounds=settings.bcrypt_rounds,
                database=("DATABASE_URL server" if os.environ.get("DATABASE_URL") else "embedded") + " / tsubame_bench",
            )
            console.print(
                f"tsubame serving on {target.base_url} (pids {server.pids()}), "
                f"ready after {time.perf_counter() - t0:.1f} s"
            )
        meter = CpuMeter(server_pids, pg_pid)
        meta["postgres_cpu_scope"] = meter.postgres_scope
        meta["host_busy_before"] = round(host_busy(1.0), 2)
        if meta["host_busy_before"] > 0.25:
            console.print(
                f"[yellow]the host was already busy ({meta['host_busy_before']:.2f} cores) before the benchmark: "
                "expect noisy numbers (see the 'cpu other' column)[/]"
            )
        results = runner(measure(args, target, meter, meta, database_url))
        if args.against:
            meta["target"] = str(meta.get("seeding", {}).get("server", {}).get("api") or "external").lower()
    finally:
        if server is not None:
            server.stop()
    meta["total_seconds"] = round(time.perf_counter() - t0, 1)
    print_table(results, meta, baseline)
    args.output.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    errors = sum(r["errors"] for r in results)
    console.print(f"wrote {args.output} ({meta['total_seconds']} s in all, {errors} error(s))")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
