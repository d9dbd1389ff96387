"""Read a JSON response the way FlowTime's clients do.

`bind_blazor` is System.Text.Json as the M2.7-M2.10 Blazor pages configure it: property names match
case-insensitively, unknown JSON names are ignored, and a value of the wrong kind throws (an object
where a string is declared, null or a string for a long or a DateTime, a fraction for an int).
`check_ts` is a SvelteKit TypeScript interface: names are case-sensitive and nothing is converted, so a
required field must be present under exactly that name with a value of the declared JavaScript type.
"""

from __future__ import annotations

from datetime import datetime

INT32, INT64 = (-(2**31), 2**31 - 1), (-(2**63), 2**63 - 1)


class BindError(AssertionError):
    """The client would throw (or, for TypeScript, read undefined / a wrong type) at `path`."""


def bind_blazor(value, declared, path: str = "$"):
    """Bind `value` to a declared .NET type; returns what the client holds, raises BindError where it throws.

    Declared types: "string", "int", "long", "double", "bool", "DateTime", "object" (anything),
    "dict" (Dictionary<string, object>), a trailing "?" for nullable, [T] for List<T>, {"Name": T} for a
    class (its properties; missing JSON names keep their defaults) and ("map", T) for Dictionary<string, T>.
    """
    if isinstance(declared, str) and declared.endswith("?"):
        return None if value is None else bind_blazor(value, declared[:-1], path)
    if isinstance(declared, list):
        if value is None:
            return None
        _expect(isinstance(value, list), path, "an array", value)
        return [bind_blazor(v, declared[0], f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(declared, tuple):
        if value is None:
            return None
        _expect(isinstance(value, dict), path, "an object", value)
        return {k: bind_blazor(v, declared[1], f"{path}.{k}") for k, v in value.items()}
    if isinstance(declared, dict):
        if value is None:
            return None
        _expect(isinstance(value, dict), path, "an object", value)
        by_name = {name.lower(): name for name in declared}
        bound = {}
        for key, item in value.items():
            name = by_name.get(key.lower())
            if name is not None:  # System.Text.Json: the last of case-insensitive duplicates wins
                bound[name] = bind_blazor(item, declared[name], f"{path}.{key}")
        return bound
    return _scalar(value, declared, path)


def _scalar(value, declared: str, path: str):
    if declared == "object":
        return value
    if declared == "dict":
        _expect(value is None or isinstance(value, dict), path, "an object", value)
        return value
    if declared == "string":
        _expect(value is None or isinstance(value, str), path, "a string", value)
        return value
    if declared == "bool":
        _expect(isinstance(value, bool), path, "true or false", value)
        return value
    if declared in ("int", "long"):
        low, high = INT32 if declared == "int" else INT64
        _expect(isinstance(value, int) and not isinstance(value, bool) and low <= value <= high, path,
                f"an integer ({declared})", value)
        return value
    if declared == "double":
        _expect(isinstance(value, int | float) and not isinstance(value, bool), path, "a number", value)
        return value
    if declared == "DateTime":
        _expect(isinstance(value, str), path, "an ISO 8601 date (DateTime is not nullable)", value)
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise BindError(f"{path}: {value!r} is not an ISO 8601 date") from None
    raise ValueError(f"unknown declared type {declared!r}")


def _expect(ok: bool, path: str, wanted: str, value) -> None:
    if not ok:
        raise BindError(f"{path}: expected {wanted}, got {type(value).__name__} {str(value)[:60]!r}")


TS_TYPES = {"string": str, "number": (int, float), "boolean": bool, "object": dict}


def check_ts(value, interface, path: str = "$") -> None:
    """Check `value` against a TypeScript interface: {"name": type, "name?": type}; types are "string",
    "number", "boolean", "object" (Record<string, unknown>), "string[]", a nested interface, or [interface]."""
    if isinstance(interface, list):
        _ts(isinstance(value, list), path, "an array", value)
        for i, item in enumerate(value):
            check_ts(item, interface[0], f"{path}[{i}]")
        return
    if isinstance(interface, dict):
        _ts(isinstance(value, dict), path, "an object", value)
        for key, kind in interface.items():
            name, optional = key.rstrip("?"), key.endswith("?")
            if name not in value:
                _ts(optional, f"{path}.{name}", "present (it is read)", None)
                continue
            if optional and value[name] is None:
                continue
            check_ts(value[name], kind, f"{path}.{name}")
        return
    if interface == "string[]":
        _ts(isinstance(value, list) and all(isinstance(v, str) for v in value), path, "string[]", value)
        return
    wanted = TS_TYPES[interface]
    _ts(isinstance(value, wanted) and not (interface == "number" and isinstance(value, bool)), path, interface, value)


def _ts(ok: bool, path: str, wanted: str, value) -> None:
    if not ok:
        raise BindError(f"{path}: expected {wanted}, got {type(value).__name__} {str(value)[:60]!r}")
