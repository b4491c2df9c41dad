"""Test fixtures: a real PostgreSQL, the real app, one logged-in client per role.

The schema is migrated once per run. Each test runs inside a transaction that is
rolled back at the end; the app's request sessions join it through savepoints, so
a request that fails rolls back only its own work, as in production.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.core.config import Settings
from app.core.database import embedded_url, make_engine
from app.core.migrations import upgrade_on
from app.domain.auth import issue_tokens
from app.domain.permissions import ROLES
from app.main import create_app

ROOT = Path(__file__).resolve().parents[1]


def server_url() -> str:
    """The PostgreSQL server the tests use: TEST_DATABASE_URL, or the embedded one."""
    from app.core.database import database_url

    url = os.environ.get("TEST_DATABASE_URL")
    return database_url(Settings(database_url=url)) if url else embedded_url(ROOT / "var" / "test")


def with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


# One database per test process, so parallel runs (developers, CI, helpers) never collide.
TEST_DB = f"tsubame_test_{os.getpid()}"


async def _admin_execute(statement: str) -> None:
    admin = make_engine(server_url(), pool_size=1, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return Settings(
        database_url=with_database(server_url(), TEST_DB),
        data_dir=tmp_path_factory.mktemp("data"),
        secret_key="test-secret-key-which-is-long-enough-for-hs256",
        bcrypt_rounds=4,
        admin_email="admin@example.com",
        admin_password="mysecretpassword",
    )


async def prepare_database(url: str, settings: Settings) -> AsyncEngine:
    """Create the database afresh, migrate it, load the default data and one person per role."""
    from sqlalchemy.engine import make_url

    from app.core.database import make_sessionmaker
    from app.domain.setup import init_data

    name = make_url(url).database
    await _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin_execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(url, pool_size=5)
    async with engine.connect() as conn:
        await conn.run_sync(upgrade_on)
        await conn.commit()
    async with make_sessionmaker(engine)() as session, session.begin():
        await init_data(session)
        await seed_people(session, settings)
    return engine


async def drop_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    await _admin_execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = await prepare_database(settings.database_url, settings)
    yield engine
    await engine.dispose()
    await drop_database(settings.database_url)


PEOPLE: dict[str, str] = {}  # role -> person id, filled once per run


async def seed_people(session: AsyncSession, settings: Settings) -> None:
    """One person per role; PEOPLE keeps the ids of the main test database's ones."""
    from app.core.security import hash_password
    from app.repositories.crud import TableRepository
    from app.repositories.tables.people import Person

    repo = TableRepository(session, Person.__table__)
    password = await hash_password("mysecretpassword", settings.bcrypt_rounds)
    for role in ROLES:
        row = await repo.insert(
            {
                "first_name": role.title(),
                "last_name": "Tester",
                "email": f"{role}@example.com",
                "role": role,
                "password": password,
                "timezone": "Europe/Paris",
                "locale": "en_US",
            }
        )
        PEOPLE.setdefault(role, row["id"])


@pytest.fixture
async def conn(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        trans = await conn.begin()
        yield conn
        await trans.rollback()


@pytest.fixture
async def db(conn: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """A session inside the test's transaction, for arranging data and checking results."""
    async with AsyncSession(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
        yield session


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def queries(engine: AsyncEngine) -> QueryCounter:
    counter = QueryCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine.sync_engine, "before_cursor_execute", counter)


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine, conn: AsyncConnection):
    application = create_app(settings, engine=engine)

    # Request sessions join the test's transaction through savepoints. (Routes are added flat,
    # so dependency_overrides would not reach them: the app's own session factory is replaced.)
    application.state.sessionmaker = lambda: AsyncSession(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return application


def _client(app, token: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers)


def token_for(settings: Settings, person_id: str) -> str:
    return issue_tokens(settings, person_id)[0]


@pytest.fixture
async def anon(app) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app) as client:
        yield client


def _role_fixture(role: str):
    @pytest.fixture
    async def fixture(app, settings, engine) -> AsyncIterator[httpx.AsyncClient]:
        async with _client(app, token_for(settings, PEOPLE[role])) as client:
            client.person_id = PEOPLE[role]
            yield client

    return fixture


as_admin = _role_fixture("admin")
as_manager = _role_fixture("manager")
as_supervisor = _role_fixture("supervisor")
as_artist = _role_fixture("user")
as_client = _role_fixture("client")
as_vendor = _role_fixture("vendor")


@pytest.fixture
def client_for(app, settings):
    """Build a logged-in client for any person id: `async with client_for(pid) as c:`."""

    def make(person_id: str) -> httpx.AsyncClient:
        client = _client(app, token_for(settings, person_id))
        client.person_id = person_id
        return client

    return make


@pytest.fixture
def people() -> dict[str, str]:
    return PEOPLE


@pytest.fixture
def make(db: AsyncSession):
    """Builders for test data (see tests/factories.py): `await make.project(team=[...])`."""
    from factories import Factory

    return Factory(db)
