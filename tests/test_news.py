"""News: the open-projects feed, a project's feed, one news item, an entity's news and
the `news` CRUD entry. News rows are inserted directly (the comment workflow comes later)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from event_log import events_named
from helpers import UNKNOWN, add

from app.repositories.tables.files import PreviewFile
from app.repositories.tables.tasks import Comment, News

NEWS_KEYS = {
    "id",
    "type",
    "author_id",
    "comment_id",
    "task_id",
    "task_type_id",
    "task_status_id",
    "task_entity_id",
    "preview_file_id",
    "preview_file_extension",
    "preview_file_revision",
    "project_id",
    "project_name",
    "created_at",
    "change",
    "full_entity_name",
    "episode_id",
    "entity_preview_file_id",
    "person",
}
PAGE_KEYS = {"data", "total", "nb_pages", "limit", "offset", "page"}
AT = datetime(2030, 5, 1, 12, 0, 0)


async def _news(db, task, author_id, status, *, at=AT, change=True, preview=None):
    comment = await add(
        db,
        Comment,
        object_id=task["id"],
        object_type="Task",
        person_id=author_id,
        task_status_id=status["id"],
        text="hello",
        created_at=at,
        updated_at=at,
    )
    return await add(
        db,
        News,
        change=change,
        author_id=author_id,
        comment_id=comment["id"],
        task_id=task["id"],
        preview_file_id=preview["id"] if preview else None,
        created_at=at,
        updated_at=at,
    )


@pytest.fixture
async def feed(db, make, people):
    """A project with an episode/sequence/shot, an asset, tasks and three news."""
    project = await make.project(name="T2b News", team=[people[r] for r in ("manager", "user", "client", "vendor")])
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "SQ01", episode=episode)
    shot = await make.shot(project, sequence, "SH01")
    asset_type = await make.entity_type("Props")
    asset = await make.asset(project, asset_type, "Chair")
    anim = await make.task_type("T2b Anim", for_entity="Shot")
    model = await make.task_type("T2b Model")
    wip = await make.task_status("T2b Wip")
    done = await make.task_status("T2b Done")
    shot_task = await make.task(shot, anim, assignees=[people["vendor"]])
    asset_task = await make.task(asset, model)
    preview = await add(db, PreviewFile, name="v1", task_id=shot_task["id"], revision=2, extension="mp4", position=1)
    first = await _news(db, shot_task, people["user"], wip, at=AT - timedelta(hours=2))
    second = await _news(db, asset_task, people["manager"], done, at=AT - timedelta(hours=1), change=False)
    third = await _news(db, shot_task, people["user"], done, at=AT, preview=preview)
    return {
        "project": project,
        "episode": episode,
        "shot": shot,
        "asset": asset,
        "anim": anim,
        "wip": wip,
        "done": done,
        "preview": preview,
        "news": [first, second, third],
        "shot_task": shot_task,
    }


async def test_project_news(as_manager, feed, people):
    r = await as_manager.get(f"/data/projects/{feed['project']['id']}/news")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == PAGE_KEYS | {"stats"}
    first, second, third = feed["news"]
    assert [n["id"] for n in body["data"]] == [third["id"], second["id"], first["id"]]
    assert (body["total"], body["nb_pages"], body["limit"], body["offset"], body["page"]) == (3, 1, 50, 0, 1)
    assert body["stats"] == {feed["wip"]["id"]: 1, feed["done"]["id"]: 1}
    top = body["data"][0]
    assert set(top) == NEWS_KEYS
    assert top["type"] == "News"
    assert top["full_entity_name"] == "E01 / SQ01 / SH01"
    assert top["episode_id"] == feed["episode"]["id"]
    assert top["task_type_id"] == feed["anim"]["id"]
    assert top["task_status_id"] == feed["done"]["id"]
    assert top["task_entity_id"] == feed["shot"]["id"]
    assert top["preview_file_id"] == feed["preview"]["id"]
    assert (top["preview_file_extension"], top["preview_file_revision"]) == ("mp4", 2)
    assert top["project_name"] == "T2b News"
    assert top["created_at"] == "2030-05-01T12:00:00"
    assert top["change"] is True
    assert top["author_id"] == people["user"]
    assert top["person"]["id"] == people["user"]
    assert set(top["person"]) == {"id", "first_name", "last_name", "full_name", "has_avatar", "role"}
    assert body["data"][1]["full_entity_name"] == "Props / Chair"
    assert body["data"][1]["episode_id"] is None


async def test_project_news_filters_and_pages(as_admin, feed, people):
    url = f"/data/projects/{feed['project']['id']}/news"
    first, second, third = feed["news"]

    async def ids(**params):
        r = await as_admin.get(url, params=params)
        assert r.status_code == 200, r.text
        return [n["id"] for n in r.json()["data"]]

    assert await ids(task_status_id=feed["done"]["id"]) == [third["id"], second["id"]]
    assert await ids(task_type_id=feed["anim"]["id"]) == [third["id"], first["id"]]
    assert await ids(person_id=people["manager"]) == [second["id"]]
    assert await ids(episode_id=feed["episode"]["id"]) == [third["id"], first["id"]]
    assert await ids(after="2030-05-01T10:30:00") == [third["id"], second["id"]]
    assert await ids(before="2030-05-01") == []
    r = await as_admin.get(url, params={"only_preview": "true"})
    data = r.json()["data"]
    assert [n["id"] for n in data] == [third["id"]]
    assert [p["id"] for p in data[0]["preview_files"]] == [feed["preview"]["id"]]
    r = await as_admin.get(url, params={"page": 2, "limit": 2})
    body = r.json()
    assert [n["id"] for n in body["data"]] == [first["id"]]
    assert (body["total"], body["nb_pages"], body["offset"], body["page"]) == (3, 2, 2, 2)
    assert (await as_admin.get(url, params={"before": "soon"})).status_code == 400
    assert (await as_admin.get(url, params={"task_type_id": "x"})).status_code == 400


async def test_project_news_permissions(anon, as_admin, as_client, as_artist, make, feed):
    url = f"/data/projects/{feed['project']['id']}/news"
    assert (await anon.get(url)).status_code == 401
    assert (await as_client.get(url)).status_code == 403
    assert (await as_artist.get(url)).status_code == 200
    outsider = await make.project()
    assert (await as_artist.get(f"/data/projects/{outsider['id']}/news")).status_code == 403
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/news")).status_code == 404
    assert (await as_admin.get("/data/projects/nope/news")).status_code == 400


async def test_open_projects_news(anon, as_admin, as_artist, as_supervisor, feed):
    r = await as_artist.get("/data/projects/news")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == PAGE_KEYS | {"stats"}
    assert [n["id"] for n in body["data"]] == [n["id"] for n in reversed(feed["news"])]
    r = await as_admin.get("/data/projects/news", params={"project_id": feed["project"]["id"], "limit": 1})
    assert r.json()["total"] == 3
    assert [n["id"] for n in r.json()["data"]] == [feed["news"][2]["id"]]
    # Not on the team: nothing.
    r = await as_supervisor.get("/data/projects/news")
    assert r.status_code == 200
    assert r.json()["total"] == 0
    assert (await anon.get("/data/projects/news")).status_code == 401


async def test_news_item(anon, as_artist, as_vendor, as_admin, feed):
    project_id = feed["project"]["id"]
    news_id = feed["news"][1]["id"]
    r = await as_artist.get(f"/data/projects/{project_id}/news/{news_id}")
    assert r.status_code == 200
    item = r.json()
    assert set(item) == NEWS_KEYS
    assert item["id"] == news_id
    assert item["change"] is False
    assert (await as_vendor.get(f"/data/projects/{project_id}/news/{news_id}")).status_code == 403
    assert (await anon.get(f"/data/projects/{project_id}/news/{news_id}")).status_code == 401
    assert (await as_admin.get(f"/data/projects/{project_id}/news/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/news/{news_id}")).status_code == 404
    assert (await as_admin.get(f"/data/projects/{project_id}/news/nope")).status_code == 400


async def test_entity_news(anon, as_artist, as_vendor, as_admin, make, feed):
    r = await as_artist.get(f"/data/entities/{feed['shot']['id']}/news")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == PAGE_KEYS
    assert body["limit"] == 2000
    assert [n["id"] for n in body["data"]] == [feed["news"][2]["id"], feed["news"][0]["id"]]
    # Vendors reach only the entities they have a task on.
    assert (await as_vendor.get(f"/data/entities/{feed['shot']['id']}/news")).status_code == 200
    assert (await as_vendor.get(f"/data/entities/{feed['asset']['id']}/news")).status_code == 403
    outsider = await make.asset(await make.project())
    assert (await as_artist.get(f"/data/entities/{outsider['id']}/news")).status_code == 403
    assert (await anon.get(f"/data/entities/{feed['shot']['id']}/news")).status_code == 401
    assert (await as_admin.get(f"/data/entities/{UNKNOWN}/news")).status_code == 404
    assert (await as_admin.get("/data/entities/nope/news")).status_code == 400


@pytest.mark.parametrize(
    "url",
    ["/data/projects/{project}/news", "/data/projects/news", "/data/entities/{shot}/news"],
)
async def test_news_query_count(as_admin, db, make, people, queries, url):
    project = await make.project(team=[people["user"]])
    sequence = await make.sequence(project, episode=await make.episode(project))
    shot = await make.shot(project, sequence)
    task_type = await make.task_type(for_entity="Shot")
    status = await make.task_status()
    task = await make.task(shot, task_type)
    await _news(db, task, people["user"], status)
    path = url.format(project=project["id"], shot=shot["id"])
    params = {"project_id": project["id"]}

    async def count():
        queries.reset()
        r = await as_admin.get(path, params=params)
        assert r.status_code == 200
        return len(r.json()["data"]), queries.count

    one = await count()
    for i in range(11):
        other_shot = await make.shot(project, sequence)
        other = await make.task(other_shot if i % 2 else shot, task_type, name=f"t{i}")
        await _news(db, other, people["manager"], status, at=AT - timedelta(minutes=i + 1))
    many = await count()
    assert many[0] >= 12 if "entities" not in url else many[0] > one[0]
    assert one[1] == many[1]


async def test_news_crud(anon, as_admin, as_manager, db, feed, people):
    body = {"task_id": feed["shot_task"]["id"], "author_id": people["user"], "change": True}
    r = await as_admin.post("/data/news", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["type"] == "News"
    assert created["task_id"] == feed["shot_task"]["id"]
    assert created["change"] is True
    assert len(await events_named(db, "news:new")) == 1
    r = await as_admin.get(f"/data/news/{created['id']}")
    assert r.status_code == 200
    assert r.json()["author_id"] == people["user"]
    r = await as_admin.get("/data/news", params={"task_id": feed["shot_task"]["id"]})
    assert len(r.json()) == 3
    r = await as_admin.put(f"/data/news/{created['id']}", json={"change": False})
    assert r.status_code == 200
    assert r.json()["change"] is False
    assert len(await events_named(db, "news:update")) == 1
    for call in (
        as_manager.get("/data/news"),
        as_manager.post("/data/news", json=body),
        as_manager.get(f"/data/news/{created['id']}"),
        as_manager.put(f"/data/news/{created['id']}", json={"change": False}),
        as_manager.delete(f"/data/news/{created['id']}"),
    ):
        assert (await call).status_code == 403
    assert (await anon.get("/data/news")).status_code == 401
    assert (await as_admin.get(f"/data/news/{UNKNOWN}")).status_code == 404
    assert (await as_admin.get("/data/news/nope")).status_code == 400
    assert (await as_admin.post("/data/news", json={"change": True})).status_code == 400
    r = await as_admin.delete(f"/data/news/{created['id']}")
    assert r.status_code == 204
    assert len(await events_named(db, "news:delete")) == 1
    assert (await as_admin.get(f"/data/news/{created['id']}")).status_code == 404


@pytest.mark.parametrize("n", [1, 12])
async def test_news_crud_list_query_count(as_admin, db, make, people, queries, n):
    project = await make.project()
    asset = await make.asset(project)
    task = await make.task(asset, await make.task_type())
    status = await make.task_status()
    for i in range(n):
        await _news(db, task, people["user"], status, at=AT - timedelta(minutes=i))
    queries.reset()
    r = await as_admin.get("/data/news", params={"task_id": task["id"]})
    assert r.status_code == 200
    assert len(r.json()) == n
    assert queries.count <= 4
