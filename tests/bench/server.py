"""A throw-away Tsubame server for the benchmark: dedicated database, uvicorn subprocess."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "tsubame_bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_url(data_dir: Path) -> str:
    """The PostgreSQL server to use: DATABASE_URL if set, else the embedded one under data_dir."""
    from app.core.database import database_url

    settings = Settings(database_url=os.environ.get("DATABASE_URL") or None, data_dir=data_dir)
    return database_url(settings)  # normalised to postgresql+asyncpg://, starts the embedded server if needed


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _recreate_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main pid when it runs on this host (a backend's parent), else None."""
    import asyncpg
    import psutil

    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        backend = await conn.fetchval("SELECT pg_backend_pid()")
        try:
            proc = psutil.Process(backend)
            parent = proc.parent()
            if parent is not None and "postgres" in proc.name() and "postgres" in parent.name():
                return parent.pid
        except psutil.Error:
            pass
        return None
    finally:
        await conn.close()


def postmaster_pid(url: str) -> int | None:
    return asyncio.run(_postmaster_pid(url))


async def analyze(url: str) -> float:
    """ANALYZE the whole database; returns the seconds it took.

    Seeding writes thousands of rows in a minute; autovacuum would analyze them later, at a
    moment of its own, in the middle of a measurement. Until then the planner works from the
    statistics of near-empty tables, and plans cached on them by the server's connections
    stay (ANALYZE invalidates them). Measured scenarios should meet a database in its steady
    state, as a production's is."""
    import asyncpg

    started = time.perf_counter()
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - started


def prepare_database(settings: Settings) -> None:
    """Fresh schema, default data and the admin account (what `tsubame setup` does)."""
    from app.core.database import make_engine, make_sessionmaker
    from app.core.migrations import upgrade
    from app.domain.setup import ensure_admin, init_data

    upgrade(settings.database_url)

    async def seed() -> None:
        engine = make_engine(settings.database_url, pool_size=1)
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                await init_data(session)
                await ensure_admin(session, settings, settings.admin_email, settings.admin_password)
        finally:
            await engine.dispose()

    asyncio.run(seed())


def bench_settings(data_dir: Path, email: str, password: str, bcrypt_rounds: int | None) -> Settings:
    """Create the dedicated `tsubame_bench` database (dropped first: every run starts clean)."""
    base = server_url(data_dir)
    asyncio.run(_recreate_database(base, BENCH_DB))
    url = make_url(base).set(database=BENCH_DB).render_as_string(hide_password=False)
    extra = {"bcrypt_rounds": bcrypt_rounds} if bcrypt_rounds else {}
    return Settings(
        database_url=url,
        data_dir=data_dir,
        admin_email=email,
        admin_password=password,
        secret_key="bench-secret-key-which-is-long-enough-for-hs256",
        **extra,
    )


class ServerProcess:
    """`uvicorn app.main:app` in its own process group; `stop()` kills the whole group."""

    def __init__(self, settings: Settings, workers: int, log_path: Path) -> None:
        self.settings = settings
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.settings.database_url,
            DATA_DIR=str(self.settings.data_dir),
            SECRET_KEY=self.settings.secret_key,
            BCRYPT_ROUNDS=str(self.settings.bcrypt_rounds),
            ADMIN_EMAIL=self.settings.admin_email,
            ADMIN_PASSWORD=self.settings.admin_password,
        )
        env.pop("REDIS_URL", None)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115 - handed to the child
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode}; see {self.log_path}:\n"
                    + self.log_path.read_text()[-3000:]
                )
            try:
                # every worker must be up: a few answers in a row are a good enough sign
                if all(httpx.get(self.base_url + "/", timeout=2).status_code == 200 for _ in range(4)):
                    if len(self.pids()) > self.workers:  # supervisor + workers
                        return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout}s; see {self.log_path}")

    def pids(self) -> list[int]:
        import psutil

        if self.proc is None:
            return []
        try:
            parent = psutil.Process(self.proc.pid)
            return [parent.pid] + [p.pid for p in parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is the server's pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass
        finally:
            try:  # stragglers (workers that outlived the supervisor)
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
