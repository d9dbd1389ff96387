"""Strict JSON: Unicode text, finite numbers, 64-bit integers, bounded depth (requests and files on disk).

Python's json accepts more than JSON: `NaN`/`Infinity`, lone surrogate escapes (`"\\ud800"`, valid
syntax that is not Unicode text and cannot be stored as UTF-8), integers of any size and nesting until
the interpreter's recursion limit. Everything the registry reads from a client or a descriptor file goes
through `loads`, and everything it writes through `dumps`, so none of those reach a file or the database.
"""

from __future__ import annotations

import json
import math
import re

MAX_DEPTH = 64
# What the registry's own files (registry-index.json, the journal) add around a stored document.
OWN_FILE_DEPTH = MAX_DEPTH + 8
INT_RANGE = (-(2**63), 2**64 - 1)  # what .NET reads as long/ulong and SQLite can hold
_SURROGATE = re.compile("[\ud800-\udfff]")
_LONG_DIGITS = re.compile(r"[0-9]{19}")  # where an integer beyond 64 bits could be, in ASCII JSON text
_STRING_OR_FILLER = re.compile(r'"(?:[^"\\]|\\.)*+"|[^"\[\]{}]++')  # all but the brackets of JSON text
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")


class NotStrictJSON(ValueError):
    """Text that is not strict JSON; `reason` says why, `where` is a JSON path, `kind` the class of problem."""

    def __init__(self, reason: str, where: str = "$", kind: str = "value"):
        super().__init__(f"{reason} at {where}" if where != "$" or kind != "syntax" else reason)
        self.reason, self.where, self.kind = reason, where, kind


def is_text(value: str) -> bool:
    """True if a string holds only Unicode scalar values (no lone surrogates)."""
    return value.isascii() or _SURROGATE.search(value) is None


def printable(text: str) -> str:
    """The text with every lone surrogate replaced by U+FFFD (for reasons and messages that quote input)."""
    return text if is_text(text) else _SURROGATE.sub("\ufffd", text)


def _refuse_constant(name: str):
    raise NotStrictJSON(f"{name} is not a JSON number", kind="number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotStrictJSON(f"{text[:40]} overflows to infinity", kind="number")
    return value


def _bounded_int(text: str) -> int:
    value = int(text) if len(text) <= 20 else None  # 20 characters hold every 64-bit integer
    if value is None or not INT_RANGE[0] <= value <= INT_RANGE[1]:
        raise NotStrictJSON("an integer is outside 64 bits", kind="number")
    return value


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_bounded_int)


def loads(text: str | bytes, max_depth: int = MAX_DEPTH):
    """Parse strict JSON, raising NotStrictJSON (a ValueError) with a reason for anything else.

    `max_depth`: the registry's own files wrap stored documents (each as deep as a descriptor may be) in a
    few levels of their own, so they are read with room for those."""
    try:
        if isinstance(text, bytes | bytearray):  # as json.loads does: UTF-8, -16 or -32, BOM allowed
            text = text.decode(json.detect_encoding(text), "surrogatepass")
        value = _DECODER.decode(text)
    except NotStrictJSON as exc:
        raise _located(text, exc) from None
    except RecursionError:
        raise NotStrictJSON("nested too deeply", kind="depth") from None
    except json.JSONDecodeError as exc:
        raise NotStrictJSON(f"invalid JSON ({exc})", kind="syntax") from None
    except UnicodeDecodeError as exc:
        raise NotStrictJSON(f"not UTF-8 text ({exc.reason})", kind="syntax") from None
    _check_text(text, value, numbers_checked=True, max_depth=max_depth)
    return value


def _located(text: str, error: NotStrictJSON) -> NotStrictJSON:
    """The same refusal with the JSON path of the number, found by a lenient parse and the walk."""
    try:
        check(_LOCATOR.decode(text))
    except NotStrictJSON as located:
        return located
    except (ValueError, RecursionError):
        pass
    return error


_LOCATOR = json.JSONDecoder(parse_int=lambda digits: int(digits) if len(digits) <= 20 else INT_RANGE[1] + 1)


def _check_text(text: str, value, numbers_checked: bool = False, max_depth: int = MAX_DEPTH) -> None:
    """The checks still to make, each only when the text shows it could fail (a scan, not a walk)."""
    long_number = not numbers_checked and _LONG_DIGITS.search(text) is not None
    if "\\u" in text or not text.isascii() or long_number:
        check(value, max_depth=max_depth)  # an escape, non-ASCII text or a long number: walk the value
    elif text.count("[") + text.count("{") > max_depth and _deeper_than_limit(text, max_depth):
        raise NotStrictJSON(f"nested deeper than {max_depth} levels", kind="depth")


def _deeper_than_limit(text: str, max_depth: int = MAX_DEPTH) -> bool:
    """Nesting beyond max_depth in valid JSON text, from its brackets alone (one level removed per pass)."""
    brackets = _STRING_OR_FILLER.sub("", text)
    for _ in range(max_depth):
        brackets = _EMPTY_PAIR.sub("", brackets)
        if not brackets:
            return False
    return True


def check(value, where: str = "$", max_depth: int = MAX_DEPTH) -> None:
    """Refuse lone surrogates, non-finite numbers, oversized integers and deep nesting in a parsed value."""
    stack = [(value, where, None, 0)]
    while stack:
        item, parent, key, depth = stack.pop()
        problem = _problem(item)
        if problem is None and isinstance(item, dict | list):
            if depth >= max_depth:
                problem = "depth", f"nested deeper than {max_depth} levels"
            else:
                path = _path(parent, key)
                if isinstance(item, list):
                    stack.extend((sub, path, i, depth + 1) for i, sub in enumerate(item))
                    continue
                for name, sub in item.items():
                    if isinstance(name, str) and not is_text(name):
                        raise NotStrictJSON("a key with a lone surrogate is not Unicode text", path, "text")
                    stack.append((sub, path, name, depth + 1))
        if problem is not None:
            raise NotStrictJSON(problem[1], _path(parent, key), problem[0])


def _problem(item) -> tuple[str, str] | None:
    if isinstance(item, str):
        return None if is_text(item) else ("text", "a lone surrogate is not Unicode text")
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return None if INT_RANGE[0] <= item <= INT_RANGE[1] else ("number", "an integer is outside 64 bits")
    if isinstance(item, float):
        return None if math.isfinite(item) else ("number", "a number is not finite")
    return None


def _path(parent: str, key) -> str:
    if key is None or len(parent) > 120:
        return parent
    return f"{parent}[{key}]" if isinstance(key, int) and not isinstance(key, bool) else f"{parent}.{str(key)[:40]}"


def dumps(value, **options) -> str:
    """json.dumps that refuses NaN/Infinity (ValueError) instead of writing what is not JSON."""
    return json.dumps(value, allow_nan=False, **options)


def encode(value) -> str:
    """Strict JSON text of a value; NotStrictJSON, TypeError (not a JSON type) or ValueError (NaN) if none."""
    try:
        text = json.dumps(value, allow_nan=False)  # ASCII: a lone surrogate shows as its escape
    except RecursionError:
        raise NotStrictJSON("nested too deeply", kind="depth") from None
    _check_text(text, value)
    return text
