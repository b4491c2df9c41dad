"""Index routes: identity, health, configuration, resources, usage stats."""

import pytest


async def test_identity_at_root_and_under_api(anon):
    for path in ("/", "/api", "/api/"):
        r = await anon.get(path)
        assert r.status_code == 200 and r.json() == {"api": "Zou", "version": "1.0.97"}, path


async def test_status_reports_real_health(anon):
    r = await anon.get("/status")
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "Zou" and body["version"] == "1.0.97"
    assert body["database-up"] is True
    assert set(body) == {
        "name",
        "version",
        "database-up",
        "key-value-store-up",
        "event-stream-up",
        "job-queue-up",
        "indexer-up",
    }


async def test_status_txt_and_influx(anon):
    r = await anon.get("/status.txt")
    assert r.status_code == 200 and r.text.startswith("name: Zou\nversion: 1.0.97\ndatabase-up: up\n")
    r = await anon.get("/status/influx")
    assert r.status_code == 200 and r.json()["database-up"] == 1 and r.json()["time"] > 0


async def test_status_resources(anon):
    r = await anon.get("/status/resources")
    body = r.json()
    assert r.status_code == 200 and body["memory"]["total"] > 0 and isinstance(body["cpu"]["percent"], list)
    assert set(body["cpu"]["loadavg"]) == {"last 1 min", "last 5 min", "last 10 min"}


async def test_test_event_is_persisted(anon, db):
    from sqlalchemy import select

    from app.repositories.tables.events import ApiEvent

    r = await anon.get("/status/test-event")
    assert r.status_code == 200 and r.json() == {"success": True}
    names = (await db.execute(select(ApiEvent.name))).scalars().all()
    assert "test:event" in names


async def test_config(anon):
    r = await anon.get("/config")
    body = r.json()
    assert r.status_code == 200
    assert body["default_locale"] == "en_US" and body["default_timezone"] == "Europe/Paris"
    assert body["is_self_hosted"] is True and body["saml_enabled"] is False and body["enforce_2fa"] is False


async def test_stats_admin_only(anon, as_admin, as_manager):
    assert (await anon.get("/stats")).status_code == 401
    assert (await as_manager.get("/stats")).status_code == 403
    r = await as_admin.get("/stats")
    assert r.status_code == 200
    assert r.json() == {
        "number_of_video_previews": 0,
        "number_of_picture_previews": 0,
        "number_of_model_previews": 0,
        "number_of_comments": 0,
    }


@pytest.mark.parametrize("path", ["/docs", "/openapi.json", "/api/openapi.json"])
async def test_docs(anon, path):
    r = await anon.get(path)
    assert r.status_code == 200


async def test_openapi_documents_the_crud_schemas(anon):
    spec = (await anon.get("/openapi.json")).json()
    assert "/data/departments" in spec["paths"]
    # the body is read after the rights check, so its schema is documented inline
    body = spec["paths"]["/data/departments"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["title"] == "DepartmentCreate"
    assert body["required"] == ["name", "color"] and "archived" in body["properties"]
    update = spec["paths"]["/data/departments/{instance_id}"]["put"]["requestBody"]["content"]["application/json"]
    assert update["schema"]["title"] == "DepartmentUpdate"
    assert "Department" in spec["components"]["schemas"]


async def test_unknown_route_is_json_404(anon):
    r = await anon.get("/nope/nothing")
    assert r.status_code == 404 and r.json()["error"] is True
