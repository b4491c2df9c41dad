"""orjson responses: datetimes come out as Zou's `YYYY-MM-DDTHH:MM:SS`."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse as StarletteJSONResponse

ORJSON_OPTIONS = orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_NON_STR_KEYS


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, option=ORJSON_OPTIONS)


class JSONResponse(StarletteJSONResponse):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)
