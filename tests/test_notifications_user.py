"""The caller's notifications: the rich inbox, one notification, marking read, mark all as read."""

from __future__ import annotations

from datetime import datetime, timedelta

from event_log import events_named
from helpers import UNKNOWN, add
from sqlalchemy import select

from app.repositories.tables.files import PreviewFile
from app.repositories.tables.playlists import Playlist
from app.repositories.tables.tasks import (
    Comment,
    CommentDepartmentMentions,
    CommentMentions,
    CommentPreviewLink,
    Notification,
    Subscription,
)

INBOX_KEYS = [
    "id",
    "type",
    "notification_type",
    "author_id",
    "comment_id",
    "task_id",
    "task_type_id",
    "task_status_id",
    "mentions",
    "department_mentions",
    "reply_mentions",
    "reply_department_mentions",
    "preview_file_id",
    "project_id",
    "project_name",
    "comment_text",
    "reply_text",
    "created_at",
    "read",
    "change",
    "full_entity_name",
    "episode_id",
    "entity_preview_file_id",
    "subscription_id",
    "playlist_id",
    "playlist_name",
    "playlist_for_entity",
    "playlist_is_for_all",
]
MODEL_KEYS = [
    "read",
    "change",
    "type",
    "person_id",
    "author_id",
    "comment_id",
    "task_id",
    "playlist_id",
    "reply_id",
    "id",
    "created_at",
    "updated_at",
    "notification_type",
]
T0 = datetime(2024, 5, 1, 10, 0, 0)
REPLY_ID = "33333333-3333-3333-3333-333333333333"


async def notify(db, person_id, author_id, type_, minutes, **values):
    when = T0 + timedelta(minutes=minutes)
    return await add(
        db,
        Notification,
        person_id=person_id,
        author_id=author_id,
        type=type_,
        created_at=when,
        updated_at=when,
        **values,
    )


async def arrange(db, make, people):
    """A shot task (episode / sequence / shot) with a commented status change, a mention, a preview
    and a client reply; an asset task the artist was assigned to."""
    project = await make.project(team=[people["user"], people["manager"], people["client"], people["supervisor"]])
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "SQ01", episode=episode)
    shot = await make.shot(project, sequence, "SH01")
    asset_type = await make.entity_type("Props")
    asset = await make.asset(project, asset_type, "Chair")
    shot_type = await make.task_type(for_entity="Shot")
    asset_type_task = await make.task_type()
    wip = await make.task_status()
    shot_task = await make.task(shot, shot_type, assignees=[people["user"]])
    asset_task = await make.task(asset, asset_type_task, assignees=[people["user"]])
    department = await make.department()
    reply = {
        "id": REPLY_ID,
        "person_id": people["client"],
        "text": "client reply",
        "mentions": [people["supervisor"]],
        "department_mentions": [department["id"]],
    }
    comment = await add(
        db,
        Comment,
        object_id=shot_task["id"],
        object_type="Task",
        person_id=people["manager"],
        text="Hello look",
        task_status_id=wip["id"],
        replies=[reply],
    )
    await add(db, CommentMentions, comment=comment["id"], person=people["user"])
    await add(db, CommentDepartmentMentions, comment=comment["id"], department=department["id"])
    preview = await add(db, PreviewFile, task_id=shot_task["id"], name="v1", revision=1)
    await add(db, CommentPreviewLink, comment=comment["id"], preview_file=preview["id"])
    return {
        "project": project,
        "episode": episode,
        "shot_task": shot_task,
        "asset_task": asset_task,
        "comment": comment,
        "preview": preview,
        "department": department,
        "wip": wip,
        "shot_type": shot_type,
    }


