"""Drawing Kitsu's annotations (fabric.js JSON objects) onto a still with Pillow.

A server-side approximation of the player's canvas: paths (free drawing), lines, arrows,
rectangles, circles and ellipses, polylines and polygons, and text, scaled from the canvas the
object was drawn on (`canvasWidth`/`canvasHeight`) to the picture. Rotations, shadows and
erasers are not reproduced. Pure functions over PIL images: callers run them in a thread.
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from PIL import Image, ImageColor, ImageDraw, ImageFont

log = logging.getLogger(__name__)
SUPERSAMPLE = 2
_RGBA = re.compile(r"^\s*rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*(\d*\.?\d+)\s*)?\)\s*$", re.I)
FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf")


def draw_annotation(image: Image.Image, annotation: dict[str, Any] | None) -> Image.Image:
    """The picture with the annotation's drawing objects burnt in (RGB)."""
    drawing = (annotation or {}).get("drawing") or {}
    objects = drawing.get("objects") if isinstance(drawing, dict) else None
    base = image.convert("RGBA")
    if objects:
        size = (base.width * SUPERSAMPLE, base.height * SUPERSAMPLE)
        overlay = Image.new("RGBA", size, (0, 0, 0, 0))
        for obj in objects:
            _draw(overlay, obj, size)
        overlay = overlay.resize(base.size, Image.Resampling.LANCZOS)
        base = Image.alpha_composite(base, overlay)
    return base.convert("RGB")


def _color(value: Any, default: tuple[int, int, int, int] | None = None) -> tuple[int, int, int, int] | None:
    if not isinstance(value, str) or value in ("", "transparent"):
        return default
    match = _RGBA.match(value)
    if match:
        r, g, b, a = match.groups()
        alpha = 1.0 if a is None else float(a)
        return int(r), int(g), int(b), round(min(max(alpha, 0.0), 1.0) * 255)
    try:
        rgb = ImageColor.getrgb(value)
    except ValueError:
        return default
    return rgb if len(rgb) == 4 else (*rgb, 255)  # type: ignore[return-value]


def _num(obj: dict[str, Any], key: str, default: float = 0.0) -> float:
    value = obj.get(key, default)
    try:
        result = float(value if value is not None else default)
    except (TypeError, ValueError):
        return default
    return result if math.isfinite(result) else default


def _draw(target: Image.Image, obj: Any, size: tuple[int, int]) -> None:
    if not isinstance(obj, dict):
        return
    kind = str(obj.get("type") or "").lower()
    # without its canvas size, an object is in the picture's own pixels
    sx = size[0] / (_num(obj, "canvasWidth") or size[0] / SUPERSAMPLE)
    sy = size[1] / (_num(obj, "canvasHeight") or size[1] / SUPERSAMPLE)
    draw = ImageDraw.Draw(target)
    stroke = _color(obj.get("stroke")) or _color(obj.get("fill")) or (0, 0, 0, 255)
    fill = _color(obj.get("fill"))
    width = max(1, round(_num(obj, "strokeWidth", 1) * (sx + sy) / 2))
    left, top = _num(obj, "left") * sx, _num(obj, "top") * sy
    w = _num(obj, "width") * _num(obj, "scaleX", 1) * sx
    h = _num(obj, "height") * _num(obj, "scaleY", 1) * sy
    try:
        if kind in ("path", "psstroke"):
            points = _path_points(obj.get("path") or [], sx, sy)
            if len(points) == 1:
                points = points * 2
            if points:
                draw.line(points, fill=stroke, width=width, joint="curve")
        elif kind in ("line", "arrow"):
            if all(k in obj for k in ("x1", "y1", "x2", "y2")):
                # fabric serialises a line's points relative to its centre
                cx, cy = (left, top) if obj.get("originX") == "center" else (left + w / 2, top + h / 2)
                x1, y1, x2, y2 = (_num(obj, k) for k in ("x1", "y1", "x2", "y2"))
                p1, p2 = (cx + x1 * sx, cy + y1 * sy), (cx + x2 * sx, cy + y2 * sy)
            else:
                p1, p2 = (left, top), (left + w, top + h)
            draw.line([p1, p2], fill=stroke, width=width)
            if kind == "arrow":
                angle = math.atan2(p2[1] - p1[1], p2[0] - p1[0])
                head = width * 4
                for delta in (2.6, -2.6):
                    end = (p2[0] + head * math.cos(angle + delta), p2[1] + head * math.sin(angle + delta))
                    draw.line([p2, end], fill=stroke, width=width)
        elif kind == "rect":
            draw.rectangle([left, top, left + w, top + h], outline=_color(obj.get("stroke")), fill=fill, width=width)
        elif kind in ("circle", "ellipse"):
            if kind == "circle":
                rx = _num(obj, "radius") * _num(obj, "scaleX", 1) * sx
                ry = _num(obj, "radius") * _num(obj, "scaleY", 1) * sy
            else:
                rx = _num(obj, "rx") * _num(obj, "scaleX", 1) * sx
                ry = _num(obj, "ry") * _num(obj, "scaleY", 1) * sy
            draw.ellipse([left, top, left + 2 * rx, top + 2 * ry], outline=stroke, fill=fill, width=width)
        elif kind in ("polyline", "polygon"):
            points = [(_num(p, "x") * sx, _num(p, "y") * sy) for p in obj.get("points") or [] if isinstance(p, dict)]
            if len(points) >= 2:
                if kind == "polygon":
                    draw.polygon(points, outline=stroke, fill=fill, width=width)
                else:
                    draw.line(points, fill=stroke, width=width)
        elif kind in ("text", "i-text", "textbox"):
            text = str(obj.get("text") or "")
            font_size = max(1, round(_num(obj, "fontSize", 40) * _num(obj, "scaleY", 1) * sy))
            draw.text((left, top), text, fill=fill or stroke, font=_font(font_size))
        elif kind == "group":
            for child in obj.get("objects") or []:
                _draw(target, child, size)
    except Exception:  # one odd object never spoils the frame
        log.debug("annotation object not drawn: %s", kind, exc_info=True)


def _path_points(commands: list[Any], sx: float, sy: float) -> list[tuple[float, float]]:
    """The points of a fabric path (M, L, Q, C commands in canvas coordinates), curves sampled."""
    points: list[tuple[float, float]] = []
    for command in commands:
        if not isinstance(command, list | tuple) or not command:
            continue
        values = [float(v) for v in command[1:] if isinstance(v, int | float)]
        op = str(command[0]).upper()
        if op in ("M", "L") and len(values) >= 2:
            points.append((values[0] * sx, values[1] * sy))
        elif op == "Q" and len(values) >= 4 and points:
            (x0, y0), (cx, cy), (x1, y1) = (
                points[-1],
                (values[0] * sx, values[1] * sy),
                (values[2] * sx, values[3] * sy),
            )
            for i in range(1, 5):
                t = i / 4
                points.append(
                    (
                        (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x1,
                        (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y1,
                    )
                )
        elif op == "C" and len(values) >= 6:
            points.append((values[4] * sx, values[5] * sy))
    return points


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    for path in FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)
