"""marshmallow schemas of the edit history and the changes feed."""

from __future__ import annotations

import re
from datetime import datetime

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from app.api.schemas_list import MAX_INT, CommaList
from app.registry.records import ARTIFACT_TYPES, TAG_PATTERN
from app.registry.store.changes import EVENTS
from app.registry.store.listing import ListQuery
from app.timefmt import parse_iso

MAX_CHANGES = 1000


class ChangesQuerySchema(Schema):
    """Query parameters of GET /v1/changes."""

    class Meta:
        unknown = RAISE

    since = fields.Integer(strict=False, validate=validate.Range(0, MAX_INT), load_default=0,
                           metadata={"description": "the generation already seen (a list's X-Registry-Generation)"})
    limit = fields.Integer(strict=False, validate=validate.Range(1, MAX_CHANGES), load_default=100)
    type = CommaList(allowed=ARTIFACT_TYPES)
    tags = CommaList(pattern=TAG_PATTERN)
    tag_mode = fields.String(validate=validate.OneOf(["all", "any"]), load_default="all")
    search = fields.String(validate=validate.Length(max=1000))

    @post_load
    def to_query(self, data, **kwargs) -> dict:
        """since, limit and the filters as a ListQuery."""
        query = ListQuery(types=data.get("type") or [], tags=data.get("tags") or [], tag_mode=data["tag_mode"],
                          search=data.get("search") or None)
        return {"since": data["since"], "limit": data["limit"], "query": query}


class ChangeSchema(Schema):
    """One artifact changed by one commit."""

    generation = fields.Integer()
    id = fields.String()
    event = fields.String(validate=validate.OneOf(EVENTS))
    at = fields.String()


class ChangesSchema(Schema):
    """GET /v1/changes: follow on with since=last_generation."""

    changes = fields.List(fields.Nested(ChangeSchema))
    last_generation = fields.Integer()


class HistoryQuerySchema(Schema):
    """Query parameters of GET /v1/artifacts/{id}/history."""

    class Meta:
        unknown = RAISE

    limit = fields.Integer(strict=False, validate=validate.Range(1, MAX_CHANGES), load_default=50)
    cursor = fields.String(validate=validate.Length(max=64), metadata={"description": "the previous page's next_cursor"})

    @post_load
    def to_args(self, data, **kwargs) -> dict:
        """The cursor as the (generation, at) key to read below."""
        return {"limit": data["limit"], "before": parse_history_cursor(data["cursor"]) if "cursor" in data else None}


def parse_history_cursor(text: str) -> tuple[int, datetime]:
    """`<generation>:<ISO time>` (a history page's next_cursor) -> the key below which the next page starts."""
    match = re.fullmatch(r"([1-9][0-9]{0,17}):(\S{1,40})", text)
    at = parse_iso(match.group(2)) if match else None
    if at is None:
        raise ValidationError("not a history cursor (use the previous page's next_cursor)", field_name="cursor")
    return int(match.group(1)), at


class HistoryEntrySchema(Schema):
    """One edit: when, by whom, and each field's old and new value."""

    generation = fields.Integer()
    at = fields.String()
    actor = fields.String()
    changes = fields.Dict(keys=fields.String(), values=fields.Dict(),
                          metadata={"description": "{field: {from, to}}: title, description, tags, archived, "
                                                   "deleted, derived_from"})


class HistorySchema(Schema):
    """GET /v1/artifacts/{id}/history, newest first."""

    artifact_id = fields.String()
    history = fields.List(fields.Nested(HistoryEntrySchema))
    next_cursor = fields.String(allow_none=True)
