"""Pillow work on uploaded pictures: normalised originals, web previews and thumbnails.

Every function here is synchronous and CPU-bound: callers run them outside the event loop
(`await asyncio.to_thread(process_picture, ...)`). They read from a path or a binary file
object and write PNG files into a folder the caller owns (a temporary directory), which the
caller then hands to the storage; nothing here knows about buckets' contents or ids.

Sizes follow Zou's picture variants:
- `originals`: the upload re-encoded as PNG in sRGB, at full size;
- `previews`: 1200 pixels wide, the height following the picture's ratio (smaller pictures
  are scaled up, as Zou does);
- `thumbnails`: 150x100, the picture fitted inside and centred on a transparent canvas;
- `thumbnails-square`: 100x100, the same way.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageCms, UnidentifiedImageError

RECTANGLE_SIZE = (150, 100)
SQUARE_SIZE = (100, 100)
PREVIEW_SIZE = (1200, 0)
"""A height of 0 means "follow the picture's ratio"."""
BIG_SQUARE_SIZE = (400, 400)
BIG_RECTANGLE_SIZE = (300, 200)

PREVIEW_VARIANTS: tuple[tuple[str, tuple[int, int]], ...] = (
    ("thumbnails", RECTANGLE_SIZE),
    ("thumbnails-square", SQUARE_SIZE),
    ("previews", PREVIEW_SIZE),
)
"""(storage bucket, target size) of the pictures built from a preview's original."""

NOT_A_PICTURE = "Uploaded file is not a readable picture."

_SRGB = ImageCms.createProfile("sRGB")
_DEEP_GREY = ("I", "I;16")


class NotAPicture(ValueError):
    """The data is not a picture Pillow can decode (or is an absurdly large one)."""

    def __init__(self, message: str = NOT_A_PICTURE) -> None:
        super().__init__(message)


def to_srgb(im: Image.Image, mode: str = "RGB") -> Image.Image:
    """The picture in sRGB (`mode` RGB, or RGBA when it has transparency), honouring an
    embedded ICC profile; palette, grey and other modes other than these are left as they are
    except 16-bit greys, scaled down to 8 bits instead of being clipped to white."""
    if im.mode in _DEEP_GREY:
        im = im.point(lambda value: value / 256).convert("L")
    if im.mode not in ("CMYK", "RGB", "RGBA"):
        return im
    if im.mode == "RGB" and im.info.get("transparency") is not None:
        im = im.convert("RGBA")
    if im.mode == "RGBA":
        mode = "RGBA"
    profile = im.info.get("icc_profile")
    if profile:
        try:
            im = ImageCms.profileToProfile(
                im,
                ImageCms.ImageCmsProfile(BytesIO(profile)),
                _SRGB,
                outputMode="RGBA" if im.mode == "RGBA" else "RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile is not worth refusing the picture
    return im if im.mode == mode else im.convert(mode)


def open_picture(source: str | Path | BinaryIO) -> Image.Image:
    """The decoded picture (pixels loaded, converted to sRGB); `NotAPicture` when it is not one."""
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        im = Image.open(source)
        im.load()
        return to_srgb(im)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise NotAPicture() from exc


def full_size_from_width(size: tuple[int, int], width: int) -> tuple[int, int]:
    """(width, height) keeping the ratio of `size`."""
    im_width, im_height = size
    return width, int(math.ceil(width * im_height / im_width))


def fit_thumbnail(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The picture fitted in `size` (a height of 0 follows the ratio), scaled up when it is
    smaller than the box, centred on a transparent RGBA canvas of exactly that size."""
    im = to_srgb(im, "RGBA")
    if im.mode != "RGBA":
        im = im.convert("RGBA")
    width, height = size
    if height == 0:
        width, height = full_size_from_width(im.size, width)
    im_width, im_height = im.size
    if im_width < width and im_height < height:
        ratio = min(width / im_width, height / im_height)
        im = im.resize((max(1, round(im_width * ratio)), max(1, round(im_height * ratio))), Image.Resampling.LANCZOS)
    im_width, im_height = im.size
    if (im_width, im_height) != (width, height) and width / height != im_width / im_height:
        ratio = im_width / im_height
        w, h = math.ceil(height * ratio), height
        if w > width:
            w, h = width, int(math.ceil(width / ratio))
        if (w, h) != (im_width, im_height):
            im = im.resize((w, h), Image.Resampling.LANCZOS)
    im.thumbnail((width, height), Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    canvas.paste(im, ((width - im.size[0]) // 2, (height - im.size[1]) // 2))
    return canvas


def save_png(im: Image.Image, path: str | Path) -> int:
    """Write the picture as PNG; answers the file size."""
    im.save(path, "PNG")
    return os.path.getsize(path)


def make_thumbnail(source: str | Path | BinaryIO, target: str | Path, size: tuple[int, int] = RECTANGLE_SIZE) -> int:
    """One thumbnail of `size` from an uploaded picture (persons, projects, organisations,
    attachments); answers its size in bytes. `NotAPicture` when the source is not one."""
    return save_png(fit_thumbnail(open_picture(source), size), target)


@dataclass
class PreviewPictures:
    """What `process_picture` produced: the original's dimensions and PNG size, and one
    local path per storage bucket (`originals`, `previews`, `thumbnails`, `thumbnails-square`)."""

    width: int
    height: int
    file_size: int
    paths: dict[str, Path] = field(default_factory=dict)


def process_picture(source: str | Path | BinaryIO, folder: str | Path) -> PreviewPictures:
    """Every picture of a preview from an upload, written as PNG files in `folder`.

    Decoding comes first: a file that is not a picture raises `NotAPicture` before anything
    is written."""
    im = open_picture(source)
    folder = Path(folder)
    original = folder / "originals.png"
    file_size = save_png(im, original)
    result = PreviewPictures(width=im.size[0], height=im.size[1], file_size=file_size)
    result.paths["originals"] = original
    for bucket, size in PREVIEW_VARIANTS:
        path = folder / f"{bucket}.png"
        save_png(fit_thumbnail(im, size), path)
        result.paths[bucket] = path
    return result


def dimensions(source: str | Path | BinaryIO) -> tuple[int, int]:
    """(width, height) of a picture, reading its header only."""
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        with Image.open(source) as im:
            return im.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise NotAPicture() from exc
