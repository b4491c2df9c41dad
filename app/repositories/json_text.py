"""JSON rendered by PostgreSQL, for the big read answers.

Boards and castings hold thousands of small objects. Rather than bring every value to
Python and build dicts that orjson then serialises, such a read lets PostgreSQL render the
JSON text and the domain embeds it as is in the answer (`orjson.Fragment`). The helpers
below render it compact (no whitespace, as orjson writes), keys in the order given.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, FromClause, Lateral, Text, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by


def json_row(
    name: str, columns: Sequence[ColumnElement], correlate: Sequence[FromClause]
) -> tuple[Lateral, ColumnElement]:
    """A JSON object of the labelled columns, keys in their order, for each row of the FROM
    clauses it reads: `(lateral, text)`; join the lateral `ON true`, select the text.

    It is `row_to_json` of a FROM-less `LATERAL` row (PostgreSQL inlines it): unlike
    `json_build_object`, which writes `"key" : value`, it renders compact JSON."""
    row = select(*columns).correlate(*correlate).lateral(name)
    return row, cast(func.row_to_json(row.table_valued()), Text)


def json_array(item: ColumnElement, *order_by: ColumnElement) -> ColumnElement:
    """Aggregate: the items (JSON texts) as a JSON array, in the given order; NULL over no rows.

    `'[' || string_agg(...) || ']'` rather than json_agg, which puts line breaks between items."""
    separator = aggregate_order_by(literal(","), *order_by) if order_by else literal(",")
    return literal("[") + func.string_agg(item, separator) + literal("]")


def json_object(key: ColumnElement, value: ColumnElement, *order_by: ColumnElement) -> ColumnElement:
    """Aggregate: `{key: value, ...}` (values are JSON texts), keys in the given order; `{}` over no rows."""
    member = cast(func.to_json(cast(key, Text)), Text) + literal(":") + value
    separator = aggregate_order_by(literal(","), *order_by) if order_by else literal(",")
    return func.coalesce(literal("{") + func.string_agg(member, separator) + literal("}"), literal("{}"))
