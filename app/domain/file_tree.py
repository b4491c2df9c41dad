"""The project's file tree: folder paths and file names of working and output files, and the
reverse, guessing what a path points at.

A project's `file_tree` JSON holds one section per *mode* (`working`, `output`, `preview`...),
each with a `mountpoint`, a `root`, and `folder_path` / `file_name` templates per entity kind
(`asset`, `shot`, `sequence`, `scene`, `episode`, `instance`, `instance_asset`) plus a `style`
(`lowercase`, `uppercase`, anything else leaves the case alone).

Templates hold tokens: `<Project>`, `<Episode>`, `<Sequence>`, `<Scene>`, `<Shot>`,
`<AssetType>`, `<Asset>`, `<Instance>`, `<Department>`, `<TaskType>`, `<Task>`, `<Software>`,
`<OutputType>`, `<Representation>`, `<Name>` (also `<OutputFile>`, `<WorkingFile>`),
`<Version>` / `<Revision>` (three digits), `<TemporalEntity>`, `<TemporalEntityType>`.
`<Token.field>` reads another field (`id`, `short_name`, `number`; anything else reads `name`).
Every value is slugified with `_` and styled, except ids, which stay verbatim. A file name is
slugified once more as a whole (ids kept). A sequence named `SeqN` renders as `S00N`, a missing
episode as `e001`, a missing output type as `Geometry` and a missing software as `3dsmax`
(both created on first use), as the reference does.

Rendering is pure (`render_folder_path`, `render_file_name` over a `TreeContext`); the async
functions load the context with a fixed number of queries. Other areas use
`working_file_path`, `output_file_path` and `instance_output_file_path`.
"""

from __future__ import annotations

import re
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from slugify import slugify
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import DomainError, NotFound
from app.domain import events
from app.domain.entity_kinds import EPISODE, SCENE, SEQUENCE, SHOT, entity_kinds
from app.repositories.working_files import TABLES, FileTreeRepository, entity

ALLOWED_FIELDS = frozenset({"short_name", "name", "number", "id"})
UUID_PATTERN = re.compile(r"[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89aAbB][a-f0-9]{3}-[a-f0-9]{12}")
TOKEN_PATTERN = re.compile(r"<([\w\.]*)>")
PATH_TOKEN_PATTERN = re.compile(r"(?P<prefix>\w*)<(?P<token>\w*)>(?P<suffix>\w*)")
KIND_TEMPLATES = {SHOT: "shot", SEQUENCE: "sequence", SCENE: "scene", EPISODE: "episode"}
DEFAULT_OUTPUT_TYPE = {"name": "Geometry", "short_name": ""}
DEFAULT_SOFTWARE = {"name": "3dsmax", "short_name": "max", "file_extension": ".max"}


class MalformedFileTree(DomainError):
    """The project's tree cannot render the asked path (400, with the body that was received)."""

    def __init__(self, message: str = "", received: Any = None) -> None:
        super().__init__(message, received)

    def body(self) -> dict:
        return {"message": self.message, "received_data": self.data}


@dataclass(frozen=True, slots=True)
class TreeContext:
    """Everything a template may read. `entity` is the shot, asset... the path is for (the
    temporal entity for an asset instance); `kind` is its template name."""

    project: dict[str, Any]
    entity: dict[str, Any] | None
    kind: str
    entity_kind: str
    entity_type: dict[str, Any] | None = None
    parent: dict[str, Any] | None = None
    grand_parent: dict[str, Any] | None = None
    task: dict[str, Any] | None = None
    task_type: dict[str, Any] | None = None
    department: dict[str, Any] | None = None
    software: dict[str, Any] | None = None
    output_type: dict[str, Any] | None = None
    asset_instance: dict[str, Any] | None = None
    asset: dict[str, Any] | None = None
    asset_type: dict[str, Any] | None = None
    name: str = ""
    representation: str = ""
    revision: int | str = 1


# --- rendering (pure) -------------------------------------------------------------------------


