"""Built-in model templates (FlowTime-Sim style): loading, parameter validation, `${name}` substitution."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from app.errors import NotFound, ValidationFailed

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
PARAMETER_TYPES = ("integer", "number", "string", "array")
MAX_STRING = 500
MAX_ARRAY = 10_000
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Template:
    """One template: its description, parameter definitions and the model body with placeholders."""

    id: str
    title: str
    description: str
    version: str
    tags: list[str]
    parameters: list[dict]
    model: str = field(repr=False)

    def summary(self) -> dict:
        """The template as the API lists it (without the model body)."""
        return {"id": self.id, "title": self.title, "description": self.description, "version": self.version,
                "tags": list(self.tags), "parameters": [dict(p) for p in self.parameters]}

    def detail(self) -> dict:
        """The template with its model body."""
        return {**self.summary(), "model": self.model}


@cache
def load_templates() -> dict[str, Template]:
    """Every template shipped in the package, by id."""
    templates = {}
    for path in sorted(TEMPLATE_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        template = Template(id=doc["id"], title=doc["title"], description=doc["description"],
                            version=str(doc["version"]), tags=list(doc.get("tags") or []),
                            parameters=list(doc.get("parameters") or []), model=doc["model"])
        templates[template.id] = template
    return templates


def get_template(template_id: str) -> Template:
    """One template, or a 404."""
    try:
        return load_templates()[template_id]
    except KeyError:
        raise NotFound(f"template not found: {template_id}", details={"id": [f"no template {template_id}"]}) from None


def resolve_parameters(template: Template, given: dict) -> dict:
    """Defaults overlaid with the given values, each checked for name, type and range (400 naming it)."""
    if not isinstance(given, dict):
        raise ValidationFailed("parameters must be an object", details={"parameters": ["expected an object"]})
    definitions = {p["name"]: p for p in template.parameters}
    unknown = sorted(set(given) - set(definitions))
    if unknown:
        raise ValidationFailed(f"unknown parameter: {', '.join(unknown)}",
                               details={name: ["unknown parameter"] for name in unknown})
    errors = {}
    resolved = {}
    for name, definition in definitions.items():
        value = given.get(name, definition.get("default"))
        problem = _check(definition, value)
        if problem:
            errors[name] = [problem]
        resolved[name] = value
    if errors:
        raise ValidationFailed(f"invalid parameter: {', '.join(sorted(errors))}", details=errors)
    return resolved


def _check(definition: dict, value) -> str | None:
    kind = definition["type"]
    if value is None:
        return "required"
    if kind == "array":
        if not isinstance(value, list) or not value or len(value) > MAX_ARRAY:
            return f"must be a non-empty array of at most {MAX_ARRAY} numbers"
        problems = [_check_number(definition, item, integer=False) for item in value]
        bad = next(((i, p) for i, p in enumerate(problems) if p), None)
        return f"item {bad[0]}: {bad[1]}" if bad else None
    if kind == "string":
        if not isinstance(value, str) or len(value) > MAX_STRING:
            return f"must be a string of at most {MAX_STRING} characters"
        return None
    return _check_number(definition, value, integer=kind == "integer")


def _check_number(definition: dict, value, integer: bool) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be an integer" if integer else "must be a number"
    if integer and not isinstance(value, int):
        return "must be an integer"
    if not math.isfinite(value):
        return "must be finite"
    low, high = definition.get("minimum"), definition.get("maximum")
    if low is not None and value < low:
        return f"must be >= {low}"
    if high is not None and value > high:
        return f"must be <= {high}"
    return None


def render_model(template: Template, parameters: dict) -> str:
    """The model YAML with every `${name}` replaced by its YAML-safe value."""

    def replace(match: re.Match) -> str:
        return json.dumps(parameters[match.group(1)])  # JSON scalars and lists are valid YAML flow values

    return _PLACEHOLDER.sub(replace, template.model)
