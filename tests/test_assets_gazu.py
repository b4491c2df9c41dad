"""End to end: assets, asset types and asset instances driven by the real `gazu` client on a live server.

The same calls were made against the reference Zou to check what is asserted. The scenario
runs once at the server root and once under `/api`; the project is removed with `force=true`.
"""

from __future__ import annotations

from collections.abc import Iterator

import gazu
import pytest
from live_server import LiveServer, gazu_logged_in, live_server, unique  # noqa: F401  (the fixture is used by name)


@pytest.fixture(params=["", "/api"], ids=["root", "api"])
def admin(request, live_server: LiveServer) -> Iterator[None]:  # noqa: F811
    with gazu_logged_in(live_server.url + request.param, cache=False):
        yield


def test_assets_and_instances_with_gazu(admin):
    project = gazu.project.new_project(unique("Assets"), production_type="tvshow")
    try:
        character = gazu.asset.get_asset_type_by_name("Character") or gazu.asset.new_asset_type("Character")
        prop = gazu.asset.get_asset_type_by_name("Prop") or gazu.asset.new_asset_type("Prop")
        episode = gazu.shot.new_episode(project, "E01")
        hero = gazu.asset.new_asset(project, character, "Hero", description="The hero", extra_data={"size": 2})
        sword = gazu.asset.new_asset(project, prop, "Big Sword", episode=episode)
        assert gazu.asset.new_asset(project, character, "Hero")["id"] == hero["id"]  # found by name first

        full = gazu.asset.get_asset(hero["id"])
        assert full["project_name"] == project["name"] and full["asset_type_name"] == "Character"
        assert full["data"] == {"size": 2} and full["tasks"] == []
        assert {a["id"] for a in gazu.asset.all_assets_for_project(project)} == {hero["id"], sword["id"]}
        assert [a["id"] for a in gazu.asset.all_assets_for_project_and_type(project, prop)] == [sword["id"]]
        assert [a["id"] for a in gazu.asset.all_assets_for_episode(episode)] == [sword["id"]]
        assert gazu.asset.get_asset_by_name(project, "big sword")["id"] == sword["id"]
        assert {t["name"] for t in gazu.asset.all_asset_types_for_project(project)} == {"Character", "Prop"}
        assert "Character" in {t["name"] for t in gazu.asset.all_asset_types()}
        assert gazu.asset.get_asset_type(prop["id"])["type"] == "AssetType"

        sequence = gazu.shot.new_sequence(project, "SQ01", episode=episode)
        scene = gazu.scene.new_scene(project, sequence, "SC01")
        first = gazu.scene.new_scene_asset_instance(scene, sword, description="left hand")
        second = gazu.scene.new_scene_asset_instance(scene, sword)
        assert (first["name"], second["name"]) == ("Big_Sword_0001", "Big_Sword_0002")
        in_scene = gazu.scene.all_asset_instances_for_scene(scene)
        assert [i["id"] for i in in_scene[sword["id"]]] == [first["id"], second["id"]]
        assert gazu.scene.get_asset_instance_by_name(scene, "Big_Sword_0002")["id"] == second["id"]
        assert gazu.scene.all_camera_instances_for_scene(scene) == {}
        renamed = gazu.scene.update_asset_instance_name(second, "Spare sword")
        assert renamed["name"] == "Spare sword" and renamed["number"] == 2
        assert gazu.asset.disable_asset_instance(second)["active"] is False
        assert gazu.asset.get_asset_instance(second["id"])["active"] is False

        inside = gazu.asset.new_asset_asset_instance(hero, sword, description="carried")
        assert inside["target_asset_id"] == hero["id"] and inside["number"] == 1
        assert [i["id"] for i in gazu.asset.all_asset_instances_for_asset(hero)[sword["id"]]] == [inside["id"]]
        by_scene = gazu.asset.all_scene_asset_instances_for_asset(sword)
        assert set(by_scene) == {scene["id"], "None"}
    finally:
        gazu.project.close_project(project)
        gazu.project.remove_project(project, force=True)