def apply_style(text: str, style: str | None) -> str:
    if style == "uppercase":
        return text.upper()
    if style == "lowercase":
        return text.lower()
    return text


def _mode(tree: Any, mode: str) -> dict[str, Any]:
    if not isinstance(tree, dict):
        raise MalformedFileTree("No tree can be found for given project.")
    if mode not in tree:
        raise MalformedFileTree(f"Mode {mode} cannot be found on given tree.")
    section = tree[mode]
    if not isinstance(section, dict) or "mountpoint" not in section or "root" not in section:
        raise MalformedFileTree(f"Can't find given mode ({mode}) in given tree.")
    return section


def root_path(tree: Any, mode: str, sep: str) -> str:
    section = _mode(tree, mode)
    mountpoint, root = section["mountpoint"], section["root"]
    return f"{mountpoint}{sep}{root}{sep}" if root else f"{mountpoint}{sep}"


def _section(tree: Any, mode: str, name: str) -> dict[str, Any]:
    section = _mode(tree, mode).get(name)
    if not isinstance(section, dict):
        raise MalformedFileTree()
    return section


def _template(section: dict[str, Any], kind: str) -> str:
    template = section.get(kind)
    if not isinstance(template, str):
        raise MalformedFileTree()
    return template


def _get(row: dict[str, Any] | None, field: str) -> Any:
    return None if row is None else row.get(field)


def _sequence_value(ctx: TreeContext, field: str) -> Any:
    if ctx.entity_kind in (SHOT, SCENE):
        name = _get(ctx.parent, field) if ctx.parent is not None else ""
    elif ctx.entity_kind == SEQUENCE:
        name = _get(ctx.entity, field)
    else:
        name = ""
    if isinstance(name, str) and "Seq" in name:
        name = f"S{name[3:].zfill(3)}"
    return name


def _episode_value(ctx: TreeContext, field: str) -> Any:
    episode = None
    if ctx.entity_kind == EPISODE:
        episode = ctx.entity
    elif ctx.entity_kind in (SHOT, SCENE):
        episode = ctx.grand_parent
    elif ctx.entity_kind == SEQUENCE:
        episode = ctx.parent
    value = _get(episode, field)
    return "e001" if value is None else value


def _instance_value(ctx: TreeContext, field: str) -> str:
    instance = ctx.asset_instance
    if instance is None:
        return ""
    number = str(instance.get("number", 0)).zfill(4)
    if field == "name":
        name = instance.get("name")
        return number if name is None else name
    return number


def token_value(data_type: str, field: str, ctx: TreeContext) -> Any:
    """The raw value a `<DataType.field>` token stands for (None leaves the token as written)."""
    match data_type:
        case "Project":
            return _get(ctx.project, field)
        case "Task":
            return _get(ctx.task, field)
        case "TaskType":
            return "" if ctx.task_type is None else ctx.task_type.get(field)
        case "Department":
            return "" if ctx.department is None else ctx.department.get(field)
        case "Shot" | "Scene":
            return _get(ctx.entity, field) if ctx.entity is not None else ""
        case "TemporalEntity":
            if ctx.entity is None:
                raise MalformedFileTree("Given temporal entity is null.")
            return ctx.entity.get(field)
        case "TemporalEntityType":
            value = _get(ctx.entity_type, field)
            return value.lower() if isinstance(value, str) else value
        case "AssetType":
            return _get(ctx.asset_type if ctx.asset is not None else ctx.entity_type, field)
        case "Sequence":
            return _sequence_value(ctx, field)
        case "Episode":
            return _episode_value(ctx, field)
        case "Asset":
            target = ctx.asset if ctx.asset is not None else ctx.entity
            return "" if target is None else target.get(field)
        case "Software":
            return _get(ctx.software, field)
        case "OutputType":
            value = _get(ctx.output_type, field)
            return value.lower() if isinstance(value, str) else value
        case "Instance":
            return _instance_value(ctx, field)
        case "Representation":
            return ctx.representation
        case "Name" | "OutputFile" | "WorkingFile":
            return ctx.name
        case "Version" | "Revision":
            return str(ctx.revision).zfill(3)
    raise MalformedFileTree(f"Unknown data type: {data_type}.")


