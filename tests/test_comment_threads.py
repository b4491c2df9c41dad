"""Reading a task's comments, replying, acknowledging; a project's comments."""

from __future__ import annotations

import datetime

import pytest
from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import insert, select

from app.repositories.tables.files import AttachmentFile, PreviewFile
from app.repositories.tables.people import Person
from app.repositories.tables.projects import Project
from app.repositories.tables.tasks import (
    Comment,
    CommentAcknoledgments,
    CommentMentions,
    CommentPreviewLink,
    Notification,
)

COLUMNS = [
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
    "id",
    "created_at",
    "updated_at",
    "type",
]
T0 = datetime.datetime(2024, 3, 5, 10, 0, 0)


async def comment(db, task, person_id, status, minutes=0, **values):
    return await add(
        db,
        Comment,
        object_id=task["id"],
        object_type="Task",
        person_id=person_id,
        task_status_id=status["id"],
        created_at=T0 + datetime.timedelta(minutes=minutes),
        updated_at=T0 + datetime.timedelta(minutes=minutes),
        replies=values.pop("replies", []),
        checklist=values.pop("checklist", []),
        **values,
    )


async def setup(make, people):
    team = [people[r] for r in ("manager", "supervisor", "user", "client", "vendor")]
    project = await make.project(team=team)
    asset = await make.asset(project)
    task = await make.task(asset, await make.task_type(), assignees=[people["user"]])
    status = await make.task_status("Thread Status", short_name="thst", color="#3273dc")
    return project, asset, task, status


@pytest.fixture
async def thread(db, make, people):
    """A task with a manager's comment (mentioning the artist, acknowledged and answered by
    them), a client's comment and an artist's comment, newest last."""
    project, asset, task, status = await setup(make, people)
    reply = {
        "id": "c3b776e2-b246-4f21-a5b5-7a6b6388d5c6",
        "date": "2024-03-05T10:05:00",
        "person_id": people["user"],
        "text": "on it",
        "mentions": [],
        "department_mentions": [],
        "created_at": "2024-03-05T10:05:00",
    }
    by_manager = await comment(
        db,
        task,
        people["manager"],
        status,
        0,
        text="hello @User Tester",
        replies=[reply],
        checklist=[{"text": "a", "checked": False}],
    )
    await db.execute(insert(CommentMentions.__table__).values(comment=by_manager["id"], person=people["user"]))
    await db.execute(insert(CommentAcknoledgments.__table__).values(comment=by_manager["id"], person=people["user"]))
    by_client = await comment(db, task, people["client"], status, 1, text="client says")
    by_artist = await comment(db, task, people["user"], status, 2, text="artist says", editor_id=people["manager"])
    return {
        "project": project,
        "task": task,
        "status": status,
        "manager": by_manager,
        "client": by_client,
        "artist": by_artist,
        "reply": reply,
    }


def url(task_id, rest=""):
    return f"/data/tasks/{task_id}/comments{rest}"


# --- GET /data/tasks/{task_id}/comments -------------------------------------