async def test_inbox_shape_and_values(as_artist, as_supervisor, anon, db, make, people):
    w = await arrange(db, make, people)
    uid, manager, client = people["user"], people["manager"], people["client"]
    comment, shot_task = w["comment"], w["shot_task"]
    sub = await add(db, Subscription, person_id=uid, task_id=shot_task["id"])
    common = {"task_id": shot_task["id"], "comment_id": comment["id"]}
    assignation = await notify(db, uid, manager, "assignation", 0, task_id=w["asset_task"]["id"])
    commented = await notify(db, uid, manager, "comment", 1, change=True, **common)
    mention = await notify(db, uid, manager, "mention", 2, **common)
    reply = await notify(db, uid, client, "reply", 3, reply_id=REPLY_ID, **common)
    await notify(db, people["supervisor"], client, "reply-mention", 3, reply_id=REPLY_ID, **common)

    r = await as_artist.get("/data/user/notifications")
    assert r.status_code == 200, r.text
    rows = r.json()
    assert [n["id"] for n in rows] == [reply["id"], mention["id"], commented["id"], assignation["id"]]
    assert all(list(n) == INBOX_KEYS for n in rows)
    got = rows[2]
    assert got == {
        "id": commented["id"],
        "type": "Notification",
        "notification_type": "comment",
        "author_id": manager,
        "comment_id": comment["id"],
        "task_id": shot_task["id"],
        "task_type_id": w["shot_type"]["id"],
        "task_status_id": w["wip"]["id"],
        "mentions": [uid],
        "department_mentions": [w["department"]["id"]],
        "reply_mentions": [],
        "reply_department_mentions": [],
        "preview_file_id": w["preview"]["id"],
        "project_id": w["project"]["id"],
        "project_name": w["project"]["name"],
        "comment_text": "Hello look",
        "reply_text": "",
        "created_at": "2024-05-01T10:01:00",
        "read": False,
        "change": True,
        "full_entity_name": "E01 / SQ01 / SH01",
        "episode_id": w["episode"]["id"],
        "entity_preview_file_id": None,
        "subscription_id": sub["id"],
        "playlist_id": None,
        "playlist_name": "",
        "playlist_for_entity": "",
        "playlist_is_for_all": False,
    }
    assigned = rows[3]
    assert assigned["full_entity_name"] == "Props / Chair" and assigned["episode_id"] is None
    assert assigned["comment_text"] is None and assigned["mentions"] == [] and assigned["subscription_id"] is None
    assert assigned["task_status_id"] is None and assigned["preview_file_id"] is None
    # a client's reply reads blank for an artist...
    replied = rows[0]
    assert replied["notification_type"] == "reply" and replied["comment_text"] == "" and replied["reply_text"] == ""
    assert replied["reply_mentions"] == [people["supervisor"]]
    assert replied["reply_department_mentions"] == [w["department"]["id"]]
    # ...not for a supervisor
    r = await as_supervisor.get("/data/user/notifications")
    (theirs,) = r.json()
    assert theirs["notification_type"] == "reply-mention" and theirs["reply_text"] == "client reply"
    assert theirs["comment_text"] == "Hello look" and theirs["subscription_id"] is None
    assert (await anon.get("/data/user/notifications")).status_code == 401


async def test_inbox_filters(as_artist, db, make, people):
    w = await arrange(db, make, people)
    uid, manager = people["user"], people["manager"]
    common = {"task_id": w["shot_task"]["id"], "comment_id": w["comment"]["id"]}
    await add(db, Subscription, person_id=uid, task_id=w["shot_task"]["id"])
    assignation = await notify(db, uid, manager, "assignation", 0, task_id=w["asset_task"]["id"], read=True)
    commented = await notify(db, uid, manager, "comment", 10, **common)

    async def ids(query):
        r = await as_artist.get("/data/user/notifications" + query)
        assert r.status_code == 200, r.text
        return [n["id"] for n in r.json()]

    both = [commented["id"], assignation["id"]]
    assert await ids("") == both
    assert await ids("?after=2024-05-01T10:05:00") == [commented["id"]]
    assert await ids("?before=2024-05-01T10:05:00") == [assignation["id"]]
    assert await ids("?after=2024-05-01") == both
    assert await ids("?type=assignation") == [assignation["id"]]
    assert await ids("?read=true") == [assignation["id"]]
    assert await ids("?read=false") == [commented["id"]]
    assert await ids("?read=whatever") == [commented["id"]]  # Zou reads anything but "true" as false
    assert await ids("?watching=true") == [commented["id"]]
    assert await ids("?watching=false") == [assignation["id"]]
    assert await ids(f"?task_type_id={w['shot_type']['id']}") == [commented["id"]]
    default_status = await make.default_task_status()
    assert await ids(f"?task_status_id={default_status['id']}") == both  # the task's status, not the comment's
    assert await ids(f"?task_status_id={UNKNOWN}") == []
    for query, message in (
        ("?after=yesterday", "Wrong date format for after or before."),
        ("?before=", "Wrong date format for after or before."),
        ("?task_type_id=zz", "Invalid UUID format for task_type_id: zz"),
        ("?task_status_id=zz", "Invalid UUID format for task_status_id: zz"),
    ):
        r = await as_artist.get("/data/user/notifications" + query)
        assert r.status_code == 400 and r.json()["message"] == message


async def test_inbox_playlist_and_kinds(as_artist, db, make, people):
    uid, manager = people["user"], people["manager"]
    project = await make.project(team=[uid, manager])
    episode = await make.episode(project, "EP2")
    playlist = await add(db, Playlist, name="Daily", project_id=project["id"], episode_id=episode["id"])
    ready = await notify(db, uid, manager, "playlist-ready", 5, playlist_id=playlist["id"])
    sequence = await make.sequence(project, "SQ9", episode=episode)
    lone_sequence = await make.sequence(project, "SQ0")
    lone_shot = await make.shot(project, lone_sequence, "SH7")
    task_type = await make.task_type(for_entity="Shot")
    on_sequence = await make.task(sequence, task_type)
    on_episode = await make.task(episode, task_type)
    on_shot = await make.task(lone_shot, task_type)
    for minutes, task in ((1, on_sequence), (2, on_episode), (3, on_shot)):
        await notify(db, uid, manager, "assignation", minutes, task_id=task["id"])
    rows = (await as_artist.get("/data/user/notifications")).json()
    first = rows[0]
    assert first["id"] == ready["id"] and first["notification_type"] == "playlist-ready"
    assert first["playlist_id"] == playlist["id"] and first["playlist_name"] == "Daily"
    assert first["playlist_for_entity"] == "shot" and first["playlist_is_for_all"] is False
    assert first["project_id"] == project["id"] and first["project_name"] == project["name"]
    assert first["episode_id"] == episode["id"] and first["full_entity_name"] == ""
    assert [(n["full_entity_name"], n["episode_id"]) for n in rows[1:]] == [
        ("SQ0 / SH7", None),
        ("EP2", None),
        ("EP2 / SQ9", episode["id"]),
    ]


