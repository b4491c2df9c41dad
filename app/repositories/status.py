"""Health and usage queries."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tables.files import PreviewFile
from app.repositories.tables.tasks import Comment


class StatusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def database_up(self) -> bool:
        try:
            await self.session.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def usage(self) -> dict[str, int]:
        p = PreviewFile.__table__
        movie = p.c.extension.in_(("mp4", "mov", "avi", "mkv", "webm", "wmv", "m4v"))
        model = p.c.extension.in_(("obj", "glb", "gltf", "fbx", "usd", "usdz", "abc"))
        picture = p.c.extension.in_(("png", "jpg", "jpeg", "gif", "tif", "tiff", "exr", "webp", "psd"))
        stmt = select(
            func.count().filter(movie).label("number_of_video_previews"),
            func.count().filter(picture).label("number_of_picture_previews"),
            func.count().filter(model).label("number_of_model_previews"),
            select(func.count()).select_from(Comment.__table__).scalar_subquery().label("number_of_comments"),
        ).select_from(p)
        return dict((await self.session.execute(stmt)).mappings().one())
