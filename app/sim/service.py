"""Model use cases: instantiate a template, upload a model, run a stored model."""

from __future__ import annotations

from dataclasses import replace

from app.engine.service import RunOutcome, run_spec
from app.errors import BadRequest, NotFound
from app.registry.context import RegistryContext
from app.registry.records import ArtifactRecord, check_labels
from app.registry.service import get_artifact, register_new_folder, update_artifact
from app.sim.catalogue import get_template, render_model, resolve_parameters
from app.sim.models import ModelDraft, draft_from_upload, read_model_spec, write_model
from app.sim.titles import run_title
from app.yamlsafe import safe_load


def instantiate_template(ctx: RegistryContext, template_id: str, parameters: dict, title: str | None = None,
                         description: str | None = None, tags: list[str] | None = None) -> ArtifactRecord:
    """Substitute the parameters, validate the model with the engine and register it as a Model artifact."""
    template = get_template(template_id)
    check_labels(title, description, tags)
    resolved = resolve_parameters(template, parameters)
    spec = safe_load(render_model(template, resolved))
    draft = ModelDraft(
        spec=spec, title=(title or template.title).strip(), description=description or template.description,
        tags=list(tags if tags is not None else template.tags), source="sim",
        provenance={"templateId": template.id, "templateVersion": template.version, "parameters": resolved},
    )
    return register_new_folder(ctx, write_model(ctx.storage, draft), "model")


def upload_model(ctx: RegistryContext, text: str) -> ArtifactRecord:
    """Register an uploaded model YAML (plain FlowTime or `kind: Model`) as a Model artifact."""
    return register_new_folder(ctx, write_model(ctx.storage, draft_from_upload(text)), "model")


def run_stored_model(ctx: RegistryContext, model_id: str, seed: int | None = None) -> RunOutcome:
    """Run a Model artifact; the run carries the model's provenance, derives from it and is titled after it.

    The title (the model's title, its distinguishing parameters, the seed) is stored as a label, as a user's
    edit is: spec.yaml stays the model's text, so its hash is the same for every run of the model.
    """
    model = get_artifact(ctx, model_id)
    if model.type != "model":
        raise BadRequest(f"{model_id} is a {model.type}, not a model",
                         details={"model_id": [f"a {model.type}, not a model"]})
    try:
        text = read_model_spec(ctx.storage, model.path)
    except NotFound as exc:
        raise NotFound(f"model {model_id} has no model-artifact.yaml",
                       details={"model_id": ["the model has no model-artifact.yaml"]}) from exc
    provenance = {"modelId": model.id, "source": "flowtime-registry"}
    if model.template_id:
        provenance["templateId"] = model.template_id
    outcome = run_spec(ctx, text, seed=seed, provenance=provenance)
    titled = update_artifact(ctx, outcome.artifact.id, {"title": run_title(model, seed)})
    return replace(outcome, artifact=titled)
