"""Movies: normalisation in a worker, serving, frames, tiles and annotated frames.

`schedule_movie(app, preview_file_id)` is called once an uploaded movie is stored in bucket
`movies-source` (key `<preview_file_id>`) and its preview row committed with status
`processing`. A background task (one at a time per process: encodings use every core) then:

1. probes the source (ffprobe), reads the project's fps, resolution and bitrates (the task
   type link's, the project's, then the settings', as Zou does);
2. encodes the high definition (`movies-high`) and low definition (1280 wide, `movies-low`)
   H.264 + AAC mp4s, grabs the first frame for the pictures (`originals`, `previews`,
   `thumbnails`, `thumbnails-square`, key `<id>.png`) and builds the tile strip (`tiles`);
3. stores the results only once all of them are built, then marks the preview `ready` (size,
   duration, file size) in its own session and emits `preview-file:update`. Any failure marks
   it `broken` instead, removes whatever it stored already and emits the same event.

Everything heavy runs outside the event loop (ffmpeg subprocesses, Pillow in threads).
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import shutil
import tempfile
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import ffmpeg
from app.core.errors import DomainError, NotFound, WrongParameter
from app.core.storage import Storage
from app.domain.access import require_manager
from app.domain.events import emit, take_pending
from app.domain.movie_annotations import draw_annotation
from app.domain.permissions import Caller
from app.domain.pictures_processing import process_picture
from app.domain.preview_uploads import download_name
from app.domain.task_access import check_task_access, load_task
from app.repositories.movies import MovieRepository

log = logging.getLogger(__name__)

SOURCE, HIGH, LOW, TILES = "movies-source", "movies-high", "movies-low", "tiles"
PICTURE_BUCKETS = ("originals", "previews", "thumbnails", "thumbnails-square")
MOVIE_PREFIXES = {HIGH: "previews", LOW: "lowdef", SOURCE: "source"}
"""Zou's storage prefix names, recorded in the preview's `data.movie_prefixes`."""
LOW_WIDTH = 1280
DEFAULT_FPS = "25.00"
DEFAULT_HEIGHT = 1080
TEMPORAL_KINDS = {"Shot": "shot", "Sequence": "sequence", "Episode": "episode", "Edit": "edit"}
ENCODING_PRESET = "medium"

_JOBS = "movie_jobs"
_LIMIT = "movie_semaphore"


def movie_key(preview_file_id: str) -> str:
    return preview_file_id


def picture_key(preview_file_id: str) -> str:
    return f"{preview_file_id}.png"


def stored_files(preview_file_id: str) -> list[tuple[str, str]]:
    """Every (bucket, key) the movie pipeline may hold for a preview (for deletions)."""
    movies = [(bucket, movie_key(preview_file_id)) for bucket in (SOURCE, HIGH, LOW)]
    pictures = [(bucket, picture_key(preview_file_id)) for bucket in (*PICTURE_BUCKETS, TILES)]
    return movies + pictures


# --- the worker ---


async def schedule_movie(app: Any, preview_file_id: str) -> None:
    """Start the normalisation of an uploaded movie in the background (returns at once)."""
    jobs: set[asyncio.Task] = _jobs(app)
    task = asyncio.create_task(_run(app, str(preview_file_id)), name=f"movie-{preview_file_id}")
    jobs.add(task)
    task.add_done_callback(jobs.discard)


async def wait_idle(app: Any) -> None:
    """Wait for every scheduled movie job to end (tests, shutdown)."""
    while jobs := [job for job in _jobs(app) if not job.done()]:
        await asyncio.gather(*jobs, return_exceptions=True)


def _jobs(app: Any) -> set[asyncio.Task]:
    jobs = getattr(app.state, _JOBS, None)
    if jobs is None:
        jobs = set()
        setattr(app.state, _JOBS, jobs)
        setattr(app.state, _LIMIT, asyncio.Semaphore(1))
    return jobs


async def _run(app: Any, preview_file_id: str) -> None:
    async with getattr(app.state, _LIMIT):
        try:
            await _process(app, preview_file_id)
        except Exception:
            log.exception("movie %s could not be processed", preview_file_id)
            try:
                await _in_session(app, lambda session: _mark_broken(session, preview_file_id))
            except Exception:
                log.exception("movie %s could not be marked broken", preview_file_id)


async def _in_session(app: Any, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    """One transaction of the worker; its events are published after commit."""
    async with app.state.sessionmaker() as session:
        async with session.begin():
            result = await work(session)
        pending = take_pending(session)
    if pending:
        await app.state.bus.publish(pending)
    return result


async def _load_context(app: Any, preview_file_id: str) -> dict[str, Any] | None:
    async with app.state.sessionmaker() as session:
        return await MovieRepository(session).encoding_context(preview_file_id)


def encoding_fps(project_fps: str | None, entity_data: dict | None) -> str:
    """Zou's fps choice: the entity's, the project's, else 25, as a 3-decimal string."""
    fps = DEFAULT_FPS
    if project_fps:
        fps = str(project_fps).replace(",", ".")
    if (entity_data or {}).get("fps"):
        fps = str(entity_data["fps"]).replace(",", ".")
    try:
        value = float(fps)
    except ValueError:
        value = float(DEFAULT_FPS)
    if not math.isfinite(value) or value <= 0:
        value = float(DEFAULT_FPS)
    return f"{value:.3f}"


