"""Load-generator HTTP clients: one keep-alive connection per virtual user.

`RawConnection` is a minimal HTTP/1.1 client over asyncio streams (with uvloop when
available): requests are pre-encoded bytes and responses are framed by Content-Length
or chunked encoding, which costs a fraction of the CPU of a full client, so the
generator stays far from saturation on a 2-core machine. `HttpxConnection` does the
same job through httpx, for cross-checking (`--client httpx`).
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit


class Target:
    """Where requests go: host, port and an optional path prefix (e.g. `/api`)."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http":
            raise SystemExit(f"only plain http:// targets are supported, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.host_header = parts.netloc


def encode_request(target: Target, method: str, path: str, body: object = None, token: str | None = None) -> bytes:
    lines = [f"{method} {target.prefix}{path} HTTP/1.1", f"Host: {target.host_header}", "Accept: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    payload = b""
    if body is not None:
        payload = json.dumps(body).encode()
        lines.append("Content-Type: application/json")
    if body is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


class RawConnection:
    def __init__(self, target: Target, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.target.host, self.target.port, limit=1 << 20)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, int]:
        """Send one pre-encoded request; return (status, body bytes). Raises on I/O errors.

        Like any HTTP client, a request that finds its kept-alive connection closed by the
        server before any answer byte is retried once on a fresh connection."""
        reused = self.writer is not None
        try:
            return await asyncio.wait_for(self._exchange(raw), self.timeout)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as exc:
            await self.close()
            if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                raise
        except BaseException:
            await self.close()
            raise
        try:
            return await asyncio.wait_for(self._exchange(raw), self.timeout)
        except BaseException:
            await self.close()
            raise

    async def _exchange(self, raw: bytes) -> tuple[int, int]:
        if self.writer is None:
            await self._connect()
        self.writer.write(raw)
        reader = self.reader
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, _, header_block = head.partition(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length = None
        chunked = close = False
        for line in header_block.split(b"\r\n"):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            size = 0
            while True:
                n = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if n == 0:
                    while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                        pass
                    break
                await reader.readexactly(n + 2)
                size += n
        elif length is not None:
            await reader.readexactly(length)
            size = length
        elif status in (204, 304) or 100 <= status < 200:
            size = 0
        else:  # body runs until the server closes
            size = len(await reader.read())
            close = True
        if close:
            await self.close()
        return status, size


class HttpxConnection:
    """Same interface through httpx (one client per virtual user, keep-alive)."""

    def __init__(self, target: Target, timeout: float) -> None:
        import httpx

        self.target = target
        self.client = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=1))

    async def close(self) -> None:
        await self.client.aclose()

    async def request(self, raw: bytes) -> tuple[int, int]:
        head, _, body = raw.partition(b"\r\n\r\n")
        request_line, *header_lines = head.decode().split("\r\n")
        method, path, _ = request_line.split(" ")
        headers = dict(line.split(": ", 1) for line in header_lines)
        headers.pop("Host", None)
        headers.pop("Content-Length", None)
        url = f"http://{self.target.host}:{self.target.port}{path}"
        response = await self.client.request(method, url, headers=headers, content=body or None)
        return response.status_code, len(response.content)


CLIENTS = {"raw": RawConnection, "httpx": HttpxConnection}