async def test_inbox_query_count_is_fixed(as_artist, db, make, people, queries):
    w = await arrange(db, make, people)
    uid, manager = people["user"], people["manager"]
    common = {"task_id": w["shot_task"]["id"], "comment_id": w["comment"]["id"]}
    await notify(db, uid, manager, "comment", 0, **common)
    queries.reset()
    assert len((await as_artist.get("/data/user/notifications")).json()) == 1
    one = queries.count
    for i in range(1, 40):
        await notify(db, uid, manager, "assignation", i, task_id=w["asset_task"]["id"] if i % 2 else None)
    queries.reset()
    assert len((await as_artist.get("/data/user/notifications")).json()) == 40
    assert queries.count == one


async def test_inbox_keeps_the_last_hundred(as_artist, db, make, people):
    project = await make.project(team=[people["user"]])
    asset = await make.asset(project)
    task = await make.task(asset, await make.task_type())
    for i in range(105):
        await notify(db, people["user"], people["manager"], "assignation", i, task_id=task["id"])
    rows = (await as_artist.get("/data/user/notifications")).json()
    assert len(rows) == 100 and rows[0]["created_at"] == "2024-05-01T11:44:00"


async def test_get_one(as_artist, as_manager, anon, db, make, people):
    w = await arrange(db, make, people)
    mine = await notify(db, people["user"], people["manager"], "mention", 0, task_id=w["shot_task"]["id"])
    r = await as_artist.get(f"/data/user/notifications/{mine['id']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == INBOX_KEYS and body["id"] == mine["id"] and body["notification_type"] == "mention"
    assert body["full_entity_name"] == "E01 / SQ01 / SH01"
    assert (await as_manager.get(f"/data/user/notifications/{mine['id']}")).status_code == 404  # not theirs
    assert (await as_artist.get(f"/data/user/notifications/{UNKNOWN}")).status_code == 404
    r = await as_artist.get("/data/user/notifications/bad")
    assert r.status_code == 400 and r.json()["message"] == "Invalid UUID format for notification_id: bad"
    assert (await anon.get(f"/data/user/notifications/{mine['id']}")).status_code == 401


async def test_mark_read_and_unread(as_artist, as_manager, anon, db, make, people):
    w = await arrange(db, make, people)
    uid = people["user"]
    mine = await notify(db, uid, people["manager"], "comment", 0, task_id=w["shot_task"]["id"])
    url = f"/data/user/notifications/{mine['id']}"
    r = await as_artist.put(url, json={"read": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == MODEL_KEYS
    assert body["read"] is True and body["type"] == "Notification" and body["notification_type"] == "comment"
    assert body["person_id"] == uid and body["updated_at"] != "2024-05-01T10:00:00"
    (event,) = await events_named(db, "notification:read")
    assert event["data"] == {"person_id": uid, "notification_id": mine["id"]}
    r = await as_artist.put(url, json={"read": False})
    assert r.status_code == 200 and r.json()["read"] is False
    assert len(await events_named(db, "notification:unread")) == 1
    assert (await as_manager.put(url, json={"read": True})).status_code == 404  # not theirs
    assert (await as_artist.put(f"/data/user/notifications/{UNKNOWN}", json={"read": True})).status_code == 404
    assert (await as_artist.put("/data/user/notifications/bad", json={"read": True})).status_code == 400
    r = await as_artist.put(url, json={"read": "maybe"})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["field"] == "read"
    assert (await as_artist.put(url, json={})).status_code == 400
    assert (await as_artist.put(url, content=b"{nope", headers={"content-type": "application/json"})).status_code == 400
    assert (await anon.put(url, json={"read": True})).status_code == 401


async def test_mark_all_as_read(as_artist, anon, db, make, people):
    w = await arrange(db, make, people)
    uid = people["user"]
    for i in range(3):
        await notify(db, uid, people["manager"], "assignation", i, task_id=w["asset_task"]["id"])
    other = await notify(db, people["supervisor"], people["manager"], "assignation", 0, task_id=w["asset_task"]["id"])
    r = await as_artist.post("/actions/user/notifications/mark-all-as-read")
    assert r.status_code == 200 and r.json() == {"success": True}
    table = Notification.__table__
    states = dict((await db.execute(select(table.c.person_id, table.c.read).where(table.c.read.is_(False)))).all())
    assert uid not in states and states[people["supervisor"]] is False
    assert other["read"] is False
    (event,) = await events_named(db, "notification:all-read")
    assert event["data"] == {"person_id": uid}
    assert (await anon.post("/actions/user/notifications/mark-all-as-read")).status_code == 401
