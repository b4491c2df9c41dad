"""The storage interface (app/core/storage.py) on both backends: local directory and S3 (moto)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from app.core.config import Settings
from app.core.storage import LocalStorage, S3Storage, StorageKeyError


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path)
    endpoint = request.getfixturevalue("moto_endpoint")
    settings = Settings(
        storage_backend="s3", s3_endpoint=endpoint, s3_access_key="test", s3_secret_key="test", s3_bucket_prefix="t-"
    )
    return S3Storage(settings)


async def test_write_read_range_delete(storage, tmp_path):
    key = f"{uuid.uuid4()}.png"
    assert await storage.size("thumbnails", key) is None
    assert await storage.write("thumbnails", key, chunks(b"hello ", b"world")) == 11
    assert await storage.exists("thumbnails", key)
    assert await storage.size("thumbnails", key) == 11
    assert await storage.read_bytes("thumbnails", key) == b"hello world"
    assert b"".join([c async for c in storage.stream("thumbnails", key, 6, 8)]) == b"wor"
    async with storage.local_copy("thumbnails", key) as path:
        assert path.read_bytes() == b"hello world"
    source = tmp_path / "source.bin"
    source.write_bytes(b"x" * 3000)
    other = str(uuid.uuid4())
    assert await storage.write_file("movies-source", other, source) == 3000
    await storage.delete("thumbnails", key)
    await storage.delete("thumbnails", key)  # a missing file is not an error
    assert not await storage.exists("thumbnails", key)


@pytest.mark.parametrize(
    "bucket,key",
    [("thumbnails", "../../etc/passwd"), ("thumbnails", "a/b"), ("nope", str(uuid.uuid4())), ("thumbnails", "x.png")],
)
async def test_keys_other_than_ids_are_refused(tmp_path, bucket, key):
    with pytest.raises(StorageKeyError):
        await LocalStorage(tmp_path).write_bytes(bucket, key, b"no")
    assert not any(tmp_path.rglob("*"))
