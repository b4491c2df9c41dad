"""The production of `sweep.py` plus a day of work on it, then every GET route of the `tasks` area
called as each role.

On top of the production: the artist (`member`) comments the shot task with a status and
mentions the supervisor, the supervisor replies and subscribes to the task, the admin logs the
artist's time and a day off, the artist saves a filter group, someone writes in the shot's chat.
Record from the reference with `python tests/reference/tasks_sweep.py http://127.0.0.1:5000 >
tests/reference/tasks_reads.json`; `tests/test_tasks_reads.py` replays it on our app.
"""

from __future__ import annotations

import json
import sys
from typing import Any

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, __import__("os").path.dirname(__file__))
    import sweep  # type: ignore[no-redef]
else:
    from reference import sweep

DAY = "2024-03-05"
INSTANCE = {  # what `{instance_id}` means, by path prefix
    "/data/chat-messages/": "chat_message_id",
    "/data/chats/": "chat_id",
    "/data/comments/": "comment_id",
    "/data/day-offs/": "day_off_id",
    "/data/events/": "event_id",
    "/data/news/": "news_id",
    "/data/notifications/": "notification_id",
    "/data/subscriptions/": "subscription_id",
    "/data/tasks/": "task_id",
    "/data/time-spents/": "time_spent_id",
}


def daily_work(admin, clients: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
    ok, tag, task_id = sweep.ok, ids["tag"], ids["task_id"]
    member, supervisor = clients["member"], clients["supervisor"]
    text = f"Ready @supervisor {tag}"
    comment = ok(
        member.post(
            f"/actions/tasks/{task_id}/comment", json={"task_status_id": ids["task_status_id"], "comment": text}
        ),
        201,
    )
    ok(supervisor.post(f"/data/tasks/{task_id}/comments/{comment['id']}/reply", json={"text": "Looks good"}), 200)
    ok(supervisor.post(f"/actions/user/tasks/{task_id}/subscribe"), 201)
    spent = ok(
        admin.post(f"/actions/tasks/{task_id}/time-spents/{DAY}/persons/{ids['person_id']}", json={"duration": 60}), 201
    )
    day_off = ok(
        admin.post(
            "/data/day-offs", json={"person_id": ids["person_id"], "date": "2024-03-06", "end_date": "2024-03-06"}
        ),
        201,
    )
    group = ok(
        member.post(
            "/data/user/filter-groups",
            json={"name": "Mine", "list_type": "asset", "color": "#ff0000", "project_id": ids["project_id"]},
        ),
        201,
    )
    ok(admin.post(f"/actions/user/chats/{ids['shot_id']}/join"), 200)
    message = ok(admin.post(f"/data/entities/{ids['shot_id']}/chat/messages", json={"message": "Hello"}), 201)
    chat = ok(admin.get(f"/data/entities/{ids['shot_id']}/chat"), 200)
    news = ok(admin.get(f"/data/projects/{ids['project_id']}/news"), 200)
    news = news["data"] if isinstance(news, dict) else news
    notifications = ok(supervisor.get("/data/user/notifications"), 200)
    subscriptions = ok(admin.get("/data/subscriptions"), 200)
    events = ok(admin.get("/data/events/last", params={"limit": 1}), 200)
    return {
        "comment_id": comment["id"],
        "time_spent_id": spent["id"],
        "day_off_id": day_off["id"],
        "filter_group_id": group["id"],
        "chat_message_id": message["id"],
        "chat_id": chat["id"],
        "news_id": news[0]["id"],
        "notification_id": notifications[0]["id"],
        "subscription_id": next(s["id"] for s in subscriptions if s["task_id"] == task_id),
        "event_id": events[0]["id"],
        "date": DAY,
        "year": "2024",
        "month": "03",
        "week": "10",
        "day": "05",
        "month_date": "2024-03",
    }


def run(admin, clients: dict[str, Any], ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    ids = {**ids, **daily_work(admin, clients, ids)}
    return sweep.sweep(clients, ids, area="tasks", instance=INSTANCE)


def main(base: str) -> None:
    admin, clients, ids = sweep.connect(base)
    json.dump(run(admin, clients, ids), sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
