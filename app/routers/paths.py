"""The path convertor for item ids that share a prefix with literal routes.

`/data/shots/{id}` and `/data/shots/with-tasks` live in different modules. Item routes declare
their id as `{shot_id:item}`: it matches any segment except the literal names served beside
them (`all`, `with-tasks`), so every route is reached whatever order the routers are mounted
in, while a malformed id still reaches the item route and answers 400 "Malformed ID.".
"""

from __future__ import annotations

import re

from starlette.convertors import CONVERTOR_TYPES, Convertor, register_url_convertor

ITEM = "item"
LITERAL_SEGMENTS = ("all", "with-tasks")


class ItemConvertor(Convertor[str]):
    regex = r"(?!(?:" + "|".join(re.escape(s) for s in LITERAL_SEGMENTS) + r")(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


if ITEM not in CONVERTOR_TYPES:
    register_url_convertor(ITEM, ItemConvertor())
