"""marshmallow schemas: request parsing (with FlowTime .NET aliases) and response shapes for OpenAPI."""

from __future__ import annotations

import re
from datetime import datetime, time

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from app.registry.records import (
    ARTIFACT_TYPES,
    CAPABILITIES,
    DESCRIPTION_MAX,
    SOURCES,
    TAG_PATTERN,
    TAGS_MAX,
    TITLE_MAX,
    label_problems,
)
from app.registry.store.listing import SORT_COLUMNS, ListQuery
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


class ErrorSchema(Schema):
    """The one error shape of every response."""

    error = fields.String(required=True, metadata={"description": "a message for people"})
    code = fields.String(required=True, metadata={"description": "a machine-readable code"})
    status = fields.Integer(required=True)
    details = fields.Dict(required=True, metadata={"description": "field or parameter -> what is wrong"})
    request_id = fields.String(required=True, metadata={"description": "this response's X-Request-ID (quote it "
                                                                       "when reporting a problem)"})


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
    sort = fields.String(validate=validate.OneOf([*SORT_COLUMNS, "relevance"]))
    order = fields.String(validate=validate.OneOf(["asc", "desc"]))
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_INT - 1), load_default=50)
    offset = fields.Integer(validate=validate.Range(min=0, max=10**9), load_default=0)
    cursor = fields.String(validate=validate.Length(max=2000))
    facets = CommaList(allowed=("type", "tags", "source"))

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


class IncludeDeletedSchema(Schema):
    class Meta:
        unknown = RAISE

    include_deleted = fields.Boolean(load_default=False)


class DownloadSchema(Schema):
    class Meta:
        unknown = RAISE

    download = fields.Boolean(load_default=False)


class LabelsSchema(Schema):
    """Title, description and tags as users give them, checked by the one label rule (app.registry.records)."""

    class Meta:
        unknown = RAISE

    title = fields.String(validate=validate.Length(1, TITLE_MAX))
    description = fields.String(validate=validate.Length(max=DESCRIPTION_MAX))
    tags = fields.List(fields.String(validate=validate.Regexp(TAG_PATTERN, error="invalid tag")),
                       validate=validate.Length(max=TAGS_MAX))

    @validates_schema
    def follow_the_label_rule(self, data, **kwargs):
        problems = label_problems(data.get("title"), data.get("description"), data.get("tags"))
        if problems:
            raise ValidationError(problems)

    @post_load
    def normalise_labels(self, data, **kwargs):
        if "title" in data:
            data["title"] = data["title"].strip()
        if "tags" in data:
            data["tags"] = list(dict.fromkeys(data["tags"]))
        return data


class ArtifactUpdateSchema(LabelsSchema):
    """Body of PUT/PATCH /v1/artifacts/{id}: the user-editable fields."""


class RelationshipsSchema(Schema):
    derived_from = fields.List(fields.String())
    generates = fields.List(fields.String())


class FileSchema(Schema):
    name = fields.String()
    size_bytes = fields.Integer()
    content_type = fields.String()
    modified = fields.String()


class ArtifactSchema(Schema):
    """An artifact as the API, the list and registry-index.json show it."""

    class Meta:
        unknown = EXCLUDE
        ordered = True

    id = fields.String()
    type = fields.String()
    title = fields.String()
    description = fields.String()
    created = fields.String()
    modified = fields.String()
    tags = fields.List(fields.String())
    source = fields.String()
    schema_version = fields.String()
    capabilities = fields.List(fields.String())
    relationships = fields.Nested(RelationshipsSchema)
    path = fields.String()
    size_bytes = fields.Integer()
    size_mb = fields.Float()
    file_count = fields.Integer()
    series_count = fields.Integer()
    metadata = fields.Dict()
    deleted_at = fields.String(allow_none=True)
    score = fields.Float()
    snippet = fields.String()
    files = fields.List(fields.String(), metadata={"description": "FlowTime: relative file names"})
    totalSize = fields.Integer(metadata={"description": "FlowTime: total bytes (= size_bytes)"})
    lastModified = fields.String(metadata={"description": "FlowTime: ISO timestamp, never null (= modified)"})
    file_details = fields.List(fields.Nested(FileSchema), metadata={"description": "GET by id only"})


class FacetValueSchema(Schema):
    value = fields.String()
    count = fields.Integer()


class ArtifactListSchema(Schema):
    artifacts = fields.List(fields.Nested(ArtifactSchema))
    total = fields.Integer()
    count = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()
    next_cursor = fields.String(allow_none=True)
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))


class FileListSchema(Schema):
    artifact_id = fields.String()
    files = fields.List(fields.Nested(FileSchema))
    count = fields.Integer()


class BulkResultSchema(Schema):
    id = fields.String()
    success = fields.Boolean()
    error = fields.String()


class BulkResponseSchema(Schema):
    success = fields.Boolean()
    processed = fields.Integer()
    archived = fields.Integer()
    deleted = fields.Integer()
    results = fields.List(fields.Nested(BulkResultSchema))


class RescanSchema(Schema):
    added = fields.Integer()
    updated = fields.Integer()
    removed = fields.Integer()
    restored = fields.Integer()
    unchanged = fields.Integer()
    skipped = fields.List(fields.Dict())
    total = fields.Integer()
    duration_ms = fields.Integer()


class StatsSchema(Schema):
    total = fields.Integer()
    deleted = fields.Integer()
    archived = fields.Integer()
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_source = fields.Dict(keys=fields.String(), values=fields.Integer())
    total_size_bytes = fields.Integer()
    top_tags = fields.List(fields.Dict())
    created = fields.Dict()
    skipped = fields.Integer()
    index = fields.Dict()


class HealthSchema(Schema):
    status = fields.String()
    checks = fields.Dict()
    version = fields.String()
