"""Model artifacts: `models/<id>/` with model-artifact.yaml, metadata.json and catalog.json."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

import yaml

from app.engine import evaluate, graph, load_model
from app.errors import ModelInvalid
from app.registry.records import TAG_PATTERN
from app.storage import Storage
from app.timefmt import iso, utcnow
from app.yamlsafe import safe_load

MODEL_FILE = "model-artifact.yaml"
SPEC_KEYS = ("schemaVersion", "grid", "nodes", "outputs")


@dataclass
class ModelDraft:
    """A validated model about to become an artifact."""

    spec: dict
    title: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    source: str = "import"
    provenance: dict = field(default_factory=dict)


def spec_text(spec: dict) -> str:
    """The FlowTime model YAML of a spec mapping (what the engine runs)."""
    return yaml.safe_dump({k: spec[k] for k in SPEC_KEYS if k in spec}, sort_keys=False)


def validate_spec(spec: dict) -> dict:
    """Parse and evaluate the spec with the engine, so every Model artifact is runnable; returns its graph."""
    model = load_model(spec_text(spec))
    evaluate(model)
    return {"graph": graph(model), "grid": model.grid.to_dict()}


def draft_from_upload(text: str) -> ModelDraft:
    """A plain FlowTime model or a `kind: Model` document, uploaded by a user."""
    doc = safe_load(text)
    if not isinstance(doc, dict):
        raise ModelInvalid("the model must be a YAML mapping", details={"body": ["expected a YAML mapping"]})
    if doc.get("kind") == "Model":
        spec = doc.get("spec")
        if not isinstance(spec, dict):
            raise ModelInvalid("a kind: Model document needs a spec mapping", details={"spec": ["expected a mapping"]})
        meta, provenance = doc.get("metadata") or {}, doc.get("provenance") or {}
    else:
        spec, meta, provenance = doc, doc.get("metadata") or {}, doc.get("provenance") or {}
    meta = meta if isinstance(meta, dict) else {}
    return ModelDraft(spec={k: spec[k] for k in SPEC_KEYS if k in spec},
                      title=str(meta.get("title") or "").strip() or "Uploaded model",
                      description=str(meta.get("description") or ""),
                      tags=[t for t in meta.get("tags") or [] if isinstance(t, str) and TAG_PATTERN.match(t)],
                      provenance=provenance if isinstance(provenance, dict) else {})


def write_model(storage: Storage, draft: ModelDraft, now=None) -> str:
    """Validate and write the model folder atomically; returns its storage key."""
    checked = validate_spec(draft.spec)
    now = now or utcnow()
    model_id = f"model_{now:%Y%m%dT%H%M%SZ}_{secrets.token_hex(4)}"
    created = iso(now)
    document = {
        "kind": "Model", "schemaVersion": 1,
        "metadata": {"title": draft.title, "created": created, "description": draft.description,
                     "tags": draft.tags},
        "spec": {k: draft.spec[k] for k in ("grid", "nodes", "outputs") if k in draft.spec},
        "provenance": draft.provenance,
    }
    key = f"models/{model_id}"
    with storage.write_folder(key) as folder:
        folder.write_bytes(MODEL_FILE, yaml.safe_dump(document, sort_keys=False).encode())
        folder.write_bytes("metadata.json", _json(_metadata(model_id, draft, created, checked)))
        folder.write_bytes("catalog.json", _json(_catalog(draft, checked)))
    return key


def _metadata(model_id: str, draft: ModelDraft, created: str, checked: dict) -> dict:
    provenance = {
        "template_id": draft.provenance.get("templateId"),
        "template_version": draft.provenance.get("templateVersion"),
        "parameters": draft.provenance.get("parameters"),
    }
    return {
        "id": model_id, "type": "model", "title": draft.title, "description": draft.description,
        "created": created, "tags": draft.tags, "source": draft.source,
        "provenance": {k: v for k, v in provenance.items() if v is not None},
        "metadata": {"grid": checked["grid"], "nodes": checked["graph"]["nodes"]},
    }


def _catalog(draft: ModelDraft, checked: dict) -> dict:
    g = checked["graph"]
    kinds = {n.get("id"): n.get("kind") for n in draft.spec.get("nodes") or [] if isinstance(n, dict)}
    return {
        "nodes": [{"id": e["id"], "kind": kinds.get(e["id"]), "inputs": e["inputs"]} for e in g["edges"]],
        "edges": [{"from": source, "to": e["id"]} for e in g["edges"] for source in e["inputs"]],
        "order": g["order"],
        "grid": checked["grid"],
    }


def _json(doc: dict) -> bytes:
    return json.dumps(doc, indent=2, allow_nan=False).encode()


def read_model_spec(storage: Storage, key: str) -> str:
    """The runnable FlowTime YAML of a stored Model artifact."""
    doc = safe_load(storage.read_bytes(f"{key}/{MODEL_FILE}").decode("utf-8"))
    spec = doc.get("spec") if isinstance(doc, dict) else None
    if not isinstance(spec, dict):
        raise ModelInvalid(f"{MODEL_FILE} has no spec", details={"spec": [f"missing from {MODEL_FILE}"]})
    return spec_text({"schemaVersion": doc.get("schemaVersion", 1), **spec})
