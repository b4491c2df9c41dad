"""Entity chats: the chat of an entity, joining it, its messages, the caller's chats and the CRUD."""

from __future__ import annotations

import uuid

from helpers import UNKNOWN, add
from sqlalchemy import func, select

from app.repositories.tables.events import ApiEvent
from app.repositories.tables.files import AttachmentFile
from app.repositories.tables.tasks import Chat, ChatMessage, ChatParticipant

MALFORMED = {"error": True, "message": "Malformed ID.", "data": None}
CHAT_KEYS = {"id", "object_id", "object_type", "last_message", "participants", "created_at", "updated_at", "type"}
MESSAGE_KEYS = {"id", "chat_id", "person_id", "text", "created_at", "updated_at", "type", "attachment_files"}


async def asset_on_team(make, people, *roles):
    project = await make.project(team=[people[r] for r in roles])
    return project, await make.asset(project)


async def chat_with_message(db, entity, person_id, text="hello"):
    chat = await add(db, Chat, object_id=entity["id"])
    await add(db, ChatParticipant, chat_id=chat["id"], person_id=person_id)
    message = await add(db, ChatMessage, chat_id=chat["id"], person_id=person_id, text=text)
    return chat, message


async def event_count(db) -> int:
    return (await db.execute(select(func.count()).select_from(ApiEvent.__table__))).scalar_one()


# --- GET /data/entities/{id}/chat ------------------------------------------------------------------


async def test_entity_chat_is_created_on_first_read(as_artist, make, people, db):
    _, asset = await asset_on_team(make, people, "user")

    r = await as_artist.get(f"/data/entities/{asset['id']}/chat")

    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == CHAT_KEYS | {"messages"}
    assert body["object_id"] == asset["id"]
    assert body["object_type"] == "entity"
    assert body["participants"] == []
    assert body["messages"] == []  # Zou looks messages up by entity id: always empty
    assert body["type"] == "Chat"
    again = await as_artist.get(f"/data/entities/{asset['id']}/chat")
    assert again.json()["id"] == body["id"]


async def test_entity_chat_lists_participants(as_admin, make, people, db):
    _, asset = await asset_on_team(make, people)
    chat, _ = await chat_with_message(db, asset, people["user"])
    body = (await as_admin.get(f"/data/entities/{asset['id']}/chat")).json()
    assert body["id"] == chat["id"]
    assert body["participants"] == [people["user"]]


async def test_entity_chat_errors(anon, as_artist, as_vendor, make, people):
    _, asset = await asset_on_team(make, people, "vendor")
    path = f"/data/entities/{asset['id']}/chat"
    assert (await anon.get(path)).status_code == 401
    assert (await as_artist.get(path)).status_code == 403  # not on the team
    assert (await as_vendor.get(path)).status_code == 403  # vendor without a task on it
    assert (await as_artist.get(f"/data/entities/{UNKNOWN}/chat")).status_code == 404
    r = await as_artist.get("/data/entities/nope/chat")
    assert r.status_code == 400 and r.json() == MALFORMED


async def test_vendor_with_a_task_reads_the_chat(as_vendor, make, people):
    project, asset = await asset_on_team(make, people, "vendor")
    await make.task(asset, await make.task_type(), assignees=[people["vendor"]])
    assert (await as_vendor.get(f"/data/entities/{asset['id']}/chat")).status_code == 200


# --- join / leave ------------------------------------------------------------------------------------


async def test_join_then_post_then_leave(as_artist, make, people, db):
    _, asset = await asset_on_team(make, people, "user")
    before = await event_count(db)

    r = await as_artist.post(f"/actions/user/chats/{asset['id']}/join")
    assert r.status_code == 200, r.text
    joined = r.json()
    assert joined["object_id"] == asset["id"] and joined["type"] == "Chat"
    assert "participants" not in joined
    chat = (await as_artist.get(f"/data/entities/{asset['id']}/chat")).json()
    assert chat["participants"] == [people["user"]]
    # joining twice is harmless
    assert (await as_artist.post(f"/actions/user/chats/{asset['id']}/join")).status_code == 200

    r = await as_artist.delete(f"/actions/user/chats/{asset['id']}/join")
    assert r.status_code == 204
    assert (await as_artist.get(f"/data/entities/{asset['id']}/chat")).json()["participants"] == []
    assert (await as_artist.delete(f"/actions/user/chats/{asset['id']}/join")).status_code == 204
    assert await event_count(db) == before  # chat events are published, not stored (Zou persist=False)


async def test_join_errors(anon, as_artist, make, people):
    _, asset = await asset_on_team(make, people)
    for method in ("post", "delete"):
        call = getattr
        assert (await call(anon, method)(f"/actions/user/chats/{asset['id']}/join")).status_code == 401
        assert (await call(as_artist, method)(f"/actions/user/chats/{asset['id']}/join")).status_code == 403
        assert (await call(as_artist, method)(f"/actions/user/chats/{UNKNOWN}/join")).status_code == 404
        r = await call(as_artist, method)("/actions/user/chats/bad/join")
        assert r.status_code == 400 and r.json() == MALFORMED


