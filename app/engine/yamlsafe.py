"""Safe YAML loading for model specs: no anchors or aliases, no non-finite numbers."""

from __future__ import annotations

import math

import yaml

from app.errors import ModelInvalid

MAX_SPEC_CHARS = 64 * 1024 * 1024
MAX_YAML_DEPTH = 64
_ANCHOR_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


def _alias_error(event) -> ModelInvalid:
    mark = getattr(event, "start_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    what = "aliases" if isinstance(event, yaml.AliasEvent) else "anchors"
    return ModelInvalid(f"YAML {what} are not allowed{where}", details={"field": "yaml", "reason": what})


def _check_event(event) -> None:
    if isinstance(event, yaml.AliasEvent):
        raise _alias_error(event)
    if isinstance(event, _ANCHOR_EVENTS) and event.anchor is not None:
        raise _alias_error(event)


class NoAliasSafeLoader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors and aliases before any node is composed."""

    def compose_node(self, parent, index):
        """Compose one node, refusing it if the next event is an alias or carries an anchor."""
        _check_event(self.peek_event())
        return super().compose_node(parent, index)


def _scan_events_fast(text: str) -> None:
    """Reject anchors/aliases using libyaml's event stream (no composition, no expansion)."""
    loader = yaml.CSafeLoader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            _check_event(event)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise ModelInvalid("YAML is nested too deeply", details={"field": "yaml"})
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _reject_non_finite(value, path: str = "") -> None:
    """Walk a loaded document (a tree: aliases were refused) and refuse NaN/Infinity anywhere."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ModelInvalid(
                f"non-finite number at {where or 'document root'}", details={"field": where or "$"}
            )
        if isinstance(item, dict):
            for key, sub in item.items():
                if isinstance(key, float) and not math.isfinite(key):
                    raise ModelInvalid(f"non-finite key at {where or 'root'}", details={"field": where or "$"})
                stack.append((sub, f"{where}.{key}" if where else str(key)))
        elif isinstance(item, list):
            stack.extend((sub, f"{where}[{i}]") for i, sub in enumerate(item))


def safe_load(text: str):
    """Parse YAML text safely, raising ModelInvalid for syntax errors, anchors/aliases or NaN/Inf."""
    if not isinstance(text, str):
        raise ModelInvalid("model must be YAML text", details={"field": "body"})
    if len(text) > MAX_SPEC_CHARS:
        raise ModelInvalid("model is too large", details={"field": "body"})
    try:
        if yaml.__with_libyaml__:
            _scan_events_fast(text)
            data = yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506 - aliases already refused
        else:
            data = yaml.load(text, Loader=NoAliasSafeLoader)  # noqa: S506
    except ModelInvalid:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ModelInvalid(f"invalid YAML{where}: {exc.problem}", details={"field": "yaml"}) from None
    except RecursionError:
        raise ModelInvalid("YAML is nested too deeply", details={"field": "yaml"}) from None
    except Exception as exc:  # noqa: BLE001 - any parser/constructor failure is a bad model
        raise ModelInvalid(f"invalid YAML: {type(exc).__name__}", details={"field": "yaml"}) from None
    _reject_non_finite(data)
    return data


def safe_load_python(text: str):
    """Parse with the pure-Python NoAliasSafeLoader only (used by tests and when libyaml is absent)."""
    try:
        data = yaml.load(text, Loader=NoAliasSafeLoader)  # noqa: S506
    except ModelInvalid:
        raise
    except yaml.YAMLError as exc:
        raise ModelInvalid(f"invalid YAML: {exc}", details={"field": "yaml"}) from None
    except Exception as exc:  # noqa: BLE001
        raise ModelInvalid(f"invalid YAML: {type(exc).__name__}", details={"field": "yaml"}) from None
    _reject_non_finite(data)
    return data
