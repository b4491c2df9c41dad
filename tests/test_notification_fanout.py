"""Notification fan-out (app/domain/notifications.py): followers, mentions, assignations."""

from __future__ import annotations

from helpers import add
from sqlalchemy import select

from app.domain import notifications
from app.domain.task_access import load_task
from app.repositories.tables.tasks import Comment, Notification, Subscription


async def test_comment_reply_and_assignation_fan_out(db, make, people):
    department = await make.department(members=[people["supervisor"]])
    project = await make.project(team=[people["user"], people["supervisor"], people["manager"]])
    sequence = await make.sequence(project)
    shot = await make.shot(project, sequence)
    task_type = await make.task_type(for_entity="Shot")
    task = await make.task(shot, task_type, assignees=[people["user"], people["manager"]])
    await add(db, Subscription, person_id=people["client"], task_id=task["id"])
    await add(db, Subscription, person_id=people["vendor"], entity_id=sequence["id"], task_type_id=task_type["id"])
    ctx = await load_task(db, task["id"])
    comment = await add(db, Comment, object_id=task["id"], object_type="Task", person_id=people["manager"], text="hi")
    followers = await notifications.notify_comment(
        db, ctx, comment, change=True, department_mentions=[department["id"]]
    )
    assert followers == {people["user"], people["client"], people["vendor"]}
    rows = (
        (await db.execute(select(Notification.__table__).where(Notification.__table__.c.comment_id == comment["id"])))
        .mappings()
        .all()
    )
    by_type = sorted((r["type"], str(r["person_id"]), r["change"]) for r in rows)
    assert by_type == sorted([("comment", p, True) for p in followers] + [("mention", people["supervisor"], False)])
    reply = {
        "id": "22222222-2222-2222-2222-222222222222",
        "person_id": people["user"],
        "mentions": [],
        "department_mentions": [],
    }
    recipients = await notifications.notify_reply(db, ctx, {**comment, "replies": [reply]}, reply)
    assert people["manager"] in recipients and people["user"] not in recipients
    created = await notifications.notify_assignation(db, ctx, [people["user"], people["manager"]], people["manager"])
    assert [(r["type"], str(r["person_id"])) for r in created] == [("assignation", people["user"])]


async def test_parse_mentions(db, make, people):
    from app.repositories.tables.people import Person

    department = await make.department()
    project = await make.project(team=[people["user"]])
    artist = (
        (await db.execute(select(Person.__table__).where(Person.__table__.c.id == people["user"]))).mappings().one()
    )
    text = f"Look @{artist['first_name']} {artist['last_name']} and @{department['name']}"
    assert await notifications.parse_mentions(db, project["id"], text) == ([people["user"]], [department["id"]])
    assert await notifications.parse_mentions(db, project["id"], "no mention") == ([], [])
