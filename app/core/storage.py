"""One async storage interface for every stored file (pictures, movies, attachments, working files).

A file is named by a *bucket* (a fixed kind of file, e.g. `thumbnails`, `movies-low`) and a
*key* built by the caller from ids and fixed suffixes (`preview_key(id)`, `f"{id}.png"`), never
from a client's file name: `check_key` refuses anything else, so no read or write can leave
the storage root. Two backends, chosen by `Settings.storage_backend`:

- `local` (default): files under `<data_dir>/files/<bucket>/<k[:3]>/<k[3:6]>/<key>`, written to a
  temporary name then renamed (a reader never sees half a file), through aiofiles.
- `s3`: any S3-compatible object store through aiobotocore (`s3_endpoint`, `s3_bucket_prefix`,
  credentials); one S3 bucket per storage bucket, created on first write.

Large bodies stream in chunks both ways; nothing holds a whole movie in memory. For the tools
that need a real file (Pillow, ffmpeg), `local_copy` yields a path: the stored file itself on
local storage, a temporary download on S3.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

import aiofiles
import aiofiles.os

from app.core.config import Settings

CHUNK = 1024 * 1024
BUCKETS = frozenset(
    {
        "originals",  # pictures as uploaded (normalised to png/jpg by Pillow) and other originals
        "previews",  # web-sized pictures
        "thumbnails",  # 150x100
        "thumbnails-square",  # 100x100
        "movies-source",  # the uploaded movie as it came
        "movies-high",  # normalised H.264, high definition
        "movies-low",  # normalised H.264, low definition
        "tiles",  # movie tile strips
        "attachments",
        "working-files",
        "avatars",  # persons, organisations and projects pictures
        "backgrounds",  # preview background files
    }
)
_KEY = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\.[a-z0-9]{1,8})?$")


class StorageKeyError(ValueError):
    """A bucket or key that the storage refuses (never client-controlled in correct code)."""


def check_key(bucket: str, key: str) -> None:
    if bucket not in BUCKETS or not _KEY.fullmatch(key):
        raise StorageKeyError(f"refused storage key {bucket!r}/{key!r}")


class Storage(Protocol):
    async def write(self, bucket: str, key: str, chunks: AsyncIterator[bytes]) -> int:
        """Store a file from chunks; answers its size."""

    async def write_bytes(self, bucket: str, key: str, data: bytes) -> int: ...

    async def write_file(self, bucket: str, key: str, path: Path) -> int:
        """Store a copy of a local file (e.g. what Pillow or ffmpeg produced)."""

    async def exists(self, bucket: str, key: str) -> bool: ...

    async def size(self, bucket: str, key: str) -> int | None:
        """Size in bytes, None when the file does not exist."""

    def stream(self, bucket: str, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes from `start` to `end` inclusive (the whole file by default)."""

    async def read_bytes(self, bucket: str, key: str) -> bytes: ...

    async def delete(self, bucket: str, key: str) -> None:
        """Remove a file; a missing file is not an error."""

    def local_copy(self, bucket: str, key: str):
        """`async with storage.local_copy(b, k) as path:` a readable local path of the file."""


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def path(self, bucket: str, key: str) -> Path:
        check_key(bucket, key)
        path = (self.root / bucket / key[:3] / key[3:6] / key).resolve()
        if self.root not in path.parents:  # belt and braces: check_key already forbids it
            raise StorageKeyError(f"refused storage path {path}")
        return path

    async def write(self, bucket: str, key: str, chunks: AsyncIterator[bytes]) -> int:
        path = self.path(bucket, key)
        await aiofiles.os.makedirs(path.parent, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        os.close(fd)
        size = 0
        try:
            async with aiofiles.open(tmp, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    await out.write(chunk)
            await aiofiles.os.replace(tmp, path)
        except BaseException:
            await aiofiles.os.remove(tmp)
            raise
        return size

    async def write_bytes(self, bucket: str, key: str, data: bytes) -> int:
        async def one() -> AsyncIterator[bytes]:
            yield data

        return await self.write(bucket, key, one())

    async def write_file(self, bucket: str, key: str, path: Path) -> int:
        return await self.write(bucket, key, _file_chunks(Path(path)))

    async def exists(self, bucket: str, key: str) -> bool:
        return await aiofiles.os.path.isfile(self.path(bucket, key))

    async def size(self, bucket: str, key: str) -> int | None:
        try:
            return (await aiofiles.os.stat(self.path(bucket, key))).st_size
        except FileNotFoundError:
            return None

    async def stream(self, bucket: str, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        async for chunk in _file_chunks(self.path(bucket, key), start, end):
            yield chunk

    async def read_bytes(self, bucket: str, key: str) -> bytes:
        async with aiofiles.open(self.path(bucket, key), "rb") as f:
            return await f.read()

    async def delete(self, bucket: str, key: str) -> None:
        try:
            await aiofiles.os.remove(self.path(bucket, key))
        except FileNotFoundError:
            pass

    @asynccontextmanager
    async def local_copy(self, bucket: str, key: str) -> AsyncIterator[Path]:
        path = self.path(bucket, key)
        if not await aiofiles.os.path.isfile(path):
            raise FileNotFoundError(f"{bucket}/{key}")
        yield path


async def _file_chunks(path: Path, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
    remaining = None if end is None else end - start + 1
    async with aiofiles.open(path, "rb") as f:
        if start:
            await f.seek(start)
        while remaining is None or remaining > 0:
            chunk = await f.read(CHUNK if remaining is None else min(CHUNK, remaining))
            if not chunk:
                break
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk


class S3Storage:
    """S3-compatible object storage through aiobotocore (one client per call: simple and safe
    across event loops; the connection pool of a long-lived client is an optimisation for later)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._created: set[str] = set()

    def _bucket(self, bucket: str, key: str) -> str:
        check_key(bucket, key)
        return f"{self.settings.s3_bucket_prefix}{bucket}"

    @asynccontextmanager
    async def _client(self):
        from aiobotocore.session import get_session

        s = self.settings
        async with get_session().create_client(
            "s3",
            endpoint_url=s.s3_endpoint,
            region_name=s.s3_region,
            aws_access_key_id=s.s3_access_key,
            aws_secret_access_key=s.s3_secret_key,
        ) as client:
            yield client

    async def _ensure_bucket(self, client, name: str) -> None:
        if name in self._created:
            return
        try:
            await client.head_bucket(Bucket=name)
        except Exception:
            await client.create_bucket(Bucket=name)
        self._created.add(name)

    async def write(self, bucket: str, key: str, chunks: AsyncIterator[bytes]) -> int:
        # Spool to a temporary file (bounded memory), then one upload: S3 needs the length.
        directory = await asyncio.to_thread(tempfile.mkdtemp, prefix="tsubame-")
        path = Path(directory) / key
        try:
            async with aiofiles.open(path, "wb") as out:
                async for chunk in chunks:
                    await out.write(chunk)
            return await self.write_file(bucket, key, path)
        finally:
            await asyncio.to_thread(shutil.rmtree, directory, True)

    async def write_bytes(self, bucket: str, key: str, data: bytes) -> int:
        name = self._bucket(bucket, key)
        async with self._client() as client:
            await self._ensure_bucket(client, name)
            await client.put_object(Bucket=name, Key=key, Body=data)
        return len(data)

    async def write_file(self, bucket: str, key: str, path: Path) -> int:
        name = self._bucket(bucket, key)
        size = (await aiofiles.os.stat(path)).st_size
        body = await asyncio.to_thread(open, path, "rb")
        try:
            async with self._client() as client:
                await self._ensure_bucket(client, name)
                await client.put_object(Bucket=name, Key=key, Body=body, ContentLength=size)
        finally:
            body.close()
        return size

    async def size(self, bucket: str, key: str) -> int | None:
        name = self._bucket(bucket, key)
        async with self._client() as client:
            try:
                head = await client.head_object(Bucket=name, Key=key)
            except Exception:
                return None
        return int(head["ContentLength"])

    async def exists(self, bucket: str, key: str) -> bool:
        return await self.size(bucket, key) is not None

    async def stream(self, bucket: str, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        name = self._bucket(bucket, key)
        extra = {}
        if start or end is not None:
            extra["Range"] = f"bytes={start}-{'' if end is None else end}"
        async with self._client() as client:
            response = await client.get_object(Bucket=name, Key=key, **extra)
            async with response["Body"] as body:
                while chunk := await body.read(CHUNK):
                    yield chunk

    async def read_bytes(self, bucket: str, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.stream(bucket, key)])

    async def delete(self, bucket: str, key: str) -> None:
        name = self._bucket(bucket, key)
        async with self._client() as client:
            try:
                await client.delete_object(Bucket=name, Key=key)
            except Exception:
                pass

    @asynccontextmanager
    async def local_copy(self, bucket: str, key: str) -> AsyncIterator[Path]:
        directory = await asyncio.to_thread(tempfile.mkdtemp, prefix="tsubame-")
        path = Path(directory) / key
        try:
            async with aiofiles.open(path, "wb") as out:
                async for chunk in self.stream(bucket, key):
                    await out.write(chunk)
            yield path
        finally:
            await asyncio.to_thread(shutil.rmtree, directory, True)


def make_storage(settings: Settings) -> Storage:
    if settings.storage_backend == "s3":
        return S3Storage(settings)
    return LocalStorage(Path(settings.data_dir) / "files")
