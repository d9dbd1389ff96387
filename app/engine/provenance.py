"""Model provenance as FlowTime accepts it: the X-Model-Provenance header, or a `provenance:` block in the model.

The header is a JSON object (`{source, templateId, modelId, ...}`) or a bare model id. A top-level
`provenance:` mapping in the YAML (FlowTime-Sim's `?embed_provenance=true`) is taken out of the model
before it is run, written as spec.yaml and hashed; the header wins over the block; `{}` means none.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import yaml

from app.errors import BadRequest, ModelInvalid
from app.storage.paths import ARTIFACT_ID_PATTERN
from app.yamlsafe import safe_load

HEADER = "X-Model-Provenance"
ID_FIELDS = ("modelId", "templateId", "source")
MAX_ID_CHARS = 200
_TOP_LEVEL_KEY = re.compile(r"""^(provenance|'provenance'|"provenance")[ \t]*:""")


def from_header(raw: str | None) -> dict | None:
    """The header's provenance: JSON object or bare model id (trimmed; empty ignored; of two headers, the first)."""
    text = (raw or "").strip()
    if not text:
        return None
    if text[0] in "{[\"":
        try:
            value, end = json.JSONDecoder().raw_decode(text)
        except ValueError as exc:
            raise _bad_header("is not valid JSON") from exc
        if text[end:].strip() and not text[end:].lstrip().startswith(","):  # "," joins a second header
            raise _bad_header("is not valid JSON")
        if not isinstance(value, dict):
            raise _bad_header("must be a JSON object or a model id")
        return _checked(value, HEADER) or None
    model_id = text.split(",", 1)[0].strip()
    if not ARTIFACT_ID_PATTERN.match(model_id):
        raise _bad_header("must be a JSON object or a model id (letters, digits, '.', '_', '-'; up to 200)")
    return {"modelId": model_id}


def _bad_header(reason: str) -> BadRequest:
    return BadRequest(f"{HEADER} {reason}", details={HEADER: [reason]})


def _checked(provenance: dict, where: str) -> dict:
    for name in ID_FIELDS:
        value = provenance.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_ID_CHARS):
            message = f"provenance.{name} must be a string of at most {MAX_ID_CHARS} characters"
            raise BadRequest(message, details={f"{where}.{name}": [f"a string of at most {MAX_ID_CHARS} characters"]})
    return provenance


def split_embedded(text: str) -> tuple[str, dict | None]:
    """(model text without its top-level `provenance:` block, the block or None); a non-mapping is a 400."""
    if "provenance" not in text:
        return text, None
    data = safe_load(text)
    if not isinstance(data, dict) or "provenance" not in data:
        return text, None
    block = data.pop("provenance")
    if block is not None and not isinstance(block, dict):
        raise ModelInvalid("provenance must be a mapping", details={"provenance": ["expected a mapping"]})
    clean = _without_block(text, data)
    return clean, (_checked(_json_safe(block), "provenance") or None) if block else None


def _without_block(text: str, rest: dict) -> str:
    """The text with the block's lines cut out (every other byte kept), or `rest` re-emitted if that fails."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _TOP_LEVEL_KEY.match(line)), None)
    if start is not None:
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # blank lines before the next key stay where they were
        cut = "".join(lines[:start] + lines[end:])
        try:
            if safe_load(cut) == rest:
                return cut
        except BadRequest:
            pass
    return yaml.safe_dump(rest, sort_keys=False, allow_unicode=True)


def _json_safe(value):
    """YAML values as JSON can hold them (timestamps become ISO text)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
