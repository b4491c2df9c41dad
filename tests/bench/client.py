"""Load-generator HTTP clients: one keep-alive connection per virtual user.

`AiohttpConnection` (the default, `--client aiohttp`) gives each virtual user its own
aiohttp session holding a single keep-alive connection (`TCPConnector(limit=1)`), with
cookies, automatic headers and decompression switched off so that every request is the
same bytes a bare client would send. Requests are prepared once per call (or once per
scenario when it is cacheable) by `prepare_request`, so the per-request cost in the
generator is aiohttp's own, which keeps it far from saturation on a 2-core machine.
`HttpxConnection` does the same job through httpx, for cross-checking (`--client httpx`).
"""

from __future__ import annotations

import json
from typing import NamedTuple
from urllib.parse import urlsplit

from yarl import URL


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
        self.origin = f"http://{parts.netloc}"


class PreparedRequest(NamedTuple):
    method: str
    url: URL
    headers: dict[str, str]
    body: bytes | None


class FileUpload(NamedTuple):
    """A request body sent as multipart/form-data with one `file` part (uploads)."""

    filename: str
    data: bytes
    content_type: str


BOUNDARY = "tsubame-bench-boundary-7d1f0c"


def multipart(upload: FileUpload) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{upload.filename}"\r\n'
        f"Content-Type: {upload.content_type}\r\n\r\n"
    ).encode()
    return head + upload.data + f"\r\n--{BOUNDARY}--\r\n".encode()


def prepare_request(
    target: Target, method: str, path: str, body: object = None, token: str | None = None
) -> PreparedRequest:
    """Build a request once: absolute URL (taken as already encoded), headers and JSON (or
    multipart, for a `FileUpload`) body."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = None
    if isinstance(body, FileUpload):
        payload = multipart(body)
        headers["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
    elif body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif method in ("POST", "PUT", "PATCH"):
        payload = b""
    return PreparedRequest(method, URL(f"{target.origin}{target.prefix}{path}", encoded=True), headers, payload)


class AiohttpConnection:
    """One aiohttp session with a single keep-alive connection per virtual user.

    A request that finds its kept-alive connection closed by the server is retried by
    aiohttp itself when the method is idempotent; any other failure is raised."""

    def __init__(self, target: Target, timeout: float) -> None:
        import aiohttp

        self.target = target
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1, force_close=False, ttl_dns_cache=None),
            timeout=aiohttp.ClientTimeout(total=timeout),
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept-Encoding"),
            auto_decompress=False,
        )

    async def close(self) -> None:
        await self.session.close()

    async def request(self, req: PreparedRequest) -> tuple[int, int]:
        """Send one prepared request; return (status, body bytes). Raises on I/O errors."""
        async with self.session.request(req.method, req.url, headers=req.headers, data=req.body) as response:
            return response.status, len(await response.read())


class HttpxConnection:
    """Same interface through httpx (one client per virtual user, keep-alive)."""

    def __init__(self, target: Target, timeout: float) -> None:
        import httpx

        self.target = target
        self.client = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=1))

    async def close(self) -> None:
        await self.client.aclose()

    async def request(self, req: PreparedRequest) -> tuple[int, int]:
        response = await self.client.request(req.method, str(req.url), headers=req.headers, content=req.body)
        return response.status_code, len(response.content)


CLIENTS = {"aiohttp": AiohttpConnection, "httpx": HttpxConnection}
