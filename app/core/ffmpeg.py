"""Async wrappers over the `ffmpeg` and `ffprobe` programs.

Every call runs a subprocess through `asyncio.create_subprocess_exec` with an argument list
(never a shell string), so the event loop stays free while a movie is encoded and no file
name is ever interpreted by a shell. Paths are local paths the caller owns (temporary
directories, `Storage.local_copy`). A non-zero exit, a timeout or an unreadable probe raises
`FFmpegError` carrying the tail of ffmpeg's error output.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import orjson

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
DEFAULT_TIMEOUT = 3600.0
TILE_HEIGHT = 100
TILE_COLUMNS = 8
TILE_MAX_ROWS = 480


class FFmpegError(RuntimeError):
    """ffmpeg or ffprobe failed (bad input, missing program, timeout)."""


@dataclass(frozen=True, slots=True)
class MovieInfo:
    width: int
    height: int
    duration: float
    fps: float
    ratio: float
    """Display aspect ratio (width / height), honouring non-square pixels."""
    has_audio: bool

    @property
    def frame_count(self) -> int:
        return round(self.duration * self.fps)


async def _exec(program: str, args: list[str], seconds: float) -> bytes:
    try:
        process = await asyncio.create_subprocess_exec(
            program,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        raise FFmpegError(f"{program} could not be started: {exc}") from exc
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), seconds)
    except (TimeoutError, asyncio.CancelledError):
        if process.returncode is None:
            try:
                process.kill()
            except ProcessLookupError:
                pass
            await process.wait()
        raise
    if process.returncode != 0:
        tail = stderr.decode(errors="replace").strip()[-2000:]
        raise FFmpegError(f"{program} exited with {process.returncode}: {tail}")
    return stdout


async def run(*args: str, seconds: float = DEFAULT_TIMEOUT) -> None:
    """Run ffmpeg quietly, overwriting outputs, never reading stdin."""
    try:
        await _exec(FFMPEG, ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], seconds)
    except TimeoutError as exc:
        raise FFmpegError("ffmpeg timed out") from exc


async def probe(path: Path, seconds: float = 120.0) -> MovieInfo:
    """Size, duration, frame rate, display ratio and audio presence of a movie."""
    try:
        out = await _exec(FFPROBE, ["-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)], seconds)
        data = orjson.loads(out)
    except TimeoutError as exc:
        raise FFmpegError("ffprobe timed out") from exc
    except orjson.JSONDecodeError as exc:
        raise FFmpegError("ffprobe answered no JSON") from exc
    streams = data.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None or not video.get("width") or not video.get("height"):
        raise FFmpegError("the file holds no video track")
    width, height = int(video["width"]), int(video["height"])
    try:
        fps = float(Fraction(video.get("r_frame_rate") or "25"))
    except (ValueError, ZeroDivisionError):
        fps = 25.0
    if not fps or not math.isfinite(fps):
        fps = 25.0
    duration = _float(video.get("duration")) or _float((data.get("format") or {}).get("duration")) or 0.0
    ratio = width / height
    dar = video.get("display_aspect_ratio") or ""
    if ":" in dar:
        num, _, den = dar.partition(":")
        if _float(num) and _float(den):
            ratio = float(num) / float(den)
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    return MovieInfo(width, height, duration, fps, ratio, has_audio)


def _float(value: object) -> float | None:
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def even(value: int) -> int:
    return value + 1 if value % 2 else value


async def normalize(
    source: Path,
    target: Path,
    *,
    width: int,
    height: int,
    fps: str,
    bitrate: int,
    info: MovieInfo,
    preset: str = "medium",
    vbv_factor: int = 2,
    keyframes: int = 2,
) -> None:
    """Encode a web-playable H.264 + AAC mp4 (yuv420p, faststart) fitted and padded into
    `width`x`height` at `fps` and `bitrate` Mbit/s (also the VBV cap). A movie without sound
    gets a silent track (browsers stall on audio-less streams in some players)."""
    args = ["-i", str(source)]
    if info.has_audio:
        audio = ["-map", "0:a:0"]
        if info.duration > 0:
            audio += ["-af", f"apad=whole_dur={info.duration}"]
    else:
        silence = "anullsrc=channel_layout=stereo:sample_rate=48000"
        args += ["-f", "lavfi", "-t", f"{max(info.duration, 0.04):.3f}", "-i", silence]
        audio = ["-map", "1:a:0"]
    video_filter = (
        "scale=trunc(iw*sar/2)*2:ih,"
        f"scale={width}:{height}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1"
    )
    rate = ["-b:v", f"{bitrate}M"]
    if vbv_factor > 0:
        rate += ["-maxrate", f"{bitrate}M", "-bufsize", f"{bitrate * vbv_factor}M"]
    await run(
        *args,
        "-map",
        "0:v:0",
        *audio,
        "-vf",
        video_filter,
        "-r",
        fps,
        "-c:v",
        "libx264",
        "-preset",
        preset,
        "-pix_fmt",
        "yuv420p",
        "-x264opts",
        f"keyint={keyframes}:scenecut=0",
        *rate,
        "-c:a",
        "aac",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(target),
    )


async def extract_frame(source: Path, target: Path, seconds: float = 0.0) -> bool:
    """Write the frame at `seconds` as a PNG; False when the movie has no frame there."""
    await run("-ss", f"{max(seconds, 0.0):.6f}", "-i", str(source), "-frames:v", "1", "-update", "1", str(target))
    return await asyncio.to_thread(_non_empty, target)


def _non_empty(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


async def tile(source: Path, target: Path, info: MovieInfo) -> None:
    """Zou's tile sheet: one 100 px high picture per frame, 8 per row, at most 480 rows
    (frames skipped evenly beyond that)."""
    frames = max(info.frame_count, 1)
    rows = min(math.ceil(frames / TILE_COLUMNS), TILE_MAX_ROWS)
    width = math.ceil(TILE_HEIGHT * info.ratio)
    select = ""
    if rows == TILE_MAX_ROWS:
        select = rf"select='not(mod(n\,{math.ceil(frames / (TILE_COLUMNS * TILE_MAX_ROWS))}))',"
    await run(
        "-threads",
        "1",
        "-i",
        str(source),
        "-vf",
        f"{select}scale={width}:{TILE_HEIGHT},tile={TILE_COLUMNS}x{rows}",
        "-frames:v",
        "1",
        "-update",
        "1",
        "-threads",
        "1",
        str(target),
    )
