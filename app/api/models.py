"""/v1/templates and /v1/models: template catalogue, Model artifacts and runs of stored models."""

from __future__ import annotations

from app.api import Blueprint, context
from app.api.runs import YAML_BODY, run_response, yaml_body
from app.api.schemas_workflows import (
    InstantiateSchema,
    ModelCreatedSchema,
    RunResponseSchema,
    SeedQuerySchema,
    TemplateListSchema,
    TemplateSchema,
)
from app.registry.records import artifact_json
from app.sim.catalogue import get_template, load_templates
from app.sim.service import instantiate_template, run_stored_model, upload_model

blp = Blueprint("models", __name__, url_prefix="/v1", description="Templates and Model artifacts")


def _created(record):
    return {"modelId": record.id, "artifactId": record.id, "artifact": artifact_json(record)}, 201


@blp.route("/templates", methods=["GET"])
@blp.response(200, TemplateListSchema)
def list_templates():
    """The built-in templates with their parameter definitions."""
    templates = [t.summary() for t in load_templates().values()]
    return {"templates": templates, "count": len(templates)}


@blp.route("/templates/<template_id>", methods=["GET"])
@blp.response(200, TemplateSchema)
@blp.errors(404)
def template_detail(template_id: str):
    """One template, with its model body."""
    return get_template(template_id).detail()


@blp.route("/templates/<template_id>/instantiate", methods=["POST"])
@blp.arguments(InstantiateSchema)
@blp.response(201, ModelCreatedSchema)
@blp.errors(400, 404)
def instantiate(body: dict, template_id: str):
    """Create a Model artifact from a template and parameters (validated by the engine)."""
    record = instantiate_template(context(), template_id, body["parameters"], body.get("title"),
                                  body.get("description"), body.get("tags"))
    return _created(record)


@blp.route("/models", methods=["POST"])
@blp.doc(requestBody=YAML_BODY)
@blp.response(201, ModelCreatedSchema)
@blp.errors(400, 413, 415)
def create_model():
    """Upload a model YAML (plain FlowTime or `kind: Model`) as a Model artifact."""
    return _created(upload_model(context(), yaml_body()))


@blp.route("/models/<model_id>/run", methods=["POST"])
@blp.arguments(SeedQuerySchema, location="query", as_kwargs=True)
@blp.response(200, RunResponseSchema)
@blp.errors(400, 404)
def run_model(model_id: str, seed: int | None = None):
    """Run a stored model; the run derives from it."""
    return run_response(run_stored_model(context(), model_id, seed=seed))