async def test_task_comments_shape(as_admin, thread, people):
    r = await as_admin.get(url(thread["task"]["id"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert [c["text"] for c in body] == ["artist says", "client says", "hello @User Tester"]
    artist, _, first = body
    assert list(artist) == [
        *COLUMNS,
        "person",
        "editor",
        "task_status",
        "acknowledgements",
        "previews",
        "mentions",
        "department_mentions",
        "attachment_files",
    ]
    assert "editor" not in first
    assert first["person"] == {
        "first_name": "Manager",
        "last_name": "Tester",
        "full_name": "Manager Tester",
        "has_avatar": False,
        "role": "manager",
        "id": people["manager"],
    }
    assert artist["editor"] == {
        "first_name": "Manager",
        "last_name": "Tester",
        "has_avatar": False,
        "role": "manager",
        "id": people["manager"],
    }
    assert first["task_status"] == {
        "name": "Thread Status",
        "short_name": "thst",
        "color": "#3273dc",
        "id": thread["status"]["id"],
    }
    assert first["acknowledgements"] == [people["user"]]
    assert first["mentions"] == [people["user"]]
    assert first["checklist"] == [{"text": "a", "checked": False}]
    assert first["type"] == "Comment" and first["created_at"] == "2024-03-05T10:00:00"
    (reply,) = first["replies"]
    assert reply["text"] == "on it"
    assert reply["person"] == {
        "id": people["user"],
        "first_name": "User",
        "last_name": "Tester",
        "full_name": "User Tester",
        "has_avatar": False,
        "role": "user",
    }


async def test_task_comments_per_role(as_manager, as_supervisor, as_artist, as_client, as_vendor, thread):
    task_id = thread["task"]["id"]
    every = ["artist says", "client says", "hello @User Tester"]
    for client in (as_manager, as_supervisor):
        assert [c["text"] for c in (await client.get(url(task_id))).json()] == every
    assert [c["text"] for c in (await as_artist.get(url(task_id))).json()] == ["artist says", "hello @User Tester"]
    assert [c["text"] for c in (await as_client.get(url(task_id))).json()] == ["client says"]
    assert (await as_vendor.get(url(task_id))).status_code == 403  # not assigned on the entity


async def test_client_sees_blanked_studio_comments_with_previews(db, as_client, thread, people):
    task = thread["task"]
    preview = await add(db, PreviewFile, name="v1", task_id=task["id"], revision=1, extension="png", status="ready")
    rejected = await add(db, PreviewFile, name="v2", task_id=task["id"], revision=2, validation_status="rejected")
    for p in (preview, rejected):
        await db.execute(
            insert(CommentPreviewLink.__table__).values(comment=thread["artist"]["id"], preview_file=p["id"])
        )
    await add(db, AttachmentFile, name="a.txt", extension="txt", size=3, comment_id=thread["artist"]["id"])
    r = await as_client.get(url(task["id"]))
    blanked, own = r.json()
    assert own["text"] == "client says"
    assert blanked["id"] == thread["artist"]["id"]
    assert blanked["text"] == "" and blanked["attachment_files"] == [] and blanked["replies"] == []
    assert [p["id"] for p in blanked["previews"]] == [preview["id"]]  # rejected previews are hidden


async def test_previews_and_attachments(db, as_artist, thread):
    task = thread["task"]
    preview = await add(
        db, PreviewFile, name="v1", task_id=task["id"], revision=1, extension="png", width=10, height=20
    )
    await db.execute(
        insert(CommentPreviewLink.__table__).values(comment=thread["artist"]["id"], preview_file=preview["id"])
    )
    attachment = await add(db, AttachmentFile, name="a.txt", extension="txt", size=3, comment_id=thread["artist"]["id"])
    artist = (await as_artist.get(url(task["id"]))).json()[0]
    assert artist["previews"] == [
        {
            "id": preview["id"],
            "task_id": task["id"],
            "revision": 1,
            "extension": "png",
            "width": 10,
            "height": 20,
            "duration": 0,
            "status": "processing",
            "validation_status": "neutral",
            "original_name": None,
            "position": 1,
            "annotations": None,
        }
    ]
    assert artist["attachment_files"] == [
        {"id": attachment["id"], "name": "a.txt", "extension": "txt", "reply_id": None, "size": 3}
    ]


async def test_task_comments_errors(anon, as_admin, thread):
    assert (await anon.get(url(thread["task"]["id"]))).status_code == 401
    assert (await as_admin.get(url(UNKNOWN))).status_code == 404
    assert (await as_admin.get(url("nope"))).status_code == 400


async def test_task_comments_query_count(db, as_admin, make, people, queries):
    project, asset, task, status = await setup(make, people)

    async def fill(n, start):
        for i in range(n):
            row = await comment(db, task, people["manager"], status, start + i, text=f"c{i}")
            await db.execute(insert(CommentMentions.__table__).values(comment=row["id"], person=people["user"]))

    await fill(1, 0)
    queries.reset()
    assert len((await as_admin.get(url(task["id"]))).json()) == 1
    one = queries.count
    await fill(49, 1)
    queries.reset()
    assert len((await as_admin.get(url(task["id"]))).json()) == 50
    assert queries.count == one


# --- GET /data/tasks/{task_id}/comments/{comment_id} ------------------------


async def test_single_comment(anon, as_admin, as_artist, as_client, as_vendor, thread):
    task_id = thread["task"]["id"]
    manager_comment = thread["manager"]["id"]
    r = await as_artist.get(url(task_id, f"/{manager_comment}"))
    assert r.status_code == 200, r.text
    assert list(r.json()) == COLUMNS
    assert r.json()["text"] == "hello @User Tester" and r.json()["replies"][0]["text"] == "on it"
    assert (await as_client.get(url(task_id, f"/{thread['client']['id']}"))).status_code == 200
    assert (await as_client.get(url(task_id, f"/{manager_comment}"))).status_code == 403
    assert (await as_artist.get(url(task_id, f"/{thread['client']['id']}"))).status_code == 403
    assert (await as_vendor.get(url(task_id, f"/{manager_comment}"))).status_code == 403
    assert (await anon.get(url(task_id, f"/{manager_comment}"))).status_code == 401
    assert (await as_admin.get(url(task_id, f"/{UNKNOWN}"))).status_code == 404
    assert (await as_admin.get(url(UNKNOWN, f"/{manager_comment}"))).status_code == 404
    assert (await as_admin.get(url(task_id, "/nope"))).status_code == 400


# --- POST .../ack -----------------------------------------------------------


async def test_acknowledge_toggle(db, anon, as_artist, as_manager, as_vendor, thread, people, app):
    seen = []

    async def listen(event):
        seen.append(event)

    app.state.bus.subscribe(listen)
    task_id, comment_id = thread["task"]["id"], thread["artist"]["id"]
    r = await as_manager.post(url(task_id, f"/{comment_id}/ack"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == [
        *COLUMNS[:14],
        "previews",
        "id",
        "created_at",
        "updated_at",
        "type",
        "mentions",
        "department_mentions",
        "acknowledgements",
        "attachment_files",
    ]
    assert body["acknowledgements"] == [people["manager"]]
    assert body["updated_at"] != "2024-03-05T10:02:00"
    r = await as_manager.post(url(task_id, f"/{comment_id}/ack"))
    assert r.json()["acknowledgements"] == []
    names = [(e["name"], e["data"]) for e in seen]
    assert names == [
        (
            "comment:acknowledge",
            {"comment_id": comment_id, "person_id": people["manager"], "project_id": thread["project"]["id"]},
        ),
        (
            "comment:unacknowledge",
            {"comment_id": comment_id, "person_id": people["manager"], "project_id": thread["project"]["id"]},
        ),
    ]
    assert await events_named(db, "comment:acknowledge") == []  # live signal only, as Zou
    assert (await anon.post(url(task_id, f"/{comment_id}/ack"))).status_code == 401
    assert (await as_vendor.post(url(task_id, f"/{comment_id}/ack"))).status_code == 403
    assert (await as_artist.post(url(task_id, f"/{UNKNOWN}/ack"))).status_code == 404
    assert (await as_artist.post(url(UNKNOWN, f"/{comment_id}/ack"))).status_code == 404
    assert (await as_artist.post(url(task_id, "/nope/ack"))).status_code == 400
    app.state.bus.unsubscribe(listen)


# --- POST .../reply ---------------------------------------------------------


async def test_reply(db, as_artist, thread, people):
    task_id, comment_id = thread["task"]["id"], thread["manager"]["id"]
    r = await as_artist.post(url(task_id, f"/{comment_id}/reply"), json={"text": "done @Manager Tester"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["id", "date", "person_id", "text", "mentions", "department_mentions", "created_at", "person"]
    assert body["person_id"] == people["user"] and body["text"] == "done @Manager Tester"
    assert body["mentions"] == [people["manager"]] and body["department_mentions"] == []
    assert body["person"]["full_name"] == "User Tester" and len(body["date"]) == 19
    stored = (
        await db.execute(select(Comment.__table__.c.replies).where(Comment.__table__.c.id == comment_id))
    ).scalar()
    assert [x["id"] for x in stored] == [thread["reply"]["id"], body["id"]]
    (event,) = await events_named(db, "comment:reply")
    assert event["data"] == {
        "task_id": task_id,
        "comment_id": comment_id,
        "reply_id": body["id"],
        "project_id": thread["project"]["id"],
    }
    notified = (
        await db.execute(
            select(Notification.__table__.c.person_id, Notification.__table__.c.type).where(
                Notification.__table__.c.reply_id == body["id"]
            )
        )
    ).all()
    assert sorted(notified) == sorted([(people["manager"], "reply"), (people["manager"], "reply-mention")])


async def test_reply_access(anon, as_admin, as_artist, as_supervisor, as_client, as_vendor, thread, people):
    task_id = thread["task"]["id"]
    on_manager, on_client = thread["manager"]["id"], thread["client"]["id"]
    body = {"text": "x"}
    assert (await anon.post(url(task_id, f"/{on_manager}/reply"), json=body)).status_code == 401
    # a thread the client reads: only managers and clients answer
    assert (await as_artist.post(url(task_id, f"/{on_client}/reply"), json=body)).status_code == 403
    assert (await as_supervisor.post(url(task_id, f"/{on_client}/reply"), json=body)).status_code == 403
    assert (await as_client.post(url(task_id, f"/{on_client}/reply"), json=body)).status_code == 200
    assert (await as_vendor.post(url(task_id, f"/{on_manager}/reply"), json=body)).status_code == 403
    assert (await as_supervisor.post(url(task_id, f"/{on_manager}/reply"), json=body)).status_code == 200
    assert (await as_admin.post(url(task_id, f"/{UNKNOWN}/reply"), json=body)).status_code == 404
    assert (await as_admin.post(url(UNKNOWN, f"/{on_manager}/reply"), json=body)).status_code == 403  # as Zou
    assert (await as_admin.post(url(task_id, "/nope/reply"), json=body)).status_code == 400
    r = await as_admin.post(url(task_id, f"/{on_manager}/reply"), json={"text": ["x"]})
    assert r.status_code == 400 and r.json()["message"] == "Validation error."
    r = await as_admin.post(url(task_id, f"/{on_manager}/reply"))
    assert r.status_code == 200 and r.json()["text"] == ""


async def test_reply_by_mentioned_person(db, make, client_for, people, thread):
    """Someone who may not act on the task answers a conversation they were mentioned in."""
    other = people["user"]
    task = await make.task(await make.asset(thread["project"]), await make.task_type())  # not assigned
    mentioned = await comment(db, task, people["manager"], thread["status"], text="@User Tester see")
    async with client_for(other) as as_other:
        assert (
            await as_other.post(url(task["id"], f"/{mentioned['id']}/reply"), json={"text": "x"})
        ).status_code == 403
        await db.execute(insert(CommentMentions.__table__).values(comment=mentioned["id"], person=other))
        assert (
            await as_other.post(url(task["id"], f"/{mentioned['id']}/reply"), json={"text": "x"})
        ).status_code == 200


# --- DELETE .../reply/{reply_id} --------------------------------------------


async def test_delete_reply(db, anon, as_admin, as_artist, as_manager, thread, people, app):
    seen = []

    async def listen(event):
        seen.append(event)

    task_id, comment_id = thread["task"]["id"], thread["artist"]["id"]
    r = await as_manager.post(url(task_id, f"/{comment_id}/reply"), json={"text": "mgr"})
    reply_id = r.json()["id"]
    attachment = await add(db, AttachmentFile, name="a.txt", comment_id=comment_id, reply_id=reply_id)
    count = select(Notification.__table__.c.id).where(Notification.__table__.c.reply_id == reply_id)
    assert len((await db.execute(count)).all()) == 1  # the artist, assignee and comment author
    path = url(task_id, f"/{comment_id}/reply/{reply_id}")
    assert (await anon.delete(path)).status_code == 401
    assert (await as_artist.delete(path)).status_code == 403  # not the author
    app.state.bus.subscribe(listen)
    r = await as_manager.delete(path)
    app.state.bus.unsubscribe(listen)
    assert r.status_code == 200, r.text
    assert list(r.json()) == COLUMNS and r.json()["replies"] == []
    assert (await db.execute(count)).all() == []
    found = select(AttachmentFile.__table__.c.id).where(AttachmentFile.__table__.c.id == attachment["id"])
    assert (await db.execute(found)).all() == []
    assert [(e["name"], e["data"]) for e in seen] == [
        (
            "comment:delete-reply",
            {"task_id": task_id, "comment_id": comment_id, "reply_id": reply_id, "project_id": thread["project"]["id"]},
        )
    ]
    assert (await as_manager.delete(path)).status_code == 404
    # an admin removes anyone's reply
    other = url(task_id, f"/{thread['manager']['id']}/reply/{thread['reply']['id']}")
    assert (await as_admin.delete(other)).status_code == 200
    assert (await as_admin.delete(url(task_id, f"/{UNKNOWN}/reply/{reply_id}"))).status_code == 404
    assert (await as_admin.delete(url(task_id, f"/{comment_id}/reply/nope"))).status_code == 404
    assert (await as_admin.delete(url(task_id, f"/nope/reply/{reply_id}"))).status_code == 400


# --- GET /data/projects/{project_id}/comments -------------------------------


async def test_project_comments(anon, as_admin, as_artist, as_client, as_vendor, thread, people, queries):
    project_id = thread["project"]["id"]
    path = f"/data/projects/{project_id}/comments"
    r = await as_artist.get(path)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [c["text"] for c in body] == ["artist says", "client says", "hello @User Tester"]
    assert list(body[2]) == [*COLUMNS, *("previews", "mentions", "department_mentions", "acknowledgements")] + [
        "attachment_files"
    ]
    assert body[2]["acknowledgements"] == [people["user"]] and body[2]["mentions"] == [people["user"]]
    r = await as_admin.get(path + "?page=1&limit=2")
    page = r.json()
    assert {k: v for k, v in page.items() if k != "data"} == {
        "total": 3,
        "nb_pages": 2,
        "limit": 2,
        "offset": 0,
        "page": 1,
    }
    assert [c["text"] for c in page["data"]] == ["artist says", "client says"]
    assert (await as_admin.get(path + "?page=9&limit=2")).json()["data"] == []
    r = await as_admin.get(path + "?page=x")
    assert r.status_code == 400 and r.json()["message"] == "page must be an integer."
    assert (await anon.get(path)).status_code == 401
    assert (await as_client.get(path)).status_code == 403
    assert (await as_vendor.get(path)).status_code == 403
    assert (await as_admin.get(f"/data/projects/{UNKNOWN}/comments")).status_code == 404
    assert (await as_admin.get("/data/projects/nope/comments")).status_code == 400
    queries.reset()
    await as_admin.get(path)
    assert queries.count <= 3


async def test_client_views_isolated_and_for_client(db, make, people, client_for, as_client, thread):
    task, status = thread["task"], thread["status"]
    flagged = await comment(db, task, people["manager"], status, 3, text="for you", for_client=True)
    visible = [c["text"] for c in (await as_client.get(url(task["id"]))).json()]
    assert visible == ["for you", "client says"]
    other_client = await add(
        db, Person, first_name="Other", last_name="Client", email="other-client@example.com", role="client"
    )
    await make.add_to_team(thread["project"], other_client["id"])
    await comment(db, task, other_client["id"], status, 4, text="other client")
    assert [c["text"] for c in (await as_client.get(url(task["id"]))).json()] == [
        "other client",
        "for you",
        "client says",
    ]
    await db.execute(
        Project.__table__.update()
        .where(Project.__table__.c.id == thread["project"]["id"])
        .values(is_clients_isolated=True)
    )
    assert [c["text"] for c in (await as_client.get(url(task["id"]))).json()] == ["for you", "client says"]
    # single reads follow the same rule
    path = url(task["id"], f"/{flagged['id']}")
    assert (await as_client.get(path)).status_code == 200


async def test_assigned_vendor_reads_studio_comments(make, as_vendor, thread, people):
    task = await make.task(await make.asset(thread["project"]), await make.task_type(), assignees=[people["vendor"]])
    r = await as_vendor.get(url(task["id"]))
    assert r.status_code == 200 and r.json() == []
    r = await as_vendor.get(url(thread["task"]["id"]))
    assert r.status_code == 403
