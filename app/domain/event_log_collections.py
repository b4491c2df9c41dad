"""The `events` and `news` entries of the `/data/<collection>` registry.

Both are Zou's plain model resources: admins only, for every verb.
"""

from __future__ import annotations

from app.domain.collections import register
from app.domain.crud import Collection
from app.domain.permissions import admin_only
from app.repositories.tables.events import ApiEvent
from app.repositories.tables.tasks import News

register(Collection("events", ApiEvent, "ApiEvent", read=admin_only))
register(Collection("news", News, "News", read=admin_only))