# --- messages ----------------------------------------------------------------------------------------


async def test_post_message_needs_participation(as_artist, make, people, db):
    _, asset = await asset_on_team(make, people, "user")
    path = f"/data/entities/{asset['id']}/chat/messages"
    r = await as_artist.post(path, json={"message": "hi"})
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "You are not a participant of this chat", "data": None}

    await as_artist.post(f"/actions/user/chats/{asset['id']}/join")
    r = await as_artist.post(path, json={"message": "hi"})
    assert r.status_code == 201, r.text
    msg = r.json()
    assert msg["text"] == "hi" and msg["person_id"] == people["user"] and msg["type"] == "ChatMessage"
    chat = (await as_artist.get(f"/data/entities/{asset['id']}/chat")).json()
    assert msg["chat_id"] == chat["id"]
    assert chat["last_message"] == msg["created_at"]

    r = await as_artist.post(path, json={})
    assert r.status_code == 400
    assert r.json()["data"] == {"errors": [{"field": "message", "message": "Field required"}]}


async def test_post_message_errors(anon, as_artist, make, people):
    _, asset = await asset_on_team(make, people)
    assert (await anon.post(f"/data/entities/{asset['id']}/chat/messages", json={"message": "x"})).status_code == 401
    r = await as_artist.post(f"/data/entities/{asset['id']}/chat/messages", json={"message": "x"})
    assert r.status_code == 403
    r = await as_artist.post(f"/data/entities/{UNKNOWN}/chat/messages", json={"message": "x"})
    assert r.status_code == 404


async def test_list_messages_with_attachments(as_artist, make, people, db, queries):
    _, asset = await asset_on_team(make, people, "user")
    chat, first = await chat_with_message(db, asset, people["user"], "first")
    await add(db, AttachmentFile, name="a.png", extension="png", chat_message_id=first["id"])
    path = f"/data/entities/{asset['id']}/chat/messages"

    queries.reset()
    r = await as_artist.get(path)
    one = queries.count
    assert r.status_code == 200, r.text
    rows = r.json()
    assert len(rows) == 1 and set(rows[0]) == MESSAGE_KEYS
    assert rows[0]["text"] == "first"
    assert [(a["name"], a["extension"]) for a in rows[0]["attachment_files"]] == [("a.png", "png")]

    for i in range(12):
        await add(db, ChatMessage, chat_id=chat["id"], person_id=people["user"], text=f"m{i}")
    queries.reset()
    r = await as_artist.get(path)
    assert len(r.json()) == 13
    assert queries.count == one


async def test_list_messages_errors(anon, as_artist, make, people):
    _, asset = await asset_on_team(make, people)
    assert (await anon.get(f"/data/entities/{asset['id']}/chat/messages")).status_code == 401
    assert (await as_artist.get(f"/data/entities/{asset['id']}/chat/messages")).status_code == 403
    assert (await as_artist.get(f"/data/entities/{UNKNOWN}/chat/messages")).status_code == 404
    assert (await as_artist.get("/data/entities/x/chat/messages")).status_code == 400


async def test_get_and_delete_message(as_artist, as_supervisor, as_admin, make, people, db):
    project, asset = await asset_on_team(make, people, "user", "supervisor")
    chat, msg = await chat_with_message(db, asset, people["user"])
    path = f"/data/entities/{asset['id']}/chat/messages/{msg['id']}"

    r = await as_supervisor.get(path)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == msg["id"] and r.json()["attachment_files"] == []
    assert (await as_supervisor.delete(path)).status_code == 403  # not the author
    assert (await as_artist.delete(path)).status_code == 204
    assert (await as_artist.get(path)).status_code == 404

    other = await add(db, ChatMessage, chat_id=chat["id"], person_id=people["user"], text="second")
    assert (await as_admin.delete(f"/data/entities/{asset['id']}/chat/messages/{other['id']}")).status_code == 204


async def test_message_of_another_chat_is_refused(as_artist, make, people, db):
    project, asset = await asset_on_team(make, people, "user")
    other_asset = await make.asset(project)
    _, msg = await chat_with_message(db, other_asset, people["user"])
    path = f"/data/entities/{asset['id']}/chat/messages/{msg['id']}"
    assert (await as_artist.get(path)).status_code == 403
    assert (await as_artist.delete(path)).status_code == 403