def encoding_size(project_resolution: str | None, entity_data: dict | None) -> tuple[int | None, int]:
    """Zou's target size: the entity's resolution, the project's, else 1080 high."""

    def parse(value: Any) -> tuple[int | None, int] | None:
        if not isinstance(value, str) or "x" not in value:
            return None
        w, _, h = value.partition("x")
        if not h.isdigit() or int(h) <= 0:
            return None
        if w.isdigit() and int(w) > 0:
            return int(w), int(h)
        return (None, int(h)) if w == "" else None

    return parse((entity_data or {}).get("resolution")) or parse(project_resolution) or (None, DEFAULT_HEIGHT)


def encoding_bitrates(context: dict[str, Any], settings: Any) -> tuple[int, int]:
    high_cap, low_default = settings.movie_highdef_bitrate, settings.movie_lowdef_bitrate
    high = context.get("link_hd") or context.get("project_hd") or high_cap
    low = context.get("link_ld") or context.get("project_ld") or low_default
    high = min(high, high_cap)
    return high, min(low, high)


async def _process(app: Any, preview_file_id: str) -> None:
    storage: Storage = app.state.storage
    context = await _load_context(app, preview_file_id)
    if context is None:
        log.info("movie %s: preview file gone before processing", preview_file_id)
        return
    entity_data = context.get("entity_data") if isinstance(context.get("entity_data"), dict) else {}
    fps = encoding_fps(context["project_fps"], entity_data)
    width, height = encoding_size(context["project_resolution"], entity_data)
    high_rate, low_rate = encoding_bitrates(context, app.state.settings)
    source_size = await storage.size(SOURCE, movie_key(preview_file_id))
    if source_size is None:
        raise FileNotFoundError(f"no source movie for {preview_file_id}")

    workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="tsubame-movie-"))
    written: list[tuple[str, str]] = []
    try:
        high, low = workdir / "high.mp4", workdir / "low.mp4"
        async with storage.local_copy(SOURCE, movie_key(preview_file_id)) as source:
            info = await ffmpeg.probe(source)
            if width is None:
                width = math.floor(info.width / info.height * height)
            width, height = ffmpeg.even(width), ffmpeg.even(height)
            common = {"fps": fps, "info": info, "preset": ENCODING_PRESET}
            await ffmpeg.normalize(source, high, width=width, height=height, bitrate=high_rate, **common)
            low_height = ffmpeg.even(math.floor(height / width * LOW_WIDTH))
            await ffmpeg.normalize(source, low, width=LOW_WIDTH, height=low_height, bitrate=low_rate, **common)
        result = await ffmpeg.probe(high)
        frame = workdir / "frame.png"
        if not await ffmpeg.extract_frame(high, frame, 0.0):
            raise ffmpeg.FFmpegError("no first frame")
        pictures = await asyncio.to_thread(picture_variants, frame, workdir)
        tile_path: Path | None = workdir / "tile.png"
        try:
            await ffmpeg.tile(low, tile_path, await ffmpeg.probe(low))
        except ffmpeg.FFmpegError:  # as in Zou, a missing tile is not fatal
            log.warning("movie %s: tile strip failed", preview_file_id, exc_info=True)
            tile_path = None

        outputs = [(HIGH, movie_key(preview_file_id), high), (LOW, movie_key(preview_file_id), low)]
        outputs += [(bucket, picture_key(preview_file_id), path) for bucket, path in pictures.items()]
        if tile_path is not None:
            outputs.append((TILES, picture_key(preview_file_id), tile_path))
        for bucket, key, path in outputs:
            written.append((bucket, key))
            await storage.write_file(bucket, key, path)
        file_size = high.stat().st_size
        data = {
            **(context.get("data") or {}),
            "movie_prefixes": [MOVIE_PREFIXES[HIGH], MOVIE_PREFIXES[LOW]],
            "original_width": info.width,
            "original_height": info.height,
            "original_duration": info.duration,
            "original_file_size": source_size,
        }
        values = {
            "status": "ready",
            "width": result.width,
            "height": result.height,
            "duration": result.duration,
            "file_size": file_size,
            "data": data,
        }
        found = await _in_session(app, lambda session: _mark_ready(session, context, values))
        if not found:  # deleted meanwhile: leave nothing behind
            await _delete_all(storage, written)
    except BaseException:
        await _delete_all(storage, written)
        raise
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, True)


