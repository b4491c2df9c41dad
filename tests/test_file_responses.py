"""The one way stored files are served (`app.routers.file_responses`): header values, ranges,
conditional requests and HEAD, checked on a person's avatar route."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from app.routers.file_responses import byte_range, content_disposition

RANGE_ERROR = {"error": True, "message": "The server cannot provide the requested range."}


def png_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "attachment", "expected"),
    [
        ("", False, 'inline; filename=""'),
        ("shot_v1.png", True, "attachment; filename=shot_v1.png"),
        ("My Sky.v2.hdr", False, 'inline; filename="My Sky.v2.hdr"'),
        ('a"b\\c.txt', True, 'attachment; filename="a\\"b\\\\c.txt"'),
        ("evil\r\nSet-Cookie: x.txt", True, 'attachment; filename="evilSet-Cookie: x.txt"'),
        ("résumé.pdf", True, "attachment; filename=resume.pdf; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"),
        ("日本.png", False, "inline; filename=.png; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png"),
    ],
)
def test_content_disposition(name, attachment, expected):
    assert content_disposition(name, attachment=attachment) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-9", (0, 9)),
        ("bytes=5-", (5, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=-500", (0, 99)),
        ("bytes=90-5000", (90, 99)),
        ("BYTES = 1-2", (1, 2)),
        ("bytes=100-", None),
        ("bytes=5-2", None),
        ("bytes=-0", None),
        ("bytes=0-1,3-4", None),
        ("items=0-9", None),
        ("bytes=abc", None),
        ("garbage", None),
    ],
)
def test_byte_range(header, expected):
    assert byte_range(header, 100) == expected


async def test_conditions_ranges_and_head(as_artist, as_client, app, people, monkeypatch):
    uid = people["user"]
    assert (
        await as_artist.post(f"/pictures/thumbnails/persons/{uid}", files={"file": ("a.png", png_bytes())})
    ).status_code == 201
    url = f"/pictures/thumbnails/persons/{uid}.png"
    full = await as_client.get(url)
    assert full.status_code == 200 and full.headers["x-content-type-options"] == "nosniff"
    etag, size = full.headers["etag"], len(full.content)

    # 304 keeps the validators and caching headers, without the entity ones (as werkzeug)
    r = await as_client.get(url, headers={"If-None-Match": f'"other", W/{etag}'})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["etag"] == etag and r.headers["cache-control"] == "max-age=604800, private"
    assert "last-modified" not in r.headers and "content-type" not in r.headers
    assert (await as_client.get(url, headers={"If-None-Match": "*"})).status_code == 304
    r = await as_client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert r.status_code == 200 and r.content == full.content

    # ranges: several, another unit or garbage are refused as Zou does; a stale If-Range sends everything
    for bad in ("bytes=0-1,3-4", "items=0-9", "bytes=abc", f"bytes={size}-"):
        r = await as_client.get(url, headers={"Range": bad})
        assert (r.status_code, r.json(), r.headers["content-range"]) == (416, RANGE_ERROR, f"bytes */{size}"), bad
    r = await as_client.get(url, headers={"Range": "bytes=0-3", "If-Range": '"stale"'})
    assert r.status_code == 200 and r.content == full.content
    r = await as_client.get(url, headers={"Range": "bytes=0-3", "If-Range": etag})
    assert (r.status_code, r.content, r.headers["content-length"]) == (206, full.content[:4], "4")

    # HEAD: the GET headers, no body, and the storage is not read
    def no_read(*args, **kwargs):
        raise AssertionError("HEAD read the stored file")

    monkeypatch.setattr(app.state.storage, "stream", no_read)
    r = await as_client.head(url)
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-length"] == str(size) and r.headers["etag"] == etag
    assert r.headers["content-type"] == "image/png"
    r = await as_client.head(url, headers={"Range": "bytes=0-9"})
    assert (r.status_code, r.headers["content-range"], r.headers["content-length"]) == (206, f"bytes 0-9/{size}", "10")
