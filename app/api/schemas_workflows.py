"""marshmallow schemas of the workflow routes: runs, the runs catalogue, templates, models, lineage and compare."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from app.api.schemas import ArtifactSchema, LabelsSchema


class ReferenceSchema(Schema):
    """FlowTime's ArtifactReference (plus our created and deleted_at)."""

    id = fields.String()
    type = fields.String()
    title = fields.String()
    relationshipType = fields.String()
    created = fields.String(allow_none=True)
    deleted_at = fields.String(allow_none=True)
    missing = fields.Boolean()


class RelationshipListSchema(Schema):
    artifactId = fields.String()
    derivedFrom = fields.List(fields.Nested(ReferenceSchema))
    derivatives = fields.List(fields.Nested(ReferenceSchema))
    related = fields.List(fields.Nested(ReferenceSchema), metadata={"description": "same-source and similar-run"})
    artifact_id = fields.String()
    derived_from = fields.List(fields.Raw())
    generates = fields.List(fields.Raw())


class RunQuerySchema(Schema):
    """Query of POST /v1/run."""

    class Meta:
        unknown = RAISE

    seed = fields.Integer(validate=validate.Range(0, 2**31 - 1))
    model_id = fields.String(validate=validate.Length(1, 200))


class RunResponseSchema(Schema):
    """What POST /v1/run returns (FlowTime's shape)."""

    class Meta:
        ordered = True

    runId = fields.String()
    artifactId = fields.String()
    grid = fields.Dict()
    order = fields.List(fields.String())
    series = fields.Raw(metadata={"description": "node id -> values per bin, every node, topological order"})
    artifactPath = fields.String()
    modelHash = fields.String(metadata={"description": "hash of the model without provenance (and the seed)"})


class GraphSchema(Schema):
    nodes = fields.List(fields.String())
    order = fields.List(fields.String())
    edges = fields.List(fields.Dict())


class ExportResponseSchema(Schema):
    message = fields.String()
    runId = fields.String()
    formats = fields.List(fields.String())
    files = fields.List(fields.String())


class TemplateParameterSchema(Schema):
    name = fields.String()
    type = fields.String()
    title = fields.String()
    description = fields.String()
    default = fields.Raw()
    minimum = fields.Raw()
    maximum = fields.Raw()


class TemplateSchema(Schema):
    id = fields.String()
    title = fields.String()
    description = fields.String()
    version = fields.String()
    tags = fields.List(fields.String())
    parameters = fields.List(fields.Nested(TemplateParameterSchema))
    model = fields.String()


class TemplateListSchema(Schema):
    templates = fields.List(fields.Nested(TemplateSchema))
    count = fields.Integer()


class InstantiateSchema(LabelsSchema):
    """Body of POST /v1/templates/{id}/instantiate."""

    parameters = fields.Dict(keys=fields.String(), load_default=dict)


class ModelCreatedSchema(Schema):
    modelId = fields.String()
    artifactId = fields.String()
    artifact = fields.Nested(ArtifactSchema)


class SeedQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    seed = fields.Integer(validate=validate.Range(0, 2**31 - 1))


class LinkSchema(Schema):
    """Body of POST /v1/artifacts/{id}/relationships."""

    class Meta:
        unknown = RAISE

    derived_from = fields.List(fields.String(), required=True, validate=validate.Length(1, 100))


class LineageQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    depth = fields.Integer(load_default=2, validate=validate.Range(1, 5))


class LineageSchema(Schema):
    artifact_id = fields.String()
    depth = fields.Integer()
    nodes = fields.List(fields.Dict())
    edges = fields.List(fields.Dict())


class CompareRequestSchema(Schema):
    """Body of POST /v1/artifacts/{id}/compare."""

    class Meta:
        unknown = RAISE

    other = fields.String(required=True, validate=validate.Length(1, 200))
    series = fields.List(fields.String(validate=validate.Length(1, 300)), validate=validate.Length(max=1000))
    include_values = fields.Boolean(load_default=False)


class CompareResponseSchema(Schema):
    base = fields.Dict()
    other = fields.Dict()
    grid = fields.Raw()
    series = fields.List(fields.Dict())
    only_in_base = fields.List(fields.String())
    only_in_other = fields.List(fields.String())
    grid_changed = fields.Boolean()
    nodes_added = fields.List(fields.String())
    nodes_removed = fields.List(fields.String())
    nodes_changed = fields.List(fields.Dict())


INT32 = 2**31 - 1  # page and pageSize are 32-bit integers in FlowTime


class RunPageQuerySchema(Schema):
    """Query of GET /v1/runs (pageSize above 200 is clamped)."""

    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, strict=False, validate=validate.Range(1, INT32))
    pageSize = fields.Integer(load_default=50, strict=False, validate=validate.Range(1, INT32))


class RunSummarySchema(Schema):
    runId = fields.String()
    templateId = fields.String()
    mode = fields.String()
    createdUtc = fields.String()
    warningCount = fields.Integer()
    title = fields.String()
    tags = fields.List(fields.String())
    modelId = fields.String()
    rng = fields.Dict()
    inputHash = fields.String()


class RunDetailSchema(RunSummarySchema):
    isDryRun = fields.Boolean()
    wasReused = fields.Boolean()
    warnings = fields.List(fields.Dict())


class RunPageSchema(Schema):
    items = fields.List(fields.Nested(RunSummarySchema))
    totalCount = fields.Integer()
    page = fields.Integer()
    pageSize = fields.Integer()
