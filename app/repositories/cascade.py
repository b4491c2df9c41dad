"""Set-based removal of production rows and of every row hanging off them.

The cascade runs one statement per dependent table over a *set* of ids, given
either as a Python list or as a `SELECT id` subquery (a whole project), so the
number of statements never depends on how many rows go. Statements are ordered
so that nothing still points at a row when it is deleted: the links into
comments and previews first, then comments, previews, files and tasks, then
the entity links, and the entities last.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Select, Uuid, and_, delete, exists, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from app.repositories.tables.base import utc_now
from app.repositories.tables.catalog import ProjectStatus, TaskType
from app.repositories.tables.entities import (
    AssetInstance,
    AssetInstanceLink,
    Entity,
    EntityConceptLink,
    EntityLink,
    EntityVersion,
)
from app.repositories.tables.events import ApiEvent
from app.repositories.tables.files import AttachmentFile, OutputFile, PreviewFile, PreviewFileStorageState, WorkingFile
from app.repositories.tables.people import Person
from app.repositories.tables.playlists import BuildJob, Playlist, PlaylistShareLink
from app.repositories.tables.projects import (
    Budget,
    BudgetEntry,
    DepartmentMetadataDescriptorLink,
    MetadataDescriptor,
    Milestone,
    ProductionScheduleVersion,
    ProductionScheduleVersionTaskLink,
    ProductionScheduleVersionTaskLinkPersonLink,
    Project,
    ProjectAssetTypeLink,
    ProjectPersonLink,
    ProjectPreviewBackgroundFileLink,
    ProjectStatusAutomationLink,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
    ProjectTaskTypeSoftwareLink,
    ScheduleItem,
)
from app.repositories.tables.tasks import (
    Chat,
    ChatMessage,
    ChatParticipant,
    Comment,
    CommentAcknoledgments,
    CommentDepartmentMentions,
    CommentMentions,
    CommentPreviewLink,
    News,
    Notification,
    SearchFilter,
    SearchFilterGroup,
    Subscription,
    Task,
    TaskPersonLink,
    TimeSpent,
)

IdSet = list[str] | Select
"""Ids as a list, or a `SELECT id ...` evaluated by the database."""
Removed = dict[str, list[dict[str, Any]]]
"""Deleted rows owning stored files: `preview_files` (id, extension), `attachment_files` and
`working_files` (id); see `app.domain.stored_files.discard_removed`."""

entity = Entity.__table__
entity_link = EntityLink.__table__
concept_link = EntityConceptLink.__table__
entity_version = EntityVersion.__table__
asset_instance = AssetInstance.__table__
asset_instance_link = AssetInstanceLink.__table__
task = Task.__table__
task_type = TaskType.__table__
assignment = TaskPersonLink.__table__
comment = Comment.__table__
preview = PreviewFile.__table__
working_file = WorkingFile.__table__
output_file = OutputFile.__table__
attachment = AttachmentFile.__table__
news = News.__table__
notification = Notification.__table__
subscription = Subscription.__table__
time_spent = TimeSpent.__table__
playlist = Playlist.__table__
chat = Chat.__table__
chat_message = ChatMessage.__table__
schedule_item = ScheduleItem.__table__
schedule_version = ProductionScheduleVersion.__table__
schedule_task_link = ProductionScheduleVersionTaskLink.__table__
schedule_person_link = ProductionScheduleVersionTaskLinkPersonLink.__table__
project = Project.__table__
project_status = ProjectStatus.__table__
project_task_type = ProjectTaskTypeLink.__table__
descriptor = MetadataDescriptor.__table__
budget = Budget.__table__
filter_group = SearchFilterGroup.__table__
search_filter = SearchFilter.__table__
person = Person.__table__

ENTITY_FIELDS = (
    entity.c.id,
    entity.c.name,
    entity.c.project_id,
    entity.c.entity_type_id,
    entity.c.parent_id,
    entity.c.source_id,
    entity.c.created_by,
    entity.c.canceled,
)

# Links an entity or a project row takes with it when deleted (Zou's ORM clears
# these many-to-many rows itself before the DELETE of the row).
OWN_ENTITY_LINKS = (
    (entity_link, entity_link.c.entity_in_id),
    (concept_link, concept_link.c.entity_in_id),
    (asset_instance_link, asset_instance_link.c.entity_id),
)
PROJECT_LINKS = (
    ProjectPersonLink.__table__,
    ProjectTaskTypeLink.__table__,
    ProjectTaskStatusLink.__table__,
    ProjectAssetTypeLink.__table__,
    ProjectStatusAutomationLink.__table__,
    ProjectPreviewBackgroundFileLink.__table__,
    ProjectTaskTypeSoftwareLink.__table__,
)


def _ids(table, *conditions) -> Select:
    """`SELECT id FROM table WHERE any condition`, never correlated to an enclosing UPDATE/DELETE."""
    return select(table.c.id).where(or_(*conditions)).correlate(None)


def id_array(ids: list[str]) -> Select:
    """`SELECT unnest(:ids)`: a list of ids bound as ONE array parameter, however long it is
    (a statement naming the set ten times stays far below the driver's parameter limit)."""
    return select(func.unnest(literal(ids, ARRAY(Uuid(as_uuid=False))))).correlate(None)


def project_entities(project_id: str) -> Select:
    return select(entity.c.id).where(entity.c.project_id == project_id).correlate(None)


class CascadeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _run(self, *statements: Executable) -> None:
        for statement in statements:
            await self.session.execute(statement)

    async def _returning(self, statement: Executable) -> list[dict[str, Any]]:
        return [dict(row) for row in (await self.session.execute(statement)).mappings()]

    # --- reads ------------------------------------------------------------------

    async def project(self, project_id: str) -> dict[str, Any] | None:
        """The project with the name of its status."""
        stmt = (
            select(project.c.id, project.c.name, project_status.c.name.label("status_name"))
            .select_from(project.outerjoin(project_status, project_status.c.id == project.c.project_status_id))
            .where(project.c.id == project_id)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return dict(row) if row else None

    def _entity_select(self) -> Select:
        has_tasks = exists().where(task.c.entity_id == entity.c.id)
        return select(*ENTITY_FIELDS, has_tasks.label("has_tasks"))

    async def entity(self, entity_id: str) -> dict[str, Any] | None:
        """The entity's identity fields, and whether it has tasks."""
        row = (await self.session.execute(self._entity_select().where(entity.c.id == entity_id))).mappings().first()
        return dict(row) if row else None

    async def entities(self, entity_ids: list[str]) -> list[dict[str, Any]]:
        if not entity_ids:
            return []
        rows = await self.session.execute(self._entity_select().where(entity.c.id.in_(id_array(entity_ids))))
        return [dict(row) for row in rows.mappings()]

    async def descendants(self, root_ids: list[str], *, sourced: bool = False) -> list[dict[str, Any]]:
        """Every entity below the roots through `parent_id` (any depth) and, with `sourced`,
        the entities whose `source_id` is a root (the assets of an episode)."""
        tree = select(entity.c.id).where(entity.c.parent_id.in_(root_ids)).cte("tree", recursive=True)
        child = entity.alias("child")
        tree = tree.union(select(child.c.id).join(tree, child.c.parent_id == tree.c.id))
        found = entity.c.id.in_(select(tree.c.id))
        if sourced:
            found = or_(found, entity.c.source_id.in_(root_ids))
        stmt = self._entity_select().where(found, entity.c.id.not_in(root_ids))
        return [dict(row) for row in (await self.session.execute(stmt)).mappings()]

    async def task_summaries(self, entity_ids: list[str]) -> list[dict[str, Any]]:
        """The fields of the `task:delete` events of the entities' tasks."""
        if not entity_ids:
            return []
        stmt = select(task.c.id, task.c.entity_id, task.c.task_type_id, task.c.project_id).where(
            task.c.entity_id.in_(id_array(entity_ids))
        )
        return [dict(row) for row in (await self.session.execute(stmt)).mappings()]

    async def preview_account_ids(self, project_id: str) -> list[str]:
        stmt = select(person.c.id).where(person.c.preview_project_id == project_id)
        return list((await self.session.execute(stmt)).scalars())

    # --- small writes -------------------------------------------------------------

    async def cancel(self, entity_ids: list[str]) -> None:
        if entity_ids:
            stmt = (
                update(entity).where(entity.c.id.in_(id_array(entity_ids))).values(canceled=True, updated_at=utc_now())
            )
            await self.session.execute(stmt)

    async def move_to_root(self, parent_id: str, entity_type_id: str) -> list[str]:
        """Detach the entities of a type from their parent; answers their ids."""
        stmt = (
            update(entity)
            .where(entity.c.parent_id == parent_id, entity.c.entity_type_id == entity_type_id)
            .values(parent_id=None, updated_at=utc_now())
            .returning(entity.c.id)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def delete_person(self, person_id: str) -> None:
        await self.session.execute(delete(person).where(person.c.id == person_id))

    # --- casting counters -----------------------------------------------------------

    async def casting_targets(self, asset_ids: list[str], exclude: list[str]) -> list[str]:
        """The live shots (entities with a parent, not canceled) casting one of the assets."""
        if not asset_ids:
            return []
        stmt = (
            select(entity_link.c.entity_in_id)
            .join(entity, entity.c.id == entity_link.c.entity_in_id)
            .where(
                entity_link.c.entity_out_id.in_(id_array(asset_ids)),
                entity.c.canceled.is_(False),
                entity.c.parent_id.is_not(None),
                entity.c.id.not_in(id_array(exclude)),
            )
            .distinct()
        )
        return list((await self.session.execute(stmt)).scalars())

    async def refresh_casting(self, shot_ids: list[str]) -> list[dict[str, Any]]:
        """Recount the live assets cast in each shot and the assets ready for each of their tasks.

        Answers the shots whose counter changed (id, project_id, nb_entities_out).
        """
        if not shot_ids:
            return []
        asset = entity.alias("asset")
        live = (
            select(func.count())
            .select_from(entity_link.join(asset, asset.c.id == entity_link.c.entity_out_id))
            .where(entity_link.c.entity_in_id == entity.c.id, asset.c.canceled.is_(False))
            .scalar_subquery()
        )
        stmt = (
            update(entity)
            .where(entity.c.id.in_(id_array(shot_ids)), entity.c.nb_entities_out.is_distinct_from(live))
            .values(nb_entities_out=live)
            .returning(entity.c.id, entity.c.project_id, entity.c.nb_entities_out)
        )
        changed = [dict(row) for row in (await self.session.execute(stmt)).mappings()]

        def priority(task_type_id) -> Any:
            return (
                select(project_task_type.c.priority)
                .join(task_type, task_type.c.id == project_task_type.c.task_type_id)
                .where(
                    project_task_type.c.project_id == task.c.project_id,
                    project_task_type.c.task_type_id == task_type_id,
                    task_type.c.for_entity == "Shot",
                )
                .limit(1)
                .scalar_subquery()
            )

        task_step = func.coalesce(priority(task.c.task_type_id), 0)
        ready_step = func.coalesce(func.nullif(priority(asset.c.ready_for), 0), -1)
        ready = (
            select(func.count())
            .select_from(entity_link.join(asset, asset.c.id == entity_link.c.entity_out_id))
            .where(
                entity_link.c.entity_in_id == task.c.entity_id,
                asset.c.canceled.is_not(True),
                or_(
                    and_(asset.c.is_shared.is_(True), asset.c.project_id != task.c.project_id),
                    and_(asset.c.ready_for.is_not(None), task_step <= ready_step),
                ),
            )
            .scalar_subquery()
        )
        await self.session.execute(
            update(task).where(task.c.entity_id.in_(id_array(shot_ids))).values(nb_assets_ready=ready)
        )
        return changed

    # --- plain deletes (refused by the database when something still points at the row) ----

    async def try_delete_entity(self, entity_id: str, *, out_links: bool = False, subscriptions: bool = False) -> bool:
        """Delete the entity with the links it owns; False, and nothing changed, when other rows
        still reference it. `out_links` also drops the links pointing at it, `subscriptions` its
        subscriptions (what Zou's generic entity route clears first)."""
        statements: list[Executable] = [delete(table).where(column == entity_id) for table, column in OWN_ENTITY_LINKS]
        if out_links:
            statements += [
                delete(entity_link).where(entity_link.c.entity_out_id == entity_id),
                delete(concept_link).where(concept_link.c.entity_out_id == entity_id),
            ]
        if subscriptions:
            statements.append(delete(subscription).where(subscription.c.entity_id == entity_id))
        statements.append(delete(entity).where(entity.c.id == entity_id))
        return await self._attempt(statements)

    async def try_delete_project(self, project_id: str) -> bool:
        """Delete the project with its settings links; False when other rows still reference it."""
        statements: list[Executable] = [delete(link).where(link.c.project_id == project_id) for link in PROJECT_LINKS]
        statements.append(delete(project).where(project.c.id == project_id))
        return await self._attempt(statements)

    async def _attempt(self, statements: list[Executable]) -> bool:
        try:
            async with self.session.begin_nested():
                await self._run(*statements)
        except IntegrityError:
            return False
        return True

    # --- the cascade --------------------------------------------------------------------

    async def purge(self, entity_ids: IdSet, project_id: str | None = None) -> Removed:
        """Delete the entities, their tasks and everything hanging off both.

        With `project_id`, the project's own tasks and playlists go too (tasks of the project
        whose entity lies elsewhere, playlists of no episode). Surviving entities whose parent
        or source goes lose that reference. Answers the rows removed that own stored files
        (their deletes return them: no extra query).
        """
        E = id_array(entity_ids) if isinstance(entity_ids, list) else entity_ids
        task_scope = [task.c.entity_id.in_(E)]
        playlist_scope = [playlist.c.episode_id.in_(E)]
        if project_id is not None:
            task_scope.append(task.c.project_id == project_id)
            playlist_scope.append(playlist.c.project_id == project_id)
        T = _ids(task, *task_scope)
        P = _ids(preview, preview.c.task_id.in_(T))
        C = _ids(comment, comment.c.object_id.in_(T), comment.c.object_id.in_(E))
        WF = _ids(working_file, working_file.c.task_id.in_(T), working_file.c.entity_id.in_(E))
        AI = _ids(
            asset_instance,
            asset_instance.c.asset_id.in_(E),
            asset_instance.c.target_asset_id.in_(E),
            asset_instance.c.scene_id.in_(E),
            asset_instance.c.entity_id.in_(E),
        )
        OF = _ids(
            output_file,
            output_file.c.entity_id.in_(E),
            output_file.c.temporal_entity_id.in_(E),
            output_file.c.source_file_id.in_(WF),
            output_file.c.asset_instance_id.in_(AI),
        )
        PL = _ids(playlist, *playlist_scope)
        CH = _ids(chat, chat.c.object_id.in_(E))
        CM = _ids(chat_message, chat_message.c.chat_id.in_(CH))
        SL = _ids(schedule_task_link, schedule_task_link.c.task_id.in_(T))
        ptl, cm, cdm, ca = (
            CommentPreviewLink.__table__,
            CommentMentions.__table__,
            CommentDepartmentMentions.__table__,
            CommentAcknoledgments.__table__,
        )
        await self._run(
            # Pointers into what goes, from rows that may stay.
            update(entity).where(entity.c.preview_file_id.in_(P)).values(preview_file_id=None),
            update(news).where(news.c.preview_file_id.in_(P)).values(preview_file_id=None),
            update(comment).where(comment.c.preview_file_id.in_(P)).values(preview_file_id=None),
            update(preview).where(preview.c.source_file_id.in_(OF)).values(source_file_id=None),
            # Comments and what hangs off them.
            delete(ptl).where(or_(ptl.c.preview_file.in_(P), ptl.c.comment.in_(C))),
            delete(cm).where(cm.c.comment.in_(C)),
            delete(cdm).where(cdm.c.comment.in_(C)),
            delete(ca).where(ca.c.comment.in_(C)),
            delete(notification).where(
                or_(
                    notification.c.comment_id.in_(C),
                    notification.c.task_id.in_(T),
                    notification.c.playlist_id.in_(PL),
                )
            ),
            delete(news).where(or_(news.c.comment_id.in_(C), news.c.task_id.in_(T))),
        )
        removed: Removed = {
            "attachment_files": await self._returning(
                delete(attachment)
                .where(or_(attachment.c.comment_id.in_(C), attachment.c.chat_message_id.in_(CM)))
                .returning(attachment.c.id)
            )
        }
        await self._run(
            delete(comment).where(comment.c.id.in_(C)),
            # Previews and files.
            delete(PreviewFileStorageState.__table__).where(PreviewFileStorageState.__table__.c.preview_file_id.in_(P)),
        )
        removed["preview_files"] = await self._returning(
            delete(preview).where(preview.c.id.in_(P)).returning(preview.c.id, preview.c.extension)
        )
        await self._run(delete(output_file).where(output_file.c.id.in_(OF)))
        removed["working_files"] = await self._returning(
            delete(working_file).where(working_file.c.id.in_(WF)).returning(working_file.c.id)
        )
        await self._run(
            delete(asset_instance_link).where(
                or_(asset_instance_link.c.entity_id.in_(E), asset_instance_link.c.asset_instance_id.in_(AI))
            ),
            delete(asset_instance).where(asset_instance.c.id.in_(AI)),
            # Tasks.
            delete(subscription).where(or_(subscription.c.task_id.in_(T), subscription.c.entity_id.in_(E))),
            delete(time_spent).where(time_spent.c.task_id.in_(T)),
            delete(assignment).where(assignment.c.task_id.in_(T)),
            delete(schedule_person_link).where(schedule_person_link.c.production_schedule_version_task_link_id.in_(SL)),
            delete(schedule_task_link).where(schedule_task_link.c.id.in_(SL)),
            delete(task).where(task.c.id.in_(T)),
            # Entities.
            delete(entity_version).where(entity_version.c.entity_id.in_(E)),
            delete(entity_link).where(or_(entity_link.c.entity_in_id.in_(E), entity_link.c.entity_out_id.in_(E))),
            delete(concept_link).where(or_(concept_link.c.entity_in_id.in_(E), concept_link.c.entity_out_id.in_(E))),
            delete(schedule_item).where(schedule_item.c.object_id.in_(E)),
            delete(BuildJob.__table__).where(BuildJob.__table__.c.playlist_id.in_(PL)),
            delete(PlaylistShareLink.__table__).where(PlaylistShareLink.__table__.c.playlist_id.in_(PL)),
            delete(playlist).where(playlist.c.id.in_(PL)),
            delete(chat_message).where(chat_message.c.id.in_(CM)),
            delete(ChatParticipant.__table__).where(ChatParticipant.__table__.c.chat_id.in_(CH)),
            delete(chat).where(chat.c.id.in_(CH)),
            update(entity)
            .where(entity.c.parent_id.in_(E), entity.c.id.not_in(E))
            .values(parent_id=None, updated_at=utc_now()),
            update(entity)
            .where(entity.c.source_id.in_(E), entity.c.id.not_in(E))
            .values(source_id=None, updated_at=utc_now()),
            delete(entity).where(entity.c.id.in_(E)),
        )
        return removed

    async def purge_project(self, project_id: str) -> Removed:
        """Delete the project and every row of it (the preview account aside, see the domain);
        answers the rows removed that own stored files, as `purge` does."""
        removed = await self.purge(project_entities(project_id), project_id)
        versions = _ids(schedule_version, schedule_version.c.project_id == project_id)
        version_links = _ids(schedule_task_link, schedule_task_link.c.production_schedule_version_id.in_(versions))
        descriptors = _ids(descriptor, descriptor.c.project_id == project_id)
        groups = _ids(filter_group, filter_group.c.project_id == project_id)
        budgets = _ids(budget, budget.c.project_id == project_id)
        dmd = DepartmentMetadataDescriptorLink.__table__
        await self._run(
            delete(BudgetEntry.__table__).where(BudgetEntry.__table__.c.budget_id.in_(budgets)),
            delete(budget).where(budget.c.project_id == project_id),
            delete(ApiEvent.__table__).where(ApiEvent.__table__.c.project_id == project_id),
            delete(dmd).where(dmd.c.metadata_descriptor_id.in_(descriptors)),
            delete(descriptor).where(descriptor.c.project_id == project_id),
            delete(Milestone.__table__).where(Milestone.__table__.c.project_id == project_id),
            delete(schedule_item).where(schedule_item.c.project_id == project_id),
            update(project).where(project.c.id == project_id).values(from_schedule_version_id=None),
            update(schedule_version)
            .where(schedule_version.c.production_schedule_from.in_(versions))
            .values(production_schedule_from=None),
            delete(schedule_person_link).where(
                schedule_person_link.c.production_schedule_version_task_link_id.in_(version_links)
            ),
            delete(schedule_task_link).where(schedule_task_link.c.production_schedule_version_id.in_(versions)),
            delete(schedule_version).where(schedule_version.c.project_id == project_id),
            delete(search_filter).where(
                or_(search_filter.c.project_id == project_id, search_filter.c.search_filter_group_id.in_(groups))
            ),
            delete(filter_group).where(filter_group.c.project_id == project_id),
            *(delete(link).where(link.c.project_id == project_id) for link in PROJECT_LINKS),
            delete(project).where(project.c.id == project_id),
        )
        return removed
