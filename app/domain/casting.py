"""Casting (breakdown): which assets appear in which shots, episodes or assets, and how often.

A casting entry is an `entity_link` from the entity cast in (`entity_in_id`: a shot, an
episode, an asset for set dressing...) to the cast entity (`entity_out_id`, an asset), with
a number of occurrences and a label. Around the links, Zou keeps:

- `nb_entities_out` on the entity: how many live (not canceled) assets are cast in it;
- automatic episode links: casting an asset in a shot casts it in the shot's episode too
  (link data `{"auto": true}`); removing it from the last shot of the episode that used it
  removes that automatic link again;
- episode castings cascade: an asset removed from an episode leaves its shots too;
- `nb_assets_ready` on the tasks of a shot: how many of its assets are ready for the task's
  pipeline step;
- events: `entity-link:new|update`, `<kind>:casting-update` with the added/removed diff,
  `asset:update` when an episode's asset list changes, `task:update-casting-stats` (not
  persisted).

Reads run a fixed number of queries; writes are set-based for all the entities of a request.
The castings of a whole project, episode, sequence or asset type come as JSON rendered by
PostgreSQL and embedded as is in the answer (`orjson.Fragment`), like the boards: thousands
of cast assets never become Python objects.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, PermissionDenied, WrongParameter
from app.domain import events
from app.domain.access import (
    ProjectScope,
    block_vendor,
    require_entity_access,
    require_manager,
    require_member,
)
from app.domain.entity_kinds import EPISODE, SEQUENCE, SHOT, EntityKinds, entity_kinds
from app.domain.permissions import Caller
from app.repositories.casting import CastingRepository

ASSET_NOT_FOUND = "Asset not found."
SHOT_NOT_FOUND = "Shot not found."
ENTITY_NOT_FOUND = "Entity not found."
SEQUENCE_NOT_FOUND = "Sequence not found."
ASSET_TYPE_NOT_FOUND = "Asset type not found."
ENTITY_LINK_NOT_FOUND = "Entity link not found."
DEFAULT_PAGE_SIZE = 100
CURSOR_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"
MAIN_EPISODE = "main"
ALL_EPISODES = "all"
EMPTY_CASTINGS = orjson.Fragment(b"{}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One asset of a casting."""

    asset_id: str
    nb_occurences: int
    label: str


# --- parsing the loose casting bodies ---------------------------------------


def _validation_error(errors: list[dict[str, str]]) -> WrongParameter:
    return WrongParameter("Validation error.", {"errors": errors})


