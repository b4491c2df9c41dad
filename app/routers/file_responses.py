"""Serving stored files the way Zou's `send_file` answers (one implementation for every file route).

`send_stored_file` streams a file from the storage with:
- `Content-Type`, `Content-Length`, `Accept-Ranges: bytes`, `X-Content-Type-Options: nosniff`;
- `Content-Disposition` (`inline`, or `attachment` for downloads) with a header-safe name, quoted
  only when needed and with an RFC 5987 `filename*` for non-ASCII names (werkzeug's rules);
- caching: `Cache-Control: max-age=604800, private` (pictures, previews, movies) or
  `public, max-age=604800` (attachments, working files), `Expires`, `Last-Modified`, `ETag`;
- conditional requests: `If-None-Match` (then `If-Modified-Since`) answer 304;
- one byte range (`Range`, honouring `If-Range`): 206 with `Content-Range`; a range that cannot be
  served (past the end, malformed, several ranges, another unit) answers 416 with Zou's JSON error
  and `Content-Range: bytes */<size>`;
- HEAD: the same headers, no storage read.

`processing_response` is the answer for a preview whose files a worker is still building.
"""

from __future__ import annotations

import unicodedata
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from app.core.errors import NotFound
from app.core.head import is_head
from app.core.responses import JSONResponse
from app.core.storage import Storage

CLIENT_CACHE_MAX_AGE = 604800
"""Zou's `CLIENT_CACHE_MAX_AGE`: a week (stored files never change under the same key)."""
PROCESSING_RETRY_AFTER = 5
"""Seconds a JSON client is told to wait for a preview still being processed."""
RANGE_ERROR = {"error": True, "message": "The server cannot provide the requested range."}
_TOKEN_CHARS = frozenset("!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~")
_RFC5987_SAFE = "!#$&+-.^_`|~"


# --- header values ---


def http_date(value: datetime) -> str:
    """An HTTP date (naive datetimes are UTC, as the database stores them)."""
    return format_datetime(value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC), usegmt=True)


def _quote(value: str) -> str:
    """werkzeug's `quote_header_value`: bare when made of token characters, quoted otherwise."""
    if value and _TOKEN_CHARS.issuperset(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def content_disposition(name: str, *, attachment: bool = False) -> str:
    """`inline; filename=...` or `attachment; filename=...` as werkzeug writes it. Control characters
    are dropped (no header injection); a non-ASCII name gets an ASCII fallback and `filename*`."""
    kind = "attachment" if attachment else "inline"
    name = "".join(ch for ch in name if ch.isprintable())
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        return f"{kind}; filename={_quote(simple)}; filename*=UTF-8''{quote(name, safe=_RFC5987_SAFE)}"
    return f"{kind}; filename={_quote(name)}"


def _etag(bucket: str, key: str, modified: datetime | None, size: int) -> str:
    """Like werkzeug's `"<mtime>-<size>-<adler32 of the path>"`."""
    stamp = modified.replace(tzinfo=UTC).timestamp() if modified is not None else 0
    return f'"{stamp}-{size}-{zlib.adler32(f"{bucket}/{key}".encode()) & 0xFFFFFFFF}"'


def _parse_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _seconds(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC, microsecond=0) if value.tzinfo is None else value.replace(microsecond=0)


# --- conditions and ranges ---


def _not_modified(request: Request, etag: str, modified: datetime | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since and modified is not None:
        when = _parse_date(since)
        return when is not None and _seconds(modified) <= when
    return False


def _if_range_holds(request: Request, etag: str, modified: datetime | None) -> bool:
    """Whether the `Range` applies: no `If-Range`, or one naming the current version."""
    condition = (request.headers.get("if-range") or "").strip()
    if not condition:
        return True
    if condition.startswith(('"', "W/")):
        return condition == etag
    when = _parse_date(condition)
    return when is not None and modified is not None and _seconds(modified) <= when


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The (start, end) of a single `bytes=` range, clipped to the file; None when it cannot be
    served (several ranges, another unit, malformed, past the end), which is a 416."""
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    first, last = first.strip(), last.strip()
    if not dash:
        return None
    if first == "":
        if not last.isdigit() or int(last) == 0:
            return None
        return max(size - int(last), 0), size - 1
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end


# --- responses ---


async def send_stored_file(
    request: Request,
    storage: Storage,
    bucket: str,
    key: str,
    *,
    media_type: str,
    last_modified: datetime | None,
    download_name: str | None = "",
    attachment: bool = False,
    private: bool = True,
    size: int | None = None,
) -> Response:
    """Stream `bucket/key` with Zou's headers (see the module docstring).

    `download_name`: the name in `Content-Disposition` (`""` gives Zou's `inline; filename=""`,
    None leaves the header out); `attachment` makes it a download. `private` chooses the
    `Cache-Control` of previews and pictures over the `public` one of plain downloads. `size`, when
    the caller already knows it, saves a storage call; otherwise a missing file is a 404.
    """
    if size is None:
        size = await storage.size(bucket, key)
        if size is None:
            raise NotFound("Stored file not found.")
    etag = _etag(bucket, key, last_modified, size)
    headers: dict[str, str] = {}
    if download_name is not None:
        headers["Content-Disposition"] = content_disposition(download_name, attachment=attachment)
    # werkzeug writes `public, max-age=N`; Zou turns previews and pictures into `max-age=N, private`
    cache = f"max-age={CLIENT_CACHE_MAX_AGE}, private" if private else f"public, max-age={CLIENT_CACHE_MAX_AGE}"
    headers["Cache-Control"] = cache
    headers["Expires"] = http_date(datetime.now(UTC) + timedelta(seconds=CLIENT_CACHE_MAX_AGE))
    headers["ETag"] = etag
    headers["Accept-Ranges"] = "bytes"
    headers["X-Content-Type-Options"] = "nosniff"
    if _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)  # no entity headers, as werkzeug
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    start, end, status = 0, size - 1, 200
    asked = request.headers.get("range")
    if asked is not None and _if_range_holds(request, etag, last_modified):
        found = byte_range(asked, size)
        if found is None:
            return JSONResponse(
                RANGE_ERROR,
                status_code=416,
                headers={"Content-Range": f"bytes */{size}", "X-Content-Type-Options": "nosniff"},
            )
        (start, end), status = found, 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1 if size else 0)
    if size == 0 or is_head(request):  # nothing to read
        return Response(b"", status_code=status, media_type=media_type, headers=headers)
    body = storage.stream(bucket, key, start, end)
    return StreamingResponse(body, status_code=status, media_type=media_type, headers=headers)


def _quality(accept: str, media_type: str) -> float:
    """The quality an Accept header gives a media type (the most specific of exact, `type/*`, `*/*`)."""
    main = media_type.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        kind = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        rank = 2 if kind == media_type else 1 if kind == f"{main}/*" else 0 if kind == "*/*" else -1
        if rank > best[0]:
            best = (rank, q)
    return best[1]


def processing_response(request: Request, preview_file_id: str) -> Response:
    """A preview whose files are still being built: 202 for a client that prefers JSON to a picture
    (come back in a few seconds), Zou's 404 otherwise; never cached."""
    accept = request.headers.get("accept", "*/*")
    if _quality(accept, "application/json") > _quality(accept, "image/png"):
        return JSONResponse(
            {"status": "processing", "preview_file_id": preview_file_id},
            status_code=202,
            headers={"Retry-After": str(PROCESSING_RETRY_AFTER), "Cache-Control": "no-store"},
        )
    return JSONResponse(
        {"error": True, "message": "Preview file was not found."},
        status_code=404,
        headers={"Cache-Control": "no-store"},
    )
