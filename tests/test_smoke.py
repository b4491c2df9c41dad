async def test_index(anon):
    r = await anon.get("/")
    assert r.status_code == 200
    assert r.json() == {"api": "Zou", "version": "1.0.97"}


async def test_departments_list(as_admin):
    r = await as_admin.get("/data/departments")
    assert r.status_code == 200, r.text
    names = [d["name"] for d in r.json()]
    assert "Modeling" in names


async def test_every_answer_carries_zous_browser_hardening_headers(anon):
    for response in (await anon.get("/"), await anon.get("/data/persons"), await anon.get("/nope")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
        assert response.headers["content-security-policy"] == "frame-ancestors 'self'"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