def _as_uuid(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def loose_entries(casting: list[Any]) -> list[Entry]:
    """The entries of a casting body as Zou reads them: those naming both `asset_id` and
    `nb_occurences` count, the others are ignored; a null count means one, a null label none."""
    entries: list[Entry] = []
    errors: list[dict[str, str]] = []
    for index, item in enumerate(casting):
        if not isinstance(item, dict):
            errors.append({"field": str(index), "message": "Input should be a valid dictionary"})
            continue
        if "asset_id" not in item or "nb_occurences" not in item:
            continue
        asset_id = _as_uuid(item["asset_id"])
        if asset_id is None:
            errors.append({"field": f"{index}.asset_id", "message": "Input should be a valid UUID"})
        raw_count = item["nb_occurences"]
        count = 1 if raw_count is None else _as_int(raw_count)
        if count is None:
            errors.append({"field": f"{index}.nb_occurences", "message": "Input should be a valid integer"})
        label = item.get("label")
        if label is None:
            label = ""
        elif not isinstance(label, str):
            errors.append({"field": f"{index}.label", "message": "Input should be a valid string"})
        if asset_id is not None and count is not None and isinstance(label, str):
            entries.append(Entry(asset_id, count, label))
    if errors:
        raise _validation_error(errors)
    return entries


# --- lookups -----------------------------------------------------------------


async def _asset(session: AsyncSession, kinds: EntityKinds, asset_id: str) -> dict[str, Any]:
    row = await CastingRepository(session).entity(asset_id)
    if row is None or not kinds.is_asset_type(row["entity_type_id"]):
        raise NotFound(ASSET_NOT_FOUND)
    return row


async def _typed(session: AsyncSession, entity_id: str, type_id: str, message: str) -> dict[str, Any]:
    row = await CastingRepository(session).entity(entity_id)
    if row is None or row["entity_type_id"] != type_id:
        raise NotFound(message)
    return row


async def _entities_of_project(session: AsyncSession, project_id: str, entity_ids: Sequence[str]) -> dict[str, dict]:
    """The entities (id, project, type, parent, grand parent), all of them in the project, else 404/403."""
    rows = await CastingRepository(session).entities(entity_ids)
    if any(entity_id not in rows for entity_id in entity_ids):
        raise NotFound(ENTITY_NOT_FOUND)
    if any(row["project_id"] != project_id for row in rows.values()):
        raise PermissionDenied()
    return rows


async def _readable_entity(session: AsyncSession, caller: Caller, row: dict[str, Any]) -> ProjectScope:
    """Zou's check_project_access then check_entity_access on the entity's project."""
    scope = await require_member(session, caller, row["project_id"])
    await require_entity_access(session, scope, row["id"])
    return scope


async def _casting_reader(session: AsyncSession, caller: Caller, project_id: str) -> ProjectScope:
    """Project members but vendors read castings of a whole project."""
    scope = await require_member(session, caller, project_id)
    block_vendor(scope)
    return scope


def _typed_rows(rows: list[dict[str, Any]], type_name: str) -> list[dict[str, Any]]:
    for row in rows:
        row["type"] = type_name
    return rows


# --- reads -------------------------------------------------------------------


async def entity_casting(session: AsyncSession, caller: Caller, project_id: str, entity_id: str) -> list[dict]:
    await _casting_reader(session, caller, project_id)
    await _entities_of_project(session, project_id, [entity_id])
    return await _casting(session, entity_id)


async def _casting(session: AsyncSession, entity_id: str) -> list[dict[str, Any]]:
    rows = await CastingRepository(session).casting_of([entity_id])
    for row in rows:
        del row["entity_in_id"]
    return rows


async def asset_casting(session: AsyncSession, caller: Caller, asset_id: str) -> list[dict[str, Any]]:
    """The assets cast in an asset (set dressing)."""
    asset = await _asset(session, await entity_kinds(session), asset_id)
    await _readable_entity(session, caller, asset)
    return await _casting(session, asset_id)


async def linked_assets(session: AsyncSession, caller: Caller, asset_id: str) -> list[dict[str, Any]]:
    """The full rows of the entities cast in an asset."""
    asset = await _asset(session, await entity_kinds(session), asset_id)
    await _readable_entity(session, caller, asset)
    return _typed_rows(await CastingRepository(session).entities_out(asset_id), "Asset")


async def asset_cast_in(session: AsyncSession, caller: Caller, asset_id: str) -> list[dict[str, Any]]:
    """Where an asset is cast: the shots (by episode, sequence, shot), then the assets."""
    kinds = await entity_kinds(session)
    asset = await _asset(session, kinds, asset_id)
    await _readable_entity(session, caller, asset)
    repo = CastingRepository(session)
    shots = await repo.cast_in_shots(asset_id)
    for row in shots:
        row["episode_id"] = str(row["episode_id"])  # Zou writes "None" for a shot out of any episode
    return shots + await repo.cast_in_assets(asset_id, kinds.temporal_ids)


async def shot_assets(session: AsyncSession, caller: Caller, shot_id: str) -> list[dict[str, Any]]:
    shot = await _typed(session, shot_id, (await entity_kinds(session)).id(SHOT), SHOT_NOT_FOUND)
    await _readable_entity(session, caller, shot)
    return _typed_rows(await CastingRepository(session).entities_out(shot_id), "Asset")


async def shot_asset_types(session: AsyncSession, caller: Caller, shot_id: str) -> list[dict[str, Any]]:
    shot = await _typed(session, shot_id, (await entity_kinds(session)).id(SHOT), SHOT_NOT_FOUND)
    await require_member(session, caller, shot["project_id"])
    return _typed_rows(await CastingRepository(session).asset_types_out(shot_id), "AssetType")


async def asset_type_casting(
    session: AsyncSession, caller: Caller, project_id: str, asset_type_id: str
) -> orjson.Fragment:
    """The casting of the project's assets of one type, by asset id (JSON rendered by PostgreSQL)."""
    await _casting_reader(session, caller, project_id)
    repo = CastingRepository(session)
    asset_type = await repo.entity_type(asset_type_id)
    if asset_type is None or not (await entity_kinds(session)).is_asset_type(asset_type_id):
        raise NotFound(ASSET_TYPE_NOT_FOUND)
    return orjson.Fragment(await repo.asset_type_casting(project_id, asset_type_id))


async def shared_assets_used(
    session: AsyncSession, caller: Caller, project_id: str, episode_id: str | None = None
) -> list[dict[str, Any]]:
    """Shared assets of other productions cast in the shots of the project (of one episode)."""
    await require_member(session, caller, project_id)
    if episode_id in (MAIN_EPISODE, ALL_EPISODES):
        episode_id = None
    kinds = await entity_kinds(session)
    rows = await CastingRepository(session).shared_assets_used(project_id, kinds.temporal_ids, episode_id)
    return _typed_rows(rows, "Asset")


async def episodes_casting(session: AsyncSession, caller: Caller, project_id: str) -> orjson.Fragment:
    """Casting of the project's entities by entity id (the episodes among them)."""
    await _casting_reader(session, caller, project_id)
    return orjson.Fragment(await CastingRepository(session).project_links_casting(project_id))


async def shots_casting(
    session: AsyncSession, caller: Caller, project_id: str, episode_id: str | None = None
) -> orjson.Fragment:
    """Casting of every shot of the project (of one episode), by shot id, ordered by sequence and shot."""
    await _casting_reader(session, caller, project_id)
    if episode_id == MAIN_EPISODE:
        return EMPTY_CASTINGS
    if episode_id == ALL_EPISODES:
        episode_id = None
    return orjson.Fragment(await CastingRepository(session).shots_casting(project_id=project_id, episode_id=episode_id))


async def sequence_casting(session: AsyncSession, caller: Caller, project_id: str, sequence_id: str) -> orjson.Fragment:
    await _casting_reader(session, caller, project_id)
    sequence = await _typed(session, sequence_id, (await entity_kinds(session)).id(SEQUENCE), SEQUENCE_NOT_FOUND)
    if sequence["project_id"] != project_id:
        raise PermissionDenied()
    return orjson.Fragment(await CastingRepository(session).shots_casting(sequence_id=sequence_id))


def _link_with_ms(row: dict[str, Any]) -> dict[str, Any]:
    out = {**row, "type": "EntityLink"}
    for key in ("created_at", "updated_at"):
        if isinstance(out.get(key), datetime):
            out[key] = out[key].isoformat(timespec="microseconds")
    return out


async def project_entity_links(
    session: AsyncSession,
    caller: Caller,
    project_id: str,
    *,
    page: int = -1,
    limit: int = 0,
    cursor_created_at: str | None = None,
) -> list[dict[str, Any]] | dict[str, Any]:
    """The casting links of the project's entities: all (oldest first), a page, or those after a cursor."""
    await require_manager(session, caller, project_id)
    repo = CastingRepository(session)
    if page > 0:
        limit = limit if limit >= 1 else DEFAULT_PAGE_SIZE
        offset = (page - 1) * limit
        total = await repo.count_project_links(project_id)
        rows = [] if total < offset else await repo.project_links(project_id, limit=limit, offset=offset)
        return {
            "data": [{**row, "type": "EntityLink"} for row in rows],
            "total": total,
            "nb_pages": math.ceil(total / limit),
            "limit": limit,
            "offset": offset,
            "page": page,
        }
    if cursor_created_at is not None:
        try:
            after = datetime.strptime(cursor_created_at, CURSOR_FORMAT)
        except ValueError:
            raise WrongParameter(f"cursor_created_at must be formatted as {CURSOR_FORMAT}.") from None
        limit = limit if limit >= 1 else DEFAULT_PAGE_SIZE
        total = await repo.count_project_links(project_id)
        rows = await repo.project_links(project_id, limit=limit, after=after)
        return {"data": [_link_with_ms(row) for row in rows], "total": total, "limit": limit}
    rows = await repo.project_links(project_id, limit=limit if limit > 0 else None)
    return [
        {
            "id": row["id"],
            "entity_in_id": row["entity_in_id"],
            "entity_out_id": row["entity_out_id"],
            "nb_occurences": row["nb_occurences"],
            "label": row["label"],
            "data": row["data"],
            "created_at": row["created_at"].isoformat(timespec="microseconds") if row["created_at"] else None,
            "type": "EntityLink",
        }
        for row in rows
    ]


# --- writes ------------------------------------------------------------------


async def update_entity_casting(
    session: AsyncSession, caller: Caller, project_id: str, entity_id: str, casting: list[Any]
) -> list[Any]:
    """Replace an entity's casting; answers the casting as sent."""
    return (await update_castings(session, caller, project_id, {entity_id: casting}))[entity_id]


async def update_castings(
    session: AsyncSession, caller: Caller, project_id: str, castings: dict[str, list[Any]]
) -> dict[str, list[Any]]:
    """Replace the casting of several entities of a project; answers the castings as sent."""
    await require_manager(session, caller, project_id)
    entity_ids = list(castings)
    entities = await _entities_of_project(session, project_id, entity_ids)
    targets = {entity_id: loose_entries(castings[entity_id]) for entity_id in entity_ids}
    if targets:
        writer = CastingWriter(session, caller, await entity_kinds(session), entities)
        await writer.replace(targets)
    return castings


async def update_asset_casting(
    session: AsyncSession, caller: Caller, asset_id: str, entries: list[Entry]
) -> list[dict[str, Any]]:
    """Replace the casting of an asset (set dressing); answers the validated entries."""
    kinds = await entity_kinds(session)
    asset = await _asset(session, kinds, asset_id)
    await require_manager(session, caller, asset["project_id"])
    entities = await CastingRepository(session).entities([asset_id])
    await CastingWriter(session, caller, kinds, entities).replace({asset_id: entries})
    return [{"asset_id": e.asset_id, "nb_occurences": e.nb_occurences, "label": e.label} for e in entries]


async def cast_asset(
    session: AsyncSession,
    caller: Caller,
    project_id: str,
    asset_id: str,
    entity_ids: Sequence[str],
    nb_occurences: int | None,
    label: str | None,
) -> dict[str, list[dict[str, Any]]]:
    """Cast one asset in several entities (0 occurrences uncasts it), leaving their other assets alone.

    Answers the resulting casting of each entity.
    """
    await require_manager(session, caller, project_id)
    kinds = await entity_kinds(session)
    await _asset(session, kinds, asset_id)
    entities = await _entities_of_project(session, project_id, entity_ids)
    writer = CastingWriter(session, caller, kinds, entities)
    if nb_occurences == 0:
        await writer.uncast(entity_ids, asset_id)
    else:
        await writer.cast(entity_ids, asset_id, nb_occurences, label)
    rows = await CastingRepository(session).casting_of(list(dict.fromkeys(entity_ids)))
    castings: dict[str, list[dict[str, Any]]] = {entity_id: [] for entity_id in entity_ids}
    for row in rows:
        castings[row.pop("entity_in_id")].append(row)
    return castings


async def delete_project_entity_link(
    session: AsyncSession, caller: Caller, project_id: str, link_id: str
) -> dict[str, Any]:
    """Uncast through the link (without cascading to an episode's shots); answers the removed link."""
    await require_manager(session, caller, project_id)
    repo = CastingRepository(session)
    link = await repo.link(link_id)
    if link is None:
        raise NotFound(ENTITY_LINK_NOT_FOUND)
    entities = await _entities_of_project(session, project_id, [link["entity_in_id"]])
    writer = CastingWriter(session, caller, await entity_kinds(session), entities)
    await writer.uncast([link["entity_in_id"]], link["entity_out_id"], cascade_to_shots=False)
    return {**link, "type": "EntityLink"}


class CastingWriter:
    """Casting changes for a set of entities, with the counters and events that follow them.

    The statements run once for all the entities; the events are queued per entity and sent
    at the end, entity by entity, in the order Zou emits them when it walks the entities.
    """

    def __init__(self, session: AsyncSession, caller: Caller, kinds: EntityKinds, entities: dict[str, dict]) -> None:
        self.session = session
        self.caller = caller
        self.kinds = kinds
        self.entities = entities
        self.repo = CastingRepository(session)
        self.queued: dict[str, list[tuple[str, dict[str, Any], str | None]]] = defaultdict(list)

    # --- helpers -------------------------------------------------------------

    def kind(self, entity_id: str) -> str:
        return self.kinds.kind_of(self.entities[entity_id]["entity_type_id"])

    def project_of(self, entity_id: str) -> str:
        return self.entities[entity_id]["project_id"]

    def episode_of_shot(self, entity_id: str) -> str | None:
        """The episode of a shot (its sequence's parent), None for anything else."""
        row = self.entities[entity_id]
        if self.kind(entity_id) != SHOT or row["parent_id"] is None:
            return None
        return row["grand_parent_id"]

    def queue(self, owner: str, name: str, data: dict[str, Any], project_id: str | None) -> None:
        """An event caused by the change of `owner`'s casting."""
        self.queued[owner].append((name, data, project_id))

    async def flush(self, entity_ids: Sequence[str]) -> None:
        """Store and send the queued events, entity by entity, in one insert."""
        items = [item for owner in dict.fromkeys([*entity_ids, *self.queued]) for item in self.queued.pop(owner, ())]
        if items:
            await events.emit_many(self.session, items, user_id=self.caller.id)

    def publish_only(self, name: str, data: dict[str, Any], project_id: str | None) -> None:
        """An event sent to listeners but not stored (Zou's `persist=False`)."""
        events.publish_only(self.session, name, data, project_id=project_id, user_id=self.caller.id)

    # --- operations ----------------------------------------------------------

    async def replace(self, targets: dict[str, list[Entry]]) -> None:
        """Zou's update_casting for each entity: drop its links, then cast the given entries."""
        entity_ids = list(targets)
        previous: dict[str, dict[str, dict]] = defaultdict(dict)
        for row in await self.repo.links_of(entity_ids):
            previous[row["entity_in_id"]][row["entity_out_id"]] = row
        known = await self.repo.existing_ids(e.asset_id for entries in targets.values() for e in entries)
        removed_from_episodes = [
            (entity_id, asset_id)
            for entity_id in entity_ids
            if self.kind(entity_id) == EPISODE
            for asset_id in previous[entity_id]
            if asset_id not in {e.asset_id for e in targets[entity_id]}
        ]
        await self._uncast_from_episode_shots(removed_from_episodes)
        await self.repo.delete_links_of(entity_ids)
        items = [(entity_id, e) for entity_id in entity_ids for e in targets[entity_id] if e.asset_id in known]
        await self._link(items, existing={})
        added, removed = {}, {}
        for entity_id in entity_ids:
            before = set(previous[entity_id])
            after = {e.asset_id for e in targets[entity_id] if e.asset_id in known}
            added[entity_id] = sorted(after - before)
            removed[entity_id] = sorted(before - after)
        await self._announce(entity_ids, added, removed)
        await self.flush(entity_ids)

    async def cast(
        self, entity_ids: Sequence[str], asset_id: str, nb_occurences: int | None, label: str | None
    ) -> None:
        """Zou's cast_asset for each entity: add the asset or change its count/label (None keeps them)."""
        existing = {
            (row["entity_in_id"], asset_id): row for row in await self.repo.links_of(list(entity_ids), asset_id)
        }
        state = {entity_id: (row["nb_occurences"], row["label"]) for (entity_id, _), row in existing.items()}
        items: list[tuple[str, Entry]] = []
        for entity_id in entity_ids:
            current_count, current_label = state.get(entity_id, (1, ""))
            count = current_count if nb_occurences is None else nb_occurences
            text = current_label if label is None else label
            state[entity_id] = (count, text)
            items.append((entity_id, Entry(asset_id, count, text)))
        await self._link(items, existing=existing)
        unique_ids = list(dict.fromkeys(entity_ids))
        added = {entity_id: [] if (entity_id, asset_id) in existing else [asset_id] for entity_id in unique_ids}
        await self._announce(unique_ids, added, {})
        await self.flush(unique_ids)

    async def uncast(self, entity_ids: Sequence[str], asset_id: str, *, cascade_to_shots: bool = True) -> None:
        """Zou's uncast_asset for each entity; nothing happens where the asset is not cast."""
        links = {row["entity_in_id"]: row for row in await self.repo.links_of(list(entity_ids), asset_id)}
        linked = [entity_id for entity_id in dict.fromkeys(entity_ids) if entity_id in links]
        if not linked:
            return
        if cascade_to_shots:
            await self._uncast_from_episode_shots(
                [(entity_id, asset_id) for entity_id in linked if self.kind(entity_id) == EPISODE]
            )
        await self.repo.delete_links([links[entity_id]["id"] for entity_id in linked])
        await self._announce(linked, {}, {entity_id: [asset_id] for entity_id in linked})
        await self.flush(linked)

    # --- the steps ---------------------------------------------------------------

    async def _link(
        self,
        items: list[tuple[str, Entry]],
        *,
        existing: dict[tuple[str, str], dict],
    ) -> None:
        """Create or update the links of the items (in order: a repeated pair updates the link)."""
        final: dict[tuple[str, str], Entry] = {}
        for entity_id, entry in items:
            final[(entity_id, entry.asset_id)] = entry
        new_pairs = [pair for pair in final if pair not in existing]

        # a shot's new asset joins its episode's casting, unless the episode already has it
        wanted: dict[tuple[str, str], str] = {}
        for entity_id, entry in items:
            episode_id = self.episode_of_shot(entity_id)
            if (entity_id, entry.asset_id) not in existing and episode_id is not None:
                wanted.setdefault((episode_id, entry.asset_id), entry.label)
        wanted = {pair: label for pair, label in wanted.items() if pair not in final}
        already = await self.repo.links_between(wanted)
        auto_pairs = [pair for pair in wanted if pair not in already]

        # rows in Zou's creation order: an automatic episode link just before the shot's link
        rows: list[dict[str, Any]] = []
        auto_to_write = set(auto_pairs)
        for entity_id, asset_id in new_pairs:
            episode_pair = (self.episode_of_shot(entity_id), asset_id)
            if episode_pair in auto_to_write:
                auto_to_write.discard(episode_pair)
                rows.append(
                    {
                        "entity_in_id": episode_pair[0],
                        "entity_out_id": asset_id,
                        "nb_occurences": 1,
                        "label": wanted[episode_pair],
                        "data": {"auto": True},
                    }
                )
            entry = final[(entity_id, asset_id)]
            rows.append(
                {
                    "entity_in_id": entity_id,
                    "entity_out_id": asset_id,
                    "nb_occurences": entry.nb_occurences,
                    "label": entry.label,
                }
            )
        inserted = await self.repo.insert_links(rows)
        link_ids = {(row["entity_in_id"], row["entity_out_id"]): row["id"] for row in inserted}
        await self.repo.update_links(
            [
                {"id": link["id"], "nb_occurences": final[pair].nb_occurences, "label": final[pair].label}
                for pair, link in existing.items()
                if pair in final
            ]
        )
        if auto_pairs:
            await self.repo.shift_counts(Counter(episode_id for episode_id, _ in auto_pairs))

        auto_left = set(auto_pairs)
        created: set[tuple[str, str]] = set()
        for entity_id, entry in items:
            pair = (entity_id, entry.asset_id)
            project_id = self.project_of(entity_id)
            if pair in existing or pair in created:
                link_id = existing[pair]["id"] if pair in existing else link_ids[pair]
                data = {"entity_link_id": link_id, "nb_occurences": entry.nb_occurences}
                self.queue(entity_id, "entity-link:update", data, project_id)
            else:
                created.add(pair)
                episode_pair = (self.episode_of_shot(entity_id), entry.asset_id)
                if episode_pair in auto_left:
                    auto_left.discard(episode_pair)
                    self.queue(entity_id, "asset:update", {"asset_id": entry.asset_id}, project_id)
                data = {
                    "entity_link_id": link_ids[pair],
                    "entity_in_id": entity_id,
                    "entity_out_id": entry.asset_id,
                    "nb_occurences": entry.nb_occurences,
                }
                self.queue(entity_id, "entity-link:new", data, project_id)
            if self.kind(entity_id) == EPISODE:  # the asset list of an episode is drawn from its casting
                self.queue(entity_id, "asset:update", {"asset_id": entry.asset_id}, project_id)

    async def _announce(
        self, entity_ids: Sequence[str], added: dict[str, list[str]], removed: dict[str, list[str]]
    ) -> None:
        """Refresh the counters hanging from the castings of the entities and tell the listeners."""
        counts = await self.repo.recount(entity_ids)
        await self._refresh_ready_counts([entity_id for entity_id in entity_ids if self.kind(entity_id) == SHOT])
        detach: dict[tuple[str, str], str] = {}  # (episode, asset) -> the shot that let the asset go
        for entity_id in entity_ids:
            name, key = {
                SHOT: ("shot:casting-update", "shot_id"),
                EPISODE: ("episode:casting-update", "episode_id"),
            }.get(self.kind(entity_id), ("asset:casting-update", "asset_id"))
            data = {
                key: entity_id,
                "nb_entities_out": counts.get(entity_id, 0),
                "added_asset_ids": added.get(entity_id, []),
                "removed_asset_ids": removed.get(entity_id, []),
            }
            self.queue(entity_id, name, data, self.project_of(entity_id))
            episode_id = self.episode_of_shot(entity_id)
            if episode_id is not None:
                for asset_id in removed.get(entity_id, []):
                    detach.setdefault((episode_id, asset_id), entity_id)
        if detach:
            await self._detach_unused_from_episodes(detach)

    async def _refresh_ready_counts(self, shot_ids: Sequence[str]) -> None:
        for row in await self.repo.refresh_ready_counts(shot_ids):
            self.publish_only(
                "task:update-casting-stats",
                {"task_id": row["id"], "nb_assets_ready": row["nb_assets_ready"]},
                row["project_id"],
            )

    async def _uncast_from_episode_shots(self, pairs: list[tuple[str, str]]) -> None:
        """Remove each (episode, asset) pair's asset from the casting of every shot of the episode.

        Zou walks the pairs, then the shots: each removal refreshes the shot's count (an event
        with no diff when it changed) and is announced with the count it left.
        """
        if not pairs:
            return
        removed = await self.repo.delete_episode_shot_links(pairs, self.kinds.id(SHOT))
        if not removed:
            return
        rank = {pair: index for index, pair in enumerate(pairs)}
        removed.sort(key=lambda row: rank.get((row["episode_id"], row["asset_id"]), 0))
        shot_ids = list(dict.fromkeys(row["shot_id"] for row in removed))
        counts = await self.repo.recount(shot_ids)
        await self._refresh_ready_counts(shot_ids)
        live_left = Counter(row["shot_id"] for row in removed if not row["canceled"])
        for row in removed:
            shot_id, project_id = row["shot_id"], row["project_id"]
            if not row["canceled"]:
                live_left[shot_id] -= 1
            count = counts.get(shot_id, 0) + live_left[shot_id]
            data = {"shot_id": shot_id, "nb_entities_out": count, "added_asset_ids": [], "removed_asset_ids": []}
            if not row["canceled"]:
                self.queue(row["episode_id"], "shot:casting-update", data, project_id)
            data = {**data, "removed_asset_ids": [row["asset_id"]]}
            self.queue(row["episode_id"], "shot:casting-update", data, project_id)

    async def _detach_unused_from_episodes(self, pairs: dict[tuple[str, str], str]) -> None:
        """Drop the automatic episode links of assets no shot of the episode uses any more."""
        gone = await self.repo.delete_unused_episode_links(pairs, self.kinds.id(SHOT))
        if not gone:
            return
        by_episode = Counter(row["episode_id"] for row in gone)
        counts = await self.repo.shift_counts({episode_id: -n for episode_id, n in by_episode.items()})
        order = {pair: index for index, pair in enumerate(pairs)}
        gone.sort(key=lambda row: order[(row["episode_id"], row["asset_id"])])
        for row in gone:
            episode_id, asset_id = row["episode_id"], row["asset_id"]
            shot_id = pairs[(episode_id, asset_id)]
            project_id = self.project_of(shot_id)
            by_episode[episode_id] -= 1
            data = {
                "episode_id": episode_id,
                "nb_entities_out": counts.get(episode_id, 0) + by_episode[episode_id],
                "added_asset_ids": [],
                "removed_asset_ids": [asset_id],
            }
            self.queue(shot_id, "episode:casting-update", data, project_id)
            self.queue(shot_id, "asset:update", {"asset_id": asset_id}, project_id)
