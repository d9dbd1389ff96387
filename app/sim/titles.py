"""The title of a run of a stored model: what the user gave (the model's title), its distinguishing parameters, the seed."""

from __future__ import annotations

from app.errors import NotFound
from app.registry.records import TITLE_MAX, ArtifactRecord
from app.sim.catalogue import get_template

SEPARATOR = " · "


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def distinguishing_parameters(model: ArtifactRecord) -> dict:
    """The template parameters of a model that differ from the template's defaults (all, if it is unknown)."""
    provenance = model.metadata.get("provenance") if isinstance(model.metadata.get("provenance"), dict) else {}
    parameters = provenance.get("parameters") if isinstance(provenance.get("parameters"), dict) else {}
    try:
        defaults = {p["name"]: p.get("default") for p in get_template(str(provenance.get("template_id"))).parameters}
    except NotFound:
        defaults = {}
    return {k: v for k, v in parameters.items() if k not in defaults or defaults[k] != v}


def run_title(model: ArtifactRecord, seed: int | None) -> str:
    """`<model title> · demand 40, bins 12 · seed 5`: runs of one model told apart by parameters and seed."""
    parts = [model.title]
    parameters = distinguishing_parameters(model)
    if parameters:
        parts.append(", ".join(f"{k} {_number(v)}" for k, v in parameters.items()))
    if seed is not None:
        parts.append(f"seed {seed}")
    title = SEPARATOR.join(parts)
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1].rstrip() + "…"
