"""Safe YAML loading for model specs: no anchors or aliases, no non-finite numbers."""

from __future__ import annotations

import math
import re

import yaml

from app.errors import ModelInvalid

MAX_SPEC_CHARS = 64 * 1024 * 1024
MAX_YAML_DEPTH = 64
_ANCHOR_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


def _invalid(message: str) -> ModelInvalid:
    """A 400 about the YAML text as a whole (the request body)."""
    return ModelInvalid(message, details={"body": [message]})


def _alias_error(event) -> ModelInvalid:
    mark = getattr(event, "start_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    what = "aliases" if isinstance(event, yaml.AliasEvent) else "anchors"
    return _invalid(f"YAML {what} are not allowed{where}")


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


_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_PLAIN_FLOAT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)\.[0-9]+$")
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar(event: yaml.ScalarEvent):
    """The Python value of a scalar, as SafeLoader would build it (plain decimals take a fast path)."""
    value = event.value
    if not event.style and event.tag is None:  # libyaml reports plain scalars with style ""
        if _PLAIN_INT.match(value):
            return int(value)
        if _PLAIN_FLOAT.match(value):
            return float(value)
    tag = event.tag if event.tag not in (None, "!") else _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit)
    return _CONSTRUCTOR.construct_object(yaml.ScalarNode(tag, value, style=event.style or None), deep=True)


def _load_events(text: str):
    """Build the document from libyaml's event stream in one pass, refusing anchors, aliases and
    deep nesting before anything is expanded (explicit collection tags fall back to PyYAML)."""
    loader = yaml.CSafeLoader(text)
    stack: list = []
    keys: list = []
    root = None
    try:
        while loader.check_event():
            event = loader.get_event()
            _check_event(event)
            if isinstance(event, yaml.CollectionStartEvent):
                if event.tag not in (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                    raise _ExplicitTag
                if len(stack) >= MAX_YAML_DEPTH:
                    raise _invalid("YAML is nested too deeply")
                container = {} if isinstance(event, yaml.MappingStartEvent) else []
                _attach(stack, keys, container)
                stack.append(container)
                keys.append(_NO_KEY)
            elif isinstance(event, yaml.CollectionEndEvent):
                root = stack.pop()
                keys.pop()
            elif isinstance(event, yaml.ScalarEvent):
                value = _scalar(event)
                if not stack:
                    root = value
                else:
                    _attach(stack, keys, value)
    finally:
        loader.dispose()
    return root


class _ExplicitTag(Exception):
    """A collection with an explicit tag: left to PyYAML's own constructor (which refuses unsafe ones)."""


_NO_KEY = object()


def _attach(stack: list, keys: list, value) -> None:
    if not stack:
        return
    parent = stack[-1]
    if isinstance(parent, list):
        parent.append(value)
    elif keys[-1] is _NO_KEY:
        if isinstance(value, dict | list):
            raise _invalid("YAML mapping keys must be scalars")
        keys[-1] = value
    else:
        parent[keys[-1]] = value
        keys[-1] = _NO_KEY


def _reject_non_finite(value, path: str = "") -> None:
    """Walk a loaded document (a tree: aliases were refused) and refuse NaN/Infinity anywhere."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ModelInvalid(
                f"non-finite number at {where or 'document root'}", details={where or "body": ["not a finite number"]}
            )
        if isinstance(item, dict):
            for key, sub in item.items():
                if isinstance(key, float) and not math.isfinite(key):
                    raise ModelInvalid(f"non-finite key at {where or 'root'}",
                                       details={where or "body": ["not a finite key"]})
                stack.append((sub, f"{where}.{key}" if where else str(key)))
        elif isinstance(item, list):
            stack.extend((sub, f"{where}[{i}]") for i, sub in enumerate(item))


def safe_load(text: str):
    """Parse YAML text safely, raising ModelInvalid for syntax errors, anchors/aliases or NaN/Inf."""
    if not isinstance(text, str):
        raise _invalid("model must be YAML text")
    if len(text) > MAX_SPEC_CHARS:
        raise _invalid("model is too large")
    try:
        if yaml.__with_libyaml__:
            try:
                data = _load_events(text)
            except _ExplicitTag:
                data = yaml.load(text, Loader=NoAliasSafeLoader)
        else:
            data = yaml.load(text, Loader=NoAliasSafeLoader)
    except ModelInvalid:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise _invalid(f"invalid YAML{where}: {exc.problem}") from None
    except RecursionError:
        raise _invalid("YAML is nested too deeply") from None
    except Exception as exc:  # any parser or constructor failure means a bad model, never a 500
        raise _invalid(f"invalid YAML: {type(exc).__name__}") from None
    _reject_non_finite(data)
    return data


def safe_load_python(text: str):
    """Parse with the pure-Python NoAliasSafeLoader only (used by tests and when libyaml is absent)."""
    try:
        data = yaml.load(text, Loader=NoAliasSafeLoader)
    except ModelInvalid:
        raise
    except yaml.YAMLError as exc:
        raise _invalid(f"invalid YAML: {exc}") from None
    except Exception as exc:
        raise _invalid(f"invalid YAML: {type(exc).__name__}") from None
    _reject_non_finite(data)
    return data
