"""metadata descriptor names and field names unique per project and entity type (as Zou)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = (
    ("metadata_descriptor_uc", ["project_id", "entity_type", "name"], "task_type_id IS NULL"),
    ("metadata_descriptor_uc2", ["project_id", "entity_type", "field_name"], "task_type_id IS NULL"),
    (
        "metadata_descriptor_task_type_uc",
        ["project_id", "entity_type", "task_type_id", "name"],
        "task_type_id IS NOT NULL",
    ),
    (
        "metadata_descriptor_task_type_uc2",
        ["project_id", "entity_type", "task_type_id", "field_name"],
        "task_type_id IS NOT NULL",
    ),
)


def upgrade() -> None:
    for name, columns, where in INDEXES:
        op.create_index(name, "metadata_descriptor", columns, unique=True, postgresql_where=sa.text(where))


def downgrade() -> None:
    for name, _, _ in INDEXES:
        op.drop_index(name, table_name="metadata_descriptor")