async def _delete_all(storage: Storage, files: list[tuple[str, str]]) -> None:
    for bucket, key in files:
        try:
            await storage.delete(bucket, key)
        except Exception:
            log.exception("could not remove %s/%s", bucket, key)


async def _mark_ready(session: AsyncSession, context: dict[str, Any], values: dict[str, Any]) -> bool:
    repo = MovieRepository(session)
    preview_file_id = str(context["id"])
    if not await repo.set_status(preview_file_id, values):
        return False
    project_id = str(context["project_id"])
    await emit(
        session, "preview-file:update", {"preview_file_id": preview_file_id, "status": "ready"}, project_id=project_id
    )
    # Zou's update_preview_file_info: the task's last preview, the entity's main preview.
    if (context.get("position") or 1) == 1:
        await repo.set_task_last_preview(str(context["task_id"]), preview_file_id)
        if context.get("is_set_preview_automated") and context.get("entity_id"):
            entity_id = str(context["entity_id"])
            found = await repo.set_entity_preview(entity_id, preview_file_id)
            if found:
                await emit(
                    session,
                    "preview-file:set-main",
                    {"entity_id": entity_id, "preview_file_id": preview_file_id, "preview_file_status": "ready"},
                    project_id=project_id,
                )
                kind = TEMPORAL_KINDS.get(found["entity_type_name"], "asset")
                await emit(session, f"{kind}:update", {f"{kind}_id": entity_id}, project_id=project_id)
    return True


async def _mark_broken(session: AsyncSession, preview_file_id: str) -> None:
    repo = MovieRepository(session)
    context = await repo.encoding_context(preview_file_id)
    if context is None or not await repo.set_status(preview_file_id, {"status": "broken"}):
        return
    await emit(
        session,
        "preview-file:update",
        {"preview_file_id": preview_file_id, "status": "broken"},
        project_id=str(context["project_id"]),
    )


# --- pictures (Pillow, run in a thread) ---


def picture_variants(frame: Path, workdir: Path) -> dict[str, Path]:
    """The original (full size), preview (1200 wide), thumbnail (150x100) and square
    thumbnail (100x100) PNGs of a frame, written in `workdir` (the uploads' Pillow helpers)."""
    return process_picture(frame, workdir).paths