def render(template: str, ctx: TreeContext, style: str | None) -> str:
    """Replace each token of the template by its slugified, styled value (ids verbatim)."""
    rendered = template
    for variable in TOKEN_PATTERN.findall(template):
        data_type, _, field = variable.partition(".")
        field = field.split(".")[0] if field else "name"
        if field not in ALLOWED_FIELDS:
            field = "name"
        value = token_value(data_type, field, ctx)
        if value is None:
            continue
        value = str(value)
        if field != "id":
            value = apply_style(slugify(value, separator="_"), style)
        rendered = rendered.replace(f"<{variable}>", value)
    return rendered


def render_folder_path(tree: Any, mode: str, ctx: TreeContext, sep: str = "/") -> str:
    root = root_path(tree, mode, sep)
    section = _section(tree, mode, "folder_path")
    folder = render(_template(section, ctx.kind), ctx, section.get("style", ""))
    folder = folder.replace("/", sep)
    return root + folder if root and folder else root or folder


def render_file_name(tree: Any, mode: str, ctx: TreeContext, nb_elements: int = 1) -> str:
    section = _section(tree, mode, "file_name")
    name = render(_template(section, ctx.kind), ctx, "lowercase")
    style = section.get("style", "")
    ids = UUID_PATTERN.findall(name)
    name = apply_style(slugify(name, separator="_"), style)
    for found in ids:
        name = name.replace(apply_style(slugify(found, separator="_"), style), found)
    if nb_elements > 1:
        name += f"_[1-{nb_elements}]"
    return name


def tree_tokens(tree: Any, mode: str, kind: str) -> set[str]:
    """The data types the mode's templates for that kind use (to load defaults only when needed)."""
    found: set[str] = set()
    section = tree.get(mode) if isinstance(tree, dict) else None
    if not isinstance(section, dict):
        return found
    for name in ("folder_path", "file_name"):
        part = section.get(name)
        template = part.get(kind) if isinstance(part, dict) else None
        if isinstance(template, str):
            found.update(v.split(".")[0] for v in TOKEN_PATTERN.findall(template))
    return found


# --- loading the context ----------------------------------------------------------------------


