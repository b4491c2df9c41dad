"""End to end: a studio script builds a breakdown with the real `gazu` client on a live server.

The same scenario (`build_breakdown`) was run against the reference Zou to check what it
asserts. It runs once at the server root and once under `/api`; the project is removed with
`force=true` at the end, which must leave nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator

import gazu
import pytest
from live_server import LiveServer, gazu_logged_in, live_server, unique  # noqa: F401  (the fixture is used by name)


@pytest.fixture(params=["", "/api"], ids=["root", "api"])
def admin(request, live_server: LiveServer) -> Iterator[None]:  # noqa: F811
    with gazu_logged_in(live_server.url + request.param):
        yield


def build_breakdown() -> dict:
    """The scenario, usable against any server gazu is logged in to. Returns what it built."""
    project = gazu.project.new_project(unique("Breakdown"), production_type="tvshow")
    layout = gazu.task.get_task_type_by_name("Layout", for_entity="Shot") or gazu.task.new_task_type(
        unique("Layout"), for_entity="Shot"
    )
    wip = gazu.task.get_task_status_by_short_name("wip")
    character = gazu.asset.get_asset_type_by_name("Character")
    gazu.project.add_task_type(project, layout, 1)
    gazu.project.add_task_status(project, wip)
    gazu.project.add_asset_type(project, character)

    episode = gazu.shot.new_episode(project, "E01")
    sequence = gazu.shot.new_sequence(project, "SQ01", episode=episode)
    shot = gazu.shot.new_shot(project, sequence, "SH010", nb_frames=48, frame_in=101, frame_out=148)
    shot = gazu.shot.update_shot_data(shot, {"camera": "cam_a"})
    hero = gazu.asset.new_asset(project, character, "Hero", description="The hero")
    sidekick = gazu.asset.new_asset(project, character, "Sidekick")

    gazu.casting.update_shot_casting(
        project,
        shot,
        [{"asset_id": hero["id"], "nb_occurences": 2}, {"asset_id": sidekick["id"], "nb_occurences": 1}],
    )
    return {
        "project": gazu.project.get_project(project["id"]),
        "layout": layout,
        "wip": wip,
        "character": character,
        "episode": episode,
        "sequence": sequence,
        "shot": shot,
        "hero": hero,
        "sidekick": sidekick,
        "shot_casting": gazu.casting.get_shot_casting(shot),
        "sequence_casting": gazu.casting.get_sequence_casting(sequence),
        "all_casting": gazu.client.get(f"data/projects/{project['id']}/sequences/all/casting"),
    }


def check_breakdown(built: dict) -> None:
    project, shot, sequence, episode = built["project"], built["shot"], built["sequence"], built["episode"]
    hero, sidekick = built["hero"], built["sidekick"]
    assert project["production_type"] == "tvshow"
    assert built["layout"]["id"] in gazu.project.get_project(project["id"])["task_types"]
    assert built["wip"]["id"] in project["task_statuses"]
    assert built["character"]["id"] in project["asset_types"]

    assert episode["type"] == "Episode" and episode["project_id"] == project["id"]
    assert sequence["type"] == "Sequence" and sequence["parent_id"] == episode["id"]
    assert shot["type"] == "Shot" and shot["parent_id"] == sequence["id"]
    assert shot["nb_frames"] == 48
    assert shot["data"] == {"frame_in": 101, "frame_out": 148, "camera": "cam_a"}
    assert gazu.shot.get_shot(shot["id"])["data"]["camera"] == "cam_a"
    assert hero["type"] == "Asset" and hero["entity_type_id"] == built["character"]["id"]
    assert hero["description"] == "The hero"

    cast = {row["asset_id"]: row for row in built["shot_casting"]}
    assert set(cast) == {hero["id"], sidekick["id"]}
    assert cast[hero["id"]]["nb_occurences"] == 2
    assert cast[hero["id"]]["asset_name"] == "Hero"
    assert cast[sidekick["id"]]["nb_occurences"] == 1
    for by_shot in (built["sequence_casting"], built["all_casting"]):
        assert set(by_shot) == {shot["id"]}
        assert {row["asset_id"]: row["nb_occurences"] for row in by_shot[shot["id"]]} == {
            hero["id"]: 2,
            sidekick["id"]: 1,
        }


def test_breakdown_with_gazu(admin):
    built = build_breakdown()
    try:
        check_breakdown(built)
    finally:
        gazu.project.close_project(built["project"])
        gazu.project.remove_project(built["project"], force=True)
    assert gazu.project.get_project_by_name(built["project"]["name"]) is None
    assert gazu.client.fetch_all(f"entities?project_id={built['project']['id']}") == []
