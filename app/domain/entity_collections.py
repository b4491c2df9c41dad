"""CRUD registry entry of the generic entities: `GET /data/entities` and `GET /data/entities/{id}`.

POST and PUT on entities go through the same engine (`app.domain.entities.EntityCrudService`)
but are routed by `app.routers.entities`, so that their events are named after the entity's kind
(`shot:update`, `asset:new`...) rather than after the table. DELETE belongs to the deletion area.
"""

from app.domain.collections import register
from app.domain.entities import ENTITIES

register(ENTITIES)
