"""All tables, imported so that `Base.metadata` knows every one of them."""

from app.repositories.tables import (  # noqa: F401
    auth,
    catalog,
    entities,
    events,
    files,
    people,
    playlists,
    projects,
    tasks,
)
from app.repositories.tables.base import Base, LinkBase

metadata = LinkBase.metadata

__all__ = ["Base", "LinkBase", "metadata"]
