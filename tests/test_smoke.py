async def test_index(anon):
    r = await anon.get("/")
    assert r.status_code == 200
    assert r.json() == {"api": "Zou", "version": "1.0.97"}


async def test_departments_list(as_admin):
    r = await as_admin.get("/data/departments")
    assert r.status_code == 200, r.text
    names = [d["name"] for d in r.json()]
    assert "Modeling" in names