async def replace_thumbnail_from_frame(storage: Storage, preview: dict[str, Any], fps: str, frame_number: int) -> bool:
    """Rebuild a movie preview's pictures from one of its frames (Zou's set-main-preview with a
    `frame_number`). False, and the pictures unchanged, when the frame cannot be read."""
    preview_file_id = str(preview["id"])
    workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="tsubame-frame-"))
    try:
        frame = workdir / "frame.png"
        try:
            async with _movie_copy(storage, preview) as movie:
                if not await ffmpeg.extract_frame(movie, frame, _frame_time(frame_number, fps)):
                    return False
        except (FileNotFoundError, ffmpeg.FFmpegError):
            return False
        pictures = await asyncio.to_thread(picture_variants, frame, workdir)
        for bucket, path in pictures.items():
            await storage.write_file(bucket, picture_key(preview_file_id), path)
        return True
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, True)


# --- reading: access, serving, frames ---


class AnnotationNotFound(DomainError):
    """Zou's AnnotationNotFoundException: a 400 without `data`."""

    def body(self) -> dict:
        return {"error": True, "message": self.message}


class MovieProcessing(Exception):
    """The preview's files are still being built (Zou answers 202 to JSON clients, else 404)."""

    def __init__(self, preview_file_id: str) -> None:
        super().__init__(preview_file_id)
        self.preview_file_id = preview_file_id


async def _load_preview(session: AsyncSession, preview_file_id: str) -> dict[str, Any]:
    preview = await MovieRepository(session).preview(preview_file_id)
    if preview is None:
        raise NotFound("Preview file not found.")
    return preview


async def readable_preview(session: AsyncSession, caller: Caller, preview_file_id: str) -> dict[str, Any]:
    """The preview, once the caller may read its task (Zou's BasePreviewFileResource)."""
    preview = await _load_preview(session, preview_file_id)
    if preview["task_id"] is None:
        raise NotFound("Task not found.")
    await check_task_access(session, caller, await load_task(session, str(preview["task_id"])))
    return preview


async def managed_preview(session: AsyncSession, caller: Caller, preview_file_id: str) -> dict[str, Any]:
    """The preview with what frame extraction needs, once the caller manages its project."""
    context = await MovieRepository(session).encoding_context(preview_file_id)
    if context is None:
        raise NotFound("Preview file not found.")
    await require_manager(session, caller, str(context["project_id"]))
    return context


def movie_buckets(preview: dict[str, Any], lowdef: bool) -> list[str]:
    """The buckets to serve a movie from, best first (Zou falls back on the other versions)."""
    if preview.get("status") == "processing":
        raise MovieProcessing(str(preview["id"]))
    return [LOW, HIGH, SOURCE] if lowdef else [HIGH, LOW, SOURCE]


async def locate(storage: Storage, buckets: list[str], key: str) -> tuple[str, int]:
    """The first bucket holding the file and its size; 404 when none does."""
    for bucket in buckets:
        size = await storage.size(bucket, key)
        if size is not None:
            return bucket, size
    raise NotFound("File not found.")


def _frame_time(frame_number: int, fps: str) -> float:
    return max(frame_number - 1, 0) / float(fps)


class _movie_copy:
    """`async with _movie_copy(storage, preview) as path`: a local copy of the best stored
    movie (low definition first: frames and tiles do not need more)."""

    def __init__(self, storage: Storage, preview: dict[str, Any], buckets: tuple[str, ...] = (HIGH, LOW, SOURCE)):
        self.storage, self.key, self.buckets = storage, movie_key(str(preview["id"])), buckets
        self._context = None

    async def __aenter__(self) -> Path:
        for bucket in self.buckets:
            if await self.storage.exists(bucket, self.key):
                self._context = self.storage.local_copy(bucket, self.key)
                return await self._context.__aenter__()
        raise FileNotFoundError(self.key)

    async def __aexit__(self, *exc: Any) -> None:
        if self._context is not None:
            await self._context.__aexit__(*exc)


