"""The static import graph of the UI's JavaScript modules, for <link rel="modulepreload">: the browser then
fetches every module of a page at once instead of one level of imports per round trip."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

JS_DIR = Path(__file__).parent / "static" / "js"
# `import ... from "./x.js"` (over several lines too) and `import "./x.js"`; dynamic import() stays lazy.
_STATIC_IMPORT = re.compile(r"""(?:\bfrom\s*|^\s*import\s*)["']\./([\w.-]+\.js)["']""", re.MULTILINE)


@cache
def imported_modules(entry: str) -> tuple[str, ...]:
    """The file names of the modules `entry` imports, directly or through others, breadth first."""
    found: list[str] = []
    pending = [entry]
    while pending:
        source = (JS_DIR / pending.pop(0)).read_text(encoding="utf-8")
        for name in _STATIC_IMPORT.findall(source):
            if name != entry and name not in found:
                found.append(name)
                pending.append(name)
    return tuple(found)
