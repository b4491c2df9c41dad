"""Revoked JWT ids and password reset tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.auth import PasswordResetToken, RevokedToken
from app.repositories.tables.base import utc_now

revoked = RevokedToken.__table__
resets = PasswordResetToken.__table__


class TokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def revoke(self, jti: str, expires_at: datetime | None) -> None:
        stmt = insert(revoked).values(jti=jti, expires_at=expires_at).on_conflict_do_nothing()
        await self.session.execute(stmt)

    async def mark_once(self, key: str, expires_at: datetime) -> bool:
        """Record a one-time use under `key`; False when it was already recorded (a replay)."""
        stmt = insert(revoked).values(jti=key, expires_at=expires_at).on_conflict_do_nothing().returning(revoked.c.jti)
        return (await self.session.execute(stmt)).first() is not None

    async def set_marker(self, key: str, expires_at: datetime) -> None:
        """Create or move a marker row (such as "every token of this person issued before ...")."""
        stmt = insert(revoked).values(jti=key, expires_at=expires_at)
        stmt = stmt.on_conflict_do_update(index_elements=[revoked.c.jti], set_={"expires_at": expires_at})
        await self.session.execute(stmt)

    async def is_revoked(self, jti: str) -> bool:
        stmt = select(revoked.c.jti).where(revoked.c.jti == jti)
        return (await self.session.execute(stmt)).first() is not None

    async def purge_expired(self) -> None:
        await self.session.execute(delete(revoked).where(revoked.c.expires_at < utc_now()))

    async def add_reset(self, token_hash: str, person_id: str, expires_at: datetime) -> None:
        await self.session.execute(delete(resets).where(resets.c.person_id == person_id))
        await self.session.execute(
            insert(resets).values(token_hash=token_hash, person_id=person_id, expires_at=expires_at)
        )

    async def find_reset(self, token_hash: str) -> tuple[str, datetime] | None:
        """The person id and expiry of a reset token, without using it up."""
        stmt = select(resets.c.person_id, resets.c.expires_at).where(resets.c.token_hash == token_hash)
        row = (await self.session.execute(stmt)).first()
        return (row.person_id, row.expires_at) if row else None

    async def take_reset(self, token_hash: str) -> str | None:
        """Consume a reset token; returns its person id when it is still valid."""
        stmt = (
            delete(resets).where(resets.c.token_hash == token_hash).returning(resets.c.person_id, resets.c.expires_at)
        )
        row = (await self.session.execute(stmt)).first()
        if row is None or row.expires_at < utc_now():
            return None
        return row.person_id