def _require_movie(preview: dict[str, Any]) -> None:
    if (preview.get("extension") or "").lower() != "mp4":
        raise NotFound("Preview file is not a movie.")


async def _frame_png(storage: Storage, preview: dict[str, Any], frame_number: int, fps: str) -> Image.Image:
    """One frame of a movie preview as a Pillow image (404 when the movie or the frame is missing)."""
    _require_movie(preview)
    workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="tsubame-frame-"))
    try:
        frame = workdir / "frame.png"
        try:
            async with _movie_copy(storage, preview) as movie:
                ok = await ffmpeg.extract_frame(movie, frame, _frame_time(frame_number, fps))
        except FileNotFoundError:
            raise NotFound("No stored movie for this preview file.") from None
        except ffmpeg.FFmpegError:
            raise NotFound("The movie could not be read.") from None
        if not ok:
            raise NotFound(f"The movie has no frame {frame_number}.")

        def load() -> Image.Image:
            with Image.open(frame) as opened:
                opened.load()
                return opened.copy()

        return await asyncio.to_thread(load)
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, True)


def _png(im: Image.Image) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, "PNG")
    return buffer.getvalue()


def _fps_of(context: dict[str, Any]) -> str:
    data = context.get("entity_data") if isinstance(context.get("entity_data"), dict) else {}
    return encoding_fps(context.get("project_fps"), data)


async def extract_frame(
    session: AsyncSession, storage: Storage, caller: Caller, preview_file_id: str, frame_number: int
) -> tuple[bytes, str]:
    """The PNG of one frame of a movie preview and a file name for it (managers of the project)."""
    context = await managed_preview(session, caller, preview_file_id)
    frame = await _frame_png(storage, context, frame_number, _fps_of(context))
    return await asyncio.to_thread(_png, frame), f"{preview_file_id}_{frame_number}.png"


async def extract_tile(session: AsyncSession, storage: Storage, caller: Caller, preview_file_id: str) -> bytes:
    """Build (again) the tile strip of a movie preview, store it and answer it (task readers)."""
    preview = await readable_preview(session, caller, preview_file_id)
    if (preview.get("extension") or "").lower() != "mp4":
        raise WrongParameter("Preview file is not a movie")
    workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="tsubame-tile-"))
    try:
        tile_path = workdir / "tile.png"
        try:
            async with _movie_copy(storage, preview, (LOW, HIGH, SOURCE)) as movie:
                await ffmpeg.tile(movie, tile_path, await ffmpeg.probe(movie))
        except FileNotFoundError:
            raise NotFound("No stored movie for this preview file.") from None
        except ffmpeg.FFmpegError:
            raise NotFound("The movie could not be read.") from None
        await storage.write_file(TILES, picture_key(preview_file_id), tile_path)
        return await asyncio.to_thread(tile_path.read_bytes)
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, True)


def _annotation_at(annotations: list[Any], target: float, tolerance: float) -> dict[str, Any] | None:
    for annotation in annotations:
        if not isinstance(annotation, dict):
            continue
        try:
            time = float(annotation.get("time"))
        except (TypeError, ValueError):
            continue
        if abs(time - target) <= tolerance:
            return annotation
    return None


async def _picture_image(storage: Storage, preview: dict[str, Any]) -> Image.Image:
    """A picture preview's stored picture (previews, else originals)."""
    key = picture_key(str(preview["id"]))
    for bucket in ("previews", "originals"):
        if await storage.exists(bucket, key):
            data = await storage.read_bytes(bucket, key)

            def load(data: bytes = data) -> Image.Image:
                with Image.open(io.BytesIO(data)) as opened:
                    opened.load()
                    return opened.copy()

            return await asyncio.to_thread(load)
    raise NotFound("No stored picture for this preview file.")


PICTURE_EXTENSIONS = ("jpg", "jpeg", "jpe", "png")


