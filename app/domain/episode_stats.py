"""Episode statistics of a production: task counts by status, and retake statistics.

Both reports read one GROUP BY query and fold it into Zou's nested answer:

- stats: `{episode_id|"all": {task_type_id|"all": {task_status_id: {name, color, count,
  frames, drawings}}}}`;
- retake stats: `{episode_id|"all": {task_type_id|"all": {max_retake_count, evolution,
  done, retake, other}}}`, where `evolution` (per episode only) tells, for each take up to
  the largest retake count, how many tasks were retaken, done or other at that take.

Vendors only count the tasks they are assigned to.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import PermissionDenied
from app.domain.access import block_client, require_member
from app.domain.permissions import Caller
from app.repositories.episode_stats import EpisodeStatsRepository

ALL = "all"


def _bucket() -> dict[str, int]:
    return {"count": 0, "frames": 0, "drawings": 0}


def _add(bucket: dict[str, Any], count: int, frames: int, drawings: int) -> None:
    bucket["count"] += count or 0
    bucket["frames"] += frames or 0
    bucket["drawings"] += drawings or 0


async def episode_stats(session: AsyncSession, caller: Caller, project_id: str) -> dict[str, Any]:
    scope = await require_member(session, caller, project_id)
    repo = EpisodeStatsRepository(session)
    if scope.is_client and await repo.client_stats_visible(project_id) is False:
        raise PermissionDenied()
    rows = await repo.status_counts(project_id, caller.id if scope.is_vendor else None)
    results: dict[str, Any] = {}
    for row in rows:
        episode_id, task_type_id, status_id = row["episode_id"], row["task_type_id"], row["task_status_id"]
        count, frames, drawings = row["count"], row["frames"], row["drawings"]
        episode = results.setdefault(episode_id, {})
        episode.setdefault(task_type_id, {})[status_id] = {
            "name": row["short_name"],
            "color": row["color"],
            "count": count,
            "frames": frames or 0,
            "drawings": drawings or 0,
        }
        targets = [
            episode.setdefault(ALL, {}),
            results.setdefault(ALL, {ALL: {}}).setdefault(task_type_id, {}),
            results[ALL][ALL],
        ]
        for target in targets:
            bucket = target.setdefault(status_id, {"name": row["short_name"], "color": row["color"], **_bucket()})
            _add(bucket, count, frames, drawings)
    return results


def _retake_entry() -> dict[str, Any]:
    return {"max_retake_count": 0, "evolution": {}, "done": _bucket(), "retake": _bucket(), "other": _bucket()}


async def episode_retake_stats(session: AsyncSession, caller: Caller, project_id: str) -> dict[str, Any]:
    scope = await require_member(session, caller, project_id)
    block_client(scope)
    rows = await EpisodeStatsRepository(session).retake_counts(project_id, caller.id if scope.is_vendor else None)
    results: dict[str, Any] = {ALL: {ALL: _retake_entry()}}
    for row in rows:
        episode_id, task_type_id = row["episode_id"], row["task_type_id"]
        results.setdefault(episode_id, {ALL: _retake_entry()})
        results[ALL].setdefault(task_type_id, _retake_entry())
        results[episode_id].setdefault(task_type_id, _retake_entry())
        state = "done" if row["is_done"] else "retake" if row["is_retake"] else "other"
        for key1, key2 in ((ALL, ALL), (ALL, task_type_id), (episode_id, ALL), (episode_id, task_type_id)):
            entry = results[key1][key2]
            entry["max_retake_count"] = max(entry["max_retake_count"], row["retake_count"])
            _add(entry[state], row["count"], row["frames"], row["drawings"])

    # the evolution needs every maximum first: a second pass
    for row in rows:
        episode_id, retake_count = row["episode_id"], row["retake_count"]
        for key in (ALL, row["task_type_id"]):
            entry = results[episode_id][key]
            evolution = entry["evolution"]
            for take in range(1, entry["max_retake_count"] + 1):
                take_stats = evolution.setdefault(
                    str(take), {"done": _bucket(), "retake": _bucket(), "other": _bucket()}
                )
                if retake_count > 0 and take <= retake_count:
                    state = "retake"
                elif row["is_done"]:
                    state = "done"
                else:
                    state = "other"
                _add(take_stats[state], row["count"], row["frames"], row["drawings"])
    return results
