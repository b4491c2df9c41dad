"""The Alembic migrations and the SQLAlchemy tables describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.repositories.tables import metadata


async def test_models_and_migrations_agree(engine):
    def diff(sync_conn):
        ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return compare_metadata(ctx, metadata)

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_every_foreign_key_is_indexed(engine):
    def unindexed(sync_conn):
        insp = inspect(sync_conn)
        missing = []
        for table in insp.get_table_names():
            indexed = {tuple(i["column_names"][:1]) for i in insp.get_indexes(table)}
            pk = insp.get_pk_constraint(table)["constrained_columns"][:1]
            for fk in insp.get_foreign_keys(table):
                first = tuple(fk["constrained_columns"][:1])
                if first not in indexed and list(first) != pk:
                    missing.append(f"{table}.{first[0]}")
        return missing

    async with engine.connect() as conn:
        assert await conn.run_sync(unindexed) == []
