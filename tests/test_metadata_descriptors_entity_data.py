"""`check_entity_data`: who may write an entity's `data`, and the merged value to store."""

from __future__ import annotations

import pytest

from app.core.errors import PermissionDenied
from app.domain.access import project_scope
from app.domain.metadata_descriptors import check_entity_data, slugify
from app.domain.permissions import Caller
from app.repositories.crud import TableRepository
from app.repositories.metadata_descriptors import MetadataDescriptorRepository
from app.repositories.tables.people import Department


async def _department(db, name: str) -> str:
    row = await TableRepository(db, Department.__table__).insert({"name": name, "color": "#000000"})
    return row["id"]


async def _descriptor(db, project, name: str, entity_type: str, departments: list[str]) -> None:
    await MetadataDescriptorRepository(db).insert_many(
        [
            {
                "project_id": project["id"],
                "entity_type": entity_type,
                "name": name,
                "field_name": slugify(name),
                "data_type": "string",
                "choices": [],
                "for_client": False,
            }
        ],
        departments,
    )


async def _scope(db, project, person_id: str, role: str, departments: list[str] = ()):
    return await project_scope(db, Caller(id=person_id, role=role, department_ids=list(departments)), project["id"])


def test_slugify_matches_zou_field_names():
    assert slugify("Difficulté Level!") == "difficulte_level"
    assert slugify("  Frame-In  count ") == "frame_in_count"
    assert slugify("it's 1,000 $") == "it_s_1000"
    assert slugify("Straße Œuvre") == "strasse_oeuvre"
    assert slugify("a__b") == "a_b"


async def test_managers_admins_and_creators_write_anything(db, make, people):
    project = await make.project(team=[people["manager"], people["user"]])
    previous = {"kept": 1, "changed": "old"}
    for pid, role in ((people["admin"], "admin"), (people["manager"], "manager")):
        scope = await _scope(db, project, pid, role)
        merged = await check_entity_data(db, scope, "Shot", project["id"], {"changed": "new"}, previous)
        assert merged == {"kept": 1, "changed": "new"}
    artist = await _scope(db, project, people["user"], "user")
    merged = await check_entity_data(
        db, artist, "Asset", project["id"], {"x": 2}, None, other_fields=["name"], created_by=people["user"]
    )
    assert merged == {"x": 2}


async def test_artists_vendors_clients_and_outsiders_are_refused(db, make, people):
    project = await make.project(team=[people["user"], people["vendor"], people["client"]])
    for role in ("user", "vendor", "client"):
        scope = await _scope(db, project, people[role], role)
        with pytest.raises(PermissionDenied):
            await check_entity_data(db, scope, "Asset", project["id"], {"a": 1}, {})
    outsider = await _scope(db, project, people["manager"], "manager")
    with pytest.raises(PermissionDenied):
        await check_entity_data(db, outsider, "Asset", project["id"], {"a": 1}, {})


async def test_supervisor_without_department_writes_data_only(db, make, people):
    project = await make.project(team=[people["supervisor"]])
    scope = await _scope(db, project, people["supervisor"], "supervisor")
    merged = await check_entity_data(db, scope, "Sequence", project["id"], {"free": "x"}, {"a": 1})
    assert merged == {"a": 1, "free": "x"}
    with pytest.raises(PermissionDenied):
        await check_entity_data(db, scope, "Shot", project["id"], {"free": "x"}, {}, other_fields=["name"])


async def test_supervisor_with_departments_writes_their_descriptors_only(db, make, people):
    project = await make.project(team=[people["supervisor"]])
    mine, other = await _department(db, "A2 Mine"), await _department(db, "A2 Other")
    await _descriptor(db, project, "Mine Field", "Shot", [mine, other])
    await _descriptor(db, project, "Other Field", "Shot", [other])
    await _descriptor(db, project, "Open Field", "Shot", [])
    await _descriptor(db, project, "Asset Field", "Asset", [mine])
    scope = await _scope(db, project, people["supervisor"], "supervisor", [mine])

    merged = await check_entity_data(db, scope, "Shot", project["id"], {"mine_field": "v"}, {"other_field": "w"})
    assert merged == {"mine_field": "v", "other_field": "w"}
    assert await check_entity_data(db, scope, "Asset", project["id"], {"asset_field": 3}, None) == {"asset_field": 3}
    # a descriptor of another department, of no department, of another kind, or no descriptor at all
    for data in ({"other_field": "v"}, {"open_field": "v"}, {"asset_field": "v"}, {"unknown": 1}, {}):
        with pytest.raises(PermissionDenied):
            await check_entity_data(db, scope, "Shot", project["id"], data, {})
    # only Asset, Shot and Edit descriptors grant department rights
    await _descriptor(db, project, "Seq Field", "Sequence", [mine])
    with pytest.raises(PermissionDenied):
        await check_entity_data(db, scope, "Sequence", project["id"], {"seq_field": 1}, {})


async def test_team_role_overrides_global_role(db, make, people):
    project = await make.project()
    await make.add_to_team(project, people["user"], role="manager")
    scope = await _scope(db, project, people["user"], "user")
    merged = await check_entity_data(db, scope, "Asset", project["id"], {"a": 1}, None, other_fields=["name"])
    assert merged == {"a": 1}
