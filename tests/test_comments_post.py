"""Posting a comment on a task: the answer, the task's status workflow, rights, events, fan-out."""

from __future__ import annotations

from datetime import datetime

from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select

from app.repositories.tables.people import Person
from app.repositories.tables.projects import ProjectTaskStatusLink
from app.repositories.tables.tasks import (
    Comment,
    CommentDepartmentMentions,
    CommentMentions,
    News,
    Notification,
    Subscription,
    Task,
    TaskPersonLink,
)

COMMENT_KEYS = [
    "shotgun_id",
    "object_id",
    "object_type",
    "text",
    "data",
    "replies",
    "checklist",
    "pinned",
    "for_client",
    "links",
    "task_status_id",
    "person_id",
    "editor_id",
    "preview_file_id",
    "previews",
    "id",
    "created_at",
    "updated_at",
    "type",
    "mentions",
    "department_mentions",
    "acknowledgements",
    "attachment_files",
    "task_status",
    "person",
]


async def statuses(make):
    return {
        "todo": await make.default_task_status(),
        "wip": await make.task_status(is_wip=True),
        "wfa": await make.task_status(is_feedback_request=True),
        "retake": await make.task_status(is_retake=True),
        "done": await make.task_status(is_done=True),
        "locked": await make.task_status(is_artist_allowed=False, is_client_allowed=False),
    }


async def setup(make, people, **project_values):
    team = [people[r] for r in ("manager", "supervisor", "user", "client", "vendor")]
    project = await make.project(team=team, **project_values)
    asset = await make.asset(project)
    task_type = await make.task_type()
    task = await make.task(asset, task_type, assignees=[people["user"]])
    return project, asset, task_type, task, await statuses(make)


async def post(client, task_id, status_id, text="", **extra):
    return await client.post(
        f"/actions/tasks/{task_id}/comment", json={"task_status_id": status_id, "comment": text, **extra}
    )


async def task_row(db, task_id):
    t = Task.__table__
    return dict((await db.execute(select(t).where(t.c.id == task_id))).mappings().one())