async def extract_annotated_frame(
    session: AsyncSession, storage: Storage, caller: Caller, preview_file_id: str, frame_number: int | None
) -> tuple[bytes, str]:
    """The frame (movie) or the picture with its annotation drawn on it, as a PNG."""
    context = await managed_preview(session, caller, preview_file_id)
    extension = (context.get("extension") or "").lower()
    annotations = context.get("annotations") or []
    if extension == "mp4":
        if frame_number is None:
            raise WrongParameter("frame_number is required for movie previews")
        fps = _fps_of(context)
        annotation = _annotation_at(annotations, (frame_number - 1) / float(fps), 1 / (2 * float(fps)))
        if annotation is None:
            raise AnnotationNotFound(f"No annotation found for frame {frame_number}")
        frame = await _frame_png(storage, context, frame_number, fps)
    elif extension in PICTURE_EXTENSIONS:
        if not annotations:
            raise AnnotationNotFound("No annotation found on picture preview")
        annotation = annotations[0]
        frame = await _picture_image(storage, context)
    else:
        raise WrongParameter(f"Cannot extract annotated frame from preview with extension {extension!r}")
    drawn = await asyncio.to_thread(draw_annotation, frame, annotation)
    return await asyncio.to_thread(_png, drawn), f"{preview_file_id}_{frame_number or 1}_annotated.png"


async def _annotated_frames(
    session: AsyncSession, storage: Storage, caller: Caller, preview_file_id: str
) -> tuple[list[tuple[str, Image.Image]], str]:
    """Every annotated frame as (file name, image), and the download base name."""
    context = await managed_preview(session, caller, preview_file_id)
    annotations = [a for a in context.get("annotations") or [] if isinstance(a, dict)]
    if not annotations:
        raise AnnotationNotFound("Preview file has no annotations")
    extension = (context.get("extension") or "").lower()
    base = (await download_name(session, preview_file_id)).rsplit(".", 1)[0]
    frames: list[tuple[str, Image.Image]] = []
    if extension == "mp4":
        fps = float(_fps_of(context))
        for annotation in annotations:
            try:
                time = float(annotation.get("time"))
            except (TypeError, ValueError):
                continue
            number = max(1, round(time * fps) + 1)
            try:
                frame = await _frame_png(storage, context, number, _fps_of(context))
            except NotFound as exc:
                if "frame" in exc.message:  # past the end of the movie: skipped, as Zou does
                    continue
                raise
            frames.append((f"{base}_frame_{number}.png", await asyncio.to_thread(draw_annotation, frame, annotation)))
    elif extension in PICTURE_EXTENSIONS:
        picture = await _picture_image(storage, context)
        for index, annotation in enumerate(annotations, start=1):
            frames.append((f"{base}_frame_{index}.png", await asyncio.to_thread(draw_annotation, picture, annotation)))
    else:
        raise WrongParameter(f"Cannot extract annotated frames from preview with extension {extension!r}")
    if not frames:
        raise AnnotationNotFound("No annotated frame could be extracted from this preview")
    return frames, base


def _zip(frames: list[tuple[str, Image.Image]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, image in frames:
            archive.writestr(name, _png(image))
    return buffer.getvalue()


def _pdf(frames: list[tuple[str, Image.Image]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    for _, image in frames:
        width, height = image.width * 72 / 150, image.height * 72 / 150  # 150 dpi pages, as Zou
        pdf.add_page(format=(width, height))
        pdf.image(image.convert("RGB"), x=0, y=0, w=width, h=height)
    return bytes(pdf.output())


async def extract_annotated_frames_zip(
    session: AsyncSession, storage: Storage, caller: Caller, preview_file_id: str
) -> tuple[bytes, str]:
    frames, base = await _annotated_frames(session, storage, caller, preview_file_id)
    return await asyncio.to_thread(_zip, frames), f"{base}_annotated_frames.zip"


async def extract_annotated_frames_pdf(
    session: AsyncSession, storage: Storage, caller: Caller, preview_file_id: str
) -> tuple[bytes, str]:
    frames, base = await _annotated_frames(session, storage, caller, preview_file_id)
    return await asyncio.to_thread(_pdf, frames), f"{base}_annotated_frames.pdf"
