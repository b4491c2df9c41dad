"""CRUD registry entries of the casting area: `/data/entity-links` (admins only, as in Zou)."""

from app.domain.collections import register
from app.domain.crud import Collection
from app.domain.permissions import admin_only
from app.repositories.tables.entities import EntityLink

register(Collection("entity-links", EntityLink, "EntityLink", read=admin_only))
