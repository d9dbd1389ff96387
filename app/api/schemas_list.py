"""The query of GET /v1/artifacts (with FlowTime .NET aliases): filters, series expressions, sort, paging."""

from __future__ import annotations

import re
from datetime import datetime, time

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate

from app.registry.records import ARTIFACT_TYPES, CAPABILITIES, SOURCES, TAG_PATTERN
from app.registry.store.listing import SORT_COLUMNS, ListQuery
from app.registry.store.series import MAX_FILTERS, OPERATORS, STATS, parse_filter, parse_sort
from app.timefmt import parse_iso

MAX_LIMIT = 1000
MAX_INT = 2**63 - 1
DOTNET_ALIASES = {
    "skip": "offset", "sortBy": "sort", "sortOrder": "order", "createdAfter": "created_after",
    "createdBefore": "created_before", "minSize": "min_size", "maxSize": "max_size", "fullText": "search",
    "includeArchived": "include_archived", "relatedTo": "related_to", "templateId": "template_id",
    "modelId": "model_id", "q": "search", "includeDeleted": "include_deleted",
}
_ALL_CAPABILITIES = sorted({c for caps in CAPABILITIES.values() for c in caps})


class CommaList(fields.String):
    """`a,b|c` -> ["a", "b", "c"], each checked against an allowed set (or a pattern)."""

    def __init__(self, allowed=None, pattern: re.Pattern | None = None, **kwargs):
        if allowed:  # documented in OpenAPI as a pattern, so clients (and fuzzers) know the values
            alternatives = "|".join(re.escape(a) for a in allowed)
            kwargs["metadata"] = {"pattern": f"^({alternatives})([,|]({alternatives}))*$", **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.allowed, self.pattern = allowed, pattern

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("must be a comma-separated string")
        items = [v.strip() for v in re.split(r"[,|]", value) if v.strip()]
        bad = [v for v in items if (self.allowed and v not in self.allowed)
               or (self.pattern and not self.pattern.match(v))]
        if bad:
            hint = f"; allowed: {', '.join(self.allowed)}" if self.allowed else ""
            raise ValidationError(f"invalid value(s): {', '.join(bad)}{hint}")
        return list(dict.fromkeys(items))


class FlexibleDate(fields.Field):
    """A date or datetime (naive means UTC); a bare date as an upper bound covers the whole day."""

    def __init__(self, end_of_day: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
            except ValueError as exc:
                raise ValidationError("not a valid date") from exc
            return datetime.combine(day, time.max if self.end_of_day else time.min)
        parsed = parse_iso(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValidationError("not a valid date or datetime (use ISO-8601, e.g. 2025-09-21T16:11:33Z)")
        return parsed


class SeriesExpression(fields.String):
    """`<node>.<stat><op><number>` (a series filter), parsed into a SeriesFilter."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_filter(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def check_sort(value: str) -> None:
    """A column, relevance, or `series:<node>.<stat>`."""
    if value in SORT_COLUMNS or value == "relevance":
        return
    try:
        if parse_sort(value) is not None:
            return
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    raise ValidationError(f"must be one of {', '.join([*SORT_COLUMNS, 'relevance'])} or series:<node>.<stat>")


class ListQuerySchema(Schema):
    """Query parameters of GET /v1/artifacts."""

    class Meta:
        unknown = RAISE

    type = CommaList(allowed=ARTIFACT_TYPES, metadata={"description": "run, model, telemetry (`,` or `|`)"})
    tags = CommaList(pattern=TAG_PATTERN, metadata={"description": "all must match (see tag_mode)"})
    tag_mode = fields.String(validate=validate.OneOf(["all", "any"]), load_default="all")
    source = CommaList(allowed=SOURCES)
    capabilities = CommaList(allowed=_ALL_CAPABILITIES)
    created_after = FlexibleDate()
    created_before = FlexibleDate(end_of_day=True)
    min_size = fields.Integer(strict=False, validate=validate.Range(0, MAX_INT - 1))
    max_size = fields.Integer(strict=False, validate=validate.Range(0, MAX_INT - 1))
    template_id = fields.String(validate=validate.Length(1, 200))
    model_id = fields.String(validate=validate.Length(1, 200))
    related_to = fields.String(validate=validate.Length(1, 200))
    include_deleted = fields.Boolean(load_default=False)
    include_archived = fields.Boolean(load_default=False)
    search = fields.String(validate=validate.Length(max=1000))
    sort = fields.String(validate=check_sort, metadata={"description": "created, modified, title, size, id, "
                                                         "relevance or series:<node>.<stat>"})
    order = fields.String(validate=validate.OneOf(["asc", "desc"]))
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_INT - 1), load_default=50)
    offset = fields.Integer(validate=validate.Range(min=0, max=10**9), load_default=0)
    cursor = fields.String(validate=validate.Length(max=2000))
    facets = CommaList(allowed=("type", "tags", "source"))
    duplicates = fields.String(validate=validate.OneOf(["hide", "only"]),
                               metadata={"description": "hide: one run per scenario hash; only: the later copies"})
    duplicate_of = fields.String(validate=validate.Length(1, 200),
                                 metadata={"description": "the later runs of this run's scenario (its duplicates)"})
    verified = fields.Boolean(metadata={"description": "the last verify verdict (unverified runs match neither)"})
    series = fields.List(SeriesExpression(), validate=validate.Length(max=MAX_FILTERS), metadata={
        "description": f"repeatable, ANDed: <node>.<stat><op><number>, stat one of {', '.join(STATS)}, "
                       f"op one of {' '.join(OPERATORS)}"})

    @pre_load
    def rename_aliases(self, data, **kwargs):
        """Accept the FlowTime .NET parameter names."""
        renamed = {}
        for key in data:
            target = DOTNET_ALIASES.get(key, key)
            if target in renamed:
                raise ValidationError(f"given twice (as {key} and an alias)", field_name=target)
            renamed[target] = data[key]
        return renamed

    @post_load
    def to_query(self, data, **kwargs) -> ListQuery:
        """Build the ListQuery (limit above 1000 is clamped)."""
        data["limit"] = min(data["limit"], MAX_LIMIT)
        if "type" in data:
            data["types"] = data.pop("type")
        if "source" in data:
            data["sources"] = data.pop("source")
        return ListQuery(**data)