async def test_post_comment_answer_and_task_update(as_artist, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    r = await post(as_artist, task["id"], st["wip"]["id"], "Started", checklist=[{"text": "a", "checked": False}])
    assert r.status_code == 201, r.text
    body = r.json()
    assert list(body) == COMMENT_KEYS
    assert body["text"] == "Started" and body["object_id"] == task["id"] and body["object_type"] == "Task"
    assert body["person_id"] == people["user"] and body["task_status_id"] == st["wip"]["id"]
    assert body["checklist"] == [{"text": "a", "checked": False}] and body["links"] == [] and body["replies"] == []
    assert body["for_client"] is False and body["type"] == "Comment" and body["previews"] == []
    assert body["task_status"]["id"] == st["wip"]["id"] and body["task_status"]["type"] == "TaskStatus"
    assert list(body["task_status"])[:3] == ["name", "archived", "short_name"]
    person = body["person"]
    assert person["id"] == people["user"] and person["type"] == "Person" and person["full_name"] == "User Tester"
    assert "password" not in person and "departments" not in person
    assert list(person)[-5:] == ["full_name", "id", "created_at", "updated_at", "type"]

    row = await task_row(db, task["id"])
    assert row["task_status_id"] == st["wip"]["id"]
    assert row["real_start_date"] is not None and row["last_comment_date"].replace(
        microsecond=0
    ) == datetime.fromisoformat(body["created_at"])
    assert row["retake_count"] == 0 and row["end_date"] is None and row["done_date"] is None

    new = await events_named(db, "comment:new")
    assert [e["data"] for e in new] == [
        {
            "comment_id": body["id"],
            "task_id": task["id"],
            "task_status_id": st["wip"]["id"],
            "person_id": people["user"],
            "for_client": False,
            "project_id": project["id"],
        }
    ]
    changed = await events_named(db, "task:status-changed")
    assert changed[0]["data"]["previous_task_status_id"] == task["task_status_id"]
    assert changed[0]["data"]["new_task_status_id"] == st["wip"]["id"]
    assert len(await events_named(db, "task:update")) == 1
    assert await events_named(db, "task:to-review") == []
    news = (await db.execute(select(News.__table__).where(News.__table__.c.comment_id == body["id"]))).mappings().all()
    assert len(news) == 1 and news[0]["change"] is True and news[0]["author_id"] == people["user"]
    assert len(await events_named(db, "news:new")) == 1


async def test_status_workflow_dates_and_retakes(as_manager, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    assert (await post(as_manager, task["id"], st["wfa"]["id"], "review")).status_code == 201
    row = await task_row(db, task["id"])
    assert row["end_date"] is not None and row["done_date"] is None and row["real_start_date"] is None
    review = await events_named(db, "task:to-review")
    assert len(review) == 1 and review[0]["data"]["new_task_status_id"] == st["wfa"]["id"]
    assert (await post(as_manager, task["id"], st["retake"]["id"], "again")).status_code == 201
    row = await task_row(db, task["id"])
    assert row["retake_count"] == 1 and row["end_date"] is None
    # same status again: no second retake, no status change, but the task is touched
    r = await post(as_manager, task["id"], st["retake"]["id"], "still")
    assert r.status_code == 201
    assert (await task_row(db, task["id"]))["retake_count"] == 1
    assert len(await events_named(db, "task:status-changed")) == 2
    assert len(await events_named(db, "task:update")) == 3
    news = await db.execute(select(News.__table__.c.change).where(News.__table__.c.comment_id == r.json()["id"]))
    assert news.scalar() is False
    assert (await post(as_manager, task["id"], st["done"]["id"], "ok")).status_code == 201
    row = await task_row(db, task["id"])
    assert row["done_date"] is not None and row["end_date"] is None


async def test_retake_cap(as_manager, make, people, db):
    project, asset, task_type, task, st = await setup(make, people, max_retakes=1)
    assert (await post(as_manager, task["id"], st["retake"]["id"])).status_code == 201
    assert (await post(as_manager, task["id"], st["wip"]["id"])).status_code == 201
    r = await post(as_manager, task["id"], st["retake"]["id"])
    assert r.status_code == 400 and r.json()["message"] == "No more retakes allowed on this task"
    # the entity's own cap wins over the project's
    other = await make.asset(project, data={"max_retakes": 3})
    task2 = await make.task(other, task_type)
    for status in ("retake", "wip", "retake"):
        assert (await post(as_manager, task2["id"], st[status]["id"])).status_code == 201


async def test_backdated_comment_replays_history(as_manager, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    assert (await post(as_manager, task["id"], st["wfa"]["id"], "latest")).status_code == 201
    r = await post(as_manager, task["id"], st["wip"]["id"], "old", created_at="2020-01-01 10:00:00")
    assert r.status_code == 201 and r.json()["created_at"] == "2020-01-01T10:00:00"
    row = await task_row(db, task["id"])
    assert row["task_status_id"] == st["wfa"]["id"]  # the newest comment still decides
    assert row["real_start_date"] == datetime(2020, 1, 1, 10, 0, 0)


async def test_manager_may_post_as_someone_else(as_manager, as_artist, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    r = await post(
        as_manager,
        task["id"],
        st["wip"]["id"],
        "for you",
        person_id=people["user"],
        for_client=True,
        links=["http://a"],
    )
    assert r.status_code == 201
    assert r.json()["person_id"] == people["user"] and r.json()["for_client"] is True
    assert r.json()["links"] == ["http://a"] and r.json()["person"]["id"] == people["user"]
    # an artist's person_id, date and client flag are ignored
    r = await post(as_artist, task["id"], st["wip"]["id"], "me", person_id=people["manager"], for_client=True)
    assert r.status_code == 201
    assert r.json()["person_id"] == people["user"] and r.json()["for_client"] is False
    assert (await post(as_manager, task["id"], st["wip"]["id"], person_id=UNKNOWN)).status_code == 404


async def test_rights(anon, as_artist, as_client, as_vendor, as_supervisor, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    assert (await post(anon, task["id"], st["wip"]["id"])).status_code == 401
    assert (await post(as_vendor, task["id"], st["wip"]["id"])).status_code == 403
    # artists: artist-allowed statuses only
    assert (await post(as_artist, task["id"], st["locked"]["id"])).status_code == 403
    # an artist not assigned may not comment
    other = await make.task(asset, await make.task_type())
    assert (await post(as_artist, other["id"], st["wip"]["id"])).status_code == 403
    # supervisors without department act on every task
    assert (await post(as_supervisor, other["id"], st["locked"]["id"])).status_code == 201
    # clients: the project's override decides
    assert (await post(as_client, task["id"], st["locked"]["id"])).status_code == 403
    await add(
        db, ProjectTaskStatusLink, project_id=project["id"], task_status_id=st["locked"]["id"], is_client_allowed=True
    )
    assert (await post(as_client, task["id"], st["locked"]["id"], "ok")).status_code == 201
    await add(
        db, ProjectTaskStatusLink, project_id=project["id"], task_status_id=st["wip"]["id"], is_client_allowed=False
    )
    assert (await post(as_client, task["id"], st["wip"]["id"])).status_code == 403


async def test_mentioned_person_may_answer_without_moving_the_status(as_manager, client_for, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    outsider = await make.task(asset, await make.task_type())
    r = await post(as_manager, outsider["id"], st["wip"]["id"], "ask @User Tester")
    assert r.status_code == 201 and r.json()["mentions"] == [people["user"]]
    async with client_for(people["user"]) as artist:
        assert (await post(artist, outsider["id"], st["wip"]["id"], "answer")).status_code == 201
        assert (await post(artist, outsider["id"], st["wfa"]["id"], "moving")).status_code == 403


async def test_errors(as_admin, make, people):
    project, asset, task_type, task, st = await setup(make, people)
    r = await as_admin.post(f"/actions/tasks/{task['id']}/comment", json={"comment": "x"})
    assert r.status_code == 400
    assert r.json()["data"] == {"errors": [{"field": "task_status_id", "message": "Field required"}]}
    r = await post(as_admin, task["id"], st["wip"]["id"], 5)
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "comment"
    r = await post(as_admin, task["id"], st["wip"]["id"], checklist="not json")
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "checklist"
    assert (await post(as_admin, task["id"], UNKNOWN)).status_code == 404
    assert (await post(as_admin, task["id"], "abc")).status_code == 404
    assert (await post(as_admin, UNKNOWN, st["wip"]["id"])).status_code == 404
    assert (await post(as_admin, "nope", st["wip"]["id"])).status_code == 400
    r = await as_admin.post(
        f"/actions/tasks/{task['id']}/comment",
        content=b"{bad",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400


async def test_form_body_as_gazu_sends_with_files(as_admin, make, people):
    project, asset, task_type, task, st = await setup(make, people)
    r = await as_admin.post(
        f"/actions/tasks/{task['id']}/comment",
        data={"task_status_id": st["wip"]["id"], "comment": "form", "checklist": '[{"text": "x", "checked": true}]'},
    )
    assert r.status_code == 201, r.text
    assert r.json()["checklist"] == [{"text": "x", "checked": True}] and r.json()["text"] == "form"


async def test_mentions_and_notifications(as_manager, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    department = await make.department("Anim", members=[people["supervisor"]])
    r = await post(as_manager, task["id"], st["wip"]["id"], "look @User Tester and @Anim")
    assert r.status_code == 201
    body = r.json()
    assert body["mentions"] == [people["user"]] and body["department_mentions"] == [department["id"]]
    cm = CommentMentions.__table__
    cdm = CommentDepartmentMentions.__table__
    assert (await db.execute(select(cm.c.person).where(cm.c.comment == body["id"]))).scalars().all() == [people["user"]]
    stored = (await db.execute(select(cdm.c.department).where(cdm.c.comment == body["id"]))).scalars().all()
    assert stored == [department["id"]]
    n = Notification.__table__
    rows = (await db.execute(select(n.c.person_id, n.c.type, n.c.change).where(n.c.comment_id == body["id"]))).all()
    assert (people["user"], "comment", True) in rows
    assert (people["user"], "mention", False) in rows
    assert (people["supervisor"], "mention", False) in rows
    assert all(person_id != people["manager"] for person_id, *_ in rows)


async def _followed_task(make, db, project, asset, task_type, count, tag):
    task = await make.task(asset, task_type, name=f"t{tag}")
    ids = []
    for i in range(count):
        row = await add(db, Person, first_name=f"F{i}", last_name=tag, email=f"f{i}-{tag}@example.com", role="user")
        ids.append(row["id"])
    await make.add_to_team(project, *ids)
    for person_id in ids[:5]:
        await add(db, TaskPersonLink, task_id=task["id"], person_id=person_id)
    for person_id in ids[5:]:
        await add(db, Subscription, person_id=person_id, task_id=task["id"])
    return task


async def test_statement_count_does_not_grow_with_followers(as_manager, make, people, db, queries):
    project, asset, task_type, task, st = await setup(make, people)
    counts = []
    for count, tag in ((6, "few"), (30, "many")):
        followed = await _followed_task(make, db, project, asset, task_type, count, tag)
        queries.reset()
        r = await post(as_manager, followed["id"], st["wip"]["id"], "all of you")
        assert r.status_code == 201
        counts.append(queries.count)
        n = Notification.__table__
        notified = (await db.execute(select(n.c.id).where(n.c.comment_id == r.json()["id"]))).all()
        assert len(notified) == count
    assert counts[0] == counts[1], counts


async def test_comment_row_is_stored(as_manager, make, people, db):
    project, asset, task_type, task, st = await setup(make, people)
    r = await post(as_manager, task["id"], st["wip"]["id"], "stored", links=["x"])
    c = Comment.__table__
    row = (await db.execute(select(c).where(c.c.id == r.json()["id"]))).mappings().one()
    assert row["text"] == "stored" and row["links"] == ["x"] and row["object_type"] == "Task"
