"""End to end with the real `gazu` client: edits, concepts and entity updates on a live server.

gazu updates every kind of entity through `PUT /data/entities/{id}`, sending back the whole dict
it read (full answers included: `tasks`, `project_name`...), and finds edits and concepts by
name through the criteria listings. What the server writes is committed: names are unique.
"""

from __future__ import annotations

from collections.abc import Iterator

import gazu
import pytest
from live_server import LiveServer, gazu_logged_in, live_server, unique  # noqa: F401  (the fixture is used by name)


@pytest.fixture
def admin(live_server: LiveServer) -> Iterator[None]:  # noqa: F811
    with gazu_logged_in(live_server.url + "/api", cache=False):
        yield


def test_gazu_edits(admin):
    project = gazu.project.new_project(unique("C2 gazu edits"))
    edit = gazu.edit.new_edit(project, "Edit", description="first cut", data={"a": 1})
    assert edit["type"] == "Edit" and edit["data"] == {"a": 1}
    # new_edit looks the name up first (GET /data/edits/all?project_id=&name=)
    assert gazu.edit.new_edit(project, "Edit")["id"] == edit["id"]
    assert gazu.edit.get_edit_by_name(project, "edit")["id"] == edit["id"]
    assert [e["id"] for e in gazu.edit.all_edits_for_project(project)] == [edit["id"]]

    full = gazu.edit.get_edit(edit["id"])
    assert full["project_name"] == project["name"] and full["tasks"] == []
    full["description"] = "second cut"
    updated = gazu.edit.update_edit(full)  # the whole full dict goes back
    assert updated["description"] == "second cut" and updated["type"] == "Edit"
    merged = gazu.edit.update_edit_data(edit, {"b": 2})
    assert merged["data"] == {"a": 1, "b": 2}


def test_gazu_concepts(admin):
    project = gazu.project.new_project(unique("C2 gazu concepts"))
    concept = gazu.concept.new_concept(project, "Sketch", description="pencil", data={"x": 1})
    assert concept["type"] == "Concept" and concept["entity_concept_links"] == []
    assert gazu.concept.get_concept_by_name(project, "Sketch")["id"] == concept["id"]
    assert [c["id"] for c in gazu.concept.all_concepts_for_project(project)] == [concept["id"]]
    full = gazu.concept.get_concept(concept["id"])
    assert full["project_name"] == project["name"] and full["tasks"] == []
    full["description"] = "ink"
    updated = gazu.concept.update_concept(full)
    assert updated["description"] == "ink" and updated["type"] == "Concept"
