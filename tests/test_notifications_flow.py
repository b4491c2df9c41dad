"""The inbox after a real exchange through the API (the scenario compared with Zou): an assignation,
a subscription, a status change with a mention, a client's reply mentioning a supervisor."""

from __future__ import annotations


async def test_inbox_after_assign_comment_reply(as_manager, as_artist, as_supervisor, as_client, make, people):
    team = [people[r] for r in ("user", "manager", "client", "supervisor")]
    project = await make.project(team=team)
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "SQ01", episode=episode)
    shot = await make.shot(project, sequence, "SH01")
    task_type = await make.task_type(for_entity="Shot")
    task = await make.task(shot, task_type)
    wip = await make.task_status(is_artist_allowed=True, is_client_allowed=True)
    r = await as_manager.put(f"/actions/persons/{people['user']}/assign", json={"task_ids": [task["id"]]})
    assert r.status_code == 200, r.text
    assert (await as_supervisor.post(f"/actions/user/tasks/{task['id']}/subscribe")).status_code == 201
    r = await as_manager.post(
        f"/actions/tasks/{task['id']}/comment", json={"task_status_id": wip["id"], "comment": "Hi @User Tester look"}
    )
    assert r.status_code == 201, r.text
    comment_id = r.json()["id"]
    r = await as_client.post(
        f"/data/tasks/{task['id']}/comments/{comment_id}/reply", json={"text": "reply @Supervisor Tester"}
    )
    assert r.status_code in (200, 201), r.text

    artist = (await as_artist.get("/data/user/notifications")).json()
    by_type = {n["notification_type"]: n for n in artist}
    assert set(by_type) >= {"assignation", "comment", "mention", "reply"}
    assert by_type["mention"]["comment_text"] == "Hi @User Tester look"
    assert by_type["mention"]["mentions"] == [people["user"]]
    assert by_type["comment"]["change"] is True and by_type["comment"]["task_status_id"] == wip["id"]
    assert by_type["assignation"]["comment_text"] is None and by_type["assignation"]["comment_id"] is None
    assert by_type["reply"]["comment_text"] == "" and by_type["reply"]["reply_text"] == ""  # a client's, for an artist
    assert all(n["full_entity_name"] == "E01 / SQ01 / SH01" and n["episode_id"] == episode["id"] for n in artist)

    supervisor = (await as_supervisor.get("/data/user/notifications")).json()
    by_type = {n["notification_type"]: n for n in supervisor}
    assert set(by_type) >= {"comment", "reply", "reply-mention"}
    assert by_type["reply-mention"]["reply_text"] == "reply @Supervisor Tester"
    assert by_type["reply-mention"]["reply_mentions"] == [people["supervisor"]]
    assert by_type["reply-mention"]["comment_text"] == "Hi @User Tester look"
    subscription_ids = {n["subscription_id"] for n in supervisor}
    assert len(subscription_ids) == 1 and None not in subscription_ids
