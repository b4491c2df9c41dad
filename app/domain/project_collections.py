"""CRUD registry entries of projects and status automations.

`DELETE /data/projects/{id}` belongs to the deletion module, and `POST /data/projects`
is served by app.routers.projects (it also takes a `project_template_id`); both use
the entry below, so the rules stay in one place.
"""

from app.domain.collections import register
from app.domain.crud import Collection
from app.domain.permissions import admin_only, anyone
from app.domain.projects import ProjectHooks, StatusAutomationHooks, not_vendor
from app.repositories.crud import Relation
from app.repositories.projects import RELATIONS
from app.repositories.tables import catalog, projects

PROJECTS = register(
    Collection(
        "projects",
        projects.Project,
        "Project",
        read=anyone,
        create=admin_only,
        update=anyone,  # managers of the project: checked by the hook, which knows the team
        relations=tuple(Relation(name, link, local, remote) for name, (link, local, remote) in RELATIONS.items()),
        hooks=ProjectHooks(),
        routes=frozenset({"list", "get", "update"}),
    )
)

STATUS_AUTOMATIONS = register(
    Collection(
        "status-automations",
        catalog.StatusAutomation,
        "StatusAutomation",
        read=not_vendor,
        create=admin_only,
        update=admin_only,
        delete=anyone,  # admins: checked by the hook after the "used by a project" rule, as Zou does
        hooks=StatusAutomationHooks(),
    )
)
