"""The `tsubame` command: serve, migrate, init-data, create-admin."""

from __future__ import annotations

import asyncio
import secrets

import typer
from rich.console import Console

from app.core.config import get_settings
from app.core.database import database_url, make_engine, make_sessionmaker
from app.core.migrations import upgrade

cli = typer.Typer(help="Tsubame, a fast Zou-compatible production-tracking API.", no_args_is_help=True)
console = Console()


async def _in_transaction(work):
    engine = make_engine(database_url(get_settings()), pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


@cli.command()
def migrate() -> None:
    """Apply the database migrations."""
    upgrade(database_url(get_settings()))
    console.print("[green]database is up to date[/]")


@cli.command("init-data")
def init_data() -> None:
    """Load the default statuses, task types, entity types and departments (idempotent)."""
    from app.domain.setup import init_data as load

    added = asyncio.run(_in_transaction(load))
    console.print(f"default data loaded: {added}")


@cli.command("create-admin")
def create_admin(email: str, password: str = typer.Option(..., "--password", "-p")) -> None:
    """Create an admin account."""
    from app.domain.setup import ensure_admin

    created = asyncio.run(_in_transaction(lambda s: ensure_admin(s, get_settings(), email, password)))
    console.print(f"admin {email} {'created' if created else 'already exists'}")


@cli.command()
def setup() -> None:
    """Migrate, load the default data and make sure an admin exists (what `make run` does first)."""
    from app.domain.setup import ensure_admin

    settings = get_settings()
    migrate()
    init_data()
    password = settings.admin_password or secrets.token_urlsafe(12)
    created = asyncio.run(_in_transaction(lambda s: ensure_admin(s, settings, settings.admin_email, password)))
    if created:
        console.print(f"[bold]admin created:[/] {settings.admin_email} / {password}  (shown once)")
    else:
        console.print(f"admin {settings.admin_email} exists")


@cli.command()
def serve(
    host: str = typer.Option(None, help="Bind address (default from HOST)"),
    port: int = typer.Option(None, help="Port (default from PORT, 8000)"),
    workers: int = typer.Option(1, help="Worker processes"),
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = get_settings()
    if settings.database_url is None:
        database_url(settings)  # start the embedded server before the workers share it
    uvicorn.run(
        "app.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