async def test_message_errors(anon, as_artist, make, people, db):
    _, asset = await asset_on_team(make, people, "user")
    _, msg = await chat_with_message(db, asset, people["user"])
    path = f"/data/entities/{asset['id']}/chat/messages/{msg['id']}"
    assert (await anon.get(path)).status_code == 401
    assert (await anon.delete(path)).status_code == 401
    assert (await as_artist.get(f"/data/entities/{asset['id']}/chat/messages/{UNKNOWN}")).status_code == 404
    assert (await as_artist.delete(f"/data/entities/{asset['id']}/chat/messages/{UNKNOWN}")).status_code == 404
    assert (await as_artist.get(f"/data/entities/{asset['id']}/chat/messages/bad")).status_code == 400
    assert (await as_artist.delete(f"/data/entities/{asset['id']}/chat/messages/bad")).status_code == 400
    _, closed = await asset_on_team(make, people)
    r = await as_artist.get(f"/data/entities/{closed['id']}/chat/messages/{msg['id']}")
    assert r.status_code == 403


# --- GET /data/user/chats ----------------------------------------------------------------------------


async def test_user_chats(as_artist, anon, make, people, db, queries):
    project = await make.project(team=[people["user"]])
    asset_type = await make.entity_type("Props")
    asset = await make.asset(project, asset_type, "Chair")
    episode = await make.episode(project, "E01")
    sequence = await make.sequence(project, "S01", episode=episode)
    shot = await make.shot(project, sequence, "SH010")
    await chat_with_message(db, asset, people["user"])
    await chat_with_message(db, shot, people["user"])
    await chat_with_message(db, sequence, people["manager"])  # not a participant
    closed = await make.project(team=[people["user"]], closed=True)
    await chat_with_message(db, await make.asset(closed), people["user"])

    queries.reset()
    r = await as_artist.get("/data/user/chats")
    one = queries.count
    assert r.status_code == 200, r.text
    rows = r.json()
    assert {row["entity_name"] for row in rows} == {"Props / Chair", "E01 / S01 / SH010"}
    assert set(rows[0]) == {"id", "object_id", "last_message", "entity_name", "project_id", "preview_file_id"}
    assert all(row["project_id"] == project["id"] for row in rows)

    for i in range(10):
        await chat_with_message(db, await make.asset(project, asset_type, f"A{i}"), people["user"])
    queries.reset()
    assert len((await as_artist.get("/data/user/chats")).json()) == 12
    assert queries.count == one
    assert (await anon.get("/data/user/chats")).status_code == 401


# --- CRUD /data/chats and /data/chat-messages ----------------------------------------------------


async def test_chats_crud_admin(as_admin, make, people, db):
    _, asset = await asset_on_team(make, people)
    chat, msg = await chat_with_message(db, asset, people["user"])
    await add(db, AttachmentFile, name="b.txt", extension="txt", chat_message_id=msg["id"])

    rows = (await as_admin.get("/data/chats")).json()
    assert chat["id"] in [c["id"] for c in rows]
    one = (await as_admin.get(f"/data/chats/{chat['id']}")).json()
    assert one["participants"] == [people["user"]] and one["type"] == "Chat"
    rows = (await as_admin.get("/data/chat-messages", params={"chat_id": chat["id"]})).json()
    assert [m["id"] for m in rows] == [msg["id"]]
    one = (await as_admin.get(f"/data/chat-messages/{msg['id']}")).json()
    assert one["text"] == "hello" and len(one["attachment_files"]) == 1

    r = await as_admin.put(f"/data/chat-messages/{msg['id']}", json={"text": "edited"})
    assert r.status_code == 200 and r.json()["text"] == "edited"
    r = await as_admin.post(
        "/data/chat-messages", json={"chat_id": chat["id"], "person_id": people["user"], "text": "x"}
    )
    assert r.status_code == 201, r.text
    assert (await as_admin.delete(f"/data/chat-messages/{r.json()['id']}")).status_code == 204

    other = await make.asset((await asset_on_team(make, people))[0])
    r = await as_admin.post("/data/chats", json={"object_id": other["id"]})
    assert r.status_code == 201, r.text
    new_id = r.json()["id"]
    r = await as_admin.put(f"/data/chats/{new_id}", json={"object_type": "entity"})
    assert r.status_code == 200
    assert (await as_admin.delete(f"/data/chats/{new_id}")).status_code == 204


async def test_chats_crud_errors(anon, as_manager, as_admin):
    for url in ("/data/chats", "/data/chat-messages"):
        assert (await anon.get(url)).status_code == 401
        assert (await as_manager.get(url)).status_code == 403
    assert (await as_manager.post("/data/chats", json={"object_id": UNKNOWN})).status_code == 403
    body = {"chat_id": UNKNOWN, "person_id": UNKNOWN, "text": "x"}
    assert (await as_manager.post("/data/chat-messages", json=body)).status_code == 403
    for url in ("/data/chats", "/data/chat-messages"):
        assert (await as_admin.get(f"{url}/{UNKNOWN}")).status_code == 404
        assert (await as_admin.get(f"{url}/bad")).status_code == 400
        assert (await as_manager.put(f"{url}/{uuid.uuid4()}", json={})).status_code in (403, 404)
        assert (await as_admin.delete(f"{url}/{UNKNOWN}")).status_code == 404
