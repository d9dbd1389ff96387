"""marshmallow schemas: response shapes for OpenAPI, labels and the small query schemas (the list query: schemas_list)."""

from __future__ import annotations

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from app.registry.records import (
    DESCRIPTION_MAX,
    TAG_PATTERN,
    TAGS_MAX,
    TITLE_MAX,
    label_problems,
)


class ErrorSchema(Schema):
    """The one error shape of every response."""

    error = fields.String(required=True, metadata={"description": "a message for people"})
    code = fields.String(required=True, metadata={"description": "a machine-readable code"})
    status = fields.Integer(required=True)
    details = fields.Dict(keys=fields.String(), values=fields.List(fields.String(), validate=validate.Length(min=1)),
                          required=True,
                          metadata={"description": "field or parameter (nested ones as dotted paths, `tags.0`) -> "
                                                   "a non-empty list of messages saying what is wrong"})
    request_id = fields.String(required=True, metadata={"description": "this response's X-Request-ID (quote it "
                                                                       "when reporting a problem)"})


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
    series_summary = fields.Dict(allow_none=True, metadata={
        "description": "runs and telemetry: {node: {points, min, max, mean, sum, last}}"})
    duplicate_of = fields.String(allow_none=True, metadata={
        "description": "runs: the earliest run with the same scenarioHash (model + seed)"})
    verification = fields.Nested(lambda: VerificationSchema(), allow_none=True,
                                 metadata={"description": "the last verify verdict"})


class SeriesDifferenceSchema(Schema):
    series = fields.String()
    reason = fields.String()
    line = fields.Integer(allow_none=True)
    expected = fields.String(allow_none=True, metadata={"description": "the stored file's line"})
    actual = fields.String(allow_none=True, metadata={"description": "the re-run's line"})


class VerificationSchema(Schema):
    """POST /v1/artifacts/{id}/verify: does the run reproduce from its spec.yaml and seed?"""

    artifact_id = fields.String()
    reproducible = fields.Boolean()
    checked_series = fields.Integer()
    mismatched = fields.List(fields.String())
    missing = fields.List(fields.String())
    verified_at = fields.String()
    engine_version = fields.String()
    differences = fields.List(fields.Nested(SeriesDifferenceSchema))
    error = fields.String(allow_none=True, metadata={"description": "why the engine could not re-run it"})


class FacetValueSchema(Schema):
    value = fields.String()
    count = fields.Integer()


class ArtifactListSchema(Schema):
    artifacts = fields.List(fields.Nested(ArtifactSchema))
    total = fields.Integer(metadata={"description": "Matches in all (a lower bound when total_exact is false)"})
    total_exact = fields.Boolean(metadata={
        "description": "False when total is a lower bound: a search (or a filter the kept counts cannot answer) "
                       "matched more than 1,000 artifacts and counting stopped there"})
    count = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()
    next_cursor = fields.String(allow_none=True)
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))
    ranking_exact = fields.Boolean(metadata={
        "description": "With a search: false when its words matched more artifacts than relevance ranks: "
                       "sort=relevance orders the newest ranking_sample word matches by score, then the older "
                       "word matches newest first (scores in (-1, -0.5)), then substring-only matches"})
    ranking_sample = fields.Integer(allow_none=True, metadata={
        "description": "How many word matches (the newest) relevance ranked when ranking_exact is false"})
    facets_exact = fields.Boolean(metadata={
        "description": "With facets: false when the counts the kept counters cannot answer cover only the "
                       "newest facets_sample matches (more matched than total_exact covers)"})
    facets_sample = fields.Integer(allow_none=True, metadata={
        "description": "How many matches (the newest) the facet counts cover when facets_exact is false"})


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
    duplicates = fields.Integer(metadata={"description": "live runs that duplicate an earlier one"})
    verified = fields.Dict(metadata={"description": "runs by last verdict: reproducible, not_reproducible"})
    index = fields.Dict()


class HealthSchema(Schema):
    status = fields.String()
    checks = fields.Dict()
    version = fields.String()
