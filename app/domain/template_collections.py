"""CRUD registry entries: project templates and metadata descriptors.

Project templates are read through the generic engine (list and one); their writes go through
`app/routers/project_templates.py`, which follows Zou's template service (setting fields only,
unique names, "Project template not found" answers).
"""

from __future__ import annotations

from app.domain.collections import register
from app.domain.crud import Collection
from app.domain.metadata_descriptors import MetadataDescriptorHooks
from app.domain.permissions import anyone, manager_up
from app.repositories.crud import Relation
from app.repositories.tables import projects

register(
    Collection(
        "project-templates",
        projects.ProjectTemplate,
        "ProjectTemplate",
        read=manager_up,
        relations=(
            Relation(
                "task_types", projects.ProjectTemplateTaskTypeLink.__table__, "project_template_id", "task_type_id"
            ),
            Relation(
                "task_statuses",
                projects.ProjectTemplateTaskStatusLink.__table__,
                "project_template_id",
                "task_status_id",
            ),
            Relation(
                "asset_types", projects.ProjectTemplateAssetTypeLink.__table__, "project_template_id", "asset_type_id"
            ),
            Relation(
                "status_automations",
                projects.ProjectTemplateStatusAutomationLink.__table__,
                "project_template_id",
                "status_automation_id",
            ),
            Relation(
                "preview_background_files",
                projects.ProjectTemplatePreviewBackgroundFileLink.__table__,
                "project_template_id",
                "preview_background_file_id",
            ),
        ),
        routes=frozenset({"list", "get"}),
    )
)
register(
    Collection(
        "metadata-descriptors",
        projects.MetadataDescriptor,
        "MetadataDescriptor",
        read=anyone,
        relations=(
            Relation(
                "departments",
                projects.DepartmentMetadataDescriptorLink.__table__,
                "metadata_descriptor_id",
                "department_id",
            ),
        ),
        hooks=MetadataDescriptorHooks(),
    )
)
