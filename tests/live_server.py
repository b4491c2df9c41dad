"""A real uvicorn server on a free 127.0.0.1 port, for end-to-end tests with real clients.

The server runs `create_app(settings)` in a background thread with its own event loop and
its own engine (created in the app's lifespan) on the test database. It does not share the
per-test transaction: what it writes is committed, so tests must use unique names and clean up.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.main import create_app

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "mysecretpassword"


def unique(prefix: str) -> str:
    """A name no other run used: what the live server writes is committed."""
    return f"{prefix} {uuid.uuid4().hex[:12]}"


@contextmanager
def gazu_logged_in(url: str, *, cache: bool = True) -> Iterator[None]:
    """The `gazu` client pointed at `url` and logged in as the admin (its cache off unless
    `cache`); logged out and pointed back where it was afterwards."""
    import gazu

    previous = gazu.client.get_host()
    gazu.set_host(url)
    gazu.log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    if not cache:
        gazu.cache.disable()
    try:
        yield
    finally:
        gazu.log_out()
        gazu.client.set_tokens({})
        gazu.set_host(previous)


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))  # bound before the thread starts: no port race
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, name="live-uvicorn", daemon=True
        )

    def start(self, timeout: float = 20.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.thread.is_alive():
                raise RuntimeError("the live server thread exited during startup")
            if self.server.started:
                try:
                    if httpx.get(self.url + "/", timeout=1.0).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the live server did not answer on {self.url} within {timeout}s")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture(scope="session")
async def live_server(settings: Settings, engine) -> AsyncIterator[LiveServer]:
    """A server on its own database (`<test db>_live`): what it commits never reaches the
    transactional tests, which therefore see the same data whatever order they run in."""
    from conftest import drop_database, prepare_database, with_database

    url = with_database(settings.database_url, f"{make_url(settings.database_url).database}_live")
    live_settings = settings.model_copy(update={"database_url": url})
    live_engine = await prepare_database(url, live_settings)
    await live_engine.dispose()
    server = LiveServer(live_settings)
    server.start()
    yield server
    server.stop()
    await drop_database(url)