def is_id(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _entity_context(session: AsyncSession, entity_id: str | None, message: str) -> dict[str, Any]:
    found = await FileTreeRepository(session).entity_context(entity_id) if is_id(entity_id) else None
    if found is None:
        raise NotFound(message)
    kinds = await entity_kinds(session)
    found["kind"] = kinds.kind_of(found["entity"]["entity_type_id"])
    return found


def _base_context(found: dict[str, Any], **values: Any) -> TreeContext:
    kind = found["kind"]
    return TreeContext(
        project=found["project"],
        entity=found["entity"],
        kind=KIND_TEMPLATES.get(kind, "asset"),
        entity_kind=kind,
        entity_type=found["entity_type"],
        parent=found["parent"],
        grand_parent=found["grand_parent"],
        **values,
    )


async def load_software(session: AsyncSession, software_id: str | None) -> dict[str, Any]:
    found = await FileTreeRepository(session).software(software_id) if is_id(software_id) else None
    if found is None:
        raise NotFound("Software not found.")
    return found


async def load_output_type(session: AsyncSession, output_type_id: str | None) -> dict[str, Any]:
    found = await FileTreeRepository(session).output_type(output_type_id) if is_id(output_type_id) else None
    if found is None:
        raise NotFound("Output type not found.")
    return found


async def load_task_type(session: AsyncSession, task_type_id: str | None) -> dict[str, Any]:
    found = await FileTreeRepository(session).task_type(task_type_id) if is_id(task_type_id) else None
    if found is None:
        raise NotFound("Task type not found.")
    return found


async def get_or_create(session: AsyncSession, table_name: str, values: dict[str, Any]) -> dict[str, Any]:
    """A catalogue row by name, created (and announced) when missing, as the reference does for
    its default software and output type."""
    row, created = await FileTreeRepository(session).get_or_create(TABLES[table_name], values)
    if created:
        prefix = table_name.replace("_", "-")
        await events.emit(session, f"{prefix}:new", {f"{table_name}_id": row["id"]})
    return row


async def _with_defaults(session: AsyncSession, ctx: TreeContext, mode: str) -> TreeContext:
    """Fill the software and output type the templates ask for when none was given."""
    tokens = tree_tokens(ctx.project.get("file_tree"), mode, ctx.kind)
    if "Software" in tokens and ctx.software is None:
        ctx = replace(ctx, software=await get_or_create(session, "software", DEFAULT_SOFTWARE))
    if "OutputType" in tokens and ctx.output_type is None:
        ctx = replace(ctx, output_type=await get_or_create(session, "output_type", DEFAULT_OUTPUT_TYPE))
    return ctx


async def task_context(session: AsyncSession, task_id: str) -> tuple[dict[str, Any], TreeContext]:
    """The task (with its type and department) and a context for its entity."""
    repo = FileTreeRepository(session)
    found = await repo.task(task_id) if is_id(task_id) else None
    if found is None:
        raise NotFound("Task not found.")
    entity_found = await _entity_context(session, found["task"]["entity_id"], "Entity not found.")
    ctx = _base_context(entity_found, task=found["task"], task_type=found["task_type"], department=found["department"])
    return found["task"], ctx


async def working_file_path(
    session: AsyncSession,
    task_id: str,
    *,
    mode: str = "working",
    software: dict[str, Any] | None = None,
    name: str = "",
    revision: int = 1,
    sep: str = "/",
    context: TreeContext | None = None,
) -> tuple[str, str]:
    """`(folder_path, file_name)` of a working file of the task (raises `MalformedFileTree`)."""
    ctx = context if context is not None else (await task_context(session, task_id))[1]
    ctx = replace(ctx, software=software, name=name, revision=revision)
    ctx = await _with_defaults(session, ctx, mode)
    tree = ctx.project.get("file_tree")
    return render_folder_path(tree, mode, ctx, sep), render_file_name(tree, mode, ctx)


async def output_file_path(
    session: AsyncSession,
    entity_id: str,
    *,
    output_type: dict[str, Any] | None,
    task_type: dict[str, Any] | None,
    mode: str = "output",
    name: str = "main",
    representation: str = "",
    revision: int = 1,
    folder_revision: int | None = None,
    nb_elements: int = 1,
    sep: str = "/",
) -> tuple[str, str]:
    """`(folder_path, file_name)` of an output file of the entity. `task_type` is the dict
    `load_task_type` answers (`{"task_type", "department"}`) or a bare task type row.
    `folder_revision` is the revision the folder shows when it differs from the name's."""
    found = await _entity_context(session, entity_id, "Entity not found.")
    task_type_row, department = _split_task_type(task_type)
    ctx = _base_context(
        found,
        task_type=task_type_row,
        department=department,
        output_type=output_type,
        name=name,
        representation=representation,
        revision=revision,
    )
    ctx = await _with_defaults(session, ctx, mode)
    tree = ctx.project.get("file_tree")
    folder_ctx = ctx if folder_revision is None else replace(ctx, revision=folder_revision)
    return render_folder_path(tree, mode, folder_ctx, sep), render_file_name(tree, mode, ctx, nb_elements)


async def instance_context(
    session: AsyncSession, asset_instance_id: str, temporal_entity_id: str
) -> tuple[dict[str, Any], dict[str, Any], TreeContext]:
    """The asset instance, its asset's context and a context for the instance inside the
    temporal entity (404 when any of them is unknown)."""
    repo = FileTreeRepository(session)
    instance = await repo.asset_instance(asset_instance_id) if is_id(asset_instance_id) else None
    if instance is None:
        raise NotFound("Asset instance not found.")
    temporal = await _entity_context(session, temporal_entity_id, "Entity not found.")
    asset = await _entity_context(session, instance["asset_id"], "Asset not found.")
    ctx = _base_context(
        temporal,
        asset_instance=instance,
        asset=asset["entity"],
        asset_type=asset["entity_type"],
    )
    ctx = replace(ctx, kind="instance_asset" if instance.get("target_asset_id") is not None else "instance")
    return instance, asset, ctx


async def instance_output_file_path(
    session: AsyncSession,
    asset_instance_id: str,
    temporal_entity_id: str,
    *,
    output_type: dict[str, Any] | None,
    task_type: dict[str, Any] | None,
    mode: str = "output",
    name: str = "main",
    representation: str = "",
    revision: int = 1,
    nb_elements: int = 1,
    sep: str = "/",
    context: TreeContext | None = None,
) -> tuple[str, str]:
    """`(folder_path, file_name)` of an output file of an asset instance in a temporal entity."""
    ctx = (
        context if context is not None else (await instance_context(session, asset_instance_id, temporal_entity_id))[2]
    )
    task_type_row, department = _split_task_type(task_type)
    ctx = replace(
        ctx,
        task_type=task_type_row,
        department=department,
        output_type=output_type,
        name=name,
        representation=representation,
        revision=revision,
    )
    ctx = await _with_defaults(session, ctx, mode)
    tree = ctx.project.get("file_tree")
    return render_folder_path(tree, mode, ctx, sep), render_file_name(tree, mode, ctx, nb_elements)


def _split_task_type(task_type: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if task_type is not None and "task_type" in task_type:
        return task_type["task_type"], task_type.get("department")
    return task_type, None


async def next_output_revision(
    session: AsyncSession,
    entity_id: str,
    output_type_id: str,
    task_type_id: str,
    name: str = "main",
    asset_instance_id: str | None = None,
    temporal_entity_id: str | None = None,
) -> int:
    return await FileTreeRepository(session).next_output_revision(
        entity_id, output_type_id, task_type_id, name, asset_instance_id, temporal_entity_id
    )


# --- guessing from a path ---------------------------------------------------------------------


class _WrongPath(Exception):
    pass


def path_tokens(elements: list[str], template_elements: list[str]) -> OrderedDict[str, str]:
    """Each template token with the value at the same place in the path (`v<Version>` over `v003`
    gives `003`; underscores read as spaces; the first occurrence of a token wins)."""
    found: OrderedDict[str, str] = OrderedDict()
    count = min(len(elements), len(template_elements))
    for i, template_element in enumerate(template_elements[:count]):
        token = PATH_TOKEN_PATTERN.search(template_element)
        if token is None:
            if template_element == elements[i]:
                continue
            raise _WrongPath()
        value = elements[i].replace("_", " ")
        value = value[len(token.group("prefix")) : len(value) - len(token.group("suffix"))]
        found.setdefault(token.group("token"), value)
    return found


class _Guesser:
    """Looks up the row a token value names, narrowed by what the path already resolved
    (memoised: templates share their leading tokens)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = FileTreeRepository(session)
        self.memo: dict[tuple, Any] = {}
        self.kinds = None

    async def lookup(self, token: str, value: str, known: dict[str, str]) -> Any:
        key = (token, value, tuple(sorted((k, v) for k, v in known.items() if k != "Template")))
        if key not in self.memo:
            self.memo[key] = await self._lookup(token, value, known)
        return self.memo[key]

    async def _kind_id(self, kind: str) -> str:
        if self.kinds is None:
            self.kinds = await entity_kinds(self.session)
        return self.kinds.id(kind)

    async def _entity(self, value: str, type_id: str, project_id: str, parent_id: str | None = None) -> str | None:
        conditions = [entity.c.name.ilike(value), entity.c.entity_type_id == type_id, entity.c.project_id == project_id]
        if parent_id:
            conditions.append(entity.c.parent_id == parent_id)
        return await self.repo.first_id(entity, *conditions)

    async def _by_name(self, table_name: str, value: str) -> str | None:
        table = TABLES[table_name]
        return await self.repo.first_id(table, table.c.name.ilike(value))

    async def _lookup(self, token: str, value: str, known: dict[str, str]) -> Any:
        project_id = known.get("Project")
        match token:
            case "Project":
                return await self._by_name("project", value)
            case "AssetType" | "TemporalEntityType":
                return await self._by_name("entity_type", value)
            case "Department":
                return await self._by_name("department", value)
            case "OutputType":
                return await self._by_name("output_type", value)
            case "TaskType":
                return await self._by_name("task_type", value)
            case "Name" | "Representation":
                return value
            case "Version":
                try:
                    return int(value)
                except ValueError:
                    return None
        if not project_id:
            return None
        match token:
            case "Asset":
                if not known.get("AssetType"):
                    return None
                return await self._entity(value, known["AssetType"], project_id)
            case "Episode":
                return await self._entity(value, await self._kind_id(EPISODE), project_id)
            case "Sequence":
                return await self._entity(value, await self._kind_id(SEQUENCE), project_id, known.get("Episode"))
            case "Scene":
                return await self._entity(value, await self._kind_id(SCENE), project_id, known.get("Sequence"))
            case "Shot":
                if not known.get("Sequence"):
                    return None
                return await self._entity(value, await self._kind_id(SHOT), project_id, known["Sequence"])
            case "TemporalEntity":
                if not known.get("TemporalEntityType"):
                    return None
                return await self._entity(value, known["TemporalEntityType"], project_id)
            case "Task":
                entity_id = next((known[k] for k in ("Scene", "Asset", "Shot") if known.get(k)), None)
                if not known.get("TaskType") or entity_id is None:
                    return None
                task = TABLES["task"]
                return await self.repo.first_id(
                    task,
                    task.c.name.ilike(value),
                    task.c.task_type_id == known["TaskType"],
                    task.c.project_id == project_id,
                    task.c.entity_id == entity_id,
                )
        return None  # Instance (the reference cannot resolve it either), Software, Revision...


async def guess_from_path(session: AsyncSession, project: dict[str, Any], file_path: str, sep: str = "/") -> list:
    """The templates of the project's tree a path matches, each with the ids its tokens name:
    `[{"Template": "asset", "Project": id, "AssetType": id, ...}, ...]`."""
    tree = project.get("file_tree")
    if not isinstance(tree, dict):
        raise MalformedFileTree("No tree can be found for given project.")
    guesser = _Guesser(session)
    matches: list[dict[str, str]] = []
    for mode, section in tree.items():
        folders = section.get("folder_path") if isinstance(section, dict) else None
        if not isinstance(folders, dict):
            continue
        style = folders.get("style", "")
        try:
            root = apply_style(root_path(tree, mode, sep), style)
        except MalformedFileTree:
            continue
        styled = apply_style(file_path, style)
        if not styled.startswith(root):
            continue
        elements = styled[len(root) :].split(sep)
        for template, template_path in folders.items():
            if not isinstance(template_path, str):
                continue
            template_elements = template_path.split(sep)
            try:
                tokens = path_tokens(elements, template_elements)
            except _WrongPath:
                continue
            if not tokens:
                continue
            data: dict[str, str] = {"Template": template}
            for template_element in template_elements:
                token = next((t for t in tokens if f"<{t}>" in template_element), None)
                if token is None:
                    continue
                value = await guesser.lookup(token, tokens[token], data)
                if not value:
                    break
                if token == "Project" and str(value) != str(project["id"]):
                    break
                data[token] = str(value)
            if data not in matches:
                matches.append(data)
    return matches


__all__ = [
    "MalformedFileTree",
    "TreeContext",
    "guess_from_path",
    "instance_output_file_path",
    "load_output_type",
    "load_software",
    "load_task_type",
    "next_output_revision",
    "output_file_path",
    "render_file_name",
    "render_folder_path",
    "working_file_path",
]
